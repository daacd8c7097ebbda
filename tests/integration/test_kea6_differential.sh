#!/usr/bin/env bash
# DHCPv6 differential test against Debian's Kea 2.2: for each case in kea-diff6/<case>/ the
# same config (config.json) and the same scripted messages (script, dhcp6probe.py) go to
# kea-dhcp6 and to kakapo-dhcp6, each in its own lab (server namespace + probe namespace joined
# by a veth, identical addresses and MACs, 2001:db8::/32 only, run side by side); the
# normalized replies must be equal (the server DUIDs differ: compared by presence only).
#
# Lab: server eth0 2001:db8:1::1/64 (+ link-local from MAC 02:00:00:00:01:01); probe eth0
# link-local (direct messages to ff02::1:2) and 2001:db8:1::2/64 (the emulated relay's source).
# The relay sends to the server's link-local address (Kea 2.2 binds its sockets to the
# link-local addresses and ff02::1:2; a global address only with "eth0/ADDR").
#
# A case directory holds config.json (@IFACE@, @SOCKET@, @LEASES@, @LOGGERS@ filled in
# here), script, and optionally the marks of test_kea_differential.sh:
#   expect-differ  Kea 2.4 (which Kakapo follows) differs from Kea 2.2 here (file says why)
#   known-differ   a Kakapo bug, to be fixed; the diff is shown, not counted
#   In both, "steps: 2 5" limits the allowance to those steps.
# Steps with expect=TYPE are checked against Kea's replies (the lab and script work).
#
#   KD_CASES="renew ia-pd"   run only these cases
#   KEA_DHCP6=PATH           kea binary (default kea-dhcp6 from PATH)
#   KAKAPO_DHCP6=PATH        default <repo>/.build/debug/kakapo-dhcp6
# Without kea-dhcp6 the test is skipped, unless CI=true.
. "$(dirname "$0")/lib.sh"
KAKAPO_DHCP4=${KAKAPO_DHCP6:-$KK_REPO_ROOT/.build/debug/kakapo-dhcp6}   # what kk_init checks
DHCP4_SERVER=kakapo
kk_init
KK_ID="kd6-$$"               # namespace prefix of this test (kd6-*)
KD_DIR="$KK_LIB_DIR/kea-diff6"
KAKAPO_BIN=$KAKAPO_DHCP4
KEA_BIN=${KEA_DHCP6:-$(command -v kea-dhcp6 || true)}
[ -z "$KEA_BIN" ] && [ -x /usr/sbin/kea-dhcp6 ] && KEA_BIN=/usr/sbin/kea-dhcp6
if [ -z "$KEA_BIN" ] || [ ! -x "$KEA_BIN" ]; then
    if [ "${CI:-}" = true ]; then
        kk_fail "kea-dhcp6 not installed (CI=true: scripts/install-test-deps.sh installs kea-dhcp6-server)"
    else
        kk_skip "kea-dhcp6 not installed: differential test skipped (apt-get install kea-dhcp6-server)"
    fi
    kk_finish
fi
[ -x "$KAKAPO_BIN" ] || kk_die "kakapo-dhcp6 not found: $KAKAPO_BIN"
PROBE="$KK_LIB_DIR/dhcp6probe.py"
SRV_MAC=02:00:00:00:01:01
PROBE_MAC=02:00:00:00:02:01
SRV_LL=fe80::ff:fe00:101

ns6_add() {
    ip netns add "$1" || kk_die "ip netns add $1"
    KK_NETNS+=("$1")
    ip -n "$1" link set lo up
    ip netns exec "$1" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0 \
        net.ipv6.conf.all.disable_ipv6=0 net.ipv6.conf.default.disable_ipv6=0
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
# lab NAME: namespaces kd6-PID-NAME-{srv,pr}
lab() {
    local srv="$KK_ID-$1-srv" pr="$KK_ID-$1-pr"
    ns6_add "$srv"; ns6_add "$pr"
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
lab kea
lab kk

declare -A SPID=()

# start_server WHO BIN CONFIG-TEMPLATE DIR : in lab WHO, private /run, /var/lib, /var/log
start_server() {
    local who=$1 bin=$2 tmpl=$3 d=$4 conf
    mkdir -p "$d/root/run/kea" "$d/root/var/lib/kea" "$d/root/var/log/kea"
    conf="$d/$who-$(basename "$(dirname "$tmpl")").json"
    sed -e "s|@IFACE@|eth0|g" -e "s|@LEASES@|$d/leases6.csv|g" -e "s|@SOCKET@|$d/ctl.sock|g" \
        -e "s|@LOGGERS@|$(kk_config_loggers | sed 's/kea-dhcp4/kea-dhcp6/g')|g" "$tmpl" >"$conf"
    ip netns exec "$KK_ID-$who-srv" unshare --mount --propagation private \
        env KEA_PIDFILE_DIR="$d/root/run/kea" KEA_LOCKFILE_DIR="$d/root/run/kea" \
        KAKAPO_LOCALSTATEDIR="$d/root/var" \
        "$KK_LIB_DIR/privroot.sh" "$d/root" "$bin" -c "$conf" >"$d/server.out" 2>&1 &
    SPID[$who]=$!
    KK_PIDS+=("$!")
}

# wait_ready WHO DIR : control socket answers and [::]:547 or a link-local :547 is bound (15 s)
wait_ready() {
    local who=$1 d=$2 i
    for ((i = 0; i < 75; i++)); do
        kill -0 "${SPID[$who]}" 2>/dev/null || return 1
        if "$KK_PY" "$KK_LIB_DIR/ctl.py" --timeout 2 "$d/ctl.sock" status-get >/dev/null 2>&1 &&
            ip netns exec "$KK_ID-$who-srv" ss -Hlun 'sport = :547' | grep -q .; then
            return 0
        fi
        sleep 0.2
    done
    return 1
}

stop_server() {
    kk_kill_pid "${SPID[$1]}" 5
    SPID[$1]=""
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
    for who in kea kk; do
        d="$KK_WORK/$c/$who"
        if ! wait_ready "$who" "$d"; then
            kk_fail "$c: $who server did not start"; sed 's/^/    /' "$d/server.out" | tail -n 15; ok=0
        fi
    done
    if [ "$ok" = 1 ]; then
        sleep 0.2
        declare -A ppid=()
        for who in kea kk; do
            d="$KK_WORK/$c/$who"
            timeout 60 ip netns exec "$KK_ID-$who-pr" "$KK_PY" "$PROBE" run "$cd_/script" --ifname eth0 \
                --relay-src 2001:db8:1::2 --server-ip "$SRV_LL" --timeout 0.5 >"$d/probe.out" 2>"$d/probe.err" &
            ppid[$who]=$!
            KK_PIDS+=("$!")
        done
        for who in kea kk; do
            wait "${ppid[$who]}" || { kk_fail "$c: probe against $who failed: $(tail -n 3 "$KK_WORK/$c/$who/probe.err")"; ok=0; }
        done
    fi
    for who in kea kk; do
        kill -0 "${SPID[$who]}" 2>/dev/null || { [ "$ok" = 1 ] && kk_fail "$c: $who server died during the case"; ok=0; }
        stop_server "$who"
    done
    [ "$ok" = 1 ] || { differ+=("$c (not run)"); continue; }
    kea_out="$KK_WORK/$c/kea/probe.out" kk_out="$KK_WORK/$c/kk/probe.out"
    if chk=$("$KK_PY" "$PROBE" check "$kea_out"); then
        kk_pass "$c: Kea's replies are the ones the script expects"
    else
        kk_fail "$c: Kea's replies are not what the script expects (lab or script broken):"; echo "$chk"
    fi
    mark=""
    for m in expect-differ known-differ; do [ -f "$cd_/$m" ] && mark=$m; done
    allow=()
    if [ -n "$mark" ]; then
        steps=$(sed -n 's/^steps: *//p' "$cd_/$mark" | tr -s ' ,' ',')
        [ -n "$steps" ] && allow=(--allow-steps "$steps")
    fi
    diff_txt=$("$KK_PY" "$PROBE" compare "$kea_out" "$kk_out" --labels kea,kakapo "${allow[@]}")
    crc=$?
    if [ "$crc" = 0 ]; then
        [ -n "$mark" ] && kk_note "$c: same replies as Kea 2.2 although marked $mark - remove the mark"
        kk_pass "$c: kakapo answers as Kea 2.2 ($(grep -c . "$kea_out") steps)"
        same+=("$c")
    else
        echo "$diff_txt"
        if [ -n "$mark" ] && [ "$crc" != 3 ]; then
            kk_fail "$c: kakapo's replies differ from Kea 2.2's beyond the steps its $mark names (above)"
            differ+=("$c")
        elif [ -n "$mark" ]; then
            kk_note "$c: $mark: $(head -n 1 "$cd_/$mark")"
            marked+=("$c ($mark)")
        else
            kk_fail "$c: kakapo's replies differ from Kea 2.2's (above; kea-diff6/$c)"
            differ+=("$c")
        fi
    fi
done
echo "== summary: ${#same[@]} same, ${#marked[@]} marked, ${#differ[@]} differ"
[ ${#marked[@]} -gt 0 ] && printf '    marked: %s\n' "${marked[@]}"
[ ${#differ[@]} -gt 0 ] && printf '    DIFFER: %s\n' "${differ[@]}"
kk_finish
