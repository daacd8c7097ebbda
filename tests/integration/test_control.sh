#!/usr/bin/env bash
# The control socket end to end (Kea's commands, result codes and shapes), hostile input on
# the socket, SIGHUP reload (a broken file keeps the running config), config-reload,
# config-write, shutdown, and a log file written with the config's pattern.
. "$(dirname "$0")/lib.sh"
kk_init
kk_need udhcpc
kk_topology eth0 192.0.2.1/24
conf="$KK_WORK/kea-dhcp4.conf"
log="$KK_WORK/server.log"
kk_write_basic_config "$conf"
python3 - "$conf" "$log" <<'PY'
import sys
p, log = sys.argv[1], sys.argv[2]
s = open(p).read()
i = s.index('"loggers"')
j = s.index('\n', i)
s = s[:i] + '"loggers": [ { "name": "kea-dhcp4", "output_options": [ { "output": "%s", "pattern": "%%D{%%Y-%%m-%%d %%H:%%M:%%S.%%q} %%-5p %%m\\n" } ], "severity": "INFO" } ]' % log + s[j:]
open(p, "w").write(s)
PY
kk_server_start_ready "$conf"
result() { kk_json 'd["result"]'; }

echo "== log file with the config's pattern"
kk_assert "log file has DHCP4_STARTED in the configured pattern" \
    grep -Eq '^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:]{8}\.[0-9]{3} INFO  DHCP4_STARTED .*server version .* started' "$log"

echo "== commands"
cmds=$(kk_ctl list-commands | kk_json '" ".join(d["arguments"])')
for c in build-report config-get config-reload config-test config-write lease4-add lease4-del lease4-get \
         lease4-get-all lease4-get-by-hostname lease4-resend-ddns lease4-write lease4-wipe leases-reclaim list-commands shutdown statistic-get statistic-get-all \
         statistic-reset-all status-get version-get; do
    case " $cmds " in *" $c "*) kk_pass "list-commands has $c" ;; *) kk_fail "list-commands lacks $c" ;; esac
done
kk_assert_eq "version-get result" 0 "$(kk_ctl version-get | result)"
kk_assert_eq "lease4-add result" 0 "$(kk_ctl lease4-add '{"ip-address": "192.0.2.150", "hw-address": "02:00:00:00:aa:01"}' | result)"
kk_assert_eq "lease4-get finds it" "02:00:00:00:aa:01" "$(kk_ctl lease4-get '{"ip-address": "192.0.2.150"}' | kk_json 'd["arguments"]["hw-address"]')"
kk_assert_ne "lease4-add of an existing lease is refused" 0 "$(kk_ctl lease4-add '{"ip-address": "192.0.2.150", "hw-address": "02:00:00:00:aa:02"}' | result)"
kk_assert_eq "lease4-add outside any subnet is an error" 1 "$(kk_ctl lease4-add '{"ip-address": "203.0.113.9", "hw-address": "02:00:00:00:aa:03"}' | result)"
kk_assert "lease4-add is in the lease file" grep -q '^192.0.2.150,02:00:00:00:aa:01,' "$KK_WORK/leases4.csv"
kk_assert_eq "lease4-get-by-hostname of an unknown name: empty (3)" 3 "$(kk_ctl lease4-get-by-hostname '{"hostname": "nobody.example.org"}' | result)"
kk_assert_eq "lease4-resend-ddns without DDNS enabled: conflict (4)" 4 "$(kk_ctl lease4-resend-ddns '{"ip-address": "192.0.2.150"}' | result)"
kk_assert_eq "lease4-write result" 0 "$(kk_ctl lease4-write "{\"filename\": \"$KK_WORK/written4.csv\"}" | result)"
kk_assert "lease4-write wrote the lease" grep -q '^192.0.2.150,02:00:00:00:aa:01,' "$KK_WORK/written4.csv"
kk_add_client c1
kk_client_start c1 udhcpc
kk_client_wait_bound c1 30 || kk_fail "udhcpc got no address"
kk_assert_eq "lease4-get-all counts both leases" 2 "$(kk_ctl lease4-get-all | kk_json 'len(d["arguments"]["leases"])')"
kk_assert_eq "subnet[1].assigned-addresses" 2 "$(kk_stat 'subnet[1].assigned-addresses')"
kk_assert_eq "lease4-del result" 0 "$(kk_ctl lease4-del '{"ip-address": "192.0.2.150"}' | result)"
kk_assert_eq "lease4-get after delete: empty (3)" 3 "$(kk_ctl lease4-get '{"ip-address": "192.0.2.150"}' | result)"
kk_assert_eq "subnet[1].assigned-addresses after delete" 1 "$(kk_stat 'subnet[1].assigned-addresses')"
kk_assert_eq "leases-reclaim result" 0 "$(kk_ctl leases-reclaim '{"remove": true}' | result)"
kk_assert_eq "leases-reclaim without remove is an error" 1 "$(kk_ctl leases-reclaim '{}' | result)"
kk_assert_ge "pkt4-received before reset" "$(kk_stat pkt4-received)" 1
kk_assert_eq "statistic-reset-all result" 0 "$(kk_ctl statistic-reset-all | result)"
kk_assert_eq "pkt4-received after reset" 0 "$(kk_stat pkt4-received)"

echo "== config-test, config-write"
cfg=$(kk_ctl config-get | kk_json 'd["arguments"]')
kk_assert_eq "config-test of the running config" 0 "$(kk_ctl config-test "$cfg" | result)"
bad=$(printf '%s' "$cfg" | python3 -c 'import json,sys; d=json.load(sys.stdin); d["Dhcp4"]["bogus-key"]=1; print(json.dumps(d))')
resp=$(kk_ctl config-test "$bad")
kk_assert_eq "config-test of a config with an unknown key" 1 "$(printf '%s' "$resp" | result)"
kk_assert_match "config-test names the unknown key" 'bogus-key' "$resp"
kk_assert_eq "config-write result" 0 "$(kk_ctl config-write "{\"filename\": \"$KK_WORK/written.json\"}" | result)"
kk_server_check "$KK_WORK/written.json"
kk_assert_eq "the written config passes -t" 0 "$KK_CHECK_RC"

echo "== hostile input on the control socket"
sock=$KK_SERVER_SOCK
garbage() { python3 - "$sock" "$1" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX); s.settimeout(5); s.connect(sys.argv[1])
s.sendall(sys.argv[2].encode()); s.shutdown(socket.SHUT_WR)
data = b""
while True:
    b = s.recv(65536)
    if not b: break
    data += b
print(data.decode(errors="replace"))
PY
}
kk_assert_eq "not JSON: result 1" 1 "$(garbage 'this is not json' | result)"
kk_assert_eq "command not a string: result 1" 1 "$(garbage '{"command": 42}' | result)"
kk_assert_eq "arguments not a map: result 1" 1 "$(garbage '{"command": "lease4-get", "arguments": [1]}' | result)"
kk_assert_eq "unknown command: result 2" 2 "$(garbage '{"command": "no-such-command"}' | result)"
garbage '{"command": "status-get"' >/dev/null   # truncated, then EOF
python3 - "$sock" <<'PY'
import socket, sys, time
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.close()   # connect and leave
PY
kk_assert_eq "still answering after hostile input" 0 "$(kk_ctl status-get | result)"

echo "== SIGHUP reload"
spid=$(kk_ctl status-get | kk_json 'd["arguments"]["pid"]')
sed -i 's/"valid-lifetime": 3600/"valid-lifetime": 1234/' "$conf"
kill -HUP "$spid"
kk_wait_for 10 grep -q DHCP4_DYNAMIC_RECONFIGURATION_SUCCESS "$log" && kk_pass "SIGHUP: reconfiguration logged" || kk_fail "no DHCP4_DYNAMIC_RECONFIGURATION_SUCCESS"
kk_assert_eq "SIGHUP applied the new valid-lifetime" 1234 "$(kk_ctl config-get | kk_json 'd["arguments"]["Dhcp4"]["valid-lifetime"]')"
cp "$conf" "$KK_WORK/good.conf"
sed -i 's/"valid-lifetime": 1234,/"valid-lifetime": 999/' "$conf"    # drops the comma: syntax error
kill -HUP "$spid"
kk_wait_for 10 grep -q DHCP4_DYNAMIC_RECONFIGURATION_FAIL "$log" && kk_pass "broken file: failure logged" || kk_fail "no DHCP4_DYNAMIC_RECONFIGURATION_FAIL"
kk_assert_eq "broken file: running config kept" 1234 "$(kk_ctl config-get | kk_json 'd["arguments"]["Dhcp4"]["valid-lifetime"]')"
kk_add_client c2
kk_client_start c2 udhcpc
kk_client_wait_bound c2 30 && kk_pass "still serving after the failed reload" || kk_fail "no lease after the failed reload"
kk_assert_eq "the new lease has the reloaded lifetime" 1234 "$(kk_leases "$KK_WORK/leases4.csv" --mac "${KK_CMAC[c2]}" --last --field valid_lifetime)"
kk_assert_eq "config-reload of the broken file is an error" 1 "$(kk_ctl config-reload | result)"
cp "$KK_WORK/good.conf" "$conf"
kk_assert_eq "config-reload of the fixed file" 0 "$(kk_ctl config-reload | result)"

echo "== wipe and shutdown"
kk_assert_eq "lease4-wipe result" 0 "$(kk_ctl lease4-wipe '{"subnet-id": 1}' | result)"
kk_assert_eq "no leases after wipe" 3 "$(kk_ctl lease4-get-all | result)"
kk_assert_eq "shutdown result" 0 "$(kk_ctl shutdown | result)"
kk_wait_for 10 sh -c "! kill -0 $spid 2>/dev/null" && kk_pass "server exited after shutdown" || kk_fail "server still running after shutdown"
KK_SERVER_PID=""
kk_finish
