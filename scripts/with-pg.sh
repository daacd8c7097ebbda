#!/usr/bin/env bash
# Runs a command with a private PostgreSQL server up (scripts/pg-test-server.sh): KK_PG_HOST,
# KK_PG_PORT, KK_PG_USER, KK_PG_BIN and KK_PG_DIR are exported to it; the server is stopped
# and its directory removed afterwards, whatever the command's outcome (its exit code is kept).
#   KK_PG_PORT_BASE  the first port to try (default 55432; the next free one is used, so that
#                    several runs on one machine do not collide)
set -u
here=$(cd "$(dirname "$0")" && pwd)
dir=$(mktemp -d /tmp/kk-pg-XXXXXX)
stop() { bash "$here/pg-test-server.sh" stop "$dir"; rm -rf "$dir"; }
trap stop EXIT
port=${KK_PG_PORT_BASE:-55432}
while ss -Hltn "sport = :$port" 2>/dev/null | grep -q .; do port=$((port + 1)); done
env_lines=$(bash "$here/pg-test-server.sh" start "$dir" "$port") || { echo "with-pg: the PostgreSQL server did not start" >&2; exit 1; }
eval "$env_lines"
"$@"
