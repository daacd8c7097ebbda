#!/usr/bin/env bash
# kakapo-admin against a private PostgreSQL server and Kea 2.2's own kea-admin:
# db-init gives schema 18.0 (kea-admin agrees) and refuses a second time; a 13.0
# database made by kea-admin upgrades to 18.0 with lease tables identical to a fresh
# 18.0 (columns, types, indexes, triggers, constraints); the triggers keep lease4_stat,
# the pool and client-class counters; lease-dump matches kea-admin's dump of the same
# rows and loads into kakapo-dhcp4; lease-upload then lease-dump gives the same leases;
# stats-recount repairs broken counters (and agrees with kea-admin's recount); bad
# passwords and missing databases fail clearly; memfile answers as kea-admin's.
. "$(dirname "$0")/lib.sh"
kk_init
kk_need kea-admin
admin=${KAKAPO_ADMIN:-$KK_REPO_ROOT/.build/debug/kakapo-admin}
[ -x "$admin" ] || kk_die "kakapo-admin not built: $admin"
kk_pg_start
# Passwords are checked over TCP (the tools connect to 127.0.0.1); the superuser keeps
# the trusted socket.
sed -i -E 's/^(host[[:space:]]+all[[:space:]]+all[[:space:]]+(127\.0\.0\.1\/32|::1\/128)[[:space:]]+)trust/\1scram-sha-256/' \
    "$KK_PG_DIR/data/pg_hba.conf"
kk_pg_psql postgres -c "SELECT pg_reload_conf()" >/dev/null || kk_die "reloading pg_hba.conf failed"

W=$KK_WORK
db() { kk_pg_psql "$1" -At "${@:2}"; }
adm() { "$admin" "$1" "$2" -h 127.0.0.1 -P "$KK_PG_PORT" -u kea -p kea "${@:3}"; }
kea() { PGPORT=$KK_PG_PORT kea-admin "$1" "$2" -h 127.0.0.1 -P "$KK_PG_PORT" -u kea -p kea "${@:3}"; }

cat >"$W/csvcmp.py" <<'EOF'
# csvcmp.py A B : compares two memfile CSV dumps row by row on the columns both have
# (iaid as an unsigned 32-bit number). Prints "same N" or the differences; notes the
# columns only one side has.
import sys
def load(p):
    lines = [l for l in open(p).read().split("\n") if l]
    head = lines[0].split(",")
    return head, [dict(zip(head, l.split(","))) for l in lines[1:]]
ha, ra = load(sys.argv[1]); hb, rb = load(sys.argv[2])
common = [c for c in ha if c in hb]
def norm(c, v):
    if c == "iaid" and v.lstrip("-").isdigit(): return str(int(v) % 2**32)
    return v
diffs = []
if len(ra) != len(rb): diffs.append("rows %d vs %d" % (len(ra), len(rb)))
for i, (a, b) in enumerate(zip(ra, rb)):
    for c in common:
        if norm(c, a.get(c, "")) != norm(c, b.get(c, "")):
            diffs.append("row %d %s: %r vs %r" % (i + 1, c, a.get(c), b.get(c)))
only = [c for c in ha if c not in hb] + ["(B) " + c for c in hb if c not in ha]
print("same %d" % len(ra) if not diffs else "; ".join(diffs))
if only: print("only-in-one: " + ",".join(only), file=sys.stderr)
EOF
cmp_csv() { "$KK_PY" "$W/csvcmp.py" "$1" "$2" 2>"$W/cmp.note"; }

cat >"$W/shape.sql" <<'EOF'
SELECT table_name, column_name, data_type, character_maximum_length, is_nullable, column_default
  FROM information_schema.columns
  WHERE table_schema = 'public' AND (table_name LIKE 'lease%' OR table_name = 'schema_version')
  ORDER BY table_name, ordinal_position;
SELECT tablename, indexname, indexdef FROM pg_indexes
  WHERE schemaname = 'public' AND (tablename LIKE 'lease%' OR tablename = 'schema_version') ORDER BY 1, 2;
SELECT event_object_table, trigger_name, event_manipulation, action_timing, action_orientation, action_statement
  FROM information_schema.triggers WHERE event_object_table LIKE 'lease%' ORDER BY 1, 2, 3;
SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint
  WHERE conrelid::regclass::text LIKE 'lease%' ORDER BY 1, 2;
EOF

# ---------------------------------------------------------------- db-init, db-version
kk_pg_kea_db kea13
kk_assert_eq "kea-admin made a 13.0 database" 13.0 "$(kea db-version pgsql -n kea13 2>/dev/null)"
kk_pg_psql postgres -c "CREATE DATABASE fresh OWNER kea" >/dev/null
out=$(adm db-init pgsql -n fresh 2>&1); rc=$?
kk_assert_eq "db-init exits 0" 0 "$rc"
kk_assert_match "db-init reports 18.0" "Database version reported after initialization: 18.0" "$out"
kk_assert_eq "kakapo-admin db-version" 18.0 "$(adm db-version pgsql -n fresh)"
kk_assert_eq "Kea's kea-admin db-version agrees" 18.0 "$(kea db-version pgsql -n fresh 2>/dev/null)"
out=$(adm db-init pgsql -n fresh 2>&1); rc=$?
kk_assert_eq "db-init on a database with tables exits 2 (as kea-admin)" 2 "$rc"
kk_assert_match "db-init says why" "Expected empty database fresh. Aborting, the following tables are present" "$out"
kk_assert_eq "the schema is untouched" 18.0 "$(adm db-version pgsql -n fresh)"

# ---------------------------------------------------------------- errors
out=$("$admin" db-version pgsql -h 127.0.0.1 -P "$KK_PG_PORT" -u kea -p wrong -n fresh 2>&1); rc=$?
kk_assert_ne "a bad password exits non-zero" 0 "$rc"
kk_assert_match "a bad password is named" 'password authentication failed for user "kea"' "$out"
out=$(adm lease-dump pgsql -n fresh -4 -o "$W/x.csv" -p wrong 2>&1); rc=$?
kk_assert_eq "lease-dump with a bad password exits 1" 1 "$rc"
out=$(adm db-version pgsql -n nosuchdb 2>&1); rc=$?
kk_assert_eq "db-version of a missing database exits 2 (kea-admin's psql status)" 2 "$rc"
kk_assert_match "a missing database is named" 'database "nosuchdb" does not exist' "$out"
out=$(adm db-upgrade pgsql -n nosuchdb 2>&1); rc=$?
kk_assert_eq "db-upgrade of a missing database exits 1" 1 "$rc"
out=$(adm lease-dump pgsql -n fresh -o "$W/x.csv" 2>&1); rc=$?
kk_assert_eq "lease-dump without -4/-6 exits 1" 1 "$rc"
kk_assert_match "and says so" "lease type \( -4 or -6 \) needs to be specified" "$out"
out=$(adm lease-dump pgsql -n fresh -4 2>&1); rc=$?
kk_assert_match "lease-dump without -o says so" "you must specify an output file for lease-dump" "$out"
out=$("$admin" db-frob pgsql 2>&1); rc=$?
kk_assert_eq "an unknown command exits 1 (as kea-admin)" "$(kea-admin db-frob pgsql >/dev/null 2>&1; echo $?)" "$rc"
out=$("$admin" db-init pgsql --bogus 2>&1); rc=$?
kk_assert_eq "an unknown option exits 1 (as kea-admin)" "$(kea-admin db-init pgsql --bogus >/dev/null 2>&1; echo $?)" "$rc"

# ---------------------------------------------------------------- memfile
for c in db-init db-version db-upgrade lease-dump lease-upload stats-recount; do
    kout=$(kea-admin "$c" memfile -4 -o "$W/m.csv" -i "$W/m.csv" 2>&1); krc=$?
    out=$("$admin" "$c" memfile -4 -o "$W/m.csv" -i "$W/m.csv" 2>&1); rc=$?
    kk_assert_eq "memfile $c: exit code as kea-admin's ($(echo "$kout" | head -1))" "$krc" "$rc"
done

# ---------------------------------------------------------------- leases in the 13.0 database
# Rows as Kea's servers store them (all expiring in 2033).
cat >"$W/leases.sql" <<'EOF'
INSERT INTO lease4 (address, hwaddr, client_id, valid_lifetime, expire, subnet_id, fqdn_fwd, fqdn_rev, hostname, state, user_context) VALUES
 (3221225994, '\x020000001001', '\x01020000001001', 3600, to_timestamp(2000003600), 1, true, false, 'host,one.example.', 0,
  '{ "ISC": { "client-classes": [ "gold", "ALL" ] } }'),
 (3221225995, '\x020000001002', NULL, 3600, to_timestamp(2000003700), 1, false, false, '', 0, NULL),
 (3221225996, NULL, NULL, 86400, to_timestamp(2000086400), 1, false, false, '', 1, NULL),
 (3221225997, '\x020000001003', '\x01aa', 7200, to_timestamp(2000007200), 1, false, true, 'h3', 2, NULL),
 (3221225998, '\x020000001004', NULL, 7200, to_timestamp(2000007300), 1, false, false, '', 0, NULL);
INSERT INTO lease6 (address, duid, valid_lifetime, expire, subnet_id, pref_lifetime, lease_type, iaid, prefix_len, fqdn_fwd,
                    fqdn_rev, hostname, state, hwaddr, hwtype, hwaddr_source, user_context) VALUES
 ('2001:db8:1::10', '\x000100012b3c4d5e020000002001', 4000, to_timestamp(2000004000), 1, 3000, 0, 1, 128, false, false, '', 0,
  '\x020000002001', 1, 4, NULL),
 ('2001:db8:1::11', '\x000300010200000020a2', 4000, to_timestamp(2000004000), 1, 3000, 0, -2, 128, true, true, 'six,host', 0,
  NULL, NULL, NULL, '{ "ISC": { "client-classes": [ "v6c" ] } }'),
 ('2001:db8:8::', '\x000300010200000020a3', 4000, to_timestamp(2000004000), 1, 3000, 2, 7, 56, false, false, '', 0,
  NULL, NULL, NULL, NULL),
 ('2001:db8:1::12', '\x000000', 86400, to_timestamp(2000086400), 1, 0, 0, 0, 128, false, false, '', 1, NULL, NULL, NULL, NULL);
EOF
db kea13 -f "$W/leases.sql" >/dev/null || kk_die "inserting leases into kea13 failed"
for f in 4 6; do
    kea lease-dump pgsql -n kea13 -$f -o "$W/kea13-kea$f.csv" -y >/dev/null 2>&1 || kk_fail "kea-admin lease-dump -$f failed"
    out=$(adm lease-dump pgsql -n kea13 -$f -o "$W/kea13-kk$f.csv" 2>&1); rc=$?
    kk_assert_eq "lease-dump -$f of the 13.0 database exits 0" 0 "$rc"
    kk_assert_match "lease-dump -$f reports" "lease$f successfully dumped to $W/kea13-kk$f.csv" "$out"
    kk_assert_eq "lease-dump -$f: the rows of kea-admin's dump of the same 13.0 database" \
        "same $(db kea13 -c "SELECT count(*) FROM lease$f")" "$(cmp_csv "$W/kea13-kea$f.csv" "$W/kea13-kk$f.csv")"
    kk_note "lease$f dump: columns only one side has (Kea 2.2 vs Kakapo/Kea 2.4): $(cat "$W/cmp.note")"
    kk_assert_eq "lease-dump -$f header is Kea 2.4's" "$(head -1 "$W/kea13-kk$f.csv")" \
        "$(if [ $f = 4 ]; then echo address,hwaddr,client_id,valid_lifetime,expire,subnet_id,fqdn_fwd,fqdn_rev,hostname,state,user_context,pool_id; else echo address,duid,valid_lifetime,expire,subnet_id,pref_lifetime,lease_type,iaid,prefix_len,fqdn_fwd,fqdn_rev,hostname,hwaddr,state,user_context,hwtype,hwaddr_source,pool_id; fi)"
done
kk_note "Kea's SQL dump prints lease6 iaid -2 as '$(grep 2001:db8:1::11 "$W/kea13-kea6.csv" | cut -d, -f8)'; Kakapo (memfile's form) '$(grep 2001:db8:1::11 "$W/kea13-kk6.csv" | cut -d, -f8)'"
out=$(adm lease-dump pgsql -n kea13 -4 -o "$W/kea13-kk4.csv" </dev/null 2>&1); rc=$?
kk_assert_eq "lease-dump onto an existing file without -y is refused off a terminal" 1 "$rc"
kk_assert_match "with kea-admin's words" "Non-interactive tty detected. Assuming no." "$out"
kk_assert_eq "the existing file is untouched" "$(db kea13 -c "SELECT count(*) + 1 FROM lease4")" "$(wc -l <"$W/kea13-kk4.csv")"

# ---------------------------------------------------------------- db-upgrade 13.0 -> 18.0
out=$(adm db-upgrade pgsql -n kea13 2>&1); rc=$?
kk_assert_eq "db-upgrade exits 0" 0 "$rc"
kk_assert_match "db-upgrade reports 13.0 before" "Database version reported before upgrade: 13.0" "$out"
kk_assert_eq "db-upgrade runs the five scripts" 5 "$(grep -c '^Processing .*upgrade_01[3-7]_to_01[4-8].pgsql file...$' <<<"$out")"
kk_assert_match "db-upgrade reports 18.0 after" "Database version reported after upgrade: 18.0" "$out"
kk_assert_eq "Kea's kea-admin sees 18.0" 18.0 "$(kea db-version pgsql -n kea13 2>/dev/null)"
db fresh -f "$W/shape.sql" >"$W/shape-fresh.txt"
db kea13 -f "$W/shape.sql" >"$W/shape-upgraded.txt"
if diff "$W/shape-fresh.txt" "$W/shape-upgraded.txt" >"$W/shape.diff"; then
    kk_pass "upgraded 13.0 and fresh 18.0: same lease tables, columns, types, defaults, indexes, triggers, constraints ($(wc -l <"$W/shape-fresh.txt") lines)"
else
    kk_fail "upgraded 13.0 differs from fresh 18.0: $(head -c 600 "$W/shape.diff")"
fi
kk_assert_match "18.0's lease6.address is inet" "lease6\|address\|inet" "$(cat "$W/shape-fresh.txt")"
kk_assert_match "18.0's lease4 has pool_id, relay_id and remote_id" "lease4\|pool_id\|bigint\|\|NO\|0" "$(grep 'lease4|pool_id' "$W/shape-fresh.txt")"
out=$(adm db-upgrade pgsql -n kea13 2>&1); rc=$?
kk_assert_eq "db-upgrade of an 18.0 database changes nothing" "0 0" "$rc $(grep -c '^Processing' <<<"$out")"
for f in 4 6; do
    adm lease-dump pgsql -n kea13 -$f -o "$W/up-kk$f.csv" >/dev/null 2>&1
    kk_assert_eq "lease$f rows survive the upgrade" "" "$(diff "$W/kea13-kk$f.csv" "$W/up-kk$f.csv")"
done
kk_assert_eq "the upgrade starts the pool counters from the leases" "1|0|0|3" "$(db kea13 -c "SELECT subnet_id, pool_id, state, leases FROM lease4_pool_stat WHERE state = 0")"

kk_pg_psql postgres -c "CREATE DATABASE old12 OWNER kea" >/dev/null
adm db-init pgsql -n old12 >/dev/null 2>&1
db old12 -c "UPDATE schema_version SET version = 12" >/dev/null
out=$(adm db-upgrade pgsql -n old12 2>&1); rc=$?
kk_assert_eq "db-upgrade of a schema older than 13.0 exits 1" 1 "$rc"
kk_assert_match "saying to use Kea's kea-admin first" "kakapo-admin upgrades from 13.0 \(Kea 2.2\) on" "$out"

# ---------------------------------------------------------------- triggers keep the counters
stats4() { db "$1" -c "SELECT string_agg(subnet_id || '/' || state || '=' || leases, ' ' ORDER BY subnet_id, state) FROM lease4_stat WHERE leases > 0"; }
kk_assert_eq "lease4_stat counts assigned and declined per subnet (upgraded, 13.0 triggers kept working)" "1/0=3 1/1=1" "$(stats4 kea13)"
for f in 4 6; do
    out=$(adm lease-upload pgsql -n fresh -$f -i "$W/kea13-kk$f.csv" 2>&1); rc=$?
    kk_assert_eq "lease-upload -$f into the fresh database exits 0" 0 "$rc"
    kk_assert_match "lease-upload -$f reports" "Successfully updated table lease$f." "$out"
    adm lease-dump pgsql -n fresh -$f -o "$W/fresh-kk$f.csv" >/dev/null 2>&1
    kk_assert_eq "lease-upload -$f then lease-dump gives the same leases" "" "$(diff "$W/kea13-kk$f.csv" "$W/fresh-kk$f.csv")"
done
for f in 4 6; do
    # Kea's kea-admin dumps through the schema's own lease${f}DumpHeader/lease${f}DumpData.
    kea lease-dump pgsql -n fresh -$f -o "$W/fresh-kea$f.csv" -y >/dev/null 2>&1 || kk_fail "kea-admin lease-dump -$f of 18.0 failed"
    kk_assert_eq "kea-admin's dump of the 18.0 database (the schema's dump functions) has Kakapo's rows" \
        "same $(db fresh -c "SELECT count(*) FROM lease$f")" "$(cmp_csv "$W/fresh-kea$f.csv" "$W/fresh-kk$f.csv")"
    kk_assert_eq "and Kakapo's columns (pool_id too)" "" "$(cat "$W/cmp.note")"
done
kk_assert_eq "inserted leases: lease4_stat right (triggers)" "1/0=3 1/1=1" "$(stats4 fresh)"
kk_assert_eq "lease6_stat right" "1/0/0=2 1/0/1=1 1/2/0=1" \
    "$(db fresh -c "SELECT string_agg(subnet_id || '/' || lease_type || '/' || state || '=' || leases, ' ' ORDER BY subnet_id, lease_type, state) FROM lease6_stat WHERE leases > 0")"
kk_assert_eq "client-class counters (assigned leases' ISC client-classes)" "ALL=1 gold=1" \
    "$(db fresh -c "SELECT string_agg(client_class || '=' || leases, ' ' ORDER BY client_class) FROM lease4_stat_by_client_class WHERE leases > 0")"
db fresh -c "INSERT INTO lease4 (address, hwaddr, valid_lifetime, expire, subnet_id, state, pool_id) VALUES (3221226000, '\x02000000100a', 3600, to_timestamp(2000003600), 1, 0, 3)" >/dev/null
kk_assert_eq "a lease in pool 3 is counted in lease4_pool_stat" 1 "$(db fresh -c "SELECT leases FROM lease4_pool_stat WHERE subnet_id = 1 AND pool_id = 3 AND state = 0")"
kk_assert_eq "and in lease4_stat" "1/0=4 1/1=1" "$(stats4 fresh)"
db fresh -c "UPDATE lease4 SET state = 2 WHERE address = 3221226000" >/dev/null
kk_assert_eq "reclaiming it (state 2) takes it off both" "0 1/0=3 1/1=1" \
    "$(db fresh -c "SELECT leases FROM lease4_pool_stat WHERE subnet_id = 1 AND pool_id = 3 AND state = 0") $(stats4 fresh)"
db fresh -c "UPDATE lease4 SET state = 1 WHERE address = 3221225994" >/dev/null
kk_assert_eq "declining gold's lease moves it to state 1 and off the class count" "1/0=2 1/1=2 gold=0" \
    "$(stats4 fresh) $(db fresh -c "SELECT 'gold=' || leases FROM lease4_stat_by_client_class WHERE client_class = 'gold'")"
db fresh -c "DELETE FROM lease4 WHERE address = 3221225995" >/dev/null
kk_assert_eq "deleting a lease counts it out" "1/0=1 1/1=2" "$(stats4 fresh)"

# ---------------------------------------------------------------- stats-recount
good=$(stats4 fresh)
db fresh -c "UPDATE lease4_stat SET leases = 42; INSERT INTO lease4_stat VALUES (99, 0, 7); DELETE FROM lease4_pool_stat; UPDATE lease6_stat SET leases = 0; UPDATE lease4_stat_by_client_class SET leases = 5" >/dev/null
kk_assert_ne "lease4_stat is broken" "$good" "$(stats4 fresh)"
out=$(adm stats-recount pgsql -n fresh 2>&1); rc=$?
kk_assert_eq "stats-recount exits 0" 0 "$rc"
kk_assert_match "stats-recount reports" "Recount lease statistics from database" "$out"
kk_assert_eq "stats-recount repairs lease4_stat" "$good" "$(stats4 fresh)"
kk_assert_eq "stats-recount repairs lease4_pool_stat" "1|0|0|1 1|0|1|2" \
    "$(db fresh -c "SELECT string_agg(subnet_id || '|' || pool_id || '|' || state || '|' || leases, ' ' ORDER BY state) FROM lease4_pool_stat WHERE leases > 0")"
kk_assert_eq "stats-recount repairs lease6_stat" "1/0/0=2 1/0/1=1 1/2/0=1" \
    "$(db fresh -c "SELECT string_agg(subnet_id || '/' || lease_type || '/' || state || '=' || leases, ' ' ORDER BY subnet_id, lease_type, state) FROM lease6_stat WHERE leases > 0")"
kk_assert_eq "stats-recount repairs the client-class counts" "" \
    "$(db fresh -c "SELECT string_agg(client_class || '=' || leases, ' ') FROM lease4_stat_by_client_class WHERE leases > 0")"
db fresh -c "UPDATE lease4_stat SET leases = 42" >/dev/null
kea stats-recount pgsql -n fresh >/dev/null 2>&1
kk_assert_eq "Kea's kea-admin stats-recount gives the same lease4_stat" "$good" "$(stats4 fresh)"

# ---------------------------------------------------------------- lease-upload replays the file
kk_pg_psql postgres -c "CREATE DATABASE up OWNER kea" >/dev/null
adm db-init pgsql -n up >/dev/null 2>&1 || kk_fail "db-init up failed"
cat >"$W/replay4.csv" <<'EOF'
address,hwaddr,client_id,valid_lifetime,expire,subnet_id,fqdn_fwd,fqdn_rev,hostname,state,user_context,pool_id
192.0.2.50,02:00:00:00:50:01,,3600,2000000000,1,0,0,a,0,,0
192.0.2.51,02:00:00:00:50:02,,3600,2000000000,1,0,0,b,0,,0
192.0.2.50,02:00:00:00:50:01,,3600,2000003600,1,0,0,a,0,,2
192.0.2.51,02:00:00:00:50:02,,0,1999996400,1,0,0,b,0,,0
not-an-address,02:00:00:00:50:03,,3600,2000000000,1,0,0,c,0,,0
EOF
out=$(adm lease-upload pgsql -n up -4 -i "$W/replay4.csv" 2>&1); rc=$?
kk_assert_eq "lease-upload of a file with renewals, a deletion and a bad row exits 0" 0 "$rc"
kk_assert_match "the bad row is reported" "WARNING/kakapo-admin: .*line 6" "$out"
adm lease-dump pgsql -n up -4 -o "$W/up4.csv" >/dev/null 2>&1
kk_assert_eq "only the last row of 192.0.2.50 is inserted; 192.0.2.51 was deleted" \
    "192.0.2.50,02:00:00:00:50:01,,3600,2000003600,1,0,0,a,0,,2" "$(tail -n +2 "$W/up4.csv")"
out=$(adm lease-upload pgsql -n up -4 -i "$W/replay4.csv" 2>&1); rc=$?
kk_assert_eq "uploading a lease that is already there fails" 1 "$rc"
kk_assert_match "naming the lease" "lease-upload: lease 192.0.2.50: .*duplicate key" "$out"
kk_assert_eq "and inserts nothing (one transaction)" 1 "$(db up -c "SELECT count(*) FROM lease4")"
# The schema's upload functions (what Kea 2.4's kea-admin lease-upload calls).
db up -c "SELECT lease4Upload('192.0.2.77', '02:00:00:00:77:01', '', 3600, 2000000000, 1, 1, 0, 'x&#x2cy', 0, '', 5)" >/dev/null \
    || kk_fail "lease4Upload failed"
db up -c "SELECT lease6Upload('2001:db8:1::77', '00:03:00:01:02', 4000, 2000000000, 1, 3000, 0, 9, 128, 0, 0, '', '', 0, '', 0, 0, 2)" >/dev/null \
    || kk_fail "lease6Upload failed"
adm lease-dump pgsql -n up -4 -o "$W/up4.csv" -y >/dev/null 2>&1
adm lease-dump pgsql -n up -6 -o "$W/up6.csv" -y >/dev/null 2>&1
kk_assert_eq "lease4Upload() stores a memfile row" "192.0.2.77,02:00:00:00:77:01,,3600,2000000000,1,1,0,x&#x2cy,0,,5" \
    "$(grep '^192.0.2.77,' "$W/up4.csv")"
kk_assert_eq "lease6Upload() stores a memfile row" "2001:db8:1::77,00:03:00:01:02,4000,2000000000,1,3000,0,9,128,0,0,,,0,,,,2" \
    "$(grep '^2001:db8:1::77,' "$W/up6.csv")"
db up -c "INSERT INTO lease4 (address, valid_lifetime, expire, subnet_id, state) VALUES (3221226072, 3600, to_timestamp(2000000000), 1, 0)" >/dev/null
out=$(adm lease-dump pgsql -n up -4 -o "$W/up4.csv" -y 2>&1); rc=$?
kk_assert_eq "a lease without hwaddr or client_id is still dumped (as kea-admin does)" "0 1" "$rc $(grep -c '^192.0.2.88,' "$W/up4.csv")"
kk_assert_match "with a warning that loaders skip it" "WARNING/kakapo-admin: lease 192.0.2.88 has neither hwaddr nor client_id" "$out"
printf 'address,hwaddr,client_id,valid_lifetime,expire,subnet_id,fqdn_fwd,fqdn_rev,hostname\n' >"$W/empty.csv"
out=$(adm lease-upload pgsql -n up -4 -i "$W/empty.csv" 2>&1); rc=$?
kk_assert_eq "a CSV without leases is refused (as kea-admin)" "1" "$rc"
kk_assert_match "with kea-admin's words" "CSV file has no leases" "$out"

# ---------------------------------------------------------------- upload into 13.0, as kea-admin
# The same Kea 2.2 lease file (renewals and a release) uploaded into two 13.0 databases,
# one by Kea's kea-admin (kea-lfc, then lease4Upload) and one by kakapo-admin: Kea's
# dump of both is the same.
fixture="$KK_REPO_ROOT/Tests/Fixtures/leases/kea-2.2-leases4.csv"
kk_pg_kea_db upkea
kk_pg_kea_db upkk
cp "$fixture" "$W/kk-$$-upload.csv"     # kea-admin works in /tmp/<basename>.tmp
kea lease-upload pgsql -n upkea -4 -i "$W/kk-$$-upload.csv" -y >"$W/kea-upload.log" 2>&1 || kk_fail "kea-admin lease-upload failed"
out=$(adm lease-upload pgsql -n upkk -4 -i "$fixture" 2>&1); rc=$?
kk_assert_eq "lease-upload into a 13.0 database (no pool_id) exits 0" 0 "$rc"
kea lease-dump pgsql -n upkea -4 -o "$W/upkea.csv" -y >/dev/null 2>&1
kea lease-dump pgsql -n upkk -4 -o "$W/upkk.csv" -y >/dev/null 2>&1
kk_assert_eq "Kea's dump after kea-admin's upload and after kakapo-admin's is the same" "" "$(diff "$W/upkea.csv" "$W/upkk.csv")"
kk_assert_eq "(the two live leases)" 3 "$(wc -l <"$W/upkk.csv")"

# ---------------------------------------------------------------- where the scripts are
# An installed layout (what make install makes): <prefix>/sbin/kakapo-admin and
# <prefix>/share/kakapo/pgsql.
mkdir -p "$W/inst/sbin" "$W/inst/share/kakapo/pgsql"
cp "$admin" "$W/inst/sbin/"
cp "$KK_REPO_ROOT"/share/pgsql/*.pgsql "$W/inst/share/kakapo/pgsql/"
kk_pg_psql postgres -c "CREATE DATABASE inst OWNER kea" >/dev/null
out=$("$W/inst/sbin/kakapo-admin" db-init pgsql -h 127.0.0.1 -P "$KK_PG_PORT" -u kea -p kea -n inst 2>&1); rc=$?
kk_assert_eq "an installed kakapo-admin initialises a database" 0 "$rc"
kk_assert_match "with <prefix>/share/kakapo/pgsql's script" "using script $W/inst/share/kakapo/pgsql/dhcpdb_create.pgsql" "$out"
kk_pg_psql postgres -c "CREATE DATABASE dflag OWNER kea" >/dev/null
out=$(adm db-init pgsql -n dflag -d "$W/nowhere" 2>&1); rc=$?
kk_assert_eq "db-init with a -d that has no scripts exits 1" 1 "$rc"
kk_assert_match "naming the file" "cannot open $W/nowhere/pgsql/dhcpdb_create.pgsql" "$out"
out=$(adm db-init pgsql -n dflag -d "$W/inst/share/kakapo" 2>&1); rc=$?
kk_assert_eq "db-init -d DIR uses DIR/pgsql" "0 1" "$rc $(grep -c "using script $W/inst/share/kakapo/pgsql/dhcpdb_create.pgsql" <<<"$out")"

# ---------------------------------------------------------------- the dump loads into kakapo-dhcp4
kk_topology eth0 192.0.2.1/24
cp "$W/kea13-kk4.csv" "$W/leases4.csv"
hook=$(ls /usr/lib/*/kea/hooks/libdhcp_lease_cmds.so 2>/dev/null | head -n1)
hook=${hook:-/usr/lib/x86_64-linux-gnu/kea/hooks/libdhcp_lease_cmds.so}
kk_write_basic_config "$W/kakapo-dhcp4.conf" 900 1800 3600 "\"hooks-libraries\": [ { \"library\": \"$hook\" } ],"
kk_server_start_ready "$W/kakapo-dhcp4.conf"
all=$(kk_ctl lease4-get-all)
kk_assert_eq "kakapo-dhcp4 loads every dumped lease" \
    "$(tail -n +2 "$W/kea13-kk4.csv" | cut -d, -f1 | sort | tr '\n' ' ')" \
    "$(kk_json "' '.join(sorted(l['ip-address'] for l in d['arguments']['leases'])) + ' '" <<<"$all")"
kk_assert_eq "with their hostnames (commas unescaped)" "host,one.example." \
    "$(kk_json "next(l['hostname'] for l in d['arguments']['leases'] if l['ip-address']=='192.0.2.10')" <<<"$all")"
kk_finish
