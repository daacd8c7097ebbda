#!/usr/bin/env bash
# Relayed DHCPv6 load: perfdhcp -6 -A1 (a relay agent at 2001:db8:1::2: Relay-forward with
# link-address 2001:db8:1::2, from port 547) against kakapo-dhcp6 and Debian's kea-dhcp6 with the
# same config, one after the other, at rising offered rates; bench.sh's criterion and figures
# (bench/common.sh): the highest rate with < 2.5% drops (Solicit-Advertise and Request-Reply
# together, 1 s drop time), perfdhcp's "Rate: N 4-way exchanges/second" at it, the ratio
# Kakapo/Kea, and the server's CPU time per 4-message exchange.
#
# Two IPv6 namespaces joined by one veth pair, 2001:db8::/32 only (tests/integration/lib.sh
# kk_relay6_perfdhcp):
#   server ns eth0 2001:db8:1::1/64  <->  load ns eth0 2001:db8:1::2/64 (perfdhcp -6 -l eth0 -A1)
# Subnet 2001:db8:5::/64 selected by relay ip-addresses 2001:db8:1::2, address pool
# 2001:db8:5::/80, pd-pool 2001:db8:500::/44 delegating 4,096 /56s (BENCH6_LEASE_TYPE;
# with prefixes, keep BENCH_CLIENTS within them).
# Each rate step restarts the server with an empty lease file.
#
#   BENCH_SERVERS, BENCH_RATES, BENCH_PERIOD, BENCH_REFINE, BENCH_MAX_SECONDS,
#   BENCH_MAX_DROP_PCT, BENCH_CLIENTS, BENCH_THREADS, BENCH_RESULTS   as for bench.sh
#   KAKAPO_DHCP6_RELEASE=path    default <repo>/.build/release/kakapo-dhcp6
#   KEA_DHCP6=path               default $(command -v kea-dhcp6)
#   BENCH6_LEASE_TYPE=address-only   perfdhcp -e: address-only, prefix-only, address-and-prefix
set -u
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
. "$here/common.sh"
bench_defaults

kakapo_bin=${KAKAPO_DHCP6_RELEASE:-$repo/.build/release/kakapo-dhcp6}
export KAKAPO_DHCP4=$kakapo_bin
export KEA_DHCP4=${KEA_DHCP6:-$(command -v kea-dhcp6 || echo /usr/sbin/kea-dhcp6)}
DHCP4_SERVER=${servers%% *}
. "$repo/tests/integration/lib.sh"
KK_TEST_NAME=bench6

for s in $servers; do
    case "$s" in
        kakapo) [ -x "$kakapo_bin" ] || { echo "bench6: $kakapo_bin not found (make build)" >&2; exit 1; } ;;
        kea) [ -x "$KEA_DHCP4" ] || { echo "bench6: kea-dhcp6 not found (scripts/install-test-deps.sh)" >&2; exit 1; } ;;
        *) echo "bench6: unknown server $s" >&2; exit 1 ;;
    esac
done
kk_init
kk_need perfdhcp

kk_relay6_perfdhcp "$(bench_mt_json)"
load_ns=$rns
lease_file=$csv
perf_args=(-6 -l eth0 -A1 -e "${BENCH6_LEASE_TYPE:-address-only}")
perf_server=2001:db8:1::1
reply_stat=pkt6-sent
first_pair=(solicit advertise)
second_pair=(request reply)
bench_run
bench_summary "Relayed perfdhcp -6 load (${BENCH6_LEASE_TYPE:-address-only})"
sim_bin=${KAKAPO_SIM_RELEASE:-$repo/.build/release/kakapo-sim}
[ -n "${BENCH_RESULTS:-}" ] && bench_table_results 6 -6 --server 2001:db8:1::1 --relay-address 2001:db8:1::2
echo "total time: $(elapsed)s"
