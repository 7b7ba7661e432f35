"""Cross-check: the `dingtalk-sdk` client against a running `worklink sim dingtalk`.

That SDK predates DingTalk's topapi, so it exercises the token endpoint and the legacy GET
contact endpoints (`/department/list`, `/user/get`, `/user/simplelist`), which the real service
still answers. Exits non-zero on the first mismatch.

Usage: dingtalk_check.py '<first stdout line of worklink sim dingtalk>'
"""

import json
import sys

import crosscheck
from crosscheck import check
from dingtalk.client import AppKeyClient
from dingtalk.core.exceptions import DingTalkClientException


def expect_errcode(code, call, what):
    crosscheck.expect_errcode(DingTalkClientException, code, call, what)


def client_for(banner, secret):
    client = AppKeyClient(banner["corp_id"], banner["app_key"], secret, timeout=10)
    client.API_BASE_URL = banner["base_url"] + "/"
    return client


def main():
    banner = json.loads(sys.argv[1])
    client = client_for(banner, banner["app_secret"])

    token = client.get_access_token()
    check(token["errcode"] == 0 and token["expires_in"] == 7200, f"gettoken answer {token}")
    check(client.access_token == token["access_token"], "the same token while valid")
    expect_errcode(40089, lambda: client_for(banner, "wrong").get_access_token(), "gettoken with a bad secret")

    departments = client.department.list(fetch_child=True)
    check(departments and all({"id", "name", "parentid"} <= set(d) for d in departments), f"departments {departments}")
    members = []
    for department in departments:
        answer = client.user.simple_list(department["id"])
        members = answer["userlist"]
        if members:
            break
    check(members, "some department has members")
    user = client.user.get(members[0]["userid"])
    check(user["name"] == members[0]["name"] and user["department"], f"user/get {user}")
    expect_errcode(60121, lambda: client.user.get("no-such-user"), "user/get of an unknown user")
    expect_errcode(60003, lambda: client.department.list(404), "department/list of an unknown department")
    print("dingtalk-sdk cross-check passed")


if __name__ == "__main__":
    main()
