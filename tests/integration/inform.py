#!/usr/bin/env python3
"""Send one DHCPINFORM as a client that already has an address, and print the answer.

  inform.py CIADDR MAC SERVER [--timeout S]

Binds UDP CIADDR:68, sends a DHCPINFORM (ciaddr = CIADDR, chaddr = MAC, asking for routers,
domain-name-servers and domain-name) to SERVER:67, waits for the DHCPACK on port 68 and
prints one JSON line: {"type": 5, "yiaddr": ..., "ciaddr": ..., "options": {"3": "c0000201", ...}}
Exit 1 when no answer arrives in time.
"""
import json
import socket
import struct
import sys

MAGIC = b"\x63\x82\x53\x63"


def inform(ciaddr, mac, xid=0x1F0A2B3C):
    h = struct.pack("!BBBBIHH", 1, 1, 6, 0, xid, 0, 0)
    h += socket.inet_aton(ciaddr) + b"\x00" * 12           # ciaddr, yiaddr, siaddr, giaddr
    h += (bytes.fromhex(mac.replace(":", "")) + b"\x00" * 10)[:16]
    h += b"\x00" * 192
    opts = bytes([53, 1, 8, 55, 3, 3, 6, 15, 255])
    return h + MAGIC + opts + b"\x00" * 40


def parse(p):
    if len(p) < 240 or p[236:240] != MAGIC:
        return None
    out = {"op": p[0], "xid": struct.unpack("!I", p[4:8])[0],
           "ciaddr": socket.inet_ntoa(p[12:16]), "yiaddr": socket.inet_ntoa(p[16:20]), "options": {}}
    i = 240
    while i < len(p):
        c = p[i]
        if c == 255:
            break
        if c == 0:
            i += 1
            continue
        n = p[i + 1]
        out["options"][str(c)] = p[i + 2:i + 2 + n].hex()
        i += 2 + n
    out["type"] = int(out["options"].get("53", "00"), 16)
    return out


def main():
    ciaddr, mac, server = sys.argv[1:4]
    timeout = float(sys.argv[sys.argv.index("--timeout") + 1]) if "--timeout" in sys.argv else 5.0
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((ciaddr, 68))
    s.settimeout(timeout)
    s.sendto(inform(ciaddr, mac), (server, 67))
    try:
        while True:
            data, _ = s.recvfrom(4096)
            r = parse(data)
            if r and r["op"] == 2 and r["xid"] == 0x1F0A2B3C:
                print(json.dumps(r))
                return 0
    except socket.timeout:
        print("no answer", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
