#!/usr/bin/env bash
# A DISCOVER flood from random MACs: offers are not leases, and memory stays bounded.
#
#   perfdhcp -4 -l 192.0.2.2 -i -r KC_FLOOD_RATE -R 1000000 -p KC_FLOOD_SECONDS 192.0.2.1
#
# (-i: DISCOVER-OFFER only, relayed, MACs drawn at random from a million.)  The daemon's
# VmRSS is sampled every 0.5 s from /proc/PID/status.  Checked:
#   - offers are not leases: the lease file gains no row, lease4-get-all is empty, and
#     afterwards a normal relayed DORA still gets addresses (the pool, 4,081 addresses, is far
#     smaller than the number of MACs that were offered one: offers reserve nothing);
#   - RSS bounded: growth from before the flood to its peak stays under 16 MiB, and from the
#     end of the flood's first third to the end under 4 MiB (a per-DISCOVER leak of even
#     ~150 bytes would grow linearly by more than that over the remaining two thirds;
#     measured on the debug build: flat, about 15 MiB throughout);
#   - the server is alive and counted the DISCOVERs.
#   KC_FLOOD_RATE (default 3000/s), KC_FLOOD_SECONDS (default 15)
#
# KC_FAMILY=6 (test_solicit_flood6.sh): the same for kakapo-dhcp6, a relayed Solicit flood
# (perfdhcp -6 -l eth0 -A1 -i, DUIDs from a million) through kk_relay6_setup's relay, with
# Advertises that are not leases (lease6-get-all empty, no row), then 50 normal relayed
# exchanges that bind.
. "$(dirname "$0")/lib.sh"
family=${KC_FAMILY:-4}
if [ "$family" = 6 ]; then kk_init6; else kk_init; fi
kk_need perfdhcp
rate=${KC_FLOOD_RATE:-3000}
seconds=${KC_FLOOD_SECONDS:-15}
if [ "$family" = 6 ]; then
    kk_relay6_setup
    perf=(perfdhcp -6 -l eth0 -A1)
    server=2001:db8:1::1
    counter=pkt6-solicit-received
    rows() { "$KK_PY" -c 'import csv,sys
try: print(sum(1 for _ in csv.DictReader(open(sys.argv[1]))))
except FileNotFoundError: print(0)' "$csv"; }
else
    LOGGERS_JSON='[ { "name": "kea-dhcp4", "output_options": [ { "output": "stdout" } ], "severity": "WARN", "debuglevel": 0 } ]' kk_relay_setup 20
    perf=(perfdhcp -4 -l 192.0.2.2)
    server=192.0.2.1
    counter=pkt4-discover-received
    rows() { kk_leases "$csv" --count; }
fi
kk_server_start_ready "$conf"
rss() { awk '/^VmRSS:/ { print $2 }' "/proc/$KK_SERVER_PID/status" 2>/dev/null; }

rows0=$(rows)
rss0=$(rss)
samples="$KK_WORK/rss.txt"
: >"$samples"
out="$KK_WORK/perfdhcp-flood.out"
timeout $((seconds + 30)) ip netns exec "$rns" "${perf[@]}" -i -r "$rate" -R 1000000 \
    -p "$seconds" "$server" >"$out" 2>&1 &
ppid=$!
KK_PIDS+=("$ppid")
t0=$(date +%s%N)
while kill -0 "$ppid" 2>/dev/null; do
    r=$(rss); [ -n "$r" ] || break
    echo "$(( ($(date +%s%N) - t0) / 1000000 )) $r" >>"$samples"
    sleep 0.5
done
wait "$ppid"
prc=$?
sed 's/^/    perfdhcp| /' "$out" | grep -E 'sent packets|received packets|drops:|Rate:|Error|error' | head -8
read -r sent_d recv_o _ _ drops _ <<<"$("$KK_PY" "$KK_LIB_DIR/perfdhcp_parse.py" "$out")"
kk_assert "server alive after the flood" kk_server_alive
kk_assert_ge "DISCOVERs/Solicits sent (${seconds} s at ${rate}/s, at least 60%)" "$sent_d" $(( rate * seconds * 6 / 10 ))
kk_assert_ge "OFFERs/Advertises received (at least half of them)" "$recv_o" $(( sent_d / 2 ))
counted=$(kk_stat $counter)
kk_assert_ge "$counter counts the flood" "$counted" "$recv_o"
kk_assert_eq "offers are not leases: lease file rows before/after the flood" "$rows0" "$(rows)"
kk_assert_eq "offers are not leases: lease${family}-get-all" 0 \
    "$(kk_ctl lease${family}-get-all | kk_json 'len(d.get("arguments", {}).get("leases", []))')"

# RSS: before, peak, after the first third, end.
read -r n peak third last <<<"$(awk -v T=$(( seconds * 1000 / 3 )) '{ n++; if ($2 > p) p = $2; if ($1 <= T) t = $2; l = $2 }
    END { printf "%d %d %d %d", n, p, t, l }' "$samples")"
echo "    VmRSS kB: before $rss0, after 1/3 of the flood $third, peak $peak, end $last ($n samples)"
kk_assert_ge "RSS samples taken" "$n" $(( seconds ))
kk_assert "RSS growth before -> peak under 16 MiB ($(( (peak - rss0) / 1024 )) MiB)" \
    test $(( peak - rss0 )) -lt $(( 16 * 1024 ))
kk_assert "RSS growth over the last two thirds of the flood under 4 MiB ($(( (last - third) / 1024 )) MiB)" \
    test $(( last - third )) -lt $(( 4 * 1024 ))

# The pool was not used up by the offers: a normal relayed DORA for 50 clients.
pout="$KK_WORK/perfdhcp-dora.out"
timeout 30 ip netns exec "$rns" "${perf[@]}" -r 50 -R 50 -n 50 "$server" >"$pout" 2>&1
read -r _ _ sent_r recv_a _ _ <<<"$("$KK_PY" "$KK_LIB_DIR/perfdhcp_parse.py" "$pout")"
kk_assert_ge "after the flood: ACKs for a normal DORA (50 clients)" "$recv_a" 45
# Every ACK perfdhcp saw has its row; an ACK that reached perfdhcp after its drop time has a
# row too, so the rows lie between the ACKs seen and the 50 clients that asked.
n_rows=$(rows)
kk_assert_ge "after the flood: a lease row for every ACK" "$n_rows" "$recv_a"
kk_assert "after the flood: no more lease rows than the 50 clients ($n_rows)" test "$n_rows" -le 50
kk_finish
