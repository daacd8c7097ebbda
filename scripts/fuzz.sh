#!/usr/bin/env bash
# Runs every libFuzzer target for a bounded time (docs/fuzzing.md).
#
#   FUZZ_SECONDS   seconds per target (default 60)
#   FUZZ_TARGETS   space-separated subset (default: every Sources/Fuzz/*.swift)
#   FUZZ_BUILD     build directory (default .build-fuzz; never the normal .build)
#   FUZZ_BUILD_LOCK  a lock file: when set, the swift build (not the fuzzing) runs under flock
#
# Core and FuzzProperties are built by SwiftPM with coverage instrumentation and address
# sanitizer into FUZZ_BUILD; each thin entry point is linked against them with swiftc. The
# working corpus of a target is FUZZ_BUILD/corpus/<target> (kept between runs, not committed),
# seeded from Tests/Fixtures/fuzz/<target> and the packet, config and lease fixtures. A crash,
# leak or property violation leaves its input in FUZZ_BUILD/artifacts/<target>/; commit it to
# Tests/Fixtures/fuzz/<target>/ so that `swift test` (FuzzCorpusTests) replays it.
# Last line: "fuzz: N passed, M failed".
set -uo pipefail
cd "$(dirname "$0")/.."
SWIFT=${SWIFT:-$(command -v swift 2>/dev/null || echo /opt/swift/usr/bin/swift)}
SWIFTC=${SWIFTC:-$(dirname "$SWIFT")/swiftc}
SECONDS_EACH=${FUZZ_SECONDS:-60}
BUILD=${FUZZ_BUILD:-.build-fuzz}
TARGETS=${FUZZ_TARGETS:-$(for f in Sources/Fuzz/*.swift; do basename "$f" .swift; done)}
SAN=-sanitize=fuzzer,address

echo "fuzz: building Core and FuzzProperties with $SAN into $BUILD"
mkdir -p "$BUILD"
lock=()
[ -n "${FUZZ_BUILD_LOCK:-}" ] && lock=(flock "$FUZZ_BUILD_LOCK")
if ! "${lock[@]}" "$SWIFT" build --build-path "$BUILD" --target FuzzProperties -Xswiftc "$SAN" >"$BUILD/build.log" 2>&1; then
  echo "fuzz: build FAILED ($BUILD/build.log):"; grep -E 'error' "$BUILD/build.log" | head -20; echo "fuzz: 0 passed, 1 failed"; exit 1
fi
bin=$("$SWIFT" build --build-path "$BUILD" --show-bin-path)
objects=$(ls "$bin"/KakapoCore.build/*.o "$bin"/FuzzProperties.build/*.o)
linker=()
[ -x "$(dirname "$SWIFTC")/ld.lld" ] && linker=(-use-ld=lld)

# Seeds from the repository's fixtures, per target (the committed corpus is added for all).
seeds() {
  case $1 in
    dhcp4) ls Tests/Fixtures/packets/*/*.bin ;;
    kea-json) ls Tests/Fixtures/configs/seed/*.conf examples/*.conf 2>/dev/null ;;
    leases4) ls Tests/Fixtures/leases/*.csv ;;
  esac
}

pass=0; fail=0; summary=()
for t in $TARGETS; do
  exe=$BUILD/fuzz-$t
  if ! "$SWIFTC" $SAN -parse-as-library "${linker[@]}" -I "$bin/Modules" "Sources/Fuzz/$t.swift" $objects -o "$exe" \
       >"$BUILD/link-$t.log" 2>&1; then
    fail=$((fail+1)); summary+=("$t: link FAILED, see $BUILD/link-$t.log"); continue
  fi
  corpus=$BUILD/corpus/$t; artifacts=$BUILD/artifacts/$t/
  mkdir -p "$corpus" "$artifacts"
  for s in $(seeds "$t") Tests/Fixtures/fuzz/"$t"/*; do
    [ -f "$s" ] && cp "$s" "$corpus/seed-$(basename "$s")"
  done
  log=$BUILD/fuzz-$t.log
  SWIFT_BACKTRACE=enable=no "$exe" -max_total_time="$SECONDS_EACH" -timeout=20 -rss_limit_mb=2048 -print_final_stats=1 \
         -artifact_prefix="$artifacts" "$corpus" >"$log" 2>&1
  rc=$?
  done_line=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -1)
  [ -z "$done_line" ] && done_line=$(grep -E '^#[0-9]+' "$log" | tail -1)
  execs=$(grep -E '^stat::number_of_executed_units' "$log" | awk '{print $2}')
  cov=$(sed -nE 's/.* cov: ([0-9]+).*/\1/p' <<<"$done_line")
  ft=$(sed -nE 's/.* ft: ([0-9]+).*/\1/p' <<<"$done_line")
  corp=$(sed -nE 's/.* corp: ([0-9]+\/[0-9A-Za-z]+).*/\1/p' <<<"$done_line")
  stats="${execs:-?} execs, cov ${cov:-?}, ft ${ft:-?}, corpus ${corp:-?}"
  if [ $rc -eq 0 ]; then
    pass=$((pass+1)); summary+=("$t: ok ($stats)")
  else
    fail=$((fail+1))
    found=$(grep -oE 'Test unit written to [^ ]+' "$log" | tail -1 | sed 's/Test unit written to //')
    summary+=("$t: FAILED (exit $rc, $stats); input: ${found:-none}; reproduce: $exe ${found:-}; log: $log")
    echo "fuzz: $t FAILED; the log's findings:"
    grep -E 'ERROR: |property of .* violated|SUMMARY: |Fatal error|Test unit written' "$log" | head -12 | sed 's/^/    /'
  fi
done
for line in "${summary[@]}"; do echo "fuzz: $line"; done
echo "fuzz: $pass passed, $fail failed"
test $fail -eq 0
