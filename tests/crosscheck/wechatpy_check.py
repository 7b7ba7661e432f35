"""Cross-check: wechatpy's WeCom client against a running `worklink sim wecom`.

The simulator must answer a third-party client exactly as WeCom would, so this drives it with
wechatpy (not with Worklink's own client) and exits non-zero on the first mismatch.

Usage: wechatpy_check.py '<first stdout line of worklink sim wecom>'
"""

import json
import sys
import urllib.request

import crosscheck
from crosscheck import check

from wechatpy.enterprise import WeChatClient
from wechatpy.exceptions import WeChatClientException


def expect_errcode(code, call, what):
    crosscheck.expect_errcode(WeChatClientException, code, call, what)


class SimClient(WeChatClient):
    """wechatpy hard-codes the gettoken URL; everything else follows API_BASE_URL."""

    def fetch_access_token(self):
        return self._fetch_access_token(
            url=self.API_BASE_URL + "gettoken",
            params={"corpid": self.corp_id, "corpsecret": self.secret},
        )


def sim_get(base, path):
    with urllib.request.urlopen(base + path, timeout=10) as response:
        return json.load(response)


def sim_post(base, path):
    request = urllib.request.Request(base + path, data=b"{}", method="POST")
    request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)


def client_for(banner, secret):
    client = SimClient(banner["corp_id"], secret, timeout=10)
    client.API_BASE_URL = banner["base_url"] + "/cgi-bin/"
    return client


def main():
    banner = json.loads(sys.argv[1])
    base = banner["base_url"]
    client = client_for(banner, banner["secret"])

    token = client.fetch_access_token()
    check(token["errcode"] == 0 and token["expires_in"] == 7200, f"gettoken answer {token}")
    again = client.fetch_access_token()
    check(again["access_token"] == token["access_token"], "gettoken returns the same token while valid")
    expect_errcode(40001, lambda: client_for(banner, "wrong-secret").fetch_access_token(), "gettoken with a bad secret")

    departments = client.department.get()
    check(any(d["id"] == 1 for d in departments), "department/list contains the root (id 1)")
    check(all("parentid" in d and "name" in d for d in departments), "departments carry parentid and name")

    members = []
    for department in departments:
        members = client.user.list(department["id"])
        if members:
            break
    check(members, "some department has members")
    first = members[0]
    check({"userid", "name", "department"} <= set(first), f"user/list fields {sorted(first)}")
    detail = client.user.get(first["userid"])
    check(detail["name"] == first["name"], "user/get agrees with user/list")
    simple = client.department.get_users(first["department"][0])
    check(any(u["userid"] == first["userid"] for u in simple), "user/simplelist lists the member")
    expect_errcode(60111, lambda: client.user.get("no-such-user"), "user/get of an unknown user")

    created = client.user.create("wechatpy_check", "交叉检查", department=[1], mobile="13912345678")
    check(created["errcode"] == 0 and created["errmsg"] == "created", f"user/create answer {created}")
    check(client.user.get("WECHATPY_CHECK")["name"] == "交叉检查", "user/get finds the created user case-insensitively")
    expect_errcode(
        60102,
        lambda: client.user.create("wechatpy_check", "重复", department=[1], mobile="13912345679"),
        "user/create of an existing userid",
    )

    sent = client.message.send_text(banner["agent_id"], [first["userid"], "Nobody"], "来自 wechatpy 的交叉检查")
    check(sent["errcode"] == 0, f"message/send answer {sent}")
    check(sent["invaliduser"] == "nobody", f"invaliduser lower-cased: {sent['invaliduser']!r}")
    check(sent.get("msgid"), "message/send returns a msgid")
    expect_errcode(
        81013,
        lambda: client.message.send_text(banner["agent_id"], ["nobody"], "x"),
        "message/send with no valid recipient",
    )

    # An early-invalidated token: wechatpy sees 40014, refetches once and retries.
    sim_post(base, "/_sim/tokens/invalidate")
    check(client.user.get(first["userid"])["userid"] == first["userid"], "call after early invalidation")
    fetches = [c for c in sim_get(base, "/_sim/calls") if c["path"] == "/cgi-bin/gettoken"]
    check(len(fetches) == 4, f"expected 4 gettoken calls (2 + bad secret + refresh), saw {len(fetches)}")

    messages = sim_get(base, "/_sim/messages")
    check(len(messages) == 1 and messages[0]["delivered"] == [first["userid"]], f"recorded messages {messages}")
    print("wechatpy cross-check passed")


if __name__ == "__main__":
    main()
