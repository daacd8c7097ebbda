#!/usr/bin/env python3
"""Send the same statistic-* and stat-lease*-get commands to a Kakapo daemon and to Kea on the
same configuration, and compare the answers.

  stat_cmds_diff.py FAMILY KAKAPO_SOCKET KEA_SOCKET      (FAMILY: 4 or 6)

Prints one line per check: "ok    ..." or "FAIL  ..." (and "note  ..." for known, documented
differences), then "SUMMARY passed=N failed=M". Exit status 0 when nothing failed.

Compared exactly: result codes and texts, and the values of every sample (newest first) of the
statistics both servers have. Timestamps are not compared (each server's own clock).
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ctl  # noqa: E402
from checks import fail, finish, ok  # noqa: E402

FAMILY, KK_SOCK, KEA_SOCK = sys.argv[1], sys.argv[2], sys.argv[3]


def note(msg):
    print("  note  " + msg)


def send(sock, command, arguments=None):
    try:
        return ctl.request(sock, command, arguments, timeout=5.0)
    except Exception as e:  # noqa: BLE001 - reported as a failure
        return {"error": str(e)}


def both(command, arguments=None):
    return send(KK_SOCK, command, arguments), send(KEA_SOCK, command, arguments)


def values(answer):
    """{name: [values newest first]} of a statistic-get(-all) answer."""
    args = answer.get("arguments") or {}
    return {n: [s[0] for s in samples] for n, samples in args.items()}


def same_result_text(label, kk, kea, text_prefix_only=False):
    if "error" in kk or "error" in kea:
        fail("%s: no answer (kakapo %s, kea %s)" % (label, kk.get("error"), kea.get("error")))
        return False
    good = kk.get("result") == kea.get("result")
    kt, et = kk.get("text"), kea.get("text")
    if text_prefix_only and kt is not None and et is not None:
        good = good and et.startswith(kt)
    else:
        good = good and kt == et
    if good:
        ok("%s: result %s, text %s" % (label, kea.get("result"), json.dumps(et)))
    else:
        fail("%s: kakapo %s %s, kea %s %s" % (label, kk.get("result"), json.dumps(kt), kea.get("result"), json.dumps(et)))
    return good


def check(label, command, arguments=None, **kw):
    kk, kea = both(command, arguments)
    same_result_text("%s %s" % (command, label), kk, kea, **kw)
    return kk, kea


# Differences outside the statistic commands, reported as notes: Kea counts a declined lease
# in assigned-addresses too (lease4-add with state 1 adds to both); Kakapo's lease accounting
# counts it only in declined-addresses.
KNOWN = {"subnet[3].assigned-addresses": "Kea counts declined leases as assigned too"} if FAMILY == "4" else {}


def same_stat(name, label=""):
    kk, kea = both("statistic-get", {"name": name})
    if not same_result_text("statistic-get %s %s" % (name, label), kk, kea):
        return
    kv, ev = values(kk), values(kea)
    if kv == ev:
        ok("statistic-get %s %s: samples %s" % (name, label, ev.get(name, "absent")))
    else:
        fail("statistic-get %s %s: kakapo %s, kea %s" % (name, label, kv, ev))


def same_common_stats(label, compare_values=True, max_samples=None):
    kk, kea = both("statistic-get-all")
    if not same_result_text("statistic-get-all %s" % label, kk, kea):
        return
    kv, ev = values(kk), values(kea)
    common = sorted(set(kv) & set(ev))
    if not common and (kv or ev):
        fail("statistic-get-all %s: no statistic in common (kakapo %d, kea %d)" % (label, len(kv), len(ev)))
        return
    diffs = [n for n in common if compare_values and kv[n] != ev[n] and n not in KNOWN]
    for n in common:
        if n in KNOWN and kv[n] != ev[n]:
            note("statistic-get-all %s: %s kakapo %s, kea %s (%s)" % (label, n, kv[n], ev[n], KNOWN[n]))
    if diffs:
        fail("statistic-get-all %s: values differ for %s" % (label, ", ".join("%s kakapo %s kea %s" % (n, kv[n], ev[n]) for n in diffs)))
    else:
        ok("statistic-get-all %s: %d common statistics agree" % (label, len(common)))
    if max_samples is not None:
        over = [n for n in kv if len(kv[n]) > max_samples]
        if over:
            fail("statistic-get-all %s: kakapo keeps more than %d samples of %s" % (label, max_samples, over))
        else:
            ok("statistic-get-all %s: kakapo keeps at most %d samples" % (label, max_samples))
    only_kea = sorted(set(ev) - set(kv))
    if only_kea:
        note("statistic-get-all %s: only Kea 2.2 has %s" % (label, ", ".join(only_kea)))


def strip_timestamp(answer):
    a = json.loads(json.dumps(answer))
    rs = (a.get("arguments") or {}).get("result-set")
    if isinstance(rs, dict):
        rs.pop("timestamp", None)
    return a


def same_stat_lease(label, arguments):
    cmd = "stat-lease%s-get" % FAMILY
    kk, kea = both(cmd, arguments)
    if not same_result_text("%s %s" % (cmd, label), kk, kea):
        return
    if strip_timestamp(kk) == strip_timestamp(kea):
        ok("%s %s: same arguments %s" % (cmd, label, json.dumps(strip_timestamp(kea).get("arguments"))))
    else:
        fail("%s %s: kakapo %s, kea %s" % (cmd, label, json.dumps(kk.get("arguments")), json.dumps(kea.get("arguments"))))
    rs = (kk.get("arguments") or {}).get("result-set")
    if isinstance(rs, dict) and not isinstance(rs.get("timestamp"), str):
        fail("%s %s: kakapo's result-set has no timestamp" % (cmd, label))


# ---------------------------------------------------------------- the family's leases

if FAMILY == "4":
    SUBNET_STATS = ["total-addresses", "assigned-addresses", "cumulative-assigned-addresses", "declined-addresses"]
    ASSIGNED = "subnet[1].assigned-addresses"
    DECLINED3 = "subnet[3].declined-addresses"
    GLOBAL = "pkt4-received"

    def lease_add(n, subnet=1, state=0):
        net = "10.0.0" if subnet == 1 else "10.0.3"
        return both("lease4-add", {"ip-address": "%s.%d" % (net, 10 + n), "hw-address": "02:00:00:00:%02x:%02x" % (subnet, n),
                                   "subnet-id": subnet, "state": state})

    def lease_del(n, subnet=1):
        net = "10.0.0" if subnet == 1 else "10.0.3"
        return both("lease4-del", {"ip-address": "%s.%d" % (net, 10 + n)})
else:
    SUBNET_STATS = ["total-nas", "assigned-nas", "total-pds", "assigned-pds", "declined-addresses"]
    ASSIGNED = "subnet[1].assigned-nas"
    DECLINED3 = "subnet[3].declined-addresses"
    GLOBAL = "pkt6-received"

    def lease_add(n, subnet=1, state=0, pd=False):
        duid = "00:03:00:01:02:00:00:%02x:%02x:%02x" % (subnet, int(pd), n)
        if pd:
            args = {"ip-address": "2001:db8:8:%x::" % n, "prefix-len": 64, "type": "IA_PD"}
        else:
            args = {"ip-address": "2001:db8:%d::%x" % (subnet, 0x10 + n)}
        args.update({"duid": duid, "iaid": n, "subnet-id": subnet, "state": state})
        return both("lease6-add", args)

    def lease_del(n, subnet=1):
        return both("lease6-del", {"ip-address": "2001:db8:%d::%x" % (subnet, 0x10 + n)})


def both_ok(label, pair):
    kk, kea = pair
    if kk.get("result") == 0 and kea.get("result") == 0:
        ok(label)
    else:
        fail("%s: kakapo %s, kea %s" % (label, kk, kea))


print("== statistics at start-up")
for s in SUBNET_STATS:
    same_stat("subnet[1].%s" % s, "at start")
same_stat(GLOBAL, "at start")
same_common_stats("at start")

print("== leases change the statistics; samples are kept newest first")
for n in range(1, 4):
    both_ok("lease add %d in subnet 1" % n, lease_add(n))
both_ok("declined lease in subnet 3", lease_add(1, subnet=3, state=1))
if FAMILY == "6":
    both_ok("delegated prefix in subnet 1", lease_add(1, pd=True))
same_stat(ASSIGNED, "after three leases")
same_stat(DECLINED3, "after a declined lease")
same_common_stats("after the leases")

print("== statistic-sample-count-set / -age-set")
check("max-samples 2", "statistic-sample-count-set", {"name": ASSIGNED, "max-samples": 2})
same_stat(ASSIGNED, "after count 2")
both_ok("lease add 4", lease_add(4))
same_stat(ASSIGNED, "count 2, one more lease")
check("duration 3600", "statistic-sample-age-set", {"name": ASSIGNED, "duration": 3600})
both_ok("lease add 5", lease_add(5))
same_stat(ASSIGNED, "age 3600")
check("on an unknown statistic", "statistic-sample-count-set", {"name": "no-such-statistic", "max-samples": 2})
check("on an unknown statistic", "statistic-sample-age-set", {"name": "no-such-statistic", "duration": 2})
check("negative max-samples (Kea's uint32)", "statistic-sample-count-set", {"name": GLOBAL, "max-samples": -1})
check("all 3", "statistic-sample-count-set-all", {"max-samples": 3})
same_common_stats("after count-set-all 3", max_samples=3)
both_ok("lease add 6", lease_add(6))
same_stat(ASSIGNED, "after count-set-all 3, one more lease")
check("all 600", "statistic-sample-age-set-all", {"duration": 600})
both_ok("lease add 7", lease_add(7))
same_stat(ASSIGNED, "age-set-all 600")
check("all 20", "statistic-sample-count-set-all", {"max-samples": 20})

print("== statistic-reset, statistic-remove; a removed statistic comes back when updated")
check(ASSIGNED, "statistic-reset", {"name": ASSIGNED})
same_stat(ASSIGNED, "after reset")
check(DECLINED3, "statistic-remove", {"name": DECLINED3})
same_stat(DECLINED3, "after remove")
check(DECLINED3 + " again", "statistic-remove", {"name": DECLINED3})
check(DECLINED3 + " removed", "statistic-reset", {"name": DECLINED3})
check("removed", "statistic-sample-count-set", {"name": DECLINED3, "max-samples": 4})
check(ASSIGNED, "statistic-remove", {"name": ASSIGNED})
same_stat(ASSIGNED, "after remove")
both_ok("lease add 8 after the remove", lease_add(8))
same_stat(ASSIGNED, "back after an update")

print("== statistic-reset-all, statistic-remove-all")
check("", "statistic-reset-all")
same_common_stats("after reset-all")
same_stat_lease("after reset-all", None)
check("", "statistic-remove-all")
same_common_stats("after remove-all")
kk, kea = both("statistic-get-all")
if kk.get("arguments") == {} and kea.get("arguments") == {}:
    ok("statistic-get-all after remove-all: nothing on both")
else:
    fail("statistic-get-all after remove-all: kakapo %d, kea %d statistics" % (len(kk.get("arguments") or {}), len(kea.get("arguments") or {})))
both_ok("lease add 9 after remove-all", lease_add(9))
same_stat(ASSIGNED, "back after remove-all")

print("== argument errors")
for cmd in ["statistic-get", "statistic-reset", "statistic-remove", "statistic-sample-age-set", "statistic-sample-count-set"]:
    check("without arguments", cmd)
    check("with an empty map", cmd, {})
    check("name not a string", cmd, {"name": 5})
check("unknown name", "statistic-get", {"name": "no-such-statistic"})
check("unknown name", "statistic-reset", {"name": "no-such-statistic"})
check("unknown name", "statistic-remove", {"name": "no-such-statistic"})
check("no duration", "statistic-sample-age-set", {"name": GLOBAL})
check("duration not an integer", "statistic-sample-age-set", {"name": GLOBAL, "duration": "x"}, text_prefix_only=True)
check("no max-samples", "statistic-sample-count-set", {"name": GLOBAL})
check("max-samples not an integer", "statistic-sample-count-set", {"name": GLOBAL, "max-samples": "x"})
check("without arguments", "statistic-sample-age-set-all")
check("with an empty map", "statistic-sample-age-set-all", {})
check("duration not an integer", "statistic-sample-age-set-all", {"duration": "x"}, text_prefix_only=True)
check("without arguments", "statistic-sample-count-set-all")
check("with an empty map", "statistic-sample-count-set-all", {})
check("max-samples not an integer", "statistic-sample-count-set-all", {"max-samples": "x"})
check("max-samples 0", "statistic-sample-count-set-all", {"max-samples": 0})
check("with arguments it ignores", "statistic-reset-all", {"x": 1})
check("with arguments it ignores", "statistic-get-all", {"x": 1})

print("== stat-lease%s-get" % FAMILY)
lease_del(2)
same_stat_lease("all subnets", None)
same_stat_lease("empty map", {})
same_stat_lease("subnet-id 1", {"subnet-id": 1})
same_stat_lease("subnet-id 3", {"subnet-id": 3})
same_stat_lease("unknown subnet-id", {"subnet-id": 9})
same_stat_lease("range 1-3", {"subnet-range": {"first-subnet-id": 1, "last-subnet-id": 3}})
same_stat_lease("range 2-3", {"subnet-range": {"first-subnet-id": 2, "last-subnet-id": 3}})
same_stat_lease("range without subnets", {"subnet-range": {"first-subnet-id": 5, "last-subnet-id": 9}})
same_stat_lease("subnet-id 0", {"subnet-id": 0})
same_stat_lease("subnet-id not an integer", {"subnet-id": "x"})
same_stat_lease("subnet-id and subnet-range", {"subnet-id": 1, "subnet-range": {"first-subnet-id": 1, "last-subnet-id": 3}})
same_stat_lease("range not a map", {"subnet-range": 5})
same_stat_lease("range without first", {"subnet-range": {"last-subnet-id": 3}})
same_stat_lease("range without last", {"subnet-range": {"first-subnet-id": 1}})
same_stat_lease("range first 0", {"subnet-range": {"first-subnet-id": 0, "last-subnet-id": 3}})
same_stat_lease("range last < first", {"subnet-range": {"first-subnet-id": 3, "last-subnet-id": 1}})

print("== list-commands has every statistic command")
kk, kea = both("list-commands")
wanted = ["statistic-get", "statistic-get-all", "statistic-remove", "statistic-remove-all", "statistic-reset",
          "statistic-reset-all", "statistic-sample-age-set", "statistic-sample-age-set-all",
          "statistic-sample-count-set", "statistic-sample-count-set-all", "stat-lease%s-get" % FAMILY]
for c in wanted:
    in_kk, in_kea = c in (kk.get("arguments") or []), c in (kea.get("arguments") or [])
    if in_kk and in_kea:
        ok("list-commands: both have %s" % c)
    else:
        fail("list-commands: %s kakapo %s, kea %s" % (c, in_kk, in_kea))

finish()
