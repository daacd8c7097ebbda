#!/usr/bin/env bash
# Relayed DHCPv4 load on a PostgreSQL lease database: kakapo-dhcp4 and Debian's Kea 2.2
# kea-dhcp4, one after the other, each with its own private PostgreSQL server (scripts/
# pg-test-server.sh: 127.0.0.1 and a unix socket, fsync on) and, at every rate step, a fresh
# database made from one that Kea's own `kea-admin db-init pgsql` made (schema 13.0; copied as
# a template, so every step starts from an empty lease4).  Same config for both servers (Kea's
# keys: "lease-database": { "type": "postgresql", "name", "host", "port", "user", "password" });
# the server reaches the database through the socket directory given as "host", since its
# network namespace cannot reach the host's 127.0.0.1.
#
# Method as bench.sh (bench/common.sh's rising rates and bisection): the highest offered rate
# with < 2.5% drops (DISCOVER-OFFER and REQUEST-ACK together, perfdhcp's 1 s drop time) and
# perfdhcp's "Rate: N 4-way exchanges/second" at it.  Also the CPU per completed exchange of
# the server AND its database together: utime+stime of the server process plus every process
# of that private PostgreSQL server (the postmaster with its reaped children's times, and its
# live children: backends, WAL writer, checkpointer, ...), from /proc/PID/stat, over the step,
# divided by the REQUEST-ACK exchanges perfdhcp completed.
#
#   server ns eth0 198.18.0.1/30  <->  load ns eth0 198.18.0.2/30 (perfdhcp -4 -l 198.18.0.2)
#   subnet 198.18.0.0/15, relay ip-addresses [198.18.0.2], pool 198.18.1.0 - 198.19.255.254
#
#   BENCH_SERVERS="kakapo kea"      which servers, in order
#   KAKAPO_DHCP4_RELEASE=path       default <repo>/.build/release/kakapo-dhcp4 (any binary that
#                                   takes Kea's config: KAKAPO_DHCP4_RELEASE=$(command -v kea-dhcp4)
#                                   measures Kea in both columns)
#   KEA_DHCP4=path                  default $(command -v kea-dhcp4)
#   BENCH_PG_RATES="250 500 ..."    offered rates (default 250 500 1000 2000 4000 8000 16000)
#   BENCH_PG_PERIOD=8               seconds per step
#   BENCH_REFINE=2, BENCH_MAX_DROP_PCT=2.5, BENCH_CLIENTS=100000   as for bench.sh
#   BENCH_PG_MAX_SECONDS=360        overall bound; steps that would exceed it are skipped
#   BENCH_PG_SYNC_COMMIT=on         PostgreSQL's synchronous_commit for role kea; "off" shows how
#                                   much of the rate is the wait for each commit's WAL flush
# A server that does not start (kakapo-dhcp4 before it serves leases from PostgreSQL) is shown
# as such, with its output; the other server is still measured.
set -u
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
. "$here/common.sh"
bench_defaults
rates=${BENCH_PG_RATES:-250 500 1000 2000 4000 8000 16000}
period=${BENCH_PG_PERIOD:-8}
max_seconds=${BENCH_PG_MAX_SECONDS:-360}

kakapo_bin=${KAKAPO_DHCP4_RELEASE:-$repo/.build/release/kakapo-dhcp4}
export KAKAPO_DHCP4=$kakapo_bin
DHCP4_SERVER=${servers%% *}
. "$repo/tests/integration/lib.sh"
KK_TEST_NAME=bench_pg

for s in $servers; do
    case "$s" in
        kakapo) [ -x "$kakapo_bin" ] || { echo "bench_pg: $kakapo_bin not found (make build)" >&2; exit 1; } ;;
        kea) command -v "${KEA_DHCP4:-kea-dhcp4}" >/dev/null || { echo "bench_pg: kea-dhcp4 not found (scripts/install-test-deps.sh)" >&2; exit 1; } ;;
        *) echo "bench_pg: unknown server $s" >&2; exit 1 ;;
    esac
done
kk_init
kk_need perfdhcp kea-admin

bench_netns4 b

step_db=kea_step
# write_conf FILE : the config, the same for every server (its database: this server's
# private PostgreSQL, database $step_db)
write_conf() {
    bench_dhcp4_conf "$1" "$KK_WORK" "{ \"type\": \"postgresql\", \"name\": \"$step_db\", \"host\": \"$KK_PG_HOST\", \"port\": $KK_PG_PORT, \"user\": \"kea\", \"password\": \"kea\" }"
}

# pg_ticks : CPU time (clock ticks) of the current private PostgreSQL server: the postmaster's
# own and its reaped children's (cutime, cstime), plus its live children's.
pg_ticks() {
    local pm
    pm=$(head -n1 "$KK_PG_DIR/data/postmaster.pid" 2>/dev/null)
    [ -n "$pm" ] && [ -r "/proc/$pm/stat" ] || return 0
    # fields after the ")" that ends comm: 2 = ppid, 12..15 = utime stime cutime cstime
    cat /proc/[0-9]*/stat 2>/dev/null | awk -v pm="$pm" '{
        pid = $1; sub(/^.*\) /, "")
        if (pid == pm || $2 == pm) t += $12 + $13 + $14 + $15
    } END { print t + 0 }'
}

# The server with a fresh copy of the template database, then perfdhcp; prints like common.sh's
# run_step "pass|fail achieved drop_pct", and appends a row to $results:
#   server offered achieved sent1 recv1 sent2 recv2 drops% verdict replies cpu-us/ex(server+db)
#   srv-us/ex db-us/ex lease4-rows
run_step() {
    local s=$1 rate=$2 out parsed sent_d recv_o sent_r recv_a drops pct achieved verdict
    local spid c0 c1 p0 p1 replies rows hz us_tot="-" us_srv="-" us_db="-"
    kk_pg_psql postgres -c "DROP DATABASE IF EXISTS $step_db WITH (FORCE)" \
        -c "CREATE DATABASE $step_db TEMPLATE kea_template OWNER kea" >/dev/null 2>&1 \
        || { echo "   fresh database $step_db failed" >&2; echo "fail 0 100"; return; }
    kk_server_start "$conf"
    if ! kk_server_wait_ready 25; then
        echo "   $s did not start; output:" >&2; tail -n 10 "$KK_SERVER_OUT" | sed 's/^/   | /' >&2
        touch "$KK_WORK/did-not-start-$s"      # (run_step runs in a subshell)
        kk_server_stop; echo "fail 0 100"; return
    fi
    sleep 0.5
    out="$KK_WORK/perfdhcp-$s-$rate.out"
    spid=$(kk_ctl status-get 2>/dev/null | kk_json 'd["arguments"]["pid"]' 2>/dev/null)
    c0=$(cpu_ticks "$spid"); p0=$(pg_ticks)
    timeout $((period + 30)) ip netns exec "$load_ns" \
        perfdhcp -4 -l 198.18.0.2 -r "$rate" -R "$clients" -p "$period" 198.18.0.1 >"$out" 2>&1
    c1=$(cpu_ticks "$spid"); p1=$(pg_ticks)
    replies=$(kk_stat pkt4-sent 2>/dev/null || echo 0)
    parsed=$("$KK_PY" "$repo/tests/integration/perfdhcp_parse.py" "$out")
    read -r sent_d recv_o sent_r recv_a drops pct achieved _ <<<"$parsed"
    hz=$(getconf CLK_TCK)
    if [ -n "$c0" ] && [ -n "$c1" ] && [ -n "$p0" ] && [ -n "$p1" ] && [ "${recv_a:-0}" -gt 0 ]; then
        read -r us_tot us_srv us_db <<<"$(awk -v a="$c0" -v b="$c1" -v p="$p0" -v q="$p1" -v n="$recv_a" -v hz="$hz" \
            'BEGIN { s = (b - a) / hz * 1e6 / n; d = (q - p) / hz * 1e6 / n; printf "%.1f %.1f %.1f", s + d, s, d }')"
        echo "$s $rate $us_tot $us_srv $us_db" >>"$KK_WORK/cpu.txt"
    fi
    if ! kk_server_alive; then
        verdict=fail; pct="100(server died)"
    elif awk -v p="$pct" -v m="$max_drop" -v n="$sent_d" 'BEGIN { exit !(n > 0 && p < m) }'; then
        verdict=pass
    else
        verdict=fail
    fi
    kk_server_stop >/dev/null
    rows=$(kk_pg_psql "$step_db" -At -c "SELECT count(*) FROM lease4" 2>/dev/null || echo "?")
    printf '%-7s %8s %10s %9s %9s %9s %9s %8s%%  %-5s %9s %8s %8s %8s %8s\n' "$s" "$rate" "$achieved" "$sent_d" "$recv_o" \
        "$sent_r" "$recv_a" "$pct" "$verdict" "$replies" "$us_tot" "$us_srv" "$us_db" "$rows" | tee -a "$results" >&2
    echo "$verdict $achieved $pct"
}

# Each server: its own private PostgreSQL (started before its steps, stopped after), the
# template database from kea-admin, its config; then common.sh's bench_run for it alone.
declare -A pg_version=()
all_results="$KK_WORK/all-results.txt"
: >"$all_results"
: >"$KK_WORK/cpu-all.txt"
first_pair=(discover offer)
second_pair=(request ack)
all_servers=$servers
for s in $all_servers; do
    kk_pg_start
    pg_version[$s]=$(kk_pg_psql postgres -At -c "SHOW server_version")
    kk_pg_kea_db kea_template
    kk_pg_psql postgres -c "ALTER ROLE kea SET synchronous_commit = ${BENCH_PG_SYNC_COMMIT:-on}" >/dev/null \
        || kk_die "synchronous_commit ${BENCH_PG_SYNC_COMMIT:-on} refused"
    [ "$(kk_pg_psql kea_template -At -c "SELECT version || '.' || minor FROM schema_version")" = 13.0 ] \
        || kk_die "kea-admin did not make schema 13.0"
    conf="$KK_WORK/bench-pg-$s.conf"
    write_conf "$conf"
    servers=$s
    bench_run
    cat "$results" >>"$all_results"
    cat "$KK_WORK/cpu.txt" >>"$KK_WORK/cpu-all.txt"
    kk_pg_stop
done
servers=$all_servers

echo
echo "Relayed perfdhcp load on PostgreSQL, $clients simulated clients, ${period}s per step, pass = drops < ${max_drop}%"
echo "machine: $(nproc) CPU(s), $(uname -r); perfdhcp, the server and PostgreSQL ($(printf '%s\n' "${pg_version[@]}" | sort -u | head -n1), fsync on, synchronous_commit ${BENCH_PG_SYNC_COMMIT:-on}) share it"
printf '%-7s %8s %10s %9s %9s %9s %9s %9s  %-5s %9s %8s %8s %8s %8s\n' server offered achieved \
    "${first_pair[@]}" "${second_pair[@]}" drops verdict replies "cpu-us/ex" "srv-us" "db-us" rows
cat "$all_results"
echo "(cpu-us/ex: CPU microseconds per completed exchange of the server and its PostgreSQL together = srv-us + db-us;"
echo " rows: lease4 rows after the step)"
echo
declare -A cost=()
for s in $servers; do
    if [ -f "$KK_WORK/did-not-start-$s" ] && [ "${best_rate[$s]:-0}" = 0 ]; then
        printf '%-7s did not start with a postgresql lease-database (%s)\n' "$s" "$(bench_use "$s"; echo "$KK_SERVER_BIN")"
        continue
    fi
    printf '%-7s highest rate with < %s%% drops: %s exchanges/s (offered %s/s)\n' \
        "$s" "$max_drop" "${best_rate[$s]}" "${best_offered[$s]}"
done
if [[ " $servers " == *" kakapo "* ]] && [[ " $servers " == *" kea "* ]]; then
    echo "ratio Kakapo/Kea: $(awk -v k="${best_rate[kakapo]}" -v e="${best_rate[kea]}" 'BEGIN { if (e > 0) printf "%.2f", k / e; else print "n/a" }')"
fi
# CPU per exchange, averaged over the steps each server passed (as bench.sh), and at the best one.
for s in $servers; do
    read -r tot srv dbc <<<"$(awk -v s="$s" 'NR == FNR { if ($1 == s && $9 == "pass") ok[$2] = 1; next }
        $1 == s && ok[$2] { t += $3; a += $4; d += $5; n++ } END { if (n) printf "%.1f %.1f %.1f", t / n, a / n, d / n }' \
        "$all_results" "$KK_WORK/cpu-all.txt")"
    [ -n "${tot:-}" ] || continue
    cost[$s]=$tot
    printf '%-7s CPU per exchange, server + PostgreSQL: %s us (server %s us, PostgreSQL %s us; ~ %s exchanges/s per core)\n' \
        "$s" "$tot" "$srv" "$dbc" "$(awk -v c="$tot" 'BEGIN { printf "%d", 1e6 / c }')"
    # the fixed costs (timers, PostgreSQL's background work) weigh less at higher rates
    awk -v s="$s" -v r="${best_offered[$s]}" '$1 == s && $2 == r { printf "%-7s   at its highest passing rate (%s/s): %s us (server %s us, PostgreSQL %s us)\n", s, r, $3, $4, $5 }' \
        "$KK_WORK/cpu-all.txt" | tail -n1
done
if [ -n "${cost[kakapo]:-}" ] && [ -n "${cost[kea]:-}" ]; then
    echo "CPU-efficiency ratio Kakapo/Kea (server + PostgreSQL): $(awk -v k="${cost[kakapo]}" -v e="${cost[kea]}" 'BEGIN { printf "%.2f", e / k }')"
fi
echo "total time: $(elapsed)s"
