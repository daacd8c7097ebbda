#!/usr/bin/env python3
"""Send the same daemon built-in commands to a Kakapo daemon and to Kea on the same
configuration, and compare result codes and texts (used by test_daemon_builtins.sh).

  daemon_builtins_diff.py FAMILY KAKAPO_SOCKET KEA_SOCKET CONFIG_JSON   (FAMILY: 4 or 6)

Compared: dhcp-disable / dhcp-enable with every argument form (max-period, origin, both
wrong), server-tag-get (whole answer), config-backend-pull without config-control, shutdown
with a bad exit-value (refused, so both keep running). Kakapo only (Kea 2.2 lacks it):
config-hash-get is 64 uppercase hex digits, stable between calls, and changes after a
config-set that changes the configuration. Prints "ok ..." / "FAIL ..." lines and
"SUMMARY passed=N failed=M".
"""
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ctl  # noqa: E402
from checks import fail, finish, ok  # noqa: E402

FAMILY, KK, KEA, CONFIG = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]


def send(sock, command, arguments=None):
    try:
        return ctl.request(sock, command, arguments, timeout=5.0)
    except Exception as e:  # noqa: BLE001 - reported as a failure
        return {"error": str(e)}


def same(label, command, arguments=None, whole=False):
    kk, kea = send(KK, command, arguments), send(KEA, command, arguments)
    if "error" in kk or "error" in kea:
        fail("%s: no answer (kakapo %s, kea %s)" % (label, kk.get("error"), kea.get("error")))
        return kk
    a = kk if whole else (kk.get("result"), kk.get("text"))
    b = kea if whole else (kea.get("result"), kea.get("text"))
    if a == b:
        ok("%s: %s" % (label, json.dumps(b)))
    else:
        fail("%s: kakapo %s, kea %s" % (label, json.dumps(a), json.dumps(b)))
    return kk


disable_args = [None, {}, {"max-period": 0}, {"max-period": -1}, {"max-period": "5"}, {"max-period": 5.5},
                {"max-period": None}, {"origin": "user"}, {"origin": "ha-partner"}, {"origin": ""},
                {"origin": "x"}, {"origin": 3}, {"origin": True}, {"max-period": 0, "origin": "x"},
                {"max-period": "a", "origin": ""}, {"max-period": 3600}, {"max-period": 3000000000},
                {"max-period": 30, "origin": "ha-partner"}]
enable_args = [None, {}, {"origin": "user"}, {"origin": "ha-partner"}, {"origin": ""}, {"origin": "x"},
               {"origin": 3}, {"origin": None}]
for a in disable_args:
    same("dhcp-disable %s" % json.dumps(a), "dhcp-disable", a)
for a in enable_args:
    same("dhcp-enable %s" % json.dumps(a), "dhcp-enable", a)
same("server-tag-get", "server-tag-get", whole=True)
same("server-tag-get with an ignored map", "server-tag-get", {"x": 1}, whole=True)
same("config-backend-pull without config-control", "config-backend-pull")
same("shutdown with a string exit-value", "shutdown", {"exit-value": "3"})
same("shutdown with a float exit-value", "shutdown", {"exit-value": 1.5})

# config-hash-get: Kakapo only.
h1 = send(KK, "config-hash-get")
hash1 = (h1.get("arguments") or {}).get("hash", "")
if h1.get("result") == 0 and re.fullmatch(r"[0-9A-F]{64}", hash1):
    ok("config-hash-get: 64 uppercase hex digits")
else:
    fail("config-hash-get: %s" % json.dumps(h1))
h2 = (send(KK, "config-hash-get").get("arguments") or {}).get("hash")
(ok if h2 == hash1 else fail)("config-hash-get is stable between calls")
config = json.load(open(CONFIG))
root = "Dhcp" + FAMILY
config[root]["valid-lifetime"] = config[root].get("valid-lifetime", 4000) + 1
r = send(KK, "config-set", config)
(ok if r.get("result") == 0 else fail)("config-set of a changed configuration: %s" % r.get("text"))
h3 = (send(KK, "config-hash-get").get("arguments") or {}).get("hash")
(ok if h3 and h3 != hash1 and re.fullmatch(r"[0-9A-F]{64}", h3) else fail)(
    "config-hash-get changes after config-set (%s -> %s)" % (hash1[:8], (h3 or "")[:8]))
r = send(KK, "config-set", send(KK, "config-get").get("arguments"))
h4 = (send(KK, "config-hash-get").get("arguments") or {}).get("hash")
(ok if r.get("result") == 0 and h4 == h3 else fail)("config-set of the running configuration keeps the hash")
finish()
