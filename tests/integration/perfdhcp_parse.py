#!/usr/bin/env python3
"""Parse a perfdhcp -4 or -6 report: print
   sent_discover recv_offer sent_request recv_ack drops drop_pct rate max_delay_ms
(-6: sent_solicit recv_advertise sent_request recv_reply ...; drops = the two
exchanges' drops, DISCOVER-OFFER + REQUEST-ACK or SOLICIT-ADVERTISE + REQUEST-REPLY;
drop_pct of all sent; rate is perfdhcp's 'Rate:' 4-way exchanges/second, 0 if absent;
max_delay_ms the larger of the two exchanges' 'max delay', the worst request of the run)."""
import re
import sys

text = open(sys.argv[1], encoding="utf-8", errors="replace").read()
sections = {}
for m in re.finditer(r"\*\*\*Statistics for: ([A-Z-]+)\*\*\*(.*?)(?=\*\*\*|\Z)", text, re.S):
    body = m.group(2)

    def num(label):
        mm = re.search(r"^%s: ([0-9.]+)" % re.escape(label), body, re.M)
        return float(mm.group(1)) if mm else 0.0

    sections[m.group(1)] = (num("sent packets"), num("received packets"), num("drops"), num("max delay"))
v6 = "SOLICIT-ADVERTISE" in sections
do = sections.get("SOLICIT-ADVERTISE" if v6 else "DISCOVER-OFFER", (0, 0, 0, 0))
ra = sections.get("REQUEST-REPLY" if v6 else "REQUEST-ACK", (0, 0, 0, 0))
m = re.search(r"^Rate: ([0-9.]+)", text, re.M)
rate = float(m.group(1)) if m else 0.0
sent = do[0] + ra[0]
drops = do[2] + ra[2]
pct = 100.0 * drops / sent if sent else 100.0
print("%d %d %d %d %d %.3f %.1f %.3f" % (do[0], do[1], ra[0], ra[1], drops, pct, rate, max(do[3], ra[3])))
