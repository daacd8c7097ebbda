#!/usr/bin/env bash
# kakapo-dhcp4 on a PostgreSQL lease database (Kea's "lease-database": { "type": "postgresql" })
# made by Kea 2.2's own kea-admin (schema 13.0), in a private PostgreSQL server:
#   - leases granted (scripted clients at layer 2, and perfdhcp as a relay) are rows of lease4
#     with the ACKed address, hwaddr and expiry; lease4_stat (Kea's triggers) agrees with them,
#     and so do the server's address gauges;
#   - a row inserted by hand for a client's MAC (another server's lease) is honoured: the client
#     is offered that address;
#   - lease4-get / -get-all / -del answer from and write to the database; lease4-write refuses;
#   - PostgreSQL stopped: Kea's reconnect lines, no ACK while it is down (stop-retry-exit),
#     serving again after it is back; the tries exhausted: the daemon exits (status 1) as Kea;
#   - a schema version it does not know (99.0) is refused at start-up with Kea's wording.
. "$(dirname "$0")/lib.sh"
kk_init
kk_need perfdhcp kea-admin
kk_pg_start
kk_pg_kea_db keadb
sql() { kk_pg_psql keadb -At -c "$1"; }

kk_relay_setup 20
SRV_MAC=02:00:00:00:01:01
ip -n "$KK_SRV_NS" link set eth0 address "$SRV_MAC"
db="{ \"type\": \"postgresql\", \"name\": \"keadb\", \"host\": \"$KK_PG_HOST\", \"port\": $KK_PG_PORT, \"user\": \"kea\", \"password\": \"secret-kea\", \"max-reconnect-tries\": 10, \"reconnect-wait-time\": 1000, \"on-fail\": \"stop-retry-exit\" }"
sed -i "s|\"lease-database\": {[^}]*}|\"lease-database\": $db|" "$conf"
sed -i 's|"valid-lifetime": 3600,|"valid-lifetime": 3600, "expired-leases-processing": { "reclaim-timer-wait-time": 1 },|' "$conf"
grep -q '"type": "postgresql"' "$conf" && grep -q '"reclaim-timer-wait-time": 1' "$conf" \
    || kk_die "the config does not name the PostgreSQL lease database"
# Kea's role kea has password kea; over the unix socket the test server trusts every user.
kk_server_start_ready "$conf"
out0=$KK_SERVER_OUT
kk_assert_match "DHCPSRV_PGSQL_DB logged with the connection parameters" \
    'DHCPSRV_PGSQL_DB opening PostgreSQL lease database: .*name=keadb.*type=postgresql.*user=kea' "$(cat "$out0")"
kk_assert "the password is not logged" bash -c "! grep -q secret-kea '$out0'"

kk_add_client probe 02:00:00:00:00:aa
pns=${KK_CNS[probe]}
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
dora() { probe "discover mac=$1" "request mac=$1 req=@yiaddr sid=@sid" | tail -n1; }
ip2int() { local IFS=.; set -- $1; echo $(( ($1 << 24) + ($2 << 16) + ($3 << 8) + $4 )); }
row() { sql "SELECT encode(hwaddr, 'hex'), extract(epoch from expire)::bigint, state FROM lease4 WHERE address = $(ip2int "$1")"; }

# 1. A client's lease is a row: address, hwaddr, expiry (valid-lifetime 3600).
A=02:00:00:00:0a:01
before=$(date +%s)
read -r t a <<<"$(dora $A)"
after=$(date +%s)
kk_assert_eq "A: DORA" DHCPACK "$t"
IFS='|' read -r hw exp st <<<"$(row "$a")"
kk_assert_eq "A's row in lease4: hwaddr" 02000000 "${hw:0:8}"
kk_assert_eq "A's row in lease4: the whole hwaddr" 020000000a01 "$hw"
kk_assert "A's row in lease4: expire = ACK time + 3600 ($exp in [$before, $after] + 3600)" \
    test "$exp" -ge $((before + 3600)) -a "$exp" -le $((after + 3600))
kk_assert_eq "A's row in lease4: state 0" 0 "$st"

# 2. Another server's lease (a row inserted by hand after start-up) is honoured.
H=02:00:00:00:0d:01
sql "INSERT INTO lease4 (address, hwaddr, client_id, valid_lifetime, expire, subnet_id, fqdn_fwd, fqdn_rev, hostname, state)
     VALUES ($(ip2int 192.0.2.150), '\\x020000000d01', NULL, 3600, now() + interval '1 hour', 1, false, false, '', 0)" >/dev/null
read -r t h <<<"$(probe "discover mac=$H")"
kk_assert_eq "H (a row made by another server): offered" DHCPOFFER "$t"
kk_assert_eq "H is offered the address of its row" 192.0.2.150 "$h"
read -r t h <<<"$(dora $H)"
kk_assert_eq "H: DORA keeps its address" "DHCPACK 192.0.2.150" "$t $h"
# A row another server holds for another client is not offered to a new one.
sql "INSERT INTO lease4 (address, hwaddr, valid_lifetime, expire, subnet_id, fqdn_fwd, fqdn_rev, hostname, state)
     SELECT a, '\\x02ffffffff01', 3600, now() + interval '1 hour', 1, false, false, '', 0
     FROM generate_series($(ip2int 192.0.2.100), $(ip2int 192.0.2.140)) a
     ON CONFLICT (address) DO NOTHING" >/dev/null
read -r t g <<<"$(dora 02:00:00:00:0e:01)"
kk_assert_eq "G: DORA while other servers hold .100-.140" DHCPACK "$t"
gi=$(ip2int "$g")
kk_assert "G's address ($g) is none of the rows other servers hold" test "$gi" -gt "$(ip2int 192.0.2.140)" -a "$g" != 192.0.2.150
kk_assert_eq "G's row names G" 020000000e01 "$(sql "SELECT encode(hwaddr, 'hex') FROM lease4 WHERE address = $gi")"

# 2b. Reclamation: an expired row another server left, once the view holds it (lease commands read
# the whole table), is reclaimed in the database (state 2, conditional on its expiry).
sql "INSERT INTO lease4 (address, hwaddr, valid_lifetime, expire, subnet_id, fqdn_fwd, fqdn_rev, hostname, state)
     VALUES ($(ip2int 192.0.2.199), '\\x020000000e99', 3600, to_timestamp($(($(date +%s) - 30))), 1, false, false, '', 0)" >/dev/null
kk_ctl lease4-get-all >/dev/null
reclaimed() { [ "$(sql "SELECT state FROM lease4 WHERE address = $(ip2int 192.0.2.199)")" = 2 ]; }
kk_assert "an expired row is reclaimed in the database (state 2)" kk_wait_for 5 reclaimed

# 3. perfdhcp as a relay: every exchange completes, every lease is a row.
out="$KK_WORK/perfdhcp.out"
timeout 40 ip netns exec "$rns" perfdhcp -4 -l 192.0.2.2 -r 100 -R 1000 -p 5 -W 1000000 -s 1 192.0.2.1 >"$out" 2>&1
rc=$?
sed 's/^/    perfdhcp| /' "$out" | grep -E 'sent packets|received packets|drops|Rate:|rejected|Error|error' | head -12
kk_assert_eq "perfdhcp exit status (0 = every exchange completed)" 0 "$rc"
read -r sent_d recv_o sent_r recv_a drops _ <<<"$("$KK_PY" "$KK_LIB_DIR/perfdhcp_parse.py" "$out")"
kk_assert_ge "DISCOVERs sent (5 s at 100/s)" "$sent_d" 400
kk_assert_eq "ACKs received = REQUESTs sent" "$sent_r" "$recv_a"
rows2=$(sql "SELECT count(*) FROM lease4 WHERE subnet_id = 2")
kk_assert_ge "lease4 rows in the relayed subnet" "$rows2" 400
kk_assert_eq "one row per distinct client (hwaddr) in subnet 2" "$rows2" "$(sql "SELECT count(DISTINCT hwaddr) FROM lease4 WHERE subnet_id = 2")"
kk_assert_eq "lease4_stat (Kea's triggers: assigned and declined) agrees with the rows" \
    "$(sql "SELECT subnet_id, state, count(*) FROM lease4 WHERE state IN (0, 1) GROUP BY 1, 2 ORDER BY 1, 2" | tr '\n' ' ')" \
    "$(sql "SELECT subnet_id, state, leases FROM lease4_stat WHERE leases > 0 ORDER BY 1, 2" | tr '\n' ' ')"
kk_assert_eq "the server's subnet[2].assigned-addresses = the rows" "$rows2" "$(kk_stat 'subnet[2].assigned-addresses')"

# 4. Lease commands read and write the database.
all=$(kk_ctl lease4-get-all)
kk_assert_eq "lease4-get-all: every row" "$(sql "SELECT count(*) FROM lease4")" "$(echo "$all" | kk_json 'len(d["arguments"]["leases"])')"
kk_assert_eq "lease4-get of A's address: A's MAC" "$A" \
    "$(kk_ctl lease4-get "{\"ip-address\": \"$a\"}" | kk_json 'd["arguments"]["hw-address"]')"
sql "UPDATE lease4 SET hostname = 'set-by-other' WHERE address = $(ip2int 192.0.2.150)" >/dev/null
kk_assert_eq "lease4-get sees another server's change" set-by-other \
    "$(kk_ctl lease4-get '{"ip-address": "192.0.2.150"}' | kk_json 'd["arguments"]["hostname"]')"
kk_assert_eq "lease4-del of A's lease" 0 "$(kk_ctl lease4-del "{\"ip-address\": \"$a\"}" | kk_json 'd["result"]')"
kk_assert_eq "A's row is gone from lease4" "" "$(row "$a")"
kk_assert_eq "lease4-write refuses on PostgreSQL" 1 \
    "$(kk_ctl lease4-write "{\"filename\": \"$KK_WORK/dump.csv\"}" | kk_json 'd["result"]')"

# 4b. Two servers on one database race for the same pool: a second kakapo-dhcp4 (192.0.2.3, its own
# namespace, PID file and control socket) and two relays (192.0.2.2 -> server 1, 192.0.2.4 ->
# server 2) with 300 clients each at once. The database decides every race: each server ACKs
# only what it committed, so every ACKed client has exactly its row, and losers decide again
# (a REQUEST whose address the other server took is NAKed, as Kea does).
kk_add_client srv2 02:00:00:00:02:02
s2ns=${KK_CNS[srv2]}
ip -n "$s2ns" addr add 192.0.2.3/24 dev eth0
kk_add_client relay2 02:00:00:00:02:04
r2ns=${KK_CNS[relay2]}
ip -n "$r2ns" addr add 192.0.2.4/24 dev eth0
conf2="$KK_WORK/kea-dhcp4-2.conf"
sed -e "s|$KK_WORK/ctl.sock|$KK_WORK/ctl2.sock|" -e 's|"ip-addresses": \[ "192.0.2.2" \]|"ip-addresses": [ "192.0.2.2", "192.0.2.4" ]|' \
    -e 's|"severity": "INFO", "debuglevel": 0|"severity": "DEBUG", "debuglevel": 40|' "$conf" >"$conf2"
grep -q '"192.0.2.4"' "$conf2" && grep -q ctl2.sock "$conf2" || kk_die "the second server's config is not the expected one"
priv2="$KK_WORK/srv2-root"
mkdir -p "$priv2/run/kea" "$priv2/var/lib/kea" "$priv2/var/log/kea"
ip netns exec "$s2ns" unshare --mount --propagation private \
    env KEA_PIDFILE_DIR="$priv2/run/kea" KEA_LOCKFILE_DIR="$priv2/run/kea" \
    "$KK_LIB_DIR/privroot.sh" "$priv2" "$KK_SERVER_BIN" -c "$conf2" >"$KK_WORK/server2.out" 2>&1 &
pid2=$!
KK_PIDS+=("$pid2")
kk_assert "second server ready" kk_wait_for 20 "$KK_PY" "$KK_LIB_DIR/ctl.py" --timeout 2 "$KK_WORK/ctl2.sock" status-get
sleep 0.5
timeout 40 ip netns exec "$rns" perfdhcp -4 -l 192.0.2.2 -r 100 -R 300 -p 3 -W 1000000 -b mac=00:1a:01:00:00:00 192.0.2.1 >"$KK_WORK/race1.out" 2>&1 &
p1=$!
timeout 40 ip netns exec "$r2ns" perfdhcp -4 -l 192.0.2.4 -r 100 -R 300 -p 3 -W 1000000 -b mac=00:1b:01:00:00:00 192.0.2.3 >"$KK_WORK/race2.out" 2>&1
wait "$p1"
read -r _ _ sent1 acks1 _ _ <<<"$("$KK_PY" "$KK_LIB_DIR/perfdhcp_parse.py" "$KK_WORK/race1.out")"
read -r _ _ sent2 acks2 _ _ <<<"$("$KK_PY" "$KK_LIB_DIR/perfdhcp_parse.py" "$KK_WORK/race2.out")"
echo "    race: server 1 $acks1/$sent1 ACKs, server 2 $acks2/$sent2 ACKs; server 2 decided again $(grep -c KAKAPO_LEASE4_CONFLICT "$KK_WORK/server2.out") time(s) after a conflict"
# Both iterative allocators walk the same free addresses at once: a REQUEST whose address the
# other server committed first is NAKed (perfdhcp counts a NAK as a drop), as Kea does.
kk_assert_ge "race: ACKs of both servers together (of $((sent1 + sent2)) REQUESTs)" "$((acks1 + acks2))" 200
kk_assert_eq "race: every REQUEST server 2 did not ACK it NAKed (none dropped silently)" "$((sent2 - acks2))" \
    "$(grep -c 'DHCP4_PACKET_NAK_0004' "$KK_WORK/server2.out")"
kk_assert_eq "race: server 1's ACKs = rows of its clients" "$acks1" "$(sql "SELECT count(*) FROM lease4 WHERE substr(encode(hwaddr, 'hex'), 1, 4) = '001a'")"
kk_assert_eq "race: server 2's ACKs = rows of its clients" "$acks2" "$(sql "SELECT count(*) FROM lease4 WHERE substr(encode(hwaddr, 'hex'), 1, 4) = '001b'")"
# How often they collide depends on timing (0 is possible, typically tens): a figure, not a check.
kk_note "race: server 2 lost $(grep -c KAKAPO_LEASE4_CONFLICT "$KK_WORK/server2.out") write(s) to server 1 and decided again"
kk_assert_eq "race: server 2's subnet[2].assigned-addresses = the rows (its view is the database's)" \
    "$(sql "SELECT count(*) FROM lease4 WHERE subnet_id = 2")" \
    "$("$KK_PY" "$KK_LIB_DIR/ctl.py" --timeout 5 --stat 'subnet[2].assigned-addresses' "$KK_WORK/ctl2.sock")"
kill -TERM "$pid2"; wait "$pid2" 2>/dev/null

# A figure, not a check: the rate perfdhcp reaches when asked for 1000 exchanges a second.
timeout 30 ip netns exec "$rns" perfdhcp -4 -l 192.0.2.2 -r 1000 -R 3000 -p 3 -W 1000000 -s 2 192.0.2.1 >"$KK_WORK/rate.out" 2>&1
kk_note "PostgreSQL lease database, perfdhcp -r 1000: $(grep -m1 'Rate:' "$KK_WORK/rate.out")"
kk_note "  $(grep -m2 -E 'drops:' "$KK_WORK/rate.out" | tr '\n' ' ')"

# 5. PostgreSQL goes away: stop-retry-exit stops serving, reconnects, serves again.
kk_pg_stop
C=02:00:00:00:0c:01
read -r t c <<<"$(dora $C)"
kk_assert_eq "C while PostgreSQL is down: no ACK" none "$t"
kk_assert "DHCP4_DB_RECONNECT_LOST_CONNECTION logged" kk_wait_for 5 grep -q 'DHCP4_DB_RECONNECT_LOST_CONNECTION database connection lost.' "$out0"
kk_assert_match "a reconnect attempt scheduled" 'DHCPSRV_PGSQL_LEASE_DB_RECONNECT_ATTEMPT_SCHEDULE scheduling attempt 1 of 10 in 1000 milliseconds' "$(cat "$out0")"
kk_pg_restart
kk_assert "DHCP4_DB_RECONNECT_SUCCEEDED logged" kk_wait_for 8 grep -q 'DHCP4_DB_RECONNECT_SUCCEEDED database connection recovered.' "$out0"
read -r t c <<<"$(dora $C)"
kk_assert_eq "C after PostgreSQL is back: DHCPACK" DHCPACK "$t"
kk_assert_eq "C's row in lease4" 020000000c01 "$(row "$c" | cut -d'|' -f1)"
kk_assert "server still running" kk_server_alive

# 6. The tries run out: the daemon exits with a failure, as Kea does.
kk_pg_stop
probe "discover mac=$C" >/dev/null
pid=$KK_SERVER_PID
kk_assert "the daemon exits once 10 tries have failed" kk_wait_for 25 bash -c "! kill -0 $pid"
wait "$pid" 2>/dev/null; rc=$?
KK_SERVER_PID=""
kk_assert_eq "exit status 1" 1 "$rc"
kk_assert_match "DHCP4_DB_RECONNECT_FAILED logged" 'DHCP4_DB_RECONNECT_FAILED maximum number of database reconnect attempts: 10, has been exhausted without success' "$(cat "$out0")"
kk_pg_restart

# 7. serve-retry-continue with reconnecting disabled: what needs no write is still served.
sed -i -e 's/"on-fail": "stop-retry-exit"/"on-fail": "serve-retry-continue"/' -e 's/"max-reconnect-tries": 10/"max-reconnect-tries": 0/' "$conf"
kk_server_start_ready "$conf"
kk_pg_stop
D=02:00:00:00:0f:01
read -r t d <<<"$(probe "discover mac=$D")"
kk_assert_eq "serve-retry-continue, PostgreSQL down: DISCOVER still answered" DHCPOFFER "$t"
kk_assert_match "DHCP4_DB_RECONNECT_DISABLED logged" \
    'DHCP4_DB_RECONNECT_DISABLED database reconnect is disabled: max-reconnect-tries 0, reconnect-wait-time 1000' "$(cat "$KK_SERVER_OUT")"
read -r t d <<<"$(dora $D)"
kk_assert_eq "serve-retry-continue, PostgreSQL down: no ACK (nothing is acknowledged that was not committed)" none "$t"
kk_assert "serve-retry-continue: the server keeps running" kk_server_alive
kk_server_stop
kk_pg_restart

# 8. A schema version it does not know is refused.
sql "UPDATE schema_version SET version = 99, minor = 0" >/dev/null
kk_server_start "$conf"
pid=$KK_SERVER_PID
kk_wait_for 15 bash -c "! kill -0 $pid"
wait "$pid" 2>/dev/null; rc=$?
KK_SERVER_PID=""
kk_assert_ne "schema 99.0: the daemon does not start" 0 "$rc"
kk_assert_match "schema 99.0: Kea's mismatch message, with the versions" \
    'PostgreSQL schema version mismatch: need version: 13.0 or 18.0 found version: 99.0' "$(cat "$KK_SERVER_OUT")"
kk_finish
