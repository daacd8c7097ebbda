#!/usr/bin/env bash
# Host reservations with a real client: dhclient whose MAC is reserved gets the reserved
# address (outside the pool), the reserved router and its host name in the lease file; a
# second client gets a pool address.
. "$(dirname "$0")/lib.sh"
kk_init
kk_need dhclient udhcpc
kk_topology eth0 192.0.2.1/24
conf="$KK_WORK/kea-dhcp4.conf"
csv="$KK_WORK/leases4.csv"
kk_add_client c1
kk_add_client c2
kk_write_basic_config "$conf"
python3 - "$conf" "${KK_CMAC[c1]}" <<'PY'
import sys
p, mac = sys.argv[1], sys.argv[2]
s = open(p).read()
anchor = '"pools": [ { "pool": "192.0.2.100 - 192.0.2.199" } ],'
s = s.replace(anchor, anchor + '''
        "reservations": [ { "hw-address": "%s", "ip-address": "192.0.2.50", "hostname": "reserved-host",
                            "option-data": [ { "name": "routers", "data": "192.0.2.254" } ] } ],''' % mac)
open(p, "w").write(s)
PY
kk_server_start_ready "$conf"
kk_client_start c1 dhclient
kk_client_wait_bound c1 30 || kk_fail "dhclient got no address"
kk_assert_eq "reserved client gets the reserved address" 192.0.2.50 "$KK_ADDR"
kk_assert_eq "reserved router option applied" 192.0.2.254 "$(kk_client_default_gw c1)"
kk_assert_eq "lease row carries the reserved host name" reserved-host "$(kk_leases "$csv" --mac "${KK_CMAC[c1]}" --last --field hostname)"
kk_client_start c2 udhcpc
kk_client_wait_bound c2 30 || kk_fail "udhcpc got no address"
kk_assert_eq "another client gets a pool address" 192.0.2.100 "$KK_ADDR"
kk_finish
