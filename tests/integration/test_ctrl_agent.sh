#!/usr/bin/env bash
# kakapo-ctrl-agent end to end: the seed kea-ctrl-agent.conf (missing comma) rejected with
# Kea's position and words and, fixed, served; basic auth (inline, user-file/password-file,
# password-file only), 401 with WWW-Authenticate, 400 for requests Kea refuses, every agent
# command, the daemons' commands and lease commands through the agent (kakapo-dhcp4 and
# kakapo-dhcp6 running), two daemons at once, an unconfigured service, a stopped daemon,
# keep-alive, SIGHUP, shutdown, and the same requests to Kea 2.2's kea-ctrl-agent when it
# is installed (status codes and texts compared).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/agent_lib.sh"
kk_init
kk_need curl
ag_daemons
J='Content-Type: application/json'
URL="http://127.0.0.1:$AGENT_PORT/"
result() { kk_json "$1"; }

echo "== the seed kea-ctrl-agent.conf"
seed="$KK_SEED_DIR/kea-ctrl-agent.conf"
cp "$seed" "$KK_WORK/seed.conf"
out=$(ip netns exec "$KK_SRV_NS" "$KK_AGENT_BIN" -t "$KK_WORK/seed.conf" 2>"$KK_WORK/seed.err"); rc=$?
kk_assert_eq "-t on the seed exits 1" 1 "$rc"
kk_assert_eq "-t on the seed: Kea's position and words" \
    "Syntax check failed with: $KK_WORK/seed.conf:29.13-21: syntax error, unexpected pattern, expecting \",\" or }" \
    "$(cat "$KK_WORK/seed.err")"
if command -v kea-ctrl-agent >/dev/null; then
    kea_err=$(cd "$KK_WORK" && KEA_PIDFILE_DIR=$KK_WORK KEA_LOCKFILE_DIR=$KK_WORK kea-ctrl-agent -t "$KK_WORK/seed.conf" 2>&1 >/dev/null); kea_rc=$?
    kk_assert_eq "kea-ctrl-agent 2.2 -t exits the same" "$kea_rc" "$rc"
    kk_assert_eq "kea-ctrl-agent 2.2 -t says the same" "$kea_err" "$(cat "$KK_WORK/seed.err")"
fi
ip netns exec "$KK_SRV_NS" "$KK_AGENT_BIN" -c "$KK_WORK/seed.conf" >"$KK_WORK/seed-c.out" 2>&1; rc=$?
kk_assert_eq "-c on the seed exits 1" 1 "$rc"
kk_assert_match "-c on the seed logs the position" "seed\.conf:29\.13-21: syntax error" "$(cat "$KK_WORK/seed-c.out")"
sed 's|"output": "/var/log/kea-ctrl-agent.log"$|"output": "/var/log/kea-ctrl-agent.log",|' "$seed" >"$KK_WORK/seed-fixed.conf"
kk_assert "the fixed seed differs from the seed by one comma" \
    sh -c "[ \$(diff '$seed' '$KK_WORK/seed-fixed.conf' | grep -c '^[<>]') -eq 2 ]"
out=$(ip netns exec "$KK_SRV_NS" "$KK_AGENT_BIN" -t "$KK_WORK/seed-fixed.conf" 2>&1); rc=$?
kk_assert_eq "-t on the fixed seed exits 0" 0 "$rc"
kk_assert_match "-t on the fixed seed: DCTL_CONFIG_CHECK_COMPLETE" "DCTL_CONFIG_CHECK_COMPLETE server has completed configuration check: listening on 127.0.0.1, port 8000, control sockets: d2 dhcp4 dhcp6" "$out"
# Served as it is, in a private /run and /var/log (its log file and sockets' paths are there).
priv="$KK_WORK/seed-root"
mkdir -p "$priv/run/kea" "$priv/var/log" "$priv/var/lib"
ip netns exec "$KK_SRV_NS" unshare --mount --propagation private env KEA_PIDFILE_DIR="$priv/run/kea" \
    "$KK_LIB_DIR/privroot.sh" "$priv" "$KK_AGENT_BIN" -c "$KK_WORK/seed-fixed.conf" >"$KK_WORK/seed-run.out" 2>&1 &
seed_pid=$!
KK_PIDS+=("$seed_pid")
for ((i = 0; i < 100; i++)); do grep -q CTRL_AGENT_HTTP_SERVICE_STARTED "$priv/var/log/kea-ctrl-agent.log" 2>/dev/null && break; sleep 0.1; done
kk_assert "the fixed seed serves: its log file has CTRL_AGENT_HTTP_SERVICE_STARTED" grep -q "CTRL_AGENT_HTTP_SERVICE_STARTED HTTP service bound to address 127.0.0.1:8000" "$priv/var/log/kea-ctrl-agent.log"
a=$(ag_curl -H "$J" -d '{"command":"list-commands"}' "$URL")
kk_assert_match "the fixed seed answers list-commands without authentication" '"result": 0' "$a"
a=$(ag_curl -H "$J" -d '{"command":"status-get","service":["dhcp4"]}' "$URL")
kk_assert_eq "the fixed seed: dhcp4's socket is not there" \
    '[ { "result": 1, "text": "unable to forward command to the dhcp4 service: No such file or directory. The server is likely to be offline" } ]' "$a"
kk_kill_pid "$seed_pid" 10
kk_assert "the fixed seed's agent removed its PID file" sh -c "! ls '$priv'/run/kea/*.pid 2>/dev/null | grep -q ."

echo "== start with basic authentication"
ag_write_config "$KK_WORK/agent.conf"
ag_start "$KK_WORK/agent.conf" || kk_die "agent did not start: $(tail -5 "$AGENT_OUT")"
kk_assert "PID file (<stem>.kea-ctrl-agent.pid) names the agent" sh -c "[ \"\$(cat '$KK_WORK/agent-run/agent.kea-ctrl-agent.pid')\" = '$AGENT_PID' ]"
kk_assert "DCTL_CONFIG_COMPLETE logged" grep -q "DCTL_CONFIG_COMPLETE server has completed configuration: listening on 127.0.0.1, port $AGENT_PORT, control sockets: dhcp4 dhcp6, requires basic HTTP authentication" "$AGENT_OUT"

echo "== 401 and 400"
hdrs=$(ag_curl -i -H "$J" -d '{"command":"list-commands"}' "$URL" | tr -d '\r')
kk_assert_match "no credentials: 401" "^HTTP/1.1 401 Unauthorized" "$hdrs"
kk_assert_match "no credentials: WWW-Authenticate with the realm" 'WWW-Authenticate: Basic realm="kakapo-test"' "$hdrs"
kk_assert_match "no credentials: Kea's body" '\{ "result": 401, "text": "Unauthorized" \}' "$hdrs"
kk_assert_eq "wrong password: 401" 401 "$(ag_code -u admin:nope -H "$J" -d '{"command":"list-commands"}' "$URL")"
kk_assert_eq "unknown user: 401" 401 "$(ag_code -u mallory:secret -H "$J" -d '{"command":"list-commands"}' "$URL")"
kk_assert_eq "Bearer scheme: 401" 401 "$(ag_code -H 'Authorization: Bearer abcdefgh' -H "$J" -d '{"command":"list-commands"}' "$URL")"
kk_assert_eq "user-file/password-file client: 200" 200 "$(ag_code -u bob:pw-bob -H "$J" -d '{"command":"list-commands"}' "$URL")"
kk_assert_eq "password-file-only client: 200" 200 "$(ag_code -u carol:pw-carol -H "$J" -d '{"command":"list-commands"}' "$URL")"
kk_assert_eq "bad Content-Type: 400" 400 "$(ag_code -u admin:secret -H 'Content-Type: text/plain' -d '{"command":"list-commands"}' "$URL")"
kk_assert_eq "no Content-Type: 400" 400 "$(ag_code -u admin:secret -d '{"command":"list-commands"}' "$URL")"
kk_assert_eq "broken JSON: 400" 400 "$(ag_code -u admin:secret -H "$J" -d '{"command":"list-commands"' "$URL")"
kk_assert_eq "GET /: 400" 400 "$(ag_code -u admin:secret "$URL")"
kk_assert_eq "PUT: 400" 400 "$(ag_code -u admin:secret -X PUT -H "$J" -d '{}' "$URL")"
kk_assert_eq "GET /metrics without credentials: 401" 401 "$(ag_code "http://127.0.0.1:$AGENT_PORT/metrics")"
kk_assert_eq "GET /metrics with credentials: 200" 200 "$(ag_code -u admin:secret "http://127.0.0.1:$AGENT_PORT/metrics")"
kk_assert_eq "GET /dashboard without credentials: 401" 401 "$(ag_code "http://127.0.0.1:$AGENT_PORT/dashboard/")"
kk_note "Kea 2.4's open-source agent sends no 403 for basic auth (wrong credentials are 401, verified against 2.2); nothing here sends 403"

echo "== the agent's own commands"
a=$(ag_post '{"command":"list-commands"}')
kk_assert_eq "list-commands" "build-report config-get config-hash-get config-reload config-set config-test config-write list-commands shutdown status-get version-get" \
    "$(printf '%s' "$a" | result '" ".join(d[0]["arguments"])')"
for c in build-report version-get status-get config-get config-hash-get; do
    kk_assert_eq "$c: result 0" 0 "$(ag_post "{\"command\":\"$c\"}" | result 'd[0]["result"]')"
done
kk_assert_eq "status-get names the agent's pid" "$AGENT_PID" "$(ag_post '{"command":"status-get"}' | result 'd[0]["arguments"]["pid"]')"
kk_assert_eq "config-get has the http-port" "$AGENT_PORT" "$(ag_post '{"command":"config-get"}' | result 'd[0]["arguments"]["Control-agent"]["http-port"]')"
kk_assert_match "config-hash-get: 64 hex digits" '^[0-9A-F]{64}$' "$(ag_post '{"command":"config-hash-get"}' | result 'd[0]["arguments"]["hash"]')"
cfg=$(ag_post '{"command":"config-get"}' | result 'd[0]["arguments"]')
kk_assert_eq "config-test of the running config" "Configuration check successful" "$(ag_post "{\"command\":\"config-test\",\"arguments\":$cfg}" | result 'd[0]["text"]')"
kk_assert_eq "config-test of a bad config: result 1" 1 "$(ag_post '{"command":"config-test","arguments":{"Control-agent":{"cert-file":"/x"}}}' | result 'd[0]["result"]')"
kk_assert_eq "config-test without arguments" "Missing mandatory 'arguments' parameter." "$(ag_post '{"command":"config-test"}' | result 'd[0]["text"]')"
kk_assert_eq "config-set of the running config" "Configuration applied successfully." "$(ag_post "{\"command\":\"config-set\",\"arguments\":$cfg}" | result 'd[0]["text"]')"
kk_assert_eq "config-write" "Configuration written to $KK_WORK/written.json successful" \
    "$(ag_post "{\"command\":\"config-write\",\"arguments\":{\"filename\":\"$KK_WORK/written.json\"}}" | result 'd[0]["text"]')"
kk_assert "config-write wrote the configuration" grep -q '"Control-agent"' "$KK_WORK/written.json"
kk_assert_eq "config-reload" "Configuration applied successfully." "$(ag_post '{"command":"config-reload"}' | result 'd[0]["text"]')"
kk_assert_eq "unknown command: result 2 with Kea's text" "2 'foo' command not supported. You did not include \"service\" parameter" \
    "$(ag_post '{"command":"foo"}' | result '"%d %s" % (d[0]["result"], d[0]["text"][:68])')"
kk_assert_eq "envelope without command" "Error during command processing: Invalid answer specified, does not contain mandatory 'command'" "$(ag_post '{}' | result 'd[0]["text"]')"
kk_assert_eq "service not a list" "service value must be a list" "$(ag_post '{"command":"status-get","service":"dhcp4"}' | result 'd[0]["text"]')"

echo "== the daemons' commands through the agent"
for c in list-commands status-get version-get build-report config-get statistic-get-all; do
    kk_assert_eq "dhcp4 $c: result 0" 0 "$(ag_post "{\"command\":\"$c\",\"service\":[\"dhcp4\"]}" | result 'd[0]["result"]')"
    kk_assert_eq "dhcp6 $c: result 0" 0 "$(ag_post "{\"command\":\"$c\",\"service\":[\"dhcp6\"]}" | result 'd[0]["result"]')"
done
kk_assert_eq "dhcp4 config-get is Dhcp4's" "True" "$(ag_post '{"command":"config-get","service":["dhcp4"]}' | result '"Dhcp4" in d[0]["arguments"]')"
kk_assert_eq "lease4-add" 0 "$(ag_post '{"command":"lease4-add","service":["dhcp4"],"arguments":{"ip-address":"192.0.2.150","hw-address":"02:00:00:00:aa:01"}}' | result 'd[0]["result"]')"
kk_assert_eq "lease4-get" "02:00:00:00:aa:01" "$(ag_post '{"command":"lease4-get","service":["dhcp4"],"arguments":{"ip-address":"192.0.2.150"}}' | result 'd[0]["arguments"]["hw-address"]')"
kk_assert_eq "lease4-get-all: one lease" 1 "$(ag_post '{"command":"lease4-get-all","service":["dhcp4"]}' | result 'len(d[0]["arguments"]["leases"])')"
kk_assert_eq "lease4-del" 0 "$(ag_post '{"command":"lease4-del","service":["dhcp4"],"arguments":{"ip-address":"192.0.2.150"}}' | result 'd[0]["result"]')"
kk_assert_eq "lease4-get after del: empty (3)" 3 "$(ag_post '{"command":"lease4-get","service":["dhcp4"],"arguments":{"ip-address":"192.0.2.150"}}' | result 'd[0]["result"]')"
kk_assert_eq "lease6-add" 0 "$(ag_post '{"command":"lease6-add","service":["dhcp6"],"arguments":{"subnet-id":1,"ip-address":"2001:db8:1::150","duid":"01:02:03:04:05:06:07:08","iaid":1234}}' | result 'd[0]["result"]')"
kk_assert_eq "lease6-get" "01:02:03:04:05:06:07:08" "$(ag_post '{"command":"lease6-get","service":["dhcp6"],"arguments":{"ip-address":"2001:db8:1::150"}}' | result 'd[0]["arguments"]["duid"]')"
kk_assert_eq "lease6-del" 0 "$(ag_post '{"command":"lease6-del","service":["dhcp6"],"arguments":{"ip-address":"2001:db8:1::150"}}' | result 'd[0]["result"]')"
kk_assert_eq "statistic-get through the agent" 0 "$(ag_post '{"command":"statistic-get","service":["dhcp4"],"arguments":{"name":"pkt4-received"}}' | result 'd[0]["result"]')"

echo "== two daemons at once, an unconfigured service"
a=$(ag_post '{"command":"status-get","service":["dhcp4","dhcp6"]}')
kk_assert_eq "two answers, both 0" "[0, 0]" "$(printf '%s' "$a" | result '[x["result"] for x in d]')"
kk_assert_eq "the two pids are the two daemons'" "$DHCP4_PID $DHCP6_PID" "$(printf '%s' "$a" | result '"%d %d" % (d[0]["arguments"]["pid"], d[1]["arguments"]["pid"])')"
kk_assert_eq "d2 (not configured): Kea's text" '[ { "result": 1, "text": "forwarding socket is not configured for the server type d2" } ]' \
    "$(ag_post '{"command":"status-get","service":["d2"]}')"
a=$(ag_post '{"command":"statistic-get-all","service":["dhcp4","d2","dhcp6"]}')
kk_assert_eq "mixed: results in order" "[0, 1, 0]" "$(printf '%s' "$a" | result '[x["result"] for x in d]')"

echo "== every command each daemon lists, through the agent"
for svc in dhcp4 dhcp6; do
    sock="$KK_WORK/ctl.sock"; [ "$svc" = dhcp6 ] && sock="$KK_WORK/ctl6.sock"
    out=$(ip netns exec "$KK_SRV_NS" "$KK_PY" "$KK_LIB_DIR/agent_every_command.py" "$URL" admin:secret "$svc" "$sock" "$KK_WORK" 2>&1)
    kk_add_checker_output "$out" || continue
    kk_assert_ge "$svc: every listed command was checked" "$KK_CHECKER_PASSED" 40
done
kk_assert_eq "dhcp4 serves again after dhcp-disable/dhcp-enable and config-set" 0 \
    "$(ag_post '{"command":"status-get","service":["dhcp4"]}' | result 'd[0]["result"]')"

echo "== keep-alive: two requests on one connection"
kout=$(ag_curl -v -u admin:secret -H "$J" -d '{"command":"status-get"}' "$URL" "$URL" 2>&1)
kk_assert_match "curl reused the connection" "Re-using existing connection" "$kout"
kk_assert_eq "two answers" 2 "$(printf '%s\n' "$kout" | grep -c '^< HTTP/1.1 200 OK')"

echo "== a stopped daemon"
kk_kill_pid "$DHCP6_PID" 10
kk_assert_match "dhcp6 stopped: Kea's text" '^\[ \{ "result": 1, "text": "unable to forward command to the dhcp6 service: (Connection refused|No such file or directory)\. The server is likely to be offline" \} \]$' \
    "$(ag_post '{"command":"status-get","service":["dhcp6"]}')"
kk_assert_eq "dhcp4 still answers" 0 "$(ag_post '{"command":"status-get","service":["dhcp4"]}' | result 'd[0]["result"]')"

echo "== Kea 2.2's kea-ctrl-agent on the same requests"
if command -v kea-ctrl-agent >/dev/null; then
    sed "s/\"http-port\": $AGENT_PORT/\"http-port\": 8001/; s/\"severity\": \"DEBUG\"/\"severity\": \"INFO\"/" "$KK_WORK/agent.conf" >"$KK_WORK/kea-agent.conf"
    kea_pid=""
    if ag_start "$KK_WORK/kea-agent.conf" "$(command -v kea-ctrl-agent)"; then
        kea_pid=$AGENT_PID
        KURL="http://127.0.0.1:8001/"
        both() {   # both NAME CURL-ARGS... : status line and body identical from both agents
            local name=$1 k o; shift
            o=$(ag_curl -i "$@" "$URL" | tr -d '\r' | grep -v '^Date:\|^Content-Length:\|^Connection:')
            k=$(ag_curl -i "$@" "$KURL" | tr -d '\r' | grep -v '^Date:\|^Content-Length:\|^Connection:')
            kk_assert_eq "same as Kea 2.2: $name" "$k" "$o"
        }
        both "no credentials" -H "$J" -d '{"command":"list-commands"}'
        both "wrong credentials" -u admin:nope -H "$J" -d '{"command":"list-commands"}'
        both "bad content type" -u admin:secret -H 'Content-Type: text/plain' -d '{"command":"list-commands"}'
        both "broken JSON" -u admin:secret -H "$J" -d '{"command"'
        both "GET" -u admin:secret
        both "not a map" -u admin:secret -H "$J" -d '[1]'
        both "no command" -u admin:secret -H "$J" -d '{}'
        both "command not a string" -u admin:secret -H "$J" -d '{"command":1}'
        both "unsupported parameter" -u admin:secret -H "$J" -d '{"command":"status-get","extra":1}'
        both "service not a list" -u admin:secret -H "$J" -d '{"command":"status-get","service":"dhcp4"}'
        both "unknown command" -u admin:secret -H "$J" -d '{"command":"foo"}'
        both "unconfigured service" -u admin:secret -H "$J" -d '{"command":"status-get","service":["d2"]}'
        both "stopped daemon" -u admin:secret -H "$J" -d '{"command":"status-get","service":["dhcp6"]}'
        both "empty body" -u admin:secret -H "$J" -d ''
        both "password-file-only client" -u carol:pw-carol -H "$J" -d '{"command":"config-test"}'
        both "forwarded lease4-get (empty)" -u bob:pw-bob -H "$J" -d '{"command":"lease4-get","service":["dhcp4"],"arguments":{"ip-address":"192.0.2.151"}}'
        kk_kill_pid "$kea_pid" 10
    else
        kk_skip "kea-ctrl-agent did not start: $(tail -2 "$AGENT_OUT")"
    fi
else
    kk_skip "kea-ctrl-agent is not installed"
fi

echo "== SIGHUP, shutdown"
ag_write_config "$KK_WORK/agent.conf"
ag_start "$KK_WORK/agent.conf" || true    # refused: the first agent still holds the PID file
kk_assert "a second agent on the same config refuses to start" grep -q "DCTL_ALREADY_RUNNING" "$AGENT_OUT"
AGENT_PID=$(cat "$KK_WORK/agent-run/agent.kea-ctrl-agent.pid")
out1=$(ls -t "$KK_WORK"/agent-*.out | tail -1)
sed -i 's/"realm": "kakapo-test"/"realm": "kakapo-reloaded"/' "$KK_WORK/agent.conf"
kill -HUP "$AGENT_PID"
sleep 1
kk_assert "SIGHUP logged DCTL_CFG_FILE_RELOAD_SIGNAL_RECVD" grep -q DCTL_CFG_FILE_RELOAD_SIGNAL_RECVD "$out1"
kk_assert_match "SIGHUP applied the new realm" 'realm="kakapo-reloaded"' "$(ag_curl -i -H "$J" -d '{}' "$URL")"
kk_assert "CTRL_AGENT_COMMAND_FORWARDED logged" grep -q "CTRL_AGENT_COMMAND_FORWARDED command status-get successfully forwarded to the service dhcp4" "$out1"
kk_assert "HTTP_CLIENT_REQUEST_AUTHORIZED logged for bob" grep -q "HTTP_CLIENT_REQUEST_AUTHORIZED received HTTP request authorized for 'bob'" "$out1"
kk_assert_eq "shutdown" "Control Agent is shutting down" "$(ag_post '{"command":"shutdown"}' | result 'd[0]["text"]')"
for ((i = 0; i < 50; i++)); do kill -0 "$AGENT_PID" 2>/dev/null || break; sleep 0.1; done
kk_assert "the agent exited after shutdown" sh -c "! kill -0 $AGENT_PID 2>/dev/null"
kk_assert "DCTL_SHUTDOWN logged" grep -q "DCTL_SHUTDOWN Control-agent has shut down" "$out1"
kk_assert "PID file removed" sh -c "[ ! -e '$KK_WORK/agent-run/agent.kea-ctrl-agent.pid' ]"
kk_assert "kakapo-dhcp4 still running" kill -0 "$DHCP4_PID"
kk_finish
