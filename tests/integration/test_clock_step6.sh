#!/usr/bin/env bash
# test_clock_step.sh for kakapo-dhcp6: wall-clock steps on a running server (libfaketime,
# see kk_faketime_setup), leases6 with valid-lifetime 3600 s, reclamation every second, and
# reclaimed leases kept (state 2, hold-reclaimed-time 86400 s).  Clients bind through a relay
# with kakapo-sim load -6 --pd (an address and a /56 prefix each).
#   offset +0      group A (5 clients) binds: 10 leases, expire = real + 1 h
#   offset -3h     the step is noticed (DHCP6_CLOCK_STEPPED_BACK); no lease of A is
#                  reclaimed, and reclamation keeps running
#   offset +30m    A (expires real + 1 h) is still not reclaimed
#   offset +2h     A is reclaimed, and reclaimed-leases counts it
# (The renewal after a backward step is test_clock_step.sh's part: kakapo-sim load's clients
# do not renew.)
. "$(dirname "$0")/lib.sh"
kk_init6
kk_need_sim
kk_faketime_setup
LOGGERS_JSON='[ { "name": "kea-dhcp6", "output_options": [ { "output": "stdout" } ], "severity": "INFO" } ]' \
    kk_relay6_setup '"expired-leases-processing": { "reclaim-timer-wait-time": 1, "hold-reclaimed-time": 86400, "flush-reclaimed-timer-wait-time": 0 },'
kk_server_start_ready "$conf"

# bind GROUP SEED : 5 clients, an address and a prefix each;
# prints how many exchanges completed.  --acks lists what each was given.
bind() {
    timeout 30 ip netns exec "$rns" "$sim" load -6 --pd --server 2001:db8:1::1 --relay-address 2001:db8:1::2 \
        --rate 5 --clients 5 --duration 1 --timeout-ms 500 --seed "$2" --json --acks "$KK_WORK/$1.acks" \
        >"$KK_WORK/$1.json" 2>"$KK_WORK/$1.err"
    "$KK_PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["dora_completed"])' "$KK_WORK/$1.json" 2>/dev/null || echo 0
}
# states GROUP : the states of that group's leases, sorted and counted ("10x0", "10x2")
states() {
    local a
    for a in $(cut -d' ' -f1 "$KK_WORK/$1.acks" | sort -u); do
        if [[ $a == */* ]]; then
            kk_ctl lease6-get "{\"ip-address\": \"${a%/*}\", \"type\": \"IA_PD\"}"
        else
            kk_ctl lease6-get "{\"ip-address\": \"$a\"}"
        fi | kk_json 'd["arguments"]["state"] if d["result"] == 0 else "none"'
    done | sort | uniq -c | awk '{ printf "%s%dx%s", (NR > 1 ? " " : ""), $1, $2 }'
}

kk_assert_eq "group A binds at offset +0" 5 "$(bind A 101)"
kk_assert_eq "group A: 5 addresses and 5 prefixes, all default (state 0)" "10x0" "$(states A)"

kk_clock_step -3h
kk_assert_match "server noticed the backward step" 'DHCP6_CLOCK_STEPPED_BACK.*-10[78][0-9][0-9] s' "$(cat "$KK_SERVER_OUT")"
kk_assert_eq "group A not reclaimed after the backward step" "10x0" "$(states A)"
rec0=$(kk_stat reclaimed-leases)

kk_clock_step +30m
kk_assert_eq "group A (expires real + 1 h) not reclaimed at real + 30 min" "10x0" "$(states A)"

kk_clock_step +2h
kk_assert_eq "group A reclaimed once real + 2 h is past its expiry" "10x2" "$(states A)"
kk_assert_ge "reclaimed-leases counts group A" "$(kk_stat reclaimed-leases)" $((rec0 + 10))
kk_assert "server alive" kk_server_alive
kk_finish
