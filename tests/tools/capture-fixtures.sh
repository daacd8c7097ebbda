#!/usr/bin/env bash
# Capture real client packets for codec fixtures: dhclient, busybox udhcpc and
# dhcpcd each get, renew and release a lease from Debian's kea-dhcp4 inside
# network namespaces while tcpdump records the link.  The UDP payloads go to
#   Tests/Fixtures/packets/<client>/{discover,request,renew-request,release}.bin
#   Tests/Fixtures/packets/kea-2.2/<client>-{offer,ack}.bin   (Kea's replies)
# with a PROVENANCE.md per folder and the raw capture.pcap.
# Usage: tests/tools/capture-fixtures.sh [OUTDIR]   (default Tests/Fixtures/packets)
DHCP4_SERVER=kea
. "$(dirname "$0")/../integration/lib.sh"
out=${1:-$KK_REPO_ROOT/Tests/Fixtures/packets}
kk_init
kk_need dhclient udhcpc dhcpcd tcpdump nsenter
kk_topology eth0 192.0.2.1/24
conf="$KK_WORK/kea-dhcp4.conf"
csv="$KK_WORK/leases4.csv"
kk_write_basic_config "$conf" 3 5 30
kk_server_start_ready "$conf"
today=$(date -u +%F)
kea_version=$(kea-dhcp4 -v 2>&1 | head -n1)
kea_pkg=$(dpkg-query -W -f '${Version}' kea-dhcp4-server 2>/dev/null)
declare -A mac=([dhclient]=02:00:00:00:20:01 [udhcpc]=02:00:00:00:20:02 [dhcpcd]=02:00:00:00:20:03)
declare -A pkg=([dhclient]=isc-dhcp-client [udhcpc]=udhcpc [dhcpcd]=dhcpcd-base)
mkdir -p "$out/kea-2.2"
: >"$KK_WORK/kea-files.txt"

for client in dhclient udhcpc dhcpcd; do
    echo "== $client"
    kk_add_client "$client" "${mac[$client]}"
    d=$(kk_cdir "$client")
    case "$client" in
        # The distribution's own configuration (dhclient sends its host name, here "kk-client").
        dhclient) cp /etc/dhcp/dhclient.conf "$d/dhclient.conf" ;;
    esac
    pcap="$KK_WORK/$client.pcap"
    ip netns exec "$KK_SRV_NS" tcpdump -i eth0 -n -U -Z root -s 0 -w "$pcap" 'udp and (port 67 or port 68)' \
        >"$KK_WORK/tcpdump-$client.out" 2>&1 &
    tpid=$!
    KK_PIDS+=("$tpid")
    kk_wait_for 10 grep -q 'listening on' "$KK_WORK/tcpdump-$client.out" || kk_die "tcpdump did not start"
    kk_client_start "$client" "$client"
    kk_client_wait_bound "$client" 30 || kk_die "$client got no lease"
    n0=$(kk_leases "$csv" --mac "${mac[$client]}" --count)
    more_rows() { [ "$(kk_leases "$csv" --mac "${mac[$client]}" --count)" -gt "$n0" ] &&
                  [ "$(kk_leases "$csv" --mac "${mac[$client]}" --last --field state)" = 0 ]; }
    kk_wait_for 25 more_rows || kk_log "$client: no renewal seen within 25 s"
    sleep 0.5
    kk_client_release "$client"
    sleep 1
    kill -INT "$tpid" 2>/dev/null
    kk_kill_pid "$tpid" 5
    "$KK_PY" "$KK_LIB_DIR/../tools/pcapdhcp.py" list "$pcap" | sed 's/^/    /'
    rm -rf "$KK_WORK/srv-$client"
    mkdir -p "$out/$client"
    rm -f "$out/$client"/*.bin
    "$KK_PY" "$KK_LIB_DIR/../tools/pcapdhcp.py" extract "$pcap" "$out/$client" --mac "${mac[$client]}" \
        --server-dir "$KK_WORK/srv-$client" | sed "s|$KK_REPO_ROOT/||; s/^/    wrote /"
    for f in offer ack; do
        if [ -f "$KK_WORK/srv-$client/$f.bin" ]; then
            cp "$KK_WORK/srv-$client/$f.bin" "$out/kea-2.2/$client-$f.bin"
            echo "$client-$f.bin" >>"$KK_WORK/kea-files.txt"
        fi
    done
    cp "$pcap" "$out/$client/capture.pcap"
    for f in discover request renew-request release; do
        if [ -f "$out/$client/$f.bin" ]; then kk_pass "$client: $f.bin"; else kk_fail "$client: no $f.bin captured"; fi
    done
    version=$(dpkg-query -W -f '${Package} ${Version}' "${pkg[$client]}" 2>/dev/null)
    case "$client" in
        dhclient) cmd="dhclient -4 -d -v -cf dhclient.conf (Debian's /etc/dhcp/dhclient.conf) -lf ... -pf ... -sf /sbin/dhclient-script eth0; release: dhclient -4 -r (same options)" ;;
        udhcpc)   cmd="udhcpc -f -i eth0 -s /etc/udhcpc/default.script -t 10 -T 2 -A 3 -p ...; release: SIGUSR2" ;;
        dhcpcd)   cmd="dhcpcd -4 -B -d -f dhcpcd.conf -t 30 eth0 (Debian's dhcpcd.conf plus ipv4only, noipv4ll, noarp, nodelay, nohook hostname/ntp); release: dhcpcd -4 -k eth0" ;;
    esac
    {
        echo "# $client packets"
        echo
        echo "Captured by \`tests/tools/capture-fixtures.sh\` on $today (UTC, clock of the build VM), Debian 12."
        echo
        echo "- client: $version"
        echo "- command: \`$cmd\`"
        echo "- client hardware address: ${mac[$client]} (interface eth0 in its own network namespace, host name kk-client)"
        echo "- server: $kea_version (Debian kea-dhcp4-server $kea_pkg), 192.0.2.1 on eth0, subnet 192.0.2.0/24,"
        echo "  pool 192.0.2.100-192.0.2.199, renew-timer 3, rebind-timer 5, valid-lifetime 30,"
        echo "  options routers 192.0.2.1, domain-name-servers 192.0.2.53, 192.0.2.54, domain-name kakapo.example"
        echo "- capture: tcpdump on the server's interface, \`udp and (port 67 or port 68)\` -> capture.pcap;"
        echo "  payloads (the UDP data, i.e. the BOOTP/DHCP message) extracted by tests/tools/pcapdhcp.py"
        echo
        echo "| file | what | bytes | sha256 |"
        echo "| --- | --- | --- | --- |"
        for f in discover request renew-request reboot-request release; do
            [ -f "$out/$client/$f.bin" ] || continue
            case $f in
                discover) w="first DHCPDISCOVER (broadcast)";;
                request) w="first DHCPREQUEST in SELECTING (server identifier + requested address)";;
                renew-request) w="first DHCPREQUEST in RENEWING (ciaddr set, unicast)";;
                reboot-request) w="first DHCPREQUEST in INIT-REBOOT";;
                release) w="DHCPRELEASE";;
            esac
            echo "| $f.bin | $w | $(stat -c %s "$out/$client/$f.bin") | \`$(sha256sum "$out/$client/$f.bin" | cut -c1-16)…\` |"
        done
        echo
        echo "Packet list of capture.pcap:"
        echo
        echo '```'
        "$KK_PY" "$KK_LIB_DIR/../tools/pcapdhcp.py" list "$pcap"
        echo '```'
    } >"$out/$client/PROVENANCE.md"
done

{
    echo "# Kea 2.2 replies"
    echo
    echo "DHCPOFFER and DHCPACK payloads sent by $kea_version (Debian kea-dhcp4-server $kea_pkg)"
    echo "to each client, from the same captures as ../<client>/ (see their PROVENANCE.md),"
    echo "captured on $today by \`tests/tools/capture-fixtures.sh\`. Server 192.0.2.1, raw sockets,"
    echo "replies sent to the client's MAC, renew-timer 3, rebind-timer 5, valid-lifetime 30."
    echo
    echo "| file | bytes |"
    echo "| --- | --- |"
    while read -r f; do echo "| $f | $(stat -c %s "$out/kea-2.2/$f") |"; done <"$KK_WORK/kea-files.txt"
} >"$out/kea-2.2/PROVENANCE.md"
kk_server_stop
kk_finish
