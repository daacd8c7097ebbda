#!/usr/bin/env bash
# DDNS in kakapo-dhcp4: option 81 / option 12 in replies and leases, and the name change
# requests (NCRs) sent to the DHCP-DDNS daemon, which here is a python UDP listener on
# 127.0.0.1:53001 in the server's namespace that records each request.
#  1. scripted clients (dhcp4probe.py): option 81 (S=1, partial name), option 12, a RELEASE;
#     the reply's option 81, the lease file's hostname/fqdn columns, the NCRs (add, add,
#     remove) in Kea's wire format: length prefix, JSON keys in Kea's order, DHCID (RFC 4701,
#     SHA-256 over htype+chaddr and the name), TTL a third of the lease;
#  2. a real dhclient sending `fqdn.fqdn` with server updates: an add, then a remove on release;
#     Then a renewal with a new name, a reclaimed expiry, lease4-resend-ddns and lease4-del
#     with update-ddns.
#  3. differential: Kea 2.2's kea-dhcp4 with the same config and the same scripted exchanges:
#     the same NCR JSON (except lease-expires-on) and the same option 81/12 in the replies.
. "$(dirname "$0")/lib.sh"
kk_init
kk_need dhclient
kk_topology eth0 192.0.2.1/24
ip -n "$KK_SRV_NS" link set eth0 address 02:00:00:00:01:01
conf="$KK_WORK/kea-dhcp4.conf"
kk_write_basic_config "$conf" 900 1800 3600 '
    "dhcp-ddns": { "enable-updates": true, "server-ip": "127.0.0.1", "server-port": 53001,
                   "sender-ip": "127.0.0.1", "max-queue-size": 64, "ncr-protocol": "UDP", "ncr-format": "JSON" },
    "ddns-qualifying-suffix": "example.org",
    "min-valid-lifetime": 2, "max-valid-lifetime": 3600,
    "expired-leases-processing": { "reclaim-timer-wait-time": 1, "hold-reclaimed-time": 3600 },
    "hooks-libraries": [ { "library": "/usr/lib/x86_64-linux-gnu/kea/hooks/libdhcp_lease_cmds.so" } ],'

# The listener: one JSON text per line; "BAD ..." for a datagram whose length prefix is wrong.
listener() {   # listener OUTFILE : in the server namespace, stops by itself after 120 s
    ip netns exec "$KK_SRV_NS" timeout 120 "$KK_PY" -c '
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

kk_add_client pr 02:00:00:00:09:99
script="$KK_WORK/probe.script"
cat >"$script" <<'EOF'
# option 81: S=1 E=1, partial name "laptop"
discover mac=02:00:00:00:08:01 req=192.0.2.150 prl=1,3,81 opt81=050000066c6170746f70 expect=DHCPOFFER
request mac=02:00:00:00:08:01 req=192.0.2.150 sid=192.0.2.1 prl=1,3,81 opt81=050000066c6170746f70 expect=DHCPACK
# option 12 "Box"
discover mac=02:00:00:00:08:02 req=192.0.2.151 prl=1,3,12 host=Box expect=DHCPOFFER
request mac=02:00:00:00:08:02 req=192.0.2.151 sid=192.0.2.1 prl=1,3,12 host=Box expect=DHCPACK
# option 81 with N=1: no updates, no request
discover mac=02:00:00:00:08:03 req=192.0.2.152 prl=1,3,81 opt81=0c0000057175696574 expect=DHCPOFFER
request mac=02:00:00:00:08:03 req=192.0.2.152 sid=192.0.2.1 prl=1,3,81 opt81=0c0000057175696574 expect=DHCPACK
release mac=02:00:00:00:08:01 ciaddr=192.0.2.150 sid=192.0.2.1 expect=none
sleep 0.5
EOF
script2="$KK_WORK/probe2.script"
cat >"$script2" <<'EOF'
# the option 12 client renews with another name: remove box, add box2
request mac=02:00:00:00:08:02 ciaddr=192.0.2.151 prl=1,3,12 host=Box2 expect=DHCPACK
# a two-second lease: its name is removed when the lease is reclaimed
discover mac=02:00:00:00:08:04 req=192.0.2.153 prl=1,3,12 host=short opt51=00000002 expect=DHCPOFFER
request mac=02:00:00:00:08:04 req=192.0.2.153 sid=192.0.2.1 prl=1,3,12 host=short opt51=00000002 expect=DHCPACK
EOF
# After the first script: a renewal with a new name, an expiry reclaimed, lease4-resend-ddns
# and lease4-del with update-ddns (the same for both servers).
more() {   # more OUT
    timeout 60 ip netns exec "${KK_CNS[pr]}" "$KK_PY" "$KK_LIB_DIR/dhcp4probe.py" run "$script2" --ifname eth0 \
        --server-ip 192.0.2.1 --server-mac 02:00:00:00:01:01 --timeout 1 >"$1" 2>"$1.err" \
        || kk_fail "probe failed: $(tail -n 3 "$1.err")"
    sleep 4    # the two-second lease expires; the one-second reclaim timer runs
    kk_ctl lease4-resend-ddns '{"ip-address": "192.0.2.151"}' >"$1.resend"
    kk_ctl lease4-del '{"ip-address": "192.0.2.151", "update-ddns": true}' >"$1.del"
    sleep 0.5
}
probe() {   # probe OUT
    timeout 60 ip netns exec "${KK_CNS[pr]}" "$KK_PY" "$KK_LIB_DIR/dhcp4probe.py" run "$script" --ifname eth0 \
        --server-ip 192.0.2.1 --server-mac 02:00:00:00:01:01 --timeout 1 >"$1" 2>"$1.err" \
        || kk_fail "probe failed: $(tail -n 3 "$1.err")"
}

# ---- 1. kakapo-dhcp4 with the probe
ncr_kk="$KK_WORK/ncr-kakapo.jsonl"
listener "$ncr_kk"
kk_server_start_ready "$conf"
probe "$KK_WORK/probe-kakapo.out"
kk_assert "kakapo's replies are the ones the script expects" "$KK_PY" "$KK_LIB_DIR/dhcp4probe.py" check "$KK_WORK/probe-kakapo.out"
ack81=$("$KK_PY" -c 'import json,sys
for l in open(sys.argv[1]):
    r = json.loads(l)
    if r["step"] == 2: print(r["reply"]["options"].get("81", "none"))' "$KK_WORK/probe-kakapo.out")
kk_assert_eq "ACK's option 81: S=1 E=1, rcodes echoed, laptop.example.org. in wire form" \
    "050000066c6170746f70076578616d706c65036f726700" "$ack81"
csv="$KK_WORK/leases4.csv"
kk_assert_eq "lease file: hostname of the option 81 client" "laptop.example.org." \
    "$(kk_leases "$csv" --mac 02:00:00:00:08:01 --field hostname | head -n 1)"
kk_assert_eq "lease file: fqdn_fwd,fqdn_rev of the option 81 client" "1,1" \
    "$(kk_leases "$csv" --mac 02:00:00:00:08:01 --field fqdn_fwd | head -n 1),$(kk_leases "$csv" --mac 02:00:00:00:08:01 --field fqdn_rev | head -n 1)"
kk_assert_eq "lease file: hostname of the option 12 client" "box.example.org" \
    "$(kk_leases "$csv" --mac 02:00:00:00:08:02 --last --field hostname)"
kk_assert_eq "lease file: N=1 client keeps its name, no directions" "quiet.example.org.,0,0" \
    "$(kk_leases "$csv" --mac 02:00:00:00:08:03 --last --field hostname),$(kk_leases "$csv" --mac 02:00:00:00:08:03 --last --field fqdn_fwd),$(kk_leases "$csv" --mac 02:00:00:00:08:03 --last --field fqdn_rev)"
kk_wait_for 5 bash -c "[ \$(wc -l <'$ncr_kk') -ge 3 ]" || true
check=$("$KK_PY" - "$ncr_kk" <<'EOF'
import hashlib, json, sys
lines = [l.rstrip("\n") for l in open(sys.argv[1])]
keys = ["change-type", "forward-change", "reverse-change", "fqdn", "ip-address", "dhcid",
        "lease-expires-on", "lease-length", "use-conflict-resolution"]
def wire(name):
    return b"".join(bytes([len(l)]) + l.encode() for l in name.rstrip(".").split(".")) + b"\0"
def dhcid(mac, name):
    ident = bytes([1]) + bytes.fromhex(mac.replace(":", ""))
    return "000001" + hashlib.sha256(ident + wire(name)).hexdigest().upper()
want = [(0, "laptop.example.org.", "192.0.2.150", "02:00:00:00:08:01"),
        (0, "box.example.org.", "192.0.2.151", "02:00:00:00:08:02"),
        (1, "laptop.example.org.", "192.0.2.150", "02:00:00:00:08:01")]
problems = []
if len(lines) != len(want):
    problems.append("%d requests, want %d: %s" % (len(lines), len(want), lines))
for line, (ct, fqdn, ip, mac) in zip(lines, want):
    try:
        pairs = json.loads(line, object_pairs_hook=list)
    except ValueError:
        problems.append("not JSON: " + line); continue
    d = dict(pairs)
    if [k for k, _ in pairs] != keys: problems.append("key order " + str([k for k, _ in pairs]))
    exp = {"change-type": ct, "forward-change": True, "reverse-change": True, "fqdn": fqdn, "ip-address": ip,
           "dhcid": dhcid(mac, fqdn), "lease-length": 1200, "use-conflict-resolution": True}
    for k, v in exp.items():
        if d.get(k) != v: problems.append("%s: %s=%r, want %r" % (fqdn, k, d.get(k), v))
    if len(d.get("lease-expires-on", "")) != 14: problems.append("lease-expires-on " + str(d.get("lease-expires-on")))
print("; ".join(problems) if problems else "ok")
EOF
)
kk_assert_eq "NCRs: add laptop, add box, remove laptop (Kea's JSON, DHCID, TTL)" ok "$check"
more "$KK_WORK/more-kakapo.out"
kk_assert_eq "lease4-resend-ddns" '{"result": 0, "text": "NCR generated for: 192.0.2.151, hostname: box2.example.org"}' \
    "$(cat "$KK_WORK/more-kakapo.out.resend")"
seq=$("$KK_PY" -c 'import json,sys
print(" ".join("%s:%s" % ("add" if d["change-type"] == 0 else "remove", d["fqdn"].split(".")[0])
               for d in map(json.loads, open(sys.argv[1]).read().splitlines()[3:])))' "$ncr_kk")
kk_assert_eq "NCRs: renewal with a new name, reclaim, resend, lease4-del update-ddns" \
    "remove:box add:box2 add:short remove:short add:box2 remove:box2" "$seq"

# ---- 2. a real dhclient asking the server to update its A record
kk_add_client dh
KK_DHCLIENT_EXTRA='send fqdn.fqdn "dhc.example.org."; send fqdn.server-update on; send fqdn.encoded on;'
kk_client_start dh dhclient
if kk_client_wait_bound dh 30; then
    kk_pass "dhclient bound to $KK_ADDR"
    kk_wait_for 5 bash -c "grep -q '\"fqdn\":\"dhc.example.org.\"' '$ncr_kk'" || true
    kk_assert_match "NCR add for dhclient's name and address" \
        "\"change-type\":0,\"forward-change\":true,\"reverse-change\":true,\"fqdn\":\"dhc.example.org.\",\"ip-address\":\"$KK_ADDR\"" \
        "$(cat "$ncr_kk")"
    kk_assert_eq "lease file: dhclient's hostname" "dhc.example.org." \
        "$(kk_leases "$csv" --mac "${KK_CMAC[dh]}" --last --field hostname)"
    kk_client_release dh
    kk_wait_for 5 bash -c "grep -q '\"change-type\":1,[^}]*\"fqdn\":\"dhc.example.org.\"' '$ncr_kk'" || true
    kk_assert_match "NCR remove after dhclient's RELEASE" \
        "\"change-type\":1,\"forward-change\":true,\"reverse-change\":true,\"fqdn\":\"dhc.example.org.\",\"ip-address\":\"$KK_ADDR\"" \
        "$(cat "$ncr_kk")"
else
    kk_fail "dhclient got no address within 30 s"
fi
kk_assert "no malformed datagram" bash -c "! grep -q '^BAD' '$ncr_kk'"
kk_server_stop || kk_fail "kakapo did not stop"
kk_kill_pid "$LPID" 2

# ---- 3. the same exchanges with Kea 2.2
ncr_kea="$KK_WORK/ncr-kea.jsonl"
kk_rerun_with_kea kea-dhcp4 "$conf" "$ncr_kea"
same=$("$KK_PY" - "$ncr_kk" "$ncr_kea" "$KK_WORK/probe-kakapo.out" "$KK_WORK/probe-kea.out" <<'EOF'
import json, sys
def ncrs(p):
    out = []
    for l in open(p):
        d = json.loads(l, object_pairs_hook=list)
        out.append([(k, v) for k, v in d if k != "lease-expires-on"])
    return out
kk, kea = ncrs(sys.argv[1])[:9], ncrs(sys.argv[2])
problems = []
if kk != kea: problems.append("NCRs differ: kakapo %s / kea %s" % (kk, kea))
def names(p):
    return [(json.loads(l)["step"], {c: (json.loads(l)["reply"] or {}).get("options", {}).get(c) if isinstance(json.loads(l)["reply"], dict) else None
             for c in ("12", "81")}) for l in open(p)]
a, b = names(sys.argv[3]), names(sys.argv[4])
if a != b: problems.append("option 81/12 differ: kakapo %s / kea %s" % (a, b))
print("; ".join(problems) if problems else "same")
EOF
)
kk_assert_eq "Kea 2.2: the same NCRs (but lease-expires-on) and the same option 81/12 in every reply" same "$same"
kk_assert_eq "Kea 2.2: the same lease4-resend-ddns answer" "$(cat "$KK_WORK/more-kea.out.resend")" "$(cat "$KK_WORK/more-kakapo.out.resend")"
kk_finish
