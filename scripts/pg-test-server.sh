#!/usr/bin/env bash
# A private PostgreSQL server for Kakapo's tests and benchmark: its own data directory, its
# own port on 127.0.0.1 and a unix socket in its own directory, run as the unprivileged
# `postgres` user (the server refuses root), stopped by PID.
#
#   pg-test-server.sh start DIR [PORT]   initdb DIR/data (once), start, wait until ready;
#                                        prints the environment to use (eval it)
#   pg-test-server.sh stop DIR           fast shutdown, bounded; then the postmaster's PID
#   pg-test-server.sh env DIR            prints the environment again
#
# The environment: KK_PG_HOST (the socket directory), KK_PG_PORT, KK_PG_USER (postgres,
# trusted locally), KK_PG_BIN (the server's bin directory, with psql and pg_ctl), KK_PG_DIR.
# Nothing here touches the system's own cluster (/var/lib/postgresql) or its port.
set -eu
cmd=${1:?usage: pg-test-server.sh start|stop|env DIR [PORT]}
dir=${2:?usage: pg-test-server.sh start|stop|env DIR [PORT]}
port=${3:-55432}

bin=
for d in /usr/lib/postgresql/*/bin; do [ -x "$d/initdb" ] && bin=$d; done
[ -n "$bin" ] || { echo "pg-test-server: no PostgreSQL server (apt-get install postgresql)" >&2; exit 1; }

as_pg() {
    if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

print_env() {
    local p
    p=$(cat "$dir/port" 2>/dev/null || echo "$port")
    echo "export KK_PG_HOST=$dir/sock KK_PG_PORT=$p KK_PG_USER=postgres KK_PG_BIN=$bin KK_PG_DIR=$dir"
}

case $cmd in
start)
    mkdir -p "$dir/sock"
    if [ "$(id -u)" -eq 0 ]; then chown postgres:postgres "$dir" "$dir/sock"; chmod 755 "$dir"; fi
    if [ ! -f "$dir/data/PG_VERSION" ]; then
        as_pg "$bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
            || { cat "$dir/initdb.log" >&2; exit 1; }
    fi
    echo "$port" >"$dir/port"
    # Test settings: fsync stays on (durability is what the tests check); small shared
    # buffers; many connections for the mixed-server tests.
    as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
        -o "-p $port -k $dir/sock -c listen_addresses=127.0.0.1 -c max_connections=200 -c shared_buffers=64MB" start >/dev/null \
        || { tail -20 "$dir/server.log" >&2; exit 1; }
    print_env
    ;;
stop)
    [ -f "$dir/data/postmaster.pid" ] || exit 0
    pid=$(head -1 "$dir/data/postmaster.pid")
    as_pg "$bin/pg_ctl" -D "$dir/data" -m fast -w -t 20 stop >/dev/null 2>&1 || true
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid" 2>/dev/null || true; fi
    ;;
env)
    print_env
    ;;
*)
    echo "pg-test-server: unknown command $cmd" >&2; exit 2
    ;;
esac
