#!/usr/bin/env bash
# Hostile HTTP clients against kakapo-ctrl-agent (agent_hostile.py: slow and half-open
# connections, oversized header and bodies, bad JSON, garbage, 2000 connections at once), with
# DHCP served by kakapo-dhcp4 during the abuse (perfdhcp from a client namespace); afterwards
# the agent still answers, forwards to kakapo-dhcp4, and kakapo-dhcp4 still serves.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/agent_lib.sh"
kk_init
kk_need curl perfdhcp
ag_daemons
ag_write_config "$KK_WORK/agent.conf"
sed -i 's/"severity": "DEBUG", "debuglevel": 99/"severity": "INFO"/' "$KK_WORK/agent.conf"
ag_start "$KK_WORK/agent.conf" || kk_die "agent did not start: $(tail -5 "$AGENT_OUT")"
kk_add_client c1
cns="$KK_ID-c1"
ip -n "$cns" addr add 192.0.2.2/24 dev eth0 2>/dev/null || true

echo "== DHCP during the abuse"
timeout 90 ip netns exec "$cns" perfdhcp -4 -l eth0 -r 2 -R 100000 -p 40 -s 1 >"$KK_WORK/perfdhcp.out" 2>&1 &
perf_pid=$!
KK_PIDS+=("$perf_pid")

echo "== hostile clients"
timeout 240 ip netns exec "$KK_SRV_NS" "$KK_PY" "$KK_LIB_DIR/agent_hostile.py" 127.0.0.1 "$AGENT_PORT" admin:secret >"$KK_WORK/hostile.out" 2>&1
hrc=$?
sed 's/^/    hostile| /' "$KK_WORK/hostile.out"
while read -r name verdict detail; do
    case "$verdict" in
        ok) kk_pass "$name: $detail" ;;
        FAIL) kk_fail "$name: $detail" ;;
    esac
done <"$KK_WORK/hostile.out"
kk_assert_eq "hostile script finished (0 = every case ok)" 0 "$hrc"
kk_assert "the agent is alive" kill -0 "$AGENT_PID"
kk_assert_eq "the agent answers afterwards" 0 "$(ag_post '{"command":"status-get"}' | kk_json 'd[0]["result"]')"
kk_assert_eq "the agent still forwards to kakapo-dhcp4" 0 "$(ag_post '{"command":"status-get","service":["dhcp4"]}' | kk_json 'd[0]["result"]')"
kk_assert "the agent logged the connection limit" grep -q HTTP_CONNECTION_LIMIT "$AGENT_OUT"
wait "$perf_pid"; prc=$?
grep -E 'sent packets|received packets|drops' "$KK_WORK/perfdhcp.out" | head -6 | sed 's/^/    perfdhcp| /'
received=$(awk '/received packets:/ {print $3; exit}' "$KK_WORK/perfdhcp.out")
kk_assert_gt "perfdhcp got answers during the abuse" "${received:-0}" 0
kk_assert_eq "perfdhcp during the abuse: every exchange completed (~80, the pool has 100)" 0 "$prc"
echo "== DHCP after the abuse"
timeout 30 ip netns exec "$cns" perfdhcp -4 -l eth0 -r 5 -R 100000 -p 2 -s 2 >"$KK_WORK/perfdhcp2.out" 2>&1
kk_assert_eq "perfdhcp after the abuse: every exchange completed" 0 "$?"
kk_assert "kakapo-dhcp4 alive" kill -0 "$DHCP4_PID"
kk_finish
