#!/usr/bin/env bash
# Wall-clock steps, without touching the host clock: the server runs under libfaketime
# (LD_PRELOAD, faketime package) with only CLOCK_REALTIME faked (FAKETIME_DONT_FAKE_MONOTONIC)
# and its offset read from a FAKETIME_TIMESTAMP_FILE that the test rewrites while the server
# runs (FAKETIME_NO_CACHE: read on every call).  CLOCK_REALTIME is global, so this is the
# only safe way: nothing outside the server process sees the fake time.
#
# valid-lifetime 3600 s, reclaim-timer-wait-time 1 s, hold-reclaimed-time 86400 s (reclaimed
# leases are kept with state 2 and never flushed during the test).  Two clients A and B,
# scripted at layer 2 (dhcp4probe.py) on the server's link.
#   offset +0      A and B get leases (expire = real + 1 h)
#   offset -3h     the step is noticed (DHCP4_CLOCK_STEPPED_BACK); A's renewal (REQUEST with
#                  ciaddr) is ACKed with the same address; B's lease is not reclaimed; a new
#                  client C gets neither address
#   offset +30m    B (expires real + 1 h) is still not reclaimed; A, renewed at real - 3 h,
#                  expired at real - 2 h: reclaimed (state 2, reclaimed-leases counts it)
#   offset +2h     B is reclaimed too
. "$(dirname "$0")/lib.sh"
kk_init
kk_faketime_setup
kk_topology eth0 192.0.2.1/24
SRV_MAC=02:00:00:00:01:01
ip -n "$KK_SRV_NS" link set eth0 address "$SRV_MAC"
conf="$KK_WORK/kea-dhcp4.conf"
csv="$KK_WORK/leases4.csv"
kk_write_basic_config "$conf" 900 1800 3600 \
    '"expired-leases-processing": { "reclaim-timer-wait-time": 1, "hold-reclaimed-time": 86400, "flush-reclaimed-timer-wait-time": 0 },'

kk_server_start_ready "$conf"

kk_add_client probe 02:00:00:00:00:aa
pns=${KK_CNS[probe]}
A=02:00:00:00:0a:01 B=02:00:00:00:0b:01 C=02:00:00:00:0c:01
n=0
# probe SCRIPT-LINES... : run dhcp4probe; prints "TYPE YIADDR" per step ("none -" for silence)
probe() {
    n=$((n + 1))
    printf '%s\n' "$@" >"$KK_WORK/probe-$n.script"
    timeout 30 ip netns exec "$pns" "$KK_PY" "$KK_LIB_DIR/dhcp4probe.py" run "$KK_WORK/probe-$n.script" \
        --ifname eth0 --server-ip 192.0.2.1 --server-mac "$SRV_MAC" --timeout 2 2>>"$KK_WORK/probe.err" \
        | "$KK_PY" -c 'import json,sys
for l in sys.stdin:
    r = json.loads(l)["reply"]
    print("none -" if not isinstance(r, dict) else "%s %s" % (r["type"], r["yiaddr"]))'
}
state() { kk_ctl lease4-get "{\"ip-address\": \"$1\"}" | kk_json 'd["arguments"]["state"] if d["result"] == 0 else "none"'; }
dora() { probe "discover mac=$1" "request mac=$1 req=@yiaddr sid=@sid" | tail -n1; }

read -r t a <<<"$(dora $A)"; kk_assert_eq "A: DORA at offset +0" DHCPACK "$t"
read -r t b <<<"$(dora $B)"; kk_assert_eq "B: DORA at offset +0" DHCPACK "$t"
kk_assert_ne "A and B have different addresses" "$a" "$b"
echo "    A=$a B=$b"

kk_clock_step -3h
kk_assert_match "server noticed the backward step" 'DHCP4_CLOCK_STEPPED_BACK.*-10[78][0-9][0-9] s' "$(cat "$KK_SERVER_OUT")"
read -r t ra <<<"$(probe "request mac=$A ciaddr=$a to=server")"
kk_assert_eq "A renews after the backward step: DHCPACK" DHCPACK "$t"
kk_assert_eq "A renews after the backward step: same address" "$a" "$ra"
kk_assert_eq "B (not renewed) not reclaimed after the backward step" 0 "$(state "$b")"
read -r t c <<<"$(dora $C)"
kk_assert_eq "C: DORA after the backward step" DHCPACK "$t"
kk_assert "C got neither A's nor B's address ($c)" test "$c" != "$a" -a "$c" != "$b"
real=$(date +%s)
exp_a=$(kk_leases "$csv" --mac "$A" --last --field expire)
kk_assert "A's renewed lease expires one valid-lifetime after the stepped clock (expire $exp_a ~ real $real - 3 h + 1 h)" \
    test "$exp_a" -ge $((real - 7200 - 30)) -a "$exp_a" -le $((real - 7200 + 30))
rec0=$(kk_stat reclaimed-leases)

kk_clock_step +30m
kk_assert_eq "B (expires real + 1 h) not reclaimed at real + 30 min" 0 "$(state "$b")"
kk_assert_eq "C (ACKed at real - 3 h, expired at real - 2 h) reclaimed at real + 30 min" 2 "$(state "$c")"
kk_assert_eq "A (renewed at real - 3 h, expired at real - 2 h) reclaimed at real + 30 min" 2 "$(state "$a")"
kk_assert_ge "reclaimed-leases counts A and C" "$(kk_stat reclaimed-leases)" $((rec0 + 2))

kk_clock_step +2h
kk_assert_eq "B reclaimed once real + 2 h is past its expiry" 2 "$(state "$b")"
kk_assert_eq "the lease file's last row for B has state 2 (expired-reclaimed)" 2 \
    "$(kk_leases "$csv" --mac "$B" --last --field state)"
kk_assert "server alive" kk_server_alive
kk_finish
