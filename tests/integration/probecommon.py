"""What dhcp4probe.py and dhcp6probe.py share: the script's line format, comparing two runs'
replies step by step (`compare`), checking the expect= steps of one run (`check`), and the
command line (run | compare | check)."""
import json
import sys


def parse_line(line):
    """'KIND KEY=VALUE ...' -> (KIND, {KEY: VALUE})."""
    words = line.split()
    kv = {}
    for w in words[1:]:
        if "=" not in w:
            raise ValueError("expected KEY=VALUE, got %r" % w)
        k, v = w.split("=", 1)
        kv[k] = v
    return words[0], kv


def steps(path):
    return [json.loads(x) for x in open(path) if x.strip()]


def compare(args, differences, width=12):
    """compare A.out B.out [--labels A,B] [--allow-steps 2,5] [family flags]: prints each step
    whose replies differ; `differences(reply_a, reply_b, args, labels)` lists (field, a, b).
    Exit 0: the same; 3: differences only in the allowed steps; 1: otherwise."""
    labels = ["A", "B"]
    if "--labels" in args:
        labels = args[args.index("--labels") + 1].split(",")
    allowed = set()
    if "--allow-steps" in args:
        allowed = {int(x) for x in args[args.index("--allow-steps") + 1].split(",") if x}
    ra, rb = steps(args[0]), steps(args[1])
    differ = outside = 0
    for n in range(max(len(ra), len(rb))):
        sa = ra[n] if n < len(ra) else None
        sb = rb[n] if n < len(rb) else None
        sent = (sa or sb)["sent"]
        if sa is None or sb is None:
            print("  step %d (%s): only in %s" % (n + 1, sent, labels[0] if sb is None else labels[1]))
            differ += 1
            outside += 1
            continue
        diffs = differences(sa["reply"], sb["reply"], args)
        if diffs:
            differ += 1
            known = (n + 1) in allowed
            outside += 0 if known else 1
            print("  step %d: %s%s" % (n + 1, sent, "" if known or not allowed else "   <-- not a known difference"))
            for k, va, vb in diffs:
                print("      %-*s %s=%s  %s=%s" % (width, k, labels[0], va, labels[1], vb))
    if differ == 0:
        return 0
    return 3 if allowed and outside == 0 else 1


def check(args, reply_type, more=None):
    """Steps with expect=TYPE: `reply_type(reply)` must be TYPE ("none" for silence);
    `more(step, kv)` lists further problems of a matching step."""
    bad = 0
    for s in steps(args[0]):
        kv = parse_line(s["sent"])[1]
        want = kv.get("expect")
        if want is None:
            continue
        got = reply_type(s["reply"])
        problems = ["expected %s, got %s" % (want, got)] if got != want else (more(s, kv) if more else [])
        for p in problems:
            bad += 1
            print("  step %d: %s: %s" % (s["step"], p, s["sent"]))
    return 1 if bad else 0


def main(doc, run, compare_cmd, check_cmd):
    if len(sys.argv) < 3 or sys.argv[1] not in ("run", "compare", "check"):
        print(doc, file=sys.stderr)
        return 2
    return {"run": run, "check": check_cmd, "compare": compare_cmd}[sys.argv[1]](sys.argv[2:])
