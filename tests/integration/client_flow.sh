# shellcheck shell=bash
# One real DHCP client against the server, the whole life of a lease:
# bound by broadcast (routers, DNS, domain applied), lease row in the CSV,
# renew at T1, server restart keeps the client's address, release.
# Sourced by test_dhclient.sh / test_udhcpc.sh / test_dhcpcd.sh with
# KK_CLIENT_TYPE set.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ctype=${KK_CLIENT_TYPE:?}
kk_init
case "$ctype" in
    dhclient) kk_need dhclient nsenter ;;
    udhcpc)   kk_need udhcpc busybox ;;
    dhcpcd)   kk_need dhcpcd nsenter ;;
esac

kk_topology eth0 192.0.2.1/24
kk_add_client c1
mac=${KK_CMAC[c1]}
csv="$KK_WORK/leases4.csv"
conf="$KK_WORK/kea-dhcp4.conf"
# Short timers so renewals happen within the test.  busybox udhcpc ignores
# option 58 and renews at half the lease time, and it raises leases shorter than
# 30 s to 30 s: with 30 s it renews after 15 s, while the lease is still valid.
kk_write_basic_config "$conf" 4 8 30

in_pool() {   # 192.0.2.100 .. 192.0.2.199
    local a=$1
    [[ "$a" =~ ^192\.0\.2\.([0-9]+)$ ]] && [ "${BASH_REMATCH[1]}" -ge 100 ] && [ "${BASH_REMATCH[1]}" -le 199 ]
}

kk_server_start_ready "$conf"

echo "== $ctype: initial lease by broadcast"
kk_client_start c1 "$ctype"
kk_client_wait_bound c1 30 || kk_die "$ctype got no address within 30 s (see $(kk_cdir c1)/client.out)"
addr1=$KK_ADDR
kk_assert "address $addr1 is in the pool 192.0.2.100-199" in_pool "$addr1"
kk_assert_eq "prefix length from subnet-mask" 24 "$(kk_client_prefix c1)"
kk_assert_eq "default route via routers option" 192.0.2.1 "$(kk_client_default_gw c1)"
resolv=$(kk_client_resolv c1)
kk_assert_match "resolv.conf has nameserver 192.0.2.53" '^nameserver 192\.0\.2\.53' "$resolv"
kk_assert_match "resolv.conf has nameserver 192.0.2.54" '^nameserver 192\.0\.2\.54' "$resolv"
kk_assert_match "resolv.conf has domain-name kakapo.example" '^(domain|search) .*kakapo\.example' "$resolv"

kk_wait_for 5 test -s "$csv"
row=$(kk_leases "$csv" --mac "$mac" --last)
kk_assert_match "lease CSV has a row for $mac with $addr1" "^$addr1 $mac " "$row"
kk_assert_eq "lease state is default (0)" 0 "$(kk_leases "$csv" --mac "$mac" --last --field state)"
kk_assert_eq "lease subnet_id" 1 "$(kk_leases "$csv" --mac "$mac" --last --field subnet_id)"

echo "== $ctype: renew at T1"
rows_before=$(kk_leases "$csv" --mac "$mac" --count)
exp_before=$(kk_leases "$csv" --mac "$mac" --last --field expire)
req_before=$(kk_stat pkt4-request-received)
renewed() {
    local n e
    n=$(kk_leases "$csv" --mac "$mac" --count)
    e=$(kk_leases "$csv" --mac "$mac" --last --field expire)
    st=$(kk_leases "$csv" --mac "$mac" --last --field state)
    [ "$n" -gt "$rows_before" ] && [ "$e" -gt "$exp_before" ] && [ "$st" = 0 ]
}
if kk_wait_for 25 renewed; then
    kk_pass "lease renewed: new CSV row with a later expire ($exp_before -> $(kk_leases "$csv" --mac "$mac" --last --field expire))"
else
    kk_fail "no renewal written to the CSV within 25 s (rows $rows_before, expire $exp_before)"
fi
kk_assert_gt "pkt4-request-received grew with the renewal" "$(kk_stat pkt4-request-received)" "$req_before"
kk_assert_eq "address unchanged after renew" "$addr1" "$(kk_client_addr c1)"
kk_assert_eq "renewed row keeps the address" "$addr1" "$(kk_leases "$csv" --mac "$mac" --last --field address)"

echo "== $ctype: server restart keeps the client's address"
kk_client_stop c1
ip -n "${KK_CNS[c1]}" -4 addr flush dev "${KK_CIF[c1]}"
kk_assert "server stops on SIGTERM within 10 s" kk_server_stop
kk_server_start_ready "$conf"
kk_client_forget c1          # the client forgets its lease: a fresh DISCOVER, not INIT-REBOOT
disc_before=$(kk_stat pkt4-discover-received)
kk_client_start c1 "$ctype"
if kk_client_wait_bound c1 30; then
    kk_assert_eq "same address after server restart" "$addr1" "$KK_ADDR"
    kk_assert_ge "the client started over with DISCOVER" "$(kk_stat pkt4-discover-received)" $((disc_before + 1))
else
    kk_fail "$ctype got no address after the server restart"
fi

echo "== $ctype: release"
rel_before=$(kk_stat pkt4-release-received)
kk_client_release c1
released() {
    # Kea 2.2 memfile appends the released lease with valid_lifetime 0 and
    # expire = release time (deleted); a server may also mark state 2
    # (expired-reclaimed).  Either way the lease is no longer valid.
    local v s
    v=$(kk_leases "$csv" --address "$addr1" --last --field valid_lifetime)
    s=$(kk_leases "$csv" --address "$addr1" --last --field state)
    [ "$v" = 0 ] || [ "$s" = 2 ]
}
kk_assert_gt "pkt4-release-received grew" "$(kk_stat pkt4-release-received)" "$rel_before"
if kk_wait_for 5 released; then
    kk_pass "lease file records the release of $addr1 ($(kk_leases "$csv" --address "$addr1" --last))"
else
    kk_fail "lease file does not record the release: last row '$(kk_leases "$csv" --address "$addr1" --last)'"
fi
kk_assert "server still running" kk_server_alive
kk_finish
