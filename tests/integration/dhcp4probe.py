#!/usr/bin/env python3
"""Scripted DHCPv4 probe: sends hand-built messages at layer 2 and prints each reply as one
normalized JSON line, so two servers can be compared with the same script (stdlib only).

  dhcp4probe.py run SCRIPT --ifname IF --server-ip IP --server-mac MAC [--timeout S]
  dhcp4probe.py compare A B [--labels kea,kakapo] [--l2]   field-by-field diff of two runs
                                                       (the l2 field only with --l2)
        [--allow-steps 2,5]   exit 0 same, 1 differs, 3 differs only in the allowed steps
  dhcp4probe.py check OUT                              steps with expect=TYPE got that reply

`run` needs root (AF_PACKET) and runs inside the client namespace.  It puts IF in promiscuous
mode and reads every IPv4/UDP frame from port 67 on IF, so a reply is seen wherever the
server sends it: broadcast, unicast to yiaddr at chaddr, to ciaddr, or to giaddr port 67.
Nothing is configured on IF: frames are built here (Ethernet, IPv4, UDP), so a client can
send from 0.0.0.0 and a "relay" from any giaddr without the kernel owning the address.

Script: one step per line, `#` comments.

  discover|request|release|decline|inform|bootp|msgtype=N  KEY=VALUE ...
  sleep SECONDS
  align              wait for the start of the next wall-clock second (+50 ms), so that steps
                     timed in whole seconds (lease ages) fall on the same side of a second
                     boundary in both servers' runs

  mac=02:..          chaddr (and the frame's source MAC); default 02:00:00:00:00:01
  cid=HEX            option 61            req=IP   option 50       sid=IP   option 54
  prl=1,3,6          option 55            vci=TEXT option 60       host=TEXT option 12
  optN=HEX           any option N (raw value)
  circuit=HEX remote=HEX linksel=IP sidov=IP     option 82 sub-options 1, 2, 5, 11
  ciaddr=IP giaddr=IP  flags=broadcast|0|0xNNNN  hops=N  xid=HEX
  to=broadcast|server   where the frame goes (default: server when giaddr or ciaddr is
                        set, else broadcast); a relay (giaddr) sends from giaddr:67 to 67,
                        a client from ciaddr (or 0.0.0.0):68
  wait=S             reply timeout for this step (default --timeout)
  expect=TYPE        not sent: `check` asserts the reply type (DHCPOFFER, DHCPACK, DHCPNAK,
                     BOOTREPLY, or none for silence); the test checks it on Kea's output
  noopt=6,7 hasopt=3 with expect=: these options must be absent / present in the reply

A value `@yiaddr` / `@sid` / `@ciaddr` is the previous reply's yiaddr / option 54 /
ciaddr (0.0.0.0 when that step got no reply).

Output: per step {"step": N, "sent": "<the script line>", "reply": {...}} or
"reply": "no reply".  The reply holds the message type name, op, htype, hlen, hops,
ciaddr, yiaddr, siaddr, giaddr, flags, sname, file, where it was sent (to = IP:port,
l2 = broadcast|unicast) and options as {"code": "hex"} (option 82 included).
"""
import json
import os
import select
import socket
import struct
import sys
import time

import probecommon

MAGIC = b"\x63\x82\x53\x63"
TYPES = {"discover": 1, "request": 3, "decline": 4, "release": 7, "inform": 8}
NAMES = {1: "DHCPDISCOVER", 2: "DHCPOFFER", 3: "DHCPREQUEST", 4: "DHCPDECLINE", 5: "DHCPACK",
         6: "DHCPNAK", 7: "DHCPRELEASE", 8: "DHCPINFORM"}
ETH_P_IP = 0x0800
PACKET_OUTGOING = 4
SIOCGIFFLAGS = 0x8913
SIOCSIFFLAGS = 0x8914
IFF_PROMISC = 0x100


def mac_bytes(s):
    return bytes.fromhex(s.replace(":", "").replace("-", ""))


def ip_bytes(s):
    return socket.inet_aton(s)


def checksum(b):
    if len(b) % 2:
        b += b"\x00"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def frame(src_mac, dst_mac, src_ip, dst_ip, sport, dport, payload):
    udp_len = 8 + len(payload)
    pseudo = ip_bytes(src_ip) + ip_bytes(dst_ip) + struct.pack("!BBH", 0, 17, udp_len)
    udp = struct.pack("!HHHH", sport, dport, udp_len, 0) + payload
    csum = checksum(pseudo + udp) or 0xFFFF
    udp = udp[:6] + struct.pack("!H", csum) + udp[8:]
    iph = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + udp_len, 0, 0, 64, 17, 0,
                      ip_bytes(src_ip), ip_bytes(dst_ip))
    iph = iph[:10] + struct.pack("!H", checksum(iph)) + iph[12:]
    return dst_mac + src_mac + struct.pack("!H", ETH_P_IP) + iph + udp


def opt(code, value):
    out = b""
    while True:                     # RFC 3396 split for long values
        out += bytes([code, min(len(value), 255)]) + value[:255]
        value = value[255:]
        if not value:
            return out


def build(kind, kv, xid):
    mac = mac_bytes(kv.get("mac", "02:00:00:00:00:01"))
    if kind == "bootp":
        mtype = None
    elif kind.startswith("msgtype"):
        mtype = int(kv.get("msgtype", kind.partition("=")[2] or "0"))
    else:
        mtype = TYPES[kind]
    flags = kv.get("flags", "0")
    flags = 0x8000 if flags == "broadcast" else int(flags, 0)
    hdr = struct.pack("!BBBBIHH", 1, 1, len(mac), int(kv.get("hops", "0")), xid, 0, flags)
    hdr += ip_bytes(kv.get("ciaddr", "0.0.0.0")) + b"\x00" * 8 + ip_bytes(kv.get("giaddr", "0.0.0.0"))
    hdr += (mac + b"\x00" * 16)[:16] + b"\x00" * 192
    o = b""
    if mtype is not None:
        o += opt(53, bytes([mtype]))
    if "cid" in kv:
        o += opt(61, bytes.fromhex(kv["cid"]))
    if "req" in kv:
        o += opt(50, ip_bytes(kv["req"]))
    if "sid" in kv:
        o += opt(54, ip_bytes(kv["sid"]))
    if "host" in kv:
        o += opt(12, kv["host"].encode())
    if "vci" in kv:
        o += opt(60, kv["vci"].encode())
    if "prl" in kv:
        o += opt(55, bytes(int(c) for c in kv["prl"].split(",")))
    for k in sorted(kv):
        if k.startswith("opt") and k[3:].isdigit():
            o += opt(int(k[3:]), bytes.fromhex(kv[k]))
    rai = b""
    if "circuit" in kv:
        rai += opt(1, bytes.fromhex(kv["circuit"]))
    if "remote" in kv:
        rai += opt(2, bytes.fromhex(kv["remote"]))
    if "linksel" in kv:
        rai += opt(5, ip_bytes(kv["linksel"]))
    if "sidov" in kv:
        rai += opt(11, ip_bytes(kv["sidov"]))
    if rai:
        o += opt(82, rai)
    o += b"\xff"
    p = hdr + MAGIC + o
    if len(p) < 300:
        p += b"\x00" * (300 - len(p))
    return p, mac


def parse_reply(p):
    if len(p) < 240 or p[236:240] != MAGIC:
        return None
    op, htype, hlen, hops, xid, _secs, flags = struct.unpack("!BBBBIHH", p[:12])
    r = {"op": op, "htype": htype, "hlen": hlen, "hops": hops, "xid": xid,
         "ciaddr": socket.inet_ntoa(p[12:16]), "yiaddr": socket.inet_ntoa(p[16:20]),
         "siaddr": socket.inet_ntoa(p[20:24]), "giaddr": socket.inet_ntoa(p[24:28]),
         "flags": "0x%04x" % flags, "chaddr": p[28:28 + min(hlen, 16)].hex(),
         "sname": p[44:108].rstrip(b"\x00").decode("latin-1"),
         "file": p[108:236].rstrip(b"\x00").decode("latin-1")}
    opts, i = {}, 240
    while i < len(p):
        c = p[i]
        if c == 255:
            break
        if c == 0:
            i += 1
            continue
        if i + 1 >= len(p):
            break
        n = p[i + 1]
        v = p[i + 2:i + 2 + n].hex()
        opts[c] = opts.get(c, "") + v       # RFC 3396: concatenate repeated options
        i += 2 + n
    r["type"] = NAMES.get(int(opts[53][:2], 16), "type-" + opts[53]) if 53 in opts else "BOOTREPLY"
    r["options"] = {str(k): opts[k] for k in sorted(opts)}
    return r


def set_promisc(ifname):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        import fcntl
        ifr = struct.pack("16sH", ifname.encode(), 0)
        flags = struct.unpack("16sH", fcntl.ioctl(s, SIOCGIFFLAGS, ifr)[:18])[1]
        fcntl.ioctl(s, SIOCSIFFLAGS, struct.pack("16sH", ifname.encode(), flags | IFF_PROMISC))
    finally:
        s.close()


def receive(sock, xid, timeout):
    end = time.monotonic() + timeout
    while True:
        left = end - time.monotonic()
        if left <= 0:
            return None
        rd, _, _ = select.select([sock], [], [], left)
        if not rd:
            return None
        data, addr = sock.recvfrom(65535)
        if addr[2] == PACKET_OUTGOING or len(data) < 14 + 20 + 8:
            continue
        if struct.unpack("!H", data[12:14])[0] != ETH_P_IP:
            continue
        ip = data[14:]
        ihl = (ip[0] & 0x0F) * 4
        if ip[9] != 17:
            continue
        sport, dport = struct.unpack("!HH", ip[ihl:ihl + 4])
        if sport != 67:
            continue
        r = parse_reply(ip[ihl + 8:])
        if r is None or r["op"] != 2 or r["xid"] != xid:
            continue
        del r["xid"]
        r["to"] = "%s:%d" % (socket.inet_ntoa(ip[16:20]), dport)
        r["l2"] = "broadcast" if data[0:6] == b"\xff" * 6 else "unicast"
        return r


def run(args):
    script = args[0]
    o = {"--ifname": "eth0", "--server-ip": None, "--server-mac": None, "--timeout": "1.5"}
    i = 1
    while i < len(args):
        o[args[i]] = args[i + 1]
        i += 2
    ifname, server_ip, server_mac = o["--ifname"], o["--server-ip"], mac_bytes(o["--server-mac"])
    timeout = float(o["--timeout"])
    set_promisc(ifname)
    sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_IP))
    sock.bind((ifname, ETH_P_IP))
    last = None
    step = 0
    with open(script) as f:
        lines = [ln.strip() for ln in f]
    for line in lines:
        if not line or line.startswith("#"):
            continue
        if line.startswith("sleep"):
            time.sleep(float(line.split()[1]))
            continue
        if line == "align":
            time.sleep(1.05 - (time.time() % 1.0))
            continue
        step += 1
        kind, kv = probecommon.parse_line(line)
        for k, v in list(kv.items()):
            if v.startswith("@"):
                field = v[1:]
                if last is None:
                    kv[k] = "0.0.0.0"
                elif field == "sid":
                    h = last["options"].get("54", "00000000")
                    kv[k] = socket.inet_ntoa(bytes.fromhex(h)[:4].ljust(4, b"\x00"))
                else:
                    kv[k] = last[field]
        xid = int(kv["xid"], 16) if "xid" in kv else 0x6B640000 + step
        payload, mac = build(kind, kv, xid)
        giaddr, ciaddr = kv.get("giaddr"), kv.get("ciaddr")
        to = kv.get("to", "server" if (giaddr or ciaddr) else "broadcast")
        if giaddr:
            src_ip, sport = giaddr, 67
        else:
            src_ip, sport = (ciaddr or "0.0.0.0"), 68
        if to == "server":
            dst_ip, dst_mac = server_ip, server_mac
        else:
            dst_ip, dst_mac = "255.255.255.255", b"\xff" * 6
        # drain anything left over from the previous step
        while select.select([sock], [], [], 0)[0]:
            sock.recvfrom(65535)
        sock.send(frame(mac, dst_mac, src_ip, dst_ip, sport, 67, payload))
        r = receive(sock, xid, float(kv.get("wait", timeout)))
        last = r
        print(json.dumps({"step": step, "sent": line, "reply": r if r is not None else "no reply"},
                         sort_keys=True), flush=True)
    return 0


def flatten(reply, ignore=()):
    if not isinstance(reply, dict):
        return {"reply": reply}
    out = {}
    for k, v in reply.items():
        if k in ignore:
            continue
        if k == "options":
            for c, h in v.items():
                out["option %s" % c] = h
        else:
            out[k] = v
    return out


def differences(ra, rb, args):
    # Where a reply goes at layer 2 (broadcast IP at Ethernet broadcast or at the client's
    # MAC) is compared only with --l2: it is one known difference, checked by one case.
    ignore = () if "--l2" in args else ("l2",)
    fa, fb = flatten(ra, ignore), flatten(rb, ignore)
    if "reply" in fa or "reply" in fb:          # one side (or both) got no reply
        def brief(f):
            return f.get("reply") or "%s yiaddr=%s to=%s" % (f["type"], f["yiaddr"], f["to"])
        return [] if fa == fb else [("reply", brief(fa), brief(fb))]
    return [(k, fa.get(k, "(absent)"), fb.get(k, "(absent)"))
            for k in sorted(set(fa) | set(fb), key=lambda k: (k.startswith("option"), len(k), k))
            if fa.get(k, "(absent)") != fb.get(k, "(absent)")]


def option_checks(s, kv):
    """noopt=C,... and hasopt=C,...: options the reply must leave out or carry."""
    opts = s["reply"]["options"] if isinstance(s["reply"], dict) else {}
    return (["option %s present (%s)" % (c, opts[c]) for c in filter(None, kv.get("noopt", "").split(",")) if c in opts]
            + ["option %s absent" % c for c in filter(None, kv.get("hasopt", "").split(",")) if c not in opts])


if __name__ == "__main__":
    sys.exit(probecommon.main(
        __doc__, run,
        lambda args: probecommon.compare(args, differences),
        # Steps with expect=TYPE (DHCPOFFER, DHCPACK, DHCPNAK, none): the reply must match.
        lambda args: probecommon.check(args, lambda r: r["type"] if isinstance(r, dict) else "none", option_checks)))
