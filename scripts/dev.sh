#!/usr/bin/env bash
# `make dev`: a local playground. Starts a simulated WeCom tenant and a simulated DingTalk tenant
# (the same simulators `worklink sim` serves) and prints what to try against them. The server
# (`worklink serve`/`worklink dev`, the event pipeline) is not part of this build yet; until it is,
# plugins and Rhai rules run one event at a time with `worklink run`.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=target/release/worklink
wecom_addr=${WORKLINK_DEV_WECOM:-127.0.0.1:7101}
dingtalk_addr=${WORKLINK_DEV_DINGTALK:-127.0.0.1:7102}
state=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$state"' EXIT

"$bin" sim wecom --listen "$wecom_addr" --users 50 --departments 8 >"$state/wecom.out" &
"$bin" sim dingtalk --listen "$dingtalk_addr" --users 50 --departments 8 >"$state/dingtalk.out" &
for f in wecom dingtalk; do
  for _ in $(seq 100); do [ -s "$state/$f.out" ] && break; sleep 0.1; done
  [ -s "$state/$f.out" ] || { echo "the $f simulator did not start" >&2; exit 1; }
done

wecom=$(head -n1 "$state/wecom.out")
dingtalk=$(head -n1 "$state/dingtalk.out")
field() { python3 -c 'import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$1" "$2"; }
wbase=$(field "$wecom" base_url); corp=$(field "$wecom" corp_id); secret=$(field "$wecom" secret)
dbase=$(field "$dingtalk" base_url); appkey=$(field "$dingtalk" app_key); appsecret=$(field "$dingtalk" app_secret)

cat <<MSG
Simulated tenants are up (50 users, 8 departments each; Ctrl-C stops them).

WeCom    $wecom
DingTalk $dingtalk

Try:
  # a WeCom access token, then the department tree
  tok=\$(curl -s "$wbase/cgi-bin/gettoken?corpid=$corp&corpsecret=$secret" | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
  curl -s "$wbase/cgi-bin/department/list?access_token=\$tok"
  # a DingTalk access token
  curl -s "$dbase/gettoken?appkey=$appkey&appsecret=$appsecret"
  # run the task-notify plugin, and its Rhai twin, on an ERP event (effects are staged, not sent)
  $bin run plugins/target/wasm32-wasip2/release/task_notify.wasm --event examples/events/task-assigned.json --grant contacts --grant messaging --grant log
  $bin run rules/task-notify.rhai --event examples/events/task-assigned.json --grant contacts --grant messaging --grant log
  # what a plugin says about itself
  $bin plugin inspect plugins/target/wasm32-wasip2/release/hello.wasm
MSG
wait
