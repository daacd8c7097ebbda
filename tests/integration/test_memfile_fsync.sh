#!/usr/bin/env bash
# Lease-file durability per loop turn, seen from the system calls (strace attached to the
# running server while relayed perfdhcp makes exchanges):
#   - every DHCPACK's (DHCPv6 Reply's) lease row is written to the lease file before the reply
#     is sent, in at most one write(2) per loop turn (poll, or a packet worker's epoll_wait), for kakapo-dhcp4 and kakapo-dhcp6;
#   - with the Kakapo-only memfile key "kakapo-fsync": true, each such write is followed by an
#     fdatasync(2) of the lease file before any reply announcing one of its rows is sent;
#   - without the key, nothing is fdatasync'ed or fsync'ed.
# The address and prefix checks: tests/integration/strace_durability.py.
#
#   KAKAPO_DHCP4=PATH, KAKAPO_DHCP6=PATH   default <repo>/.build/debug/kakapo-dhcp{4,6}
. "$(dirname "$0")/lib.sh"
if kk_is_kea; then echo "  skip  kakapo-fsync is a Kakapo key (Kea rejects it)"; exit 0; fi
kk_init
kk_need perfdhcp strace
v6bin=${KAKAPO_DHCP6:-$KK_REPO_ROOT/.build/debug/kakapo-dhcp6}
[ -x "$v6bin" ] || kk_die "no kakapo-dhcp6 at $v6bin"

# traced FAMILY NAME PERFDHCP-COMMAND... : starts the server on $conf, attaches strace to it,
# runs the perfdhcp command in $rns, detaches, stops the server; sets the analysis fields.
traced() {
    local fam=$1 name=$2; shift 2
    local trace="$KK_WORK/strace-$name.txt" out="$KK_WORK/perfdhcp-$name.out" spid sync=""
    grep -q '"kakapo-fsync": true' "$conf" && sync=--expect-sync
    rm -f "$csv"
    kk_server_start_ready "$conf"
    strace -f -y -xx -s 65535 -o "$trace" \
        -e trace=poll,ppoll,epoll_wait,epoll_pwait,write,fdatasync,fsync,sendto,sendmsg,sendmmsg -p "$KK_SERVER_PID" 2>/dev/null &
    spid=$!
    KK_PIDS+=("$spid")
    sleep 1
    timeout 40 ip netns exec "$rns" "$@" >"$out" 2>&1
    prc=$?
    kk_kill_pid "$spid" 5
    kk_server_stop || kk_fail "$name: server did not stop"
    read -r replies unwritten unsynced writes syncs other_syncs turns max_writes multi \
        < <("$KK_PY" "$KK_LIB_DIR/strace_durability.py" "$trace" "$csv" "$fam" $sync)
    echo "    $name: perfdhcp rc=$prc; $replies replies with a lease, $writes lease-file writes, $syncs syncs ($other_syncs other), $turns loop turns (all threads), at most $max_writes write(s) in one thread's turn, $multi write(s) with rows of several leases"
}

echo "== kakapo-dhcp4, kakapo-fsync: true"
kk_relay_setup 22
sed -i 's/"severity": "INFO"/"severity": "WARN"/' "$conf"
sed -i "s|\"lfc-interval\": 0 }|\"lfc-interval\": 0, \"kakapo-fsync\": true }|" "$conf"
kk_assert_match "config has the key" '"kakapo-fsync": true' "$(cat "$conf")"
traced v4 v4-fsync perfdhcp -4 -l 192.0.2.2 -r 150 -R 600 -p 4 -s 1 192.0.2.1
kk_assert_ge "DHCPACKs seen on the wire (600 clients, strace slows the server)" "$replies" 400
kk_assert_eq "every DHCPACK's row written before it was sent" 0 "$unwritten"
kk_assert_eq "every DHCPACK's row fdatasync'ed before it was sent" 0 "$unsynced"
kk_assert_ge "one fdatasync per lease-file write (group commit)" "$syncs" "$writes"
kk_assert "at most one lease-file write per loop turn (each thread's)" test "$max_writes" -le 1
kk_assert_ge "lease rows in the file" "$(kk_leases "$csv" --count)" 400

echo "== kakapo-dhcp4 without the key: no fdatasync"
sed -i 's/, "kakapo-fsync": true//' "$conf"
traced v4 v4-nosync perfdhcp -4 -l 192.0.2.2 -r 150 -R 600 -p 4 -s 1 192.0.2.1
kk_assert_ge "DHCPACKs seen on the wire (600 clients, strace slows the server)" "$replies" 400
kk_assert_eq "every DHCPACK's row written before it was sent" 0 "$unwritten"
kk_assert_eq "no fdatasync/fsync of the lease file" 0 "$syncs"
kk_assert_eq "no fdatasync/fsync at all" 0 "$other_syncs"
kk_assert "at most one lease-file write per loop turn (each thread's)" test "$max_writes" -le 1

echo "== kakapo-dhcp4 at 2,000 exchanges/s: one write carries several leases"
traced v4 v4-batch perfdhcp -4 -l 192.0.2.2 -r 2000 -R 900 -p 2 -s 1 192.0.2.1
kk_assert_ge "DHCPACKs seen on the wire" "$replies" 300
kk_assert_eq "every DHCPACK's row written before it was sent" 0 "$unwritten"
kk_assert "fewer lease-file writes ($writes) than DHCPACKs ($replies)" test "$writes" -lt "$replies"
kk_assert "at most one lease-file write per loop turn (each thread's)" test "$max_writes" -le 1

echo "== kakapo-dhcp6, kakapo-fsync: true (addresses and /56 prefixes)"
KK_SERVER_BIN=$v6bin
kk_relay6_perfdhcp
sed -i "s|\"lfc-interval\": 0 }|\"lfc-interval\": 0, \"kakapo-fsync\": true }|" "$conf"
traced v6 v6-fsync perfdhcp -6 -l eth0 -A1 -e address-and-prefix -r 150 -R 600 -p 4 2001:db8:1::1
kk_assert_ge "addresses and prefixes in Replies (600 clients, one of each)" "$replies" 800
kk_assert_eq "every Reply's rows written before it was sent" 0 "$unwritten"
kk_assert_eq "every Reply's rows fdatasync'ed before it was sent" 0 "$unsynced"
kk_assert_ge "one fdatasync per lease-file write" "$syncs" "$writes"
kk_assert "at most one lease-file write per loop turn (each thread's)" test "$max_writes" -le 1

echo "== kakapo-dhcp6 without the key"
sed -i 's/, "kakapo-fsync": true//' "$conf"
traced v6 v6-nosync perfdhcp -6 -l eth0 -A1 -e address-and-prefix -r 150 -R 600 -p 4 2001:db8:1::1
kk_assert_ge "addresses and prefixes in Replies (600 clients, one of each)" "$replies" 800
kk_assert_eq "every Reply's rows written before it was sent" 0 "$unwritten"
kk_assert_eq "no fdatasync/fsync at all" 0 "$((syncs + other_syncs))"
kk_assert "at most one lease-file write per loop turn (each thread's)" test "$max_writes" -le 1
kk_finish
