#!/usr/bin/env bash
# Kakapo demo: a namespace pair, kakapo-dhcp4 with a config shaped like
# Tests/Fixtures/configs/seed/kea-dhcp4.conf (but on 192.0.2.0/24 and the namespace's eth0),
# a real ISC dhclient that gets a lease, the lease as the client sees it and the
# server's lease file.  Everything is removed at the end.
#
#   DHCP4_SERVER=kakapo (default) | kea      KAKAPO_DHCP4=path to the binary
#   KK_KEEP=1  keep the work directory
#
# Needs root (network namespaces), dhclient, iproute2, python3
# (scripts/install-test-deps.sh installs them).
. "$(cd "$(dirname "$0")" && pwd)/../tests/integration/lib.sh"
KK_TEST_NAME=demo

if [ "$DHCP4_SERVER" = kakapo ] && [ ! -x "$(kk_server_bin)" ]; then
    echo "demo: $(kk_server_bin) not found: build it first (swift build, or: make demo)" >&2
    exit 1
fi
kk_init
kk_need dhclient

if [ -t 1 ]; then say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }; else say() { printf '\n== %s\n' "$*"; }; fi
show() { sed 's/^/   /'; }

say "Server: $DHCP4_SERVER ($KK_SERVER_BIN, version $("$KK_SERVER_BIN" -v 2>/dev/null | head -n1))"
kk_topology eth0 192.0.2.2/24
kk_add_client demo 02:00:00:00:de:01
echo "   namespaces: $KK_SRV_NS (server, eth0 192.0.2.2/24), ${KK_CNS[demo]} (client, eth0 ${KK_CMAC[demo]}),"
echo "               $KK_SW_NS (a bridge joining them)"

conf="$KK_WORK/kea-dhcp4.conf"
csv="$KK_WORK/kea-leases4.csv"
log="$KK_WORK/kea-dhcp4.log"
cat >"$conf" <<EOF
// Kakapo demo: the shape of Tests/Fixtures/configs/seed/kea-dhcp4.conf on 192.0.2.0/24
{
  "Dhcp4": {
    // Add names of your network interfaces to listen on.
    "interfaces-config": {
      "interfaces": [ "eth0" ]
    },

    "control-socket": {
      "socket-type": "unix",
      "socket-name": "$KK_WORK/kea4-ctrl-socket"
    },

    "lease-database": {
      "type": "memfile",
      "name": "$csv",
      "lfc-interval": 3600
    },

    "expired-leases-processing": {
      "reclaim-timer-wait-time": 10,
      "flush-reclaimed-timer-wait-time": 25,
      "hold-reclaimed-time": 3600,
      "max-reclaim-leases": 100,
      "max-reclaim-time": 250,
      "unwarned-reclaim-cycles": 5
    },

    "renew-timer": 900,
    "rebind-timer": 1800,
    "valid-lifetime": 3600,

    // No DHCP-DDNS daemon runs in the demo.
    "ddns-send-updates" : false,
    "ddns-qualifying-suffix": "demo.example",
    "dhcp-ddns" : {
      "enable-updates": false
    },

    "subnet4": [
      {
        "subnet": "192.0.2.0/24",
        "pools": [ { "pool": "192.0.2.16 - 192.0.2.254" } ],
        "option-data": [
          {
            "name": "domain-name",
            "data": "demo.example"
          },
          {
            "name": "domain-name-servers",
            "data": "192.0.2.2, 203.0.113.7"
          },
          {
            "name": "domain-search",
            "data": "demo.example"
          },
          {
            "name": "routers",
            "data": "192.0.2.2"
          }
        ]
      }
    ],

    "loggers": [
      {
        "name": "kea-dhcp4",
        "output_options": [
          {
            "output": "$log",
            "pattern": "%D{%Y-%m-%d %H:%M:%S.%q} %-5p %m\n"
          }
        ],
        "severity": "INFO",
        "debuglevel": 0
      }
    ]
  }
}
EOF
say "Config ($conf)"
grep -v '^ *//' "$conf" | grep -v '^$' | show

say "Starting $DHCP4_SERVER in $KK_SRV_NS"
kk_server_start "$conf"
if ! kk_server_wait_ready 25; then
    echo "   the server did not come up; its output:"
    cat "$KK_SERVER_OUT" "$log" 2>/dev/null | tail -n 20 | show
    exit 1
fi
echo "   pid $KK_SERVER_PID; status-get on the control socket: $(kk_ctl status-get 2>/dev/null)"
sleep 0.5

say "dhclient -v eth0 in ${KK_CNS[demo]}"
kk_client_start demo dhclient
if ! kk_client_wait_bound demo 30; then
    echo "   no lease within 30 s; client output:"
    show <"$(kk_cdir demo)/client.out"
    echo "   server log:"; tail -n 20 "$log" | show
    exit 1
fi
grep -E 'DHCP(DISCOVER|OFFER|REQUEST|ACK)|bound to' "$(kk_cdir demo)/client.out" | show

say "The client's interface, routes and resolv.conf"
ip -n "${KK_CNS[demo]}" -4 addr show dev eth0 | show
ip -n "${KK_CNS[demo]}" -4 route | show
kk_client_resolv demo | show

say "dhclient's lease file"
show <"$(kk_cdir demo)/dhclient.leases"

say "The server's lease file ($csv)"
kk_wait_for 5 test -s "$csv"
show <"$csv"

say "Server log ($log)"
tail -n 8 "$log" | show

say "Statistics from the control socket"
for s in pkt4-received pkt4-discover-received pkt4-offer-sent pkt4-request-received pkt4-ack-sent 'subnet[1].assigned-addresses'; do
    printf '   %-32s %s\n' "$s" "$(kk_stat "$s")"
done

kk_client_stop demo
kk_server_stop
say "Done: cleaning up namespaces and files"
