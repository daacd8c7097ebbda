#!/usr/bin/env bash
# test_lease_write_failure.sh for kakapo-dhcp6: when the leases6 file cannot be written,
# nothing is acknowledged. The running server's file-size limit (prlimit RLIMIT_FSIZE) makes
# every append fail with EFBIG: relayed DHCPv6 clients (kakapo-sim load -6 --pd) get
# Advertises but no Reply that binds, the failure is logged with Kea's IDs, no lease is kept
# in memory, and the daemon keeps serving. When the limit is lifted the same clients bind,
# and the file (cut back after each failed append) reloads without a bad row.
# The lease file starts with 400 rows of one padding lease (~50 KB), larger than the log
# (stdout, a file under the same limit) gets here, so that only lease-file appends fail.
. "$(dirname "$0")/lib.sh"
kk_init6
kk_need prlimit
kk_need_sim
LOGGERS_JSON='[ { "name": "kea-dhcp6", "output_options": [ { "output": "stdout" } ], "severity": "INFO" } ]' kk_relay6_setup
{
    echo "address,duid,valid_lifetime,expire,subnet_id,pref_lifetime,lease_type,iaid,prefix_len,fqdn_fwd,fqdn_rev,hostname,hwaddr,state,user_context,hwtype,hwaddr_source,pool_id"
    for i in $(seq 1 400); do
        echo "2001:db8:5::20,00:03:00:01:02:00:00:00:aa:01,3600,$(( $(date +%s) + 86400 )),5,3000,0,1,128,0,0,padding-row-$i,,0,,1,0,0"
    done
} >"$csv"
kk_server_start_ready "$conf"

pid=$(kk_ctl status-get | kk_json 'd["arguments"]["pid"]')
size=$(stat -c %s "$csv")
kk_assert "server pid known ($pid)" test -n "$pid"
prlimit --pid "$pid" --fsize="$size": || kk_die "prlimit failed"

# load NAME : 20 clients (each an address and a prefix) through the relay, 2 s; sets
# started, completed, advertised (Solicits answered) from its JSON report.
load() {
    timeout 30 ip netns exec "$rns" "$sim" load -6 --pd --server 2001:db8:1::1 --relay-address 2001:db8:1::2 \
        --rate 10 --clients 20 --duration 2 --timeout-ms 500 --seed 7 --json \
        >"$KK_WORK/$1.json" 2>"$KK_WORK/$1.err"
    read -r started completed advertised <<<"$("$KK_PY" -c 'import json,sys; d=json.load(open(sys.argv[1]))
print(d["dora_started"], d["dora_completed"], d["exchanges"]["SOLICIT-ADVERTISE"]["received"])' "$KK_WORK/$1.json" \
        2>/dev/null || echo "0 0 0")"
    echo "    kakapo-sim load -6 ($1): started $started, completed $completed, Solicits answered $advertised"
}

echo "== the lease file cannot grow: no Reply binds"
load blocked
kk_assert_ge "the Solicits were answered" "$advertised" 10
kk_assert_eq "no exchange completed while the lease file cannot be written" 0 "$completed"
kk_assert "server still running" kk_server_alive
kk_assert_ge "the Requests did arrive" "$(kk_stat pkt6-request-received)" 10
kk_assert_eq "only the padding lease in memory" 1 "$(kk_ctl lease6-get-all | kk_json 'len(d["arguments"]["leases"])')"
kk_assert_eq "assigned-nas counts only the padding lease" 1 "$(kk_stat 'subnet[5].assigned-nas')"
kk_assert_eq "assigned-pds counts nothing" 0 "$(kk_stat 'subnet[5].assigned-pds')"
kk_assert_match "write failure logged" "DHCPSRV_MEMFILE_WRITE_FAIL" "$(cat "$KK_SERVER_OUT")"
kk_assert_eq "lease file not grown" "$size" "$(stat -c %s "$csv")"

echo "== limit lifted: the same clients bind"
prlimit --pid "$pid" --fsize=unlimited: || kk_die "prlimit failed"
load lifted
kk_assert_ge "exchanges completed after the limit was lifted" "$completed" 20
kk_assert_eq "20 addresses and 20 prefixes in memory (plus the padding lease)" 41 \
    "$(kk_ctl lease6-get-all | kk_json 'len(d["arguments"]["leases"])')"

echo "== restart: the file reloads with no bad row"
kk_server_stop || kk_fail "server did not stop"
kk_server_start_ready "$conf"
kk_assert_match "lease file loaded without errors" "rows added, [0-9]+ deleted, 0 errors" "$(cat "$KK_SERVER_OUT")"
kk_assert_eq "the 41 leases are back after restart" 41 "$(kk_ctl lease6-get-all | kk_json 'len(d["arguments"]["leases"])')"
kk_finish
