#!/usr/bin/env bash
# The DHCP daemons' built-in commands Kea 2.4 has: dhcp-disable / dhcp-enable, server-tag-get,
# config-backend-pull, config-hash-get, shutdown's exit-value.
#  1. kakapo-dhcp4 / kakapo-dhcp6 and kea-dhcp4 / kea-dhcp6 (2.2) on the same configuration:
#     daemon_builtins_diff.py sends each the same commands and compares results and texts;
#     config-hash-get is checked on Kakapo alone (Kea 2.2 lacks it).
#  2. A disabled kakapo-dhcp4 drops a DISCOVER (DHCP4_PACKET_DROP_0008 in its debug log) and
#     offers again after dhcp-enable, and after a max-period runs out.
#  3. shutdown {"exit-value": 3}: the process exits with 3.
#  4. kakapo-dhcp-ddns's config-hash-get: 64 uppercase hex digits, changed by config-set.
. "$(dirname "$0")/lib.sh"
kk_init
KEA4=${KEA_DHCP4:-$(command -v kea-dhcp4 || echo /usr/sbin/kea-dhcp4)}
KEA6=${KEA_DHCP6:-$(command -v kea-dhcp6 || echo /usr/sbin/kea-dhcp6)}
KK6=${KAKAPO_DHCP6:-$KK_REPO_ROOT/.build/debug/kakapo-dhcp6}
[ -x "$KK6" ] || kk_die "kakapo-dhcp6 not found: $KK6"
NS="$KK_ID-bi"
kk_netns6_add "$NS"

# start NAME BINARY FAMILY : a server on its own config and socket in $KK_WORK/NAME
start() {
    local name=$1 bin=$2 fam=$3 dir="$KK_WORK/$1" subnets serverid=""
    mkdir -p "$dir"
    if [ "$fam" = 4 ]; then
        subnets='"subnet4": [ { "id": 1, "subnet": "10.0.0.0/24", "pools": [ { "pool": "10.0.0.10 - 10.0.0.29" } ] } ]'
    else
        serverid='"server-id": { "type": "EN", "enterprise-id": 2495, "identifier": "0123456789", "persist": false },'
        subnets='"subnet6": [ { "id": 1, "subnet": "2001:db8:1::/64", "pools": [ { "pool": "2001:db8:1::10 - 2001:db8:1::2f" } ] } ]'
    fi
    cat >"$dir/conf.json" <<EOC
{ "Dhcp$fam": {
    "interfaces-config": { "interfaces": [ ] },
    "control-socket": { "socket-type": "unix", "socket-name": "$dir/ctrl.sock" },
    "lease-database": { "type": "memfile", "persist": false },
    "server-tag": "alpha",$serverid
    "valid-lifetime": 4000,
    $subnets,
    "loggers": [ { "name": "kea-dhcp$fam", "output_options": [ { "output": "$dir/server.log" } ], "severity": "INFO" } ]
} }
EOC
    kk_start_private "$NS" "$name" "$bin"
}

if [ -x "$KEA4" ] && [ -x "$KEA6" ]; then
    for fam in 4 6; do
        echo "== DHCPv$fam: kakapo-dhcp$fam against kea-dhcp$fam"
        if [ "$fam" = 4 ]; then kk=$KK_SERVER_BIN; kea=$KEA4; else kk=$KK6; kea=$KEA6; fi
        start "kakapo$fam" "$kk" "$fam"
        start "kea$fam" "$kea" "$fam"
        out=$("$KK_PY" "$KK_LIB_DIR/daemon_builtins_diff.py" "$fam" "$KK_WORK/kakapo$fam/ctrl.sock" \
              "$KK_WORK/kea$fam/ctrl.sock" "$KK_WORK/kakapo$fam/conf.json" 2>&1)
        kk_add_checker_output "$out" || continue
        kk_assert_ge "DHCPv$fam: enough checks ran" "$KK_CHECKER_PASSED" 35
        for s in "kakapo$fam" "kea$fam"; do
            pid_var="PID_$s"
            kk_assert "$s still running (a refused shutdown keeps it)" kill -0 "${!pid_var}"
        done
        # shutdown with an exit-value: the process exits with it.
        pid_var="PID_kakapo$fam"; pid=${!pid_var}
        kk_assert_eq "kakapo-dhcp$fam: shutdown {exit-value 3} answers" 0 \
            "$("$KK_PY" "$KK_LIB_DIR/ctl.py" --timeout 5 "$KK_WORK/kakapo$fam/ctrl.sock" shutdown '{"exit-value": 3}' | kk_json 'd["result"]')"
        wait "$pid"; rc=$?
        kk_assert_eq "kakapo-dhcp$fam exits with the exit-value" 3 "$rc"
        kk_kill_pid "$(eval echo "\$PID_kea$fam")" 5
    done
else
    kk_skip "Kea (kea-dhcp4, kea-dhcp6) not installed: no differential part"
fi

echo "== kakapo-dhcp-ddns: config-hash-get"
D2=${KAKAPO_DHCP_DDNS:-$KK_REPO_ROOT/.build/debug/kakapo-dhcp-ddns}
if [ -x "$D2" ]; then
    d2dir="$KK_WORK/d2"; mkdir -p "$d2dir/root/run/kea"
    cat >"$d2dir/conf.json" <<EOC
{ "DhcpDdns": { "ip-address": "127.0.0.1", "port": 53001,
    "control-socket": { "socket-type": "unix", "socket-name": "$d2dir/ctrl.sock" },
    "loggers": [ { "name": "kea-dhcp-ddns", "output_options": [ { "output": "$d2dir/server.log" } ], "severity": "INFO" } ] } }
EOC
    ip netns exec "$NS" env KEA_PIDFILE_DIR="$d2dir/root/run/kea" "$D2" -c "$d2dir/conf.json" >"$d2dir/server.out" 2>&1 &
    d2pid=$!; KK_PIDS+=("$d2pid")
    d2() { "$KK_PY" "$KK_LIB_DIR/ctl.py" --timeout 5 "$d2dir/ctrl.sock" "$@"; }
    for ((i = 0; i < 50; i++)); do d2 status-get >/dev/null 2>&1 && break; sleep 0.2; done
    h1=$(d2 config-hash-get | kk_json 'd["arguments"]["hash"]')
    kk_assert_match "kakapo-dhcp-ddns config-hash-get: 64 uppercase hex digits" '^[0-9A-F]{64}$' "$h1"
    kk_assert_match "kakapo-dhcp-ddns lists config-hash-get" '"config-hash-get"' "$(d2 list-commands)"
    cfg=$(d2 config-get | kk_json 'd["arguments"]' | "$KK_PY" -c 'import json,sys; d=json.load(sys.stdin); d["DhcpDdns"]["port"]=53002; print(json.dumps(d))')
    kk_assert_eq "kakapo-dhcp-ddns config-set of another port" 0 "$(d2 config-set "$cfg" | kk_json 'd["result"]')"
    h2=$(d2 config-hash-get | kk_json 'd["arguments"]["hash"]')
    kk_assert_match "kakapo-dhcp-ddns config-hash-get after config-set: 64 hex digits" '^[0-9A-F]{64}$' "$h2"
    kk_assert_ne "kakapo-dhcp-ddns config-hash-get changes with the configuration" "$h1" "$h2"
    kk_kill_pid "$d2pid" 5
else
    kk_skip "kakapo-dhcp-ddns not built"
fi

echo "== a disabled kakapo-dhcp4 drops a DISCOVER"
kk_topology eth0 192.0.2.1/24
SRV_MAC=02:00:00:00:01:01
ip -n "$KK_SRV_NS" link set eth0 address "$SRV_MAC"
conf="$KK_WORK/kea-dhcp4.conf"
KK_SERVER_DEBUG=1 kk_write_basic_config "$conf"
kk_server_start_ready "$conf"
kk_add_client probe 02:00:00:00:00:aa
pns=${KK_CNS[probe]}
n=0
# discover MAC : one DISCOVER; prints the reply type ("none" for silence)
discover() {
    n=$((n + 1))
    printf 'discover mac=%s\n' "$1" >"$KK_WORK/probe-$n.script"
    timeout 30 ip netns exec "$pns" "$KK_PY" "$KK_LIB_DIR/dhcp4probe.py" run "$KK_WORK/probe-$n.script" \
        --ifname eth0 --server-ip 192.0.2.1 --server-mac "$SRV_MAC" --timeout 2 2>>"$KK_WORK/probe.err" \
        | "$KK_PY" -c 'import json,sys
for l in sys.stdin:
    r = json.loads(l)["reply"]
    print("none" if not isinstance(r, dict) else r["type"])'
}
result() { kk_json 'd["result"]'; }
kk_assert_eq "enabled: DISCOVER gets an OFFER" DHCPOFFER "$(discover 02:00:00:00:0a:01)"
kk_assert_eq "dhcp-disable" 0 "$(kk_ctl dhcp-disable | result)"
received=$(kk_stat pkt4-received)
kk_assert_eq "disabled: DISCOVER is dropped" none "$(discover 02:00:00:00:0a:02)"
kk_assert_match "the drop is logged as Kea does" \
    'DHCP4_PACKET_DROP_0008 \[hwtype=1 \], cid=\[no info\], tid=0x0: DHCP service is globally disabled' "$(cat "$KK_SERVER_OUT")"
kk_assert_eq "the dropped DISCOVER is not counted (as in Kea)" "$received" "$(kk_stat pkt4-received)"
kk_assert_eq "dhcp-enable" 0 "$(kk_ctl dhcp-enable | result)"
kk_assert_eq "after dhcp-enable: DISCOVER gets an OFFER" DHCPOFFER "$(discover 02:00:00:00:0a:03)"
kk_assert_eq "dhcp-disable {max-period 3}" "DHCPv4 service disabled for 3 seconds" \
    "$(kk_ctl dhcp-disable '{"max-period": 3}' | kk_json 'd["text"]')"
kk_assert_eq "within max-period: DISCOVER is dropped" none "$(discover 02:00:00:00:0a:04)"
sleep 2
kk_assert_eq "after max-period ran out: DISCOVER gets an OFFER" DHCPOFFER "$(discover 02:00:00:00:0a:05)"
kk_assert_eq "dhcp-disable {origin ha-partner}" 0 "$(kk_ctl dhcp-disable '{"origin": "ha-partner"}' | result)"
kk_assert_eq "dhcp-enable for the user only" 0 "$(kk_ctl dhcp-enable | result)"
kk_assert_eq "still disabled by the HA partner: dropped" none "$(discover 02:00:00:00:0a:06)"
kk_assert_eq "dhcp-enable {origin ha-partner}" 0 "$(kk_ctl dhcp-enable '{"origin": "ha-partner"}' | result)"
kk_assert_eq "enabled by both: OFFER" DHCPOFFER "$(discover 02:00:00:00:0a:07)"
kk_assert "server still running" kk_server_alive
kk_line=$(grep -o 'DHCP4_PACKET_DROP_0008.*' "$KK_SERVER_OUT" | head -n1)

if [ -x "$KEA4" ]; then
    echo "== kea-dhcp4 on the same configuration: the same drop line, not counted either"
    kk_server_stop
    KK_SERVER_BIN=$KEA4 kk_server_start_ready "$conf"
    kk_assert_eq "kea-dhcp4: dhcp-disable" 0 "$(kk_ctl dhcp-disable | result)"
    received=$(kk_stat pkt4-received)
    kk_assert_eq "kea-dhcp4 disabled: DISCOVER is dropped" none "$(discover 02:00:00:00:0a:08)"
    kk_assert_eq "kea-dhcp4 does not count it" "$received" "$(kk_stat pkt4-received)"
    kea_line=$(grep -o 'DHCP4_PACKET_DROP_0008.*' "$KK_SERVER_OUT" | head -n1)
    kk_assert_eq "kakapo-dhcp4 logs the drop as kea-dhcp4 does" "$kea_line" "$kk_line"
fi
kk_finish
