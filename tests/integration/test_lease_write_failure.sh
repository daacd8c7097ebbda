#!/usr/bin/env bash
# The storage seam end to end: when the lease file cannot be written, nothing is
# acknowledged. The daemon's file-size limit (prlimit RLIMIT_FSIZE on the running server)
# makes every append fail with EFBIG: a real client gets no ACK, the failure is logged with
# Kea's IDs, no lease is kept in memory, pkt4-ack-sent stays 0, and the daemon keeps serving.
# When the limit is lifted the same client binds, and the lease file (cut back after each
# failed append) reloads without a single bad row.
# The limit applies to every file the server writes, its log (stdout, a file here) too: the
# lease file starts with 400 rows for one address outside the pool (~40 KB), larger than the
# log gets in this test, so that only lease-file appends cross the limit.
. "$(dirname "$0")/lib.sh"
kk_init
kk_need udhcpc prlimit
kk_topology eth0 192.0.2.1/24
conf="$KK_WORK/kea-dhcp4.conf"
csv="$KK_WORK/leases4.csv"
kk_write_basic_config "$conf"
{
    echo "address,hwaddr,client_id,valid_lifetime,expire,subnet_id,fqdn_fwd,fqdn_rev,hostname,state,user_context,pool_id"
    for i in $(seq 1 400); do
        echo "192.0.2.20,02:00:00:00:aa:01,,3600,$(( $(date +%s) + 86400 )),1,0,0,padding-row-$i,0,,0"
    done
} >"$csv"
kk_server_start_ready "$conf"

if kk_is_kea; then
    kk_skip "Kea ignores SIGXFSZ differently; this test is about Kakapo's storage seam"
    kk_finish
fi

pid=$(kk_ctl status-get | kk_json 'd["arguments"]["pid"]')
size=$(stat -c %s "$csv")
kk_assert "server pid known ($pid)" test -n "$pid"
prlimit --pid "$pid" --fsize="$size": || kk_die "prlimit failed"

echo "== the lease file cannot grow: no ACK"
kk_add_client c1
kk_client_start c1 udhcpc
if kk_client_wait_bound c1 8; then kk_fail "client bound ($KK_ADDR) although its lease could not be written"
else kk_pass "no address while the lease file cannot be written"; fi
kk_assert "server still running" kk_server_alive
kk_assert_eq "pkt4-ack-sent stays 0" 0 "$(kk_stat pkt4-ack-sent)"
kk_assert_ge "the REQUESTs did arrive" "$(kk_stat pkt4-request-received)" 1
kk_assert_eq "no lease kept in memory for the client" 3 \
    "$(kk_ctl lease4-get-by-hw-address "{\"hw-address\": \"${KK_CMAC[c1]}\"}" | kk_json 'd["result"]')"
kk_assert_eq "only the padding lease in memory" 1 "$(kk_ctl lease4-get-all | kk_json 'len(d["arguments"]["leases"])')"
kk_assert_eq "assigned-addresses gauge counts only the padding lease" 1 "$(kk_stat 'subnet[1].assigned-addresses')"
kk_assert_match "write failure logged" "DHCPSRV_MEMFILE_WRITE_FAIL" "$(cat "$KK_SERVER_OUT")"
kk_assert_match "rollback logged with Kea's allocation error" "ALLOC_ENGINE_V4_ALLOC_ERROR" "$(cat "$KK_SERVER_OUT")"
kk_assert_eq "lease file not grown" "$size" "$(stat -c %s "$csv")"

echo "== limit lifted: the same client binds"
prlimit --pid "$pid" --fsize=unlimited: || kk_die "prlimit failed"
kk_client_wait_bound c1 40 && kk_pass "client bound after the limit was lifted ($KK_ADDR)" || kk_fail "client did not bind after the limit was lifted"
a1=$KK_ADDR
kk_assert_eq "its row is in the lease file" "$a1" "$(kk_leases "$csv" --mac "${KK_CMAC[c1]}" --last --field address)"
kk_assert_ge "pkt4-ack-sent counts the ACK" "$(kk_stat pkt4-ack-sent)" 1
kk_client_stop c1

echo "== restart: the file reloads with no bad row"
kk_server_stop || kk_fail "server did not stop"
kk_server_start_ready "$conf"
kk_assert_match "lease file loaded without errors" "rows added, [0-9]+ deleted, 0 errors" "$(cat "$KK_SERVER_OUT")"
hw=$(kk_ctl lease4-get "{\"ip-address\": \"$a1\"}" | kk_json 'd["arguments"]["hw-address"]')
kk_assert_eq "the lease is back after restart" "${KK_CMAC[c1]}" "$hw"
kk_finish
