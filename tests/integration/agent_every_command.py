#!/usr/bin/env python3
"""Every command a daemon lists, sent through kakapo-ctrl-agent (used by test_ctrl_agent.sh).

  agent_every_command.py URL USER:PASSWORD SERVICE SOCKET WORKDIR

Asks SERVICE (dhcp4 or dhcp6) for list-commands through the agent, then sends each listed
command (shutdown aside) through the agent with arguments it can act on, in an order where
leases are added before they are read, changed and deleted. Each answer must be a one-element
array holding a map with an integer result that is not 2 (unsupported). Commands that change
nothing are also sent straight to the daemon's unix socket: result and text must be the same,
and for the ones whose answer does not move between two calls, the arguments too. Prints one
line per check and a summary (checks.py).
"""
import base64
import json
import sys
import urllib.request

sys.path.insert(0, __import__("os").path.dirname(__file__))
import ctl  # noqa: E402
from checks import fail, finish, ok  # noqa: E402

URL, CRED, SERVICE, SOCKET, WORK = sys.argv[1:6]
V = "4" if SERVICE == "dhcp4" else "6"


def agent(command, arguments=None):
    body = {"command": command, "service": [SERVICE]}
    if arguments is not None:
        body["arguments"] = arguments
    req = urllib.request.Request(URL, data=json.dumps(body).encode(), method="POST",
                                 headers={"Content-Type": "application/json",
                                          "Authorization": "Basic " + base64.b64encode(CRED.encode()).decode()})
    with urllib.request.urlopen(req, timeout=15) as r:
        return json.loads(r.read().decode())


if V == "4":
    lease = {"ip-address": "192.0.2.160", "hw-address": "02:00:00:00:bb:01", "client-id": "01:02:00:00:00:bb:01",
             "hostname": "every.example.org", "subnet-id": 1}
    by_id = [("lease4-get-by-hw-address", {"hw-address": lease["hw-address"]}),
             ("lease4-get-by-client-id", {"client-id": lease["client-id"]})]
    update = dict(lease, hostname="changed.example.org")
else:
    lease = {"ip-address": "2001:db8:1::160", "duid": "01:02:03:04:05:06:07:bb", "iaid": 77,
             "hostname": "every.example.org", "subnet-id": 1}
    by_id = [("lease6-get-by-duid", {"duid": lease["duid"]})]
    update = dict(lease, hostname="changed.example.org")
L = "lease" + V
config = agent("config-get")[0]["arguments"]
stat = "pkt4-received" if V == "4" else "pkt6-received"

# (command, arguments, read-only?, arguments stable between two calls?)
plan = [
    ("list-commands", None, True, True),
    ("version-get", None, True, True),
    ("build-report", None, True, True),
    ("config-get", None, True, True),
    ("config-hash-get", None, True, True),
    ("config-test", config, True, True),
    ("status-get", None, True, False),
    ("statistic-get", {"name": stat}, True, False),
    ("statistic-get-all", None, True, False),
    ("stat-" + L + "-get", {}, True, False),
    ("kakapo-log-get", {"limit": 3}, True, False),
    (L + "-add", lease, False, False),
    (L + "-get", {"ip-address": lease["ip-address"]}, True, True),
    (L + "-get-all", None, True, True),
    (L + "-get-all", {"subnets": [1]}, True, True),
    (L + "-get-page", {"from": "start", "limit": 10}, True, True),
    (L + "-get-by-hostname", {"hostname": lease["hostname"]}, True, True),
] + [(c, a, True, True) for c, a in by_id] + [
    (L + "-update", update, False, False),
    (L + "-resend-ddns", {"ip-address": lease["ip-address"]}, False, False),
    (L + "-write", {"filename": WORK + "/every-" + SERVICE + ".csv"}, False, False),
    (L + "-del", {"ip-address": lease["ip-address"]}, False, False),
    (L + "-wipe", {"subnet-id": 1}, False, False),
    ("lease6-bulk-apply", {"leases": [], "deleted-leases": []}, False, False),
    ("leases-reclaim", {"remove": False}, False, False),
    ("dhcp-disable", {"max-period": 60}, False, False),
    ("dhcp-enable", None, False, False),
    ("statistic-sample-age-set", {"name": stat, "duration": 600}, False, False),
    ("statistic-sample-count-set", {"name": stat, "max-samples": 10}, False, False),
    ("statistic-sample-age-set-all", {"duration": 600}, False, False),
    ("statistic-sample-count-set-all", {"max-samples": 20}, False, False),
    ("statistic-reset", {"name": stat}, False, False),
    ("statistic-remove", {"name": stat}, False, False),
    ("statistic-reset-all", None, False, False),
    ("statistic-remove-all", None, False, False),
    ("config-write", {"filename": WORK + "/every-" + SERVICE + ".json"}, False, False),
    ("config-set", config, False, False),
    ("config-reload", None, False, False),
]

listed = agent("list-commands")[0]["arguments"]
planned = {c for c, _, _, _ in plan}
order = [p for p in plan if p[0] in listed]
order += [(c, None, False, False) for c in listed if c not in planned and c != "shutdown"]
ok("%s lists %d commands; %d sent through the agent" % (SERVICE, len(listed), len(order)))

for command, arguments, read_only, stable in order:
    what = "%s %s through the agent" % (SERVICE, command)
    try:
        answer = agent(command, arguments)
    except Exception as e:  # noqa: BLE001 - any transport failure is this check's failure
        fail("%s: %s" % (what, e))
        continue
    if not (isinstance(answer, list) and len(answer) == 1 and isinstance(answer[0], dict)
            and isinstance(answer[0].get("result"), int)):
        fail("%s: not a one-answer array: %.200s" % (what, json.dumps(answer)))
        continue
    a = answer[0]
    if a["result"] == 2:
        fail("%s: result 2 (%s)" % (what, a.get("text")))
        continue
    ok("%s: result %d" % (what, a["result"]))
    if not read_only:
        continue
    direct = ctl.request(SOCKET, command, arguments, timeout=10)
    if (direct.get("result"), direct.get("text")) != (a["result"], a.get("text")):
        fail("%s: socket says %r %r, agent %r %r" % (what, direct.get("result"), direct.get("text"),
                                                    a["result"], a.get("text")))
    elif stable and direct.get("arguments") != a.get("arguments"):
        fail("%s: arguments differ from the socket's" % what)
    else:
        ok("%s: the same answer as the daemon's own socket" % what)

finish()
