#!/usr/bin/env python3
"""Write the expected decode of each captured packet fixture as JSON, next to it.

  expected-decode.py Tests/Fixtures/packets

An independent decoder (this file, not Kakapo's Swift codec) reads each <case>.bin and writes
<case>.json with the BOOTP header fields and every option as hex, repeated options joined
(RFC 3396) and overloaded sname/file options included (RFC 2131 option 52). The Swift test
FixtureTests compares Kakapo's decode against these files.
"""
import json
import os
import struct
import sys


def parse_options(b, start, end, out):
    i = start
    while i < end:
        code = b[i]
        if code == 0:
            i += 1
            continue
        if code == 255:
            return
        length = b[i + 1]
        data = b[i + 2:i + 2 + length]
        out.setdefault(code, bytearray()).extend(data)
        i += 2 + length


def decode(b):
    op, htype, hlen, hops, xid, secs, flags = struct.unpack("!BBBBIHH", b[:12])
    addrs = [".".join(str(x) for x in b[o:o + 4]) for o in (12, 16, 20, 24)]
    opts = {}
    parse_options(b, 240, len(b), opts)
    overload = opts.get(52, b"\x00")[0]
    if overload & 1:
        parse_options(b, 108, 236, opts)
    if overload & 2:
        parse_options(b, 44, 108, opts)
    return {
        "op": op, "htype": htype, "hlen": hlen, "hops": hops, "xid": xid, "secs": secs, "flags": flags,
        "ciaddr": addrs[0], "yiaddr": addrs[1], "siaddr": addrs[2], "giaddr": addrs[3],
        "chaddr": ":".join("%02x" % x for x in b[28:28 + hlen]),
        "message_type": opts.get(53, b"\x00")[0],
        "options": {str(k): bytes(v).hex() for k, v in opts.items()},
    }


def main(root):
    for client in sorted(os.listdir(root)):
        d = os.path.join(root, client)
        if not os.path.isdir(d):
            continue
        for f in sorted(os.listdir(d)):
            if f.endswith(".bin"):
                with open(os.path.join(d, f), "rb") as fh:
                    exp = decode(fh.read())
                with open(os.path.join(d, f[:-4] + ".json"), "w") as fh:
                    json.dump(exp, fh, indent=1, sort_keys=True)
                    fh.write("\n")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "Tests/Fixtures/packets")
