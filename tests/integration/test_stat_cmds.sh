#!/usr/bin/env bash
# Statistics over the control socket, differential against Kea 2.2: kakapo-dhcp4 and
# kakapo-dhcp6 and kea-dhcp4 / kea-dhcp6 run on the same configuration (two subnets,
# libdhcp_lease_cmds.so and libdhcp_stat_cmds.so, statistic-default-sample-count 5), and
# stat_cmds_diff.py sends each of them the same lease*-add/del commands, every statistic-*
# command (retention by count and age, reset, remove and the statistic coming back, the -all
# forms, argument errors) and stat-lease4-get / stat-lease6-get in each argument form, and
# compares result codes, texts and sample values. Kea binaries: KEA_DHCP4 / KEA_DHCP6.
. "$(dirname "$0")/lib.sh"
DHCP4_SERVER=kakapo
kk_init
KEA4=${KEA_DHCP4:-$(command -v kea-dhcp4 || echo /usr/sbin/kea-dhcp4)}
KEA6=${KEA_DHCP6:-$(command -v kea-dhcp6 || echo /usr/sbin/kea-dhcp6)}
KK6=${KAKAPO_DHCP6:-$KK_REPO_ROOT/.build/debug/kakapo-dhcp6}
[ -x "$KEA4" ] && [ -x "$KEA6" ] || { kk_skip "Kea (kea-dhcp4, kea-dhcp6) not installed"; kk_finish; }
[ -x "$KK6" ] || kk_die "kakapo-dhcp6 not found: $KK6"
HOOKS=""
for d in /usr/lib/x86_64-linux-gnu/kea/hooks /usr/lib/kea/hooks /usr/local/lib/kea/hooks; do
    [ -f "$d/libdhcp_stat_cmds.so" ] && { HOOKS=$d; break; }
done
[ -n "$HOOKS" ] || { kk_skip "Kea's libdhcp_stat_cmds.so not installed"; kk_finish; }
NS="$KK_ID-st"
kk_netns6_add "$NS"

# start NAME BINARY FAMILY : a server on its own config, lease file and socket in $KK_WORK
start() {
    local name=$1 bin=$2 fam=$3 dir="$KK_WORK/$1"
    mkdir -p "$dir"
    local subnets serverid=""
    [ "$fam" = 6 ] && serverid='
    "server-id": { "type": "EN", "enterprise-id": 2495, "identifier": "0123456789", "persist": false },'
    if [ "$fam" = 4 ]; then
        subnets='"subnet4": [
          { "id": 1, "subnet": "10.0.0.0/24", "pools": [ { "pool": "10.0.0.10 - 10.0.0.29" } ] },
          { "id": 3, "subnet": "10.0.3.0/24", "pools": [ { "pool": "10.0.3.10 - 10.0.3.19" } ] } ]'
    else
        subnets='"subnet6": [
          { "id": 1, "subnet": "2001:db8:1::/64", "pools": [ { "pool": "2001:db8:1::10 - 2001:db8:1::2f" } ],
            "pd-pools": [ { "prefix": "2001:db8:8::", "prefix-len": 56, "delegated-len": 64 } ] },
          { "id": 3, "subnet": "2001:db8:3::/64", "pools": [ { "pool": "2001:db8:3::10 - 2001:db8:3::1f" } ] } ]'
    fi
    cat >"$dir/conf.json" <<EOC
{ "Dhcp$fam": {
    "interfaces-config": { "interfaces": [ ] },
    "control-socket": { "socket-type": "unix", "socket-name": "$dir/ctrl.sock" },
    "lease-database": { "type": "memfile", "persist": true, "name": "$dir/leases.csv", "lfc-interval": 0 },
    "hooks-libraries": [ { "library": "$HOOKS/libdhcp_lease_cmds.so" }, { "library": "$HOOKS/libdhcp_stat_cmds.so" } ],
    "statistic-default-sample-count": 5,$serverid
    "valid-lifetime": 4000,
    $subnets,
    "loggers": [ { "name": "kea-dhcp$fam", "output_options": [ { "output": "$dir/server.log" } ], "severity": "INFO" } ]
} }
EOC
    kk_start_private "$NS" "$name" "$bin"
}

for fam in 4 6; do
    echo "== DHCPv$fam: kakapo-dhcp$fam against kea-dhcp$fam"
    if [ "$fam" = 4 ]; then kk=$KK_SERVER_BIN; kea=$KEA4; else kk=$KK6; kea=$KEA6; fi
    start "kakapo$fam" "$kk" "$fam"
    start "kea$fam" "$kea" "$fam"
    out=$("$KK_PY" "$KK_LIB_DIR/stat_cmds_diff.py" "$fam" "$KK_WORK/kakapo$fam/ctrl.sock" "$KK_WORK/kea$fam/ctrl.sock" 2>&1)
    kk_add_checker_output "$out" || continue
    kk_assert_ge "DHCPv$fam: enough checks ran" "$KK_CHECKER_PASSED" 130
    for s in "kakapo$fam" "kea$fam"; do
        pid_var="PID_$s"
        kk_assert "$s still running" kill -0 "${!pid_var}"
        kk_kill_pid "${!pid_var}" 5
    done
done
kk_finish
