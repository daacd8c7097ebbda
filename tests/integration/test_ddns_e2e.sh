#!/usr/bin/env bash
# DDNS end to end: real dhclient clients -> kakapo-dhcp4 -> kakapo-dhcp-ddns -> BIND 9 (named),
# whose zones take only TSIG-signed updates (allow-update { key ...; }).  In the server namespace:
# named on 127.0.0.1:53, kakapo-dhcp-ddns on 127.0.0.1:53001, kakapo-dhcp4 on eth0 (192.0.2.1).
#  1. a client sending a host name (option 12) and one sending an FQDN (option 81): A, PTR and
#     DHCID in BIND (dig); another MAC claiming the first name is refused by conflict
#     resolution (first client's records stay); releases (dhclient -r) remove the records;
#  2. a wrong secret in kakapo-dhcp-ddns: BIND logs the bad signature, kakapo-dhcp-ddns logs the
#     failure and counts update-error; DNS unchanged;
#  3. Kea 2.2's kea-dhcp4 feeding kakapo-dhcp-ddns, and kakapo-dhcp4 feeding Kea 2.2's
#     kea-dhcp-ddns, each updating BIND;
#  4. independent TSIG vectors: a python (Debian's dnspython) UDP listener posing as the DNS
#     server on 127.0.0.2:53 verifies the TSIG of kakapo-dhcp-ddns's updates for HMAC-MD5, -SHA1,
#     -SHA224, -SHA256, -SHA384, -SHA512 and HMAC-SHA256 with digest-bits 128, answers with a
#     dnspython-signed response (must be accepted) or, for one zone, a tampered one (must be
#     rejected: update-error).
#   KAKAPO_DHCP4, KAKAPO_DHCP_DDNS : the binaries (default <repo>/.build/debug/...)
DHCP4_SERVER=kakapo
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/named.sh"
kk_init
kk_need named dig nsupdate tsig-keygen dhclient
D2_BIN=${KAKAPO_DHCP_DDNS:-$KK_REPO_ROOT/.build/debug/kakapo-dhcp-ddns}
[ -x "$D2_BIN" ] || kk_die "kakapo-dhcp-ddns not found: $D2_BIN"
DNSPY=/usr/bin/python3      # Debian's python, where python3-dnspython is installed
"$DNSPY" -c 'import dns.message, dns.tsig' 2>/dev/null || kk_die "python3-dnspython missing (scripts/install-test-deps.sh)"
T0=$SECONDS

kk_topology eth0 192.0.2.1/24
NS=$KK_SRV_NS
ip -n "$NS" addr add 127.0.0.2/8 dev lo 2>/dev/null || true

# ---------------------------------------------------------------- named
NDIR=$KK_WORK/named
mkdir -p "$NDIR"
S_256=$(kk_tsig_secret hmac-sha256 k-sha256)
S_WRONG=$(kk_tsig_secret hmac-sha256 k-sha256)
[ -n "$S_256" ] && [ -n "$S_WRONG" ] || kk_die "tsig-keygen gave no secret"
kk_named_zone "$NDIR" example.org 127.0.0.1
kk_named_zone "$NDIR" 2.0.192.in-addr.arpa
kk_named_start "$NS" "$NDIR" 127.0.0.1 "
key \"k-sha256\" { algorithm hmac-sha256; secret \"$S_256\"; };
zone \"example.org\" { type primary; file \"example.org.db\"; allow-update { key k-sha256; }; };
zone \"2.0.192.in-addr.arpa\" { type primary; file \"2.0.192.in-addr.arpa.db\"; allow-update { key k-sha256; }; };"
kk_pass "private named answers on 127.0.0.1:53"
q() { ip netns exec "$NS" dig @127.0.0.1 +short +time=1 +tries=1 "$@" 2>/dev/null; }
until_eq() {   # until_eq EXPECTED dig-args... : poll dig (bounded 8 s)
    local want=$1 i got; shift
    for i in $(seq 1 40); do got=$(q "$@" | sort | tr '\n' ' ' | sed 's/ $//'); [ "$got" = "$want" ] && break; sleep 0.2; done
    echo "$got"
}
nsu=$(printf 'server 127.0.0.1\nzone example.org\nupdate add unsigned.example.org 300 A 192.0.2.9\nsend\n' \
      | ip netns exec "$NS" timeout 10 nsupdate 2>&1)
kk_assert_match "an unsigned update is REFUSED by named" "REFUSED" "$nsu"

# ---------------------------------------------------------------- the TSIG vector keys
declare -A VALG=( [md5]=HMAC-MD5 [sha1]=HMAC-SHA1 [sha224]=HMAC-SHA224 [sha256]=HMAC-SHA256
                  [sha384]=HMAC-SHA384 [sha512]=HMAC-SHA512 [trunc]=HMAC-SHA256 [tamper]=HMAC-SHA256 )
declare -A VSEC
for v in "${!VALG[@]}"; do VSEC[$v]=$("$DNSPY" -c 'import base64, os; print(base64.b64encode(os.urandom(32)).decode())'); done

# ---------------------------------------------------------------- kakapo-dhcp-ddns
d2_conf() {     # d2_conf FILE SECRET-FOR-k-sha256 SOCKET
    local keys="" doms="" v extra
    for v in "${!VALG[@]}"; do
        extra=""; [ "$v" = trunc ] && extra='"digest-bits": 128, '
        keys+="{ \"name\": \"v-$v\", \"algorithm\": \"${VALG[$v]}\", $extra\"secret\": \"${VSEC[$v]}\" },"$'\n'
        doms+="{ \"name\": \"$v.test.\", \"key-name\": \"v-$v\", \"dns-servers\": [ { \"ip-address\": \"127.0.0.2\" } ] },"$'\n'
    done
    cat >"$1" <<EOF2
{ "DhcpDdns": {
    "ip-address": "127.0.0.1", "port": 53001, "dns-server-timeout": 1000,
    "control-socket": { "socket-type": "unix", "socket-name": "$3" },
    "tsig-keys": [ $keys
        { "name": "k-sha256", "algorithm": "HMAC-SHA256", "secret": "$2" } ],
    "forward-ddns": { "ddns-domains": [ $doms
        { "name": "example.org.", "key-name": "k-sha256", "dns-servers": [ { "ip-address": "127.0.0.1" } ] } ] },
    "reverse-ddns": { "ddns-domains": [
        { "name": "2.0.192.in-addr.arpa.", "key-name": "k-sha256", "dns-servers": [ { "ip-address": "127.0.0.1" } ] } ] },
    "loggers": [ { "name": "kea-dhcp-ddns", "output_options": [ { "output": "stdout" } ], "severity": "INFO" } ]
} }
EOF2
}
mkdir -p "$KK_WORK/d2run"
D2_N=0
d2_start() {    # d2_start BIN CONF : sets D2_PID D2_OUT D2_SOCK
    D2_N=$((D2_N + 1))
    D2_OUT=$KK_WORK/d2-$D2_N.out
    D2_SOCK=$("$KK_PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["DhcpDdns"]["control-socket"]["socket-name"])' "$2")
    KEA_PIDFILE_DIR=$KK_WORK/d2run KEA_LOCKFILE_DIR=none ip netns exec "$NS" "$1" -c "$2" >"$D2_OUT" 2>&1 &
    D2_PID=$!
    KK_PIDS+=("$D2_PID")
    kk_wait_for 10 test -S "$D2_SOCK" || kk_die "$1 did not open its control socket ($(tail -3 "$D2_OUT" | tr '\n' ' '))"
}
d2_stop() { kk_kill_pid "$D2_PID" 5; rm -f "$D2_SOCK"; }
d2stat() { "$KK_PY" "$KK_LIB_DIR/ctl.py" --timeout 5 --stat "$1" "$D2_SOCK"; }

d2_conf "$KK_WORK/d2-good.conf" "$S_256" "$KK_WORK/d2.sock"
d2_conf "$KK_WORK/d2-wrong.conf" "$S_WRONG" "$KK_WORK/d2.sock"
d2_conf "$KK_WORK/kea-d2.conf" "$S_256" "$KK_WORK/kea-d2.sock"
d2_start "$D2_BIN" "$KK_WORK/d2-good.conf"

# ---------------------------------------------------------------- kakapo-dhcp4
conf=$KK_WORK/kea-dhcp4.conf
kk_write_basic_config "$conf" 900 1800 3600 '
    "dhcp-ddns": { "enable-updates": true, "server-ip": "127.0.0.1", "server-port": 53001,
                   "sender-ip": "127.0.0.1", "max-queue-size": 64, "ncr-protocol": "UDP", "ncr-format": "JSON" },
    "ddns-qualifying-suffix": "example.org",'
kk_server_start_ready "$conf"

client() {      # client NAME MAC DHCLIENT-EXTRA : start dhclient, wait for the address (KK_ADDR)
    kk_add_client "$1" "$2"
    KK_DHCLIENT_EXTRA=$3
    kk_client_start "$1" dhclient
    kk_client_wait_bound "$1" 20 || { kk_fail "$1: dhclient got no address"; return 1; }
    eval "ADDR_$1=\$KK_ADDR"
}
check_records() {   # check_records WHO FQDN ADDR MAC
    kk_assert_eq "$1: A of $2" "$3" "$(until_eq "$3" "$2" A)"
    kk_assert_eq "$1: PTR of $3" "$2." "$(until_eq "$2." -x "$3")"
    kk_assert_eq "$1: DHCID of $2 (RFC 4701: SHA-256 over htype, chaddr and the name)" "$(dhcid "$4" "$2")" "$(q "$2" DHCID)"
    kk_assert_eq "$1: the same DHCID on the reverse name of $3" "$(dhcid "$4" "$2")" \
        "$(q "$(echo "$3" | awk -F. '{ print $4"."$3"."$2"."$1 }').in-addr.arpa" DHCID)"
}
dhcid() {           # dhcid MAC FQDN : the DHCID RDATA in base64, as dig +short shows it
    "$KK_PY" -c 'import base64, hashlib, sys
wire = b"".join(bytes([len(l)]) + l.encode() for l in sys.argv[2].rstrip(".").split(".")) + b"\0"
ident = bytes([1]) + bytes.fromhex(sys.argv[1].replace(":", ""))
print(base64.b64encode(bytes.fromhex("000001") + hashlib.sha256(ident + wire).digest()).decode())' "$1" "$2"
}
check_gone() {      # check_gone WHO FQDN ADDR
    kk_assert_eq "$1: A of $2 removed" "" "$(until_eq "" "$2" A)"
    kk_assert_eq "$1: DHCID of $2 removed" "" "$(until_eq "" "$2" DHCID)"
    kk_assert_eq "$1: PTR of $3 removed" "" "$(until_eq "" -x "$3")"
}

echo "== 1. dhclient -> kakapo-dhcp4 -> kakapo-dhcp-ddns -> named"
client alpha 02:00:00:00:0e:01 'send host-name "alpha";' && check_records "option 12 client" alpha.example.org "$ADDR_alpha" "${KK_CMAC[alpha]}"
client beta 02:00:00:00:0e:02 'send fqdn.fqdn "beta.example.org."; send fqdn.server-update on; send fqdn.encoded on;' \
    && check_records "option 81 client" beta.example.org "$ADDR_beta" "${KK_CMAC[beta]}"
dhcid_alpha=$(q alpha.example.org DHCID)
rej0=$(grep -c 'DHCP_DDNS_FORWARD_.*_REJECTED' "$D2_OUT")
client thief 02:00:00:00:0e:03 'send host-name "alpha";'
kk_wait_for 8 bash -c "[ \$(grep -c 'DHCP_DDNS_FORWARD_.*_REJECTED' '$D2_OUT') -gt $rej0 ]"
kk_assert_match "the other MAC's claim on alpha is rejected (log)" 'DHCP_DDNS_FORWARD_(ADD|REPLACE)_REJECTED.*alpha\.example\.org' "$(cat "$D2_OUT")"
kk_assert_eq "alpha's A record stays" "$ADDR_alpha" "$(q alpha.example.org A)"
kk_assert_eq "alpha's DHCID stays" "$dhcid_alpha" "$(q alpha.example.org DHCID)"
kk_assert_eq "no PTR for the refused client's address" "" "$(q -x "$ADDR_thief")"
kk_client_release thief
sleep 1
kk_assert_eq "the refused client's release leaves alpha's A" "$ADDR_alpha" "$(q alpha.example.org A)"
kk_client_release alpha
check_gone "release of the option 12 client" alpha.example.org "$ADDR_alpha"
kk_client_release beta
check_gone "release of the option 81 client" beta.example.org "$ADDR_beta"

echo "== 2. a wrong key in kakapo-dhcp-ddns"
d2_stop
d2_start "$D2_BIN" "$KK_WORK/d2-wrong.conf"
client gamma 02:00:00:00:0e:04 'send host-name "gamma";'
kk_wait_for 10 bash -c "[ \$(\"$KK_PY\" '$KK_LIB_DIR/ctl.py' --timeout 5 --stat update-error '$D2_SOCK') -ge 3 ]"
kk_assert_eq "update-error counts the three badly signed tries" 3 "$(d2stat update-error)"
kk_assert_eq "key[k-sha256.].update-error" 3 "$(d2stat 'key[k-sha256.].update-error')"
kk_assert_eq "update-success stays 0" 0 "$(d2stat update-success)"
kk_assert_match "named logs the bad signature" "request has invalid signature: TSIG k-sha256: tsig verify failure \(BADSIG\)" "$(cat "$NAMED_LOG")"
kk_assert_match "kakapo-dhcp-ddns logs the unverifiable answer" "DHCP_DDNS_FORWARD_ADD_RESP_CORRUPT .*gamma\.example\.org\." "$(cat "$D2_OUT")"
kk_assert_match "kakapo-dhcp-ddns logs the failed add" "DHCP_DDNS_ADD_FAILED" "$(cat "$D2_OUT")"
kk_assert_eq "no A for gamma" "" "$(q gamma.example.org A)"
kk_assert_eq "no PTR for gamma's address" "" "$(q -x "$ADDR_gamma")"
kk_client_stop gamma
d2_stop

echo "== 3. Kea 2.2 kea-dhcp4 -> kakapo-dhcp-ddns -> named"
KEA4=$(command -v kea-dhcp4 || true)
KEAD2=$(command -v kea-dhcp-ddns || true)
d2_start "$D2_BIN" "$KK_WORK/d2-good.conf"
if [ -n "$KEA4" ]; then
    kk_server_stop || kk_fail "kakapo-dhcp4 did not stop"
    saved=$KK_SERVER_BIN; KK_SERVER_BIN=$KEA4
    kk_server_start_ready "$conf"
    client delta 02:00:00:00:0e:05 'send host-name "delta";' && check_records "kea-dhcp4 + kakapo-dhcp-ddns" delta.example.org "$ADDR_delta" "${KK_CMAC[delta]}"
    kk_client_release delta
    check_gone "kea-dhcp4 + kakapo-dhcp-ddns, release" delta.example.org "$ADDR_delta"
    kk_server_stop || kk_fail "kea-dhcp4 did not stop"
    KK_SERVER_BIN=$saved
    kk_server_start_ready "$conf"
else
    kk_skip "kea-dhcp4 not installed"
fi

echo "== 4. TSIG vectors checked by dnspython"
vkeys=""
for v in "${!VALG[@]}"; do vkeys+="v-$v=${VSEC[$v]} "; done
cat >"$KK_WORK/tsigsrv.py" <<'PYEOF'
# tsigsrv.py OUT KEY=SECRET... : a DNS server on 127.0.0.2:53 that verifies every update's TSIG with
# dnspython, and answers NOERROR signed by dnspython (tampered: one MAC bit flipped, for v-tamper).
import base64, hashlib, socket, sys
import dns.message, dns.name, dns.rcode, dns.tsig, dns.tsigkeyring
out = open(sys.argv[1], "a", buffering=1)
keys = dict(a.split("=", 1) for a in sys.argv[2:])
def keyring(trunc):
    return {dns.name.from_text(n): dns.tsig.Key(n, s, dns.tsig.HMAC_MD5 if n == "v-md5" else
            dns.tsig.HMAC_SHA1 if n == "v-sha1" else dns.tsig.HMAC_SHA224 if n == "v-sha224" else
            dns.tsig.HMAC_SHA384 if n == "v-sha384" else dns.tsig.HMAC_SHA512 if n == "v-sha512" else
            dns.tsig.HMAC_SHA256) for n, s in keys.items()}
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.2", 53))
full = dns.tsig.HMACTSig._hashes[dns.tsig.HMAC_SHA256]
while True:
    wire, peer = s.recvfrom(65535)
    trunc = b"\x07v-trunc\x00" in wire
    # digest-bits 128: the algorithm stays hmac-sha256 and the MAC is its first 16 octets (RFC 4635)
    dns.tsig.HMACTSig._hashes[dns.tsig.HMAC_SHA256] = (hashlib.sha256, 128) if trunc else full
    try:
        m = dns.message.from_wire(wire, keyring=keyring(trunc))
    except Exception as e:
        out.write("FAIL %s %s\n" % (type(e).__name__, wire.hex())); continue
    zone = m.question[0].name.to_text() if m.question else "?"
    out.write("OK %s %s %s maclen=%d\n" % (zone, m.keyname.to_text(), m.keyalgorithm.to_text(), len(m.mac)))
    r = dns.message.make_response(m)
    r.set_rcode(dns.rcode.NOERROR)
    rw = bytearray(r.to_wire())
    if zone == "tamper.test.":
        rw[-7] ^= 0x01          # last MAC octet: before original id, error and other-len
    s.sendto(bytes(rw), peer)
PYEOF
vlog=$KK_WORK/tsig-vectors.log
ip netns exec "$NS" timeout 100 "$DNSPY" "$KK_WORK/tsigsrv.py" "$vlog" $vkeys &
KK_PIDS+=("$!")
sleep 0.7
cat >"$KK_WORK/ncr.py" <<'PYEOF'
import json, socket, sys
fqdn, ip = sys.argv[1], sys.argv[2]
ncr = {"change-type": 0, "forward-change": True, "reverse-change": False, "fqdn": fqdn, "ip-address": ip,
       "dhcid": "000101" + "ab" * 32, "lease-expires-on": "20301231235959", "lease-length": 3600,
       "use-conflict-resolution": True}
b = json.dumps(ncr).encode()
socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(len(b).to_bytes(2, "big") + b, ("127.0.0.1", 53001))
PYEOF
err0=$(d2stat update-error)
for v in md5 sha1 sha224 sha256 sha384 sha512 trunc tamper; do
    ip netns exec "$NS" "$KK_PY" "$KK_WORK/ncr.py" "h.$v.test." 192.0.2.77
done
kk_wait_for 10 bash -c "[ \$(\"$KK_PY\" '$KK_LIB_DIR/ctl.py' --timeout 5 --stat 'key[v-sha512.].update-success' '$D2_SOCK') -ge 1 ] && [ \$(\"$KK_PY\" '$KK_LIB_DIR/ctl.py' --timeout 5 --stat 'key[v-tamper.].update-error' '$D2_SOCK') -ge 3 ]"
for v in md5 sha1 sha224 sha256 sha384 sha512 trunc; do
    alg=$(echo "${VALG[$v]}" | tr 'A-Z' 'a-z'); [ "$v" = md5 ] && alg=hmac-md5.sig-alg.reg.int
    what=${VALG[$v]}; [ "$v" = trunc ] && what="HMAC-SHA256 (digest-bits 128)"
    mlen=$(grep -m1 "^OK $v.test. v-$v. " "$vlog" | sed -n 's/.*maclen=//p')
    kk_assert_match "$what: dnspython verifies the update's TSIG" "^OK $v\.test\. v-$v\. ${alg//./\\.}\. " "$(grep "^OK $v.test." "$vlog" | head -n1)"
    kk_assert_eq "v-$v: the dnspython-signed response is accepted (update-success)" 1 "$(d2stat "key[v-$v.].update-success")"
    [ "$v" = trunc ] && kk_assert_eq "digest-bits 128: the MAC is 16 octets" 16 "$mlen"
done
kk_assert_eq "no update failed dnspython's TSIG check" "" "$(grep '^FAIL' "$vlog")"
kk_assert_eq "the tampered response is rejected: key[v-tamper.].update-success 0" 0 "$(d2stat 'key[v-tamper.].update-success')"
kk_assert_eq "the tampered response counts update-error (three tries)" 3 "$(d2stat 'key[v-tamper.].update-error')"
kk_assert_eq "update-error grew by those three only" $((err0 + 3)) "$(d2stat update-error)"
kk_assert_match "kakapo-dhcp-ddns logs the tampered answer as corrupt" "DHCP_DDNS_FORWARD_ADD_RESP_CORRUPT .*h\.tamper\.test\." "$(cat "$D2_OUT")"
d2_stop

echo "== 5. kakapo-dhcp4 -> Kea 2.2 kea-dhcp-ddns -> named"
if [ -n "$KEAD2" ]; then
    d2_start "$KEAD2" "$KK_WORK/kea-d2.conf"
    client eps 02:00:00:00:0e:06 'send fqdn.fqdn "eps.example.org."; send fqdn.server-update on; send fqdn.encoded on;' \
        && check_records "kakapo-dhcp4 + kea-dhcp-ddns" eps.example.org "$ADDR_eps" "${KK_CMAC[eps]}"
    kk_client_release eps
    check_gone "kakapo-dhcp4 + kea-dhcp-ddns, release" eps.example.org "$ADDR_eps"
    d2_stop
else
    kk_skip "kea-dhcp-ddns not installed (kea-dhcp-ddns-server)"
fi
kk_assert "the test took at most 120 s ($((SECONDS - T0)) s)" test $((SECONDS - T0)) -le 120
kk_finish
