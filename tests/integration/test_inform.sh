#!/usr/bin/env bash
# DHCPINFORM from a client that already has an address (configured by hand, no lease): the
# server answers with a DHCPACK to the client's ciaddr, port 68 — through the raw socket, at
# layer 2 to the frame's source — with the configured options, yiaddr 0, and no lease.
. "$(dirname "$0")/lib.sh"
kk_init
kk_topology eth0 192.0.2.1/24
conf="$KK_WORK/kea-dhcp4.conf"
csv="$KK_WORK/leases4.csv"
kk_write_basic_config "$conf"
kk_server_start_ready "$conf"
kk_add_client c1
ip -n "${KK_CNS[c1]}" addr add 192.0.2.50/24 dev eth0

out=$(timeout 20 ip netns exec "${KK_CNS[c1]}" "$KK_PY" "$KK_LIB_DIR/inform.py" 192.0.2.50 "${KK_CMAC[c1]}" 192.0.2.1 --timeout 5)
kk_assert "an answer came back to ciaddr:68" test -n "$out"
if [ -n "$out" ]; then
    kk_assert_eq "it is a DHCPACK" 5 "$(printf '%s' "$out" | kk_json 'd["type"]')"
    kk_assert_eq "ciaddr echoed" "192.0.2.50" "$(printf '%s' "$out" | kk_json 'd["ciaddr"]')"
    kk_assert_eq "yiaddr is 0.0.0.0" "0.0.0.0" "$(printf '%s' "$out" | kk_json 'd["yiaddr"]')"
    kk_assert_eq "routers" "c0000201" "$(printf '%s' "$out" | kk_json 'd["options"].get("3", "")')"
    kk_assert_eq "domain-name-servers" "c0000235c0000236" "$(printf '%s' "$out" | kk_json 'd["options"].get("6", "")')"
    kk_assert_eq "no lease time in an INFORM reply" "" "$(printf '%s' "$out" | kk_json 'd["options"].get("51", "")')"
fi
kk_assert_eq "pkt4-inform-received" 1 "$(kk_stat pkt4-inform-received)"
kk_assert_eq "no lease row for the informing client" "" "$(kk_leases "$csv" --mac "${KK_CMAC[c1]}" --last --field address 2>/dev/null)"
kk_finish
