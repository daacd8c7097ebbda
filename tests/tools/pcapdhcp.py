#!/usr/bin/env python3
"""Minimal pcap reader for DHCPv4 captures (no scapy).

  pcapdhcp.py list PCAP
      one line per UDP/67-68 packet: index, time, src, dst, op, DHCP type, xid,
      ciaddr, chaddr, whether option 54 is present, payload length
  pcapdhcp.py extract PCAP OUTDIR --mac MAC [--server-dir DIR]
      write the UDP payloads of the client with hardware address MAC:
        discover.bin        first DHCPDISCOVER
        request.bin         first DHCPREQUEST carrying a server identifier (SELECTING)
        renew-request.bin   first DHCPREQUEST with ciaddr set and no server id (RENEWING)
        reboot-request.bin  first DHCPREQUEST without ciaddr and server id (INIT-REBOOT)
        release.bin         first DHCPRELEASE
      and, with --server-dir, the server's first offer.bin and ack.bin to that client.
      Prints what it wrote.

Reads classic pcap (micro- or nanosecond, either byte order), link types
Ethernet (1) and Linux cooked (113); IPv4 + UDP only.
"""
import os
import struct
import sys

DHCP_TYPES = {1: "DISCOVER", 2: "OFFER", 3: "REQUEST", 4: "DECLINE", 5: "ACK",
              6: "NAK", 7: "RELEASE", 8: "INFORM"}


def packets(path):
    with open(path, "rb") as f:
        data = f.read()
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        end = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        end = ">"
    else:
        raise SystemExit("%s: not a classic pcap file" % path)
    nano = magic in (b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d")
    linktype = struct.unpack(end + "I", data[20:24])[0]
    off = 24
    while off + 16 <= len(data):
        sec, frac, incl, _orig = struct.unpack(end + "IIII", data[off:off + 16])
        off += 16
        frame = data[off:off + incl]
        off += incl
        ts = sec + frac / (1e9 if nano else 1e6)
        if linktype == 1:
            if len(frame) < 14:
                continue
            eth_type = struct.unpack("!H", frame[12:14])[0]
            p = 14
            while eth_type in (0x8100, 0x88A8) and len(frame) >= p + 4:
                eth_type = struct.unpack("!H", frame[p + 2:p + 4])[0]
                p += 4
        elif linktype == 113:
            if len(frame) < 16:
                continue
            eth_type = struct.unpack("!H", frame[14:16])[0]
            p = 16
        else:
            raise SystemExit("unsupported link type %d" % linktype)
        if eth_type != 0x0800 or len(frame) < p + 20:
            continue
        ihl = (frame[p] & 0x0F) * 4
        proto = frame[p + 9]
        total_len = struct.unpack("!H", frame[p + 2:p + 4])[0]
        src = ".".join(str(b) for b in frame[p + 12:p + 16])
        dst = ".".join(str(b) for b in frame[p + 16:p + 20])
        if proto != 17:
            continue
        ip_end = min(len(frame), p + total_len)
        u = p + ihl
        if ip_end < u + 8:
            continue
        sport, dport, ulen = struct.unpack("!HHH", frame[u:u + 6])
        payload = frame[u + 8:min(ip_end, u + ulen)]
        yield ts, (src, sport), (dst, dport), payload


def dhcp_info(payload):
    if len(payload) < 240:
        return None
    op, htype, hlen = payload[0], payload[1], payload[2]
    xid = struct.unpack("!I", payload[4:8])[0]
    ciaddr = ".".join(str(b) for b in payload[12:16])
    chaddr = ":".join("%02x" % b for b in payload[28:28 + min(hlen, 16)])
    opts = {}
    if payload[236:240] == b"\x63\x82\x53\x63":
        i = 240
        while i < len(payload):
            code = payload[i]
            if code == 0:
                i += 1
                continue
            if code == 255 or i + 1 >= len(payload):
                break
            ln = payload[i + 1]
            opts.setdefault(code, payload[i + 2:i + 2 + ln])
            i += 2 + ln
    mtype = opts.get(53, b"\x00")[0] if 53 in opts and opts[53] else 0
    return {"op": op, "htype": htype, "xid": xid, "ciaddr": ciaddr, "chaddr": chaddr,
            "type": mtype, "opts": opts}


def main(argv):
    if len(argv) < 2 or argv[0] not in ("list", "extract"):
        print(__doc__, file=sys.stderr)
        return 4
    pk = [(ts, s, d, pl) for ts, s, d, pl in packets(argv[1]) if 67 in (s[1], d[1]) or 68 in (s[1], d[1])]
    if argv[0] == "list":
        for n, (ts, s, d, pl) in enumerate(pk):
            info = dhcp_info(pl)
            if info is None:
                print("%3d %.6f %s:%d > %s:%d short(%d)" % (n, ts, s[0], s[1], d[0], d[1], len(pl)))
                continue
            print("%3d %.6f %s:%d > %s:%d op=%d %-8s xid=%08x ciaddr=%s chaddr=%s sid=%s len=%d" % (
                n, ts, s[0], s[1], d[0], d[1], info["op"], DHCP_TYPES.get(info["type"], info["type"]),
                info["xid"], info["ciaddr"], info["chaddr"], 54 in info["opts"], len(pl)))
        return 0
    outdir = argv[2]
    mac = argv[argv.index("--mac") + 1].lower()
    sdir = argv[argv.index("--server-dir") + 1] if "--server-dir" in argv else None
    want = {}
    for ts, s, d, pl in pk:
        info = dhcp_info(pl)
        if info is None or info["chaddr"] != mac:
            continue
        t, sid, ci = info["type"], 54 in info["opts"], info["ciaddr"] != "0.0.0.0"
        name = None
        if info["op"] == 1:
            if t == 1:
                name = "discover"
            elif t == 3 and sid:
                name = "request"
            elif t == 3 and ci:
                name = "renew-request"
            elif t == 3:
                name = "reboot-request"
            elif t == 7:
                name = "release"
            if name and name not in want:
                want[name] = (outdir, pl, info)
        elif info["op"] == 2 and sdir:
            name = {2: "offer", 5: "ack"}.get(t)
            if name and ("srv-" + name) not in want:
                want["srv-" + name] = (sdir, pl, info)
    for key, (d, pl, info) in sorted(want.items()):
        os.makedirs(d, exist_ok=True)
        fn = os.path.join(d, key.replace("srv-", "") + ".bin")
        with open(fn, "wb") as f:
            f.write(pl)
        print("%s %d bytes xid=%08x" % (fn, len(pl), info["xid"]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
