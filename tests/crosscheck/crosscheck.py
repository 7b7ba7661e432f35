"""Helpers shared by the cross-check scripts: fail loudly on the first mismatch."""

import sys


def check(condition, what):
    """Exits non-zero with `what` unless `condition` holds."""
    if not condition:
        print(f"MISMATCH: {what}", file=sys.stderr)
        sys.exit(1)


def expect_errcode(exception_type, code, call, what):
    """Runs `call` and checks it raises `exception_type` carrying `errcode == code`."""
    try:
        call()
    except exception_type as err:
        check(int(err.errcode) == code, f"{what}: errcode {err.errcode}, expected {code}")
        return
    check(False, f"{what}: no error, expected errcode {code}")
