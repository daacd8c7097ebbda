#!/usr/bin/env bash
# The seed config Tests/Fixtures/configs/seed/kea-dhcp4.conf, unchanged except for its control
# socket path and its log file path, starts and serves in a namespace whose
# interfaces are eth0 and eth2.  Its subnet (192.168.56.0/24) has no "id": Kea
# numbers it 1.  No address of 192.168.56.0/24 is configured or used anywhere;
# eth0/eth2 get 192.0.2.1/24 and 198.51.100.1/24.
. "$(dirname "$0")/lib.sh"
kk_init
seed="$KK_SEED_DIR/kea-dhcp4.conf"
[ -f "$seed" ] || kk_die "seed config not found: $seed (set KK_SEED_DIR)"

conf="$KK_WORK/kea-dhcp4.conf"
log="$KK_WORK/kea-dhcp4.log"
sock="$KK_WORK/kea4-ctrl-socket"
# Plain text replacement of the two paths (the file has // comments, so no JSON
# round trip); each must occur exactly once, and nothing else may change.
"$KK_PY" - "$seed" "$conf" "$sock" "$log" <<'PY' || kk_die "seed rewrite failed"
import sys
src, dst, sock, log = sys.argv[1:5]
text = open(src, encoding="utf-8").read()
for old, new in (('"/run/kea4-ctrl-socket"', '"%s"' % sock), ('"/var/log/kea-dhcp4.log"', '"%s"' % log)):
    if text.count(old) != 1:
        sys.exit("expected exactly one %s in the seed" % old)
    text = text.replace(old, new)
open(dst, "w", encoding="utf-8").write(text)
PY
changed=$(diff "$seed" "$conf" | grep -c '^[<>]')
kk_assert_eq "only the two path lines differ from the seed" 4 "$changed"

KK_SRV_NS="$KK_ID-srv"; KK_SW_NS="$KK_ID-sw"
kk_netns_add "$KK_SRV_NS"; kk_netns_add "$KK_SW_NS"
kk_attach_server_if eth0 192.0.2.1/24 br0
kk_attach_server_if eth2 198.51.100.1/24 br2
KK_SRV_IF=eth0

kk_server_start "$conf"
if kk_server_wait_ready 25; then
    kk_pass "server started with the seed config (control socket answers)"
else
    kk_die "server did not start with the seed config"
fi
sleep 3
kk_assert "server still running 3 s later" kk_server_alive

st=$(kk_ctl status-get)
kk_assert_eq "status-get result" 0 "$(kk_json 'd.get("result")' <<<"$st")"
kk_assert_eq "status-get reports the server's pid" "$KK_SERVER_PID" "$(kk_json 'd.get("arguments",{}).get("pid")' <<<"$st")"

cg=$(kk_ctl config-get)
kk_assert_eq "config-get result" 0 "$(kk_json 'd.get("result")' <<<"$cg")"
kk_assert_eq "config-get: subnet4 count" 1 "$(kk_json 'len(d["arguments"]["Dhcp4"]["subnet4"])' <<<"$cg")"
kk_assert_eq "config-get: the seed's subnet got id 1" 1 "$(kk_json 'd["arguments"]["Dhcp4"]["subnet4"][0].get("id")' <<<"$cg")"
kk_assert_eq "config-get: subnet prefix" 192.168.56.0/24 "$(kk_json 'd["arguments"]["Dhcp4"]["subnet4"][0]["subnet"]' <<<"$cg")"
kk_assert_eq "config-get: interfaces" '["eth0", "eth2"]' "$(kk_json 'd["arguments"]["Dhcp4"]["interfaces-config"]["interfaces"]' <<<"$cg")"
kk_assert_eq "config-get: control socket is the redirected one" "$sock" \
    "$(kk_json 'd["arguments"]["Dhcp4"]["control-socket"]["socket-name"]' <<<"$cg")"
kk_assert_eq "config-get: valid-lifetime" 3600 "$(kk_json 'd["arguments"]["Dhcp4"]["valid-lifetime"]' <<<"$cg")"
kk_assert_eq "statistic subnet[1].total-addresses (pool .16-.254)" 239 "$(kk_stat 'subnet[1].total-addresses')"

# The log goes where the (redirected) logger says, with Kea's message ids.
kk_wait_for 5 grep -q DHCP4_STARTED "$log"
kk_assert_match "log file has DHCP4_STARTED" 'DHCP4_STARTED' "$(cat "$log" 2>/dev/null)"

# It serves: a DISCOVER arriving on eth0 is received and counted (no subnet of
# the seed matches the link, so no offer is expected), and the server stays up.
kk_add_client c1
before=$(kk_stat pkt4-discover-received)
timeout 15 ip netns exec "${KK_CNS[c1]}" unshare --mount --uts --propagation private \
    "$KK_LIB_DIR/clientwrap.sh" "$(kk_cdir c1)" \
    udhcpc -f -q -n -i eth0 -s /bin/true -t 2 -T 1 >"$(kk_cdir c1)/client.out" 2>&1
kk_assert_gt "pkt4-discover-received grew after a DISCOVER on eth0" "$(kk_stat pkt4-discover-received)" "$before"
kk_assert "server still running after the DISCOVERs" kk_server_alive
kk_assert "server stops on SIGTERM within 10 s" kk_server_stop
kk_finish
