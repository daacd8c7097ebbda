#!/usr/bin/env bash
# Make Tests/Fixtures/leases/kea-2.2-leases4.csv with Debian's kea-dhcp4:
# three dhclients in namespaces ask for 192.0.2.150, .160 and .170; the first
# renews once, the second sends a client identifier, the third releases.
# Leases last 10 years so that the fixture stays valid.
# Usage: tests/tools/make-lease-fixture.sh [OUTPUT.csv]
DHCP4_SERVER=kea
. "$(dirname "$0")/../integration/lib.sh"
out=${1:-$KK_REPO_ROOT/Tests/Fixtures/leases/kea-2.2-leases4.csv}
kk_init
kk_need dhclient nsenter
kk_topology eth0 192.0.2.1/24
conf="$KK_WORK/kea-dhcp4.conf"
csv="$KK_WORK/leases4.csv"
kk_write_basic_config "$conf" 2 3 315360000
kk_server_start_ready "$conf"

start() {   # start NAME MAC ADDRESS HOSTNAME [CLIENT-ID]
    kk_add_client "$1" "$2"
    KK_DHCLIENT_EXTRA="send dhcp-requested-address $3;
send host-name \"$4\";${5:+
send dhcp-client-identifier $5;}"
    kk_client_start "$1" dhclient
    KK_DHCLIENT_EXTRA=""
    kk_client_wait_bound "$1" 30 || kk_die "$1 got no lease"
    kk_log "$1 ($2) bound to $KK_ADDR"
}
start f1 02:00:00:00:10:01 192.0.2.150 kk-fixture-1
start f2 02:00:00:00:10:02 192.0.2.160 kk-fixture-2 1:02:00:00:00:10:02
start f3 02:00:00:00:10:03 192.0.2.170 kk-fixture-3
f1_renewed() { [ "$(kk_leases "$csv" --mac 02:00:00:00:10:01 --count)" -ge 2 ]; }
f3_released() { [ "$(kk_leases "$csv" --mac 02:00:00:00:10:03 --last --field valid_lifetime)" = 0 ]; }
kk_wait_for 10 f1_renewed || kk_die "f1 did not renew"
kk_client_release f3
kk_wait_for 5 f3_released || kk_die "f3 release not in the lease file"
kk_client_stop f1
kk_client_stop f2
kk_server_stop
mkdir -p "$(dirname "$out")"
cp "$csv" "$out"
kk_log "wrote $out ($(kea-dhcp4 -v 2>/dev/null), $(date -u +%F))"
cat "$out"
kk_finish
