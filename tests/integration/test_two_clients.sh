#!/usr/bin/env bash
# Three different clients (dhclient, udhcpc, dhcpcd) on one link at the same
# time get three different addresses, each recorded with its own MAC.
. "$(dirname "$0")/lib.sh"
kk_init
kk_need dhclient udhcpc dhcpcd
kk_topology eth0 192.0.2.1/24
conf="$KK_WORK/kea-dhcp4.conf"
csv="$KK_WORK/leases4.csv"
kk_write_basic_config "$conf"
kk_server_start_ready "$conf"

types=(dhclient udhcpc dhcpcd)
for i in 0 1 2; do
    kk_add_client "c$i"
    kk_client_start "c$i" "${types[$i]}"
done
declare -A got=()
for i in 0 1 2; do
    if kk_client_wait_bound "c$i" 30; then
        got[c$i]=$KK_ADDR
        kk_pass "${types[$i]} (${KK_CMAC[c$i]}) bound to $KK_ADDR"
    else
        kk_fail "${types[$i]} got no address within 30 s"
    fi
done
uniq=$(printf '%s\n' "${got[@]}" | sort -u | grep -c .)
kk_assert_eq "distinct addresses" "${#got[@]}" "$uniq"
for i in 0 1 2; do
    [ -n "${got[c$i]:-}" ] || continue
    kk_assert_eq "CSV row for ${KK_CMAC[c$i]} has its address" "${got[c$i]}" \
        "$(kk_leases "$csv" --mac "${KK_CMAC[c$i]}" --last --field address)"
done
kk_assert_ge "subnet[1].assigned-addresses" "$(kk_stat 'subnet[1].assigned-addresses')" "${#got[@]}"
kk_assert_eq "subnet[1].total-addresses" 100 "$(kk_stat 'subnet[1].total-addresses')"
kk_finish
