#!/usr/bin/env bash
# Runs a command with a throwaway PostgreSQL cluster and WORKLINK_TEST_POSTGRES_URL pointing at it.
#
#   scripts/with-postgres.sh cargo test -p worklink-server
#
# Installs Debian's `postgresql` if no server binaries are found, initialises a cluster in a
# temporary directory, starts it on a free loopback port (its unix socket stays in that directory
# too, so nothing system-wide is touched), creates a database, runs the command, and always stops
# and removes the cluster. PostgreSQL refuses to run as root, so as root the server runs as the
# `postgres` system user. The command's exit status is the script's.
set -euo pipefail

if [ "$#" -eq 0 ]; then
    echo "usage: $0 COMMAND [ARGS...]" >&2
    exit 2
fi

pg_bindir() {
    ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
}

bindir="$(pg_bindir)"
if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
    echo "with-postgres: installing PostgreSQL from Debian's packages" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends postgresql >/dev/null
    bindir="$(pg_bindir)"
fi

# Run a server-side command as an unprivileged user when we are root.
as_pg() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

tmp="$(mktemp -d "${TMPDIR:-/tmp}/worklink-pg.XXXXXX")"
if [ "$(id -u)" -eq 0 ]; then
    chown postgres:postgres "$tmp"
fi

cleanup() {
    if [ -f "$tmp/data/postmaster.pid" ]; then
        as_pg "$bindir/pg_ctl" -D "$tmp/data" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Ask the kernel for a free loopback port.
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"

as_pg "$bindir/initdb" -D "$tmp/data" -U worklink --auth=trust --encoding=UTF8 --no-locale \
    --no-sync >"$tmp/initdb.log" 2>&1 || { cat "$tmp/initdb.log" >&2; exit 1; }

# fsync is off because the cluster is thrown away; max_connections covers parallel tests, each
# with its own pool.
as_pg "$bindir/pg_ctl" -D "$tmp/data" -l "$tmp/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$tmp \
        -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" \
    start >/dev/null || { cat "$tmp/server.log" >&2; exit 1; }

"$bindir/createdb" -h 127.0.0.1 -p "$port" -U worklink worklink_test

export WORKLINK_TEST_POSTGRES_URL="postgres://worklink@127.0.0.1:$port/worklink_test"
echo "with-postgres: PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') on 127.0.0.1:$port" >&2

status=0
"$@" || status=$?
exit "$status"
