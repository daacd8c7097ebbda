#!/usr/bin/env bash
# Latency and stalls at one offered rate (not the highest one): for each server, one run of
# relayed perfdhcp (its avg and max delay per exchange, drops, the server's CPU per exchange)
# and one run of kakapo-sim load (its HDR histogram: p50, p99, p99.9 and max of each exchange
# and of the whole DORA), each on a fresh server and an empty lease file.  Same topology and
# config as bench/bench.sh (perfdhcp as a relay from 198.18.0.2, 100,000 clients).
#
#   BENCH_SERVERS="kakapo kea"  in order; "kakapo-fsync" is kakapo-dhcp4 with the Kakapo-only
#                               memfile key "kakapo-fsync": true (Kea rejects the key)
#   BENCH_RATE=3000             offered exchanges/s (about half of the highest passing rate)
#   BENCH_PERIOD=10             seconds per run
#   BENCH_CLIENTS=100000
#   BENCH_SIM_LOAD=1            0: perfdhcp only
#   BENCH_VALID_LIFETIME=3600   e.g. 4 with BENCH_EXPIRED_LEASES='{ "max-reclaim-leases": 0,
#   BENCH_EXPIRED_LEASES=       "reclaim-timer-wait-time": 3 }': mass expiry and reclamation under load
#   BENCH_TRACE_TURNS=PATH      perf tracepoints (poll, write, sched_switch) of the server over each
#                               load, as text in PATH.SERVER.pd (perfdhcp) and PATH.SERVER.sim:
#                               how long the loop's turns are (BENCH_TRACE_PROFILE=1: with
#                               cpu-clock call graphs in the .data files)
#   KAKAPO_DHCP4_RELEASE, KAKAPO_SIM_RELEASE, KEA_DHCP4   binaries (release builds by default)
set -u
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
. "$here/common.sh"
bench_defaults
rate=${BENCH_RATE:-3000}
kakapo_bin=${KAKAPO_DHCP4_RELEASE:-$repo/.build/release/kakapo-dhcp4}
sim_bin=${KAKAPO_SIM_RELEASE:-$repo/.build/release/kakapo-sim}
export KAKAPO_DHCP4=$kakapo_bin
DHCP4_SERVER=kakapo
. "$repo/tests/integration/lib.sh"
KK_TEST_NAME=latency
[ -x "$kakapo_bin" ] || { echo "latency: $kakapo_bin not found (make build)" >&2; exit 1; }
kk_init
kk_need perfdhcp

bench_netns4 l

# write_conf FILE LEASE-DATABASE-EXTRA : bench/bench.sh's config (bench/common.sh), with
# BENCH_VALID_LIFETIME and BENCH_EXPIRED_LEASES
write_conf() {
    local expired=""
    [ -n "${BENCH_EXPIRED_LEASES:-}" ] && expired="\"expired-leases-processing\": $BENCH_EXPIRED_LEASES,"
    bench_dhcp4_conf "$1" "$KK_WORK" "{ \"type\": \"memfile\", \"name\": \"$KK_WORK/leases4.csv\", \"lfc-interval\": 0$2 }" \
        "$expired" "${BENCH_VALID_LIFETIME:-3600}"
}
write_conf "$KK_WORK/plain.conf" ""
write_conf "$KK_WORK/fsync.conf" ', "kakapo-fsync": true'

start() {   # start SERVER : a fresh server on an empty lease file; sets conf
    local s=$1
    conf="$KK_WORK/plain.conf"
    case "$s" in
        kakapo-fsync) bench_use kakapo; conf="$KK_WORK/fsync.conf" ;;
        *) bench_use "$s" ;;
    esac
    rm -f "$KK_WORK/leases4.csv"
    kk_server_start "$conf"
    kk_server_wait_ready 25 || { echo "   $s did not start" >&2; tail -n 10 "$KK_SERVER_OUT" >&2; return 1; }
    sleep 0.5
}

# trace_start NAME / trace_stop : with BENCH_TRACE_TURNS, perf's poll, write and sched_switch
# tracepoints of the server over one load, as text in $BENCH_TRACE_TURNS.NAME.
tpid=""
trace_start() {
    [ -n "${BENCH_TRACE_TURNS:-}" ] || return 0
    tname="$BENCH_TRACE_TURNS.$1"
    perf record -q -e ${BENCH_TRACE_EVENTS:-syscalls:sys_enter_poll,syscalls:sys_exit_poll,syscalls:sys_enter_write,sched:sched_switch}${BENCH_TRACE_PROFILE:+,cpu-clock -g} \
        -o "$tname.data" -p "$KK_SERVER_PID" >/dev/null 2>&1 &
    tpid=$!
    sleep 1
}
trace_stop() {
    [ -n "$tpid" ] || return 0
    kill -INT "$tpid" 2>/dev/null; wait "$tpid" 2>/dev/null
    perf script -i "$tname.data" -F tid,time,event,trace >"$tname" 2>/dev/null
    tpid=""
}

echo "offered $rate exchanges/s, $clients clients, ${period}s per run; machine: $(nproc) CPU(s), $(uname -r)"
printf '%-13s %-9s %9s %8s %10s %10s %10s %10s %9s\n' server load achieved drops% "avg/p50" p99 p99.9 max cpu-us/ex
for s in $servers; do
    start "$s" || continue
    out="$KK_WORK/perfdhcp-$s.out"
    spid=$(kk_ctl status-get 2>/dev/null | kk_json 'd["arguments"]["pid"]' 2>/dev/null)
    trace_start "$s.pd"
    c0=$(cpu_ticks "$spid")
    timeout $((period + 30)) ip netns exec "$load_ns" perfdhcp -4 -l 198.18.0.2 -r "$rate" -R "$clients" -p "$period" 198.18.0.1 >"$out" 2>&1
    c1=$(cpu_ticks "$spid")
    trace_stop
    kk_server_stop >/dev/null
    "$KK_PY" - "$out" "$s" "${c0:-0}" "${c1:-0}" "$(getconf CLK_TCK)" <<'PY'
import re, sys
text = open(sys.argv[1], errors="replace").read()
s, c0, c1, hz = sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
rate = re.search(r"^Rate: ([0-9.]+)", text, re.M)
for name, body in re.findall(r"\*\*\*Statistics for: ([A-Z-]+)\*\*\*(.*?)(?=\*\*\*|\Z)", text, re.S):
    def num(label):
        m = re.search(r"^%s: ([0-9.]+)" % re.escape(label), body, re.M)
        return float(m.group(1)) if m else 0.0
    sent, drops, recv = num("sent packets"), num("drops"), num("received packets")
    acks = recv if name == "REQUEST-ACK" else 0
    cpu = "%.1f" % ((c1 - c0) / hz * 1e6 / acks) if acks else "-"
    print("%-13s %-9s %9s %7.2f%% %9.3fa %10s %10s %9.3fm %9s" % (
        s, "pd:" + name.split("-")[0][:3], rate.group(1) if rate else "-", 100 * drops / sent if sent else 100,
        num("avg delay"), "-", "-", num("max delay"), cpu))
PY
    if [ "${BENCH_SIM_LOAD:-1}" != 0 ] && [ -x "$sim_bin" ]; then
        start "$s" || continue
        js="$KK_WORK/simload-$s.json"
        trace_start "$s.sim"
        timeout $((period + 30)) ip netns exec "$load_ns" "$sim_bin" load --server 198.18.0.1 \
            --relay-address 198.18.0.2 --rate "$rate" --clients "$clients" --duration "$period" --json >"$js" 2>/dev/null
        trace_stop
        kk_server_stop >/dev/null
        "$KK_PY" - "$js" "$s" <<'PY'
import json, sys
s = sys.argv[2]
try:
    d = json.load(open(sys.argv[1]))
except Exception:
    print("%-13s sim: no report" % s); sys.exit()
rows = [(k, v) for k, v in d["exchanges"].items() if k in ("DISCOVER-OFFER", "REQUEST-ACK")]
rows.append(("DORA", {"latency_ms": d["dora_latency_ms"], "sent": 1, "drops": 0}))
for k, v in rows:
    l = v["latency_ms"]
    pct = 100.0 * v.get("drops", 0) / v["sent"] if v.get("sent") else 100.0
    print("%-13s %-9s %9s %7.2f%% %10s %10s %10s %10s %9s" % (
        s, "sim:" + k.split("-")[0][:4], d["exchanges_per_second"], pct,
        l.get("p50", "-"), l.get("p99", "-"), l.get("p99.9", "-"), l.get("max", "-"), "-"))
PY
    fi
done
echo "(pd: perfdhcp, avg (a) and max (m) delay in ms; sim: kakapo-sim load's HDR histogram in ms)"
echo "total time: $(elapsed)s"
