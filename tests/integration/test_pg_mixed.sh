#!/usr/bin/env bash
# Two servers, one PostgreSQL lease database, at the same time: server A (KK_MIX_A, default
# kakapo-dhcp4) and server B (KK_MIX_B, default Kea 2.2's kea-dhcp4) have the same subnet, pool
# and subnet id and store their leases in the same lease4 table (a private PostgreSQL server,
# schema 13.0 made by Kea's own kea-admin).  Each has its own relayed perfdhcp; their client
# sets overlap, and the pool (200 addresses) is smaller than the clients (256), so both
# servers contend for the same addresses.  Verdict: no address is ever acknowledged to two
# clients.
#
#   A: srv-a eth0 198.18.0.1/30  <->  load-a eth0 198.18.0.2/30  perfdhcp -b mac=02:00:00:00:00:00 -R 160
#   B: srv-b eth0 198.18.0.5/30  <->  load-b eth0 198.18.0.6/30  perfdhcp -b mac=02:00:00:00:00:60 -R 160
#   subnet 198.51.100.0/24 (id 7), relay ip-addresses 198.18.0.2 and 198.18.0.6,
#   pool 198.51.100.10 - 198.51.100.209 (200); valid-lifetime 3600 s (nothing expires here)
#
# perfdhcp 2.2's clients are the base MAC with k = 0 .. R-1 added to its last octet (which wraps
# without carry), taken in order: A's are 02:..:00 - 02:..:9f, B's 02:..:60 - 02:..:ff, 256
# clients in all, and the 64 MACs 02:..:60 - 02:..:9f go to both servers.  B reaches MAC 0x60+k
# at its k-th exchange, A at its (96+k)-th (2.4 s later at 40/s), so a lease one server made is
# in the database when the other sees the client, and the other must give the same address.
#
# The servers reach the database through its unix socket directory ("host": "/tmp/kk-pg-.../sock",
# as libpq allows): the private PostgreSQL listens on 127.0.0.1 of the host, which the servers'
# network namespaces cannot reach.
#
# Every DHCPACK each server sends is captured (tcpdump -w on its link) and checked by
# pg_mixed_check.py: for each yiaddr, no two chaddrs hold overlapping intervals
# [ack time, ack time + lease time); a client acked by both servers got one address; each
# lease4 row belongs to the client of that address's last ACK and no client holds two rows;
# both servers acked leases (counts printed); tcpdump lost nothing.
#
#   KK_MIX_A=kakapo|kea (default kakapo)   KK_MIX_B=kakapo|kea (default kea)
#   KAKAPO_DHCP4, KEA_DHCP4                the binaries (lib.sh)
#   KK_MIX_RATE=40 KK_MIX_SECONDS=10       each perfdhcp's rate and duration
#   KK_MIX_SPLIT_DB=1                      self-check of the verdicts: B gets a database of its
#                                          own, so the servers hand out addresses independently;
#                                          the test must then FAIL (conflicts, rows)
# A server that does not start (kakapo-dhcp4 before it serves leases from PostgreSQL) fails
# the test: it is not skipped.
. "$(dirname "$0")/lib.sh"
mix_a=${KK_MIX_A:-kakapo}
mix_b=${KK_MIX_B:-kea}
DHCP4_SERVER=$mix_a
kk_init
kk_need perfdhcp tcpdump kea-admin
rate=${KK_MIX_RATE:-40}
secs=${KK_MIX_SECONDS:-10}

declare -A BIN=() NS=() LNS=() SADDR=() LADDR=() PID=() SOCK=() OUT=() BASE=()
for r in A B; do
    s=$mix_a; [ $r = B ] && s=$mix_b
    case "$s" in kakapo|kea) ;; *) kk_die "KK_MIX_$r must be kakapo or kea, not '$s'" ;; esac
    BIN[$r]=$(DHCP4_SERVER=$s kk_server_bin)
    [ -x "${BIN[$r]}" ] || kk_die "server $r ($s): binary not found or not executable: ${BIN[$r]}"
done
kk_log "A=$mix_a (${BIN[A]})  B=$mix_b (${BIN[B]})"
SADDR[A]=198.18.0.1; LADDR[A]=198.18.0.2; BASE[A]=02:00:00:00:00:00
SADDR[B]=198.18.0.5; LADDR[B]=198.18.0.6; BASE[B]=02:00:00:00:00:60

# ---- the database
kk_pg_start
db=kkmix
kk_pg_kea_db "$db"
ver=$(kk_pg_psql "$db" -At -c "SELECT version FROM schema_version")
kk_assert_eq "lease database made by kea-admin, schema version" 13 "$ver"
declare -A DB=([A]=$db [B]=$db)
if [ "${KK_MIX_SPLIT_DB:-0}" = 1 ]; then
    kk_note "KK_MIX_SPLIT_DB=1: server B on its own database kkmix_b (this run must fail)"
    kk_pg_kea_db kkmix_b
    DB[B]=kkmix_b
fi

# ---- two server links
for r in A B; do
    NS[$r]="$KK_ID-srv-${r,,}"
    LNS[$r]="$KK_ID-load-${r,,}"
    kk_netns_add "${NS[$r]}"
    kk_netns_add "${LNS[$r]}"
    ip link add eth0 netns "${NS[$r]}" type veth peer name eth0 netns "${LNS[$r]}" || kk_die "veth $r"
    ip -n "${NS[$r]}" addr add "${SADDR[$r]}/30" dev eth0
    ip -n "${LNS[$r]}" addr add "${LADDR[$r]}/30" dev eth0
    ip -n "${NS[$r]}" link set eth0 up
    ip -n "${LNS[$r]}" link set eth0 up
done

# ---- the same config for both, but for the control socket
for r in A B; do
    SOCK[$r]="$KK_WORK/ctl-${r,,}.sock"
    cat >"$KK_WORK/mix-${r,,}.conf" <<EOF
// $KK_TEST_NAME, server $r
{
  "Dhcp4": {
    "interfaces-config": { "interfaces": [ "eth0" ] },
    "control-socket": { "socket-type": "unix", "socket-name": "${SOCK[$r]}" },
    "lease-database": { "type": "postgresql", "name": "${DB[$r]}", "host": "$KK_PG_HOST", "port": $KK_PG_PORT,
                        "user": "kea", "password": "kea" },
    "renew-timer": 900,
    "rebind-timer": 1800,
    "valid-lifetime": 3600,
    "subnet4": [
      {
        "id": 7,
        "subnet": "198.51.100.0/24",
        "relay": { "ip-addresses": [ "198.18.0.2", "198.18.0.6" ] },
        "pools": [ { "pool": "198.51.100.10 - 198.51.100.209" } ],
        "option-data": [ { "name": "routers", "data": "198.51.100.1" } ]
      }
    ],
    "loggers": [ { "name": "kea-dhcp4", "output_options": [ { "output": "stdout" } ], "severity": "WARN" } ]
  }
}
EOF
done

# ---- start both servers (kk_server_start in each namespace; lib.sh's globals per server)
for r in A B; do
    s=$mix_a; [ $r = B ] && s=$mix_b
    KK_SRV_NS=${NS[$r]}
    KK_SERVER_BIN=${BIN[$r]}
    DHCP4_SERVER=$s
    kk_server_start "$KK_WORK/mix-${r,,}.conf"
    PID[$r]=$KK_SERVER_PID
    OUT[$r]=$KK_SERVER_OUT
    if ! kk_server_wait_ready 25; then
        kk_fail "server $r ($s, ${BIN[$r]}) did not start with a postgresql lease-database; its output:"
        sed 's/^/    | /' "${OUT[$r]}" | tail -n 20
        kk_finish
    fi
    kk_pass "server $r ($s) started on the shared PostgreSQL lease database (pid ${PID[$r]})"
done
DHCP4_SERVER=$mix_a
sleep 0.5

# ---- capture, load, stop capture
declare -A TD=() PD=()
for r in A B; do
    ip netns exec "${NS[$r]}" tcpdump -i eth0 -U -n -s 0 -Z root -w "$KK_WORK/acks-${r,,}.pcap" \
        "udp and src host ${SADDR[$r]} and src port 67" >"$KK_WORK/tcpdump-${r,,}.err" 2>&1 &
    TD[$r]=$!
    KK_PIDS+=("${TD[$r]}")
done
for r in A B; do
    kk_wait_for 10 grep -q 'listening on' "$KK_WORK/tcpdump-${r,,}.err" \
        || kk_die "tcpdump $r did not start: $(cat "$KK_WORK/tcpdump-${r,,}.err")"
done
for r in A B; do
    timeout $((secs + 30)) ip netns exec "${LNS[$r]}" perfdhcp -4 -l "${LADDR[$r]}" -b "mac=${BASE[$r]}" \
        -r "$rate" -R 160 -p "$secs" "${SADDR[$r]}" >"$KK_WORK/perfdhcp-${r,,}.out" 2>&1 &
    PD[$r]=$!
    KK_PIDS+=("${PD[$r]}")
done
for r in A B; do wait "${PD[$r]}"; done
sleep 1.5                     # late ACKs (perfdhcp's drop time is 1 s)
for r in A B; do
    kill -INT "${TD[$r]}" 2>/dev/null
    kk_wait_for 5 bash -c "! kill -0 ${TD[$r]} 2>/dev/null"
    wait "${TD[$r]}" 2>/dev/null
done
for r in A B; do
    echo "    perfdhcp $r: $("$KK_PY" "$KK_LIB_DIR/perfdhcp_parse.py" "$KK_WORK/perfdhcp-${r,,}.out")" \
         "(sent-discover recv-offer sent-request recv-ack drops drop% rate)"
done

for r in A B; do
    kk_assert "server $r still running after the load" kill -0 "${PID[$r]}"
    kk_assert_eq "tcpdump $r lost no packet (every ACK captured)" 0 \
        "$(sed -n 's/^\([0-9]*\) packets* dropped by kernel.*/\1/p' "$KK_WORK/tcpdump-${r,,}.err")"
done
kk_pg_psql "$db" -At -F $'\t' -c "SELECT host('0.0.0.0'::inet + address), encode(hwaddr, 'hex'), valid_lifetime, state
                                   FROM lease4 ORDER BY address" >"$KK_WORK/lease4.tsv" \
    || kk_die "reading lease4 failed"

# ---- verdicts
"$KK_PY" "$KK_LIB_DIR/pg_mixed_check.py" "$KK_WORK/acks-a.pcap" "$KK_WORK/acks-b.pcap" "$KK_WORK/lease4.tsv" \
    >"$KK_WORK/check.out" 2>&1 || { cat "$KK_WORK/check.out"; kk_die "pg_mixed_check.py failed"; }
sed 's/^/    /' "$KK_WORK/check.out"
v() { awk -v k="$1" '$1 == k { print $2 }' "$KK_WORK/check.out"; }
kk_assert_gt "server A ($mix_a) acked leases" "$(v acks_a)" 0
kk_assert_gt "server B ($mix_b) acked leases" "$(v acks_b)" 0
kk_assert_ge "server A acked at least 50 clients" "$(v clients_a)" 50
kk_assert_ge "server B acked at least 50 clients" "$(v clients_b)" 50
kk_assert_match "server A's clients are perfdhcp A's (02:..:00 - 02:..:9f)" '^02000000000[0-9a-f]-0200000000[0-9][0-9a-f]$' "$(v chaddr_range_a)"
kk_assert_match "server B's clients are perfdhcp B's (02:..:60 - 02:..:ff)" '^0200000000[6-9a-f][0-9a-f]-0200000000[6-9a-f][0-9a-f]$' "$(v chaddr_range_b)"
kk_assert_eq "every ACK carries a lease time (option 51)" 0 "$(v acks_no_lifetime)"
kk_assert_eq "no address acknowledged to two clients with overlapping lease intervals" 0 "$(v conflicts)"
kk_assert_ge "clients acked by both servers (of the 64 shared)" "$(v both_clients)" 20
kk_assert_eq "a client both servers acked got the same address from both" "$(v both_clients)" "$(v both_same_addr)"
kk_assert_ge "lease4 rows (the contended pool of 200 is mostly taken)" "$(v rows)" 150
kk_assert_eq "no client holds two lease4 rows" 0 "$(v rows_dup_client)"
kk_assert_eq "every lease4 row belongs to the client of its address's last ACK" "$(v rows)" "$(v rows_last_ack_ok)"
kk_assert_eq "every acked address has its lease4 row" 0 "$(v acked_addrs_no_row)"
kk_assert_eq "lease4 rows all in subnet 7, state 0, valid 3600" "$(v rows)" \
    "$(kk_pg_psql "$db" -At -c "SELECT count(*) FROM lease4 WHERE subnet_id = 7 AND state = 0 AND valid_lifetime = 3600
                                AND address BETWEEN ('198.51.100.10'::inet - '0.0.0.0'::inet) AND ('198.51.100.209'::inet - '0.0.0.0'::inet)")"
for r in A B; do
    grep -E 'ERROR|FATAL' "${OUT[$r]}" | head -n 5 | sed "s/^/    server $r log| /"
done
kk_finish
