#!/usr/bin/env bash
# The simulator's benchmark (issue 13): bench/sim-100k-day.yaml, 100,000 clients over a virtual
# day with every invariant checked, run by the release kakapo-sim under /usr/bin/time -v.
# Builds nothing (`make build` first, or set KAKAPO_SIM_RELEASE). Prints one line:
#   sim-100k-day: wall S s, peak RSS M MB, N exchanges, invariants OK
# and exits with kakapo-sim's status when the run failed (2: an invariant was violated,
# 1: an expectation failed, 3: the event budget ran out), 1 when the output is not understood.
# Goal: wall <= 15 s on one core, peak RSS <= 300 MB.
set -u
repo=$(cd "$(dirname "$0")/.." && pwd)
sim=${KAKAPO_SIM_RELEASE:-$repo/.build/release/kakapo-sim}
scenario=${1:-$repo/bench/sim-100k-day.yaml}
name=$(basename "$scenario" .yaml)
[ -x "$sim" ] || { echo "$name: no release kakapo-sim at $sim (make build)" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "$name: /usr/bin/time is missing (Debian package time)" >&2; exit 1; }
out=$(mktemp) err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT
/usr/bin/time -v "$sim" run "$scenario" --quiet >"$out" 2>"$err"
rc=$?
if [ $rc -ne 0 ]; then
    cat "$out" "$err" >&2
    echo "$name: FAILED (kakapo-sim exit $rc)$(grep -q '^FAILED: .*invariant' "$out" && echo ', invariant violated')"
    exit $rc
fi
wall=$(awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; printf "%.2f", s }' "$err")
rss=$(awk -F': ' '/Maximum resident set size/ { printf "%.0f", $2 / 1024 }' "$err")
exchanges=$(sed -n 's/^speed: [0-9]* events, \([0-9]*\) exchanges.*/\1/p' "$out")
if [ -z "$wall" ] || [ -z "$rss" ] || [ -z "$exchanges" ] || ! grep -q '^OK: .*invariants held' "$out"; then
    cat "$out" "$err" >&2
    echo "$name: output not understood" >&2
    exit 1
fi
echo "$name: wall $wall s, peak RSS $rss MB, $exchanges exchanges, invariants OK"
