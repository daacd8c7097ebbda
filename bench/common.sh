# shellcheck shell=bash
# What bench.sh (DHCPv4) and bench6.sh (DHCPv6) share: the rate steps with bisection, one
# step (server restarted on an empty lease file, perfdhcp as a relay, the server's own CPU
# time), and the summary (highest rate with < max_drop% drops, ratio Kakapo/Kea, server CPU
# per 4-message exchange); and the DHCPv4 topology and config (bench_netns4, bench_dhcp4_conf)
# that bench.sh, bench_pg.sh and latency.sh share.  The caller has sourced
# tests/integration/lib.sh, run kk_init and set up the namespaces, and sets before bench_run:
#   servers, rates, period, refine, max_seconds, max_drop, clients   (bench_defaults sets them)
#   kakapo_bin        the release binary for "kakapo"
#   conf              the config file, the same for every server
#   lease_file        removed before each step
#   load_ns           where perfdhcp runs
#   perf_args=(...)   perfdhcp's arguments before -r/-R/-p (e.g. -4 -l 198.18.0.2)
#   perf_server       perfdhcp's last argument, the server's address
#   reply_stat        the server statistic counting the packets it sent (pkt4-sent, pkt6-sent)
#   first_pair, second_pair   column names (discover offer / solicit advertise, request ack / request reply)
# Rows of $results: server offered achieved sent1 recv1 sent2 recv2 drops% verdict replies cpu-us/ex
# (bench/instructions.sh reads column 7, the completed second exchanges).

bench_defaults() {
    servers=${BENCH_SERVERS:-kakapo kea}
    rates=${BENCH_RATES:-1000 2000 4000 8000 16000 32000 64000 128000}
    period=${BENCH_PERIOD:-10}
    refine=${BENCH_REFINE:-2}
    max_seconds=${BENCH_MAX_SECONDS:-540}
    max_drop=${BENCH_MAX_DROP_PCT:-2.5}
    clients=${BENCH_CLIENTS:-100000}
    t_start=$(date +%s)
}

elapsed() { echo $(( $(date +%s) - t_start )); }

cpu_ticks() {   # utime+stime of a process, in clock ticks (empty if unknown)
    [ -n "$1" ] && [ -r "/proc/$1/stat" ] || return 0
    awk '{ print $14 + $15 }' "/proc/$1/stat"
}
cpu_sys_ticks() {   # stime alone: the kernel's share
    [ -n "$1" ] && [ -r "/proc/$1/stat" ] || return 0
    awk '{ print $15 }' "/proc/$1/stat"
}

# run_step SERVER RATE -> prints "pass|fail achieved drop_pct" and appends to $results
run_step() {
    local s=$1 rate=$2 out parsed sent_d recv_o sent_r recv_a drops pct achieved maxd us_sys verdict
    rm -f "$lease_file"
    kk_server_start "$conf"
    if ! kk_server_wait_ready 25; then
        echo "   $s did not start; output:" >&2; tail -n 10 "$KK_SERVER_OUT" >&2
        kk_server_stop; echo "fail 0 100"; return
    fi
    sleep 0.5
    out="$KK_WORK/perfdhcp-$s-$rate.out"
    # The server's own CPU time over the step (from its PID, as status-get reports it), to
    # tell the server's cost per exchange apart from perfdhcp's limits on this machine.
    local spid c0 c1 k0 k1 replies
    spid=$(kk_ctl status-get 2>/dev/null | kk_json 'd["arguments"]["pid"]' 2>/dev/null)
    c0=$(cpu_ticks "$spid"); k0=$(cpu_sys_ticks "$spid")
    timeout $((period + 30)) ip netns exec "$load_ns" \
        perfdhcp "${perf_args[@]}" -r "$rate" -R "$clients" -p "$period" "$perf_server" >"$out" 2>&1
    c1=$(cpu_ticks "$spid"); k1=$(cpu_sys_ticks "$spid")
    replies=$(kk_stat "$reply_stat" 2>/dev/null || echo 0)
    parsed=$("$KK_PY" "$repo/tests/integration/perfdhcp_parse.py" "$out")
    read -r sent_d recv_o sent_r recv_a drops pct achieved maxd <<<"$parsed"
    local us_per="-"
    if [ -n "$c0" ] && [ -n "$c1" ] && [ "${recv_a:-0}" -gt 0 ]; then
        us_per=$(awk -v a="$c0" -v b="$c1" -v n="$recv_a" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.1f", (b - a) / hz * 1e6 / n }')
        us_sys=$(awk -v a="$k0" -v b="$k1" -v n="$recv_a" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.1f", (b - a) / hz * 1e6 / n }')
        echo "$s $rate $us_per ${maxd:--} $us_sys" >>"$KK_WORK/cpu.txt"
    fi
    if ! kk_server_alive; then
        verdict=fail; pct="100(server died)"
    elif awk -v p="$pct" -v m="$max_drop" -v n="$sent_d" 'BEGIN { exit !(n > 0 && p < m) }'; then
        verdict=pass
    else
        verdict=fail
    fi
    kk_server_stop >/dev/null
    printf '%-7s %8s %10s %9s %9s %9s %9s %8s%%  %-5s %9s %8s\n' "$s" "$rate" "$achieved" "$sent_d" "$recv_o" "$sent_r" "$recv_a" "$pct" "$verdict" "$replies" "$us_per" | tee -a "$results" >&2
    echo "$verdict $achieved $pct"
}

# bench_use SERVER : the server binary for the next steps
bench_use() {
    DHCP4_SERVER=$1
    KK_SERVER_BIN=$(kk_server_bin)
    [ "$1" = kakapo ] && KK_SERVER_BIN=$kakapo_bin
    return 0
}

# bench_run : every server in turn, rising rates until one fails, then bisection between the
# last pass and the first fail; fills best_rate, best_offered.
declare -A best_rate=() best_offered=() cost=()
bench_run() {
    results="$KK_WORK/results.txt"
    : >"$results"
    : >"$KK_WORK/cpu.txt"
    local s r v a p last_pass first_fail i mid
    printf '%-7s %8s %10s %9s %9s %9s %9s %9s  %-5s %9s %8s\n' server offered achieved \
        "${first_pair[@]}" "${second_pair[@]}" drops verdict replies "cpu-us/ex" >&2
    for s in $servers; do
        bench_use "$s"
        kk_log "$s: $KK_SERVER_BIN ($("$KK_SERVER_BIN" -v 2>/dev/null | head -n1))"
        best_rate[$s]=0; best_offered[$s]=0
        last_pass=0; first_fail=0
        for r in $rates; do
            if [ $(( $(elapsed) + period + 15 )) -gt "$max_seconds" ]; then
                kk_log "time bound ${max_seconds}s reached; skipping $s at $r/s"; break
            fi
            read -r v a p <<<"$(run_step "$s" "$r")"
            if [ "$v" = pass ]; then
                last_pass=$r; best_offered[$s]=$r
                awk -v a="$a" -v b="${best_rate[$s]}" 'BEGIN { exit !(a > b) }' && best_rate[$s]=$a
            else
                first_fail=$r; break
            fi
        done
        i=0
        while [ "$i" -lt "$refine" ] && [ "$first_fail" -gt 0 ] && [ "$last_pass" -gt 0 ]; do
            mid=$(( (last_pass + first_fail) / 2 ))
            [ $((first_fail - last_pass)) -le $((last_pass / 8 + 1)) ] && break
            if [ $(( $(elapsed) + period + 15 )) -gt "$max_seconds" ]; then
                kk_log "time bound reached; no more refinement for $s"; break
            fi
            read -r v a p <<<"$(run_step "$s" "$mid")"
            if [ "$v" = pass ]; then
                last_pass=$mid; best_offered[$s]=$mid
                awk -v a="$a" -v b="${best_rate[$s]}" 'BEGIN { exit !(a > b) }' && best_rate[$s]=$a
            else
                first_fail=$mid
            fi
            i=$((i + 1))
        done
    done
}

# bench_summary TITLE : the table, the highest rates, the ratio and the CPU per exchange
bench_summary() {
    local s ratio
    echo
    echo "$1, $clients simulated clients, ${period}s per step, pass = drops < ${max_drop}%"
    echo "machine: $(nproc) CPU(s), $(uname -r); perfdhcp and the server share it"
    cat "$results"
    echo
    for s in $servers; do
        printf '%-7s highest rate with < %s%% drops: %s exchanges/s (offered %s/s)\n' \
            "$s" "$max_drop" "${best_rate[$s]}" "${best_offered[$s]}"
    done
    if [[ " $servers " == *" kakapo "* ]] && [[ " $servers " == *" kea "* ]]; then
        ratio=$(awk -v k="${best_rate[kakapo]}" -v e="${best_rate[kea]}" 'BEGIN { if (e > 0) printf "%.2f", k / e; else print "n/a" }')
        echo "ratio Kakapo/Kea: $ratio"
    fi
    # Server CPU per exchange, averaged over the steps each server passed: what the server
    # itself costs, independent of perfdhcp (which shares the two cores and saturates first).
    for s in $servers; do
        cost[$s]=$(awk -v s="$s" 'NR==FNR { if ($1 == s && $NF == "pass") ok[$2] = 1; next }
                                  $1 == s && ok[$2] { t += $3; n++ } END { if (n) printf "%.1f", t / n }' \
                   <(awk '{ print $1, $2, $9 }' "$results") "$KK_WORK/cpu.txt")
        [ -n "${cost[$s]}" ] && printf '%-7s server CPU per exchange: %s us (capacity on one core ~ %s exchanges/s)\n' "$s" "${cost[$s]}" \
            "$(awk -v c="${cost[$s]}" 'BEGIN { printf "%d", 1e6 / c }')"
    done
    if [ -n "${cost[kakapo]:-}" ] && [ -n "${cost[kea]:-}" ]; then
        echo "CPU-efficiency ratio Kakapo/Kea: $(awk -v k="${cost[kakapo]}" -v e="${cost[kea]}" 'BEGIN { printf "%.2f", e / k }')"
    fi
    return 0
}

# ---------------------------------------------------------------- the one table (bench/table.sh)

# bench_mt_json : the config's multi-threading section for BENCH_THREADS (unset: none, the
# server's default; 1: disabled; N > 1: enabled with N threads and Kea's queue size 64).
# Ends with a comma, to go before another key.
bench_mt_json() {
    case "${BENCH_THREADS:-}" in
        "") ;;
        1) echo '"multi-threading": { "enable-multi-threading": false },' ;;
        *) echo "\"multi-threading\": { \"enable-multi-threading\": true, \"thread-pool-size\": $BENCH_THREADS, \"packet-queue-size\": 64 }," ;;
    esac
}

# bench_record KEY VALUE : one result for bench/table.sh (BENCH_RESULTS: its file), keyed
# "FAMILY/SERVER/THREADS/what".
bench_record() {
    [ -n "${BENCH_RESULTS:-}" ] || return 0
    printf '%s %s\n' "$1" "$2" >>"$BENCH_RESULTS"
}

# bench_cpu_at SERVER RATE : the server's CPU per exchange (us) in the step offered RATE, if
# that step passed (the issue's "at the same offered rates").
bench_cpu_at() {
    awk -v s="$1" -v r="$2" 'NR == FNR { if ($1 == s && $2 == r && $NF == "pass") ok = 1; next }
                             ok && $1 == s && $2 == r { print $3; exit }' \
        <(awk '{ print $1, $2, $9 }' "$results") "$KK_WORK/cpu.txt"
}

# bench_cpu_median SERVER RATE : the median of BENCH_CPU_RUNS (default 3) measurements of the
# server's CPU per exchange at RATE: the rate step's own, then more steps at RATE. One step's
# figure moves by a third between runs on this machine (how many packets each wake-up finds
# depends on scheduling), so one run is not enough to compare two servers. Prints "TOTAL
# KERNEL" (us) of the median step (KERNEL: its stime alone); empty if the step at RATE did not
# pass.
bench_cpu_median() {
    local s=$1 r=$2 first i v vals
    first=$(bench_cpu_at "$s" "$r")
    [ -n "$first" ] || return 0
    cpu_row_last() { awk -v s="$s" -v r="$r" '$1 == s && $2 == r { x = $3 ":" ($5 == "" ? "-" : $5) } END { print x }' "$KK_WORK/cpu.txt"; }
    vals=$(cpu_row_last)
    for ((i = 1; i < ${BENCH_CPU_RUNS:-3}; i++)); do
        read -r v _ <<<"$(run_step "$s" "$r")"
        [ "$v" = pass ] || continue
        vals="$vals $(cpu_row_last)"
    done
    echo "$s CPU per exchange at $r/s over $(wc -w <<<"$vals") runs (us, total:kernel): $vals" >&2
    tr ' ' '\n' <<<"$vals" | sort -t: -k1,1n | awk -F: '{ t[NR] = $1; k[NR] = $2 } END { m = int((NR + 1) / 2); print t[m], k[m] }'
}

# bench_worst_delay SERVER RATE : perfdhcp's worst request (its "max delay", ms, the larger of
# the two exchanges) over every step offered RATE (the CPU steps): both servers at the same
# offered rate, as the issue's stall comparison ("at 6,000 exchanges/s ... Kakapo's worst
# delay was 35 ms against Kea's 17 ms").
bench_worst_delay() {
    awk -v s="$1" -v r="$2" '$1 == s && $2 == r && $4 != "-" { n++; if ($4 + 0 > m) m = $4 + 0 }
                             END { if (n) printf "%.1f\n", m }' "$KK_WORK/cpu.txt"
}

# bench_latency SERVER RATE SIM_ARGS... : the server restarted on an empty lease file, then
# kakapo-sim load at RATE for $period seconds from $load_ns; prints "p50 p99 max drops%" of the
# second exchange (REQUEST-ACK, REQUEST-REPLY: the one that waits for the lease write), in ms.
bench_latency() {
    local s=$1 rate=$2 js; shift 2
    bench_use "$s"
    rm -f "$lease_file"
    kk_server_start "$conf"
    if ! kk_server_wait_ready 25; then kk_server_stop; echo "- - - -"; return; fi
    sleep 0.5
    js="$KK_WORK/latency-$s-$rate.json"
    timeout $((period + 30)) ip netns exec "$load_ns" "$sim_bin" load "$@" --rate "$rate" \
        --clients "$clients" --duration "$period" --json >"$js" 2>/dev/null
    kk_server_stop >/dev/null
    "$KK_PY" - "$js" <<'PY'
import json, sys
try:
    d = json.load(open(sys.argv[1]))
except Exception:
    print("- - - -"); sys.exit()
ex = d["exchanges"]
second = ex.get("REQUEST-ACK") or ex.get("REQUEST-REPLY") or {}
lat = second.get("latency_ms", {})
sent = sum(e["sent"] for e in ex.values())
pct = 100.0 * d["drops"]["total"] / sent if sent else 100.0
print(lat.get("p50", "-"), lat.get("p99", "-"), lat.get("max", "-"), "%.2f" % pct)
PY
}

# bench_table_results FAMILY SIM_ARGS... : after bench_run, what bench/table.sh shows for each
# server: the highest rate, the CPU per exchange at BENCH_CPU_RATE (median of BENCH_CPU_RUNS)
# and perfdhcp's worst delay in those steps, and the latency at half of the server's own highest rate.
bench_table_results() {
    local fam=$1 s key p50 p99 mx pct half worst cpu cpu_k; shift
    local cpu_rate=${BENCH_CPU_RATE:-4000}
    for s in $servers; do
        key="$fam/$s/${BENCH_THREADS:-default}"
        bench_record "$key/rate" "${best_rate[$s]}"
        bench_use "$s"
        read -r cpu cpu_k <<<"$(bench_cpu_median "$s" "$cpu_rate")"
        bench_record "$key/cpu" "$cpu"
        bench_record "$key/cpu_kernel" "$cpu_k"
        worst=$(bench_worst_delay "$s" "$cpu_rate")
        echo "$s worst delay (perfdhcp max) in the steps at $cpu_rate/s: ${worst:--} ms"
        bench_record "$key/worst" "$worst"
        half=$(awk -v r="${best_rate[$s]}" 'BEGIN { printf "%d", r / 2 }')
        if [ "$half" -gt 0 ] && [ -x "$sim_bin" ]; then
            read -r p50 p99 mx pct <<<"$(bench_latency "$s" "$half" "$@")"
            echo "$s latency at $half/s (half its highest rate), REQUEST to reply: p50 ${p50} ms, p99 ${p99} ms, max ${mx} ms, drops ${pct}%"
            bench_record "$key/latency" "$p50/$p99/$mx@$half"
        fi
    done
}

# ---------------------------------------------------------------- the DHCPv4 topology and config

# bench_netns4 TAG : bench.sh's two namespaces ($KK_ID-TAGsrv for the server, $KK_ID-TAGload
# for the load, in $load_ns) joined by one veth pair, both ends eth0:
#   server 198.18.0.1/30  <->  load 198.18.0.2/30 (the relay address the load sends from)
# Sets KK_SRV_NS, KK_SRV_IF and load_ns.
bench_netns4() {
    KK_SRV_NS="$KK_ID-${1}srv"
    load_ns="$KK_ID-${1}load"
    kk_netns_add "$KK_SRV_NS"
    kk_netns_add "$load_ns"
    ip link add eth0 netns "$KK_SRV_NS" type veth peer name eth0 netns "$load_ns" || kk_die "veth"
    ip -n "$KK_SRV_NS" addr add 198.18.0.1/30 dev eth0
    ip -n "$load_ns" addr add 198.18.0.2/30 dev eth0
    ip -n "$KK_SRV_NS" link set eth0 up
    ip -n "$load_ns" link set eth0 up
    KK_SRV_IF=eth0
}

# bench_dhcp4_conf FILE WORKDIR LEASE_DATABASE [EXTRA_KEYS [VALID_LIFETIME]] : the DHCPv4
# benchmark config, the same file for every server: subnet 198.18.0.0/15 selected by relay
# 198.18.0.2, pool 198.18.1.0 - 198.19.255.254 (~130,800 addresses), the control socket
# WORKDIR/ctl.sock, "lease-database": LEASE_DATABASE (a JSON object), EXTRA_KEYS (top-level
# keys, each ending with a comma, e.g. bench_mt_json's) and valid-lifetime VALID_LIFETIME
# (default 3600).
bench_dhcp4_conf() {
    local file=$1 work=$2 db=$3 extra=${4:-} valid=${5:-3600}
    cat >"$file" <<EOF
// Kakapo benchmark config ($(basename "$0")): the same file for every server.
{
  "Dhcp4": {
    "interfaces-config": { "interfaces": [ "eth0" ] },
    $extra
    "control-socket": { "socket-type": "unix", "socket-name": "$work/ctl.sock" },
    "lease-database": $db,
    "renew-timer": 900,
    "rebind-timer": 1800,
    "valid-lifetime": $valid,
    "subnet4": [
      {
        "id": 1,
        "subnet": "198.18.0.0/15",
        "relay": { "ip-addresses": [ "198.18.0.2" ] },
        "pools": [ { "pool": "198.18.1.0 - 198.19.255.254" } ],
        "option-data": [
          { "name": "routers", "data": "198.18.0.1" },
          { "name": "domain-name-servers", "data": "198.18.0.1" }
        ]
      }
    ],
    "loggers": [ { "name": "kea-dhcp4", "output_options": [ { "output": "stdout" } ], "severity": "WARN", "debuglevel": 0 } ]
  }
}
EOF
}
