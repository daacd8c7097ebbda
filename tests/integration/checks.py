"""What the integration tests' Python checkers share: one line per check ("  ok    what" or
"  FAIL  what: why", as lib.sh's kk_pass/kk_fail print them) and a last line
"SUMMARY passed=N failed=M" that lib.sh's kk_add_checker_output adds to the test's counts."""
import sys

passes = 0
fails = 0


def ok(msg):
    global passes
    passes += 1
    print("  ok    " + msg, flush=True)


def fail(msg):
    global fails
    fails += 1
    print("  FAIL  " + msg, flush=True)


def finish():
    """Prints the summary line and exits 1 when a check failed."""
    print("SUMMARY passed=%d failed=%d" % (passes, fails), flush=True)
    sys.exit(1 if fails else 0)
