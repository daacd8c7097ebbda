# Helpers for tests that run a private BIND 9 (named); source after lib.sh.
#   kk_tsig_secret ALG NAME          : a fresh base64 secret from tsig-keygen
#   kk_named_zone DIR ORIGIN [NSADDR]: an empty zone file DIR/ORIGIN.db (SOA, NS ns.example.org.);
#                                      NSADDR: the zone holds ns (the example.org zone must)
#   kk_named_start NS DIR ADDR BODY  : named.conf in DIR listening on ADDR:53 (plus ::1), then
#                                      BODY (keys and zones); named runs in namespace NS as
#                                      user bind in the foreground; waits until it answers.
#                                      Sets NAMED_PID and NAMED_LOG (DIR/named.log).
kk_tsig_secret() { tsig-keygen -a "$1" "$2" | sed -n 's/.*secret "\(.*\)";.*/\1/p'; }

kk_named_zone() {
    cat >"$1/$2.db" <<EOF2
\$TTL 300
@ IN SOA ns.example.org. hostmaster.example.org. 1 3600 600 86400 300
@ IN NS ns.example.org.
EOF2
    if [ -n "${3:-}" ]; then echo "ns IN A $3" >>"$1/$2.db"; fi
}

kk_named_start() {
    local ns=$1 dir=$2 addr=$3 body=$4 first
    cat >"$dir/named.conf" <<EOF2
options {
    directory "$dir";
    pid-file "$dir/named.pid";
    session-keyfile "$dir/session.key";
    managed-keys-directory "$dir";
    listen-on port 53 { $addr; };
    listen-on-v6 port 53 { ::1; };
    recursion no;
    dnssec-validation no;
    allow-query { any; };
};
$body
EOF2
    chown -R bind:bind "$dir" 2>/dev/null || true
    NAMED_LOG=$dir/named.log
    ip netns exec "$ns" named -g -u bind -c "$dir/named.conf" >"$NAMED_LOG" 2>&1 &
    NAMED_PID=$!
    KK_PIDS+=("$NAMED_PID")
    first=$(sed -n 's/^zone "\([^"]*\)".*/\1/p' "$dir/named.conf" | head -n 1)
    kk_wait_for 15 bash -c "ip netns exec '$ns' dig @$addr +short +time=1 +tries=1 '$first' SOA | grep -q hostmaster" \
        || { tail -20 "$NAMED_LOG"; kk_die "named did not answer on $addr"; }
}
