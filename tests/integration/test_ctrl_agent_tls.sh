#!/usr/bin/env bash
# The control agent over HTTPS (TLS through the system's OpenSSL): certificates made here with
# `openssl` (a CA, the agent's certificate, a client certificate, and a client certificate from
# a CA nobody trusts); one agent with cert-required true, one with cert-required false and
# basic authentication, one in plain HTTP. curl and kakapo-shell drive them (and Kea's
# kea-shell, for comparison). Failed handshakes (no client certificate when one is required,
# an untrusted one, plain HTTP to the TLS port, garbage) are each closed cleanly and the agent
# keeps serving.
#
#   CTRL_AGENT=kakapo (default) | kea    agent under test
#   KAKAPO_CTRL_AGENT=PATH               default <repo>/.build/debug/kakapo-ctrl-agent
#   KEA_CTRL_AGENT=PATH                  default $(command -v kea-ctrl-agent)
#   KAKAPO_SHELL=PATH                    default <repo>/.build/debug/kakapo-shell
. "$(dirname "$0")/lib.sh"
# No DHCP server runs in this test: kk_init's server check is given something that exists.
KAKAPO_DHCP4=${KAKAPO_DHCP4:-/bin/true} KEA_DHCP4=${KEA_DHCP4:-/bin/true} kk_init
kk_need openssl curl
CTRL_AGENT=${CTRL_AGENT:-kakapo}
case "$CTRL_AGENT" in
    kakapo) agent_bin=${KAKAPO_CTRL_AGENT:-$KK_REPO_ROOT/.build/debug/kakapo-ctrl-agent} ;;
    kea)    agent_bin=${KEA_CTRL_AGENT:-$(command -v kea-ctrl-agent || echo /usr/sbin/kea-ctrl-agent)} ;;
    *)      kk_die "unknown CTRL_AGENT=$CTRL_AGENT" ;;
esac
shell_bin=${KAKAPO_SHELL:-$KK_REPO_ROOT/.build/debug/kakapo-shell}
[ -x "$agent_bin" ] || kk_die "agent binary not found: $agent_bin"
[ -x "$shell_bin" ] || kk_die "kakapo-shell not found: $shell_bin"
kk_log "agent=$CTRL_AGENT bin=$agent_bin shell=$shell_bin"

ns="$KK_ID-agent"
kk_netns_add "$ns"
in_ns() { ip netns exec "$ns" "$@"; }

echo "== certificates"
pki="$KK_WORK/pki"
mkdir -p "$pki"
(
    set -e
    cd "$pki"
    ec="-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes"
    for ca in ca rogue-ca; do
        openssl req -x509 $ec -keyout $ca.key -out $ca.pem -days 30 -subj "/CN=Kakapo test $ca" \
            -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign
    done
    sign() {   # sign NAME CA CN SAN USAGE
        openssl req $ec -keyout "$1.key" -out "$1.csr" -subj "/CN=$3"
        printf 'basicConstraints=CA:FALSE\nsubjectAltName=%s\nextendedKeyUsage=%s\n' "$4" "$5" >"$1.ext"
        openssl x509 -req -in "$1.csr" -CA "$2.pem" -CAkey "$2.key" -CAcreateserial -days 30 \
            -out "$1.pem" -extfile "$1.ext"
    }
    sign server ca localhost DNS:localhost,IP:127.0.0.1 serverAuth
    sign client ca admin DNS:admin clientAuth
    sign rogue rogue-ca admin DNS:admin clientAuth
    sign rogue-server rogue-ca localhost DNS:localhost,IP:127.0.0.1 serverAuth
) >"$KK_WORK/pki.log" 2>&1 || { cat "$KK_WORK/pki.log"; kk_die "openssl could not make the certificates"; }
kk_pass "CA, server, client and untrusted certificates made with openssl"

# agent_conf FILE PORT TLS(yes/no) CERT_REQUIRED AUTH(yes/no)
agent_conf() {
    local file=$1 port=$2 tls=$3 required=$4 auth=$5 extra=""
    if [ "$tls" = yes ]; then
        extra+="\"trust-anchor\": \"$pki/ca.pem\", \"cert-file\": \"$pki/server.pem\","
        extra+=" \"key-file\": \"$pki/server.key\", \"cert-required\": $required,"
    fi
    if [ "$auth" = yes ]; then
        extra+=' "authentication": { "type": "basic", "realm": "kakapo-test",'
        extra+=' "clients": [ { "user": "admin", "password": "1234" } ] },'
    fi
    cat >"$file" <<EOF
{
  "Control-agent": {
    "http-host": "127.0.0.1",
    "http-port": $port,
    $extra
    "control-sockets": {
      "dhcp4": { "socket-type": "unix", "socket-name": "$KK_WORK/dhcp4.sock" }
    },
    "loggers": [ { "name": "kea-ctrl-agent", "output_options": [ { "output": "stdout" } ],
                   "severity": "DEBUG", "debuglevel": 40 } ]
  }
}
EOF
}

declare -A agent_pid=() agent_out=()
start_agent() {   # start_agent NAME CONF PORT
    local name=$1 conf=$2 port=$3 i
    agent_out[$name]="$KK_WORK/agent-$name.out"
    mkdir -p "$KK_WORK/run-$name"
    in_ns env KEA_PIDFILE_DIR="$KK_WORK/run-$name" KEA_LOCKFILE_DIR="$KK_WORK/run-$name" \
        "$agent_bin" -c "$conf" >"${agent_out[$name]}" 2>&1 &
    agent_pid[$name]=$!
    KK_PIDS+=("$!")
    for ((i = 0; i < 100; i++)); do
        in_ns ss -Hltn "sport = :$port" 2>/dev/null | grep -q . && return 0
        kill -0 "${agent_pid[$name]}" 2>/dev/null || break
        sleep 0.1
    done
    tail -n 20 "${agent_out[$name]}"
    kk_die "agent $name did not listen on port $port"
}
alive() { kill -0 "${agent_pid[$1]}" 2>/dev/null; }

agent_conf "$KK_WORK/required.json" 8443 yes true no
agent_conf "$KK_WORK/optional.json" 8444 yes false yes
agent_conf "$KK_WORK/plain.json" 8000 no false no
start_agent required "$KK_WORK/required.json" 8443
start_agent optional "$KK_WORK/optional.json" 8444
start_agent plain "$KK_WORK/plain.json" 8000

body='{ "command": "list-commands" }'
# curl_post URL [curl options...] : prints the body, then "http=CODE curl=EXIT" on its own line
curl_post() {
    local url=$1; shift
    local out rc
    out=$(in_ns curl -sS --max-time 10 -H 'Content-Type: application/json' -d "$body" \
          -w '\nhttp=%{http_code}' "$@" "$url" 2>&1)
    rc=$?
    printf '%s curl=%s\n' "$out" "$rc"
}
result_of() { sed -n 's/.*"result": *\([0-9]*\).*/\1/p' | head -n 1; }
sh_run() { in_ns "$shell_bin" "$@"; }
sh_rc() { in_ns "$shell_bin" "$@" >/dev/null 2>&1; echo $?; }

good=(--cacert "$pki/ca.pem" --cert "$pki/client.pem" --key "$pki/client.key")

echo "== cert-required true: curl"
out=$(curl_post https://127.0.0.1:8443/ "${good[@]}")
kk_assert_match "curl with a client certificate: HTTP 200" 'http=200 curl=0' "$out"
kk_assert_eq "curl with a client certificate: list-commands result 0" 0 "$(echo "$out" | result_of)"
out=$(curl_post https://localhost:8443/ "${good[@]}")
kk_assert_match "curl by host name (localhost in the certificate)" 'http=200 curl=0' "$out"
out=$(curl_post https://127.0.0.1:8443/ --cacert "$pki/ca.pem")
kk_assert_match "curl without a client certificate is refused" 'curl=(35|56|52|16)$' "$out"
out=$(curl_post https://127.0.0.1:8443/ --cacert "$pki/ca.pem" --cert "$pki/rogue.pem" --key "$pki/rogue.key")
kk_assert_match "curl with an untrusted client certificate is refused" 'curl=(35|56|52|16)$' "$out"
if [ "$CTRL_AGENT" = kakapo ]; then
    if kk_wait_for 5 grep -q HTTP_CONNECTION_HANDSHAKE_FAILED "${agent_out[required]}"; then
        kk_pass "the failed handshakes are logged (HTTP_CONNECTION_HANDSHAKE_FAILED)"
    else kk_fail "no HTTP_CONNECTION_HANDSHAKE_FAILED in the agent's log"; fi
fi
out=$(curl_post https://127.0.0.1:8443/ --cacert "$pki/rogue-ca.pem" --cert "$pki/client.pem" --key "$pki/client.key")
kk_assert_match "curl trusting another CA refuses the agent's certificate" 'curl=60$' "$out"
out=$(curl_post http://127.0.0.1:8443/)
kk_assert_match "plain HTTP to the TLS port gets no HTTP answer" 'http=000 curl=(52|56|35|1)$' "$out"

echo "== garbage and half-open handshakes on the TLS port"
garbage_closed() {   # garbage_closed PORT MODE : the agent closes (EOF) within 5 s
    in_ns python3 - "$1" "$2" <<'PY'
import socket, sys, os
port, mode = int(sys.argv[1]), sys.argv[2]
s = socket.create_connection(("127.0.0.1", port), timeout=5)
if mode == "garbage":
    s.sendall(os.urandom(4096))
elif mode == "zeros":
    s.sendall(b"\x16\x03\x01\x00\x05" + b"\x00" * 5)   # a handshake record holding junk
s.settimeout(5)
try:
    while True:
        data = s.recv(4096)
        if not data:
            sys.exit(0)          # clean close (an alert may come first)
except ConnectionResetError:
    sys.exit(0)                  # closed with unread data: also a close, not a hang
except socket.timeout:
    sys.exit(1)
PY
}
kk_assert "random bytes instead of a ClientHello: connection closed" garbage_closed 8443 garbage
kk_assert "a malformed handshake record: connection closed" garbage_closed 8443 zeros
kk_assert "openssl s_client without a certificate: handshake fails" \
    bash -c "! (sleep 1 | ip netns exec $ns openssl s_client -connect 127.0.0.1:8443 -CAfile $pki/ca.pem -verify_return_error >/dev/null 2>&1 && \
              echo '{\"command\":\"list-commands\"}' | ip netns exec $ns openssl s_client -quiet -connect 127.0.0.1:8443 -CAfile $pki/ca.pem 2>/dev/null | grep -q result)"
for i in 1 2 3 4 5; do
    in_ns curl -s --max-time 5 -d "$body" --cacert "$pki/ca.pem" https://127.0.0.1:8443/ >/dev/null 2>&1
done
kk_assert "agent (cert-required) still running after the failed handshakes" alive required
out=$(curl_post https://127.0.0.1:8443/ "${good[@]}")
kk_assert_match "agent (cert-required) still serves after the failed handshakes" 'http=200 curl=0' "$out"

echo "== cert-required true: kakapo-shell"
out=$(sh_run --port 8443 --ca "$pki/ca.pem" --cert "$pki/client.pem" --key "$pki/client.key" list-commands </dev/null)
kk_assert_eq "kakapo-shell over TLS with a client certificate: result 0" 0 "$(echo "$out" | result_of)"
out=$(sh_run --host localhost --port 8443 --ca "$pki/ca.pem" --cert "$pki/client.pem" --key "$pki/client.key" version-get </dev/null)
kk_assert_eq "kakapo-shell by host name: version-get result 0" 0 "$(echo "$out" | result_of)"
kk_assert_ne "kakapo-shell without a client certificate exits non-zero" 0 "$(sh_rc --port 8443 --ca "$pki/ca.pem" </dev/null)"
out=$(sh_run --port 8443 --ca "$pki/ca.pem" </dev/null)
kk_assert_match "... and says why" '^Failed to run: .*(certificate required|closed)' "$out"
kk_assert_ne "kakapo-shell with an untrusted client certificate exits non-zero" 0 \
    "$(sh_rc --port 8443 --ca "$pki/ca.pem" --cert "$pki/rogue.pem" --key "$pki/rogue.key" </dev/null)"
out=$(sh_run --port 8443 --ca "$pki/rogue-ca.pem" --cert "$pki/client.pem" --key "$pki/client.key" </dev/null)
kk_assert_match "kakapo-shell refuses an agent its CA does not vouch for" '^Failed to run: .*certificate verify failed' "$out"
out=$(sh_run --host 127.0.0.1 --port 8443 --ca "$pki/ca.pem" --cert "$pki/client.pem" --key "$pki/rogue.key" </dev/null)
kk_assert_match "kakapo-shell with a key that does not match its certificate: setup error" '^Failed to run: .*does not match' "$out"
out=$(sh_run --port 8443 list-commands </dev/null)
kk_assert_match "kakapo-shell in plain HTTP to the TLS port fails" '^Failed to run: ' "$out"
kk_assert "agent (cert-required) still running" alive required

echo "== cert-required false, basic authentication"
out=$(curl_post https://127.0.0.1:8444/ --cacert "$pki/ca.pem" -u admin:1234)
kk_assert_match "curl without a client certificate, with credentials: HTTP 200" 'http=200 curl=0' "$out"
out=$(curl_post https://127.0.0.1:8444/ "${good[@]}" -u admin:1234)
kk_assert_match "curl with a client certificate and credentials: HTTP 200" 'http=200 curl=0' "$out"
out=$(curl_post https://127.0.0.1:8444/ --cacert "$pki/ca.pem")
kk_assert_match "curl without credentials: 401" 'http=401 curl=0' "$out"
out=$(curl_post https://127.0.0.1:8444/ --cacert "$pki/ca.pem" -u admin:wrong)
kk_assert_match "curl with a wrong password: 401" 'http=401 curl=0' "$out"
out=$(sh_run --port 8444 --ca "$pki/ca.pem" --auth-user admin --auth-password 1234 list-commands </dev/null)
kk_assert_eq "kakapo-shell with credentials over TLS: result 0" 0 "$(echo "$out" | result_of)"
out=$(sh_run --port 8444 --ca "$pki/ca.pem" --auth-user admin --auth-password wrong list-commands </dev/null)
kk_assert_eq "kakapo-shell with a wrong password: Kea's message" "Failed to run: HTTP Error 401: Unauthorized" "$out"
kk_assert_ne "... and a non-zero exit" 0 "$(sh_rc --port 8444 --ca "$pki/ca.pem" --auth-user admin --auth-password wrong </dev/null)"
if [ "$CTRL_AGENT" = kakapo ]; then
    # Without cert-required Kakapo still checks a certificate a client offers (Kea 2.2 does
    # not ask for one and accepts anything).
    out=$(curl_post https://127.0.0.1:8444/ --cacert "$pki/ca.pem" --cert "$pki/rogue.pem" --key "$pki/rogue.key" -u admin:1234)
    kk_assert_match "curl offering an untrusted client certificate is refused" 'curl=(35|56|52|16)$' "$out"
else
    kk_note "Kea 2.2 accepts an offered untrusted client certificate when cert-required is false"
fi
out=$(curl_post http://127.0.0.1:8444/ -u admin:1234)
kk_assert_match "plain HTTP to the TLS port (cert-required false) gets no HTTP answer" 'http=000' "$out"
kk_assert "random bytes to the TLS port (cert-required false): connection closed" garbage_closed 8444 garbage
kk_assert "agent (cert-required false) still running" alive optional
out=$(curl_post https://127.0.0.1:8444/ --cacert "$pki/ca.pem" -u admin:1234)
kk_assert_match "agent (cert-required false) still serves" 'http=200 curl=0' "$out"

echo "== plain HTTP: kakapo-shell"
out=$(sh_run --port 8000 list-commands </dev/null)
kk_assert_eq "kakapo-shell in plain HTTP: list-commands result 0" 0 "$(echo "$out" | result_of)"
out=$(sh_run --port 8000 </dev/null)
kk_assert_eq "kakapo-shell's default command is list-commands" 0 "$(echo "$out" | result_of)"
kk_assert_match "list-commands lists version-get" '"version-get"' "$out"
out=$(sh_run --port 8000 version-get </dev/null)
kk_assert_eq "kakapo-shell version-get: result 0" 0 "$(echo "$out" | result_of)"
out=$(sh_run --port 8000 --service dhcp4 list-commands </dev/null)
kk_assert_match "kakapo-shell --service dhcp4 with no dhcp4 running: an error answer, not a transport error" '"result": *[1-9]' "$out"
kk_assert_eq "... with exit 0 (the agent answered)" 0 "$(sh_rc --port 8000 --service dhcp4 list-commands </dev/null)"
out=$(printf '"remove": true' | sh_run --port 8000 config-test)
kk_assert_match "arguments from standard input reach the agent (config-test answers)" '"result": *[0-9]' "$out"
kk_assert_ne "kakapo-shell to a closed port exits non-zero" 0 "$(sh_rc --port 8999 </dev/null)"
out=$(sh_run --port 8999 </dev/null)
kk_assert_match "... and says why" '^Failed to run: .*(refused|connect)' "$out"
in_ns python3 -c '
import socket, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 8099)); s.listen(4)
conns = []
while True:
    conns.append(s.accept()[0])
' &
KK_PIDS+=("$!")
listening() { in_ns ss -Hltn "sport = :$1" | grep -q .; }
kk_wait_for 5 listening 8099 || kk_fail "silent listener did not start"
t0=$(date +%s)
out=$(sh_run --port 8099 --timeout 2 </dev/null; echo "rc=$?")
t1=$(date +%s)
kk_assert_eq "an agent that never answers: Kea's timeout message and exit 1" "Connection timeout
rc=1" "$out"
kk_assert "... after about --timeout seconds" test $((t1 - t0)) -ge 2 -a $((t1 - t0)) -le 5
out=$(sh_run --cert "$pki/client.pem" </dev/null)
kk_assert_eq "--cert without --key: Kea's message" "--cert and --key must be used together" "$out"
out=$(sh_run --cert "$pki/client.pem" --key "$pki/client.key" </dev/null)
kk_assert_eq "--cert and --key without --ca: Kea's message" "--cert and --key with HTTPS disabled (no --ca)" "$out"

if command -v kea-shell >/dev/null 2>&1; then
    echo "== kakapo-shell and Kea's kea-shell print the same answers"
    for cmd in list-commands version-get; do
        ours=$(sh_run --port 8000 "$cmd" </dev/null)
        theirs=$(in_ns kea-shell --port 8000 "$cmd" </dev/null)
        kk_assert_eq "plain HTTP $cmd: same output" "$theirs" "$ours"
    done
    ours=$(sh_run --port 8444 --ca "$pki/ca.pem" --auth-user admin --auth-password 1234 list-commands </dev/null)
    theirs=$(in_ns kea-shell --port 8444 --ca "$pki/ca.pem" --auth-user admin --auth-password 1234 list-commands </dev/null)
    kk_assert_eq "TLS and basic auth list-commands: same output" "$theirs" "$ours"
    ours=$(sh_run --port 8443 --ca "$pki/ca.pem" --cert "$pki/client.pem" --key "$pki/client.key" version-get </dev/null)
    theirs=$(in_ns kea-shell --port 8443 --ca "$pki/ca.pem" --cert "$pki/client.pem" --key "$pki/client.key" version-get </dev/null)
    kk_assert_eq "TLS with a client certificate version-get: same output" "$theirs" "$ours"
    ours=$(sh_run --port 8444 --ca "$pki/ca.pem" --auth-user admin --auth-password bad </dev/null; echo "rc=$?")
    theirs=$(in_ns kea-shell --port 8444 --ca "$pki/ca.pem" --auth-user admin --auth-password bad </dev/null; echo "rc=$?")
    kk_assert_eq "401: same message and exit code" "$theirs" "$ours"
fi

for name in required optional plain; do
    kk_assert "agent $name still running at the end" alive "$name"
done
kk_finish
