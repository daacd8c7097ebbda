#!/usr/bin/env bash
# Broken configurations (kea-config-errors/*.json) checked by Debian's kea-dhcp4 2.2 and by
# kakapo-dhcp4 with -t: both must refuse them (or both accept), and the verdict line
# ("Syntax check failed with: …" for Kea's grammar, "Error encountered: …" for its
# configuration parsers, on stderr) must be the same text, positions included.
# Files named in EXPECT_DIFFER are where Kakapo follows Kea 2.4 or is stricter, each with why;
# their lines are shown, not compared. No traffic: -t only parses.
. "$(dirname "$0")/lib.sh"
kk_init
KAKAPO_BIN=$KK_SERVER_BIN
[ "$DHCP4_SERVER" = kakapo ] || KAKAPO_BIN=${KAKAPO_DHCP4:-$KK_REPO_ROOT/.build/debug/kakapo-dhcp4}
KEA_BIN=${KEA_DHCP4:-$(command -v kea-dhcp4 || true)}
[ -z "$KEA_BIN" ] && [ -x /usr/sbin/kea-dhcp4 ] && KEA_BIN=/usr/sbin/kea-dhcp4
if [ -z "$KEA_BIN" ] || [ ! -x "$KEA_BIN" ]; then
    if [ "${CI:-}" = true ]; then kk_fail "kea-dhcp4 not installed (CI=true)"; else kk_skip "kea-dhcp4 not installed"; fi
    kk_finish
fi
declare -A EXPECT_DIFFER=(
    [t1-gt-t2.json]="Kea 2.4 logs DHCPSRV_CFGMGR_RENEW_GTR_REBIND and ignores renew-timer; Kea 2.2 refused the file"
    [res-mixed.json]="the same renew-timer above rebind-timer, inherited from the global level"
    [bad-loggers.json]="Kakapo checks logger severities when the file is checked; Kea 2.2 only when it applies loggers"
    [neg-lifetime.json]="Kakapo refuses a negative lifetime; Kea 2.2 reads -1 as 4294967295"
)
# The verdict: the last line on stderr, timestamps and log lines aside.
verdict() {
    local out rc
    out=$(cd "$KK_LIB_DIR/kea-config-errors" && timeout 20 "$1" -t "$2" 2>&1 >/dev/null); rc=$?
    printf '%s|%s' "$rc" "$(printf '%s\n' "$out" | grep -E '^(Syntax check failed with|Error encountered): ' | tail -n 1)"
}
same=0
for f in "$KK_LIB_DIR"/kea-config-errors/*.json; do
    name=$(basename "$f")
    k=$(verdict "$KEA_BIN" "$name"); m=$(verdict "$KAKAPO_BIN" "$name")
    if [ -n "${EXPECT_DIFFER[$name]:-}" ]; then
        kk_note "$name: differs by design (${EXPECT_DIFFER[$name]}); kea: ${k#*|}; kakapo: ${m#*|}"
        continue
    fi
    if [ "$k" = "$m" ]; then
        same=$((same + 1)); kk_pass "$name: ${m#*|}"
    else
        kk_fail "$name: kea [$k] kakapo [$m]"
    fi
done
kk_assert_eq "broken configurations answered alike (at least 25)" 1 "$([ "$same" -ge 25 ] && echo 1 || echo 0)"
kk_finish
