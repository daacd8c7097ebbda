#!/usr/bin/env bash
# ThreadSanitizer over the packet workers: kakapo-dhcp4 and kakapo-dhcp6 built with
# -sanitize=thread into TSAN_BUILD, then tests/integration/test_multi_threading.sh against
# them (two workers under perfdhcp load, config-set switching them off and on, lease file and
# statistics checked). Any ThreadSanitizer report fails the run.
#
#   TSAN_BUILD       build directory (default .build-tsan; never the normal .build)
#   TSAN_BUILD_LOCK  a lock file: when set, the swift build runs under flock
# Last line: "tsan: N reports" (0 to pass).
set -uo pipefail
cd "$(dirname "$0")/.."
SWIFT=${SWIFT:-$(command -v swift 2>/dev/null || echo /opt/swift/usr/bin/swift)}
BUILD=${TSAN_BUILD:-.build-tsan}
mkdir -p "$BUILD"
lock=()
[ -n "${TSAN_BUILD_LOCK:-}" ] && lock=(flock "$TSAN_BUILD_LOCK")
echo "tsan: building kakapo-dhcp4 and kakapo-dhcp6 with -sanitize=thread into $BUILD"
for p in kakapo-dhcp4 kakapo-dhcp6; do
    if ! "${lock[@]}" "$SWIFT" build --build-path "$BUILD" --sanitize=thread --product "$p" >"$BUILD/build-$p.log" 2>&1; then
        echo "tsan: build of $p FAILED ($BUILD/build-$p.log):"; grep -E 'error' "$BUILD/build-$p.log" | head -20
        echo "tsan: build failed"; exit 1
    fi
done
bin=$("$SWIFT" build --build-path "$BUILD" --sanitize=thread --show-bin-path)
reports=$(mktemp -d /tmp/kakapo-tsan-XXXXXX)
trap 'rm -rf "$reports"' EXIT
# TSan's own background thread is one more task in /proc/PID/task; it slows the server, so
# the test allows up to 1% drops instead of 5 (KK_SANITIZED).
KAKAPO_DHCP4=$bin/kakapo-dhcp4 KAKAPO_DHCP6=$bin/kakapo-dhcp6 KK_EXTRA_THREADS=1 KK_SANITIZED=1 \
    TSAN_OPTIONS="log_path=$reports/report:halt_on_error=0:second_deadlock_stack=1" \
    bash tests/integration/run.sh test_multi_threading
rc=$?
n=$(cat "$reports"/report.* 2>/dev/null | grep -c '^WARNING: ThreadSanitizer')
if [ "$n" -gt 0 ]; then
    echo "tsan: the reports:"
    cat "$reports"/report.*
fi
echo "tsan: $n reports"
[ "$rc" -eq 0 ] && [ "$n" -eq 0 ]
