#!/usr/bin/env bash
# Relayed DHCPv6 load: perfdhcp -6 -A1 acts as a relay agent (Relay-forward from
# [2001:db8:1::2]:547, link-address 2001:db8:1::2) to the server's unicast 2001:db8:1::1; the
# server selects subnet 5 by its relay ip-addresses and every Solicit-Advertise and
# Request-Reply exchange completes:
#   perfdhcp -6 -l eth0 -A1 -r 200 -R 1000 -p 5                    (IA_NA)
#   perfdhcp -6 -l eth0 -A1 -e address-and-prefix -r 200 -R 1000 -p 3 -b mac=...   (IA_NA + IA_PD, other clients)
# Then the leases are in the leases6 CSV: addresses from the pool 2001:db8:5::/80 and /56
# prefixes from 2001:db8:500::/44 (lease_type 2), all in subnet 5 (lib.sh kk_relay6_perfdhcp).
# 2001:db8::/32 addresses only.
#
#   KAKAPO_DHCP6=PATH   default <repo>/.build/debug/kakapo-dhcp6
#   DHCP4_SERVER=kea    runs Debian's kea-dhcp6 (KEA_DHCP6=PATH) instead
. "$(dirname "$0")/lib.sh"
KAKAPO_DHCP4=${KAKAPO_DHCP6:-$KK_REPO_ROOT/.build/debug/kakapo-dhcp6}   # what kk_init checks and runs
KEA_DHCP4=${KEA_DHCP6:-$(command -v kea-dhcp6 || echo /usr/sbin/kea-dhcp6)}
kk_init
kk_need perfdhcp
kk_relay6_perfdhcp
kk_server_start_ready "$conf"

# perf_run NAME PERFDHCP-ARGS... : runs perfdhcp in the relay namespace; sets rc and the
# parsed counts (sent_s recv_a sent_r recv_r drops).
perf_run() {
    local name=$1 out="$KK_WORK/perfdhcp-$1.out"; shift
    timeout 40 ip netns exec "$rns" perfdhcp -6 -l eth0 -A1 "$@" 2001:db8:1::1 >"$out" 2>&1
    rc=$?
    sed 's/^/    perfdhcp| /' "$out" | grep -E 'sent packets|received packets|drops:|Rate:|Statistics for|rejected|orphans|rror' | head -20
    summary=$("$KK_PY" "$KK_LIB_DIR/perfdhcp_parse.py" "$out")
    echo "    parsed: $summary"
    read -r sent_s recv_a sent_r recv_r drops _ <<<"$summary"
}
# rows FILTER-EXPRESSION : lease rows of the CSV (as dicts r) for which the expression holds
rows() {
    "$KK_PY" - "$csv" "$1" <<'PY'
import csv, ipaddress, sys
rows = list(csv.DictReader(open(sys.argv[1])))
def inside(a, net): return ipaddress.IPv6Address(a) in ipaddress.IPv6Network(net)
seen = set()
print(sum(1 for r in rows if eval(sys.argv[2])))
PY
}

echo "== IA_NA: 5 s at 200/s, 1000 clients"
perf_run na -r 200 -R 1000 -p 5
kk_assert_eq "perfdhcp exit status (0 = every exchange completed)" 0 "$rc"
kk_assert_ge "Solicits sent (5 s at 200/s)" "$sent_s" 800
kk_assert_eq "Advertises received = Solicits sent" "$sent_s" "$recv_a"
kk_assert_ge "Requests sent" "$sent_r" 800
kk_assert_eq "Replies received = Requests sent" "$sent_r" "$recv_r"
kk_assert_eq "drops" 0 "$drops"
na_leases=$(rows 'r["lease_type"] == "0" and r["subnet_id"] == "5" and r["valid_lifetime"] == "3600" and inside(r["address"], "2001:db8:5::/80")')
kk_assert_ge "address lease rows in subnet 5 from its pool 2001:db8:5::/80" "$na_leases" "$recv_r"
kk_assert_eq "distinct leased addresses = lease rows (no address twice)" "$na_leases" \
    "$(rows 'r["lease_type"] == "0" and r["address"] not in seen and not seen.add(r["address"])' 2>/dev/null || echo x)"
kk_assert_eq "every lease row in subnet 5 (link-address matched the relay entry)" 0 "$(rows 'r["subnet_id"] != "5"')"

echo "== IA_NA + IA_PD: 3 s at 200/s, 600 other clients"
perf_run pd -e address-and-prefix -r 200 -R 1000 -p 3 -b mac=00:0c:02:00:00:00
kk_assert_eq "perfdhcp exit status (0 = every exchange completed)" 0 "$rc"
kk_assert_ge "Solicits sent (3 s at 200/s)" "$sent_s" 480
kk_assert_eq "Advertises received = Solicits sent" "$sent_s" "$recv_a"
kk_assert_eq "Replies received = Requests sent" "$sent_r" "$recv_r"
kk_assert_eq "drops" 0 "$drops"
pd_leases=$(rows 'r["lease_type"] == "2" and r["prefix_len"] == "56" and r["subnet_id"] == "5" and inside(r["address"], "2001:db8:500::/44")')
kk_assert_ge "prefix lease rows (/56 from 2001:db8:500::/44, subnet 5)" "$pd_leases" "$recv_r"
kk_assert_ge "address lease rows, first run and this one" \
    "$(rows 'r["lease_type"] == "0" and r["subnet_id"] == "5"')" $((na_leases + recv_r))
kk_assert_eq "distinct delegated prefixes = prefix rows" "$pd_leases" \
    "$(rows 'r["lease_type"] == "2" and r["address"] not in seen and not seen.add(r["address"])' 2>/dev/null || echo x)"
kk_assert "server still running" kk_server_alive
kk_finish
