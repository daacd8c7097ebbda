#!/usr/bin/env bash
# kakapoctl (Kea's keactrl) end to end: start launches kakapo-dhcp4, kakapo-dhcp6 and
# kakapo-dhcp-ddns (and kakapo-ctrl-agent when that binary passes -t on its config; until the
# agent is written, the agent's part is skipped with a note), status reports them active with
# their configuration files, start of a running server is reported and starts nothing,
# reload's SIGHUP is seen in each daemon's log (Kea's reload log IDs), -s acts on one
# server, stop ends them all (PIDs gone) and status reports them inactive; keactrl's
# errors; a keactrl.conf in Kea's own style (quoted values, ${prefix}, Kea's binary names) and,
# when Debian's kea-dhcp4 is installed, kakapoctl driving Kea itself. Then `make install-files`
# with DESTDIR (on the debug build: no release build) must put the binaries, kakapoctl.conf
# and the systemd units, with ExecStart for the PREFIX, in place; systemd-analyze verifies the
# units when it is available.
#
# Every daemon runs in this test's namespace (veth pair inside it, 192.0.2.0/24 and
# 2001:db8:1::/64), with its PID files (KEA_PIDFILE_DIR), state (KAKAPO_LOCALSTATEDIR),
# leases, sockets and logs in the work directory: nothing touches /run or /var.
#
#   KAKAPOCTL=PATH   kakapoctl binary (default <repo>/.build/debug/kakapoctl)
. "$(dirname "$0")/lib.sh"
kk_init
BUILD=$(cd "$(dirname "$KK_SERVER_BIN")" && pwd -P)     # .build/debug is a symbolic link
CTL=${KAKAPOCTL:-$BUILD/kakapoctl}
for b in "$CTL" "$BUILD/kakapo-dhcp6" "$BUILD/kakapo-dhcp-ddns"; do
    [ -x "$b" ] || kk_die "missing binary $b (swift build)"
done
W=$KK_WORK
RUN=$W/run
VAR=$W/var
mkdir -p "$RUN" "$VAR/lib/kea" "$VAR/run/kea"

NS="$KK_ID-ctl"
kk_netns6_add "$NS"
ip -n "$NS" link add eth0 type veth peer name eth0p || kk_die "veth"
ip -n "$NS" addr add 192.0.2.1/24 dev eth0
ip -n "$NS" addr add 2001:db8:1::1/64 dev eth0 nodad
ip -n "$NS" link set eth0 up
ip -n "$NS" link set eth0p up

# ---------------------------------------------------------------- daemon configurations
cat >"$W/kea-dhcp4.conf" <<EOF
{ "Dhcp4": {
    "interfaces-config": { "interfaces": [ "eth0" ] },
    "control-socket": { "socket-type": "unix", "socket-name": "$W/d4.sock" },
    "lease-database": { "type": "memfile", "name": "$W/leases4.csv", "lfc-interval": 0 },
    "valid-lifetime": 4000,
    "subnet4": [ { "id": 1, "subnet": "192.0.2.0/24", "pools": [ { "pool": "192.0.2.100 - 192.0.2.199" } ] } ],
    "loggers": [ { "name": "kea-dhcp4", "output_options": [ { "output": "$W/dhcp4.log" } ], "severity": "INFO" } ]
} }
EOF
cat >"$W/kea-dhcp6.conf" <<EOF
{ "Dhcp6": {
    "interfaces-config": { "interfaces": [ "eth0" ] },
    "control-socket": { "socket-type": "unix", "socket-name": "$W/d6.sock" },
    "lease-database": { "type": "memfile", "name": "$W/leases6.csv", "lfc-interval": 0 },
    "preferred-lifetime": 3000, "valid-lifetime": 4000,
    "subnet6": [ { "id": 1, "subnet": "2001:db8:1::/64", "interface": "eth0",
                   "pools": [ { "pool": "2001:db8:1::100 - 2001:db8:1::1ff" } ] } ],
    "loggers": [ { "name": "kea-dhcp6", "output_options": [ { "output": "$W/dhcp6.log" } ], "severity": "INFO" } ]
} }
EOF
cat >"$W/kea-dhcp-ddns.conf" <<EOF
{ "DhcpDdns": {
    "ip-address": "127.0.0.1", "port": 53001,
    "control-socket": { "socket-type": "unix", "socket-name": "$W/d2.sock" },
    "tsig-keys": [], "forward-ddns": { "ddns-domains": [] }, "reverse-ddns": { "ddns-domains": [] },
    "loggers": [ { "name": "kea-dhcp-ddns", "output_options": [ { "output": "$W/d2.log" } ], "severity": "INFO" } ]
} }
EOF
cat >"$W/kea-ctrl-agent.conf" <<EOF
{ "Control-agent": {
    "http-host": "127.0.0.1", "http-port": 8000,
    "control-sockets": {
        "dhcp4": { "socket-type": "unix", "socket-name": "$W/d4.sock" },
        "dhcp6": { "socket-type": "unix", "socket-name": "$W/d6.sock" },
        "d2": { "socket-type": "unix", "socket-name": "$W/d2.sock" } },
    "loggers": [ { "name": "kea-ctrl-agent", "output_options": [ { "output": "$W/agent.log" } ], "severity": "INFO" } ]
} }
EOF

# The agent takes part once kakapo-ctrl-agent exists and accepts its configuration.
AGENT=no
if [ -x "$BUILD/kakapo-ctrl-agent" ] && \
   timeout 20 env KEA_PIDFILE_DIR="$RUN" KAKAPO_LOCALSTATEDIR="$VAR" "$BUILD/kakapo-ctrl-agent" -t "$W/kea-ctrl-agent.conf" >"$W/agent-t.out" 2>&1; then
    AGENT=yes
else
    kk_note "kakapo-ctrl-agent does not pass -t on a valid config yet ($(head -c 200 "$W/agent-t.out" 2>/dev/null | tr '\n' ' ')): agent part skipped"
fi

# ---------------------------------------------------------------- kakapoctl.conf
CONF=$W/kakapoctl.conf
cat >"$CONF" <<EOF
# kakapoctl test configuration (keactrl.conf format)
prefix=$W
exec_prefix=$BUILD
kea_dhcp4_config_file=\${prefix}/kea-dhcp4.conf
kea_dhcp6_config_file="\${prefix}/kea-dhcp6.conf"
kea_dhcp_ddns_config_file='$W/kea-dhcp-ddns.conf'
kea_ctrl_agent_config_file=\${prefix}/kea-ctrl-agent.conf
kea_netconf_config_file=\${prefix}/kea-netconf.conf
dhcp4_srv=\${exec_prefix}/kakapo-dhcp4
dhcp6_srv=\${exec_prefix}/kakapo-dhcp6
dhcp_ddns_srv=\${exec_prefix}/kakapo-dhcp-ddns
ctrl_agent_srv=\${exec_prefix}/kakapo-ctrl-agent
netconf_srv=\${exec_prefix}/kakapo-netconf
dhcp4=yes
dhcp6=YES      # keactrl lower-cases the switches
dhcp_ddns=yes
ctrl_agent=$AGENT
netconf=no
kea_verbose=no
EOF

N=0
# ctl ARGS... : kakapoctl in the namespace with the test's directories; output in $W/ctl-N.out
# (a file, not a pipe: the daemons it starts inherit its stdout). Sets OUT and RC.
ctl() {
    N=$((N + 1))
    timeout 20 ip netns exec "$NS" env KEA_PIDFILE_DIR="$RUN" KEA_LOCKFILE_DIR="$RUN" \
        KAKAPO_LOCALSTATEDIR="$VAR" KAKAPO_SYSCONFDIR="$W/etc" "$CTL" "$@" >"$W/ctl-$N.out" 2>&1
    RC=$?
    OUT=$(cat "$W/ctl-$N.out")
}
pidfile() { echo "$RUN/kea-$1.kea-$1.pid"; }          # dhcp4, dhcp6, dhcp-ddns, ctrl-agent
pidof_srv() { cat "$(pidfile "$1")" 2>/dev/null; }
alive() { local p; p=$(pidof_srv "$1"); [ -n "$p" ] && kill -0 "$p" 2>/dev/null; }
dead() { local p=$1; [ -n "$p" ] && ! kill -0 "$p" 2>/dev/null; }
in_ns() { [ "$(ip netns identify "$1" 2>/dev/null)" = "$NS" ]; }
SERVERS=(dhcp4 dhcp6 dhcp-ddns)
[ "$AGENT" = yes ] && SERVERS+=(ctrl-agent)
declare -A SOCK=([dhcp4]=$W/d4.sock [dhcp6]=$W/d6.sock [dhcp-ddns]=$W/d2.sock [ctrl-agent]=)
ready() {   # ready NAME : PID file names a live process of ours and its control socket is up
    alive "$1" && in_ns "$(pidof_srv "$1")" && { [ -z "${SOCK[$1]}" ] || [ -S "${SOCK[$1]}" ]; }
}

echo "== before start"
ctl status -c "$CONF"
kk_assert_eq "status exits 0" 0 "$RC"
for l in "DHCPv4 server: inactive" "DHCPv6 server: inactive" "DHCP DDNS: inactive" "Control Agent: inactive" \
         "Kea DHCPv4 configuration file: $W/kea-dhcp4.conf" "Kea DHCPv6 configuration file: $W/kea-dhcp6.conf" \
         "Kea DHCP DDNS configuration file: $W/kea-dhcp-ddns.conf" \
         "Kea Control Agent configuration file: $W/kea-ctrl-agent.conf" "keactrl configuration file: $CONF"; do
    kk_assert "status says '$l'" grep -qxF "$l" "$W/ctl-$N.out"
done
kk_assert_eq "status has no Netconf line (Kakapo has no netconf agent)" 0 "$(grep -c Netconf "$W/ctl-$N.out")"

echo "== start"
ctl start -c "$CONF"
kk_assert_eq "start exits 0" 0 "$RC"
kk_assert "start says it starts kakapo-dhcp4 with its config" grep -qxF "INFO/kakapoctl: Starting $BUILD/kakapo-dhcp4 -c $W/kea-dhcp4.conf" "$W/ctl-$N.out"
kk_assert "start says it starts kakapo-dhcp6" grep -qxF "INFO/kakapoctl: Starting $BUILD/kakapo-dhcp6 -c $W/kea-dhcp6.conf" "$W/ctl-$N.out"
kk_assert "start says it starts kakapo-dhcp-ddns" grep -qxF "INFO/kakapoctl: Starting $BUILD/kakapo-dhcp-ddns -c $W/kea-dhcp-ddns.conf" "$W/ctl-$N.out"
if [ "$AGENT" = no ]; then
    kk_assert_eq "ctrl_agent=no: the agent is not started" 0 "$(grep -c kakapo-ctrl-agent "$W/ctl-$N.out")"
fi
declare -A PID=()
for s in "${SERVERS[@]}"; do
    kk_wait_for 20 ready "$s" || kk_fail "$s did not come up ($(tail -3 "$W"/*.log 2>/dev/null | tr '\n' ' '))"
    PID[$s]=$(pidof_srv "$s")
    kk_assert "$s runs from PID file $(basename "$(pidfile "$s")") (PID ${PID[$s]})" alive "$s"
done
kk_assert_eq "kakapo-dhcp4 is the build's binary" "$BUILD/kakapo-dhcp4" "$(readlink "/proc/${PID[dhcp4]}/exe")"
kk_assert_eq "kakapo-dhcp-ddns is the build's binary" "$BUILD/kakapo-dhcp-ddns" "$(readlink "/proc/${PID[dhcp-ddns]}/exe")"
kk_assert "kakapo-dhcp4 got -c and no -d (kea_verbose=no)" \
    bash -c "tr '\0' ' ' </proc/${PID[dhcp4]}/cmdline | grep -qx '$BUILD/kakapo-dhcp4 -c $W/kea-dhcp4.conf '"
kk_assert "kakapo-dhcp6 listens on [::]:547" bash -c "ip netns exec '$NS' ss -Hlun 'sport = :547' | grep -q ."
kk_assert "the daemons left kakapoctl's session (setsid)" \
    bash -c "[ \"\$(ps -o sid= -p ${PID[dhcp4]} | tr -d ' ')\" = ${PID[dhcp4]} ]"

ctl status -c "$CONF"
for l in "DHCPv4 server: active" "DHCPv6 server: active" "DHCP DDNS: active"; do
    kk_assert "status says '$l'" grep -qxF "$l" "$W/ctl-$N.out"
done
if [ "$AGENT" = yes ]; then
    kk_assert "status says 'Control Agent: active'" grep -qxF "Control Agent: active" "$W/ctl-$N.out"
else
    kk_assert "status says 'Control Agent: inactive'" grep -qxF "Control Agent: inactive" "$W/ctl-$N.out"
fi
kk_assert "status still names the DHCPv4 configuration file" grep -qxF "Kea DHCPv4 configuration file: $W/kea-dhcp4.conf" "$W/ctl-$N.out"

echo "== start again: already running"
ctl start -c "$CONF"
kk_assert_eq "second start exits 0" 0 "$RC"
kk_assert "kakapo-dhcp4 is reported running, with its PID and PID file" grep -qxF \
    "INFO/kakapoctl: kakapo-dhcp4 appears to be running, see: PID ${PID[dhcp4]}, PID file: $(pidfile dhcp4)." "$W/ctl-$N.out"
kk_assert "kakapo-dhcp-ddns is reported running" grep -qF "kakapo-dhcp-ddns appears to be running, see: PID ${PID[dhcp-ddns]}," "$W/ctl-$N.out"
kk_assert_eq "nothing was started" 0 "$(grep -c 'Starting' "$W/ctl-$N.out")"
sleep 1
kk_assert_eq "exactly one kakapo-dhcp4 runs in the namespace" 1 \
    "$(for p in $(ip netns pids "$NS"); do readlink "/proc/$p/exe"; done | grep -cx "$BUILD/kakapo-dhcp4")"

echo "== reload"
ctl reload -c "$CONF"
kk_assert_eq "reload exits 0" 0 "$RC"
kk_assert "reload says 'Reloading kakapo-dhcp4...'" grep -qxF "INFO/kakapoctl: Reloading kakapo-dhcp4..." "$W/ctl-$N.out"
kk_assert "reload says 'Reloading kakapo-dhcp6...'" grep -qxF "INFO/kakapoctl: Reloading kakapo-dhcp6..." "$W/ctl-$N.out"
kk_assert "DHCP4_DYNAMIC_RECONFIGURATION in kakapo-dhcp4's log" kk_wait_for 10 grep -q DHCP4_DYNAMIC_RECONFIGURATION "$W/dhcp4.log"
kk_assert "DHCP6_DYNAMIC_RECONFIGURATION in kakapo-dhcp6's log" kk_wait_for 10 grep -q DHCP6_DYNAMIC_RECONFIGURATION "$W/dhcp6.log"
kk_assert "DCTL_CFG_FILE_RELOAD_SIGNAL_RECVD in kakapo-dhcp-ddns's log" kk_wait_for 10 grep -q DCTL_CFG_FILE_RELOAD_SIGNAL_RECVD "$W/d2.log"
for s in "${SERVERS[@]}"; do
    kk_assert_eq "$s kept its PID across reload" "${PID[$s]}" "$(pidof_srv "$s")"
done

echo "== -s dhcp4 acts on one server"
ctl stop -c "$CONF" -s dhcp4
kk_assert "stop -s dhcp4 says 'Stopping kakapo-dhcp4...'" grep -qxF "INFO/kakapoctl: Stopping kakapo-dhcp4..." "$W/ctl-$N.out"
kk_assert_eq "stop -s dhcp4 names no other server" 1 "$(grep -c . "$W/ctl-$N.out")"
kk_assert "kakapo-dhcp4 is gone" kk_wait_for 10 dead "${PID[dhcp4]}"
kk_assert "kakapo-dhcp6 still runs" kill -0 "${PID[dhcp6]}"
kk_assert "kakapo-dhcp-ddns still runs" kill -0 "${PID[dhcp-ddns]}"
ctl status -c "$CONF"
kk_assert "status: DHCPv4 inactive" grep -qxF "DHCPv4 server: inactive" "$W/ctl-$N.out"
kk_assert "status: DHCPv6 still active" grep -qxF "DHCPv6 server: active" "$W/ctl-$N.out"
ctl start -c "$CONF" -s dhcp4,d2
kk_assert "start -s dhcp4,d2 starts kakapo-dhcp4" grep -qF "Starting $BUILD/kakapo-dhcp4 " "$W/ctl-$N.out"
kk_assert "start -s dhcp4,d2 reports d2 running (d2 is dhcp_ddns)" grep -qF "kakapo-dhcp-ddns appears to be running" "$W/ctl-$N.out"
kk_assert_eq "start -s dhcp4,d2 leaves dhcp6 alone" 0 "$(grep -c dhcp6 "$W/ctl-$N.out")"
kk_wait_for 20 ready dhcp4 || kk_fail "kakapo-dhcp4 did not come back"
kk_assert_ne "kakapo-dhcp4 runs again, a new PID" "${PID[dhcp4]}" "$(pidof_srv dhcp4)"
PID[dhcp4]=$(pidof_srv dhcp4)

echo "== stop"
ctl stop -c "$CONF"
kk_assert_eq "stop exits 0" 0 "$RC"
for s in "${SERVERS[@]}"; do
    kk_assert "$s (PID ${PID[$s]}) is gone" kk_wait_for 10 dead "${PID[$s]}"
done
kk_assert "every daemon left the namespace" kk_wait_for 5 bash -c "[ -z \"\$(ip netns pids '$NS')\" ]"
kk_assert "SIGTERM: kakapo-dhcp4 logged its shutdown" grep -q DHCP4_SHUTDOWN "$W/dhcp4.log"
ctl status -c "$CONF"
for l in "DHCPv4 server: inactive" "DHCPv6 server: inactive" "DHCP DDNS: inactive" "Control Agent: inactive"; do
    kk_assert "after stop, status says '$l'" grep -qxF "$l" "$W/ctl-$N.out"
done
ctl stop -c "$CONF"
kk_assert "stop of a stopped server: 'kakapo-dhcp4 isn't running.'" grep -qxF "INFO/kakapoctl: kakapo-dhcp4 isn't running." "$W/ctl-$N.out"
ctl reload -c "$CONF" -s dhcp6
kk_assert "reload of a stopped server: 'kakapo-dhcp6 isn't running.'" grep -qxF "INFO/kakapoctl: kakapo-dhcp6 isn't running." "$W/ctl-$N.out"

echo "== keactrl's errors"
ctl
kk_assert_eq "no command: exit 1" 1 "$RC"
kk_assert_match "no command: 'missing command' and usage" "^ERROR/kakapoctl: missing command$" "$OUT"
kk_assert "usage line" grep -qxF "usage is kakapoctl command [-c keactrl-config-file] [-s server[,server,..]]" "$W/ctl-$N.out"
ctl restart -c "$CONF"
kk_assert_eq "invalid command: exit 1" 1 "$RC"
kk_assert_eq "invalid command message" "ERROR/kakapoctl: invalid command: restart" "$OUT"
ctl status -c "$CONF" -s bogus
kk_assert_eq "invalid server name: exit 1" 1 "$RC"
kk_assert_eq "invalid server name message" "ERROR/kakapoctl: invalid server name: bogus" "$OUT"
ctl status -x
kk_assert_eq "invalid option: exit 1" 1 "$RC"
kk_assert_match "invalid option message" "^ERROR/kakapoctl: invalid option: -x$" "$OUT"
ctl status -c "$W/nonexistent.conf"
kk_assert_eq "missing keactrl config: exit 1" 1 "$RC"
kk_assert_eq "missing keactrl config message" "ERROR/kakapoctl: keactrl configuration file doesn't exist in $W/nonexistent.conf." "$OUT"
mkdir -p "$W/etc/kakapo"
ctl status
kk_assert_eq "default config file is <sysconfdir>/kakapo/kakapoctl.conf" \
    "ERROR/kakapoctl: keactrl configuration file doesn't exist in $W/etc/kakapo/kakapoctl.conf." "$OUT"
ctl -v
kk_assert_match "-v prints the version" '^[0-9]+\.[0-9]+\.[0-9]+' "$OUT"
ctl version -c "$CONF"
kk_assert_match "version: kakapoctl's line" "^kakapoctl: [0-9]" "$OUT"
kk_assert_match "version: kakapo-dhcp4's -v" "(^|$'\n')kakapo-dhcp4: [0-9]" "$OUT"
sed -e "s|^dhcp_ddns_srv=.*|dhcp_ddns_srv=$W/nope/kakapo-dhcp-ddns|" "$CONF" >"$W/nod2.conf"
ctl version -c "$W/nod2.conf" -s dhcp_ddns
kk_assert_eq "version: a missing binary is 'unknown'" "kakapo-dhcp-ddns: unknown, $W/nope/kakapo-dhcp-ddns missing" \
    "$(sed -n 2p "$W/ctl-$N.out")"
sed -e "s|^kea_dhcp6_config_file=.*|kea_dhcp6_config_file=$W/missing6.conf|" "$CONF" >"$W/broken.conf"
ctl status -c "$W/broken.conf"
kk_assert_eq "status with a missing daemon config: exit 1" 1 "$RC"
kk_assert_match "status names the missing file" "ERROR/kakapoctl: Configuration file for Kea does not exist: $W/missing6.conf\\." "$OUT"
printf 'dhcp4_srv=/x\n$(touch %s/pwned)\n' "$W" >"$W/shell.conf"
ctl status -c "$W/shell.conf"
kk_assert_eq "a file with shell commands is refused" 1 "$RC"
kk_assert "and nothing in it ran" test ! -e "$W/pwned"
kk_assert_match "the error names the line" "line 2" "$OUT"

echo "== a keactrl.conf in Kea's style, Kea's binary names"
mkdir -p "$W/kea/sbin" "$W/kea/etc/kea"
ln -s "$BUILD/kakapo-dhcp4" "$W/kea/sbin/kea-dhcp4"
cp "$W/kea-dhcp4.conf" "$W/kea/etc/kea/kea-dhcp4.conf"
cat >"$W/keactrl.conf" <<EOF
# This is a configuration file for keactrl script which controls
# the startup, shutdown, reconfiguration and gathering the status
# of the Kea's processes.

# Note that control agent must be launched after servers and netconf last.

# prefix holds the location where the Kea is installed.
prefix="$W/kea"

# Location of Kea configuration files.
kea_dhcp4_config_file="\${prefix}/etc/kea/kea-dhcp4.conf"
kea_dhcp6_config_file="\${prefix}/etc/kea/kea-dhcp6.conf"
kea_dhcp_ddns_config_file="\${prefix}/etc/kea/kea-dhcp-ddns.conf"
kea_ctrl_agent_config_file="\${prefix}/etc/kea/kea-ctrl-agent.conf"
kea_netconf_config_file="\${prefix}/etc/kea/kea-netconf.conf"

# Location of Kea binaries.
exec_prefix="\${prefix}"
dhcp4_srv="\${exec_prefix}/sbin/kea-dhcp4"
dhcp6_srv="\${exec_prefix}/sbin/kea-dhcp6"
dhcp_ddns_srv="\${exec_prefix}/sbin/kea-dhcp-ddns"
ctrl_agent_srv="\${exec_prefix}/sbin/kea-ctrl-agent"
netconf_srv="\${exec_prefix}/sbin/kea-netconf"

# Start DHCPv4 server?
dhcp4=yes

# Start DHCPv6 server?
dhcp6=no

# Start DHCP DDNS server?
dhcp_ddns=no

# Start Control Agent?
ctrl_agent=no

# Start Netconf?
netconf=no

# Be verbose?
kea_verbose=yes
EOF
ctl start -c "$W/keactrl.conf"
kk_assert "Kea-style file: starts \${prefix}/sbin/kea-dhcp4 with -d (kea_verbose=yes)" grep -qxF \
    "INFO/kakapoctl: Starting $W/kea/sbin/kea-dhcp4 -c $W/kea/etc/kea/kea-dhcp4.conf -d" "$W/ctl-$N.out"
kk_assert_eq "Kea-style file: only dhcp4 is started" 1 "$(grep -c Starting "$W/ctl-$N.out")"
kpid() { cat "$RUN/kea-dhcp4.kea-dhcp4.pid" 2>/dev/null; }
kk_wait_for 20 bash -c "p=\$(cat '$RUN/kea-dhcp4.kea-dhcp4.pid' 2>/dev/null) && kill -0 \$p && [ -S '$W/d4.sock' ]" \
    || kk_fail "Kea-style file: the server did not come up"
KP=$(kpid)
ctl status -c "$W/keactrl.conf"
kk_assert "Kea-style file: status says DHCPv4 active" grep -qxF "DHCPv4 server: active" "$W/ctl-$N.out"
kk_assert "Kea-style file: status reports Kea's missing DHCPv6 config" grep -qxF \
    "ERROR/kakapoctl: Configuration file for Kea does not exist: $W/kea/etc/kea/kea-dhcp6.conf." "$W/ctl-$N.out"
ctl stop -c "$W/keactrl.conf"
kk_assert "Kea-style file: 'Stopping kea-dhcp4...'" grep -qxF "INFO/kakapoctl: Stopping kea-dhcp4..." "$W/ctl-$N.out"
kk_assert "Kea-style file: the server is gone" kk_wait_for 10 dead "$KP"

KEA4=$(command -v kea-dhcp4 || true)
if [ -n "$KEA4" ]; then
    echo "== kakapoctl drives Debian's kea-dhcp4"
    sed -e "s|^dhcp4_srv=.*|dhcp4_srv=$KEA4|" -e "s|^kea_verbose=.*|kea_verbose=no|" "$W/keactrl.conf" >"$W/keactrl-kea.conf"
    sed -e "s|$W/d4.sock|$W/kea4.sock|" -e "s|$W/leases4.csv|$W/kea-leases4.csv|" -e "s|$W/dhcp4.log|$W/kea4.log|" \
        "$W/kea-dhcp4.conf" >"$W/kea/etc/kea/kea-dhcp4.conf"
    ctl start -c "$W/keactrl-kea.conf"
    kk_assert "start launches Kea's kea-dhcp4" grep -qxF "INFO/kakapoctl: Starting $KEA4 -c $W/kea/etc/kea/kea-dhcp4.conf" "$W/ctl-$N.out"
    if kk_wait_for 20 bash -c "p=\$(cat '$RUN/kea-dhcp4.kea-dhcp4.pid' 2>/dev/null) && kill -0 \$p && [ -S '$W/kea4.sock' ]"; then
        KP=$(kpid)
        kk_assert_eq "Kea's PID file names Kea's process" "$KEA4" "$(readlink "/proc/$KP/exe")"
        ctl status -c "$W/keactrl-kea.conf"
        kk_assert "status sees Kea's kea-dhcp4 active" grep -qxF "DHCPv4 server: active" "$W/ctl-$N.out"
        ctl reload -c "$W/keactrl-kea.conf" -s dhcp4
        kk_assert "Kea logs DHCP4_DYNAMIC_RECONFIGURATION after reload" kk_wait_for 10 grep -q DHCP4_DYNAMIC_RECONFIGURATION "$W/kea4.log"
        ctl stop -c "$W/keactrl-kea.conf"
        kk_assert "Kea's kea-dhcp4 stopped" kk_wait_for 10 dead "$KP"
    else
        kk_fail "Kea's kea-dhcp4 did not come up under kakapoctl ($(tail -3 "$W/kea4.log" 2>/dev/null | tr '\n' ' '))"
    fi
else
    kk_skip "kea-dhcp4 not installed: kakapoctl driving Kea"
fi

echo "== make install-files DESTDIR=... (the debug build's binaries)"
DEST=$W/dest
if make -s -C "$KK_REPO_ROOT" install-files DESTDIR="$DEST" PREFIX=/usr BUILD_DIR="$BUILD" >"$W/install.out" 2>&1; then
    kk_pass "make install-files DESTDIR=$DEST PREFIX=/usr"
else
    kk_fail "make install-files failed: $(tail -5 "$W/install.out" | tr '\n' ' ')"
fi
for f in usr/sbin/kakapo-dhcp4 usr/sbin/kakapo-dhcp6 usr/sbin/kakapo-dhcp-ddns usr/sbin/kakapo-ctrl-agent usr/sbin/kakapoctl \
         usr/sbin/kakapo-admin usr/bin/kakapo-shell usr/bin/kakapo-sim; do
    kk_assert "installed executable /$f" test -x "$DEST/$f"
done
for f in etc/kakapo/kakapoctl.conf etc/kakapo/kakapo-dhcp4.conf etc/kakapo/kakapo-dhcp6.conf etc/kakapo/kakapo-dhcp-ddns.conf; do
    kk_assert "installed /$f" test -f "$DEST/$f"
done
U=$DEST/lib/systemd/system
for u in kakapo-dhcp4 kakapo-dhcp6 kakapo-dhcp-ddns kakapo-ctrl-agent; do
    kk_assert "installed unit /lib/systemd/system/$u.service" test -f "$U/$u.service"
    kk_assert "$u.service: ExecStart for PREFIX=/usr" grep -qxF "ExecStart=/usr/sbin/$u -c /etc/kakapo/$u.conf" "$U/$u.service"
    kk_assert_eq "$u.service: no placeholder left" 0 "$(grep -c '@[a-z]*@' "$U/$u.service")"
done
kk_assert "the agent unit is ordered after the DHCP servers" grep -qxF \
    "After=kakapo-dhcp4.service kakapo-dhcp6.service kakapo-dhcp-ddns.service" "$U/kakapo-ctrl-agent.service"
# The installed kakapoctl.conf names the installed binaries and configs (for PREFIX=/usr).
ctl status -c "$DEST/etc/kakapo/kakapoctl.conf"
kk_assert "installed kakapoctl.conf: DHCPv4 config /etc/kakapo/kakapo-dhcp4.conf" grep -qxF \
    "Kea DHCPv4 configuration file: /etc/kakapo/kakapo-dhcp4.conf" "$W/ctl-$N.out"
if [ ! -e /usr/sbin/kakapo-dhcp6 ]; then
    ctl version -c "$DEST/etc/kakapo/kakapoctl.conf" -s dhcp6
    kk_assert "installed kakapoctl.conf: binaries in /usr/sbin" grep -qxF \
        "kakapo-dhcp6: unknown, /usr/sbin/kakapo-dhcp6 missing" "$W/ctl-$N.out"
fi
# PREFIX other than /usr: units under PREFIX, ExecStart under PREFIX; systemd-analyze checks
# them there (their binaries exist, so verify can check ExecStart).
P=$W/prefix
if make -s -C "$KK_REPO_ROOT" install-files PREFIX="$P" BUILD_DIR="$BUILD" >"$W/install2.out" 2>&1; then
    kk_pass "make install-files PREFIX=$P"
else
    kk_fail "make install-files PREFIX=$P failed: $(tail -5 "$W/install2.out" | tr '\n' ' ')"
fi
kk_assert "PREFIX=$P: unit under PREFIX/lib/systemd/system with ExecStart under PREFIX" grep -qxF \
    "ExecStart=$P/sbin/kakapo-dhcp4 -c $P/etc/kakapo/kakapo-dhcp4.conf" "$P/lib/systemd/system/kakapo-dhcp4.service"
if command -v systemd-analyze >/dev/null 2>&1; then
    for u in kakapo-dhcp4 kakapo-dhcp6 kakapo-dhcp-ddns kakapo-ctrl-agent; do
        if SYSTEMD_LOG_LEVEL=warning systemd-analyze verify --man=no "$P/lib/systemd/system/$u.service" >"$W/verify-$u.out" 2>&1 \
           && ! grep -v -e 'network-online.target' -e 'time-sync.target' -e 'multi-user.target' -e 'kakapo-' "$W/verify-$u.out" | grep -q .; then
            kk_pass "systemd-analyze verify $u.service"
        else
            kk_fail "systemd-analyze verify $u.service: $(head -c 600 "$W/verify-$u.out")"
        fi
    done
else
    kk_skip "systemd-analyze not installed: units not verified"
fi

kk_finish
