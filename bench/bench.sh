#!/usr/bin/env bash
# Relayed DHCPv4 load: perfdhcp (acting as a relay, giaddr 198.18.0.2) against
# kakapo-dhcp4 and Debian's kea-dhcp4 with the same config, one after the other,
# at rising offered rates.  For each server it prints the highest rate with less
# than 2.5% drops and then the ratio Kakapo/Kea.  ISC's criterion (Kea performance
# reports): the drop rate is the share of requests whose response did not reach
# perfdhcp within 1 s (perfdhcp's default drop time), DISCOVER-OFFER and
# REQUEST-ACK together; the figure is the leases per second achieved (perfdhcp's
# "Rate: N 4-way exchanges/second") at the highest offered rate that stays under
# 2.5%.
#
# Two namespaces joined by one veth pair, addresses from 198.18.0.0/15 (RFC 2544):
#   server ns eth0 198.18.0.1/30  <->  load ns eth0 198.18.0.2/30 (perfdhcp)
# Subnet 198.18.0.0/15, relay ip-addresses [198.18.0.2], pool of ~130,800
# addresses for 100,000 simulated clients.  Each rate step restarts the server
# with an empty lease file and runs perfdhcp -4 -l 198.18.0.2 -r RATE -R 100000
# -p PERIOD.
#
#   BENCH_SERVERS="kakapo kea"   which servers, in order (e.g. BENCH_SERVERS=kea)
#   KAKAPO_DHCP4_RELEASE=path    default <repo>/.build/release/kakapo-dhcp4
#   KEA_DHCP4=path               default $(command -v kea-dhcp4)
#   BENCH_RATES="1000 2000 ..."  offered rates (default doubling 1000..128000)
#   BENCH_PERIOD=10              seconds per step
#   BENCH_REFINE=2               bisection steps between the last pass and first fail
#   BENCH_MAX_SECONDS=540        overall bound; steps that would exceed it are skipped
#   BENCH_MAX_DROP_PCT=2.5
set -u
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
servers=${BENCH_SERVERS:-kakapo kea}
rates=${BENCH_RATES:-1000 2000 4000 8000 16000 32000 64000 128000}
period=${BENCH_PERIOD:-10}
refine=${BENCH_REFINE:-2}
max_seconds=${BENCH_MAX_SECONDS:-540}
max_drop=${BENCH_MAX_DROP_PCT:-2.5}
clients=${BENCH_CLIENTS:-100000}

kakapo_bin=${KAKAPO_DHCP4_RELEASE:-$repo/.build/release/kakapo-dhcp4}
export KAKAPO_DHCP4=$kakapo_bin
DHCP4_SERVER=${servers%% *}
. "$repo/tests/integration/lib.sh"
KK_TEST_NAME=bench

for s in $servers; do
    case "$s" in
        kakapo) [ -x "$kakapo_bin" ] || { echo "bench: $kakapo_bin not found (make build)" >&2; exit 1; } ;;
        kea) command -v "${KEA_DHCP4:-kea-dhcp4}" >/dev/null || { echo "bench: kea-dhcp4 not found (scripts/install-test-deps.sh)" >&2; exit 1; } ;;
        *) echo "bench: unknown server $s" >&2; exit 1 ;;
    esac
done
kk_init
kk_need perfdhcp
t_start=$(date +%s)

KK_SRV_NS="$KK_ID-bsrv"
load_ns="$KK_ID-bload"
kk_netns_add "$KK_SRV_NS"
kk_netns_add "$load_ns"
ip link add eth0 netns "$KK_SRV_NS" type veth peer name eth0 netns "$load_ns" || kk_die "veth"
ip -n "$KK_SRV_NS" addr add 198.18.0.1/30 dev eth0
ip -n "$load_ns" addr add 198.18.0.2/30 dev eth0
ip -n "$KK_SRV_NS" link set eth0 up
ip -n "$load_ns" link set eth0 up
KK_SRV_IF=eth0

conf="$KK_WORK/bench-dhcp4.conf"
cat >"$conf" <<EOF
// Kakapo benchmark config (bench/bench.sh): the same file for every server.
{
  "Dhcp4": {
    "interfaces-config": { "interfaces": [ "eth0" ] },
    "control-socket": { "socket-type": "unix", "socket-name": "$KK_WORK/ctl.sock" },
    "lease-database": { "type": "memfile", "name": "$KK_WORK/leases4.csv", "lfc-interval": 0 },
    "renew-timer": 900,
    "rebind-timer": 1800,
    "valid-lifetime": 3600,
    "subnet4": [
      {
        "id": 1,
        "subnet": "198.18.0.0/15",
        "relay": { "ip-addresses": [ "198.18.0.2" ] },
        "pools": [ { "pool": "198.18.1.0 - 198.19.255.254" } ],
        "option-data": [
          { "name": "routers", "data": "198.18.0.1" },
          { "name": "domain-name-servers", "data": "198.18.0.1" }
        ]
      }
    ],
    "loggers": [ { "name": "kea-dhcp4", "output_options": [ { "output": "stdout" } ], "severity": "WARN", "debuglevel": 0 } ]
  }
}
EOF

results="$KK_WORK/results.txt"
: >"$results"
elapsed() { echo $(( $(date +%s) - t_start )); }

# run_step SERVER RATE -> prints "pass|fail achieved drop_pct" and appends to $results
run_step() {
    local s=$1 rate=$2 out parsed sent_d recv_o sent_r recv_a drops pct achieved verdict
    rm -f "$KK_WORK/leases4.csv"
    kk_server_start "$conf"
    if ! kk_server_wait_ready 25; then
        echo "   $s did not start; output:"; tail -n 10 "$KK_SERVER_OUT"
        kk_server_stop; echo "fail 0 100"; return
    fi
    sleep 0.5
    out="$KK_WORK/perfdhcp-$s-$rate.out"
    # The server's own CPU time over the step (from its PID, as status-get reports it), to
    # tell the server's cost per exchange apart from perfdhcp's limits on this machine.
    local spid c0 c1 replies
    spid=$(kk_ctl status-get 2>/dev/null | kk_json 'd["arguments"]["pid"]' 2>/dev/null)
    c0=$(cpu_ticks "$spid")
    timeout $((period + 30)) ip netns exec "$load_ns" \
        perfdhcp -4 -l 198.18.0.2 -r "$rate" -R "$clients" -p "$period" 198.18.0.1 >"$out" 2>&1
    c1=$(cpu_ticks "$spid")
    replies=$(kk_stat pkt4-sent 2>/dev/null || echo 0)
    parsed=$("$KK_PY" "$repo/tests/integration/perfdhcp_parse.py" "$out")
    read -r sent_d recv_o sent_r recv_a drops pct achieved <<<"$parsed"
    local us_per="-"
    if [ -n "$c0" ] && [ -n "$c1" ] && [ "${recv_a:-0}" -gt 0 ]; then
        us_per=$(awk -v a="$c0" -v b="$c1" -v n="$recv_a" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.1f", (b - a) / hz * 1e6 / n }')
        echo "$s $rate $us_per" >>"$KK_WORK/cpu.txt"
    fi
    if ! kk_server_alive; then
        verdict=fail; pct="100(server died)"
    elif awk -v p="$pct" -v m="$max_drop" -v n="$sent_d" 'BEGIN { exit !(n > 0 && p < m) }'; then
        verdict=pass
    else
        verdict=fail
    fi
    kk_server_stop >/dev/null
    printf '%-7s %8s %10s %9s %9s %9s %9s %8s%%  %-5s %9s %8s\n' "$s" "$rate" "$achieved" "$sent_d" "$recv_o" "$sent_r" "$recv_a" "$pct" "$verdict" "$replies" "$us_per" | tee -a "$results" >&2
    echo "$verdict $achieved $pct"
}

declare -A best_rate=() best_offered=() cost=()
cpu_ticks() {   # utime+stime of a process, in clock ticks (empty if unknown)
    [ -n "$1" ] && [ -r "/proc/$1/stat" ] || return 0
    awk '{ print $14 + $15 }' "/proc/$1/stat"
}
: >"$KK_WORK/cpu.txt"
printf '%-7s %8s %10s %9s %9s %9s %9s %9s  %-5s %9s %8s\n' server offered achieved discover offer request ack drops verdict replies "cpu-us/ex" >&2
for s in $servers; do
    DHCP4_SERVER=$s
    KK_SERVER_BIN=$(kk_server_bin)
    [ "$s" = kakapo ] && KK_SERVER_BIN=$kakapo_bin
    kk_log "$s: $KK_SERVER_BIN ($("$KK_SERVER_BIN" -v 2>/dev/null | head -n1))"
    best_rate[$s]=0; best_offered[$s]=0
    last_pass=0; first_fail=0
    for r in $rates; do
        if [ $(( $(elapsed) + period + 15 )) -gt "$max_seconds" ]; then
            kk_log "time bound ${max_seconds}s reached; skipping $s at $r/s"; break
        fi
        read -r v a p <<<"$(run_step "$s" "$r")"
        if [ "$v" = pass ]; then
            last_pass=$r; best_offered[$s]=$r
            awk -v a="$a" -v b="${best_rate[$s]}" 'BEGIN { exit !(a > b) }' && best_rate[$s]=$a
        else
            first_fail=$r; break
        fi
    done
    # Bisection between the last passing and the first failing offered rate.
    i=0
    while [ "$i" -lt "$refine" ] && [ "$first_fail" -gt 0 ] && [ "$last_pass" -gt 0 ]; do
        mid=$(( (last_pass + first_fail) / 2 ))
        [ $((first_fail - last_pass)) -le $((last_pass / 8 + 1)) ] && break
        if [ $(( $(elapsed) + period + 15 )) -gt "$max_seconds" ]; then
            kk_log "time bound reached; no more refinement for $s"; break
        fi
        read -r v a p <<<"$(run_step "$s" "$mid")"
        if [ "$v" = pass ]; then
            last_pass=$mid; best_offered[$s]=$mid
            awk -v a="$a" -v b="${best_rate[$s]}" 'BEGIN { exit !(a > b) }' && best_rate[$s]=$a
        else
            first_fail=$mid
        fi
        i=$((i + 1))
    done
done

echo
echo "Relayed perfdhcp load, $clients simulated clients, ${period}s per step, pass = drops < ${max_drop}%"
echo "machine: $(nproc) CPU(s), $(uname -r); perfdhcp and the server share it"
cat "$results"
echo
for s in $servers; do
    printf '%-7s highest rate with < %s%% drops: %s exchanges/s (offered %s/s)\n' \
        "$s" "$max_drop" "${best_rate[$s]}" "${best_offered[$s]}"
done
if [[ " $servers " == *" kakapo "* ]] && [[ " $servers " == *" kea "* ]]; then
    ratio=$(awk -v k="${best_rate[kakapo]}" -v e="${best_rate[kea]}" 'BEGIN { if (e > 0) printf "%.2f", k / e; else print "n/a" }')
    echo "ratio Kakapo/Kea: $ratio"
fi
# Server CPU per exchange, averaged over the steps each server passed: what the server
# itself costs, independent of perfdhcp (which shares the two cores and saturates first).
for s in $servers; do
    cost[$s]=$(awk -v s="$s" 'NR==FNR { if ($1 == s && $NF == "pass") ok[$2] = 1; next }
                              $1 == s && ok[$2] { t += $3; n++ } END { if (n) printf "%.1f", t / n }' \
               <(awk '{ print $1, $2, $9 }' "$results") "$KK_WORK/cpu.txt")
    [ -n "${cost[$s]}" ] && printf '%-7s server CPU per exchange: %s us (capacity on one core ~ %s exchanges/s)\n' "$s" "${cost[$s]}" \
        "$(awk -v c="${cost[$s]}" 'BEGIN { printf "%d", 1e6 / c }')"
done
if [ -n "${cost[kakapo]:-}" ] && [ -n "${cost[kea]:-}" ]; then
    echo "CPU-efficiency ratio Kakapo/Kea: $(awk -v k="${cost[kakapo]}" -v e="${cost[kea]}" 'BEGIN { printf "%.2f", e / k }')"
fi

# Second load generator: kakapo-sim load (the simulator's virtual clients, as a relay) is
# lighter than perfdhcp, so it can offer rates perfdhcp cannot sustain on this machine.
# Same config, same topology; pass = drops < 2.5% and the generator started >= 97% of the
# planned exchanges (so a generator that cannot keep up never counts as a pass).
sim_bin=${KAKAPO_SIM_RELEASE:-$repo/.build/release/kakapo-sim}
sim_rates=${BENCH_SIM_RATES:-8000 12000 16000 20000 24000 28000}
declare -A sim_best=()
if [ "${BENCH_SIM_LOAD:-1}" != 0 ] && [ -x "$sim_bin" ]; then
    echo
    echo "kakapo-sim load (relay 198.18.0.2), $clients clients, ${period}s per step"
    printf '%-7s %8s %10s %9s %8s %9s  %s\n' server offered achieved started drops "dora-p99" verdict
    for s in $servers; do
        DHCP4_SERVER=$s
        KK_SERVER_BIN=$(kk_server_bin)
        [ "$s" = kakapo ] && KK_SERVER_BIN=$kakapo_bin
        sim_best[$s]=0
        for r in $sim_rates; do
            if [ $(( $(elapsed) + period + 15 )) -gt $(( max_seconds + 300 )) ]; then
                kk_log "time bound reached; skipping kakapo-sim load for $s at $r/s"; break
            fi
            rm -f "$KK_WORK/leases4.csv"
            kk_server_start "$conf"
            kk_server_wait_ready 25 || { kk_server_stop; break; }
            sleep 0.5
            js="$KK_WORK/simload-$s-$r.json"
            timeout $((period + 30)) ip netns exec "$load_ns" "$sim_bin" load --server 198.18.0.1 \
                --relay-address 198.18.0.2 --rate "$r" --clients "$clients" --duration "$period" --json >"$js" 2>/dev/null
            read -r achieved started pct p99 verdict <<<"$("$KK_PY" - "$js" <<'PY'
import json, sys
try:
    d = json.load(open(sys.argv[1]))
except Exception:
    print("0 0 100 - fail"); sys.exit()
ex = d["exchanges"]
sent = sum(ex[k]["sent"] for k in ("DISCOVER-OFFER", "REQUEST-ACK") if k in ex)
pct = 100.0 * d["drops"]["total"] / sent if sent else 100.0
kept_up = d["dora_started"] >= 0.97 * d["dora_planned"]
ok = pct < 2.5 and kept_up
print(d["exchanges_per_second"], d["dora_started"], "%.3f" % pct, d["dora_latency_ms"].get("p99", "-"), "pass" if ok else "fail")
PY
)"
            kk_server_alive || verdict=fail
            kk_server_stop >/dev/null
            printf '%-7s %8s %10s %9s %7s%% %8sms  %s\n' "$s" "$r" "$achieved" "$started" "$pct" "$p99" "$verdict"
            if [ "$verdict" = pass ]; then
                awk -v a="$achieved" -v b="${sim_best[$s]}" 'BEGIN { exit !(a > b) }' && sim_best[$s]=$achieved
            else
                break
            fi
        done
        printf '%-7s highest rate with < %s%% drops (kakapo-sim load): %s exchanges/s\n' "$s" "$max_drop" "${sim_best[$s]}"
    done
    if [ -n "${sim_best[kakapo]:-}" ] && [ -n "${sim_best[kea]:-}" ]; then
        echo "ratio Kakapo/Kea (kakapo-sim load): $(awk -v k="${sim_best[kakapo]}" -v e="${sim_best[kea]}" 'BEGIN { if (e > 0) printf "%.2f", k / e; else print "n/a" }')"
    fi
fi
echo "total time: $(elapsed)s"
