#!/usr/bin/env bash
# Crash safety under load: nothing acknowledged is lost.
#
# kakapo-sim load drives the server as a relay (giaddr 192.0.2.2) and appends "address mac
# expiry" for every DHCPACK it receives (--acks; expiry = arrival second + lease time).  Meanwhile the server is killed with SIGKILL at
# random moments (seeded by KC_SEED, logged) and restarted at once on the same lease file,
# KC_KILLS times.  After the load ends and a clean stop, every ACKed (address, mac) must be
# the current lease of that address in the file, held by that MAC, not released, and expiring
# no earlier than the last ACK for it promised (5 s slack for second rounding: a lost row of
# a client's later DORA would be 10 s or more short); no address may have been ACKed to two
# MACs, and no MAC two addresses (a restarted server that forgot a lease gives a new one).  The load tool never releases, and valid-lifetime
# (3600 s) is far beyond the run, so no lease may legitimately have gone.  Every restart
# must load the file without a bad row.
#
#   KC_SEED=N     kill schedule seed (default: the clock); KC_KILLS=N (default 8)
#   KC_RATE=N     DORAs started per second (default 300; 3,000 clients, so each MAC starts
#                 a DORA again every 10 s and the server is busy more of the time a kill hits)
#   KAKAPO_SIM=path   default <repo>/.build/debug/kakapo-sim
#   KC_FAMILY=6   the same for kakapo-dhcp6 (test_crash_kill6.sh): kakapo-sim load -6 --pd asks
#                 for an address and a /56 prefix per DUID through a relay; "address duid"
#                 and "prefix duid" pairs take the place of "address mac"
#   KAKAPO_DHCP6=path   default <repo>/.build/debug/kakapo-dhcp6
. "$(dirname "$0")/lib.sh"
family=${KC_FAMILY:-4}
if [ "$family" = 6 ]; then kk_init6; else kk_init; fi
kk_need_sim
seed=${KC_SEED:-$(( $(date +%s) % 100000 ))}
kills=${KC_KILLS:-8}
RANDOM=$seed
echo "    kill schedule seed $seed (KC_SEED=$seed to replay), $kills kills"

if [ "$family" = 6 ]; then
    kk_relay6_setup
    load_args=(-6 --pd --server 2001:db8:1::1 --relay-address 2001:db8:1::2)
else
    LOGGERS_JSON='[ { "name": "kea-dhcp4", "output_options": [ { "output": "stdout" } ], "severity": "WARN", "debuglevel": 0 } ]' kk_relay_setup 20
    load_args=(--server 192.0.2.1 --relay-address 192.0.2.2)
fi
acks="$KK_WORK/acks.txt"
: >"$acks"
kk_server_start_ready "$conf"

# Load for longer than the kill phase: 3,000 clients (the pool has 4,081 addresses) at
# KC_RATE/s, so each MAC starts a DORA again after 3000/KC_RATE s (a restarted server must
# give it the address it already holds). Each kill comes 1-4 s after the previous restart was
# ready, and a restart takes a second or more on a loaded machine: 6 s per kill keeps the load
# running through the last kill (with 4 s it ended first once in CI).
rate=${KC_RATE:-300} clients=3000 seconds=$(( kills * 6 + 10 ))
timeout $((seconds + 30)) ip netns exec "$rns" "$sim" load "${load_args[@]}" \
    --rate $rate --clients $clients --duration $seconds --timeout-ms 500 --seed "$seed" --json --acks "$acks" \
    >"$KK_WORK/sim.json" 2>"$KK_WORK/sim.err" &
simpid=$!
KK_PIDS+=("$simpid")

sleep 2
done_kills=0
for ((k = 1; k <= kills; k++)); do
    # 1.0 .. 4.0 s after the previous restart was ready
    ms=$(( 1000 + RANDOM % 3001 ))
    sleep "$(awk -v m=$ms 'BEGIN { printf "%.3f", m / 1000 }')"
    kill -0 "$simpid" 2>/dev/null || { kk_log "load ended before kill $k"; break; }
    pid=$KK_SERVER_PID
    [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$(basename "$KK_SERVER_BIN" | cut -c1-15)" ] \
        || kk_die "pid $pid is not the server ($(cat "/proc/$pid/comm" 2>/dev/null))"
    kill -KILL "$pid"
    wait "$pid" 2>/dev/null
    done_kills=$((done_kills + 1))
    echo "    kill $k: SIGKILL pid $pid after ${ms} ms; $(wc -l <"$acks") ACKs seen so far, lease file $(wc -l <"$csv") lines"
    kk_server_start_ready "$conf"
done
wait "$simpid"
src=$?
kk_assert_eq "SIGKILLs delivered" "$kills" "$done_kills"
kk_assert "server alive at the end of the load" kk_server_alive
kk_server_stop || kk_fail "server did not stop on SIGTERM"
[ -s "$KK_WORK/sim.err" ] && sed 's/^/    kakapo-sim(stderr)| /' "$KK_WORK/sim.err" | head -5
"$KK_PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); x=d["exchanges"]
print("    kakapo-sim: exit %s, exchanges %d/%d, %s, drops %d" % (sys.argv[2], d["dora_completed"], d["dora_started"],
  ", ".join("%s %d/%d" % (k, v["received"], v["sent"]) for k, v in x.items()), d["drops"]["total"]))' "$KK_WORK/sim.json" "$src" \
    || kk_fail "kakapo-sim wrote no JSON report (exit $src)"

bad=$(cat "$KK_WORK"/server-*.out | grep -c 'DHCPSRV_MEMFILE_LEASE_LOAD_ROW_ERROR')
kk_assert_eq "restarts loaded the lease file without a bad row" 0 "$bad"
loaded=$(grep -h 'DHCPSRV_MEMFILE_LEASE_FILE_LOAD' "$KK_WORK"/server-*.out | tail -n1)
[ -n "$loaded" ] && echo "    last load: ${loaded#*DHCPSRV_MEMFILE_LEASE_FILE_LOAD}"

# Every ACK on the wire against the file's final state.
check=$("$KK_PY" - "$acks" "$csv" "$family" <<'PY'
import csv, sys
v6 = sys.argv[3] == "6"
owner = "duid" if v6 else "hwaddr"
acks = []
promised = {}
for l in open(sys.argv[1]):
    f = l.split()
    if len(f) < 2:
        continue
    acks.append((f[0], f[1]))
    if len(f) > 2:
        promised[(f[0], f[1])] = max(promised.get((f[0], f[1]), 0), int(f[2]))
final = {}
malformed = 0
with open(sys.argv[2], newline="") as f:
    rows = list(csv.reader(f))
names = rows[0]
for r in rows[1:]:
    if len(r) != len(names):
        malformed += 1
        continue
    d = dict(zip(names, r))
    # A delegated prefix is acknowledged as "prefix/len"; an address (v4, or v6 IA_NA) bare.
    key = d["address"] + ("/" + d["prefix_len"] if v6 and d["lease_type"] == "2" else "")
    final[key] = d
by_addr, by_mac = {}, {}
for a, m in acks:
    by_addr.setdefault(a, set()).add(m)
    by_mac.setdefault((m, "/" in a), set()).add(a)   # a DUID holds one address and one prefix
lost = []
for (a, m) in sorted({(a, m) for a, m in acks}):
    d = final.get(a)
    if d is None:
        lost.append("%s %s: no row" % (a, m))
    elif d[owner].lower() != m.lower():
        lost.append("%s %s: file says %s %s" % (a, m, owner, d[owner]))
    elif d["valid_lifetime"] == "0" or d["state"] not in ("0",):
        lost.append("%s %s: released/expired row (valid %s state %s)" % (a, m, d["valid_lifetime"], d["state"]))
    elif int(d["expire"]) < promised.get((a, m), 0) - 5:
        lost.append("%s %s: file expires at %s, an ACK promised %d (its row is lost)" % (a, m, d["expire"], promised[(a, m)]))
shared = ["%s -> %s" % (a, ",".join(sorted(ms))) for a, ms in by_addr.items() if len(ms) > 1]
moved = ["%s -> %s" % (m, ",".join(sorted(as_))) for (m, _), as_ in by_mac.items() if len(as_) > 1]
print(len(acks), len({(a, m) for a, m in acks}), len(final), malformed, len(lost), len(shared), len(moved),
      len(promised))
for x in lost[:20]: print("LOST " + x)
for x in shared[:10]: print("SHARED " + x)
for x in moved[:10]: print("MOVED " + x)
PY
)
read -r n_acks n_pairs n_leases malformed n_lost n_shared n_moved n_expiry <<<"$(head -n1 <<<"$check")"
tail -n +2 <<<"$check" | sed 's/^/    /'
echo "    ACKs on the wire $n_acks ($n_pairs distinct address/mac), kills $done_kills, leases in the file $n_leases, ACKed leases checked $n_pairs"
kk_assert_ge "ACKs recorded by kakapo-sim --acks" "${n_acks:-0}" 1000
kk_assert_eq "malformed lease file rows" 0 "$malformed"
kk_assert_eq "every ACKed lease has a promised expiry to check (option 51)" "$n_pairs" "$n_expiry"
kk_assert_eq "ACKed leases missing from the file or expiring before the ACK said (lost after SIGKILL)" 0 "$n_lost"
kk_assert_eq "addresses ACKed to two different MACs" 0 "$n_shared"
kk_assert_eq "MACs ACKed two different addresses (their first lease was forgotten)" 0 "$n_moved"
kk_finish
