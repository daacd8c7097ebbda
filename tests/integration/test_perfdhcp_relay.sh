#!/usr/bin/env bash
# A relayed exchange: perfdhcp acts as a relay agent (it sends from 192.0.2.2,
# port 67, to the server's unicast address with giaddr=192.0.2.2), the server
# selects the subnet whose relay ip-addresses list 192.0.2.2, and all DORA
# exchanges complete: perfdhcp -4 -l 192.0.2.2 -r 100 -R 1000 -p 5.
#
# perfdhcp walks through its -R clients in order, so 5 s at 100/s means ~500
# distinct clients: more than a /24 from the documentation ranges holds.  The
# relayed subnet's pool is therefore 198.18.0.0/22 from the benchmarking range
# (RFC 2544); no packet is ever sent to those addresses (replies go to giaddr).
. "$(dirname "$0")/lib.sh"
kk_init
kk_need perfdhcp
kk_relay_setup 22
# Kea logs every allocation at INFO; keep the log small.
sed -i 's/"severity": "INFO"/"severity": "WARN"/' "$conf"
kk_server_start_ready "$conf"

out="$KK_WORK/perfdhcp.out"
timeout 40 ip netns exec "$rns" perfdhcp -4 -l 192.0.2.2 -r 100 -R 1000 -p 5 -s 1 192.0.2.1 >"$out" 2>&1
rc=$?
sed 's/^/    perfdhcp| /' "$out" | grep -E 'sent packets|received packets|drops|Rate:|Statistics for|rejected|orphans|Error|error' | head -20
kk_assert_eq "perfdhcp exit status (0 = every exchange completed)" 0 "$rc"
summary=$("$KK_PY" "$KK_LIB_DIR/perfdhcp_parse.py" "$out")
echo "    parsed: $summary"
read -r sent_d recv_o sent_r recv_a drops _ <<<"$summary"
kk_assert_ge "DISCOVERs sent (5 s at 100/s)" "$sent_d" 400
kk_assert_eq "OFFERs received = DISCOVERs sent" "$sent_d" "$recv_o"
kk_assert_eq "ACKs received = REQUESTs sent" "$sent_r" "$recv_a"
kk_assert_eq "drops" 0 "$drops"
relayed=$("$KK_PY" - "$csv" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
print(sum(1 for r in rows if r["address"].startswith("198.18.") and r["subnet_id"] == "2"))
PY
)
kk_assert_ge "lease rows in the relayed subnet 198.18.0.0/22 (subnet_id 2)" "$relayed" 400
kk_assert_eq "no lease from the link's own subnet (giaddr matched the relay entry)" 0 \
    "$("$KK_PY" -c 'import csv,sys; print(sum(1 for r in csv.DictReader(open(sys.argv[1])) if r["subnet_id"]=="1"))' "$csv")"
kk_assert "server still running" kk_server_alive

# The same load with "dhcp-socket-type": "udp": the UDP socket, which only sends while every
# interface reads from a raw socket, must receive again (kakapo-dhcp4 attaches a
# drop-everything filter to it in raw mode and detaches it here).
kk_server_stop
sed -i 's|"interfaces-config": { "interfaces": \[ "eth0" \]|"interfaces-config": { "dhcp-socket-type": "udp", "interfaces": [ "eth0" ]|' "$conf"
grep -q '"dhcp-socket-type": "udp"' "$conf" || kk_die "could not switch the config to UDP sockets"
rm -f "$csv"
kk_server_start_ready "$conf"
out="$KK_WORK/perfdhcp-udp.out"
timeout 40 ip netns exec "$rns" perfdhcp -4 -l 192.0.2.2 -r 100 -R 1000 -p 3 -s 1 192.0.2.1 >"$out" 2>&1
kk_assert_eq "perfdhcp exit status with UDP sockets" 0 "$?"
read -r sent_d recv_o sent_r recv_a drops _ <<<"$("$KK_PY" "$KK_LIB_DIR/perfdhcp_parse.py" "$out")"
kk_assert_ge "DISCOVERs sent with UDP sockets (3 s at 100/s)" "$sent_d" 200
kk_assert_eq "OFFERs received = DISCOVERs sent (UDP sockets)" "$sent_d" "$recv_o"
kk_assert_eq "ACKs received = REQUESTs sent (UDP sockets)" "$sent_r" "$recv_a"
kk_assert "server still running (UDP sockets)" kk_server_alive
kk_finish
