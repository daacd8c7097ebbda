#!/usr/bin/env bash
# Run the integration tests (all tests/integration/test_*.sh, or the ones named
# on the command line: "dhclient", "test_dhclient" or "test_dhclient.sh").
#
#   DHCP4_SERVER=kakapo|kea   server under test (default kakapo)
#   KAKAPO_DHCP4=PATH         kakapo binary (default <repo>/.build/debug/kakapo-dhcp4)
#   KK_TEST_TIMEOUT=S         per-test bound (default 300)
#   KK_TOTAL_TIMEOUT=S        whole-run bound (default 3000); tests not started
#                             in time count as failed
#   KK_LOG_DIR=DIR            keep each test's output there (default: a temp dir,
#                             kept only when something failed)
#
# Counts assertions.  The last line is exactly "N passed, N failed".  Assertions
# that only Kakapo's spec demands and Kea 2.2 is known to miss are not counted
# when DHCP4_SERVER=kea (reported as kea_diffs).
set -u
here=$(cd "$(dirname "$0")" && pwd)
per_test=${KK_TEST_TIMEOUT:-300}
total=${KK_TOTAL_TIMEOUT:-3000}
[ "$(id -u)" -eq 0 ] || { echo "run.sh: must run as root (network namespaces)"; echo "0 passed, 1 failed"; exit 1; }

order=(test_syntax_error test_bad_interface test_seed_config test_kakapo_lfc test_dhclient test_udhcpc test_dhcpcd
       test_two_clients test_perfdhcp_relay test_malformed test_kea_leasefile test_kea_differential test_ddns_ncr test_ddns_ncr6
       test_kea6_differential test_kea_config_errors test_crash_kill test_clock_step test_discover_flood test_dhcp6_daemon test_sim_load6 test_crash_kill6 test_lease_write_failure6 test_clock_step6
       test_dhcp6_clients test_perfdhcp6_relay test_solicit_flood6 test_kakapo_admin test_ddns_bind test_ddns_e2e test_pg_leases test_pg_leases6
       test_pg_mixed)
tests=()
if [ $# -gt 0 ]; then
    for a in "$@"; do
        a=$(basename "${a%.sh}"); a=${a#test_}
        [ -f "$here/test_$a.sh" ] || { echo "run.sh: no such test: $a"; echo "0 passed, 1 failed"; exit 1; }
        tests+=("test_$a")
    done
else
    for t in "${order[@]}"; do [ -f "$here/$t.sh" ] && tests+=("$t"); done
    for f in "$here"/test_*.sh; do          # any test not in the list above, too
        t=$(basename "${f%.sh}")
        [[ " ${tests[*]} " == *" $t "* ]] || tests+=("$t")
    done
fi

logdir=${KK_LOG_DIR:-}
keep_logs=1
if [ -z "$logdir" ]; then logdir=$(mktemp -d /tmp/kk-run-XXXXXX); keep_logs=0; fi
mkdir -p "$logdir"

passed=0 failed=0 diffs=0 skipped=0
start=$(date +%s)
declare -a lines=()
for t in "${tests[@]}"; do
    now=$(date +%s)
    left=$((total - (now - start)))
    if [ "$left" -le 10 ]; then
        lines+=("$(printf '%-24s NOT RUN (total time bound %ss reached)' "$t" "$total")")
        failed=$((failed + 1))
        continue
    fi
    bound=$(( per_test < left ? per_test : left ))
    echo "=== $t (server ${DHCP4_SERVER:-kakapo}, bound ${bound}s)"
    t0=$(date +%s)
    timeout -k 15 "$bound" bash "$here/$t.sh" 2>&1 | tee "$logdir/$t.log"
    rc=${PIPESTATUS[0]}
    dt=$(( $(date +%s) - t0 ))
    res=$(grep '^KK-RESULT ' "$logdir/$t.log" | tail -n1)
    if [ -z "$res" ]; then
        why="no result line"; [ "$rc" = 124 ] || [ "$rc" = 137 ] && why="timed out after ${bound}s"
        lines+=("$(printf '%-24s FAILED  (%s, exit %s, %ss)' "$t" "$why" "$rc" "$dt")")
        failed=$((failed + 1))
        continue
    fi
    p=$(sed -n 's/.* passed=\([0-9]*\).*/\1/p' <<<"$res")
    f=$(sed -n 's/.* failed=\([0-9]*\).*/\1/p' <<<"$res")
    s=$(sed -n 's/.* skipped=\([0-9]*\).*/\1/p' <<<"$res")
    k=$(sed -n 's/.* kea_diffs=\([0-9]*\).*/\1/p' <<<"$res")
    passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
    skipped=$((skipped + ${s:-0})); diffs=$((diffs + ${k:-0}))
    if [ "$rc" -ne 0 ] && [ "${f:-0}" -eq 0 ]; then
        failed=$((failed + 1)); f="1 (exit $rc)"
    fi
    status=ok; [ "${f:-0}" != 0 ] && status=FAILED
    lines+=("$(printf '%-24s %-6s  %3s passed, %s failed%s  (%ss)' "$t" "$status" "${p:-0}" "${f:-0}" \
        "$([ "${k:-0}" != 0 ] && echo ", $k kea-diffs")" "$dt")")
done
echo
echo "=== summary (server ${DHCP4_SERVER:-kakapo}, $(( $(date +%s) - start ))s)"
printf '%s\n' "${lines[@]}"
[ "$diffs" -gt 0 ] && echo "($diffs assertion(s) of Kakapo's spec that Kea 2.2 does not meet were not counted)"
[ "$skipped" -gt 0 ] && echo "($skipped skipped)"
if [ "$failed" -gt 0 ] || [ "$keep_logs" = 1 ]; then echo "logs: $logdir"; else rm -rf "$logdir"; fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
