#!/usr/bin/env bash
# test_crash_kill.sh for kakapo-dhcp6: SIGKILLs at random moments under relayed DHCPv6 load
# (addresses and delegated prefixes); every Reply seen on the wire must still be a lease in
# the leases6 file after the last restart.
KC_FAMILY=6 KK_TEST_NAME=test_crash_kill6 exec bash "$(dirname "$0")/test_crash_kill.sh" "$@"
