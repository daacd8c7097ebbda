#!/usr/bin/env bash
# Broken JSON and unknown keys are reported with file, line and column in Kea's
# style and the exit status is 1:
#   FILE:23.7-26: syntax error, unexpected max-reclaim-leases, expecting "," or }
# (Kea 2.2's exact text for case 1; Kakapo must keep the FILE:LINE.COL-COL:
# syntax error, ... shape and the position; the wording after it is compared too
# and reported as a note when it differs.)
. "$(dirname "$0")/lib.sh"
kk_init
seed="$KK_SEED_DIR/kea-dhcp4.conf"
[ -f "$seed" ] || kk_die "seed config not found: $seed"
KK_SRV_NS="$KK_ID-srv"
kk_netns_add "$KK_SRV_NS"
ip link add eth0 netns "$KK_SRV_NS" type dummy 2>/dev/null || ip -n "$KK_SRV_NS" link add eth0 type dummy
ip link add eth2 netns "$KK_SRV_NS" type dummy 2>/dev/null || ip -n "$KK_SRV_NS" link add eth2 type dummy

# case NAME  OLD-TEXT  NEW-TEXT  EXPECTED-POSITION-REGEX  KEA-2.2-WORDING
check_case() {
    local name=$1 old=$2 new=$3 pos=$4 kea=$5 f
    f="$KK_WORK/$name.conf"
    "$KK_PY" - "$seed" "$f" "$old" "$new" <<'PY' || kk_die "cannot make $name"
import sys
src, dst, old, new = sys.argv[1:5]
t = open(src, encoding="utf-8").read()
if t.count(old) != 1:
    sys.exit("%r occurs %d times" % (old, t.count(old)))
open(dst, "w", encoding="utf-8").write(t.replace(old, new))
PY
    echo "== $name"
    kk_server_check "$f"
    printf '%s\n' "$KK_CHECK_OUT" | tail -n 3 | sed 's/^/    -t| /'
    kk_assert_eq "$name: -t exit status" 1 "$KK_CHECK_RC"
    kk_assert_match "$name: -t reports $f:$pos" "$(printf '%s' "$f" | sed 's/[.[\*^$]/\\&/g'):$pos" "$KK_CHECK_OUT"
    if printf '%s\n' "$KK_CHECK_OUT" | grep -qF -- "$f:$kea"; then
        kk_note "$name: wording identical to Kea 2.2"
    else
        kk_note "$name: wording differs from Kea 2.2's '$f:$kea'"
    fi
    # Starting with -c fails the same way.
    kk_server_start "$f"
    local i
    for ((i = 0; i < 100; i++)); do kill -0 "$KK_SERVER_PID" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$KK_SERVER_PID" 2>/dev/null; then
        kk_fail "$name: -c still running after 10 s"
        kk_server_stop
    else
        wait "$KK_SERVER_PID"; local rc=$?
        KK_SERVER_PID=""
        kk_assert_ne "$name: -c exit status ($rc) is non-zero" 0 "$rc"
        kk_assert_match "$name: -c output has the position" "$(printf '%s' "$f" | sed 's/[.[\*^$]/\\&/g'):$pos" "$(cat "$KK_SERVER_OUT")"
        tail -n 2 "$KK_SERVER_OUT" | sed 's/^/    -c| /'
    fi
}

# 1. missing comma between two members of expired-leases-processing (line 22/23)
check_case missing-comma '"hold-reclaimed-time": 3600,' '"hold-reclaimed-time": 3600' \
    '23\.7-26: syntax error, ' '23.7-26: syntax error, unexpected max-reclaim-leases, expecting "," or }'
# 2. the same mistake as in Tests/Fixtures/configs/seed/kea-ctrl-agent.conf (line 28/29 there, 69/70 here):
#    a missing comma after "output" inside output_options
check_case missing-comma-output '"output": "/var/log/kea-dhcp4.log",' '"output": "/var/log/kea-dhcp4.log"' \
    '70\.13-21: syntax error, ' '70.13-21: syntax error, unexpected pattern, expecting "," or }'
# 3. an unknown key in Dhcp4
check_case unknown-key '"renew-timer": 900,' '"renew-timer": 900, "bogus-key": 1,' \
    '28\.25-35: .*bogus-key' '28.25-35: got unexpected keyword "bogus-key" in Dhcp4 map.'
kk_finish
