#!/usr/bin/env python3
"""Scripted DHCPv6 probe: sends hand-built messages over UDP and prints each reply as one
normalized JSON line, so two servers can be compared with the same script (stdlib only).

  dhcp6probe.py run SCRIPT --ifname IF --relay-src ADDR --server-ip ADDR [--timeout S]
  dhcp6probe.py compare A B [--labels kea,kakapo] [--allow-steps 2,5]
        exit 0 same, 1 differs, 3 differs only in the allowed steps
  dhcp6probe.py check OUT          steps with expect=TYPE got that reply

`run` runs inside the probe namespace.  A direct message goes from the link-local address of
IF, port 546, to ff02::1:2 port 547; the reply comes back to port 546.  A relayed message
(relay=LINK-ADDRESS) is wrapped in a RELAY-FORW and sent from --relay-src port 547 to
--server-ip port 547 (a link-local --server-ip is scoped to IF); the RELAY-REPL comes back
to --relay-src port 547 and is unwrapped.

Script: one step per line, `#` comments, `sleep SECONDS`.

  solicit|request|renew|rebind|release|decline|confirm|inforeq  KEY=VALUE ...

  duid=HEX           client-id (option 1); default 000300010200000000 + "01"; duid=none: no option
  na=IAID[+ADDR][,IAID[+ADDR]...]       IA_NA options (T1/T2 0); ADDR=last: the addresses the
                     latest reply carrying this IA_NA gave (none when it gave none)
  pd=IAID[+PREFIX/LEN][,...]            IA_PD options; ::/56 is a length-only hint; +last as above
  sid=@sid|HEX       server-id (option 2): @sid = the latest server-id received
  ta=IAID[+ADDR][,...]                  IA_TA options (4); +last as above
  lt=PREF/VALID      lifetimes in every IAADDR/IAPREFIX sent (default 0/0)
  t=T1/T2            T1/T2 in every IA_NA/IA_PD sent (default 0/0)
  oro=23,24          option request (6)      rapid=1  rapid commit (14)
  optN=HEX           any option N (raw value)
  relay=LINKADDR peer=ADDR ifid=HEX     relayed: RELAY-FORW link-address, peer-address
                     (default fe80::1), interface-id (18, optional)
  roptN=HEX          any option N in the RELAY-FORW (e.g. ropt79: client link-layer address)
  unicast=1          a direct message sent to --server-ip (unicast) instead of ff02::1:2
  wait=S             reply timeout for this step (default --timeout)
  expect=TYPE        not sent: `check` asserts the reply type (ADVERTISE, REPLY, none)

Output: per step {"step": N, "sent": "<line>", "reply": {...}} or "reply": "no reply".
The reply holds "type" and "options": a tree keyed by option code (IA_NA/IA_PD as
"3 iaid=N" / "25 iaid=N" with t1 (IA_TA "4 iaid=N"), t2 and their sub-options; IAADDR "5 ADDR" and IAPREFIX
"26 PREFIX/LEN" with preferred/valid lifetimes; status code 13 as {code, text}; client-id
"echoed" when it is the one sent; server-id "@server-duid"; any other option as hex).
A RELAY-REPL is printed as {"type": "RELAY-REPL", "hop", "link", "peer", "interface-id",
"relay-options", "inner": {...}}.  "port" is where the reply arrived (546 or 547).
"""
import json
import select
import socket
import struct
import sys
import time

import probecommon

TYPES = {"solicit": 1, "request": 3, "confirm": 4, "renew": 5, "rebind": 6, "release": 8,
         "decline": 9, "inforeq": 11}
NAMES = {1: "SOLICIT", 2: "ADVERTISE", 3: "REQUEST", 4: "CONFIRM", 5: "RENEW", 6: "REBIND",
         7: "REPLY", 8: "RELEASE", 9: "DECLINE", 10: "RECONFIGURE", 11: "INFORMATION-REQUEST",
         12: "RELAY-FORW", 13: "RELAY-REPL"}
STATUS = {0: "Success", 1: "UnspecFail", 2: "NoAddrsAvail", 3: "NoBinding", 4: "NotOnLink",
          5: "UseMulticast", 6: "NoPrefixAvail"}
ALL_DHCP = "ff02::1:2"


def opt(code, value):
    return struct.pack("!HH", code, len(value)) + value


def a6(s):
    return socket.inet_pton(socket.AF_INET6, s)


def s6(b):
    return socket.inet_ntop(socket.AF_INET6, b)


def parse_opts(b):
    out, i = [], 0
    while i + 4 <= len(b):
        code, n = struct.unpack("!HH", b[i:i + 4])
        out.append((code, b[i + 4:i + 4 + n]))
        i += 4 + n
    return out


class State:
    def __init__(self):
        self.sid = None          # latest server-id (raw)
        self.na = {}             # iaid -> [addresses] of the latest reply carrying that IA_NA
        self.pd = {}             # iaid -> [(prefix, len)]
        self.ta = {}             # iaid -> [addresses]

    def learn(self, opts):
        for code, v in opts:
            if code == 2:
                self.sid = v
            elif code in (3, 4, 25) and len(v) >= (4 if code == 4 else 12):
                iaid = struct.unpack("!I", v[:4])[0]
                got = []
                for c, sv in parse_opts(v[4 if code == 4 else 12:]):
                    if code in (3, 4) and c == 5 and len(sv) >= 24:
                        got.append(s6(sv[:16]))
                    elif code == 25 and c == 26 and len(sv) >= 25:
                        got.append((s6(sv[9:25]), sv[8]))
                {3: self.na, 4: self.ta, 25: self.pd}[code][iaid] = got


def build(kind, kv, xid, st):
    body = b""
    duid = kv.get("duid", "00030001020000000001")
    if duid != "none":
        body += opt(1, bytes.fromhex(duid))
    if "sid" in kv:
        sid = kv["sid"]
        body += opt(2, (st.sid or b"") if sid == "@sid" else bytes.fromhex(sid))
    if kv.get("rapid") == "1":
        body += opt(14, b"")
    if "oro" in kv:
        body += opt(6, b"".join(struct.pack("!H", int(c)) for c in kv["oro"].split(",")))
    body += opt(8, b"\x00\x00")
    pl, _, vl = kv.get("lt", "0/0").partition("/")
    pl, vl = int(pl), int(vl)
    t1, _, t2 = kv.get("t", "0/0").partition("/")
    t1, t2 = int(t1), int(t2)
    for key, code in (("na", 3), ("ta", 4)):
        for ia in filter(None, kv.get(key, "").split(",")):
            iaid, _, addr = ia.partition("+")
            iaid = int(iaid)
            last = st.na if code == 3 else st.ta
            addrs = last.get(iaid, []) if addr == "last" else ([addr] if addr else [])
            sub = b"".join(opt(5, a6(a) + struct.pack("!II", pl, vl)) for a in addrs)
            head = struct.pack("!III", iaid, t1, t2) if code == 3 else struct.pack("!I", iaid)
            body += opt(code, head + sub)
    for ia in filter(None, kv.get("pd", "").split(",")):
        iaid, _, pfx = ia.partition("+")
        iaid = int(iaid)
        if pfx == "last":
            pfxs = st.pd.get(iaid, [])
        elif pfx:
            p, _, ln = pfx.partition("/")
            pfxs = [(p, int(ln))]
        else:
            pfxs = []
        sub = b"".join(opt(26, struct.pack("!IIB", pl, vl, ln) + a6(p)) for p, ln in pfxs)
        body += opt(25, struct.pack("!III", iaid, t1, t2) + sub)
    for k in sorted(kv):
        if k.startswith("opt") and k[3:].isdigit():
            body += opt(int(k[3:]), bytes.fromhex(kv[k]))
    msg = struct.pack("!I", (TYPES[kind] << 24) | xid) + body
    if "relay" in kv:
        ro = b""
        if "ifid" in kv:
            ro += opt(18, bytes.fromhex(kv["ifid"]))
        for k in sorted(kv):
            if k.startswith("ropt") and k[4:].isdigit():
                ro += opt(int(k[4:]), bytes.fromhex(kv[k]))
        ro += opt(9, msg)
        msg = bytes([12, 0]) + a6(kv["relay"]) + a6(kv.get("peer", "fe80::1")) + ro
    return msg


def norm_opts(opts, sent_cid):
    out = {}

    def put(k, v):
        n, key = 1, k
        while key in out:                       # a repeated option: "K #2", "K #3"
            n += 1
            key = "%s #%d" % (k, n)
        out[key] = v
    for code, v in opts:
        if code == 1:
            put("1 client-id", "echoed" if v == sent_cid else v.hex())
        elif code == 2:
            put("2 server-id", "@server-duid" if v else "empty")
        elif code in (3, 25) and len(v) >= 12:
            iaid, t1, t2 = struct.unpack("!III", v[:12])
            put("%d iaid=%d" % (code, iaid), dict({"t1": t1, "t2": t2}, **norm_opts(parse_opts(v[12:]), sent_cid)))
        elif code == 4 and len(v) >= 4:
            iaid = struct.unpack("!I", v[:4])[0]
            put("4 iaid=%d" % iaid, norm_opts(parse_opts(v[4:]), sent_cid))
        elif code == 5 and len(v) >= 24:
            pl, vl = struct.unpack("!II", v[16:24])
            put("5 " + s6(v[:16]), dict({"preferred": pl, "valid": vl}, **norm_opts(parse_opts(v[24:]), sent_cid)))
        elif code == 26 and len(v) >= 25:
            pl, vl = struct.unpack("!II", v[:8])
            put("26 %s/%d" % (s6(v[9:25]), v[8]),
                dict({"preferred": pl, "valid": vl}, **norm_opts(parse_opts(v[25:]), sent_cid)))
        elif code == 13 and len(v) >= 2:
            c = struct.unpack("!H", v[:2])[0]
            put("13 status", {"code": "%d %s" % (c, STATUS.get(c, "?")), "text": v[2:].decode("utf-8", "replace")})
        else:
            put(str(code), v.hex())
    return out


def parse_reply(data, sent_cid, st):
    if len(data) < 4:
        return None
    t = data[0]
    if t == 13:
        if len(data) < 34:
            return None
        r = {"type": "RELAY-REPL", "hop": data[1], "link": s6(data[2:18]), "peer": s6(data[18:34])}
        ro, inner = {}, None
        for code, v in parse_opts(data[34:]):
            if code == 9:
                inner = parse_reply(v, sent_cid, st)
            elif code == 18:
                r["interface-id"] = v.hex()
            else:
                ro[str(code)] = v.hex()
        r["relay-options"] = ro
        r["inner"] = inner
        return r
    xid = struct.unpack("!I", data[:4])[0] & 0xFFFFFF
    opts = parse_opts(data[4:])
    st.learn(opts)
    return {"type": NAMES.get(t, "type-%d" % t), "xid": xid, "options": norm_opts(opts, sent_cid)}


def run(args):
    script = args[0]
    o = {"--ifname": "eth0", "--relay-src": None, "--server-ip": None, "--timeout": "1"}
    i = 1
    while i < len(args):
        o[args[i]] = args[i + 1]
        i += 2
    ifname, timeout = o["--ifname"], float(o["--timeout"])
    ifindex = socket.if_nametoindex(ifname)
    cli = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    cli.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    cli.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, ifname.encode())
    cli.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_IF, ifindex)
    cli.bind(("::", 546))
    rel = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    rel.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    rel.bind((o["--relay-src"], 547))
    server = o["--server-ip"]
    server_scope = ifindex if server.lower().startswith("fe80") else 0
    st = State()
    step = 0
    with open(script) as f:
        lines = [ln.strip() for ln in f]
    for line in lines:
        if not line or line.startswith("#"):
            continue
        if line.startswith("sleep"):
            time.sleep(float(line.split()[1]))
            continue
        step += 1
        kind, kv = probecommon.parse_line(line)
        xid = 0x6B0000 + step
        msg = build(kind, kv, xid, st)
        duid = kv.get("duid", "00030001020000000001")
        sent_cid = None if duid == "none" else bytes.fromhex(duid)
        for s in (cli, rel):                      # drain leftovers of the previous step
            while select.select([s], [], [], 0)[0]:
                s.recvfrom(65535)
        if "relay" in kv:
            rel.sendto(msg, (server, 547, 0, server_scope))
        elif kv.get("unicast") == "1":
            cli.sendto(msg, (server, 547, 0, server_scope))
        else:
            cli.sendto(msg, (ALL_DHCP, 547, 0, ifindex))
        r = None
        end = time.monotonic() + float(kv.get("wait", timeout))
        while r is None:
            left = end - time.monotonic()
            if left <= 0:
                break
            rd, _, _ = select.select([cli, rel], [], [], left)
            for s in rd:
                data, _addr = s.recvfrom(65535)
                p = parse_reply(data, sent_cid, st)
                if p is None:
                    continue
                inner = p.get("inner") if p["type"] == "RELAY-REPL" else p
                if not isinstance(inner, dict) or inner.get("xid") != xid:
                    continue
                inner.pop("xid", None)
                p["port"] = 546 if s is cli else 547
                r = p
                break
        print(json.dumps({"step": step, "sent": line, "reply": r if r is not None else "no reply"},
                         sort_keys=True), flush=True)
    return 0


def flatten(v, prefix, out):
    if isinstance(v, dict):
        for k, x in v.items():
            flatten(x, (prefix + " / " if prefix else "") + k, out)
    elif isinstance(v, list):
        for n, x in enumerate(v):
            flatten(x, "%s[%d]" % (prefix, n), out)
    else:
        out[prefix] = v
    return out


def differences(ra, rb, args):
    fa, fb = flatten(ra, "", {}), flatten(rb, "", {})
    return [(k or "reply", fa.get(k, "(absent)"), fb.get(k, "(absent)"))
            for k in sorted(set(fa) | set(fb)) if fa.get(k, "(absent)") != fb.get(k, "(absent)")]


def reply_type(r):
    """The (unwrapped) reply's type: ADVERTISE, REPLY, ... or none."""
    if isinstance(r, dict) and r.get("type") == "RELAY-REPL":
        r = r.get("inner")
    return r["type"] if isinstance(r, dict) else "none"


if __name__ == "__main__":
    sys.exit(probecommon.main(
        __doc__, run, lambda args: probecommon.compare(args, differences, width=40),
        lambda args: probecommon.check(args, reply_type)))
