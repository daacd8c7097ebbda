#!/usr/bin/env bash
# A real relay agent between the client and the server: ISC dhcrelay (isc-dhcp-relay) in its
# own namespace, with the client's link (198.51.100.0/24) on one side and the server's
# (192.0.2.0/24) on the other. The server has no route to the client's link: its replies
# to the relay's giaddr, and to the client's ciaddr when it renews through the relay's
# routing, must go back at layer 2 to the frame's source, as Kea's raw sockets send them.
# The relay host answers ARP only for addresses of the interface asked on (arp_ignore=1, as
# many routers do): a server that sent its reply to giaddr through the kernel would ARP for
# 198.51.100.1 on its link, get no answer, and the reply would never leave.
#
#   client ns (eth0, dhclient) -- br1 -- relay ns (eth1 198.51.100.1, eth0 192.0.2.2, dhcrelay,
#   ip_forward) -- br0 -- server ns (eth0 192.0.2.1, no route to 198.51.100.0/24)
. "$(dirname "$0")/lib.sh"
kk_init
kk_need dhclient dhcrelay
kk_topology eth0 192.0.2.1/24
conf="$KK_WORK/kea-dhcp4.conf"
csv="$KK_WORK/leases4.csv"

# The relay: eth0 on the server's link, eth1 on a second bridge with the client.
kk_add_client relay
rns=${KK_CNS[relay]}
ip -n "$rns" addr add 192.0.2.2/24 dev eth0
ip -n "$KK_SW_NS" link add br1 type bridge stp_state 0 forward_delay 0 || kk_die "bridge br1"
ip -n "$KK_SW_NS" link set br1 up
port="r1-$RANDOM"
ip link add "$port" netns "$KK_SW_NS" type veth peer name eth1 netns "$rns" || kk_die "veth relay eth1"
ip -n "$KK_SW_NS" link set "$port" master br1
ip -n "$KK_SW_NS" link set "$port" up
ip -n "$rns" addr add 198.51.100.1/24 dev eth1
ip -n "$rns" link set eth1 up
ip netns exec "$rns" sysctl -qw net.ipv4.ip_forward=1
ip netns exec "$rns" sysctl -qw net.ipv4.conf.all.arp_ignore=1
kk_add_client c1 "" br1

cat >"$conf" <<EOF2
// $KK_TEST_NAME
{
  "Dhcp4": {
    "interfaces-config": { "interfaces": [ "eth0" ] },
    "control-socket": { "socket-type": "unix", "socket-name": "$KK_WORK/ctl.sock" },
    "lease-database": { "type": "memfile", "name": "$csv", "lfc-interval": 0 },
    "valid-lifetime": 40,
    "renew-timer": 8,
    "rebind-timer": 30,
    "subnet4": [
      { "id": 1, "subnet": "192.0.2.0/24", "pools": [ { "pool": "192.0.2.100 - 192.0.2.199" } ] },
      {
        "id": 2,
        "subnet": "198.51.100.0/24",
        "pools": [ { "pool": "198.51.100.100 - 198.51.100.199" } ],
        "option-data": [ { "name": "routers", "data": "198.51.100.1" } ]
      }
    ],
    "loggers": $(kk_config_loggers)
  }
}
EOF2
kk_server_start_ready "$conf"
kk_assert "the server has no route to the client's link" \
    test -z "$(ip -n "$KK_SRV_NS" -4 route get 198.51.100.100 2>/dev/null | grep -v unreachable)"

ip netns exec "$rns" dhcrelay -4 -d -q -pf "$KK_WORK/relay.pid" -id eth1 -iu eth0 192.0.2.1 \
    >"$KK_WORK/relay.out" 2>&1 &
KK_PIDS+=("$!")
sleep 1
kill -0 "$!" 2>/dev/null || kk_die "dhcrelay did not start: $(cat "$KK_WORK/relay.out")"

echo "== DORA through the relay"
kk_client_start c1 dhclient
kk_client_wait_bound c1 40 && kk_pass "client bound through the relay ($KK_ADDR)" || kk_die "client got no address through the relay"
a=$KK_ADDR
kk_assert_match "address from the relayed subnet" '^198\.51\.100\.1[0-9][0-9]$' "$a"
kk_assert_eq "router from the relayed subnet" "198.51.100.1" "$(kk_client_default_gw c1)"
kk_assert_eq "lease row in subnet 2" 2 "$(kk_leases "$csv" --mac "${KK_CMAC[c1]}" --last --field subnet_id)"
kk_assert_ge "REQUEST received from the relay" "$(kk_stat pkt4-request-received)" 1

echo "== renewal: unicast to the server, routed by the relay host, answered at layer 2"
exp1=$(kk_leases "$csv" --mac "${KK_CMAC[c1]}" --last --field expire)
renewed=""
for i in $(seq 1 40); do
    exp2=$(kk_leases "$csv" --mac "${KK_CMAC[c1]}" --last --field expire)
    if [ -n "$exp2" ] && [ "$exp2" -gt "$exp1" ]; then renewed=1; break; fi
    sleep 0.5
done
kk_assert "the client renewed (a later expire in the lease file)" test -n "$renewed"
sleep 2
kk_assert_eq "still the same address after renewing" "$a" "$(kk_client_addr c1)"
kk_assert_ge "ACKs sent: the first and the renewal" "$(kk_stat pkt4-ack-sent)" 2
kk_client_stop c1
kk_finish
