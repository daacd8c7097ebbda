#!/usr/bin/env bash
# kakapo-dhcp6 end to end in a namespace pair joined by a veth (2001:db8::/32 only):
# -t on the sample config and on a broken one, the startup log lines, the socket on
# [::]:547 joined to ff02::1:2, the control socket (list-commands, lease6-*, config-get, status-get,
# config-reload, SIGHUP, shutdown), the server-id file (created, stable across a restart).
# Then a real `dhclient -6` (isc-dhcp-client) must get an address -- but only once the
# engine answers: a Solicit is sent first and, without an Advertise within 3 s, the client
# part is skipped with a note (the DHCPv6 engine's exchanges are being written).
#
#   KAKAPO_DHCP6=PATH   server binary (default <repo>/.build/debug/kakapo-dhcp6)
. "$(dirname "$0")/lib.sh"
kk_init6
kk_need dhclient ss
BIN=$KK_SERVER_BIN
SAMPLE=$KK_REPO_ROOT/Tests/Fixtures/configs/kea-dhcp6.conf

# ---------------------------------------------------------------- topology (IPv6 on)
SRV="k6-$$-srv"
CLI="k6-$$-cli"
kk_netns6_add "$SRV"
kk_netns6_add "$CLI"
ip link add eth0 netns "$SRV" type veth peer name eth0 netns "$CLI" || kk_die "veth"
ip -n "$SRV" addr add 2001:db8:1::1/64 dev eth0 nodad
ip -n "$SRV" link set eth0 up
ip -n "$CLI" link set eth0 up
# The sample config also names eth1 (with 2001:db8:1::1 as its unicast address).
ip -n "$SRV" link add eth1 type veth peer name eth1p || kk_die "eth1"
ip -n "$SRV" addr add 2001:db8:2::1/64 dev eth1 nodad
ip -n "$SRV" link set eth1 up
kk_wait_ll() {   # kk_wait_ll NS : until eth0 has a usable link-local address (bounded)
    local i
    for i in $(seq 1 50); do
        ip -n "$1" -6 addr show dev eth0 scope link | grep -q 'inet6 fe80' && \
            ! ip -n "$1" -6 addr show dev eth0 | grep -q tentative && return 0
        sleep 0.1
    done
    return 1
}
kk_wait_ll "$SRV" || kk_die "server link-local address"
kk_wait_ll "$CLI" || kk_die "client link-local address"

kk_server6_files
cat >"$conf" <<EOF
// kakapo-dhcp6 integration test
{
"Dhcp6": {
    "interfaces-config": { "interfaces": [ "eth0" ] },
    "control-socket": { "socket-type": "unix", "socket-name": "$sock" },
    "lease-database": { "type": "memfile", "lfc-interval": 0 },
    "renew-timer": 1000, "rebind-timer": 2000,
    "preferred-lifetime": 3000, "valid-lifetime": 4000,
    "subnet6": [ {
        "id": 1, "subnet": "2001:db8:1::/64", "interface": "eth0",
        "pools": [ { "pool": "2001:db8:1::100 - 2001:db8:1::1ff" } ]
    } ],
    "loggers": [ { "name": "kea-dhcp6", "output_options": [ { "output": "stdout" } ], "severity": "INFO" } ]
}
}
EOF

echo "== -t"
tout=$(ip netns exec "$SRV" "$BIN" -t "$SAMPLE" 2>&1); trc=$?
kk_assert_eq "-t on the sample config exits 0" 0 "$trc"
kk_assert_match "-t says the sample is valid" "^Configuration file .*kea-dhcp6.conf is valid\.$" "$tout"
tout=$(ip netns exec "$SRV" "$BIN" -T "$conf" 2>&1); trc=$?
kk_assert_eq "-T on the test config exits 0" 0 "$trc"
printf '{ "Dhcp6": { "subnet6": [ { "id": 1, "subnet": "2001:db8:1::/64" ] } }\n' >"$KK_WORK/broken.conf"
tout=$(ip netns exec "$SRV" "$BIN" -t "$KK_WORK/broken.conf" 2>"$KK_WORK/t.err"); trc=$?
kk_assert_eq "-t on a broken config exits 1" 1 "$trc"
kk_assert_match "-t prints a grammar error on stderr as kakapo-dhcp4 does" "^Syntax check failed with: .*broken\.conf:1" "$(cat "$KK_WORK/t.err")"
kk_assert_eq "-t prints nothing on stdout for it" "" "$tout"
sed 's/"eth0" \]/"k6nosuch0" ]/' "$conf" >"$KK_WORK/noif.conf"
tout=$(ip netns exec "$SRV" "$BIN" -t "$KK_WORK/noif.conf" 2>&1 >/dev/null); trc=$?
kk_assert_eq "-t with a missing interface exits 1" 1 "$trc"
kk_assert_match "-t names the missing interface on stderr" "^Error encountered: Failed to select interface: interface 'k6nosuch0' doesn't exist in the system$" "$tout"

start_server() {
    : >"$out"
    ip netns exec "$SRV" "$BIN" -c "$conf" >>"$out" 2>&1 &
    KK_SERVER_PID=$!
    KK_PIDS+=("$KK_SERVER_PID")
    local i
    for i in $(seq 1 100); do
        grep -q DHCP6_STARTED "$out" && [ -S "$sock" ] && return 0
        kill -0 "$KK_SERVER_PID" 2>/dev/null || return 1
        sleep 0.1
    done
    return 1
}
ctl() { "$KK_PY" "$KK_LIB_DIR/ctl.py" --timeout 5 "$sock" "$@"; }

echo "== start"
start_server || kk_die "kakapo-dhcp6 did not start"
kk_assert "DHCP6_STARTING logged" grep -q 'INFO  \[kea-dhcp6\.dhcp6/[0-9.]*\] DHCP6_STARTING Kakapo DHCPv6 server version' "$out"
kk_assert "DHCP6_STARTED logged" grep -q '\[kea-dhcp6\.dhcp6/[0-9.]*\] DHCP6_STARTED Kakapo DHCPv6 server version .* started' "$out"
kk_assert "listening on eth0 logged" grep -q 'DHCPSRV_CFGMGR_ADD_IFACE listening on interface eth0' "$out"
kk_assert "UDP [::]:547 is bound" sh -c "ip netns exec '$SRV' ss -6 -u -l -n | grep -q '\]:547 '"
kk_assert "eth0 joined ff02::1:2" sh -c "ip -n '$SRV' -6 maddr show dev eth0 | grep -q 'ff02::1:2$'"
kk_assert "PID file names the server" sh -c "[ \"\$(cat '$state/run/kea/kea-dhcp6.kea-dhcp6.pid')\" = '$KK_SERVER_PID' ]"

echo "== control socket"
cmds=$(ctl list-commands | kk_json '" ".join(d["arguments"])')
for c in list-commands config-get config-test config-reload config-write status-get version-get build-report shutdown; do
    kk_assert_match "list-commands has $c" "(^| )$c( |$)" "$cmds"
done
for c in lease6-add lease6-get lease6-get-page lease6-del lease6-wipe lease6-write leases-reclaim statistic-get-all; do
    kk_assert_match "list-commands has $c" "(^| )$c( |$)" "$cmds"
done
kk_assert "list-commands has no lease4-write" sh -c "! printf '%s' '$cmds' | grep -q lease4-write"
kk_assert_eq "lease6-add answers 0" 0 "$(ctl lease6-add '{"ip-address": "2001:db8:1::abcd", "duid": "01:02:03:04", "iaid": 1}' | kk_json 'd["result"]')"
kk_assert_eq "lease6-get finds it" "01:02:03:04" "$(ctl lease6-get '{"ip-address": "2001:db8:1::abcd"}' | kk_json 'd["arguments"]["duid"]')"
kk_assert_eq "lease6-write answers 0" 0 "$(ctl lease6-write "{\"filename\": \"$state/copy6.csv\"}" | kk_json 'd["result"]')"
kk_assert "lease6-write wrote the lease" grep -q '^2001:db8:1::abcd,01:02:03:04,' "$state/copy6.csv"
kk_assert_eq "lease6-del answers 0" 0 "$(ctl lease6-del '{"ip-address": "2001:db8:1::abcd"}' | kk_json 'd["result"]')"
kk_assert_eq "statistic-get-all answers 0" 0 "$(ctl statistic-get-all | kk_json 'd["result"]')"
got=$(ctl config-get | kk_json 'd["arguments"]["Dhcp6"]["subnet6"][0]["subnet"]')
kk_assert_eq "config-get returns the running Dhcp6 config" "2001:db8:1::/64" "$got"
kk_assert_eq "status-get names the pid" "$KK_SERVER_PID" "$(ctl status-get | kk_json 'd["arguments"]["pid"]')"
kk_assert_eq "lease4-write is unsupported (result 2)" 2 "$(ctl lease4-write '{"filename": "/tmp/x"}' | kk_json 'd["result"]')"
kk_assert_eq "config-test of the sample passes" 0 \
    "$(ctl config-test "$(python3 -c 'import json,sys; sys.path.insert(0, sys.argv[2]); import ctl; print(json.dumps(ctl.load_kea_json(sys.argv[1])))' "$SAMPLE" "$KK_LIB_DIR")" | kk_json 'd["result"]')"
kk_assert_eq "config-reload succeeds" 0 "$(ctl config-reload | kk_json 'd["result"]')"
kill -HUP "$KK_SERVER_PID"
# Both reloads logged (the config-reload's line alone would end a wait for one).
kk_wait_for 5 sh -c '[ "$(grep -c DHCP6_DYNAMIC_RECONFIGURATION_SUCCESS "$1" 2>/dev/null)" -ge 2 ]' _ "$out"
kk_assert_ge "SIGHUP and config-reload reconfigure" "$(grep -c DHCP6_DYNAMIC_RECONFIGURATION_SUCCESS "$out")" 2

echo "== server-id file"
sid="$state/lib/kea/kea-dhcp6-serverid"
kk_assert "server-id file created" test -s "$sid"
duid1=$(cat "$sid" 2>/dev/null)
kk_assert_match "server-id is a DUID-LLT in Kea's text form" '^00:01:00:01(:[0-9a-f]{2}){10}$' "$duid1"
macs=$(ip -n "$SRV" -o link | grep -o 'link/ether [0-9a-f:]*' | awk '{print $2}' | tr '\n' ' ')
kk_assert_match "its link-layer part is a server interface's MAC" "(^| )${duid1:24}( |$)" "$macs"
kk_assert "DHCP6_SERVERID logged as written" grep -q "DHCP6_SERVERID server DUID $duid1 (written to $sid)" "$out"
kk_assert "leases6 file created with Kea's header" sh -c "head -n1 '$state/lib/kea/kea-leases6.csv' | grep -q '^address,duid,valid_lifetime,expire,subnet_id,pref_lifetime,lease_type,iaid,prefix_len'"

echo "== shutdown and restart"
kk_assert_eq "shutdown answers 0" 0 "$(ctl shutdown | kk_json 'd["result"]')"
for _ in $(seq 1 50); do kill -0 "$KK_SERVER_PID" 2>/dev/null || break; sleep 0.1; done
kk_assert "server exited after shutdown" sh -c "! kill -0 $KK_SERVER_PID 2>/dev/null"
wait "$KK_SERVER_PID" 2>/dev/null; src=$?
kk_assert_eq "exit status 0" 0 "$src"
kk_assert "DHCP6_SHUTDOWN logged" grep -q 'DHCP6_SHUTDOWN server shutdown' "$out"
sleep 1   # a DUID-LLT generated now would carry another time
start_server || kk_die "kakapo-dhcp6 did not restart"
kk_assert_eq "server-id file unchanged across a restart" "$duid1" "$(cat "$sid")"
kk_assert "DHCP6_SERVERID logged as read" grep -q "DHCP6_SERVERID server DUID $duid1 (read from $sid)" "$out"

echo "== does the engine answer?"
answer=$(ip netns exec "$CLI" python3 - <<'PY'
import os, socket, struct, time
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("::", 546))
idx = socket.if_nametoindex("eth0")
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_IF, idx)
duid = struct.pack("!HH", 3, 1) + bytes([2, 0, 0, 0x6b, 0x36, 1])
opts = struct.pack("!HH", 1, len(duid)) + duid
opts += struct.pack("!HHH", 8, 2, 0)
opts += struct.pack("!HHIII", 3, 12, 1, 0, 0)
msg = bytes([1]) + os.urandom(3) + opts
s.settimeout(0.5)
deadline = time.time() + 3
got = "none"
while time.time() < deadline and got == "none":
    s.sendto(msg, ("ff02::1:2", 547, 0, idx))
    try:
        data, src = s.recvfrom(2048)
        if data[:1] == b"\x02" and data[1:4] == msg[1:4]:
            got = "advertise"
    except socket.timeout:
        pass
print(got)
PY
)
if [ "$answer" != advertise ]; then
    kk_skip "dhclient -6: engine does not answer yet (no Advertise to a Solicit within 3 s)"
else
    echo "== dhclient -6"
    cl="$KK_WORK/dhclient6.leases"; cpid="$KK_WORK/dhclient6.pid"
    ip netns exec "$CLI" timeout 30 dhclient -6 -1 -v -sf /bin/true -lf "$cl" -pf "$cpid" eth0 \
        >"$KK_WORK/dhclient.out" 2>&1; drc=$?
    [ -s "$cpid" ] && KK_PIDS+=("$(cat "$cpid")")
    kk_assert_eq "dhclient -6 -1 got a lease (exit 0)" 0 "$drc"
    addr=$(grep -o 'iaaddr [0-9a-f:]*' "$cl" 2>/dev/null | tail -n1 | awk '{print $2}')
    kk_assert_match "dhclient's address is from the pool" '^2001:db8:1::1[0-9a-f]{2}$' "$addr"
    kk_assert "the server's leases6 file has that address" grep -q "^$addr," "$state/lib/kea/kea-leases6.csv"
fi

kk_finish
