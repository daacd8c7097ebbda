#!/usr/bin/env bash
# Lease storage end to end: an ACKed lease is in the lease file even after kill -9 of the
# server; lease file cleanup (lfc-interval) leaves files that replay to the same leases, for
# Kakapo and in Kea's file scheme (<file>.completed + <file>); persist:false writes nothing.
. "$(dirname "$0")/lib.sh"
kk_init
kk_need dhclient udhcpc
kk_topology eth0 192.0.2.1/24
conf="$KK_WORK/kea-dhcp4.conf"
csv="$KK_WORK/leases4.csv"

echo "== kill -9 right after the ACK: the lease is in the file"
kk_write_basic_config "$conf"
kk_server_start_ready "$conf"
kk_add_client c1
kk_client_start c1 udhcpc
kk_client_wait_bound c1 30 || kk_die "udhcpc got no address"
a1=$KK_ADDR
kill -9 "$KK_SERVER_PID"
wait "$KK_SERVER_PID" 2>/dev/null
KK_SERVER_PID=""
kk_assert_eq "row for c1 survives kill -9" "$a1" "$(kk_leases "$csv" --mac "${KK_CMAC[c1]}" --last --field address)"
kk_client_stop c1

echo "== lease file cleanup every lfc-interval"
sed -i 's/"lfc-interval": 0/"lfc-interval": 2/' "$conf"
kk_server_start_ready "$conf"
kk_add_client c2
kk_client_start c2 dhclient
kk_client_wait_bound c2 30 || kk_die "dhclient got no address"
a2=$KK_ADDR
kk_wait_for 15 test -f "$csv.completed" && kk_pass "cleanup wrote $csv.completed" || kk_fail "no $csv.completed after cleanup"
kk_assert_eq "cleanup output holds c1's lease" "$a1" "$(kk_leases "$csv.completed" --mac "${KK_CMAC[c1]}" --last --field address)"
kk_assert_eq "cleanup output holds c2's lease" "$a2" "$(kk_leases "$csv.completed" --mac "${KK_CMAC[c2]}" --last --field address)"
kk_assert_eq "cleanup output has one row per lease" 2 "$(kk_leases "$csv.completed" --count)"
kk_server_stop || kk_fail "server did not stop"
kk_server_start_ready "$conf"
n=$(kk_ctl lease4-get-all | kk_json 'len(d["arguments"]["leases"])')
kk_assert_eq "leases reloaded from <file>.completed + <file>" 2 "$n"
hw=$(kk_ctl lease4-get "{\"ip-address\": \"$a1\"}" | kk_json 'd["arguments"]["hw-address"]')
kk_assert_eq "lease4-get finds c1's lease after reload" "${KK_CMAC[c1]}" "$hw"
kk_server_stop
kk_client_stop c2

echo "== persist: false writes no lease file"
rm -f "$csv" "$csv".*
sed -i 's/"lfc-interval": 2/"persist": false, "lfc-interval": 0/' "$conf"
kk_server_start_ready "$conf"
kk_add_client c3
kk_client_start c3 udhcpc
kk_client_wait_bound c3 30 && kk_pass "client served with persist false" || kk_fail "no lease with persist false"
kk_assert "no lease file written" test ! -e "$csv"
kk_finish
