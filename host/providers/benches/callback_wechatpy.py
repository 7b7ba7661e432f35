"""wechatpy's side of the callback benchmark (benches/callback.rs).

Reads the requests the Rust bench generated, checks that wechatpy decrypts the first one to the
expected plaintext, then verifies, decrypts and parses them in a loop for the given time on one
thread. Prints {"per_sec": ..., "per_cpu_sec": ..., "count": ...} as JSON (per wall-clock second and
per second of the process's CPU time, which is what counts on a shared machine).
"""

import json
import sys
import time

# wechatpy 1.x names WeCom `enterprise` (later releases renamed it `work`).
from wechatpy.enterprise import parse_message
from wechatpy.enterprise.crypto import WeChatCrypto


def main(path):
    with open(path, encoding="utf-8") as f:
        spec = json.load(f)
    crypto = WeChatCrypto(spec["token"], spec["encoding_aes_key"], spec["corp_id"])
    messages = spec["messages"]

    first = messages[0]
    decrypted = crypto.decrypt_message(first["body"], first["msg_signature"], first["timestamp"], first["nonce"])
    if decrypted != first["plaintext"]:
        sys.exit("wechatpy decrypted something else than the Rust side encrypted")

    deadline = spec["seconds"]
    count = 0
    cpu_start = time.process_time()
    start = time.perf_counter()
    while time.perf_counter() - start < deadline:
        for m in messages:
            xml = crypto.decrypt_message(m["body"], m["msg_signature"], m["timestamp"], m["nonce"])
            parse_message(xml)
        count += len(messages)
    elapsed = time.perf_counter() - start
    cpu = max(time.process_time() - cpu_start, 1e-9)
    print(json.dumps({"per_sec": count / elapsed, "per_cpu_sec": count / cpu, "count": count}))


if __name__ == "__main__":
    main(sys.argv[1])
