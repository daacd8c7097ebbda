# shellcheck shell=bash
# Helpers shared by test_ctrl_agent.sh and test_agent_hostile.sh: kakapo-dhcp4 on eth0 of the
# server namespace, kakapo-dhcp6 on a dummy interface there, and kakapo-ctrl-agent on the
# namespace's loopback, all with their files in $KK_WORK.
KK_AGENT_BIN=${KAKAPO_CTRL_AGENT:-$KK_REPO_ROOT/.build/debug/kakapo-ctrl-agent}
KK_DHCP6_BIN=${KAKAPO_DHCP6:-$KK_REPO_ROOT/.build/debug/kakapo-dhcp6}
AGENT_PORT=8000

# ag_daemons : topology, kakapo-dhcp4 (control socket $KK_WORK/ctl.sock) and kakapo-dhcp6
# (control socket $KK_WORK/ctl6.sock) running.
ag_daemons() {
    [ -x "$KK_AGENT_BIN" ] || kk_die "agent binary not found: $KK_AGENT_BIN"
    [ -x "$KK_DHCP6_BIN" ] || kk_die "kakapo-dhcp6 binary not found: $KK_DHCP6_BIN"
    kk_topology eth0 192.0.2.1/24
    kk_write_basic_config "$KK_WORK/kea-dhcp4.conf"
    kk_server_start_ready "$KK_WORK/kea-dhcp4.conf"
    DHCP4_PID=$KK_SERVER_PID
    ip netns exec "$KK_SRV_NS" sysctl -qw net.ipv6.conf.all.disable_ipv6=0 net.ipv6.conf.default.disable_ipv6=0
    ip -n "$KK_SRV_NS" link add eth6 type veth peer name eth6p || kk_die "eth6"
    ip -n "$KK_SRV_NS" link set eth6p up
    ip -n "$KK_SRV_NS" link set eth6 up
    ip -n "$KK_SRV_NS" addr add 2001:db8:1::1/64 dev eth6 nodad
    mkdir -p "$KK_WORK/var6/lib/kea" "$KK_WORK/var6/run/kea"
    cat >"$KK_WORK/kea-dhcp6.conf" <<EOF6
{ "Dhcp6": {
    "interfaces-config": { "interfaces": [ "eth6" ] },
    "control-socket": { "socket-type": "unix", "socket-name": "$KK_WORK/ctl6.sock" },
    "lease-database": { "type": "memfile", "name": "$KK_WORK/leases6.csv", "lfc-interval": 0 },
    "subnet6": [ { "id": 1, "subnet": "2001:db8:1::/64", "interface": "eth6",
                   "pools": [ { "pool": "2001:db8:1::100 - 2001:db8:1::1ff" } ] } ],
    "loggers": [ { "name": "kea-dhcp6", "output_options": [ { "output": "stdout" } ], "severity": "INFO" } ]
} }
EOF6
    ip netns exec "$KK_SRV_NS" env KAKAPO_LOCALSTATEDIR="$KK_WORK/var6" KEA_PIDFILE_DIR="$KK_WORK/var6/run/kea" \
        "$KK_DHCP6_BIN" -c "$KK_WORK/kea-dhcp6.conf" >"$KK_WORK/dhcp6.out" 2>&1 &
    DHCP6_PID=$!
    KK_PIDS+=("$DHCP6_PID")
    local i
    for ((i = 0; i < 100; i++)); do [ -S "$KK_WORK/ctl6.sock" ] && break; sleep 0.1; done
    [ -S "$KK_WORK/ctl6.sock" ] || kk_die "kakapo-dhcp6 did not start: $(tail -3 "$KK_WORK/dhcp6.out")"
}

# ag_write_config FILE [EXTRA-TOP-LEVEL-MEMBERS] : the agent's configuration: basic auth with
# an inline client (admin/secret), a user-file/password-file client (bob/pw-bob) and a
# password-file-only client (carol:pw-carol), dhcp4 and dhcp6 sockets (d2 not configured).
ag_write_config() {
    mkdir -p "$KK_WORK/auth"
    printf 'bob' >"$KK_WORK/auth/bob.user"
    printf 'pw-bob' >"$KK_WORK/auth/bob.pw"
    printf 'carol:pw-carol' >"$KK_WORK/auth/carol.both"
    cat >"$1" <<EOFCONF
// kakapo-ctrl-agent, written by $KK_TEST_NAME
{ "Control-agent": {
    "http-host": "127.0.0.1",
    "http-port": ${AGENT_PORT},
    "authentication": {
        "type": "basic", "realm": "kakapo-test", "directory": "$KK_WORK/auth",
        "clients": [ { "user": "admin", "password": "secret", "comment": "inline" },
                     { "user-file": "bob.user", "password-file": "bob.pw" },
                     { "password-file": "carol.both", "user-context": { "team": "ops" } } ] },
    "control-sockets": {
        "dhcp4": { "socket-type": "unix", "socket-name": "$KK_WORK/ctl.sock" },
        "dhcp6": { "socket-name": "$KK_WORK/ctl6.sock", "comment": "v6" } },
    ${2:-}
    "loggers": [ { "name": "kea-ctrl-agent", "output_options": [ { "output": "stdout" } ], "severity": "DEBUG", "debuglevel": 99 } ]
} }
EOFCONF
}

# ag_start CONFIG [BINARY] : the agent in the server namespace; waits until it says it started.
ag_start() {
    AGENT_OUT="$KK_WORK/agent-$RANDOM.out"
    mkdir -p "$KK_WORK/agent-run"
    ip netns exec "$KK_SRV_NS" env KEA_PIDFILE_DIR="$KK_WORK/agent-run" KEA_LOCKFILE_DIR="$KK_WORK/agent-run" \
        "${2:-$KK_AGENT_BIN}" -c "$1" >"$AGENT_OUT" 2>&1 &
    AGENT_PID=$!
    KK_PIDS+=("$AGENT_PID")
    local i
    for ((i = 0; i < 100; i++)); do
        grep -q CTRL_AGENT_HTTP_SERVICE_STARTED "$AGENT_OUT" 2>/dev/null && { sleep 0.2; return 0; }
        kill -0 "$AGENT_PID" 2>/dev/null || return 1
        sleep 0.1
    done
    return 1
}

# ag_stop : TERM the agent, bounded wait; 0 when it exited by itself.
ag_stop() { kk_kill_pid "$AGENT_PID" 10; }

# ag_curl ARGS... : curl in the server namespace, bounded.
ag_curl() { ip netns exec "$KK_SRV_NS" curl -s -m 10 "$@"; }
# ag_post BODY [USER:PASS] [PORT] : the JSON answer to BODY (admin's credentials by default).
ag_post() {
    ag_curl -u "${2:-admin:secret}" -H 'Content-Type: application/json' -d "$1" "http://127.0.0.1:${3:-$AGENT_PORT}/"
}
# ag_code CURL-ARGS... : only the HTTP status code
ag_code() { ag_curl -o /dev/null -w '%{http_code}' "$@"; }
