#!/usr/bin/env bash
# The agent's Prometheus endpoint and lease dashboard end to end: kakapo-dhcp4 and
# kakapo-dhcp6 with leases (lease4-add/lease6-add on their sockets) behind kakapo-ctrl-agent
# with basic auth, in one namespace.
#  (a) GET /metrics: 401 without (or with wrong) credentials; with them, the names and labels
#      of docs/metrics.md, every statistic of statistic-get-all present with its value, and
#      kakapo_up 1 per daemon (0 for the configured but absent d2).
#  (b) headless Chromium (DevTools protocol, dashboard_cdp.py) opens /dashboard/, fills in the
#      lease search (MAC, host name, DUID, address), checks the rendered leases, the pool
#      utilization and the recent log events, and keeps a screenshot: $KK_WORK/dashboard.png,
#      copied to .build/artifacts/dashboard.png.
#
#   KAKAPO_CTRL_AGENT=PATH  the agent (default <repo>/.build/debug/kakapo-ctrl-agent)
#   KAKAPO_DHCP6=PATH       kakapo-dhcp6 (default <repo>/.build/debug/kakapo-dhcp6)
. "$(dirname "$0")/lib.sh"
if [ "$DHCP4_SERVER" != kakapo ]; then
    echo "  skip  the agent's dashboard serves kakapo daemons (DHCP4_SERVER=$DHCP4_SERVER)"; KK_SKIPS=1; kk_finish
fi
kk_init
kk_need curl chromium /usr/bin/python3
/usr/bin/python3 -c 'import websocket' 2>/dev/null || kk_die "python3-websocket missing (run scripts/install-test-deps.sh)"
AGENT=${KAKAPO_CTRL_AGENT:-$KK_REPO_ROOT/.build/debug/kakapo-ctrl-agent}
DHCP6=${KAKAPO_DHCP6:-$KK_REPO_ROOT/.build/debug/kakapo-dhcp6}
[ -x "$AGENT" ] || kk_die "agent not found or not executable: $AGENT"
[ -x "$DHCP6" ] || kk_die "kakapo-dhcp6 not found or not executable: $DHCP6"

# ---------------------------------------------------------------- one namespace, IPv4 and IPv6
KK_SRV_NS="$KK_ID-srv"
kk_netns6_add "$KK_SRV_NS"
ip -n "$KK_SRV_NS" link add eth0 type veth peer name eth0p || kk_die "veth"
ip -n "$KK_SRV_NS" addr add 192.0.2.1/24 dev eth0
ip -n "$KK_SRV_NS" addr add 2001:db8:1::1/64 dev eth0 nodad
ip -n "$KK_SRV_NS" link set eth0 up
ip -n "$KK_SRV_NS" link set eth0p up
KK_SRV_IF=eth0

conf4="$KK_WORK/kea-dhcp4.conf"
kk_write_basic_config "$conf4" 900 1800 3600
kk_server_start_ready "$conf4"

sock6="$KK_WORK/ctl6.sock"
conf6="$KK_WORK/kea-dhcp6.conf"
cat >"$conf6" <<CONF6
{ "Dhcp6": {
    "interfaces-config": { "interfaces": [ "eth0" ] },
    "control-socket": { "socket-type": "unix", "socket-name": "$sock6" },
    "lease-database": { "type": "memfile", "name": "$KK_WORK/leases6.csv", "lfc-interval": 0 },
    "renew-timer": 1000, "rebind-timer": 2000, "preferred-lifetime": 3000, "valid-lifetime": 4000,
    "subnet6": [ { "id": 1, "subnet": "2001:db8:1::/64", "interface": "eth0",
                   "pools": [ { "pool": "2001:db8:1::100 - 2001:db8:1::1ff" } ] } ],
    "loggers": [ { "name": "kea-dhcp6", "output_options": [ { "output": "stdout" } ], "severity": "INFO" } ]
} }
CONF6
priv6="$KK_WORK/srv6-root"
mkdir -p "$priv6/run/kea" "$priv6/var/lib/kea" "$priv6/var/log/kea"
ip netns exec "$KK_SRV_NS" unshare --mount --propagation private \
    env KEA_PIDFILE_DIR="$priv6/run/kea" KEA_LOCKFILE_DIR="$priv6/run/kea" \
    "$KK_LIB_DIR/privroot.sh" "$priv6" "$DHCP6" -c "$conf6" >"$KK_WORK/dhcp6.out" 2>&1 &
KK_PIDS+=($!)
ctl6() { "$KK_PY" "$KK_LIB_DIR/ctl.py" --timeout 5 "$sock6" "$@"; }
kk_wait_for 20 ctl6 status-get || { tail -20 "$KK_WORK/dhcp6.out"; kk_die "kakapo-dhcp6 did not come up"; }

echo "== leases"
result() { kk_json 'd["result"]'; }
kk_assert_eq "lease4-add printer" 0 "$(kk_ctl lease4-add '{"ip-address": "192.0.2.150", "hw-address": "02:00:00:00:aa:01", "hostname": "printer.kakapo.example"}' | result)"
kk_assert_eq "lease4-add laptop" 0 "$(kk_ctl lease4-add '{"ip-address": "192.0.2.151", "hw-address": "02:00:00:00:aa:02", "client-id": "01:02:00:00:00:aa:02", "hostname": "laptop.kakapo.example"}' | result)"
kk_assert_eq "lease6-add phone" 0 "$(ctl6 lease6-add '{"ip-address": "2001:db8:1::150", "duid": "00:03:00:01:02:00:00:00:bb:01", "iaid": 7, "hostname": "phone.kakapo.example"}' | result)"
kk_assert_eq "subnet[1].assigned-addresses" 2 "$(kk_stat 'subnet[1].assigned-addresses')"

# ---------------------------------------------------------------- the agent
PORT=8000
USERPASS="admin:s3cret-Pa55"
aconf="$KK_WORK/kea-ctrl-agent.conf"
cat >"$aconf" <<CONFA
{ "Control-agent": {
    "http-host": "127.0.0.1", "http-port": $PORT,
    "authentication": { "type": "basic", "realm": "kakapo-test",
                        "clients": [ { "user": "${USERPASS%%:*}", "password": "${USERPASS#*:}" } ] },
    "control-sockets": {
        "dhcp4": { "socket-type": "unix", "socket-name": "$KK_WORK/ctl.sock" },
        "dhcp6": { "socket-type": "unix", "socket-name": "$sock6" },
        "d2": { "socket-type": "unix", "socket-name": "$KK_WORK/no-d2.sock" }
    },
    "loggers": [ { "name": "kea-ctrl-agent", "output_options": [ { "output": "stdout" } ], "severity": "INFO" } ]
} }
CONFA
privA="$KK_WORK/agent-root"
mkdir -p "$privA/run/kea" "$privA/var/lib/kea" "$privA/var/log/kea"
ip netns exec "$KK_SRV_NS" unshare --mount --propagation private \
    env KEA_PIDFILE_DIR="$privA/run/kea" KEA_LOCKFILE_DIR="$privA/run/kea" \
    "$KK_LIB_DIR/privroot.sh" "$privA" "$AGENT" -c "$aconf" >"$KK_WORK/agent.out" 2>&1 &
AGENT_PID=$!
KK_PIDS+=("$AGENT_PID")
base="http://127.0.0.1:$PORT"
ncurl() { ip netns exec "$KK_SRV_NS" curl -sS --max-time 10 "$@"; }
agent_up() { [ "$(ncurl -o /dev/null -w '%{http_code}' "$base/metrics")" != 000 ]; }
kk_wait_for 20 agent_up || { tail -20 "$KK_WORK/agent.out"; kk_die "the agent does not answer on $base"; }

echo "== (a) GET /metrics"
kk_assert_eq "no credentials: 401" 401 "$(ncurl -o /dev/null -w '%{http_code}' "$base/metrics")"
kk_assert_eq "wrong password: 401" 401 "$(ncurl -o /dev/null -w '%{http_code}' -u admin:wrong "$base/metrics")"
ncurl -D "$KK_WORK/401.headers" -o /dev/null "$base/metrics"
kk_assert "401 asks for basic auth" grep -qi '^WWW-Authenticate: Basic realm=' "$KK_WORK/401.headers"
kk_assert_eq "dashboard without credentials: 401" 401 "$(ncurl -o /dev/null -w '%{http_code}' "$base/dashboard/")"
ncurl -u "$USERPASS" -D "$KK_WORK/metrics.headers" -o "$KK_WORK/metrics.txt" "$base/metrics" || kk_fail "GET /metrics"
kk_assert "Content-Type text/plain; version=0.0.4" grep -qi '^Content-Type: text/plain; version=0.0.4' "$KK_WORK/metrics.headers"
kk_ctl statistic-get-all >"$KK_WORK/stats4.json"
ctl6 statistic-get-all >"$KK_WORK/stats6.json"
# An independent reading of docs/metrics.md: every statistic of both daemons, by its mapped
# name and labels, with the daemon's value; every sample line well-formed.
check=$(/usr/bin/python3 - "$KK_WORK/metrics.txt" "$KK_WORK/stats4.json" "$KK_WORK/stats6.json" <<'PY'
import json, re, sys
text = open(sys.argv[1]).read()
sample = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{((?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*",?)*)\})? (\S+)$')
types, samples, bad = {}, {}, []
for line in text.splitlines():
    if line.startswith("# TYPE "):
        _, _, name, kind = line.split(" ")
        types[name] = kind
    elif line.startswith("# HELP ") or not line:
        continue
    else:
        m = sample.match(line)
        if not m:
            bad.append(line)
            continue
        labels = tuple(sorted(re.findall(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"', m.group(2) or "")))
        samples[(m.group(1), labels)] = float(m.group(3))
        if m.group(1) not in types:
            bad.append("no TYPE: " + line)
def mapped(service, stat):
    scopes = re.findall(r'([a-z-]+)\[([^\]]*)\]\.', stat)
    name = re.sub(r'^(?:[a-z-]+\[[^\]]*\]\.)*', '', stat)
    s = re.sub(r'[^A-Za-z0-9_]', '_', name)
    gauge = s.startswith("total_") or s.startswith("assigned_") or s == "declined_addresses"
    word = {"pd-pool": "pd_pool"}.get(scopes[-1][0], scopes[-1][0]) + "_" if scopes else ""
    label = {"subnet": "subnet_id", "pool": "pool_id", "pd-pool": "pool_id", "key": "key"}
    labels = tuple(sorted((label[w], i) for w, i in scopes))
    return f"kea_{service}_{word}{s}" + ("" if gauge else "_total"), labels, "gauge" if gauge else "counter"
missing, wrong, checked = [], [], 0
for service, path in (("dhcp4", sys.argv[2]), ("dhcp6", sys.argv[3])):
    for stat, v in json.load(open(path))["arguments"].items():
        name, labels, kind = mapped(service, stat)
        value = v[0][0]
        got = samples.get((name, labels))
        if got is None:
            missing.append(f"{stat} -> {name}{labels}")
            continue
        if got != value or types.get(name) != kind:
            wrong.append(f"{stat}: {value} vs {name}{labels}={got} {types.get(name)}")
        checked += 1
up = {dict(l).get("service"): v for (n, l), v in samples.items() if n == "kakapo_up"}
print(json.dumps({"bad": bad, "missing": missing, "wrong": wrong, "checked": checked, "up": up,
                  "assigned": samples.get(("kea_dhcp4_subnet_assigned_addresses", (("subnet_id", "1"),))),
                  "total": samples.get(("kea_dhcp4_subnet_total_addresses", (("subnet_id", "1"),))),
                  "nas": samples.get(("kea_dhcp6_subnet_assigned_nas", (("subnet_id", "1"),))),
                  "pkt4": types.get("kea_dhcp4_pkt4_received_total")}))
PY
)
echo "$check" >"$KK_WORK/metrics-check.json"
kk_assert_eq "every sample line well-formed" "[]" "$(echo "$check" | kk_json 'd["bad"]')"
kk_assert_eq "every statistic of both daemons is exposed" "[]" "$(echo "$check" | kk_json 'd["missing"]')"
kk_assert_eq "every value and type as the daemons say" "[]" "$(echo "$check" | kk_json 'd["wrong"]')"
kk_assert_ge "statistics checked" "$(echo "$check" | kk_json 'd["checked"]')" 40
kk_assert_eq "kea_dhcp4_subnet_assigned_addresses{subnet_id=\"1\"}" 2.0 "$(echo "$check" | kk_json 'd["assigned"]')"
kk_assert_eq "kea_dhcp4_subnet_total_addresses{subnet_id=\"1\"}" 100.0 "$(echo "$check" | kk_json 'd["total"]')"
kk_assert_eq "kea_dhcp6_subnet_assigned_nas{subnet_id=\"1\"}" 1.0 "$(echo "$check" | kk_json 'd["nas"]')"
kk_assert_eq "kea_dhcp4_pkt4_received_total is a counter" counter "$(echo "$check" | kk_json 'd["pkt4"]')"
kk_assert_eq "kakapo_up per daemon (d2 absent)" '{"d2": 0.0, "dhcp4": 1.0, "dhcp6": 1.0}' \
    "$(echo "$check" | kk_json 'dict(sorted(d["up"].items()))')"

echo "== kakapo-log-get through the agent"
logs=$(ncurl -u "$USERPASS" -H 'Content-Type: application/json' \
    -d '{"command": "kakapo-log-get", "service": ["dhcp4"], "arguments": {"limit": 5}}' "$base/")
kk_assert_eq "kakapo-log-get answers" 0 "$(echo "$logs" | kk_json 'd[0]["result"]')"
kk_assert_eq "kakapo-log-get: at most the limit" 1 "$(echo "$logs" | kk_json 'int(1 <= len(d[0]["arguments"]["events"]) <= 5)')"
kk_assert_eq "kakapo-log-get: newest first, this very command" COMMAND_RECEIVED "$(echo "$logs" | kk_json 'd[0]["arguments"]["events"][0]["id"]')"
logs=$(ncurl -u "$USERPASS" -H 'Content-Type: application/json' \
    -d '{"command": "kakapo-log-get", "service": ["dhcp4"], "arguments": {"limit": 200}}' "$base/")
kk_assert_match "kakapo-log-get: the start-up line too" 'DHCP4_STARTED' "$(echo "$logs" | kk_json '[e["id"] for e in d[0]["arguments"]["events"]]')"

echo "== (b) the dashboard in headless Chromium"
kk_assert_eq "GET /dashboard/ 200" 200 "$(ncurl -o /dev/null -w '%{http_code}' -u "$USERPASS" "$base/dashboard/")"
shot="$KK_WORK/dashboard.png"
page=$(timeout 120 ip netns exec "$KK_SRV_NS" /usr/bin/python3 "$KK_LIB_DIR/dashboard_cdp.py" \
    --url "$base/dashboard/" --auth "$USERPASS" --profile "$KK_WORK/chromium" --screenshot "$shot" \
    --search "mac=02:00:00:00:aa:01" --search "auto=laptop.kakapo.example" \
    --search "auto=00:03:00:01:02:00:00:00:bb:01" --search "address=192.0.2.199" --search "auto=192.0.2.150")
echo "$page" >"$KK_WORK/dashboard.json"
[ -n "$page" ] || page='{"error": "no output from dashboard_cdp.py"}'
kk_assert_eq "the browser session ran" "" "$(echo "$page" | kk_json 'd.get("error", "")')"
kk_assert_eq "the page's status" 200 "$(echo "$page" | kk_json 'd.get("status")')"
kk_assert_eq "no script errors" "[]" "$(echo "$page" | kk_json 'd.get("exceptions")')"
pools() { echo "$page" | kk_json "$1"; }
kk_assert_eq "pool utilization: dhcp4 subnet 1, 2 of 100" "1 2 100" \
    "$(pools '" ".join(str(x) for p in d.get("pools", []) if p["service"] == "dhcp4" and not p["scope"] for x in (p["subnet"], p["assigned"], p["total"]))')"
kk_assert_match "pool bar labelled with the subnet" '192\.0\.2\.0/24.*2 / 100 \(2\.0%\)' "$(pools '[p["text"] for p in d.get("pools", [])]')"
kk_assert_eq "pool bar width 2%" 2.0 "$(pools '([float(p["width"].rstrip("%")) for p in d.get("pools", []) if p["service"] == "dhcp4" and not p["scope"]] or [None])[0]')"
kk_assert_eq "pool utilization: dhcp6 subnet 1, 1 of 256" "1 256" \
    "$(pools '" ".join(str(x) for p in d.get("pools", []) if p["service"] == "dhcp6" and not p["scope"] and p["kind"] == "nas" for x in (p["assigned"], p["total"]))')"
kk_assert_match "packet rates listed" 'pkt4-received' "$(pools 'd.get("rates")')"
kk_assert_ge "log events shown" "$(pools 'd.get("log", 0)')" 1
s() { echo "$page" | kk_json "(d.get('searches') or [{}] * 5)[$1]$2" 2>/dev/null; }
kk_assert_eq "search by MAC: one lease" 1 "$(s 0 '.get("done")')"
kk_assert_eq "search by MAC: address shown" 192.0.2.150 "$(s 0 '["leases"][0]["ip-address"]')"
kk_assert_eq "search by MAC: MAC shown" 02:00:00:00:aa:01 "$(s 0 '["leases"][0]["hw-address"]')"
kk_assert_eq "search by MAC: host name shown" printer.kakapo.example "$(s 0 '["leases"][0]["hostname"]')"
kk_assert_eq "search by MAC: timeline with cltt, T1, T2 and expiry" "cltt|T1 renew|T2 rebind|expiry" \
    "$(s 0 '["leases"][0]["marks"]' | /usr/bin/python3 -c 'import json,sys; print("|".join(json.load(sys.stdin)[:4]))')"
kk_assert_eq "search by host name: the laptop" "192.0.2.151 02:00:00:00:aa:02" "$(s 1 '["leases"][0]["ip-address"]') $(s 1 '["leases"][0]["hw-address"]')"
kk_assert_eq "search by DUID: the phone's v6 lease" "2001:db8:1::150 phone.kakapo.example" "$(s 2 '["leases"][0]["ip-address"]') $(s 2 '["leases"][0]["hostname"]')"
kk_assert_eq "search for a free address: nothing" 0 "$(s 3 '.get("done")')"
kk_assert_eq "search for a free address: no error" "[]" "$(s 3 '.get("errors")')"
kk_assert_eq "search by address: the printer" printer.kakapo.example "$(s 4 '["leases"][0]["hostname"]')"
kk_assert "screenshot kept (a PNG)" sh -c "[ -s '$shot' ] && head -c 4 '$shot' | od -An -tx1 | grep -q '89 50 4e 47'"
if [ -s "$shot" ]; then
    mkdir -p "$KK_REPO_ROOT/.build/artifacts" && cp "$shot" "$KK_REPO_ROOT/.build/artifacts/dashboard.png" \
        && kk_note "screenshot: $KK_REPO_ROOT/.build/artifacts/dashboard.png"
fi

echo "== the daemons kept serving"
kk_assert_eq "dhcp4 still answers" 0 "$(kk_ctl status-get | result)"
kk_assert_eq "dhcp6 still answers" 0 "$(ctl6 status-get | result)"
kk_assert "the agent is still running" kill -0 "$AGENT_PID"
kk_finish
