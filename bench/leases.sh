#!/usr/bin/env bash
# A million leases: how long kakapo-dhcp4/kakapo-dhcp6 (release builds) and Debian's
# kea-dhcp4/kea-dhcp6 2.2 take to start on a memfile of 1,000,000 leases (client ids and host
# names in v4; DUIDs, IAIDs, hardware addresses and host names in v6), and their resident
# memory once serving.
#
# The lease files are generated once per family (python3, deterministic), in a temporary
# directory. Each server starts with no interface (nothing is sent anywhere) and a control
# socket; the time is from exec to the first answer of status-get on that socket, the memory
# the server's VmRSS then; the lease count is the server's own assigned-addresses (v4) or
# assigned-nas (v6) statistic. Each run starts from a fresh copy of the file.
#
#   LEASES_COUNT=1000000    how many leases
#   LEASES_SERVERS="kakapo kea"
#   LEASES_FAMILIES="4 6"
#   KAKAPO_BIN_DIR          default <repo>/.build/release
#   BENCH_RESULTS=FILE      also record "FAMILY/SERVER/load SECONDS/MB" there (bench/table.sh)
set -u
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
count=${LEASES_COUNT:-1000000}
servers=${LEASES_SERVERS:-kakapo kea}
families=${LEASES_FAMILIES:-4 6}
work=$(mktemp -d /tmp/kakapo-leases-XXXXXX)
pid=""
kill_server() {
    [ -n "$pid" ] || return 0
    kill -TERM "$pid" 2>/dev/null
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    pid=""
}
trap 'kill_server; rm -rf "$work"' EXIT

generate() {    # generate FAMILY FILE
    python3 "$here/leases_gen.py" "$1" "$2" "$count"
}

config() {      # config FAMILY FILE LEASES SOCKET
    if [ "$1" = 4 ]; then
        printf '%s\n' '{ "Dhcp4": { "interfaces-config": { "interfaces": [ ] },' \
            "  \"control-socket\": { \"socket-type\": \"unix\", \"socket-name\": \"$4\" }," \
            "  \"lease-database\": { \"type\": \"memfile\", \"name\": \"$3\", \"lfc-interval\": 0 }," \
            '  "valid-lifetime": 86400,' \
            '  "subnet4": [ { "id": 1, "subnet": "10.0.0.0/8", "pools": [ { "pool": "10.0.0.10 - 10.255.255.250" } ] } ],' \
            '  "loggers": [ { "name": "kea-dhcp4", "output_options": [ { "output": "stdout" } ], "severity": "WARN" } ] } }' >"$2"
    else
        printf '%s\n' '{ "Dhcp6": { "interfaces-config": { "interfaces": [ ] },' \
            "  \"control-socket\": { \"socket-type\": \"unix\", \"socket-name\": \"$4\" }," \
            "  \"lease-database\": { \"type\": \"memfile\", \"name\": \"$3\", \"lfc-interval\": 0 }," \
            '  "server-id": { "type": "EN", "enterprise-id": 2495, "identifier": "0102030405", "persist": false },' \
            '  "preferred-lifetime": 43200, "valid-lifetime": 86400,' \
            '  "subnet6": [ { "id": 1, "subnet": "2001:db8:1::/64", "pools": [ { "pool": "2001:db8:1::1:0 - 2001:db8:1::ffff:ffff" } ] } ],' \
            '  "loggers": [ { "name": "kea-dhcp6", "output_options": [ { "output": "stdout" } ], "severity": "WARN" } ] } }' >"$2"
    fi
}

echo "Start-up on a memfile of $count leases; machine: $(nproc) CPU(s), $(uname -r)"
printf '%-7s %-7s %10s %10s %10s\n' family server "start (s)" "RSS (MB)" leases
for fam in $families; do
    src="$work/leases$fam.src.csv"
    generate "$fam" "$src"
    for s in $servers; do
        case "$s" in
            kakapo) bin=${KAKAPO_BIN_DIR:-$repo/.build/release}/kakapo-dhcp$fam ;;
            kea) bin=$(command -v "kea-dhcp$fam" || echo "/usr/sbin/kea-dhcp$fam") ;;
            *) echo "leases: unknown server $s" >&2; continue ;;
        esac
        [ -x "$bin" ] || { echo "leases: $bin not found (make build; scripts/install-test-deps.sh)" >&2; continue; }
        d="$work/$s$fam"; mkdir -p "$d"
        cp "$src" "$d/leases.csv"
        config "$fam" "$d/conf.json" "$d/leases.csv" "$d/ctl.sock"
        t0=$(date +%s%N)
        KEA_PIDFILE_DIR="$d" KEA_LOCKFILE_DIR="$d" KAKAPO_LOCALSTATEDIR="$d" "$bin" -c "$d/conf.json" >"$d/out" 2>&1 &
        pid=$!
        ok=""
        for _ in $(seq 1 2400); do          # at most ~2 minutes
            kill -0 "$pid" 2>/dev/null || break
            if [ -S "$d/ctl.sock" ] && python3 "$repo/tests/integration/ctl.py" --timeout 2 "$d/ctl.sock" status-get >/dev/null 2>&1; then
                ok=1; break
            fi
            sleep 0.05
        done
        t1=$(date +%s%N)
        if [ -z "$ok" ]; then echo "leases: $s v$fam did not start:" >&2; tail -5 "$d/out" >&2; kill_server; continue; fi
        rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status")
        stat="subnet[1].assigned-addresses"; [ "$fam" = 6 ] && stat="subnet[1].assigned-nas"
        n=$(python3 "$repo/tests/integration/ctl.py" --timeout 30 --stat "$stat" "$d/ctl.sock" 2>/dev/null || echo "?")
        secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", (b - a) / 1e9 }')
        mb=$(awk -v k="$rss" 'BEGIN { printf "%.0f", k / 1024 }')
        printf '%-7s %-7s %10s %10s %10s\n' "v$fam" "$s" "$secs" "$mb" "$n"
        # For bench/table.sh (BENCH_RESULTS): the start-up time and RSS, if every lease loaded.
        if [ -n "${BENCH_RESULTS:-}" ]; then
            [ "$n" = "$count" ] || mb="$mb(only $n leases)"
            printf '%s %s\n' "$fam/$s/load" "$secs/$mb" >>"$BENCH_RESULTS"
        fi
        kill_server
        rm -f "$d"/leases.csv*
    done
    rm -f "$src"
done
