#!/usr/bin/env bash
# Install what Kakapo's tests, demo and benchmark need on Debian 12 (run as root).
# Idempotent and non-interactive: apt-get update runs only when something is
# missing, and nothing is done when everything is already installed.
#
#   kea-dhcp4-server  reference server (kea-dhcp4) for tests, fixtures and bench
#   kea-dhcp6-server  reference DHCPv6 server (kea-dhcp6) for test_kea6_differential
#   kea-admin         perfdhcp (relayed load, benchmark)
#   isc-dhcp-client   dhclient          udhcpc        busybox udhcpc
#   dhcpcd-base       dhcpcd            tcpdump       fixture capture
#   iproute2, util-linux, procps, python3, coreutils
#   valgrind          callgrind: server instructions per exchange (make bench)
#   isc-dhcp-relay    dhcrelay, a real relay agent between client and server
#   faketime          libfaketime: wall-clock steps for the server alone (test_clock_step)
#   postgresql        a private PostgreSQL server for the lease-database tests (scripts/pg-test-server.sh)
#   libpq-dev         libpq, which the daemons link (the build needs its headers)
#   bind9             named: a real DNS server taking TSIG-signed updates (test_ddns_bind)
#   bind9-dnsutils    dig, nsupdate (and tsig-keygen comes with bind9) for test_ddns_bind
#   kea-ctrl-agent    kea-ctrl-agent and kea-shell 2.2: test_ctrl_agent(_tls) compare with them
#   chromium          headless browser: test_dashboard opens the agent's lease dashboard
#   python3-websocket the DevTools-protocol client test_dashboard drives Chromium with
#   strace            test_memfile_fsync (system-call order of lease writes and replies)
#   time              GNU time for bench/sim.sh (make bench)
#
# Services: package installation must not leave a DHCP server running in the
# root network namespace.  While installing, a temporary policy-rc.d forbids
# service starts (unless one already exists); afterwards, if kea-dhcp4-server,
# kea-dhcp6-server or bind9 was installed by this run and is running anyway, it is
# stopped (systemctl, or by the PID in its pid file) and its unit disabled.
set -eu
export DEBIAN_FRONTEND=noninteractive

if [ "$(id -u)" -ne 0 ]; then
    echo "install-test-deps: must run as root" >&2
    exit 1
fi
if ! command -v dpkg-query >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
    echo "install-test-deps: needs a Debian-style system (dpkg, apt-get)" >&2
    exit 1
fi

want=(kea-dhcp4-server kea-dhcp6-server kea-admin isc-dhcp-client udhcpc tcpdump iproute2 util-linux procps python3 coreutils valgrind isc-dhcp-relay faketime postgresql libpq-dev bind9 bind9-dnsutils
      kea-dhcp-ddns-server   # Kea's D2 (kea-dhcp-ddns): test_ddns_bind, test_ddns_e2e compare and interoperate with it
      python3-dnspython      # an independent TSIG implementation for test_ddns_e2e (run with /usr/bin/python3)
      kea-ctrl-agent         # kea-ctrl-agent and kea-shell: the control-plane tests compare with them
      chromium python3-websocket fonts-dejavu-core  # test_dashboard: headless Chromium driven over the DevTools protocol
      strace                 # test_memfile_fsync: the lease write (and fdatasync) seen before each reply
      time)                  # /usr/bin/time -v: the simulator benchmark's wall time and peak RSS (bench/sim.sh)
# dhcpcd: Debian 12 ships the binary in dhcpcd-base; other releases only have "dhcpcd".
if command -v dhcpcd >/dev/null 2>&1; then :; else want+=(dhcpcd-base); fi

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

missing=()
for p in "${want[@]}"; do
    installed "$p" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
    echo "install-test-deps: all present"
    exit 0
fi

# Packaged Kea daemons: package name, process name (its PID file is <name>.<name>.pid).
kea_daemons=("4 kea-dhcp4-server kea-dhcp4" "6 kea-dhcp6-server kea-dhcp6" "a kea-ctrl-agent kea-ctrl-agent")
declare -A kea_was_installed=()
for d in "${kea_daemons[@]}"; do
    set -- $d
    kea_was_installed[$1]=0
    installed "$2" && kea_was_installed[$1]=1
done
bind_was_installed=0
installed bind9 && bind_was_installed=1

policy=/usr/sbin/policy-rc.d
made_policy=0
cleanup() {
    if [ "$made_policy" = 1 ]; then rm -f "$policy"; fi
}
trap cleanup EXIT
if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\n# temporary, from kakapo scripts/install-test-deps.sh: no service starts while installing\nexit 101\n' >"$policy"
    chmod 755 "$policy"
    made_policy=1
fi

echo "install-test-deps: installing ${missing[*]}"
apt-get update -qq
# dhcpcd-base may not exist (older/newer releases): fall back to dhcpcd.
if printf '%s\n' "${missing[@]}" | grep -qx dhcpcd-base && ! apt-cache show dhcpcd-base >/dev/null 2>&1; then
    missing=("${missing[@]/dhcpcd-base/dhcpcd}")
fi
apt-get install -y -qq --no-install-recommends "${missing[@]}"

cleanup
made_policy=0

# Make sure a freshly installed kea-dhcp4-server / kea-dhcp6-server / kea-ctrl-agent does not
# keep running on the host.
for d in "${kea_daemons[@]}"; do
    set -- $d
    v=$1 svc=$2 proc=$3
    [ "${kea_was_installed[$v]}" = 0 ] && installed "$svc" || continue
    if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
        if systemctl is-active --quiet "$svc" 2>/dev/null; then
            echo "install-test-deps: stopping $svc.service started by the package"
            systemctl stop "$svc" || true
        fi
        if systemctl is-enabled --quiet "$svc" 2>/dev/null; then
            echo "install-test-deps: disabling $svc.service (tests run their own $proc)"
            systemctl disable "$svc" >/dev/null 2>&1 || true
        fi
    else
        for pf in /run/kea/$proc.$proc.pid /var/run/kea/$proc.$proc.pid; do
            [ -f "$pf" ] || continue
            pid=$(tr -dc 0-9 <"$pf")
            if [ -n "$pid" ] && [ "$(cut -c1-15 "/proc/$pid/comm" 2>/dev/null)" = "$(printf %.15s "$proc")" ]; then
                echo "install-test-deps: stopping $proc pid $pid started by the package"
                kill -TERM "$pid" 2>/dev/null || true
                for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
            fi
        done
    fi
done

# The same for bind9: its unit is named.service (bind9.service an alias); the tests run
# their own named in a namespace, never the packaged one.
if [ "$bind_was_installed" = 0 ] && installed bind9; then
    if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
        for svc in named bind9; do
            if systemctl is-active --quiet "$svc" 2>/dev/null; then
                echo "install-test-deps: stopping $svc.service started by the package"
                systemctl stop "$svc" || true
            fi
            if systemctl is-enabled --quiet "$svc" 2>/dev/null; then
                echo "install-test-deps: disabling $svc.service (test_ddns_bind runs its own named in a namespace)"
                systemctl disable "$svc" >/dev/null 2>&1 || true
            fi
        done
    else
        for pf in /run/named/named.pid /var/run/named/named.pid; do
            [ -f "$pf" ] || continue
            pid=$(tr -dc 0-9 <"$pf")
            if [ -n "$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "named" ]; then
                echo "install-test-deps: stopping named pid $pid started by the package"
                kill -TERM "$pid" 2>/dev/null || true
                for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
            fi
        done
    fi
fi

for c in named dig nsupdate tsig-keygen kea-dhcp4 kea-dhcp6 perfdhcp dhclient udhcpc dhcpcd tcpdump ip unshare nsenter python3; do
    command -v "$c" >/dev/null 2>&1 || { echo "install-test-deps: $c still missing after install" >&2; exit 1; }
done
echo "install-test-deps: done"
