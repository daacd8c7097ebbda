#!/usr/bin/env bash
# kakapo-dhcp6 on a PostgreSQL lease database (Kea 2.2's kea-admin, schema 13.0) in a private
# PostgreSQL server, under relayed perfdhcp -6 load (IA_NA, then IA_NA + IA_PD): every Reply's
# leases are rows of lease6 (addresses from the pool, /56 prefixes, subnet 5), lease6-get-all
# answers from the database, a row another server holds for a client's DUID/IAID is what it
# is advertised, and with PostgreSQL stopped nothing is acknowledged (stop-retry-exit), then it serves
# again once PostgreSQL is back.
. "$(dirname "$0")/lib.sh"
KAKAPO_DHCP4=${KAKAPO_DHCP6:-$KK_REPO_ROOT/.build/debug/kakapo-dhcp6}   # what kk_init checks and runs
kk_init
kk_need perfdhcp kea-admin
kk_pg_start
kk_pg_kea_db keadb6
sql() { kk_pg_psql keadb6 -At -c "$1"; }
kk_relay6_perfdhcp
db="{ \"type\": \"postgresql\", \"name\": \"keadb6\", \"host\": \"$KK_PG_HOST\", \"port\": $KK_PG_PORT, \"user\": \"kea\", \"password\": \"kea\", \"max-reconnect-tries\": 10, \"reconnect-wait-time\": 1000 }"
sed -i -e "s|\"lease-database\": {[^}]*}|\"lease-database\": $db|" \
    -e 's|"severity": "WARN"|"severity": "INFO"|' "$conf"
grep -q '"type": "postgresql"' "$conf" || kk_die "the config does not name the PostgreSQL lease database"
kk_server_start_ready "$conf"
out0=$KK_SERVER_OUT
kk_assert_match "DHCPSRV_PGSQL_DB logged" 'DHCPSRV_PGSQL_DB opening PostgreSQL lease database: .*name=keadb6' "$(cat "$out0")"

perf_run() {
    local name=$1 out="$KK_WORK/perfdhcp-$1.out"; shift
    timeout 40 ip netns exec "$rns" perfdhcp -6 -l eth0 -A1 "$@" 2001:db8:1::1 >"$out" 2>&1
    rc=$?
    read -r sent_s recv_a sent_r recv_r drops _ <<<"$("$KK_PY" "$KK_LIB_DIR/perfdhcp_parse.py" "$out")"
    echo "    $name: $(grep -m1 'Rate:' "$out"); Solicits $sent_s, Advertises $recv_a, Requests $sent_r, Replies $recv_r"
}

perf_run na -r 100 -R 300 -p 3 -W 1000000
kk_assert_eq "IA_NA: perfdhcp exit status (0 = every exchange completed)" 0 "$rc"
kk_assert_eq "IA_NA: Replies received = Requests sent" "$sent_r" "$recv_r"
na=$(sql "SELECT count(*) FROM lease6 WHERE lease_type = 0 AND subnet_id = 5 AND prefix_len = 128 AND address LIKE '2001:db8:5::%'")
kk_assert_eq "IA_NA: one lease6 row (pool address, subnet 5) per Reply" "$recv_r" "$na"
kk_assert_eq "IA_NA: one row per client DUID" "$na" "$(sql "SELECT count(DISTINCT duid) FROM lease6 WHERE lease_type = 0")"
kk_assert_eq "IA_NA: rows expire one valid-lifetime after they were written (3600 s)" 0 \
    "$(sql "SELECT count(*) FROM lease6 WHERE abs(extract(epoch from expire) - extract(epoch from now()) - 3600) > 60")"

perf_run pd -e address-and-prefix -r 100 -R 300 -p 3 -W 1000000 -b mac=00:0c:02:00:00:00
kk_assert_eq "IA_NA + IA_PD: perfdhcp exit status" 0 "$rc"
pd=$(sql "SELECT count(*) FROM lease6 WHERE lease_type = 2 AND prefix_len = 56 AND subnet_id = 5")
kk_assert_eq "IA_PD: one /56 row per Reply" "$recv_r" "$pd"
kk_assert_eq "lease6_stat (Kea's triggers) agrees with the rows" \
    "$(sql "SELECT subnet_id, lease_type, state, count(*) FROM lease6 WHERE state IN (0, 1) GROUP BY 1, 2, 3 ORDER BY 1, 2, 3" | tr '\n' ' ')" \
    "$(sql "SELECT subnet_id, lease_type, state, leases FROM lease6_stat WHERE leases > 0 ORDER BY 1, 2, 3" | tr '\n' ' ')"
kk_assert_eq "the server's subnet[5].assigned-pds = the rows" "$pd" "$(kk_stat 'subnet[5].assigned-pds')"
kk_assert_eq "lease6-get-all: every row" "$(sql "SELECT count(*) FROM lease6")" \
    "$(kk_ctl lease6-get-all | kk_json 'len(d["arguments"]["leases"])')"

# Another server's change to a row is what lease6-get shows.
a=$(sql "SELECT address FROM lease6 WHERE lease_type = 0 LIMIT 1")
sql "UPDATE lease6 SET hostname = 'set-by-other' WHERE address = '$a'" >/dev/null
kk_assert_eq "lease6-get sees another server's change" set-by-other \
    "$(kk_ctl lease6-get "{\"ip-address\": \"$a\"}" | kk_json 'd["arguments"]["hostname"]')"

# A row another server wrote for a client's DUID and IAID is what that client is given.
duid=000300010200000000ee
sql "INSERT INTO lease6 (address, duid, valid_lifetime, expire, subnet_id, pref_lifetime, lease_type, iaid, prefix_len, fqdn_fwd, fqdn_rev, hostname, state)
     VALUES ('2001:db8:5::ab:cd', '\\x$duid', 3600, now() + interval '1 hour', 5, 3000, 0, 7, 128, false, false, '', 0)" >/dev/null
printf 'solicit duid=%s na=7 relay=2001:db8:1::2\n' "$duid" >"$KK_WORK/probe6.script"
got=$(timeout 20 ip netns exec "$rns" "$KK_PY" "$KK_LIB_DIR/dhcp6probe.py" run "$KK_WORK/probe6.script" --ifname eth0 \
        --relay-src 2001:db8:1::2 --server-ip 2001:db8:1::1 --timeout 2 2>>"$KK_WORK/probe6.err" | "$KK_PY" -c '
import json, sys
r = json.loads(sys.stdin.readline())["reply"]
i = r.get("inner", r) if isinstance(r, dict) else {}
print(" ".join(k for ia in i.get("options", {}).values() if isinstance(ia, dict) for k in ia if k.startswith("5 ")))')
kk_assert_eq "the client of another server's row (DUID, IAID 7) is advertised that address" "5 2001:db8:5::ab:cd" "$got"

# PostgreSQL stopped: nothing is acknowledged; back: served again.
kk_pg_stop
perf_run down -r 50 -R 50 -p 2 -b mac=00:0c:03:00:00:00
kk_assert_eq "PostgreSQL down: no Reply" 0 "$recv_r"
kk_assert "DHCP6_DB_RECONNECT_LOST_CONNECTION logged" grep -q 'DHCP6_DB_RECONNECT_LOST_CONNECTION database connection lost.' "$out0"
kk_pg_restart
kk_assert "DHCP6_DB_RECONNECT_SUCCEEDED logged" kk_wait_for 12 grep -q 'DHCP6_DB_RECONNECT_SUCCEEDED database connection recovered.' "$out0"
perf_run back -r 50 -R 50 -p 2 -W 1000000 -b mac=00:0c:04:00:00:00
kk_assert_eq "PostgreSQL back: every Request answered" "$sent_r" "$recv_r"
kk_assert_ge "PostgreSQL back: Replies" "$recv_r" 50
kk_assert "server alive" kk_server_alive

# Schema 18.0 (kakapo-admin db-init: Kea 2.4's schema, lease6.address is inet) serves the same.
admin=${KAKAPO_ADMIN:-$KK_REPO_ROOT/.build/debug/kakapo-admin}
if [ -x "$admin" ]; then
    kk_server_stop
    kk_pg_psql postgres -c "CREATE DATABASE keadb18 OWNER kea" >/dev/null || kk_die "creating keadb18 failed"
    "$admin" db-init pgsql -h 127.0.0.1 -P "$KK_PG_PORT" -u kea -p kea -n keadb18 >"$KK_WORK/admin.out" 2>&1 \
        || { cat "$KK_WORK/admin.out"; kk_die "kakapo-admin db-init failed"; }
    kk_assert_eq "keadb18 has schema 18.0 and an inet lease6.address" "18|0|inet" \
        "$(kk_pg_psql keadb18 -At -c "SELECT version, minor, (SELECT data_type FROM information_schema.columns WHERE table_name = 'lease6' AND column_name = 'address') FROM schema_version")"
    sed -i 's/"name": "keadb6"/"name": "keadb18"/' "$conf"
    kk_server_start_ready "$conf"
    perf_run s18 -e address-and-prefix -r 50 -R 100 -p 2 -W 1000000 -b mac=00:0c:05:00:00:00
    kk_assert_eq "schema 18.0: every Request answered" "$sent_r" "$recv_r"
    kk_assert_eq "schema 18.0: one address row and one prefix row per Reply" "$recv_r $recv_r" \
        "$(kk_pg_psql keadb18 -At -c "SELECT count(*) FILTER (WHERE lease_type = 0), count(*) FILTER (WHERE lease_type = 2) FROM lease6" | tr '|' ' ')"
    kk_assert_eq "schema 18.0: lease6-get of a row" 0 \
        "$(kk_ctl lease6-get "{\"ip-address\": \"$(kk_pg_psql keadb18 -At -c "SELECT host(address) FROM lease6 WHERE lease_type = 0 LIMIT 1")\"}" | kk_json 'd["result"]')"
else
    kk_skip "schema 18.0: kakapo-admin not built ($admin)"
fi
kk_finish
