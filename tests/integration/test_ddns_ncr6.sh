#!/usr/bin/env bash
# DDNS in kakapo-dhcp6: option 39 in replies, the lease6 rows' hostname/fqdn_fwd/fqdn_rev, and
# the name change requests (NCRs) sent to the DHCP-DDNS daemon, here a python UDP listener on
# 127.0.0.1:53001 in the server's namespace that records each request.
#  1. scripted clients (dhcp6probe.py, direct on the link): option 39 with S=1 and a partial
#     name, one with N=1 (no request), one that renews under a new name, a Release; then
#     lease6-resend-ddns and lease6-del with update-ddns. The reply's option 39, the lease
#     file, the NCRs in Kea's wire format (DHCID: RFC 4701 type 2, SHA-256 over the DUID and
#     the name; TTL a third of the lease);
#  2. a real dhclient -6 sending `fqdn.fqdn` with server updates: an add, a remove on release;
#  3. differential: Kea 2.2's kea-dhcp6 with the same config and the same scripted exchanges:
#     the same NCR JSON (except lease-expires-on) and the same option 39 in the replies.
. "$(dirname "$0")/lib.sh"
kk_init6
kk_need dhclient
SRV="$KK_ID-srv"
PR="$KK_ID-pr"
kk_netns6_add "$SRV"
kk_netns6_add "$PR"
ip link add eth0 netns "$SRV" type veth peer name eth0 netns "$PR" || kk_die "veth"
ip -n "$SRV" link set eth0 address 02:00:00:00:01:01
ip -n "$PR" link set eth0 address 02:00:00:00:02:01
ip -n "$SRV" addr add 2001:db8:1::1/64 dev eth0 nodad
ip -n "$PR" addr add 2001:db8:1::2/64 dev eth0 nodad
ip -n "$SRV" link set eth0 up
ip -n "$PR" link set eth0 up
wait_ll() {   # wait_ll NS : eth0 has a usable link-local address (bounded)
    local i
    for i in $(seq 1 50); do
        ip -n "$1" -6 addr show dev eth0 scope link | grep -q 'inet6 fe80' &&
            ! ip -n "$1" -6 addr show dev eth0 | grep -q tentative && return 0
        sleep 0.1
    done
    return 1
}
wait_ll "$SRV" || kk_die "server link-local"
wait_ll "$PR" || kk_die "probe link-local"
KK_SRV_NS=$SRV
csv="$KK_WORK/leases6.csv"
conf="$KK_WORK/kea-dhcp6.conf"
cat >"$conf" <<EOF
// $KK_TEST_NAME
{ "Dhcp6": {
    "interfaces-config": { "interfaces": [ "eth0" ] },
    "control-socket": { "socket-type": "unix", "socket-name": "$KK_WORK/ctl.sock" },
    "lease-database": { "type": "memfile", "name": "$csv", "lfc-interval": 0 },
    "server-id": { "type": "LLT", "persist": false },
    "preferred-lifetime": 3000, "valid-lifetime": 3600,
    "dhcp-ddns": { "enable-updates": true, "server-ip": "127.0.0.1", "server-port": 53001,
                   "sender-ip": "127.0.0.1", "max-queue-size": 64, "ncr-protocol": "UDP", "ncr-format": "JSON" },
    "ddns-qualifying-suffix": "example.org",
    "hooks-libraries": [ { "library": "/usr/lib/x86_64-linux-gnu/kea/hooks/libdhcp_lease_cmds.so" } ],
    "subnet6": [ { "id": 1, "subnet": "2001:db8:1::/64", "interface": "eth0",
                   "pools": [ { "pool": "2001:db8:1::100 - 2001:db8:1::1ff" } ] } ],
    "loggers": [ { "name": "kea-dhcp6", "output_options": [ { "output": "stdout" } ], "severity": "DEBUG", "debuglevel": 99 } ]
} }
EOF

listener() {   # listener OUTFILE : in the server namespace, stops by itself after 120 s
    ip netns exec "$SRV" timeout 120 "$KK_PY" -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 53001))
out = open(sys.argv[1], "a", buffering=1)
while True:
    d, _ = s.recvfrom(65535)
    n = int.from_bytes(d[:2], "big")
    out.write((d[2:].decode() if n == len(d) - 2 else "BAD length %d for %d octets" % (n, len(d) - 2)) + "\n")
' "$1" &
    LPID=$!
    KK_PIDS+=("$LPID")
    sleep 0.5
}

D1=00030001020000000a01; D2=00030001020000000a02; D3=00030001020000000a03
script="$KK_WORK/probe.script"
cat >"$script" <<EOF
# S=1, partial name "Laptop"
solicit duid=$D1 na=1 opt39=01064c6170746f70 expect=ADVERTISE
request duid=$D1 na=1+last sid=@sid opt39=01064c6170746f70 expect=REPLY
# N=1, partial name "quiet": no updates, no request
solicit duid=$D2 na=2 opt39=04057175696574 expect=ADVERTISE
request duid=$D2 na=2+last sid=@sid opt39=04057175696574 expect=REPLY
# S=1 "box", renewed as "box2" (fully qualified in the option)
solicit duid=$D3 na=3 opt39=0103626f78 expect=ADVERTISE
request duid=$D3 na=3+last sid=@sid opt39=0103626f78 expect=REPLY
renew duid=$D3 na=3+last sid=@sid opt39=0104626f7832076578616d706c65036f726700 expect=REPLY
release duid=$D1 na=1+last sid=@sid expect=REPLY
sleep 0.5
EOF
probe() {   # probe OUT
    timeout 60 ip netns exec "$PR" "$KK_PY" "$KK_LIB_DIR/dhcp6probe.py" run "$script" --ifname eth0 \
        --relay-src 2001:db8:1::2 --server-ip fe80::ff:fe00:101 --timeout 1 >"$1" 2>"$1.err" \
        || kk_fail "probe failed: $(tail -n 3 "$1.err")"
}
more() {   # more OUT : lease6-resend-ddns and lease6-del update-ddns on box2's address
    kk_ctl lease6-resend-ddns '{"ip-address": "2001:db8:1::102"}' >"$1.resend"
    kk_ctl lease6-del '{"ip-address": "2001:db8:1::102", "update-ddns": true}' >"$1.del"
    sleep 0.5
}
opt39() {   # opt39 OUT STEP
    "$KK_PY" -c 'import json,sys
for l in open(sys.argv[1]):
    r = json.loads(l)
    if r["step"] == int(sys.argv[2]): print((r["reply"] if isinstance(r["reply"], dict) else {}).get("options", {}).get("39", "none"))' "$1" "$2"
}
row() {   # row ADDRESS : hostname,fqdn_fwd,fqdn_rev of the address's last row
    "$KK_PY" -c 'import csv,sys
rows = [r for r in csv.DictReader(open(sys.argv[1])) if r["address"] == sys.argv[2]]
print(",".join([rows[-1]["hostname"], rows[-1]["fqdn_fwd"], rows[-1]["fqdn_rev"]]) if rows else "none")' "$csv" "$1"
}

# ---- 1. kakapo-dhcp6 with the probe
ncr_kk="$KK_WORK/ncr-kakapo.jsonl"
listener "$ncr_kk"
kk_server_start_ready "$conf"
probe "$KK_WORK/probe-kakapo.out"
kk_assert "kakapo's replies are the ones the script expects" "$KK_PY" "$KK_LIB_DIR/dhcp6probe.py" check "$KK_WORK/probe-kakapo.out"
kk_assert_eq "Reply's option 39: S=1, laptop.example.org. in lower case" \
    "01066c6170746f70076578616d706c65036f726700" "$(opt39 "$KK_WORK/probe-kakapo.out" 2)"
kk_assert_eq "Reply's option 39 for N=1: N, the name qualified" \
    "0405717569657407" "$(opt39 "$KK_WORK/probe-kakapo.out" 4 | cut -c1-16)"
kk_assert_eq "lease file: the laptop row" "laptop.example.org.,1,1" "$(row 2001:db8:1::100 | head -n 1)"
kk_assert_eq "lease file: the N=1 client keeps its name, no directions" "quiet.example.org.,0,0" "$(row 2001:db8:1::101)"
kk_assert_eq "lease file: the renamed client" "box2.example.org.,1,1" "$(row 2001:db8:1::102)"
kk_wait_for 5 bash -c "[ \$(wc -l <'$ncr_kk') -ge 5 ]" || true
check=$("$KK_PY" - "$ncr_kk" "$D1" "$D3" <<'EOF'
import hashlib, json, sys
lines = [l.rstrip("\n") for l in open(sys.argv[1])]
d1, d3 = sys.argv[2], sys.argv[3]
keys = ["change-type", "forward-change", "reverse-change", "fqdn", "ip-address", "dhcid",
        "lease-expires-on", "lease-length", "use-conflict-resolution"]
def wire(name):
    return b"".join(bytes([len(l)]) + l.encode() for l in name.rstrip(".").split(".")) + b"\0"
def dhcid(duid, name):
    return "000201" + hashlib.sha256(bytes.fromhex(duid) + wire(name)).hexdigest().upper()
want = [(0, "laptop.example.org.", "2001:db8:1::100", d1),
        (0, "box.example.org.", "2001:db8:1::102", d3),
        (1, "box.example.org.", "2001:db8:1::102", d3),
        (0, "box2.example.org.", "2001:db8:1::102", d3),
        (1, "laptop.example.org.", "2001:db8:1::100", d1)]
problems = []
if len(lines) != len(want):
    problems.append("%d requests, want %d: %s" % (len(lines), len(want), lines))
for line, (ct, fqdn, ip, duid) in zip(lines, want):
    try:
        pairs = json.loads(line, object_pairs_hook=list)
    except ValueError:
        problems.append("not JSON: " + line); continue
    d = dict(pairs)
    if [k for k, _ in pairs] != keys: problems.append("key order " + str([k for k, _ in pairs]))
    exp = {"change-type": ct, "forward-change": True, "reverse-change": True, "fqdn": fqdn, "ip-address": ip,
           "dhcid": dhcid(duid, fqdn), "lease-length": 1200, "use-conflict-resolution": True}
    for k, v in exp.items():
        if d.get(k) != v: problems.append("%s: %s=%r, want %r" % (fqdn, k, d.get(k), v))
print("; ".join(problems) if problems else "ok")
EOF
)
kk_assert_eq "NCRs: add laptop, add box, remove box + add box2, remove laptop (Kea's JSON, DHCID, TTL)" ok "$check"
more "$KK_WORK/more-kakapo.out"
kk_assert_eq "lease6-resend-ddns" '{"result": 0, "text": "NCR generated for: 2001:db8:1::102, hostname: box2.example.org."}' \
    "$(cat "$KK_WORK/more-kakapo.out.resend")"
seq=$("$KK_PY" -c 'import json,sys
print(" ".join("%s:%s" % ("add" if d["change-type"] == 0 else "remove", d["fqdn"].split(".")[0])
               for d in map(json.loads, open(sys.argv[1]).read().splitlines()[5:])))' "$ncr_kk")
kk_assert_eq "NCRs: lease6-resend-ddns, lease6-del update-ddns" "add:box2 remove:box2" "$seq"
kk_assert "DHCP6_DDNS_CREATE_ADD_NAME_CHANGE_REQUEST logged" grep -q DHCP6_DDNS_CREATE_ADD_NAME_CHANGE_REQUEST "$KK_SERVER_OUT"

# ---- 2. a real dhclient -6 asking the server to update its AAAA record
dh="$KK_WORK/dh"; mkdir -p "$dh"
cat >"$dh/dhclient6.conf" <<'EOF'
send fqdn.fqdn "dh6.example.org.";
send fqdn.server-update on;
EOF
ip netns exec "$PR" timeout 60 dhclient -6 -d -v -1 -cf "$dh/dhclient6.conf" -lf "$dh/leases" -pf "$dh/pid" \
    -sf /bin/true eth0 >"$dh/out" 2>&1 &
DHPID=$!
KK_PIDS+=("$DHPID")
if kk_wait_for 20 grep -q '"fqdn":"dh6.example.org."' "$ncr_kk"; then
    addr=$(grep -o '"fqdn":"dh6.example.org.","ip-address":"[^"]*"' "$ncr_kk" | head -n 1 | sed 's/.*"ip-address":"//; s/"$//')
    kk_pass "NCR add for dhclient's name and address ($addr)"
    kk_assert_match "the add has both directions" '"change-type":0,"forward-change":true,"reverse-change":true,"fqdn":"dh6.example.org."' "$(cat "$ncr_kk")"
    kk_assert_eq "lease file: dhclient's row" "dh6.example.org.,1,1" "$(row "$addr")"
    kk_kill_pid "$DHPID" 2
    ip netns exec "$PR" timeout 20 dhclient -6 -r -v -cf "$dh/dhclient6.conf" -lf "$dh/leases" -pf "$dh/pid2" \
        -sf /bin/true eth0 >>"$dh/out" 2>&1
    kk_wait_for 5 grep -q '"change-type":1,[^}]*"fqdn":"dh6.example.org."' "$ncr_kk" || true
    kk_assert_match "NCR remove after dhclient's Release" \
        "\"change-type\":1,\"forward-change\":true,\"reverse-change\":true,\"fqdn\":\"dh6.example.org.\",\"ip-address\":\"$addr\"" \
        "$(cat "$ncr_kk")"
else
    kk_fail "no NCR for dhclient -6 within 20 s: $(tail -n 5 "$dh/out")"
fi
kk_assert "no malformed datagram" bash -c "! grep -q '^BAD' '$ncr_kk'"
kk_server_stop || kk_fail "kakapo did not stop"
kk_kill_pid "$LPID" 2
kk_out=$KK_SERVER_OUT

# ---- 3. the same exchanges with Kea 2.2
ncr_kea="$KK_WORK/ncr-kea.jsonl"
kk_rerun_with_kea kea-dhcp6 "$conf" "$ncr_kea"
same=$("$KK_PY" - "$ncr_kk" "$ncr_kea" "$KK_WORK/probe-kakapo.out" "$KK_WORK/probe-kea.out" <<'EOF'
import json, sys
def ncrs(p):
    return [[(k, v) for k, v in json.loads(l, object_pairs_hook=list) if k != "lease-expires-on"] for l in open(p)]
kk, kea = ncrs(sys.argv[1])[:7], ncrs(sys.argv[2])
problems = []
if kk != kea: problems.append("NCRs differ: kakapo %s / kea %s" % (kk, kea))
def names(p):
    out = []
    for l in open(p):
        r = json.loads(l)
        out.append((r["step"], (r["reply"] if isinstance(r["reply"], dict) else {}).get("options", {}).get("39")))
    return out
a, b = names(sys.argv[3]), names(sys.argv[4])
if a != b: problems.append("option 39 differs: kakapo %s / kea %s" % (a, b))
print("; ".join(problems) if problems else "same")
EOF
)
kk_assert_eq "Kea 2.2: the same NCRs (but lease-expires-on) and the same option 39 in every reply" same "$same"
fqdnlog() {   # fqdnlog SERVER-OUT : the probe's DHCP6_DDNS_RECEIVE_FQDN / _RESPONSE_FQDN_DATA lines from the ID on
    grep -E 'DHCP6_DDNS_(RECEIVE_FQDN|RESPONSE_FQDN_DATA) .*tid=0x6b' "$1" | sed -E 's/^.*(DHCP6_DDNS_[A-Z_]+ )/\1/'
}
kk_assert_eq "Kea 2.2: the same DHCP6_DDNS_RECEIVE_FQDN and DHCP6_DDNS_RESPONSE_FQDN_DATA lines" \
    "$(fqdnlog "$KK_SERVER_OUT")" "$(fqdnlog "$kk_out")"
kk_assert "those lines were logged" grep -q 'DHCP6_DDNS_RESPONSE_FQDN_DATA .*domain-name=.laptop.example.org.' "$kk_out"
kk_assert_eq "Kea 2.2: the same lease6-resend-ddns answer" "$(cat "$KK_WORK/more-kea.out.resend")" "$(cat "$KK_WORK/more-kakapo.out.resend")"
kk_finish
