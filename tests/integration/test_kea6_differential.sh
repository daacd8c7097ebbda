#!/usr/bin/env bash
# The DHCPv6 differential test against Debian's Kea 2.2 (kea-diff6/, dhcp6probe.py): the
# driver is test_kea_differential.sh's, with KD_FAMILY=6 (see its header).
#   KD_CASES="renew ia-pd"   run only these cases
#   KEA_DHCP6=PATH           kea binary (default kea-dhcp6 from PATH)
#   KAKAPO_DHCP6=PATH        default <repo>/.build/debug/kakapo-dhcp6
KD_FAMILY=6 KK_TEST_NAME=test_kea6_differential exec bash "$(dirname "$0")/test_kea_differential.sh" "$@"
