#!/usr/bin/env bash
# kakapo-sim load -6 against kakapo-dhcp6, as perfdhcp -6 -l would drive it: a relay
# namespace joined to the server's by a veth (2001:db8::/32 only), every virtual client
# (its own DUID) doing Solicit-Advertise then Request-Reply inside Relay-forwards to the
# server's port 547, at a modest offered rate for a few seconds:
#
#   kakapo-sim load -6 --server 2001:db8:1::1 --relay-address 2001:db8:1::2 \
#                   --rate 100 --clients 1000 --duration 3 --json --acks FILE
#   kakapo-sim load -6 ... --link-address 2001:db8:6::1 --pd
#
# The first run's link-address is the relay's own address, which the relayed subnet
# (id 5) names in relay.ip-addresses (chosen over the server's eth0 subnet, whose
# prefix holds that address too); the second's falls in subnet 6's prefix and asks
# for an address and a prefix.  Each run: no drops, every exchange completed, the rate
# near the offered one, and as many leases in the leases6 CSV (in the right subnet) as
# exchanges completed.  The server is restarted with an empty lease file in between.
#
#   KAKAPO_DHCP6=PATH   server binary (default <repo>/.build/debug/kakapo-dhcp6)
#   KAKAPO_SIM=PATH     default <repo>/.build/debug/kakapo-sim
#   LOAD_RATE, LOAD_CLIENTS, LOAD_SECONDS   override 100, 1000, 3
. "$(dirname "$0")/lib.sh"
kk_init6
BIN=$KK_SERVER_BIN
kk_need_sim
rate=${LOAD_RATE:-100}
clients=${LOAD_CLIENTS:-1000}
seconds=${LOAD_SECONDS:-3}

# ---------------------------------------------------------------- topology (IPv6 on)
SRV="$KK_ID-l6srv"
RLY="$KK_ID-l6rly"
kk_netns6_add "$SRV"
kk_netns6_add "$RLY"
ip link add eth0 netns "$SRV" type veth peer name eth0 netns "$RLY" || kk_die "veth"
ip -n "$SRV" addr add 2001:db8:1::1/64 dev eth0 nodad
ip -n "$RLY" addr add 2001:db8:1::2/64 dev eth0 nodad
ip -n "$SRV" link set eth0 up
ip -n "$RLY" link set eth0 up
link_up() { ip -n "$1" link show eth0 | grep -q LOWER_UP; }
kk_wait_for 5 link_up "$SRV" && kk_wait_for 5 link_up "$RLY" || kk_die "veth not up"

kk_server6_files
cat >"$conf" <<EOF
// kakapo-sim load -6 integration test
{
"Dhcp6": {
    "interfaces-config": { "interfaces": [ "eth0" ] },
    "control-socket": { "socket-type": "unix", "socket-name": "$sock" },
    "lease-database": { "type": "memfile", "lfc-interval": 0 },
    "renew-timer": 1000, "rebind-timer": 2000,
    "preferred-lifetime": 3000, "valid-lifetime": 4000,
    "subnet6": [
      { "id": 1, "subnet": "2001:db8:1::/64", "interface": "eth0",
        "pools": [ { "pool": "2001:db8:1::100 - 2001:db8:1::1ff" } ] },
      { "id": 5, "subnet": "2001:db8:5::/64", "relay": { "ip-addresses": [ "2001:db8:1::2" ] },
        "pools": [ { "pool": "2001:db8:5::1:0 - 2001:db8:5::1:ffff" } ] },
      { "id": 6, "subnet": "2001:db8:6::/64",
        "pools": [ { "pool": "2001:db8:6::1:0 - 2001:db8:6::1:ffff" } ],
        "pd-pools": [ { "prefix": "2001:db8:600::", "prefix-len": 40, "delegated-len": 56 } ] }
    ],
    "loggers": [ { "name": "kea-dhcp6", "output_options": [ { "output": "stdout" } ], "severity": "WARN" } ]
}
}
EOF

start_server() {
    : >"$out"
    rm -f "$csv"*
    ip netns exec "$SRV" "$BIN" -c "$conf" >>"$out" 2>&1 &
    KK_SERVER_PID=$!
    KK_PIDS+=("$KK_SERVER_PID")
    local i
    for i in $(seq 1 100); do
        [ -S "$sock" ] && ip netns exec "$SRV" ss -6 -u -l -n | grep -q '\]:547 ' && return 0
        kill -0 "$KK_SERVER_PID" 2>/dev/null || return 1
        sleep 0.1
    done
    return 1
}
stop_server() { rm -f "$sock"; kk_kill_pid "$KK_SERVER_PID" 10; }

# Distinct leases of one type (0 IA_NA, 2 IA_PD) with a non-zero lifetime in one subnet.
leases_in() {
    "$KK_PY" - "$csv" "$1" "$2" <<'PY'
import csv, sys
try: rows = list(csv.DictReader(open(sys.argv[1])))
except FileNotFoundError: rows = []
print(len({r["address"] for r in rows
           if r["subnet_id"] == sys.argv[2] and r["lease_type"] == sys.argv[3] and r["valid_lifetime"] != "0"}))
PY
}
# Leases of subnet $1 outside the range $2 - $3 (addresses compared as integers).
leases_outside() {
    "$KK_PY" - "$csv" "$@" <<'PY'
import csv, ipaddress, sys
lo, hi = int(ipaddress.IPv6Address(sys.argv[3])), int(ipaddress.IPv6Address(sys.argv[4]))
rows = list(csv.DictReader(open(sys.argv[1])))
print(sum(1 for r in rows if r["subnet_id"] == sys.argv[2] and r["lease_type"] == "0"
          and not lo <= int(ipaddress.IPv6Address(r["address"])) <= hi))
PY
}

# run_load NAME ARGS... : one kakapo-sim load -6 run from the relay namespace; sets
# l_rc l_sent l_drops l_started l_done l_rate l_lat (summary) from its JSON report.
run_load() {
    local name=$1; shift
    local jout="$KK_WORK/$name.json" jerr="$KK_WORK/$name.err"
    timeout $((seconds + 30)) ip netns exec "$RLY" "$sim" load -6 --server 2001:db8:1::1 \
        --relay-address 2001:db8:1::2 --rate "$rate" --clients "$clients" --duration "$seconds" \
        --json "$@" >"$jout" 2>"$jerr"
    l_rc=$?
    [ -s "$jerr" ] && sed 's/^/    kakapo-sim(stderr)| /' "$jerr" | head -10
    read -r l_sent l_drops l_started l_done l_rate l_lat <<<"$("$KK_PY" - "$jout" <<'PY'
import json, sys
try:
    d = json.load(open(sys.argv[1]))
except Exception:
    print("0 -1 0 0 0 -"); sys.exit(0)
x = d["exchanges"]
sa, rr = x["SOLICIT-ADVERTISE"], x["REQUEST-REPLY"]
lat = d["dora_latency_ms"]
print(sa["sent"], d["drops"]["total"], d["dora_started"], d["dora_completed"], d["exchanges_per_second"],
      "SA p50=%s/p99=%s RR p50=%s/p99=%s SARR p50=%s/p99=%s/max=%s" % (
          sa["latency_ms"].get("p50"), sa["latency_ms"].get("p99"),
          rr["latency_ms"].get("p50"), rr["latency_ms"].get("p99"),
          lat.get("p50"), lat.get("p99"), lat.get("max")))
PY
)"
    echo "    kakapo-sim load -6 ($name): exit $l_rc, SOLICITs $l_sent, drops $l_drops, SARR $l_done/$l_started, rate $l_rate/s"
    kk_note "$name latency ms: $l_lat"
}

expected=$(awk -v r="$rate" -v p="$seconds" 'BEGIN { printf "%d", r * p * 0.9 }')
near_rate() { awk -v a="$1" -v r="$rate" 'BEGIN { exit !(a >= 0.8 * r) }'; }

echo "== address only, subnet by relay.ip-addresses"
start_server || kk_die "kakapo-dhcp6 did not start"
acks="$KK_WORK/acks6"
run_load na --acks "$acks"
kk_assert_eq "exit status (0 = every exchange completed)" 0 "$l_rc"
kk_assert_eq "no drops" 0 "$l_drops"
kk_assert_ge "SOLICITs sent (${seconds} s at ${rate}/s)" "$l_sent" "$expected"
kk_assert_gt "exchanges completed" "$l_done" 0
kk_assert_eq "every exchange started completed" "$l_started" "$l_done"
kk_assert "rate near the offered $rate/s ($l_rate/s >= 80%)" near_rate "$l_rate"
kk_assert "server alive after the load" kill -0 "$KK_SERVER_PID"
kk_assert_eq "IA_NA leases in subnet 5 (relay.ip-addresses) = exchanges completed" "$l_done" "$(leases_in 5 0)"
kk_assert_eq "no lease in the server's own subnet 1" 0 "$(leases_in 1 0)"
kk_assert_eq "every lease from subnet 5's pool" 0 "$(leases_outside 5 2001:db8:5::1:0 2001:db8:5::1:ffff)"
kk_assert_eq "--acks: one line per bound address" "$l_done" "$(wc -l <"$acks" 2>/dev/null | tr -d ' ')"
missing=$("$KK_PY" - "$acks" "$csv" <<'PY'
import csv, sys
leased = {r["address"] for r in csv.DictReader(open(sys.argv[2]))}
print(sum(1 for line in open(sys.argv[1]) if line.split()[0] not in leased))
PY
)
kk_assert_eq "--acks addresses are all in the leases6 file" 0 "$missing"
stop_server

echo "== address and prefix, subnet by link-address prefix"
start_server || kk_die "kakapo-dhcp6 did not restart"
run_load pd --link-address 2001:db8:6::1 --pd
kk_assert_eq "exit status (0 = every exchange completed)" 0 "$l_rc"
kk_assert_eq "no drops" 0 "$l_drops"
kk_assert_ge "SOLICITs sent (${seconds} s at ${rate}/s)" "$l_sent" "$expected"
kk_assert_eq "every exchange started completed" "$l_started" "$l_done"
kk_assert "rate near the offered $rate/s ($l_rate/s >= 80%)" near_rate "$l_rate"
kk_assert_eq "IA_NA leases in subnet 6 (link-address prefix) = exchanges completed" "$l_done" "$(leases_in 6 0)"
kk_assert_eq "IA_PD leases in subnet 6 = exchanges completed" "$l_done" "$(leases_in 6 2)"
kk_assert_eq "no lease in subnet 5 this time" 0 "$(leases_in 5 0)"
kk_assert "server alive after the load" kill -0 "$KK_SERVER_PID"
stop_server

kk_finish
