#!/usr/bin/env bash
# A lease file written by Kea 2.2 (Tests/Fixtures/leases/kea-2.2-leases4.csv,
# see its README.md) is loaded and its leases are honoured: lease4-get-all lists
# them, a returning client gets its address back (also when it starts over with
# a DISCOVER), a released lease is not resurrected, and the file stays loadable
# after the server appended to it.
. "$(dirname "$0")/lib.sh"
kk_init
kk_need dhclient
fixture="$KK_REPO_ROOT/Tests/Fixtures/leases/kea-2.2-leases4.csv"
[ -f "$fixture" ] || kk_die "fixture missing: $fixture (tests/tools/make-lease-fixture.sh)"
kk_topology eth0 192.0.2.1/24
conf="$KK_WORK/kea-dhcp4.conf"
csv="$KK_WORK/leases4.csv"
cp "$fixture" "$csv"
# lease4-get-all is a hook command in Kea (libdhcp_lease_cmds.so); Kakapo has it
# built in and switches it on from the same entry.
hook=$(ls /usr/lib/*/kea/hooks/libdhcp_lease_cmds.so 2>/dev/null | head -n1)
hook=${hook:-/usr/lib/x86_64-linux-gnu/kea/hooks/libdhcp_lease_cmds.so}
kk_write_basic_config "$conf" 900 1800 3600 "\"hooks-libraries\": [ { \"library\": \"$hook\" } ],"
kk_server_start_ready "$conf"

all=$(kk_ctl lease4-get-all)
kk_assert_eq "lease4-get-all result" 0 "$(kk_json 'd.get("result")' <<<"$all")"
lease_of() {   # lease_of ADDRESS FIELD
    kk_json "next((l.get('$2') for l in d.get('arguments',{}).get('leases',[]) if l.get('ip-address')=='$1'), 'absent')" <<<"$all"
}
kk_assert_eq "192.0.2.150 loaded for f1" 02:00:00:00:10:01 "$(lease_of 192.0.2.150 hw-address)"
kk_assert_eq "192.0.2.150 keeps its hostname" kk-fixture-1 "$(lease_of 192.0.2.150 hostname)"
kk_assert_eq "192.0.2.150 keeps its valid lifetime" 315360000 "$(lease_of 192.0.2.150 valid-lft)"
kk_assert_eq "192.0.2.150: the last (renewed) row wins" "$(kk_leases "$fixture" --address 192.0.2.150 --last --field expire)" \
    "$(kk_json "next(l['cltt']+l['valid-lft'] for l in d['arguments']['leases'] if l['ip-address']=='192.0.2.150')" <<<"$all")"
kk_assert_eq "192.0.2.160 loaded for f2" 02:00:00:00:10:02 "$(lease_of 192.0.2.160 hw-address)"
kk_assert_eq "192.0.2.160 keeps its client-id" 01:02:00:00:00:10:02 "$(lease_of 192.0.2.160 client-id)"
kk_assert_eq "released 192.0.2.170 is not loaded" absent "$(lease_of 192.0.2.170 hw-address)"
kk_assert_eq "subnet[1].assigned-addresses counts the loaded leases" 2 "$(kk_stat 'subnet[1].assigned-addresses')"

# Returning clients (fresh dhclient state: they start with DISCOVER).
kk_add_client f1 02:00:00:00:10:01
kk_client_start f1 dhclient
if kk_client_wait_bound f1 30; then
    kk_assert_eq "f1 (same MAC) gets 192.0.2.150 back" 192.0.2.150 "$KK_ADDR"
else
    kk_fail "f1 got no lease"
fi
kk_add_client f2 02:00:00:00:10:02
KK_DHCLIENT_EXTRA="send dhcp-client-identifier 1:02:00:00:00:10:02;"
kk_client_start f2 dhclient
KK_DHCLIENT_EXTRA=""
if kk_client_wait_bound f2 30; then
    kk_assert_eq "f2 (same client-id) gets 192.0.2.160 back" 192.0.2.160 "$KK_ADDR"
else
    kk_fail "f2 got no lease"
fi
kk_add_client new1 02:00:00:00:10:77
kk_client_start new1 dhclient
if kk_client_wait_bound new1 30; then
    case "$KK_ADDR" in
        192.0.2.150|192.0.2.160) kk_fail "a new client was given a loaded lease's address $KK_ADDR" ;;
        *) kk_pass "a new client gets another address ($KK_ADDR)" ;;
    esac
else
    kk_fail "new client got no lease"
fi

# The file, after the server appended to it, loads again with the same leases.
kk_client_stop f1; kk_client_stop f2; kk_client_stop new1
kk_assert "server stops on SIGTERM" kk_server_stop
kk_server_start_ready "$conf"
all=$(kk_ctl lease4-get-all)
kk_assert_eq "after restart: 192.0.2.150 still f1's" 02:00:00:00:10:01 "$(lease_of 192.0.2.150 hw-address)"
kk_assert_eq "after restart: 192.0.2.160 still f2's" 02:00:00:00:10:02 "$(lease_of 192.0.2.160 hw-address)"
kk_assert_eq "after restart: 3 leases" 3 "$(kk_json 'len(d.get("arguments",{}).get("leases",[]))' <<<"$all")"
kk_note "lease file header after the run: $(head -n1 "$csv")"
kk_finish
