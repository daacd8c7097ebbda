# shellcheck shell=bash
# Kakapo integration-test helpers.  Source this file from a test script:
#
#   . "$(dirname "$0")/lib.sh"
#   kk_init                     # work dir, cleanup trap, server selection
#   kk_topology                 # server ns + switch ns (bridge) ; server iface eth0
#   kk_add_client c1            # client ns joined to the switch, iface eth0
#   ...
#   kk_finish                   # prints the summary line, exits non-zero on failure
#
# Server selection (server-agnostic):
#   DHCP4_SERVER=kakapo (default) | kea
#   KAKAPO_DHCP4=path           default <repo>/.build/debug/kakapo-dhcp4
#   KEA_DHCP4=path              default $(command -v kea-dhcp4)
#
# Rules kept here: all traffic stays inside namespaces created by this file
# (names kk-<pid>-*), only documentation/benchmark address ranges are used,
# every wait is bounded, and cleanup stops only processes this run started
# (by PID) and deletes only the namespaces it created.

set -u

KK_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
KK_REPO_ROOT=$(cd "$KK_LIB_DIR/../.." && pwd)
KK_SEED_DIR=${KK_SEED_DIR:-$KK_REPO_ROOT/Tests/Fixtures/configs/seed}
DHCP4_SERVER=${DHCP4_SERVER:-kakapo}
KK_PY=${KK_PY:-python3}

KK_PASSES=0
KK_FAILS=0
KK_SKIPS=0
KK_KEA_DIFFS=0
KK_TEST_NAME=${KK_TEST_NAME:-$(basename "${0%.sh}")}
KK_NETNS=()          # namespaces we created
KK_PIDS=()           # processes we started (server, clients)
KK_SERVER_PID=""
KK_SERVER_CONF=""
KK_SERVER_SOCK=""
KK_SERVER_OUT=""
KK_SERVER_STARTS=0
declare -A KK_CNS=()      # client name -> namespace
declare -A KK_CIF=()      # client name -> interface name inside its namespace
declare -A KK_CPID=()     # client name -> pid of the running client
declare -A KK_CTYPE=()    # client name -> dhclient|udhcpc|dhcpcd
declare -A KK_CMAC=()     # client name -> mac
KK_CLIENT_SEQ=0

# ---------------------------------------------------------------- output

kk_log()  { printf '[%s] %s\n' "$KK_TEST_NAME" "$*" >&2; }
kk_pass() { KK_PASSES=$((KK_PASSES + 1)); printf '  ok    %s\n' "$*"; }
kk_fail() {
    if [ "${KK_SPEC_MODE:-0}" = 1 ] && [ "$DHCP4_SERVER" = kea ]; then
        KK_KEA_DIFFS=$((KK_KEA_DIFFS + 1))
        printf '  kea   (Kea differs from the Kakapo spec; not counted) %s\n' "$*"
        return 0
    fi
    KK_FAILS=$((KK_FAILS + 1)); printf '  FAIL  %s\n' "$*"
}
# kk_spec ASSERTION ARGS... : an assertion of Kakapo's spec (issue text) that
# Debian's Kea 2.2 is known not to meet.  With DHCP4_SERVER=kea a failure is
# printed as a "kea" line and not counted; with kakapo it is a normal assertion.
kk_spec() { local KK_SPEC_MODE=1; "$@"; }
kk_skip() { KK_SKIPS=$((KK_SKIPS + 1)); printf '  skip  %s\n' "$*"; }
# kk_note: facts worth recording (e.g. where Kea and Kakapo differ), no verdict.
kk_note() { printf '  note  %s\n' "$*"; }

kk_assert() {            # kk_assert "description" command args...
    local desc=$1; shift
    if "$@"; then kk_pass "$desc"; return 0; fi
    kk_fail "$desc"; return 1
}
kk_assert_eq() {         # kk_assert_eq "description" expected actual
    if [ "$2" = "$3" ]; then kk_pass "$1 (= $3)"; return 0; fi
    kk_fail "$1: expected '$2', got '$3'"; return 1
}
kk_assert_ne() {
    if [ "$2" != "$3" ]; then kk_pass "$1 (not '$2': '$3')"; return 0; fi
    kk_fail "$1: both are '$2'"; return 1
}
kk_assert_match() {      # kk_assert_match "description" extended-regex text
    if printf '%s\n' "$3" | grep -Eq -- "$2"; then kk_pass "$1"; return 0; fi
    kk_fail "$1: /$2/ not found in: $(printf '%s' "$3" | head -c 600)"; return 1
}
kk_assert_ge() {         # kk_assert_ge "description" actual minimum   (integers)
    if [[ "$2" =~ ^-?[0-9]+$ ]] && [ "$2" -ge "$3" ]; then kk_pass "$1 ($2 >= $3)"; return 0; fi
    kk_fail "$1: expected >= $3, got '$2'"; return 1
}
kk_assert_gt() {
    if [[ "$2" =~ ^-?[0-9]+$ ]] && [[ "$3" =~ ^-?[0-9]+$ ]] && [ "$2" -gt "$3" ]; then
        kk_pass "$1 ($2 > $3)"; return 0
    fi
    kk_fail "$1: expected > $3, got '$2'"; return 1
}

kk_is_kea() { [ "$DHCP4_SERVER" = kea ]; }

# Print the summary and exit.  The last line is machine-read by run.sh.
kk_finish() {
    echo "KK-RESULT $KK_TEST_NAME passed=$KK_PASSES failed=$KK_FAILS skipped=$KK_SKIPS kea_diffs=$KK_KEA_DIFFS server=$DHCP4_SERVER"
    [ "$KK_FAILS" -eq 0 ] && exit 0
    exit 1
}

kk_die() {               # setup failure: counts as one failed assertion
    kk_fail "setup: $*"
    if [ -n "$KK_SERVER_OUT" ] && [ -f "$KK_SERVER_OUT" ]; then
        echo "---- last server output ($KK_SERVER_OUT)"; tail -n 30 "$KK_SERVER_OUT"
    fi
    kk_finish
}

# ---------------------------------------------------------------- init / cleanup

kk_need() {              # kk_need cmd... : fail fast when a tool is missing
    local c
    for c in "$@"; do
        command -v "$c" >/dev/null 2>&1 || kk_die "missing tool '$c' (run scripts/install-test-deps.sh)"
    done
}

kk_server_bin() {
    case "$DHCP4_SERVER" in
        kea)    echo "${KEA_DHCP4:-$(command -v kea-dhcp4 || echo /usr/sbin/kea-dhcp4)}" ;;
        kakapo) echo "${KAKAPO_DHCP4:-$KK_REPO_ROOT/.build/debug/kakapo-dhcp4}" ;;
        *)      echo "unknown-DHCP4_SERVER-$DHCP4_SERVER" ;;
    esac
}

kk_init() {
    [ "$(id -u)" -eq 0 ] || { echo "must run as root (network namespaces)" >&2; exit 1; }
    kk_need ip "$KK_PY" unshare timeout
    KK_ID="${KK_NS_PREFIX:-kk}-$$"      # KK_NS_PREFIX: another prefix for parallel runs
    KK_WORK=$(mktemp -d "/tmp/kk-$$-XXXXXX")
    chmod 755 "$KK_WORK"
    KK_SERVER_BIN=$(kk_server_bin)
    trap kk_cleanup EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM HUP
    kk_log "server=$DHCP4_SERVER bin=$KK_SERVER_BIN work=$KK_WORK"
    if [ ! -x "$KK_SERVER_BIN" ]; then
        kk_die "server binary not found or not executable: $KK_SERVER_BIN"
    fi
}

kk_kill_pid() {          # kk_kill_pid PID [grace-seconds] : TERM, bounded wait, KILL
    local pid=$1 grace=${2:-5} i
    [ -n "$pid" ] || return 0
    kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null; return 0; }
    kill -TERM "$pid" 2>/dev/null
    for ((i = 0; i < grace * 10; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
        kill -KILL "$pid" 2>/dev/null
        sleep 0.1
    fi
    wait "$pid" 2>/dev/null
    return 0
}

# kk_pid_ours PID : the process is still one this run started: a child of this shell, or
# inside one of its namespaces. A PID recorded in KK_PIDS may have been reaped long ago and
# reused by an unrelated process (PIDs wrap within minutes on a busy machine): never signal it.
kk_pid_ours() {
    local pid=$1 ppid ns
    ppid=$(awk '/^PPid:/ { print $2 }' "/proc/$pid/status" 2>/dev/null)
    [ -n "$ppid" ] || return 1
    [ "$ppid" = "$$" ] && return 0
    for ns in "${KK_NETNS[@]}"; do
        ip netns pids "$ns" 2>/dev/null | grep -qx "$pid" && return 0
    done
    return 1
}

kk_cleanup() {
    local rc=$? pid ns d
    trap - EXIT INT TERM HUP
    for d in "${KK_PG_DIRS[@]}"; do
        bash "$KK_LIB_DIR/../../scripts/pg-test-server.sh" stop "$d"
        [ "${KK_KEEP:-0}" = 1 ] || rm -rf "$d"
    done
    for pid in "${KK_PIDS[@]}"; do
        if kk_pid_ours "$pid"; then kk_kill_pid "$pid" 3; else wait "$pid" 2>/dev/null; fi
    done
    # Anything still running inside our own namespaces was started by this run
    # (e.g. dhcpcd's privilege-separation helpers): stop it by PID.
    for ns in "${KK_NETNS[@]}"; do
        for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -TERM "$pid" 2>/dev/null; done
    done
    sleep 0.2
    for ns in "${KK_NETNS[@]}"; do
        for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null; done
        ip netns del "$ns" 2>/dev/null
        [ -d "/etc/netns/$ns" ] && rm -rf "/etc/netns/$ns"
    done
    rmdir /etc/netns 2>/dev/null || true
    if [ -n "${KK_WORK:-}" ] && [ -d "$KK_WORK" ]; then
        if [ "${KK_KEEP:-0}" = 1 ] || { [ "$rc" -ne 0 ] && [ "${KK_KEEP_ON_FAIL:-0}" = 1 ]; }; then
            echo "[$KK_TEST_NAME] kept work dir $KK_WORK" >&2
        else
            rm -rf "$KK_WORK"
        fi
    fi
    exit "$rc"
}

# ---------------------------------------------------------------- PostgreSQL

KK_PG_DIRS=()
kk_pg_start() {          # kk_pg_start : a private PostgreSQL server for this test (its own
                         # directory, a free port on 127.0.0.1 and a unix socket), stopped by
                         # kk_cleanup; exports KK_PG_HOST KK_PG_PORT KK_PG_USER KK_PG_BIN KK_PG_DIR.
                         # kk_pg_psql [DB] runs psql as the superuser.
    local dir port env_lines
    dir=$(mktemp -d /tmp/kk-pg-XXXXXX)
    KK_PG_DIRS+=("$dir")
    port=$((56000 + RANDOM % 4000))
    while ss -Hltn "sport = :$port" 2>/dev/null | grep -q .; do port=$((port + 1)); done
    env_lines=$(bash "$KK_LIB_DIR/../../scripts/pg-test-server.sh" start "$dir" "$port") \
        || kk_die "the private PostgreSQL server did not start"
    eval "$env_lines"
}
kk_pg_psql() { "$KK_PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$KK_PG_HOST" -p "$KK_PG_PORT" -U postgres "${1:-postgres}" "${@:2}"; }
kk_pg_kea_db() {         # kk_pg_kea_db NAME : a database NAME owned by role kea (password kea),
                         # made by Kea 2.2's own `kea-admin db-init pgsql` (schema 13.0)
    local name=$1
    kk_pg_psql postgres -c "DO \$\$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'kea') THEN CREATE ROLE kea LOGIN PASSWORD 'kea'; END IF; END \$\$" \
        || kk_die "creating role kea failed"
    kk_pg_psql postgres -c "CREATE DATABASE $name OWNER kea" || kk_die "creating database $name failed"
    kea-admin db-init pgsql -u kea -p kea -n "$name" -h 127.0.0.1 -P "$KK_PG_PORT" >"$KK_WORK/kea-admin-$name.log" 2>&1 \
        || { cat "$KK_WORK/kea-admin-$name.log" >&2; kk_die "kea-admin db-init pgsql failed for $name"; }
}
kk_pg_stop()  { bash "$KK_LIB_DIR/../../scripts/pg-test-server.sh" stop "$KK_PG_DIR"; }
kk_pg_restart() { bash "$KK_LIB_DIR/../../scripts/pg-test-server.sh" start "$KK_PG_DIR" "$KK_PG_PORT" >/dev/null || kk_die "PostgreSQL did not restart"; }

# ---------------------------------------------------------------- namespaces

kk_netns_add() {         # kk_netns_add NAME : create, lo up, no IPv6 noise
    local ns=$1
    ip netns add "$ns" || kk_die "ip netns add $ns failed"
    KK_NETNS+=("$ns")
    ip -n "$ns" link set lo up
    ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 2>/dev/null || true
    ip netns exec "$ns" sysctl -qw net.ipv6.conf.default.disable_ipv6=1 2>/dev/null || true
}

kk_netns6_add() {        # kk_netns6_add NAME : a namespace with IPv6 on and no duplicate address
    ip netns add "$1" || kk_die "ip netns add $1 failed"   # detection (addresses usable at once)
    KK_NETNS+=("$1")
    ip -n "$1" link set lo up
    ip netns exec "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=0 net.ipv6.conf.default.disable_ipv6=0
    ip netns exec "$1" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
}

kk_server6_files() {     # sets state csv sock conf out for a kakapo-dhcp6 run in $KK_WORK, with
    state="$KK_WORK/var"    # its state directory and PID files there (exported for the daemon)
    mkdir -p "$state/lib/kea" "$state/run/kea"
    export KAKAPO_LOCALSTATEDIR=$state
    export KEA_PIDFILE_DIR=$state/run/kea
    csv="$state/lib/kea/kea-leases6.csv"
    sock="$KK_WORK/kea6-ctrl.sock"
    conf="$KK_WORK/kea-dhcp6.conf"
    out="$KK_WORK/server.out"
    KK_SERVER_OUT=$out
    KK_SERVER_SOCK=$sock
}

# kk_faketime_setup : the server will run under libfaketime (LD_PRELOAD, faketime package)
# with only CLOCK_REALTIME faked (FAKETIME_DONT_FAKE_MONOTONIC) and its offset read from a
# file that kk_clock_step rewrites while it runs (FAKETIME_NO_CACHE: read on every call).
# CLOCK_REALTIME is global, so this is the only safe way: nothing outside the server
# process sees the fake time.  Replaces KK_SERVER_BIN by a wrapper that execs the server (so
# the PID stays the server's).  Skips the test (kk_finish) when libfaketime is missing.
# FAKETIME_SHARED names a semaphore and shared memory that do not exist: without it
# libfaketime creates its own and setenv()s FAKETIME_SHARED from inside the first stat()
# call, which Swift's runtime makes while it initializes; the environment then moves off the
# initial stack, and Swift, which finds argv by walking back from environ, sees no arguments.
# (The faketime(1) wrapper avoids it the same way, but forks.)  The shared segment only
# matters for faketime's start-at mode, unused here.
kk_faketime_setup() {
    local lib="" f
    for f in /usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1 /usr/lib/*/faketime/libfaketime.so.1 \
             /usr/lib/faketime/libfaketime.so.1 /usr/local/lib/faketime/libfaketime.so.1; do
        [ -f "$f" ] && { lib=$f; break; }
    done
    if [ -z "$lib" ]; then
        kk_skip "libfaketime not installed (apt: faketime; scripts/install-test-deps.sh)"
        kk_finish
    fi
    KK_FAKETIME_FILE="$KK_WORK/faketime.offset"
    echo "+0" >"$KK_FAKETIME_FILE"
    local wrap="$KK_WORK/server-faketime.sh"
    cat >"$wrap" <<EOW
#!/bin/sh
exec env LD_PRELOAD="$lib" FAKETIME_SHARED="/kc-none-sem /kc-none-shm" \
    FAKETIME_TIMESTAMP_FILE="$KK_FAKETIME_FILE" FAKETIME_NO_CACHE=1 \
    FAKETIME_DONT_FAKE_MONOTONIC=1 "$KK_SERVER_BIN" "\$@"
EOW
    chmod +x "$wrap"
    KK_SERVER_BIN=$wrap
}

kk_clock_step() {        # kk_clock_step OFFSET : the server's wall clock is now real time + OFFSET
    echo "$1" >"$KK_FAKETIME_FILE"
    echo "    -- clock offset $1"
    sleep 3.5            # a few reclamation cycles (1 s) at the new time
}

kk_init6() {             # kk_init for a kakapo-dhcp6 test: KAKAPO_DHCP6 (default the debug
    if [ "$DHCP4_SERVER" != kakapo ]; then   # build) is the server; skipped under DHCP4_SERVER=kea
        echo "  skip  kakapo-dhcp6 only (DHCP4_SERVER=$DHCP4_SERVER)"; KK_SKIPS=1; kk_finish
    fi
    KAKAPO_DHCP4=${KAKAPO_DHCP6:-$KK_REPO_ROOT/.build/debug/kakapo-dhcp6}
    kk_init
}

kk_need_sim() {          # sets sim: KAKAPO_SIM, default the debug build's kakapo-sim
    sim=${KAKAPO_SIM:-$KK_REPO_ROOT/.build/debug/kakapo-sim}
    [ -x "$sim" ] || kk_die "kakapo-sim not found or not executable: $sim"
}

kk_nsx() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

# kk_topology [SERVER_IF [SERVER_CIDR]]
#   KK_SRV_NS : server namespace, with SERVER_IF (default eth0, 192.0.2.1/24)
#   KK_SW_NS  : "switch" namespace holding bridge br0 that joins server and clients
kk_topology() {
    local sif=${1:-eth0} scidr=${2:-192.0.2.1/24}
    KK_SRV_NS="$KK_ID-srv"
    KK_SW_NS="$KK_ID-sw"
    kk_netns_add "$KK_SRV_NS"
    kk_netns_add "$KK_SW_NS"
    ip -n "$KK_SW_NS" link add br0 type bridge stp_state 0 forward_delay 0 || kk_die "bridge"
    ip -n "$KK_SW_NS" link set br0 up
    kk_attach_server_if "$sif" "$scidr" br0
    KK_SRV_IF=$sif
    KK_SRV_ADDR=${scidr%/*}
}

# kk_attach_server_if IFNAME CIDR [BRIDGE]: one more server interface, joined to
# BRIDGE in the switch namespace (created if it does not exist yet).
kk_attach_server_if() {
    local ifn=$1 cidr=$2 br=${3:-br0} port
    port="s${#KK_NETNS[@]}$RANDOM"; port=${port:0:12}
    if ! ip -n "$KK_SW_NS" link show "$br" >/dev/null 2>&1; then
        ip -n "$KK_SW_NS" link add "$br" type bridge stp_state 0 forward_delay 0
        ip -n "$KK_SW_NS" link set "$br" up
    fi
    ip link add "$port" netns "$KK_SW_NS" type veth peer name "$ifn" netns "$KK_SRV_NS" \
        || kk_die "veth $port/$ifn"
    ip -n "$KK_SW_NS" link set "$port" master "$br"
    ip -n "$KK_SW_NS" link set "$port" up
    ip -n "$KK_SRV_NS" addr add "$cidr" dev "$ifn"
    ip -n "$KK_SRV_NS" link set "$ifn" up
}

# kk_add_client NAME [MAC] [BRIDGE] : client namespace with interface eth0 on the switch
kk_add_client() {
    local name=$1 mac=${2:-} br=${3:-br0} ns port
    KK_CLIENT_SEQ=$((KK_CLIENT_SEQ + 1))
    [ -n "$mac" ] || mac=$(printf '02:00:00:%02x:%02x:%02x' $(($$ % 256)) $((KK_CLIENT_SEQ / 256)) $((KK_CLIENT_SEQ % 256)))
    ns="$KK_ID-$name"
    kk_netns_add "$ns"
    port="c$KK_CLIENT_SEQ-$RANDOM"; port=${port:0:12}
    ip link add "$port" netns "$KK_SW_NS" type veth peer name eth0 netns "$ns" || kk_die "veth for $name"
    ip -n "$KK_SW_NS" link set "$port" master "$br"
    ip -n "$KK_SW_NS" link set "$port" up
    ip -n "$ns" link set eth0 address "$mac"
    ip -n "$ns" link set eth0 up
    KK_CNS[$name]=$ns
    KK_CIF[$name]=eth0
    KK_CMAC[$name]=$mac
    mkdir -p "$KK_WORK/c-$name"
    # ip netns exec bind-mounts /etc/netns/NS/resolv.conf over /etc/resolv.conf; the
    # client wrapper additionally puts an overlay on /etc so nothing reaches the host's /etc.
    mkdir -p "/etc/netns/$ns"
    echo "# placeholder written by $KK_TEST_NAME; a DHCP client should replace this" > "/etc/netns/$ns/resolv.conf"
}

# ---------------------------------------------------------------- server

kk_config_loggers() {    # JSON for "loggers": server log to stdout (captured)
    local sev=INFO dbg=0
    if [ "${KK_SERVER_DEBUG:-0}" = 1 ]; then sev=DEBUG; dbg=99; fi
    printf '[ { "name": "kea-dhcp4", "output_options": [ { "output": "stdout" } ], "severity": "%s", "debuglevel": %s } ]' "$sev" "$dbg"
}

# kk_server_start CONFIG [extra server args...]
#   Runs the server in KK_SRV_NS, in the foreground of a background job, inside a
#   private mount namespace where /run, /var/lib and /var/log are per-run
#   directories (so default paths such as Kea's pid and lease files never land on
#   the host).  Output goes to $KK_WORK/server-N.out.
kk_server_start() {
    local conf=$1; shift
    KK_SERVER_STARTS=$((KK_SERVER_STARTS + 1))
    KK_SERVER_CONF=$conf
    KK_SERVER_OUT="$KK_WORK/server-$KK_SERVER_STARTS.out"
    KK_SERVER_SOCK=$("$KK_PY" "$KK_LIB_DIR/ctl.py" --config-socket "$conf" 2>/dev/null || true)
    local priv="$KK_WORK/srv-root"
    mkdir -p "$priv/run/kea" "$priv/var/lib/kea" "$priv/var/log/kea"
    ip netns exec "$KK_SRV_NS" unshare --mount --propagation private \
        env KEA_PIDFILE_DIR="$priv/run/kea" KEA_LOCKFILE_DIR="$priv/run/kea" \
        "$KK_LIB_DIR/privroot.sh" "$priv" "$KK_SERVER_BIN" -c "$conf" "$@" \
        >"$KK_SERVER_OUT" 2>&1 &
    KK_SERVER_PID=$!
    KK_PIDS+=("$KK_SERVER_PID")
    kk_log "server started pid=$KK_SERVER_PID conf=$conf"
}

# kk_server_wait_ready [TIMEOUT] : control socket answers (or UDP 67 bound when
# the config has no control socket).  Returns 1 if the server died or timed out.
kk_server_wait_ready() {
    local t=${1:-20} i
    for ((i = 0; i < t * 5; i++)); do
        if ! kill -0 "$KK_SERVER_PID" 2>/dev/null; then
            kk_log "server exited during start-up"
            return 1
        fi
        if ! kk_pid_in_ns "$KK_SERVER_PID" "$KK_SRV_NS"; then
            sleep 0.1; continue       # still between ip-netns-exec and exec
        fi
        if [ -n "$KK_SERVER_SOCK" ]; then
            if kk_ctl status-get >/dev/null 2>&1; then return 0; fi
        elif ip netns exec "$KK_SRV_NS" ss -Hlun 'sport = :67' 2>/dev/null | grep -q .; then
            sleep 0.3
            return 0
        fi
        sleep 0.2
    done
    kk_log "server not ready after ${t}s"
    return 1
}

kk_server_start_ready() {   # start + wait, fail the test if it does not come up
    kk_server_start "$@"
    kk_server_wait_ready 25 || kk_die "server did not become ready (config $1)"
    # the raw socket may need a moment after the control socket is up
    sleep 0.5
}

# kk_server_check CONFIG : run "SERVER -t CONFIG" in the server namespace (private
# /run, /var/lib, /var/log as for kk_server_start); sets KK_CHECK_OUT (stdout+stderr)
# and KK_CHECK_RC.  Bounded to 20 s.
kk_server_check() {
    local priv="$KK_WORK/srv-root"
    mkdir -p "$priv/run/kea" "$priv/var/lib/kea" "$priv/var/log/kea"
    KK_CHECK_OUT=$(timeout 20 ip netns exec "$KK_SRV_NS" unshare --mount --propagation private \
        env KEA_PIDFILE_DIR="$priv/run/kea" KEA_LOCKFILE_DIR="$priv/run/kea" \
        "$KK_LIB_DIR/privroot.sh" "$priv" "$KK_SERVER_BIN" -t "$1" 2>&1)
    KK_CHECK_RC=$?
}

kk_server_alive() { [ -n "$KK_SERVER_PID" ] && kill -0 "$KK_SERVER_PID" 2>/dev/null; }

kk_server_stop() {       # TERM, bounded wait; returns 0 if it stopped within 10 s
    local pid=$KK_SERVER_PID i
    [ -n "$pid" ] || return 0
    kill -TERM "$pid" 2>/dev/null
    for ((i = 0; i < 100; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then
        kk_log "server pid $pid ignored SIGTERM for 10 s; killing"
        kill -KILL "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
        KK_SERVER_PID=""
        return 1
    fi
    wait "$pid" 2>/dev/null
    KK_SERVER_PID=""
    return 0
}

# kk_ctl COMMAND [ARGUMENTS-JSON] : send to the server's control socket, print the response
kk_ctl() {
    [ -n "$KK_SERVER_SOCK" ] || { echo '{"error":"no control socket in config"}'; return 2; }
    "$KK_PY" "$KK_LIB_DIR/ctl.py" --timeout 5 "$KK_SERVER_SOCK" "$@"
}
# kk_stat NAME : current value of a statistic (0 if the server does not have it yet)
kk_stat() { "$KK_PY" "$KK_LIB_DIR/ctl.py" --timeout 5 --stat "$1" "$KK_SERVER_SOCK"; }
# kk_json EXPR : evaluate a python expression on stdin's JSON (bound to d)
kk_json() { "$KK_PY" -c 'import json,sys; d=json.load(sys.stdin); r=eval(sys.argv[1]); print(json.dumps(r) if isinstance(r,(dict,list)) else r)' "$1"; }

# ---------------------------------------------------------------- lease file

# kk_leases CSV [--mac M] [--address A] [--field F] : matching rows (leases.py)
kk_leases() { "$KK_PY" "$KK_LIB_DIR/leases.py" "$@"; }

# kk_start_private NS NAME BINARY : a DHCP server, Kea's or Kakapo's, on $KK_WORK/NAME/conf.json
# in namespace NS, with a private /run/kea and /var under $KK_WORK/NAME/root (privroot.sh), its
# output in $KK_WORK/NAME/server.out; sets PID_NAME and returns once its control socket
# $KK_WORK/NAME/ctrl.sock answers status-get (dies if it does not come up).
kk_start_private() {
    local ns=$1 name=$2 bin=$3 dir="$KK_WORK/$2" pid i
    mkdir -p "$dir/root/run/kea" "$dir/root/var/lib/kea" "$dir/root/var/log/kea"
    ip netns exec "$ns" unshare --mount --propagation private \
        env KEA_PIDFILE_DIR="$dir/root/run/kea" KEA_LOCKFILE_DIR="$dir/root/run/kea" KAKAPO_LOCALSTATEDIR="$dir/root/var" \
        "$KK_LIB_DIR/privroot.sh" "$dir/root" "$bin" -c "$dir/conf.json" >"$dir/server.out" 2>&1 &
    pid=$!
    KK_PIDS+=("$pid")
    eval "PID_$name=$pid"
    for ((i = 0; i < 100; i++)); do
        "$KK_PY" "$KK_LIB_DIR/ctl.py" --timeout 2 "$dir/ctrl.sock" status-get >/dev/null 2>&1 && return 0
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.2
    done
    tail -n 20 "$dir/server.out"
    kk_die "$name did not come up"
}

# kk_add_checker_output TEXT : a Python checker's output (checks.py): its lines are shown and
# its "SUMMARY passed=N failed=M" line added to this test's counts; KK_CHECKER_PASSED is N.
# Returns 1 (counted as a failure) when the checker did not get to its summary.
kk_add_checker_output() {
    local summary p f
    printf '%s\n' "$1" | grep -v '^SUMMARY'
    summary=$(printf '%s\n' "$1" | grep '^SUMMARY' || true)
    p=$(echo "$summary" | sed -n 's/.*passed=\([0-9]*\).*/\1/p'); f=$(echo "$summary" | sed -n 's/.*failed=\([0-9]*\).*/\1/p')
    KK_CHECKER_PASSED=${p:-0}
    [ -n "$p" ] && [ -n "$f" ] || { kk_fail "the checker did not finish"; return 1; }
    KK_PASSES=$((KK_PASSES + p)); KK_FAILS=$((KK_FAILS + f))
}

# kk_rerun_with_kea NAME CONF NCR-FILE : the DDNS NCR tests' differential part: the same
# exchanges against Kea 2.2's NAME (kea-dhcp4, kea-dhcp6) on CONF. The caller's `listener FILE`
# (the NCR listener, its PID in LPID), `probe OUT` and `more OUT` run as they did for Kakapo,
# after the lease file $csv and the control socket are cleared. Without Kea the test fails
# under CI and is skipped elsewhere, and ends here.
kk_rerun_with_kea() {
    local name=$1 conf=$2 ncr=$3 kea saved
    kea=$(command -v "$name" || true)
    if [ -z "$kea" ]; then
        if [ "${CI:-}" = true ]; then kk_fail "$name not installed"; else kk_skip "$name not installed: differential part skipped"; fi
        kk_finish
    fi
    rm -f "$csv" "$KK_WORK/ctl.sock"
    listener "$ncr"
    saved=$KK_SERVER_BIN
    KK_SERVER_BIN=$kea
    kk_server_start_ready "$conf"
    probe "$KK_WORK/probe-kea.out"
    more "$KK_WORK/more-kea.out"
    kk_server_stop || kk_fail "$name did not stop"
    KK_SERVER_BIN=$saved
    kk_kill_pid "$LPID" 2
}

# kk_wait_for TIMEOUT_S command... : poll every 0.2 s until the command succeeds
kk_wait_for() {
    local t=$1 i; shift
    for ((i = 0; i < t * 5; i++)); do
        "$@" >/dev/null 2>&1 && return 0
        sleep 0.2
    done
    return 1
}

# ---------------------------------------------------------------- clients

kk_cdir() { echo "$KK_WORK/c-$1"; }

# Run a command in client NAME's namespace with private /etc (overlay), /run,
# /var/lib/dhcp and /var/lib/dhcpcd, and its own UTS namespace (hostname).
kk_cexec() {
    local name=$1; shift
    ip netns exec "${KK_CNS[$name]}" unshare --mount --uts --propagation private \
        "$KK_LIB_DIR/clientwrap.sh" "$(kk_cdir "$name")" "$@"
}

# kk_pid_in_ns PID NS : true if PID runs in network namespace NS (never act on a
# process that is not in one of our namespaces)
kk_pid_in_ns() { [ -n "$1" ] && [ "$(ip netns identify "$1" 2>/dev/null)" = "$2" ]; }

# kk_cnsenter NAME CMD... : run CMD inside the namespaces (net, mount, uts) of the
# running client NAME, e.g. "dhcpcd -k" which needs the daemon's private /run.
kk_cnsenter() {
    local name=$1 pid=${KK_CPID[$1]:-}; shift
    if ! kk_pid_in_ns "$pid" "${KK_CNS[$name]}"; then
        kk_log "refusing nsenter: pid '$pid' is not in ${KK_CNS[$name]}"
        return 1
    fi
    timeout 20 nsenter -t "$pid" -m -n -u "$@"
}

kk_write_client_confs() {
    local name=$1 d; d=$(kk_cdir "$name")
    mkdir -p "$d"
    if [ ! -f "$d/dhclient.conf" ]; then
        cat >"$d/dhclient.conf" <<EOF
# written by kakapo tests ($KK_TEST_NAME)
option rfc3442-classless-static-routes code 121 = array of unsigned integer 8;
timeout 30;
retry 2;
initial-interval 1;
request subnet-mask, broadcast-address, time-offset, routers,
        domain-name, domain-name-servers, domain-search, host-name,
        interface-mtu, rfc3442-classless-static-routes, ntp-servers;
${KK_DHCLIENT_EXTRA:-}
EOF
    fi
    if [ ! -f "$d/dhcpcd.conf" ]; then
        cat >"$d/dhcpcd.conf" <<EOF
# written by kakapo tests ($KK_TEST_NAME); close to Debian's default dhcpcd.conf
duid
persistent
vendorclassid
option domain_name_servers, domain_name, domain_search
option classless_static_routes
option interface_mtu
option host_name
option rapid_commit
require dhcp_server_identifier
ipv4only
noipv4ll
noarp
nodelay
nohook 30-hostname, 60-ntp-common.conf, 62-chrony.conf, 64-timesyncd.conf, 68-openntpd.conf
${KK_DHCPCD_EXTRA:-}
EOF
    fi
}

# kk_client_start NAME TYPE : start dhclient|udhcpc|dhcpcd in the foreground (background job)
kk_client_start() {
    local name=$1 type=$2 d ifn pre; d=$(kk_cdir "$name"); ifn=${KK_CIF[$name]}
    kk_write_client_confs "$name"
    KK_CTYPE[$name]=$type
    # Started directly (not through a shell function) so that $! is the client's PID.
    pre=(ip netns exec "${KK_CNS[$name]}" unshare --mount --uts --propagation private
         "$KK_LIB_DIR/clientwrap.sh" "$d")
    case "$type" in
        dhclient)
            "${pre[@]}" dhclient -4 -d -v -cf "$d/dhclient.conf" -lf "$d/dhclient.leases" \
                -pf "$d/dhclient.pid" -sf /sbin/dhclient-script "$ifn" >>"$d/client.out" 2>&1 &
            ;;
        udhcpc)
            "${pre[@]}" udhcpc -f -i "$ifn" -s /etc/udhcpc/default.script -t 10 -T 2 -A 3 \
                -p "$d/udhcpc.pid" >>"$d/client.out" 2>&1 &
            ;;
        dhcpcd)
            "${pre[@]}" dhcpcd -4 -B -d -f "$d/dhcpcd.conf" -t 30 "$ifn" >>"$d/client.out" 2>&1 &
            ;;
        *) kk_die "unknown client type $type" ;;
    esac
    KK_CPID[$name]=$!
    KK_PIDS+=("$!")
    kk_log "client $name: $type pid=$! ns=${KK_CNS[$name]} mac=${KK_CMAC[$name]}"
}

# kk_client_addr NAME : the IPv4 address configured on the client's interface (or empty)
kk_client_addr() {
    ip -n "${KK_CNS[$1]}" -4 -o addr show dev "${KK_CIF[$1]}" scope global 2>/dev/null \
        | awk '{print $4}' | cut -d/ -f1 | head -n1
}
kk_client_prefix() {
    ip -n "${KK_CNS[$1]}" -4 -o addr show dev "${KK_CIF[$1]}" scope global 2>/dev/null \
        | awk '{print $4}' | cut -d/ -f2 | head -n1
}
kk_client_default_gw() {
    ip -n "${KK_CNS[$1]}" -4 route show default 2>/dev/null | awk '/^default/ {print $3; exit}'
}
# resolv.conf as the client wrote it (overlay upper dir, or the /etc/netns bind file)
kk_client_resolv() {
    local d; d=$(kk_cdir "$1")
    if [ -f "$d/etc-upper/resolv.conf" ]; then cat "$d/etc-upper/resolv.conf"
    else cat "/etc/netns/${KK_CNS[$1]}/resolv.conf" 2>/dev/null; fi
}

# kk_client_wait_bound NAME [TIMEOUT] : wait for an address; sets KK_ADDR
kk_client_wait_bound() {
    local name=$1 t=${2:-30} i
    KK_ADDR=""
    for ((i = 0; i < t * 5; i++)); do
        KK_ADDR=$(kk_client_addr "$name")
        if [ -n "$KK_ADDR" ]; then
            sleep 0.5          # let the client script finish routes and resolv.conf
            return 0
        fi
        if ! kill -0 "${KK_CPID[$name]}" 2>/dev/null; then
            kk_log "client $name exited before getting an address"
            return 1
        fi
        sleep 0.2
    done
    return 1
}

# kk_client_stop NAME : stop without releasing (SIGTERM; dhcpcd/udhcpc/dhclient do not release on TERM)
kk_client_stop() {
    local name=$1 pid=${KK_CPID[$1]:-}
    [ -n "$pid" ] || return 0
    kk_kill_pid "$pid" 5
    KK_CPID[$name]=""
}

# kk_client_release NAME : make the running client send DHCPRELEASE and stop
kk_client_release() {
    local name=$1 d pid=${KK_CPID[$1]:-} ifn=${KK_CIF[$1]}; d=$(kk_cdir "$name")
    case "${KK_CTYPE[$name]}" in
        dhclient)
            # dhclient -r kills the running instance named by -pf, then releases.
            # Run inside the running client's namespaces (same private /etc and /run).
            kk_cnsenter "$name" dhclient -4 -r -v -cf "$d/dhclient.conf" \
                -lf "$d/dhclient.leases" -pf "$d/dhclient.pid" -sf /sbin/dhclient-script "$ifn" \
                >>"$d/client.out" 2>&1
            ;;
        udhcpc)
            # SIGUSR2: release the lease (and go idle); then stop it.
            kk_pid_in_ns "$pid" "${KK_CNS[$name]}" && kill -USR2 "$pid" 2>/dev/null
            sleep 1
            ;;
        dhcpcd)
            # dhcpcd -k talks to the running daemon through its control socket in
            # /run/dhcpcd, which lives in the daemon's private mount namespace.
            kk_cnsenter "$name" dhcpcd -4 -k "$ifn" >>"$d/client.out" 2>&1
            ;;
    esac
    kk_kill_pid "$pid" 5
    KK_CPID[$name]=""
}

# kk_client_forget NAME : drop the client's own memory of its lease (keep its DUID)
kk_client_forget() {
    local d; d=$(kk_cdir "$1")
    rm -f "$d/dhclient.leases" "$d"/dhcpcd-lib/*.lease 2>/dev/null
    return 0
}

# ---------------------------------------------------------------- configs

# kk_write_basic_config FILE [RENEW REBIND VALID [EXTRA_GLOBAL_JSON]]
#   One subnet 192.0.2.0/24 (id 1) on eth0, pool .100-.199, routers 192.0.2.1,
#   DNS 192.0.2.53/54, domain kakapo.example, control socket $KK_WORK/ctl.sock,
#   lease file $KK_WORK/leases4.csv.  EXTRA_GLOBAL_JSON is inserted as more
#   Dhcp4 keys (must end with a comma).
kk_write_basic_config() {
    local f=$1 renew=${2:-900} rebind=${3:-1800} valid=${4:-3600} extra=${5:-}
    cat >"$f" <<EOF2
// written by $KK_TEST_NAME
{
  "Dhcp4": {
    "interfaces-config": { "interfaces": [ "${KK_SRV_IF:-eth0}" ] },
    "control-socket": { "socket-type": "unix", "socket-name": "$KK_WORK/ctl.sock" },
    "lease-database": { "type": "memfile", "name": "$KK_WORK/leases4.csv", "lfc-interval": 0 },
    "renew-timer": $renew,
    "rebind-timer": $rebind,
    "valid-lifetime": $valid,
    $extra
    "subnet4": [
      {
        "id": 1,
        "subnet": "192.0.2.0/24",
        "pools": [ { "pool": "192.0.2.100 - 192.0.2.199" } ],
        "option-data": [
          { "name": "routers", "data": "192.0.2.1" },
          { "name": "domain-name-servers", "data": "192.0.2.53, 192.0.2.54" },
          { "name": "domain-name", "data": "kakapo.example" }
        ]
      }
    ],
    "loggers": $(kk_config_loggers)
  }
}
EOF2
}

# kk_relay6_setup : kakapo-dhcp6's relayed-load topology.  Server namespace $KK_SRV_NS
# (eth0 2001:db8:1::1/64) joined by a veth to a relay namespace $rns (2001:db8:1::2), both
# with IPv6 on; $conf a Dhcp6 config whose subnet 2001:db8:5::/64 is chosen by the relay's
# address (relay.ip-addresses), with 65,536 addresses and 4,096 /56 prefixes; $csv its
# leases6 file.  The server runs with kk_server_start (KK_SERVER_BIN: kakapo-dhcp6).
# An argument is more of the Dhcp6 map, put in before "subnet6" (end it with a comma).
kk_relay6_setup() {
    KK_SRV_NS="$KK_ID-srv6"
    rns="$KK_ID-rly6"
    kk_netns6_add "$KK_SRV_NS"
    kk_netns6_add "$rns"
    ip link add eth0 netns "$KK_SRV_NS" type veth peer name eth0 netns "$rns" || kk_die "veth"
    ip -n "$KK_SRV_NS" addr add 2001:db8:1::1/64 dev eth0 nodad
    ip -n "$rns" addr add 2001:db8:1::2/64 dev eth0 nodad
    ip -n "$KK_SRV_NS" link set eth0 up
    ip -n "$rns" link set eth0 up
    conf="$KK_WORK/kea-dhcp6.conf"
    csv="$KK_WORK/leases6.csv"
    local loggers='[ { "name": "kea-dhcp6", "output_options": [ { "output": "stdout" } ], "severity": "WARN" } ]'
    cat >"$conf" <<EOF2
// $KK_TEST_NAME
{
  "Dhcp6": {
    "interfaces-config": { "interfaces": [ "eth0" ] },
    "control-socket": { "socket-type": "unix", "socket-name": "$KK_WORK/ctl.sock" },
    "lease-database": { "type": "memfile", "name": "$csv", "lfc-interval": 0 },
    "server-id": { "type": "LLT", "persist": false },
    "preferred-lifetime": 3000, "valid-lifetime": 3600,
    ${1:-}
    "subnet6": [
      { "id": 5, "subnet": "2001:db8:5::/64", "relay": { "ip-addresses": [ "2001:db8:1::2" ] },
        "pools": [ { "pool": "2001:db8:5::1:0 - 2001:db8:5::1:ffff" } ],
        "pd-pools": [ { "prefix": "2001:db8:500::", "prefix-len": 44, "delegated-len": 56 } ] }
    ],
    "loggers": ${LOGGERS_JSON:-$loggers}
  }
}
EOF2
}

# kk_relay_setup PREFIX_LEN : a server on eth0 (192.0.2.1/24) and a "relay" namespace at
# 192.0.2.2 (where perfdhcp or kakapo-sim load act as the relay agent); writes the config
# to $conf with subnet 1 (192.0.2.0/24, direct) and subnet 2 (198.18.0.0/PREFIX_LEN, selected
# by relay ip-addresses 192.0.2.2; no packet is ever sent into it, replies go to giaddr).
# Sets rns (the relay namespace), conf and csv.  LOGGERS_JSON overrides the loggers.
kk_relay_setup() {
    local plen=$1 last
    case "$plen" in
        22) last=198.18.3.250 ;;
        20) last=198.18.15.250 ;;
        *) kk_die "kk_relay_setup: unsupported prefix length $plen" ;;
    esac
    kk_topology eth0 192.0.2.1/24
    kk_add_client relay
    rns=${KK_CNS[relay]}
    ip -n "$rns" addr add 192.0.2.2/24 dev eth0
    conf="$KK_WORK/kea-dhcp4.conf"
    csv="$KK_WORK/leases4.csv"
    cat >"$conf" <<EOF2
// $KK_TEST_NAME
{
  "Dhcp4": {
    "interfaces-config": { "interfaces": [ "eth0" ] },
    "control-socket": { "socket-type": "unix", "socket-name": "$KK_WORK/ctl.sock" },
    "lease-database": { "type": "memfile", "name": "$csv", "lfc-interval": 0 },
    "valid-lifetime": 3600,
    "subnet4": [
      {
        "id": 1,
        "subnet": "192.0.2.0/24",
        "pools": [ { "pool": "192.0.2.100 - 192.0.2.199" } ],
        "option-data": [ { "name": "routers", "data": "192.0.2.1" } ]
      },
      {
        "id": 2,
        "subnet": "198.18.0.0/$plen",
        "relay": { "ip-addresses": [ "192.0.2.2" ] },
        "pools": [ { "pool": "198.18.0.10 - $last" } ],
        "option-data": [ { "name": "routers", "data": "198.18.0.1" } ]
      }
    ],
    "loggers": ${LOGGERS_JSON:-$(kk_config_loggers)}
  }
}
EOF2
}

# kk_relay6_perfdhcp : kk_relay6_setup for perfdhcp -6 -l eth0 -A1 in $rns (a Relay-forward from
# [2001:db8:1::2]:547 whose link-address is 2001:db8:1::2) against kakapo-dhcp6 or kea-dhcp6:
# eth0 named with its unicast address (Kea receives unicast only on an address named so) and
# the address pool widened to 2001:db8:5::/80 (the benchmark's 100,000 clients).
kk_relay6_perfdhcp() {
    kk_relay6_setup "$@"
    sed -i -e 's|"interfaces": \[ "eth0" \]|"interfaces": [ "eth0/2001:db8:1::1" ]|' \
           -e 's|"pool": "2001:db8:5::1:0 - 2001:db8:5::1:ffff"|"pool": "2001:db8:5::/80"|' "$conf"
    grep -q '"eth0/2001:db8:1::1"' "$conf" && grep -q '"2001:db8:5::/80"' "$conf" \
        || kk_die "kk_relay6_perfdhcp: kk_relay6_setup's config is not the expected one"
}
