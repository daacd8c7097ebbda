#!/usr/bin/env bash
# kakapo-lfc against Debian's kea-lfc 2.2 on copies of the same lease files (no network
# namespace: the daemons that load the results run with no interfaces, in a private mount
# namespace so their PID, lock and server-id files stay in the work directory).
#
#  1. v4 and v6: a previous file (-x, Kea 2.2's header) and a copy (-i, Kakapo's 2.4 header)
#     with renewals, deletions, a deletion of a lease never granted and invalid rows. Both
#     tools must leave the same files (only L.2; the PID file is removed), the same message
#     IDs, LFC_READ_STATS / LFC_WRITE_STATS and discarded row numbers, and the same rows in
#     the same (address) order.
#     Kea 2.2 writes its own schema (leases4 without pool_id, leases6 without pool_id), Kakapo
#     Kea 2.4's: rows are compared on Kea 2.2's columns, and the extra column must be 0.
#  2. The results load: kakapo-dhcp4 / kakapo-dhcp6 and kea-dhcp4 / kea-dhcp6 (lease_cmds hook)
#     list exactly the merged leases (lease4-get-all / lease6-get-all).
#  3. Recovery: a finish file (.completed) left by an interrupted run is moved to the previous
#     file, the copy removed, nothing merged, as kea-lfc does.
#  4. Failures (an output that cannot be written, a headerless copy, more than 100 invalid rows
#     in a file): LFC_FAIL_PROCESS with kea-lfc's text, inputs kept, nothing rotated.
#  5. A PID file naming a live process: LFC_RUNNING, exit 0, no file touched. A stale one
#     (dead process) does not stop the run. An unreadable one: "Service failed", exit 1.
#  6. The daemons' in-process cleanup of the same files writes the same bytes as kakapo-lfc.
#  7. The command line: exit status and stderr byte for byte as kea-lfc's for usage errors.
. "$(dirname "$0")/lib.sh"
kk_init
lfc="${KAKAPO_LFC:-$KK_REPO_ROOT/.build/debug/kakapo-lfc}"
dhcp4="${KAKAPO_DHCP4:-$KK_REPO_ROOT/.build/debug/kakapo-dhcp4}"
dhcp6="${KAKAPO_DHCP6:-$KK_REPO_ROOT/.build/debug/kakapo-dhcp6}"
kea_lfc=$(command -v kea-lfc || echo /usr/sbin/kea-lfc)
[ -x "$lfc" ] || kk_die "kakapo-lfc not built: $lfc"
[ -x "$kea_lfc" ] || kk_die "kea-lfc not installed"
export KEA_LOCKFILE_DIR=none       # kea-lfc -d: console logging without a lock file
hookdir=$(dirname "$(ls /usr/lib/*/kea/hooks/libdhcp_lease_cmds.so 2>/dev/null | head -n1)")

h4_22="address,hwaddr,client_id,valid_lifetime,expire,subnet_id,fqdn_fwd,fqdn_rev,hostname,state,user_context"
h4_24="$h4_22,pool_id"
h6_22="address,duid,valid_lifetime,expire,subnet_id,pref_lifetime,lease_type,iaid,prefix_len,fqdn_fwd,fqdn_rev,hostname,hwaddr,state,user_context,hwtype,hwaddr_source"
h6_24="$h6_22,pool_id"
E=2111300000     # every expiry far in the future: no daemon reclaims anything

# inputs FAMILY DIR : L.2 (previous) and L.1 (copy) for the family.
inputs() {
    local d=$2
    mkdir -p "$d"
    if [ "$1" = 4 ]; then
        cat >"$d/L.2" <<EOF
$h4_22
192.0.2.20,02:00:00:00:00:20,,3600,$((E + 20)),1,0,0,host-b,0,
192.0.2.10,02:00:00:00:00:10,01:02:00:00:00:00:10,3600,$((E + 10)),1,1,1,host-a.example,0,
192.0.2.30,02:00:00:00:00:30,,3600,$((E + 30)),1,0,0,comma&#x2chost,0,{ "k": 1 }
not-an-address,02:00:00:00:00:99,,3600,$E,1,0,0,,0,
192.0.2.40,,,3600,$((E + 40)),1,0,0,,1,
EOF
        cat >"$d/L.1" <<EOF
$h4_24
192.0.2.10,02:00:00:00:00:10,01:02:00:00:00:00:10,7200,$((E + 7210)),1,1,1,host-a.example,0,,0
192.0.2.20,02:00:00:00:00:20,,0,$((E - 3580)),1,0,0,host-b,0,,0
192.0.2.5,02:00:00:00:00:05,,3600,$((E + 5)),1,0,0,,0,,0
192.0.2.200,02:00:00:00:02:00,,3600,$((E + 200)),1,0,0,,0,,0
192.0.2.77,02:00:00:00:00:77,,0,$E,1,0,0,never-granted,0,,0
192.0.2.5,02:00:00:00:00:05,,3600,$((E + 3605)),1,0,0,renewed,0,,0
192.0.2.250,02:00:00:00:02:50,,3600,bad-expire,1,0,0,,0,,0
EOF
    else
        local a=00:01:00:01:aa:bb:cc:dd:ee:01 b=00:01:00:01:aa:bb:cc:dd:ee:02 c=00:03:00:01:02:00:00:00:00:03
        cat >"$d/L.2" <<EOF
$h6_22
2001:db8:1::10,$a,4000,$((E + 10)),1,3000,0,1,128,0,0,,,0,,,
2001:db8:1::11,$b,4000,$((E + 11)),1,3000,0,2,128,1,1,host-b.example,02:00:00:00:00:02,0,,1,4
2001:db8:8000::,$a,4000,$((E + 12)),1,3000,2,3,56,0,0,,,0,,,
2001:db8:1::zz,$a,4000,$E,1,3000,0,1,128,0,0,,,0,,,
EOF
        cat >"$d/L.1" <<EOF
$h6_24
2001:db8:1::10,$a,8000,$((E + 8010)),1,6000,0,1,128,0,0,,,0,,,,0
2001:db8:1::11,$b,0,$E,1,0,0,2,128,0,0,,,0,,,,0
2001:db8:1::12,$c,4000,$((E + 12)),1,3000,0,7,128,0,0,h&#x2cc,02:00:00:00:00:03,0,{ "x": "y" },1,2,0
2001:db8:8000:100::,$c,4000,$((E + 100)),1,3000,2,8,56,0,0,,,0,,,,0
2001:db8:1::99,$c,0,$E,1,0,0,9,128,0,0,,,0,,,,0
2001:db8:1::13,,4000,$((E + 13)),1,3000,0,2,128,0,0,,,0,,,,0
EOF
    fi
}

# run_lfc TOOL FAMILY DIR [extra args] : one cleanup in DIR; output in DIR/out, DIR/err, rc in DIR/rc.
run_lfc() {
    local tool=$1 fam=$2 d=$3; shift 3
    (cd "$d" && timeout 20 "$tool" "-$fam" -d -p lfc.pid -x L.2 -i L.1 -o L.output -f L.completed -c /dev/null "$@" \
        >out 2>err; echo $? >rc)
}
lease_files() { (cd "$1" && ls -1 | grep -E '^(L\.|lfc\.pid)' | tr '\n' ' '); }
stats() { grep -oE "LFC_(READ|WRITE)_STATS .*" "$1/err" | tr '\n' ' '; }

# project FAMILY FILE : rows on Kea 2.2's columns (and the check that the rest is 0).
project() {
    "$KK_PY" - "$1" "$2" <<'PY'
import sys
fam, path = sys.argv[1], sys.argv[2]
cols22 = {"4": "address,hwaddr,client_id,valid_lifetime,expire,subnet_id,fqdn_fwd,fqdn_rev,hostname,state,user_context",
          "6": "address,duid,valid_lifetime,expire,subnet_id,pref_lifetime,lease_type,iaid,prefix_len,fqdn_fwd,fqdn_rev,hostname,hwaddr,state,user_context,hwtype,hwaddr_source"}[fam].split(",")
lines = [l for l in open(path).read().split("\n") if l]
head = lines[0].split(",")
for l in lines[1:]:
    f = dict(zip(head, l.split(",")))
    extra = [c for c in head if c not in cols22 and f.get(c, "") not in ("", "0")]
    print(",".join(f.get(c, "") for c in cols22) + ("  EXTRA:" + ",".join(extra) if extra else ""))
PY
}

# write_config FAMILY CONF LEASEFILE LFC-INTERVAL SOCKET HOOKS : a daemon config with no
# interfaces, subnet 1 holding the test's leases.
write_config() {
    local fam=$1 conf=$2 file=$3 lfc_interval=$4 sock=$5 hooks=$6
    if [ "$fam" = 4 ]; then
        cat >"$conf" <<EOF
{ "Dhcp4": {
    "interfaces-config": { "interfaces": [ ] },
    "control-socket": { "socket-type": "unix", "socket-name": "$sock" },
    "lease-database": { "type": "memfile", "name": "$file", "lfc-interval": $lfc_interval },
    $hooks
    "valid-lifetime": 3600,
    "subnet4": [ { "id": 1, "subnet": "192.0.2.0/24", "pools": [ { "pool": "192.0.2.100 - 192.0.2.199" } ] } ],
    "loggers": [ { "name": "kea-dhcp4", "output_options": [ { "output": "stdout" } ], "severity": "INFO" } ]
} }
EOF
    else
        cat >"$conf" <<EOF
{ "Dhcp6": {
    "interfaces-config": { "interfaces": [ ] },
    "control-socket": { "socket-type": "unix", "socket-name": "$sock" },
    "lease-database": { "type": "memfile", "name": "$file", "lfc-interval": $lfc_interval },
    "server-id": { "type": "EN", "enterprise-id": 2495, "identifier": "0102030405", "persist": false },
    $hooks
    "preferred-lifetime": 3000, "valid-lifetime": 4000,
    "subnet6": [ { "id": 1, "subnet": "2001:db8:1::/64", "pools": [ { "pool": "2001:db8:1::100 - 2001:db8:1::1ff" } ],
                   "pd-pools": [ { "prefix": "2001:db8:8000::", "prefix-len": 48, "delegated-len": 56 } ] } ],
    "loggers": [ { "name": "kea-dhcp6", "output_options": [ { "output": "stdout" } ], "severity": "INFO" } ]
} }
EOF
    fi
}

# daemon_leases KIND FAMILY FILE : the leases a daemon loads from FILE, as "address" lines,
# sorted (KIND kakapo or kea). Runs the daemon with no interfaces; bounded.
daemon_leases() {
    local kind=$1 fam=$2 file=$3 d bin conf sock priv pid i out
    d=$(mktemp -d "$KK_WORK/daemon-XXXX")
    cp "$file" "$d/leases$fam.csv"
    sock="$d/ctl.sock"; conf="$d/kea-dhcp$fam.conf"; priv="$d/root"
    mkdir -p "$priv/run/kea" "$priv/var/lib/kea" "$priv/var/log/kea"
    if [ "$kind" = kea ]; then bin=$(command -v kea-dhcp$fam || echo /usr/sbin/kea-dhcp$fam); else
        bin=$([ "$fam" = 4 ] && echo "$dhcp4" || echo "$dhcp6"); fi
    local hooks=""
    [ "$kind" = kea ] && hooks="\"hooks-libraries\": [ { \"library\": \"$hookdir/libdhcp_lease_cmds.so\" } ],"
    write_config $fam "$conf" "$d/leases$fam.csv" 0 "$sock" "$hooks"
    unshare --mount --propagation private env KEA_PIDFILE_DIR="$priv/run/kea" KEA_LOCKFILE_DIR="$priv/run/kea" \
        "$KK_LIB_DIR/privroot.sh" "$priv" "$bin" -c "$conf" >"$d/daemon.out" 2>&1 &
    pid=$!
    KK_PIDS+=("$pid")
    out=""
    for ((i = 0; i < 100; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        if out=$(timeout 5 "$KK_PY" "$KK_LIB_DIR/ctl.py" --timeout 5 "$sock" "lease$fam-get-all" 2>/dev/null); then break; fi
        out=""; sleep 0.2
    done
    kk_kill_pid "$pid" 5
    cp "$d/daemon.out" "$KK_WORK/last-daemon.out"
    [ -n "$out" ] || { echo "NO-ANSWER"; return; }
    "$KK_PY" -c '
import json, sys
d = json.loads(sys.stdin.read())
for l in sorted(d.get("arguments", {}).get("leases", []), key=lambda l: l["ip-address"]):
    print(l["ip-address"] + ("/" + str(l["prefix-len"]) if l.get("type") == "IA_PD" else ""), l["valid-lft"], l["cltt"] + l["valid-lft"])
' <<<"$out"
}

# file_leases FAMILY FILE : the same view from a lease file (address[/len] valid expire).
file_leases() {
    "$KK_PY" - "$1" "$2" <<'PY'
import sys
fam, path = sys.argv[1], sys.argv[2]
lines = [l for l in open(path).read().split("\n") if l]
head = lines[0].split(",")
rows = []
for l in lines[1:]:
    f = dict(zip(head, l.split(",")))
    a = f["address"] + ("/" + f["prefix_len"] if fam == "6" and f["lease_type"] == "2" else "")
    rows.append((f["address"], a + " " + f["valid_lifetime"] + " " + f["expire"]))
for _, r in sorted(rows):
    print(r)
PY
}

for fam in 4 6; do
    echo "== DHCPv$fam: kakapo-lfc and kea-lfc on the same files"
    inputs $fam "$KK_WORK/v$fam-kakapo"
    inputs $fam "$KK_WORK/v$fam-kea"
    run_lfc "$lfc" $fam "$KK_WORK/v$fam-kakapo"
    run_lfc "$kea_lfc" $fam "$KK_WORK/v$fam-kea"
    k="$KK_WORK/v$fam-kakapo"; r="$KK_WORK/v$fam-kea"
    kk_assert_eq "v$fam: kea-lfc exits 0" 0 "$(cat "$r/rc")"
    kk_assert_eq "v$fam: kakapo-lfc exits 0" 0 "$(cat "$k/rc")"
    kk_assert_eq "v$fam: kea-lfc leaves only L.2" "L.2 " "$(lease_files "$r")"
    kk_assert_eq "v$fam: kakapo-lfc leaves the same files as kea-lfc" "$(lease_files "$r")" "$(lease_files "$k")"
    kk_assert_eq "v$fam: the -d echo on stdout is kea-lfc's" "$(cat "$r/out")" "$(cat "$k/out")"
    kk_assert_eq "v$fam: LFC_READ_STATS and LFC_WRITE_STATS as kea-lfc's" "$(stats "$r")" "$(stats "$k")"
    kk_note "v$fam kea-lfc: $(stats "$r")"
    ids() { grep -oE '(LFC|DHCPSRV)_[A-Z_]+' "$1/err" | grep -v NEEDS_DOWNGRADING | tr '\n' ' '; }
    kk_assert_eq "v$fam: the same message IDs in the same order" "$(ids "$r")" "$(ids "$k")"
    rownums() { grep -oE 'discarding row [0-9]+' "$1/err" | tr '\n' ' '; }
    kk_assert_eq "v$fam: the same rows discarded" "$(rownums "$r")" "$(rownums "$k")"
    if [ "$fam" = 4 ]; then h22=$h4_22; h24=$h4_24; else h22=$h6_22; h24=$h6_24; fi
    kk_assert_eq "v$fam: kea-lfc 2.2 writes its own schema" "$h22" "$(head -n1 "$r/L.2")"
    kk_assert_eq "v$fam: kakapo-lfc writes Kea 2.4's schema" "$h24" "$(head -n1 "$k/L.2")"
    rows_kea=$(project $fam "$r/L.2"); rows_kk=$(project $fam "$k/L.2")
    kk_assert_eq "v$fam: the same rows, in the same order, on Kea 2.2's columns" "$rows_kea" "$rows_kk"
    kk_assert_eq "v$fam: as many rows as kea-lfc's" "$(wc -l <"$r/L.2")" "$(wc -l <"$k/L.2")"
    if [ "$rows_kea" != "$rows_kk" ]; then diff <(echo "$rows_kea") <(echo "$rows_kk") | head -20; fi
    case $fam in
        4) expect="192.0.2.5 192.0.2.10 192.0.2.30 192.0.2.40 192.0.2.200" ;;
        6) expect="2001:db8:1::10 2001:db8:1::12 2001:db8:8000:: 2001:db8:8000:100::" ;;
    esac
    kk_assert_eq "v$fam: live leases after renewals and deletions" "$expect" "$(tail -n +2 "$k/L.2" | cut -d, -f1 | tr '\n' ' ' | sed 's/ $//')"

    echo "== DHCPv$fam: the result loads in Kakapo and in Kea"
    want=$(file_leases $fam "$k/L.2")
    kk_assert_eq "v$fam: kakapo-dhcp$fam loads kakapo-lfc's file" "$want" "$(daemon_leases kakapo $fam "$k/L.2")"
    if [ -n "$hookdir" ]; then
        got=$(daemon_leases kea $fam "$k/L.2")
        kk_assert_eq "v$fam: kea-dhcp$fam loads kakapo-lfc's file" "$want" "$got"
        grep -q DHCPSRV_MEMFILE_LEASE_FILE_LOAD "$KK_WORK/last-daemon.out" \
            && kk_pass "v$fam: kea-dhcp$fam logged DHCPSRV_MEMFILE_LEASE_FILE_LOAD" \
            || kk_fail "v$fam: kea-dhcp$fam logged no DHCPSRV_MEMFILE_LEASE_FILE_LOAD"
        kk_assert_eq "v$fam: kea-dhcp$fam loads kea-lfc's file the same" "$want" "$(daemon_leases kea $fam "$r/L.2")"
    else
        kk_skip "v$fam: libdhcp_lease_cmds.so not installed: Kea load not checked"
    fi

    echo "== DHCPv$fam: the daemon's in-process cleanup writes the same file"
    dd="$KK_WORK/v$fam-daemon"
    inputs $fam "$dd"
    priv="$dd/root"; mkdir -p "$priv/run/kea" "$priv/var/lib/kea" "$priv/var/log/kea"
    mv "$dd/L.2" "$dd/leases.csv.2"; mv "$dd/L.1" "$dd/leases.csv.1"
    write_config $fam "$dd/kea-dhcp$fam.conf" "$dd/leases.csv" 1 "$dd/ctl.sock" ""
    bin=$([ "$fam" = 4 ] && echo "$dhcp4" || echo "$dhcp6")
    unshare --mount --propagation private env KEA_PIDFILE_DIR="$priv/run/kea" KEA_LOCKFILE_DIR="$priv/run/kea" \
        "$KK_LIB_DIR/privroot.sh" "$priv" "$bin" -c "$dd/kea-dhcp$fam.conf" >"$dd/daemon.out" 2>&1 &
    dpid=$!
    KK_PIDS+=("$dpid")
    for ((i = 0; i < 100; i++)); do
        grep -q DHCPSRV_MEMFILE_LFC_EXECUTE "$dd/daemon.out" 2>/dev/null && break
        kill -0 "$dpid" 2>/dev/null || break
        sleep 0.1
    done
    kk_kill_pid "$dpid" 5
    if [ -f "$dd/leases.csv.completed" ]; then
        if cmp -s "$dd/leases.csv.completed" "$k/L.2"; then
            kk_pass "v$fam: kakapo-dhcp$fam's cleanup snapshot equals kakapo-lfc's output byte for byte"
        else
            kk_fail "v$fam: kakapo-dhcp$fam's cleanup snapshot differs from kakapo-lfc's output"
            diff "$dd/leases.csv.completed" "$k/L.2" | head -20
        fi
    else
        kk_fail "v$fam: kakapo-dhcp$fam wrote no cleanup snapshot"; tail -n 20 "$dd/daemon.out"
    fi
done

echo "== recovery: a finish file left by an interrupted run"
for tool in kea kakapo; do
    d="$KK_WORK/recover-$tool"
    inputs 4 "$d"
    printf '%s\n192.0.2.99,02:00:00:00:00:99,,3600,%s,1,0,0,finished,0,\n' "$h4_22" "$E" >"$d/L.completed"
    cp "$d/L.completed" "$d/expected"
    if [ $tool = kea ]; then run_lfc "$kea_lfc" 4 "$d"; else run_lfc "$lfc" 4 "$d"; fi
done
for tool in kea kakapo; do
    d="$KK_WORK/recover-$tool"
    kk_assert_eq "recovery ($tool): exit 0" 0 "$(cat "$d/rc")"
    kk_assert_eq "recovery ($tool): only L.2 is left" "L.2 " "$(lease_files "$d")"
    kk_assert "recovery ($tool): L.2 is the finish file, unmerged" cmp -s "$d/L.2" "$d/expected"
    kk_assert_eq "recovery ($tool): no LFC_PROCESSING, straight to LFC_ROTATING" "LFC_START LFC_ROTATING LFC_TERMINATE " \
        "$(grep -oE 'LFC_[A-Z_]+' "$d/err" | tr '\n' ' ')"
done

echo "== a second run while the PID file names a live process"
sleep 60 &
live=$!
KK_PIDS+=("$live")
for tool in kea kakapo; do
    d="$KK_WORK/pid-$tool"
    inputs 4 "$d"
    echo "$live" >"$d/lfc.pid"
    before=$(cd "$d" && md5sum L.1 L.2 lfc.pid)
    if [ $tool = kea ]; then run_lfc "$kea_lfc" 4 "$d"; else run_lfc "$lfc" 4 "$d"; fi
    kk_assert_eq "live PID ($tool): exit 0 as kea-lfc" 0 "$(cat "$d/rc")"
    kk_assert_match "live PID ($tool): LFC_RUNNING logged" "FATAL +\[DhcpLFC/[0-9]+\.[0-9]+\] LFC_RUNNING LFC instance already running" "$(cat "$d/err")"
    kk_assert_eq "live PID ($tool): no file touched" "$before" "$(cd "$d" && md5sum L.1 L.2 lfc.pid)"
    kk_assert_eq "live PID ($tool): nothing added" "L.1 L.2 lfc.pid " "$(lease_files "$d")"
done
kk_kill_pid "$live" 1
for tool in kea kakapo; do
    d="$KK_WORK/stale-$tool"
    inputs 4 "$d"
    echo "$live" >"$d/lfc.pid"       # now dead
    if [ $tool = kea ]; then run_lfc "$kea_lfc" 4 "$d"; else run_lfc "$lfc" 4 "$d"; fi
    kk_assert_eq "stale PID ($tool): the cleanup runs and removes the PID file" "L.2 " "$(lease_files "$d")"
    d="$KK_WORK/badpid-$tool"
    inputs 4 "$d"
    echo "garbage" >"$d/lfc.pid"
    if [ $tool = kea ]; then run_lfc "$kea_lfc" 4 "$d"; else run_lfc "$lfc" 4 "$d"; fi
    kk_assert_eq "unreadable PID file ($tool): exit 1" 1 "$(cat "$d/rc")"
    kk_assert_match "unreadable PID file ($tool): Service failed" "Service failed: Unable to read PID from file 'lfc.pid'" "$(cat "$d/err")"
done

echo "== failures: an output that cannot be written, a headerless input"
for tool in kea kakapo; do
    d="$KK_WORK/fail-$tool"
    inputs 4 "$d"
    t=$([ $tool = kea ] && echo "$kea_lfc" || echo "$lfc")
    (cd "$d" && timeout 20 "$t" -4 -d -p lfc.pid -x L.2 -i L.1 -o nodir/L.output -f L.completed -c /dev/null >out 2>err; echo $? >rc)
    kk_assert_eq "unwritable output ($tool): inputs kept, no rotation" "L.1 L.2 " "$(lease_files "$d")"
    kk_assert_match "unwritable output ($tool): LFC_FAIL_PROCESS" "LFC_FAIL_PROCESS : unable to open 'nodir/L.output'" "$(cat "$d/err")"
    tail -n +2 "$d/L.1" >"$d/L.1.nohead"; mv "$d/L.1.nohead" "$d/L.1"
    run_lfc "$t" 4 "$d"
    kk_assert_eq "headerless copy ($tool): inputs kept" "L.1 L.2 " "$(lease_files "$d")"
    kk_assert_match "headerless copy ($tool): LFC_FAIL_PROCESS invalid header" "LFC_FAIL_PROCESS : invalid header '192.0.2.10,[^']*' in CSV file 'L.1'" "$(cat "$d/err")"
done

echo "== more than 100 invalid rows in a file"
for tool in kea kakapo; do
    d="$KK_WORK/errors-$tool"
    inputs 4 "$d"
    for i in $(seq 101); do echo "bad,row"; done >>"$d/L.1"
    t=$([ $tool = kea ] && echo "$kea_lfc" || echo "$lfc")
    run_lfc "$t" 4 "$d"
    kk_assert_eq "101 bad rows ($tool): inputs kept, no rotation" "L.1 L.2 " "$(lease_files "$d")"
    kk_assert_match "101 bad rows ($tool): LFC_FAIL_PROCESS" \
        "LFC_FAIL_PROCESS : exceeded maximum number of failures 100 to read a lease from the lease file L.1" "$(cat "$d/err")"
    kk_assert_eq "101 bad rows ($tool): both files' loads logged" 2 "$(grep -c DHCPSRV_MEMFILE_LEASE_FILE_LOAD "$d/err")"
done
kk_assert_eq "101 bad rows: the same rows discarded before giving up" "$(rownums "$KK_WORK/errors-kea")" "$(rownums "$KK_WORK/errors-kakapo")"
kk_assert_eq "101 bad rows: 1 in L.2, then L.1's up to the 101st" 102 "$(grep -c LEASE_LOAD_ROW_ERROR "$KK_WORK/errors-kakapo/err")"

echo "== without -d: nothing on the console (the log goes to syslog), the same result"
for tool in kea kakapo; do
    d="$KK_WORK/quiet-$tool"
    inputs 4 "$d"
    t=$([ $tool = kea ] && echo "$kea_lfc" || echo "$lfc")
    (cd "$d" && timeout 20 "$t" -4 -p lfc.pid -x L.2 -i L.1 -o L.output -f L.completed -c /dev/null >out 2>err; echo $? >rc)
    kk_assert_eq "no -d ($tool): exit 0" 0 "$(cat "$d/rc")"
    kk_assert_eq "no -d ($tool): nothing on stdout or stderr" "" "$(grep -v logger_lockfile "$d/out" "$d/err")"
    kk_assert_eq "no -d ($tool): only L.2 left" "L.2 " "$(lease_files "$d")"
done
kk_assert_eq "no -d: the same rows as kea-lfc's" "$(project 4 "$KK_WORK/quiet-kea/L.2")" "$(project 4 "$KK_WORK/quiet-kakapo/L.2")"
for f in -v -V -W; do
    out=$("$lfc" $f 2>/dev/null); rc=$?
    kk_assert_eq "$f: exit 0" 0 "$rc"
    kk_assert_match "$f: prints the version on stdout" "0\.[0-9]+\.[0-9]+" "$out"
done

echo "== command line"
for args in "" "-4" "-z" "-4 -p" "-4 -p a -x b -i c -o d -f e" "-4 extra -p a" "-h"; do
    (cd "$KK_WORK" && "$kea_lfc" $args >/dev/null 2>kea.err; echo $? >kea.rc; "$lfc" $args >/dev/null 2>kk.err; echo $? >kk.rc)
    kk_assert_eq "[$args]: exit status as kea-lfc's" "$(cat "$KK_WORK/kea.rc")" "$(cat "$KK_WORK/kk.rc")"
    same_stderr() { cmp -s <(sed 's/kea-lfc/PROG/' "$KK_WORK/kea.err") <(sed 's/kakapo-lfc/PROG/' "$KK_WORK/kk.err"); }
    kk_assert "[$args]: stderr as kea-lfc's, byte for byte (program name aside): $(head -n1 "$KK_WORK/kea.err")" same_stderr
done
kk_finish
