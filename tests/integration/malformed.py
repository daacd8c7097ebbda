#!/usr/bin/env python3
"""Malformed DHCPv4 packets, deterministic (seeded).

  malformed.py list                         print the case names
  malformed.py write DIR                    write each case to DIR/<name>.bin
  malformed.py send DST [--broadcast --ifname IF] [--case NAME] [--sock SOCKET --report FILE]
        send the cases as UDP from port 68 to DST:67 (one after the other, 20 ms
        apart).  With --sock, query the server's statistics before and after each
        case and append "case counter delta ..." lines to FILE.

Cases: too short / truncated BOOTP headers, bad magic cookie, option lengths
running past the end, message-type option with a wrong length, option overload
(52) pointing into garbage sname/file fields or with a bad value, absurd hlen,
and random bytes (seed 4242).
"""
import os
import random
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

MAGIC = b"\x63\x82\x53\x63"
MAC = bytes.fromhex("020000ee0001")


def header(op=1, htype=1, hlen=6, xid=0x6B616B61, flags=0x8000, sname=b"", file=b""):
    h = struct.pack("!BBBBIHH", op, htype, hlen, 0, xid, 0, flags)
    h += b"\x00" * 16                       # ciaddr yiaddr siaddr giaddr
    h += (MAC + b"\x00" * 10)[:16]          # chaddr
    h += (sname + b"\x00" * 64)[:64]
    h += (file + b"\x00" * 128)[:128]
    assert len(h) == 236
    return h


def discover_options():
    return bytes([53, 1, 1, 55, 4, 1, 3, 6, 15, 255])


def pad(p, n=300):
    return p + b"\x00" * max(0, n - len(p))


def cases():
    good = pad(header() + MAGIC + discover_options())
    out = []
    out.append(("empty", b""))
    out.append(("short-1", b"\x01"))
    out.append(("short-10", good[:10]))
    out.append(("truncated-header-100", good[:100]))
    out.append(("truncated-header-235", good[:235]))
    out.append(("header-only-236", good[:236]))
    out.append(("cookie-only-240", good[:240]))
    out.append(("bad-cookie", pad(header() + b"\xde\xad\xbe\xef" + discover_options())))
    out.append(("option-length-overrun", header() + MAGIC + bytes([53, 1, 1, 12, 200]) + b"abcde"))
    out.append(("option-length-byte-missing", header() + MAGIC + bytes([53, 1, 1, 12])))
    out.append(("msgtype-length-0", pad(header() + MAGIC + bytes([53, 0, 55, 2, 1, 3, 255]))))
    out.append(("msgtype-length-2", pad(header() + MAGIC + bytes([53, 2, 1, 1, 255]))))
    out.append(("msgtype-value-0", pad(header() + MAGIC + bytes([53, 1, 0, 255]))))
    out.append(("msgtype-value-200", pad(header() + MAGIC + bytes([53, 1, 200, 255]))))
    out.append(("no-end-option", header() + MAGIC + bytes([53, 1, 1, 55, 2, 1, 3])))
    out.append(("hlen-255", pad(header(hlen=255) + MAGIC + discover_options())))
    out.append(("op-reply-from-client", pad(header(op=2) + MAGIC + discover_options())))
    garbage_file = bytes([12, 255]) + b"x" * 20              # length runs past the file field
    garbage_sname = bytes([15, 200]) + b"y" * 10
    out.append(("overload-file-garbage",
                pad(header(file=garbage_file) + MAGIC + bytes([53, 1, 1, 52, 1, 1, 255]))))
    out.append(("overload-sname-garbage",
                pad(header(sname=garbage_sname) + MAGIC + bytes([53, 1, 1, 52, 1, 2, 255]))))
    out.append(("overload-both-garbage",
                pad(header(sname=garbage_sname, file=garbage_file) + MAGIC + bytes([53, 1, 1, 52, 1, 3, 255]))))
    rnd = random.Random(4242)
    out.append(("overload-both-random",
                pad(header(sname=bytes(rnd.randrange(256) for _ in range(64)),
                           file=bytes(rnd.randrange(256) for _ in range(128)))
                    + MAGIC + bytes([53, 1, 1, 52, 1, 3, 255]))))
    out.append(("overload-value-7", pad(header() + MAGIC + bytes([53, 1, 1, 52, 1, 7, 255]))))
    out.append(("overload-length-0", pad(header() + MAGIC + bytes([53, 1, 1, 52, 0, 255]))))
    out.append(("overload-in-file-again",
                pad(header(file=bytes([52, 1, 1, 255])) + MAGIC + bytes([53, 1, 1, 52, 1, 1, 255]))))
    for i in range(12):
        n = rnd.choice([rnd.randrange(0, 300), rnd.randrange(236, 600)])
        out.append(("random-bytes-%02d" % i, bytes(rnd.randrange(256) for _ in range(n))))
    for i in range(12):
        n = rnd.randrange(1, 80)
        out.append(("random-options-%02d" % i, header(xid=rnd.getrandbits(32)) + MAGIC
                    + bytes(rnd.randrange(256) for _ in range(n))))
    return out


COUNTERS = ("pkt4-received", "pkt4-parse-failed", "pkt4-receive-drop",
            "pkt4-discover-received", "pkt4-offer-sent", "pkt4-unknown-received")


def stats(sock):
    import ctl
    resp = ctl.request(sock, "statistic-get-all", None, 5.0)
    args = resp.get("arguments") or {}
    return {c: ctl.stat_value({"arguments": args}, c) for c in COUNTERS}


def main(argv):
    if not argv or argv[0] not in ("list", "write", "send"):
        print(__doc__, file=sys.stderr)
        return 4
    cs = cases()
    if argv[0] == "list":
        for name, data in cs:
            print(name, len(data))
        return 0
    if argv[0] == "write":
        os.makedirs(argv[1], exist_ok=True)
        for name, data in cs:
            with open(os.path.join(argv[1], name + ".bin"), "wb") as f:
                f.write(data)
        return 0
    dst = argv[1]
    bcast = "--broadcast" in argv
    only = argv[argv.index("--case") + 1] if "--case" in argv else None
    sock = argv[argv.index("--sock") + 1] if "--sock" in argv else None
    report = argv[argv.index("--report") + 1] if "--report" in argv else None
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
    if "--ifname" in argv:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, argv[argv.index("--ifname") + 1].encode())
    s.bind(("0.0.0.0", 68))
    target = ("255.255.255.255" if bcast else dst, 67)
    rep = open(report, "a") if report else None
    sent = 0
    for name, data in cs:
        if only and name != only:
            continue
        before = stats(sock) if sock else None
        s.sendto(data, target)
        sent += 1
        time.sleep(0.02)
        if sock:
            after = before
            deadline = time.monotonic() + 1.0          # wait until the server has counted it
            while time.monotonic() < deadline:
                time.sleep(0.03)
                after = stats(sock)
                if after["pkt4-received"] > before["pkt4-received"]:
                    time.sleep(0.03)
                    after = stats(sock)
                    break
            delta = " ".join("%s=+%d" % (c, after[c] - before[c]) for c in COUNTERS if after[c] != before[c])
            rep.write("%-28s %4d bytes  %s\n" % (name, len(data), delta or "(nothing counted)"))
    if rep:
        rep.close()
    print("sent %d packets to %s:%d" % (sent, target[0], target[1]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
