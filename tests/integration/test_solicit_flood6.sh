#!/usr/bin/env bash
# test_discover_flood.sh for kakapo-dhcp6: a relayed Solicit flood from a million DUIDs;
# Advertises are not leases and the daemon's memory stays bounded.
KC_FAMILY=6 KK_TEST_NAME=test_solicit_flood6 exec bash "$(dirname "$0")/test_discover_flood.sh" "$@"
