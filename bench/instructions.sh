#!/usr/bin/env bash
# Server instructions per exchange: kakapo-dhcp4 (release build) runs under valgrind's
# callgrind while perfdhcp, as a relay, makes a fixed number of 4-message exchanges at a low
# rate (bench.sh's namespaces, config and criteria). Instruction counts do not depend on what
# else the machine is doing, so two builds can be compared on a shared 2-core machine where
# CPU time per exchange varies by tens of percent between runs. The figure includes the
# server's start-up (config, lease file, sockets), the same for every build.
#
# With -6, kakapo-dhcp6 under bench6.sh's relayed perfdhcp -6 load instead.
#
#   KAKAPO_DHCP4_RELEASE=path   the build to measure (default <repo>/.build/release/kakapo-dhcp4;
#                               with -6 KAKAPO_DHCP6_RELEASE, default .../kakapo-dhcp6)
#   BENCH_IR_RATE=250           exchanges per second offered (low: callgrind is ~50x slower)
#   BENCH_IR_PERIOD=12          seconds
set -u
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
name=kakapo-dhcp4 script=bench.sh var=KAKAPO_DHCP4_RELEASE
[ "${1:-}" = -6 ] && { name=kakapo-dhcp6 script=bench6.sh var=KAKAPO_DHCP6_RELEASE; }
bin=${!var:-$repo/.build/release/$name}
rate=${BENCH_IR_RATE:-250}
period=${BENCH_IR_PERIOD:-12}
command -v valgrind >/dev/null || { echo "instructions: valgrind not found (scripts/install-test-deps.sh)" >&2; exit 1; }
[ -x "$bin" ] || { echo "instructions: $bin not found (make build)" >&2; exit 1; }

work=$(mktemp -d /tmp/kakapo-ir.XXXXXX)
trap '[ -n "${BENCH_IR_KEEP:-}" ] || rm -rf "$work"' EXIT
cat >"$work/server.sh" <<WRAP
#!/bin/sh
exec valgrind --tool=callgrind --callgrind-out-file=$work/cg.%p.out "$bin" "\$@"
WRAP
chmod +x "$work/server.sh"

out=$(env "$var=$work/server.sh" BENCH_SERVERS=kakapo BENCH_RATES="$rate" BENCH_REFINE=0 \
      BENCH_PERIOD="$period" BENCH_SIM_LOAD=0 bash "$here/$script" 2>&1)
line=$(printf '%s\n' "$out" | awk -v r="$rate" '$1 == "kakapo" && $2 == r { print; exit }')
acks=$(printf '%s\n' "$line" | awk '{ print $7 }')
# The serving process wrote the largest profile (the others are short-lived checks).
profile=$(ls -S "$work"/cg.*.out 2>/dev/null | head -1)
total=$(awk '/^summary:/ { print $2 }' "$profile" 2>/dev/null)
if [ -z "$acks" ] || [ -z "$total" ] || [ "$acks" -eq 0 ]; then
    printf '%s\n' "$out" | tail -20 >&2
    echo "instructions: no measurement (acks='$acks', instructions='$total')" >&2
    exit 1
fi
echo "$name under callgrind: $acks exchanges at $rate/s, $total instructions in all"
echo "server instructions per exchange: $(awk -v t="$total" -v n="$acks" 'BEGIN { printf "%.0f", t / n }')"
