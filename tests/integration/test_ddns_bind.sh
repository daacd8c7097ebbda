#!/usr/bin/env bash
# kakapo-dhcp-ddns against a real BIND 9 (named) taking TSIG-signed updates, in one private
# namespace (192.0.2.0/24 only): name-change requests are sent as Kea's DHCP servers send
# them (UDP, two-octet length + JSON) and the DNS data is checked with dig:
#   add (A, DHCID, PTR), renew to another address, a conflict (another DHCID is refused;
#   with use-conflict-resolution false it replaces), remove; HMAC-MD5, HMAC-SHA256 (the
#   reverse zone), HMAC-SHA512 and HMAC-SHA256 with digest-bits 128; a wrong secret
#   (update-error, DNS unchanged); a server that does not answer (update-timeout, then the
#   domain's next server); invalid requests and garbage DNS answers (counted, no crash);
#   the control socket (statistics, list-commands, config-get, reload, shutdown), SIGHUP,
#   the PID file and -t on the seed config.
#
#   KAKAPO_DHCP_DDNS=PATH   daemon binary (default <repo>/.build/debug/kakapo-dhcp-ddns)
KAKAPO_DHCP4=${KAKAPO_DHCP_DDNS:-$(cd "$(dirname "$0")/../.." && pwd)/.build/debug/kakapo-dhcp-ddns}
DHCP4_SERVER=kakapo
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/named.sh"
kk_init
kk_need named dig tsig-keygen ss
BIN=$KK_SERVER_BIN

echo "== -t on the seed config"
tout=$("$BIN" -t "$KK_SEED_DIR/kea-dhcp-ddns.conf" 2>&1); trc=$?
kk_assert_eq "-t on the seed kea-dhcp-ddns.conf exits 0" 0 "$trc"
kk_assert_match "-t says it is valid" "Configuration file .*kea-dhcp-ddns.conf is valid\." "$tout"
printf '{ "DhcpDdns": { "forward-ddns": { "ddns-domains": [ { "name": "x.", "dns-servers": [] } ] } } }\n' >"$KK_WORK/bad.conf"
"$BIN" -t "$KK_WORK/bad.conf" >/dev/null 2>&1; trc=$?
kk_assert_eq "-t on a config with an empty server list exits 1" 1 "$trc"

# ---------------------------------------------------------------- namespace, named
NS="$KK_ID-dns"
kk_netns_add "$NS"
ip -n "$NS" link add dns0 type veth peer name dns1 || kk_die "veth link"
ip -n "$NS" addr add 192.0.2.53/24 dev dns0
ip -n "$NS" link set dns0 up
ip -n "$NS" link set dns1 up
# IPv6 on the namespace's loopback only (::1 serves the v6.test zone: the DNS socket is dual-stack).
ip netns exec "$NS" sysctl -qw net.ipv6.conf.all.disable_ipv6=0 net.ipv6.conf.lo.disable_ipv6=0 || kk_die "IPv6 on lo"

NDIR=$KK_WORK/named
mkdir -p "$NDIR"
keygen() { kk_tsig_secret "$@"; }
S_MD5=$(keygen hmac-md5 k-md5)
S_256=$(keygen hmac-sha256 k-sha256)
S_512=$(keygen hmac-sha512 k-sha512)
S_TRUNC=$(keygen hmac-sha256 k-trunc)
S_BAD=$(keygen hmac-sha256 k-bad)
S_WRONG=$(keygen hmac-sha256 k-bad)
[ -n "$S_MD5" ] && [ -n "$S_256" ] && [ -n "$S_512" ] && [ -n "$S_BAD" ] || kk_die "tsig-keygen gave no secret"

for z in md5.test sha512.test trunc.test bad.test failover.test v6.test 2.0.192.in-addr.arpa 8.b.d.0.1.0.0.2.ip6.arpa; do kk_named_zone "$NDIR" "$z"; done
kk_named_zone "$NDIR" example.org 192.0.2.53

kk_named_start "$NS" "$NDIR" 192.0.2.53 "
key \"k-md5\" { algorithm hmac-md5; secret \"$S_MD5\"; };
key \"k-sha256\" { algorithm hmac-sha256; secret \"$S_256\"; };
key \"k-sha512\" { algorithm hmac-sha512; secret \"$S_512\"; };
key \"k-trunc\" { algorithm hmac-sha256-128; secret \"$S_TRUNC\"; };
key \"k-bad\" { algorithm hmac-sha256; secret \"$S_BAD\"; };
zone \"example.org\" { type primary; file \"example.org.db\"; allow-update { key k-sha256; }; };
zone \"2.0.192.in-addr.arpa\" { type primary; file \"2.0.192.in-addr.arpa.db\"; allow-update { key k-sha256; }; };
zone \"md5.test\" { type primary; file \"md5.test.db\"; allow-update { key k-md5; }; };
zone \"sha512.test\" { type primary; file \"sha512.test.db\"; allow-update { key k-sha512; }; };
zone \"trunc.test\" { type primary; file \"trunc.test.db\"; allow-update { key k-trunc; }; };
zone \"bad.test\" { type primary; file \"bad.test.db\"; allow-update { key k-bad; }; };
zone \"v6.test\" { type primary; file \"v6.test.db\"; allow-update { key k-sha512; }; };
zone \"8.b.d.0.1.0.0.2.ip6.arpa\" { type primary; file \"8.b.d.0.1.0.0.2.ip6.arpa.db\"; allow-update { key k-sha256; }; };
zone \"failover.test\" { type primary; file \"failover.test.db\"; allow-update { key k-sha256; }; };"
q() { ip netns exec "$NS" dig @192.0.2.53 +short +time=1 +tries=1 "$@" 2>/dev/null; }
kk_pass "private named answers on 192.0.2.53:53"

# ---------------------------------------------------------------- kakapo-dhcp-ddns
conf=$KK_WORK/d2.conf
sock=$KK_WORK/d2.sock
out=$KK_WORK/d2.out
KK_SERVER_SOCK=$sock
KK_SERVER_OUT=$out
mkdir -p "$KK_WORK/run"
export KEA_PIDFILE_DIR=$KK_WORK/run
cat >"$conf" <<EOF
// kakapo-dhcp-ddns integration test
{
"DhcpDdns": {
    "ip-address": "127.0.0.1",
    "port": 53001,
    "dns-server-timeout": 1000,
    "control-socket": { "socket-type": "unix", "socket-name": "$sock" },
    "tsig-keys": [
        { "name": "k-md5", "algorithm": "HMAC-MD5", "secret": "$S_MD5" },
        { "name": "k-sha256", "algorithm": "HMAC-SHA256", "secret": "$S_256" },
        { "name": "k-sha512", "algorithm": "HMAC-SHA512", "secret": "$S_512" },
        { "name": "k-trunc", "algorithm": "HMAC-SHA256", "digest-bits": 128, "secret": "$S_TRUNC" },
        { "name": "k-bad", "algorithm": "HMAC-SHA256", "secret": "$S_WRONG" }
    ],
    "forward-ddns": { "ddns-domains": [
        { "name": "example.org.", "key-name": "k-sha256", "dns-servers": [ { "ip-address": "192.0.2.53" } ] },
        { "name": "md5.test.", "key-name": "k-md5", "dns-servers": [ { "ip-address": "192.0.2.53" } ] },
        { "name": "sha512.test.", "key-name": "k-sha512", "dns-servers": [ { "ip-address": "192.0.2.53" } ] },
        { "name": "trunc.test.", "key-name": "k-trunc", "dns-servers": [ { "ip-address": "192.0.2.53" } ] },
        { "name": "bad.test.", "key-name": "k-bad", "dns-servers": [ { "ip-address": "192.0.2.53" } ] },
        { "name": "v6.test.", "key-name": "k-sha512", "dns-servers": [ { "ip-address": "::1" } ] },
        { "name": "failover.test.", "key-name": "k-sha256", "dns-servers": [
            { "ip-address": "192.0.2.99" }, { "ip-address": "192.0.2.53" } ] }
    ] },
    "reverse-ddns": { "ddns-domains": [
        { "name": "2.0.192.in-addr.arpa.", "key-name": "k-sha256", "dns-servers": [ { "ip-address": "192.0.2.53", "port": 53 } ] },
        { "name": "8.b.d.0.1.0.0.2.ip6.arpa.", "key-name": "k-sha256", "dns-servers": [ { "ip-address": "192.0.2.53" } ] }
    ] },
    "loggers": [ { "name": "kea-dhcp-ddns", "output_options": [ { "output": "stdout" } ], "severity": "DEBUG", "debuglevel": 99 } ]
}
}
EOF
ip netns exec "$NS" "$BIN" -c "$conf" >"$out" 2>&1 &
D2_PID=$!
KK_PIDS+=("$D2_PID")
kk_wait_for 10 test -S "$sock" || kk_die "kakapo-dhcp-ddns did not open its control socket"
kk_assert_match "DHCP_DDNS_STARTED is logged" "DHCP_DDNS_STARTED" "$(cat "$out")"
kk_assert "the PID file is named as Kea names it" test -f "$KK_WORK/run/d2.kea-dhcp-ddns.pid"

cat >"$KK_WORK/ncr.py" <<'EOF'
import json, socket, sys
# ncr.py TYPE FQDN ADDRESS DHCID-HEX [fwd] [rev] [conflict]   (TYPE add|remove; flags 0/1)
# ncr.py --raw HEX : send the bytes as they are
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
if sys.argv[1] == "--raw":
    s.sendto(bytes.fromhex(sys.argv[2]), ("127.0.0.1", 53001))
    sys.exit(0)
fwd, rev, cr = (sys.argv[5:8] + ["1", "1", "1"])[:3] if len(sys.argv) > 5 else ("1", "1", "1")
ncr = {"change-type": 0 if sys.argv[1] == "add" else 1, "forward-change": fwd == "1", "reverse-change": rev == "1",
       "fqdn": sys.argv[2], "ip-address": sys.argv[3], "dhcid": sys.argv[4],
       "lease-expires-on": "20301231235959", "lease-length": 3600, "use-conflict-resolution": cr == "1"}
body = json.dumps(ncr, separators=(",", ":")).encode()
s.sendto(len(body).to_bytes(2, "big") + body, ("127.0.0.1", 53001))
EOF
ncr() { ip netns exec "$NS" python3 "$KK_WORK/ncr.py" "$@"; }
stat() { kk_stat "$1"; }
DA=000101$(printf 'a%.0s' $(seq 1 64))
DB=000101$(printf 'b%.0s' $(seq 1 64))
until_eq() {   # until_eq EXPECTED dig-args... : poll dig (bounded 10 s)
    local want=$1 i got; shift
    for i in $(seq 1 50); do got=$(q "$@" | sort | tr '\n' ' ' | sed 's/ $//'); [ "$got" = "$want" ] && break; sleep 0.2; done
    echo "$got"
}

echo "== add"
ncr add h1.example.org. 192.0.2.10 "$DA"
kk_assert_eq "A of h1 after the add" "192.0.2.10" "$(until_eq 192.0.2.10 h1.example.org A)"
kk_assert_ne "DHCID of h1 after the add" "" "$(q h1.example.org DHCID)"
kk_assert_eq "PTR of 192.0.2.10 after the add" "h1.example.org." "$(until_eq h1.example.org. -x 192.0.2.10)"
kk_assert_ne "the reverse name holds a DHCID too" "" "$(q 10.2.0.192.in-addr.arpa DHCID)"
kk_wait_for 5 grep -q DHCP_DDNS_ADD_SUCCEEDED "$out"
kk_assert "DHCP_DDNS_ADD_SUCCEEDED is logged" grep -q "DHCP_DDNS_ADD_SUCCEEDED" "$out"

echo "== renew to another address (same DHCID)"
ncr add h1.example.org. 192.0.2.11 "$DA"
kk_assert_eq "A of h1 is the new address only" "192.0.2.11" "$(until_eq 192.0.2.11 h1.example.org A)"
kk_assert_eq "PTR of 192.0.2.11" "h1.example.org." "$(until_eq h1.example.org. -x 192.0.2.11)"

echo "== conflict: another client's DHCID for the same name"
ncr add h1.example.org. 192.0.2.12 "$DB" 1 0 1
kk_wait_for 6 grep -q "DHCP_DDNS_FORWARD_REPLACE_REJECTED" "$out"
kk_assert "the replace is rejected (DHCID prerequisite)" grep -q "DHCP_DDNS_FORWARD_REPLACE_REJECTED" "$out"
kk_assert "DHCP_DDNS_ADD_FAILED is logged" grep -q "DHCP_DDNS_ADD_FAILED" "$out"
kk_assert_eq "A of h1 is unchanged" "192.0.2.11" "$(q h1.example.org A)"

echo "== use-conflict-resolution false: the other client's request replaces"
ncr add h1.example.org. 192.0.2.12 "$DB" 1 1 0
kk_assert_eq "A of h1 replaced" "192.0.2.12" "$(until_eq 192.0.2.12 h1.example.org A)"
kk_assert_eq "PTR of 192.0.2.12" "h1.example.org." "$(until_eq h1.example.org. -x 192.0.2.12)"
dhcid_b=$(q h1.example.org DHCID)

echo "== remove"
ncr remove h1.example.org. 192.0.2.12 "$DB"
kk_assert_eq "A of h1 removed" "" "$(until_eq "" h1.example.org A)"
kk_assert_eq "DHCID of h1 removed" "" "$(until_eq "" h1.example.org DHCID)"
kk_assert_eq "PTR of 192.0.2.12 removed" "" "$(until_eq "" -x 192.0.2.12)"
kk_wait_for 5 grep -q DHCP_DDNS_REMOVE_SUCCEEDED "$out"
kk_assert "DHCP_DDNS_REMOVE_SUCCEEDED is logged" grep -q "DHCP_DDNS_REMOVE_SUCCEEDED" "$out"
kk_assert_ne "the DHCID seen before the remove was there" "" "$dhcid_b"

echo "== TSIG algorithms"
ncr add m.md5.test. 192.0.2.20 "$DA" 1 0
kk_assert_eq "HMAC-MD5: A of m.md5.test" "192.0.2.20" "$(until_eq 192.0.2.20 m.md5.test A)"
ncr add s.sha512.test. 192.0.2.21 "$DA" 1 0
kk_assert_eq "HMAC-SHA512: A of s.sha512.test" "192.0.2.21" "$(until_eq 192.0.2.21 s.sha512.test A)"
ncr add t.trunc.test. 192.0.2.22 "$DA" 1 0
kk_assert_eq "HMAC-SHA256 with digest-bits 128: A of t.trunc.test" "192.0.2.22" "$(until_eq 192.0.2.22 t.trunc.test A)"
kk_assert_ge "key[k-md5.].update-success counted" "$(stat 'key[k-md5.].update-success')" 1
kk_assert_ge "key[k-trunc.].update-sent counted" "$(stat 'key[k-trunc.].update-sent')" 1

echo "== IPv6: a server on ::1, and AAAA with an ip6.arpa PTR"
ncr add w.v6.test. 192.0.2.25 "$DA" 1 0
kk_assert_eq "the update reached the server on ::1" "192.0.2.25" "$(until_eq 192.0.2.25 w.v6.test A)"
ncr add h6.example.org. 2001:db8::10 "$DA"
kk_assert_eq "AAAA of h6.example.org" "2001:db8::10" "$(until_eq 2001:db8::10 h6.example.org AAAA)"
kk_assert_eq "PTR of 2001:db8::10" "h6.example.org." "$(until_eq h6.example.org. -x 2001:db8::10)"

echo "== a wrong secret"
err0=$(stat update-error)
ncr add x.bad.test. 192.0.2.23 "$DA" 1 0
kk_wait_for 6 bash -c "[ \$(grep -c 'DHCP_DDNS_FORWARD_ADD_RESP_CORRUPT' '$out') -ge 3 ]"
kk_assert_eq "no A for x.bad.test" "" "$(q x.bad.test A)"
kk_assert_eq "update-error counts each badly signed answer (3 tries)" "$((err0 + 3))" "$(stat update-error)"
kk_assert_eq "key[k-bad.].update-error" 3 "$(stat 'key[k-bad.].update-error')"
kk_assert_eq "key[k-bad.].update-success stays 0" 0 "$(stat 'key[k-bad.].update-success')"

echo "== a server that does not answer"
to0=$(stat update-timeout)
ncr add f.failover.test. 192.0.2.24 "$DA" 1 0
kk_assert_eq "the domain's second server got the update" "192.0.2.24" "$(until_eq 192.0.2.24 f.failover.test A)"
kk_assert_eq "update-timeout counts the first server's 3 tries" "$((to0 + 3))" "$(stat update-timeout)"
kk_assert "DHCP_DDNS_FORWARD_ADD_TIMEOUT names the silent server" grep -q "DHCP_DDNS_FORWARD_ADD_TIMEOUT.*192.0.2.99" "$out"


# ---------------------------------------------------------------- the same requests for Kea
# scenario PFX BASE : one sequence of requests for names PFX-*, addresses 192.0.2.BASE+n;
# snapshot PFX BASE : the DNS data it left, names and addresses made relative (so that
# kakapo-dhcp-ddns's and kea-dhcp-ddns's runs compare line by line).
scenario() {
    local p=$1 b=$2
    ncr add "$p-a.example.org." "192.0.2.$b" "$DA";            until_eq "192.0.2.$b" "$p-a.example.org" A >/dev/null
    ncr add "$p-a.example.org." "192.0.2.$((b + 1))" "$DA";    until_eq "192.0.2.$((b + 1))" "$p-a.example.org" A >/dev/null
    ncr add "$p-a.example.org." "192.0.2.$((b + 2))" "$DB";    sleep 1
    ncr add "$p-b.example.org." "192.0.2.$((b + 3))" "$DB" 1 1 0; until_eq "192.0.2.$((b + 3))" "$p-b.example.org" A >/dev/null
    ncr add "$p-m.md5.test." "192.0.2.$((b + 4))" "$DA" 1 0
    ncr add "$p-s.sha512.test." "192.0.2.$((b + 5))" "$DA" 1 0
    ncr add "$p-t.trunc.test." "192.0.2.$((b + 6))" "$DA" 1 0; until_eq "192.0.2.$((b + 6))" "$p-t.trunc.test" A >/dev/null
    ncr add "$p-x.bad.test." "192.0.2.$((b + 7))" "$DA" 1 0
    ncr add "$p-f.failover.test." "192.0.2.$((b + 8))" "$DA" 1 0; until_eq "192.0.2.$((b + 8))" "$p-f.failover.test" A >/dev/null
    ncr remove "$p-b.example.org." "192.0.2.$((b + 3))" "$DB"; until_eq "" "$p-b.example.org" A >/dev/null
    ncr add "$p-c.example.org." "192.0.2.$((b + 9))" "$DB";    until_eq "192.0.2.$((b + 9))" "$p-c.example.org" A >/dev/null
    ncr remove "$p-c.example.org." "192.0.2.$((b + 9))" "$DA"
    ncr add "$p-6.example.org." "2001:db8::$b" "$DA";          until_eq "2001:db8::$b" "$p-6.example.org" AAAA >/dev/null
    ncr add "$p-w.v6.test." "192.0.2.$((b + 10))" "$DA" 1 0;  until_eq "192.0.2.$((b + 10))" "$p-w.v6.test" A >/dev/null
    ncr --raw 0005deadbeef00
    ncr --raw 00037b7d7d
    ncr --raw ff
    sleep 1
}
STATS_COMPARED="ncr-received ncr-invalid update-sent update-signed update-unsigned update-success update-timeout update-error key[k-sha256.].update-sent key[k-sha256.].update-success key[k-sha256.].update-timeout key[k-bad.].update-sent key[k-bad.].update-error key[k-md5.].update-success"
statsnap() {    # statsnap SOCKET : "name value" for STATS_COMPARED
    local n
    for n in $STATS_COMPARED; do echo "$n $(python3 "$KK_LIB_DIR/ctl.py" --timeout 5 --stat "$n" "$1")"; done
}
snapshot() {
    local p=$1 b=$2 n t i
    {
    for n in a.example.org b.example.org c.example.org m.md5.test s.sha512.test t.trunc.test x.bad.test f.failover.test \
             6.example.org w.v6.test; do
        for t in A AAAA DHCID; do
            echo "$n $t $(q "$p-$n" "$t" | sort | awk -v b="$b" -F. '/^192\.0\.2\./ { print "+" ($4 - b); next } { print }' | tr '\n' ' ')"
        done
    done
    for i in $(seq 0 9); do
        echo "+$i PTR $(q -x "192.0.2.$((b + i))" | tr '\n' ' ') DHCID $(q "$((b + i)).2.0.192.in-addr.arpa" DHCID | tr '\n' ' ')"
    done
    echo "v6 PTR $(q -x "2001:db8::$b" | tr '\n' ' ')"
    } | sed -e "s/$p-/P-/g" -e "s/2001:db8::$b/V6/g"
}

echo "== bad requests and garbage answers"
inv0=$(stat ncr-invalid)
ncr --raw 0005deadbeef00
ncr --raw 00037b7d7d
ncr --raw ff
kk_wait_for 5 bash -c "[ \$(python3 '$KK_LIB_DIR/ctl.py' --timeout 5 --stat ncr-invalid '$sock') -ge $((inv0 + 3)) ]"
kk_assert_eq "three invalid requests counted in ncr-invalid" "$((inv0 + 3))" "$(stat ncr-invalid)"
kk_assert "DHCP_DDNS_INVALID_NCR is logged" grep -q "DHCP_DDNS_INVALID_NCR" "$out"
dport=$(ip netns exec "$NS" ss -Hunap | awk -v pid="pid=$D2_PID," '$0 ~ pid && $4 !~ /:53001$/ { n = split($4, a, ":"); print a[n]; exit }')
if [ -n "$dport" ]; then
    ip netns exec "$NS" python3 -c "
import socket, os
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for b in [b'', b'\x01', os.urandom(11), os.urandom(12), b'\x12\x34\x80\x00' + os.urandom(40), os.urandom(512)]:
    s.sendto(b, ('127.0.0.1', $dport))
"
    sleep 0.5
    kk_assert "garbage on the DNS socket (port $dport) does not stop the daemon" kill -0 "$D2_PID"
else
    kk_fail "the DNS socket of kakapo-dhcp-ddns was not found with ss"
fi
ncr add h2.example.org. 192.0.2.30 "$DA"
kk_assert_eq "the daemon still works after the garbage" "192.0.2.30" "$(until_eq 192.0.2.30 h2.example.org A)"

echo "== a sequence of requests to compare with Kea's kea-dhcp-ddns"
statsnap "$sock" >"$KK_WORK/stats-before"
lines_before=$(wc -l <"$out")
scenario kk 100
snapshot kk 100 >"$KK_WORK/snap-kakapo"
statsnap "$sock" | paste -d' ' "$KK_WORK/stats-before" - | awk '{ print $1, $4 - $2 }' >"$KK_WORK/stats-kakapo"
logids() (      # severity, logger and ID of each DHCP_DDNS_* line (INFO and above), counted
    export LC_ALL=C     # the lines may hold the raw octets of an invalid request
    grep -aE ' (INFO|WARN|ERROR) +\[[^]]*\] DHCP_DDNS_' \
        | sed -E 's/^.* (INFO|WARN|ERROR) +\[([^]/]*)\/[^]]*\] (DHCP_DDNS_[A-Z0-9_]+).*/\1 \2 \3/' \
        | grep -av ' DHCP_DDNS_STARTED$' | sort | uniq -c
)
tail -n +"$((lines_before + 1))" "$out" | logids >"$KK_WORK/logs-kakapo"
kk_assert_eq "the comparison sequence left kk-a at its renewed address" "192.0.2.101" "$(q kk-a.example.org A)"
kk_assert_eq "the comparison sequence removed kk-b" "" "$(q kk-b.example.org A)"

echo "== statistics and commands"
kk_assert_eq "ncr-received counts the valid requests" 27 "$(stat ncr-received)"
sent=$(stat update-sent); signed=$(stat update-signed); unsigned=$(stat update-unsigned)
kk_assert_eq "update-sent = update-signed + update-unsigned" "$sent" "$((signed + unsigned))"
kk_assert_eq "every update was signed" 0 "$unsigned"
succ=$(stat update-success); err=$(stat update-error); tmo=$(stat update-timeout)
kk_assert_eq "update-sent = success + error + timeout (nothing outstanding)" "$sent" "$((succ + err + tmo))"
all=$(kk_ctl statistic-get-all)
kk_assert_match "statistic-get-all has key[k-sha512.].update-sent" '"key\[k-sha512\.\]\.update-sent"' "$all"
kk_assert_match "statistic-get-all has ncr-error" '"ncr-error"' "$all"
lc=$(kk_ctl list-commands)
for c in build-report config-get config-reload config-set config-test config-write shutdown status-get version-get \
         statistic-get statistic-get-all statistic-reset statistic-reset-all statistic-remove statistic-remove-all list-commands; do
    kk_assert_match "list-commands has $c" "\"$c\"" "$lc"
done
kk_assert_match "config-get returns DhcpDdns" '"DhcpDdns"' "$(kk_ctl config-get)"
kk_assert_match "statistic-reset ncr-invalid" '"result": ?0' "$(kk_ctl statistic-reset '{"name":"ncr-invalid"}')"
kk_assert_eq "ncr-invalid is 0 after the reset" 0 "$(stat ncr-invalid)"
kk_assert_match "status-get answers" '"pid"' "$(kk_ctl status-get)"
kk_assert_match "config-write answers" '"result": ?0' "$(kk_ctl config-write "{\"filename\": \"$KK_WORK/written.conf\"}")"
kk_assert "the written configuration passes -t" bash -c "\"$BIN\" -t \"$KK_WORK/written.conf\" >/dev/null"
kk_assert_match "config-test on the running configuration" '"result": ?0' "$(kk_ctl config-test "$(kk_ctl config-get | kk_json 'd["arguments"]')")"
kk_assert_match "config-set with an undefined key is refused" '"result": ?1' \
    "$(kk_ctl config-set '{"DhcpDdns": {"forward-ddns": {"ddns-domains": [{"name": "z.", "key-name": "nokey", "dns-servers": [{"ip-address": "192.0.2.53"}]}]}}}')"
kk_assert_match "the running configuration is kept after the refusal" 'k-sha512' "$(kk_ctl config-get)"
kk_assert_match "statistic-remove" '"result": ?0' "$(kk_ctl statistic-remove '{"name":"ncr-error"}')"
kk_assert_match "statistic-get of a removed statistic is empty" '"arguments": ?\{\}' "$(kk_ctl statistic-get '{"name":"ncr-error"}')"

echo "== SIGHUP and config-reload"
kill -HUP "$D2_PID"
kk_wait_for 5 grep -q DCTL_CFG_FILE_RELOAD_SIGNAL_RECVD "$out"
kk_assert "SIGHUP reloads (DCTL_CFG_FILE_RELOAD_SIGNAL_RECVD)" grep -q DCTL_CFG_FILE_RELOAD_SIGNAL_RECVD "$out"
kk_assert_match "config-reload succeeds" '"result": ?0' "$(kk_ctl config-reload)"
ncr add h3.example.org. 192.0.2.31 "$DB"
kk_assert_eq "updates work after the reloads" "192.0.2.31" "$(until_eq 192.0.2.31 h3.example.org A)"

# Answers with a fixed text, to compare with kea-dhcp-ddns's (key order and status-get's values aside).
cmdsnap() {     # cmdsnap SOCKET
    local a
    while IFS='|' read -r cmd args; do
        a=$(python3 "$KK_LIB_DIR/ctl.py" --timeout 5 "$1" "$cmd" ${args:+"$args"})
        echo "$cmd $args => $(printf '%s' "$a" | python3 -c 'import json,sys
d = json.load(sys.stdin)
if isinstance(d.get("arguments"), dict) and "pid" in d["arguments"]: d["arguments"] = sorted(d["arguments"])
print(json.dumps(d, sort_keys=True))')"
    done <<'CMDS'
statistic-reset|{"name": "ncr-received"}
statistic-reset|{"name": "nosuch"}
statistic-get|{"name": "nosuch"}
statistic-reset-all|
config-test|
config-test|{"DhcpDdns": {"port": 53002}}
status-get|
no-such-command|
CMDS
}
cmdsnap "$sock" >"$KK_WORK/cmds-kakapo"
kk_assert_eq "the command answers were all read" 8 "$(grep -c '"result"' "$KK_WORK/cmds-kakapo")"

echo "== shutdown"
shutdown_answer=$(kk_ctl shutdown)
kk_assert_match "shutdown answers" '"result": ?0' "$shutdown_answer"
for _ in $(seq 1 50); do kill -0 "$D2_PID" 2>/dev/null || break; sleep 0.1; done
kill -0 "$D2_PID" 2>/dev/null && kk_fail "kakapo-dhcp-ddns still runs after shutdown" || kk_pass "kakapo-dhcp-ddns exits on shutdown"
wait "$D2_PID"; rc=$?
kk_assert_eq "exit status 0" 0 "$rc"
kk_assert "DCTL_SHUTDOWN is logged" grep -q DCTL_SHUTDOWN "$out"
kk_assert "the PID file is removed" test ! -f "$KK_WORK/run/d2.kea-dhcp-ddns.pid"

echo "== Kea's kea-dhcp-ddns on the same requests (optional)"
KEA_D2=${KEA_DHCP_DDNS:-$(command -v kea-dhcp-ddns || true)}
if [ -n "$KEA_D2" ] && [ -x "$KEA_D2" ]; then
    kconf=$KK_WORK/kea-d2.conf
    sed -e "s|$sock|$KK_WORK/kea-d2.sock|" "$conf" >"$kconf"
    kout=$KK_WORK/kea-d2.out
    mkdir -p "$KK_WORK/kea-run"
    KEA_PIDFILE_DIR=$KK_WORK/kea-run KEA_LOCKFILE_DIR=none ip netns exec "$NS" "$KEA_D2" -c "$kconf" >"$kout" 2>&1 &
    KEA_PID=$!
    KK_PIDS+=("$KEA_PID")
    if kk_wait_for 10 test -S "$KK_WORK/kea-d2.sock"; then
        scenario ke 150
        snapshot ke 150 >"$KK_WORK/snap-kea"
        statsnap "$KK_WORK/kea-d2.sock" >"$KK_WORK/stats-kea"
        # Kea before 2.4 logs an unanswered update as *_IO_ERROR; 2.4 (Kakapo's reference) as *_TIMEOUT.
        case "$("$KEA_D2" -v 2>/dev/null)" in
            2.4*|2.[5-9]*|[3-9]*) logids <"$kout" >"$KK_WORK/logs-kea" ;;
            *) sed -E 's/(DHCP_DDNS_[A-Z_]+)_IO_ERROR/\1_TIMEOUT/' "$kout" | logids >"$KK_WORK/logs-kea" ;;
        esac
        if diff -u "$KK_WORK/logs-kea" "$KK_WORK/logs-kakapo" >"$KK_WORK/logs.diff"; then
            kk_pass "kea-dhcp-ddns and kakapo-dhcp-ddns log the same DHCP_DDNS_* messages (INFO and above) as often"
        else
            kk_fail "DHCP_DDNS_* messages of kea-dhcp-ddns (-) and kakapo-dhcp-ddns (+) differ:"; cat "$KK_WORK/logs.diff"
        fi
        if diff -u "$KK_WORK/stats-kea" "$KK_WORK/stats-kakapo" >"$KK_WORK/stats.diff"; then
            kk_pass "kea-dhcp-ddns and kakapo-dhcp-ddns count the same statistics for the same requests ($(tr '\n' ',' <"$KK_WORK/stats-kea"))"
        else
            kk_fail "statistics of kea-dhcp-ddns (-) and kakapo-dhcp-ddns (+) differ:"; cat "$KK_WORK/stats.diff"
        fi
        if diff -u "$KK_WORK/snap-kea" "$KK_WORK/snap-kakapo" >"$KK_WORK/snap.diff"; then
            kk_pass "kea-dhcp-ddns and kakapo-dhcp-ddns leave the same DNS data for the same requests ($(wc -l <"$KK_WORK/snap-kea") checks)"
        else
            kk_fail "kea-dhcp-ddns (-) and kakapo-dhcp-ddns (+) differ:"; cat "$KK_WORK/snap.diff"
        fi
        cmdsnap "$KK_WORK/kea-d2.sock" >"$KK_WORK/cmds-kea"
        if diff -u "$KK_WORK/cmds-kea" "$KK_WORK/cmds-kakapo" >"$KK_WORK/cmds.diff"; then
            kk_pass "kea-dhcp-ddns and kakapo-dhcp-ddns answer the same to $(wc -l <"$KK_WORK/cmds-kea") control commands"
        else
            kk_fail "control answers of kea-dhcp-ddns (-) and kakapo-dhcp-ddns (+) differ:"; cat "$KK_WORK/cmds.diff"
        fi
        kk_assert_eq "the same shutdown answer" "$(python3 "$KK_LIB_DIR/ctl.py" --timeout 5 "$KK_WORK/kea-d2.sock" shutdown)" "$shutdown_answer"
        kk_kill_pid "$KEA_PID" 5
    else
        kk_note "kea-dhcp-ddns did not start: $(tail -3 "$kout" | tr '\n' ' ')"
    fi
else
    kk_note "kea-dhcp-ddns is not installed (apt-get install kea-dhcp-ddns-server): no comparison with Kea's own D2"
fi
kk_finish
