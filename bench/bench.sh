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
#   BENCH_CLIENTS=100000         simulated clients
#   BENCH_THREADS=N              the config's multi-threading section (1: disabled; unset: none)
#   BENCH_RESULTS=FILE           record the figures bench/table.sh shows, and measure latency
#                                at half of each server's highest rate (kakapo-sim load)
#   BENCH_SIM_LOAD=0             skip the kakapo-sim load rate search
# The stepping, one step and the summary are bench/common.sh's, shared with bench6.sh (DHCPv6).
set -u
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
. "$here/common.sh"
bench_defaults

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

bench_netns4 b

conf="$KK_WORK/bench-dhcp4.conf"
bench_dhcp4_conf "$conf" "$KK_WORK" "{ \"type\": \"memfile\", \"name\": \"$KK_WORK/leases4.csv\", \"lfc-interval\": 0 }" \
    "$(bench_mt_json)"

lease_file="$KK_WORK/leases4.csv"
perf_args=(-4 -l 198.18.0.2)
perf_server=198.18.0.1
reply_stat=pkt4-sent
first_pair=(discover offer)
second_pair=(request ack)
bench_run
bench_summary "Relayed perfdhcp load${BENCH_THREADS:+, multi-threading: $BENCH_THREADS thread(s)}"
sim_bin=${KAKAPO_SIM_RELEASE:-$repo/.build/release/kakapo-sim}
[ -n "${BENCH_RESULTS:-}" ] && bench_table_results 4 --server 198.18.0.1 --relay-address 198.18.0.2

# Second load generator: kakapo-sim load (the simulator's virtual clients, as a relay) is
# lighter than perfdhcp, so it can offer rates perfdhcp cannot sustain on this machine.
# Same config, same topology; pass = drops < 2.5% and the generator started >= 97% of the
# planned exchanges (so a generator that cannot keep up never counts as a pass).
sim_rates=${BENCH_SIM_RATES:-8000 12000 16000 20000 24000 28000}
declare -A sim_best=()
if [ "${BENCH_SIM_LOAD:-1}" != 0 ] && [ -x "$sim_bin" ]; then
    echo
    echo "kakapo-sim load (relay 198.18.0.2), $clients clients, ${period}s per step"
    printf '%-7s %8s %10s %9s %8s %9s  %s\n' server offered achieved started drops "dora-p99" verdict
    for s in $servers; do
        bench_use "$s"
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
