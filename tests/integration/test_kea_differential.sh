#!/usr/bin/env bash
# Differential test against Debian's Kea 2.2: for each case in kea-diff/<case>/ the same
# config (config.json) and the same scripted packets (script, dhcp4probe.py) go to kea-dhcp4
# and to kakapo-dhcp4, each in its own lab (server namespace + switch + probe namespace,
# identical addresses and MACs, run side by side); the normalized replies must be equal.
#
# A case directory may hold:
#   expect-differ  Kea 2.4 (which Kakapo follows) behaves differently from Kea 2.2 here; the
#                  file says why (ARM reference). The diff is shown, not counted.
#   known-differ   a Kakapo bug, to be fixed; the diff is shown, not counted. When the case
#                  matches again the test says so (remove the mark).
#                  In both, a line "steps: 2 5" limits the allowance to those steps: a
#                  difference in any other step fails the test.
#   compare-l2     also compare where replies go at layer 2 (Ethernet broadcast or unicast)
#   kea-rejects-config (with expect-differ)  the config uses a Kea 2.4 keyword Kea 2.2 refuses:
#                  only kakapo runs, and its replies are checked against the expect= steps
# Steps with expect=TYPE are checked against Kea's replies (so the probe and the lab are
# known to work: a case where both servers stay silent by accident would otherwise pass).
#
#   KD_CASES="dora-direct inform"   run only these cases
#   KEA_DHCP4=PATH                  kea binary (default kea-dhcp4 from PATH)
# Without kea-dhcp4 the test is skipped, unless CI=true (make check installs it).
#
# KD_FAMILY=6 (test_kea6_differential.sh) runs the DHCPv6 cases of kea-diff6/ the same way:
# kea-dhcp6 and kakapo-dhcp6 (KEA_DHCP6, KAKAPO_DHCP6), dhcp6probe.py, in a lab of a server
# namespace and a probe namespace joined by a veth (2001:db8::/32 only): server eth0
# 2001:db8:1::1/64 (+ link-local from its MAC), probe eth0 link-local (direct messages to
# ff02::1:2) and 2001:db8:1::2/64 (the emulated relay's source). The relay sends to the
# server's link-local address (Kea 2.2 binds its sockets to the link-local addresses and
# ff02::1:2; a global address only with "eth0/ADDR"). Server DUIDs differ: compared by
# presence only.
. "$(dirname "$0")/lib.sh"
family=${KD_FAMILY:-4}
if [ "$family" = 6 ]; then
    kk_init6
    KK_ID="kd6-$$"           # namespace prefix of this test (kd6-*)
    KD_DIR="$KK_LIB_DIR/kea-diff6"
    KEA_NAME=kea-dhcp6
    KEA_BIN=${KEA_DHCP6:-}
    PROBE="$KK_LIB_DIR/dhcp6probe.py"
    SRV_LL=fe80::ff:fe00:101
    PROBE_ARGS=(--relay-src 2001:db8:1::2 --server-ip "$SRV_LL" --timeout 0.5)
else
    kk_init
    KK_ID="kd-$$"            # namespace prefix of this test (kd-*)
    KD_DIR="$KK_LIB_DIR/kea-diff"
    KEA_NAME=kea-dhcp4
    KEA_BIN=${KEA_DHCP4:-}
    PROBE="$KK_LIB_DIR/dhcp4probe.py"
    PROBE_ARGS=(--server-ip 192.0.2.1 --server-mac 02:00:00:00:01:01 --timeout 1)
fi
KAKAPO_BIN=$KK_SERVER_BIN
[ "$DHCP4_SERVER" = kakapo ] || KAKAPO_BIN=${KAKAPO_DHCP4:-$KK_REPO_ROOT/.build/debug/kakapo-dhcp4}
KEA_BIN=${KEA_BIN:-$(command -v $KEA_NAME || true)}
[ -z "$KEA_BIN" ] && [ -x /usr/sbin/$KEA_NAME ] && KEA_BIN=/usr/sbin/$KEA_NAME
if [ -z "$KEA_BIN" ] || [ ! -x "$KEA_BIN" ]; then
    if [ "${CI:-}" = true ]; then
        kk_fail "$KEA_NAME not installed (CI=true: scripts/install-test-deps.sh installs $KEA_NAME-server)"
    else
        kk_skip "$KEA_NAME not installed: differential test skipped (apt-get install $KEA_NAME-server)"
    fi
    kk_finish
fi
[ -x "$KAKAPO_BIN" ] || kk_die "kakapo server not found: $KAKAPO_BIN"
kk_need ss
SRV_MAC=02:00:00:00:01:01
PROBE_MAC=02:00:00:00:02:01

# lab NAME: namespaces kd-PID-NAME-{srv,sw,pr}; server eth0 192.0.2.1/24, probe eth0 (no address)
lab4() {
    local n=$1 srv="$KK_ID-$1-srv" sw="$KK_ID-$1-sw" pr="$KK_ID-$1-pr"
    kk_netns_add "$srv"; kk_netns_add "$sw"; kk_netns_add "$pr"
    ip -n "$sw" link add br0 type bridge stp_state 0 forward_delay 0 || kk_die "bridge in $sw"
    ip -n "$sw" link set br0 up
    ip link add "$n-s" netns "$sw" type veth peer name eth0 netns "$srv" || kk_die "veth $n-s"
    ip link add "$n-p" netns "$sw" type veth peer name eth0 netns "$pr" || kk_die "veth $n-p"
    local p
    for p in "$n-s" "$n-p"; do ip -n "$sw" link set "$p" master br0; ip -n "$sw" link set "$p" up; done
    ip -n "$srv" link set eth0 address "$SRV_MAC"
    ip -n "$srv" addr add 192.0.2.1/24 dev eth0
    ip -n "$srv" link set eth0 up
    ip -n "$pr" link set eth0 address "$PROBE_MAC"
    ip -n "$pr" link set eth0 up
}
wait_ll() {   # wait_ll NS : eth0 has a usable link-local address (bounded)
    local i
    for i in $(seq 1 50); do
        ip -n "$1" -6 addr show dev eth0 scope link | grep -q 'inet6 fe80' &&
            ! ip -n "$1" -6 addr show dev eth0 | grep -q tentative && return 0
        sleep 0.1
    done
    return 1
}
# lab6 NAME: namespaces kd6-PID-NAME-{srv,pr} joined by a veth
lab6() {
    local srv="$KK_ID-$1-srv" pr="$KK_ID-$1-pr"
    kk_netns6_add "$srv"; kk_netns6_add "$pr"
    ip link add eth0 netns "$srv" type veth peer name eth0 netns "$pr" || kk_die "veth $1"
    ip -n "$srv" link set eth0 address "$SRV_MAC"
    ip -n "$pr" link set eth0 address "$PROBE_MAC"
    ip -n "$srv" addr add 2001:db8:1::1/64 dev eth0 nodad
    ip -n "$pr" addr add 2001:db8:1::2/64 dev eth0 nodad
    ip -n "$srv" link set eth0 up
    ip -n "$pr" link set eth0 up
    wait_ll "$srv" || kk_die "$srv link-local"
    wait_ll "$pr" || kk_die "$pr link-local"
}
lab$family kea
lab$family kk

declare -A SPID=()

# start_server WHO BIN CONFIG-TEMPLATE DIR : in lab WHO, private /run, /var/lib, /var/log
start_server() {
    local who=$1 bin=$2 tmpl=$3 d=$4 conf
    mkdir -p "$d/root/run/kea" "$d/root/var/lib/kea" "$d/root/var/log/kea"
    conf="$d/$who-$(basename "$(dirname "$tmpl")").json"
    sed -e "s|@IFACE@|eth0|g" -e "s|@LEASES@|$d/leases$family.csv|g" -e "s|@SOCKET@|$d/ctl.sock|g" \
        -e "s|@LOGGERS@|$(kk_config_loggers | sed "s/kea-dhcp4/$KEA_NAME/g")|g" "$tmpl" >"$conf"
    ip netns exec "$KK_ID-$who-srv" unshare --mount --propagation private \
        env KEA_PIDFILE_DIR="$d/root/run/kea" KEA_LOCKFILE_DIR="$d/root/run/kea" KAKAPO_LOCALSTATEDIR="$d/root/var" \
        "$KK_LIB_DIR/privroot.sh" "$d/root" "$bin" -c "$conf" >"$d/server.out" 2>&1 &
    SPID[$who]=$!
    KK_PIDS+=("$!")
}

# wait_ready WHO DIR : control socket answers within 15 s (v6: and port 547 is bound)
wait_ready() {
    local who=$1 d=$2 i
    for ((i = 0; i < 75; i++)); do
        kill -0 "${SPID[$who]}" 2>/dev/null || return 1
        if kk_pid_in_ns "${SPID[$who]}" "$KK_ID-$who-srv" &&
            "$KK_PY" "$KK_LIB_DIR/ctl.py" --timeout 2 "$d/ctl.sock" status-get >/dev/null 2>&1 &&
            { [ "$family" = 4 ] || ip netns exec "$KK_ID-$who-srv" ss -Hlun 'sport = :547' | grep -q .; }; then
            return 0
        fi
        sleep 0.2
    done
    return 1
}

stop_server() {
    local who=$1
    kk_kill_pid "${SPID[$who]}" 5
    SPID[$who]=""
}

cases=()
if [ -n "${KD_CASES:-}" ]; then
    for c in $KD_CASES; do [ -d "$KD_DIR/$c" ] || kk_die "no case $c in $KD_DIR"; cases+=("$c"); done
else
    for c in "$KD_DIR"/*/; do c=$(basename "$c"); [ -f "$KD_DIR/$c/script" ] && cases+=("$c"); done
fi
kk_log "kea=$KEA_BIN ($("$KEA_BIN" -v 2>/dev/null)) kakapo=$KAKAPO_BIN, ${#cases[@]} cases"

same=() differ=() marked=()
for c in "${cases[@]}"; do
    cd_="$KD_DIR/$c"
    echo "== $c"
    ok=1
    for who in kea kk; do
        d="$KK_WORK/$c/$who"; mkdir -p "$d"
        bin=$KEA_BIN; [ "$who" = kk ] && bin=$KAKAPO_BIN
        start_server "$who" "$bin" "$cd_/config.json" "$d"
    done
    who_run=(kea kk)
    for who in kea kk; do
        d="$KK_WORK/$c/$who"
        if ! wait_ready "$who" "$d"; then
            if [ "$who" = kea ] && [ -f "$cd_/expect-differ" ] && [ -f "$cd_/kea-rejects-config" ]; then
                kk_note "$c: Kea 2.2 rejects the config, as expected: $(grep -o 'reason: .*' "$d/server.out" | head -n 1 | sed 's|/tmp/[^ ]*json:||')"
                who_run=(kk)
                continue
            fi
            kk_fail "$c: $who server did not start"; sed 's/^/    /' "$d/server.out" | tail -n 15; ok=0
        fi
    done
    if [ "$ok" = 1 ]; then
        sleep 0.3                      # the packet sockets open around the control socket
        declare -A ppid=()
        for who in "${who_run[@]}"; do
            d="$KK_WORK/$c/$who"
            timeout 60 ip netns exec "$KK_ID-$who-pr" "$KK_PY" "$PROBE" run "$cd_/script" --ifname eth0 \
                "${PROBE_ARGS[@]}" >"$d/probe.out" 2>"$d/probe.err" &
            ppid[$who]=$!
            KK_PIDS+=("$!")
        done
        for who in "${who_run[@]}"; do
            wait "${ppid[$who]}" || { kk_fail "$c: probe against $who failed: $(tail -n 3 "$KK_WORK/$c/$who/probe.err")"; ok=0; }
        done
    fi
    for who in "${who_run[@]}"; do
        kill -0 "${SPID[$who]}" 2>/dev/null || { [ "$ok" = 1 ] && kk_fail "$c: $who server died during the case"; ok=0; }
        stop_server "$who"
    done
    [ "$ok" = 1 ] || { differ+=("$c (not run)"); continue; }
    kea_out="$KK_WORK/$c/kea/probe.out" kk_out="$KK_WORK/$c/kk/probe.out"
    if [ "${#who_run[@]}" = 1 ]; then
        # Kea 2.2 cannot load the config: the script's expect= steps (Kea 2.4 behaviour) are
        # checked on kakapo's replies instead.
        if chk=$("$KK_PY" "$PROBE" check "$kk_out"); then
            kk_pass "$c: kakapo's replies are the ones the script expects (Kea 2.4 behaviour)"
            marked+=("$c (expect-differ: Kea 2.2 rejects the config)")
        else
            kk_fail "$c: kakapo's replies are not what the script expects:"; echo "$chk"; differ+=("$c")
        fi
        continue
    fi
    if chk=$("$KK_PY" "$PROBE" check "$kea_out"); then
        kk_pass "$c: Kea's replies are the ones the script expects"
    else
        kk_fail "$c: Kea's replies are not what the script expects (lab or script broken):"; echo "$chk"
    fi
    l2=(); [ -f "$cd_/compare-l2" ] && l2=(--l2)
    mark=""
    for m in expect-differ known-differ; do [ -f "$cd_/$m" ] && mark=$m; done
    allow=()
    if [ -n "$mark" ]; then
        steps=$(sed -n 's/^steps: *//p' "$cd_/$mark" | tr -s ' ,' ',')
        [ -n "$steps" ] && allow=(--allow-steps "$steps")
    fi
    diff_txt=$("$KK_PY" "$PROBE" compare "$kea_out" "$kk_out" --labels kea,kakapo "${l2[@]}" "${allow[@]}")
    crc=$?
    if [ "$crc" = 0 ]; then
        if [ -f "$cd_/known-differ" ] || [ -f "$cd_/expect-differ" ]; then
            kk_note "$c: same replies as Kea 2.2 although marked $(ls "$cd_" | grep -E '^(known|expect)-differ$' | tr '\n' ' ')- remove the mark"
        fi
        kk_pass "$c: kakapo answers as Kea 2.2 ($(grep -c . "$kea_out") steps)"
        same+=("$c")
    else
        echo "$diff_txt"
        if [ -n "$mark" ] && [ "$crc" != 3 ]; then
            kk_fail "$c: kakapo's replies differ from Kea 2.2's beyond the steps its $mark names (above)"
            differ+=("$c")
        elif [ -f "$cd_/expect-differ" ]; then
            kk_note "$c: differs as expected (Kea 2.4 behaviour): $(head -n 1 "$cd_/expect-differ")"
            marked+=("$c (expect-differ)")
        elif [ -f "$cd_/known-differ" ]; then
            kk_note "$c: known Kakapo difference: $(head -n 1 "$cd_/known-differ")"
            marked+=("$c (known-differ)")
        else
            kk_fail "$c: kakapo's replies differ from Kea 2.2's (above; $(basename "$KD_DIR")/$c)"
            differ+=("$c")
        fi
    fi
done
echo "== summary: ${#same[@]} same, ${#marked[@]} marked, ${#differ[@]} differ"
[ ${#marked[@]} -gt 0 ] && printf '    marked: %s\n' "${marked[@]}"
[ ${#differ[@]} -gt 0 ] && printf '    DIFFER: %s\n' "${differ[@]}"
kk_finish
