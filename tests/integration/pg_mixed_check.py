#!/usr/bin/env python3
"""Check the DHCPACKs two servers sent from one lease database (test_pg_mixed.sh).

  pg_mixed_check.py A.pcap B.pcap LEASES.tsv

A.pcap, B.pcap: what tcpdump -w captured on each server's link (classic pcap, Ethernet or
Linux cooked v1 frames; IPv4/UDP only, anything else is skipped).  LEASES.tsv: the lease4
table, one row a line: address (dotted), hwaddr (hex), valid_lifetime, state.

Each DHCPACK (option 53 = 5, BOOTREPLY, sent from port 67) with yiaddr != 0 is a lease
interval [capture time, capture time + option 51) for (yiaddr, chaddr).  Prints lines
"KEY VALUE" for the test to assert on, then the offending cases (at most 10 each):
  acks_a / acks_b                DHCPACKs with an address, per capture
  clients_a / clients_b          distinct chaddrs acked by each server
  chaddr_range_a / _b            the lowest and highest of them (hex), e.g. 020000000000-02000000009f
  both_clients                   chaddrs acked by both servers
  both_same_addr                 ... of which every ACK from either server had one address
  conflicts                      pairs of ACKs of one yiaddr to two chaddrs, overlapping
  acks_no_lifetime               ACKs without option 51 (would make the check vacuous)
  rows, rows_dup_client          lease4 rows; hwaddrs holding more than one row
  rows_last_ack_ok               rows whose hwaddr is the chaddr of that address's last ACK
  rows_no_ack                    rows no captured ACK accounts for
  acked_addrs, acked_addrs_no_row   addresses acked; of those with no lease4 row
Nothing here decides pass/fail; the test does.
"""
import struct
import sys


def ip4(b):
    return ".".join(str(x) for x in b)


def read_pcap(path):
    """Yield (time, frame bytes, link type)."""
    data = open(path, "rb").read()
    if len(data) < 24:
        return
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
        yield sec + frac / (1e9 if nano else 1e6), frame, linktype


def dhcp_payload(frame, linktype):
    """The UDP payload of an IPv4/UDP datagram from port 67, or None."""
    if linktype == 1:            # Ethernet
        if len(frame) < 14:
            return None
        etype = struct.unpack("!H", frame[12:14])[0]
        p = 14
        if etype == 0x8100 and len(frame) >= 18:
            etype = struct.unpack("!H", frame[16:18])[0]
            p = 18
    elif linktype == 113:        # Linux cooked v1 (tcpdump -i any)
        if len(frame) < 16:
            return None
        etype = struct.unpack("!H", frame[14:16])[0]
        p = 16
    else:
        return None
    if etype != 0x0800 or len(frame) < p + 20:
        return None
    ihl = (frame[p] & 0x0F) * 4
    if frame[p + 9] != 17:
        return None
    total = struct.unpack("!H", frame[p + 2:p + 4])[0]
    ip = frame[p:p + total]
    udp = ip[ihl:]
    if len(udp) < 8:
        return None
    sport, _dport, ulen = struct.unpack("!HHH", udp[:6])
    if sport != 67:
        return None
    return udp[8:ulen]


def parse_ack(b):
    """(yiaddr, chaddr hex, lease time or None) for a DHCPACK, else None."""
    if len(b) < 240 or b[0] != 2 or b[236:240] != b"\x63\x82\x53\x63":
        return None
    hlen = min(b[2], 16)
    yiaddr = ip4(b[16:20])
    chaddr = b[28:28 + hlen].hex()
    opts = {}
    i = 240
    while i < len(b):
        code = b[i]
        if code == 0:
            i += 1
            continue
        if code == 255 or i + 1 >= len(b):
            break
        n = b[i + 1]
        opts.setdefault(code, b[i + 2:i + 2 + n])
        i += 2 + n
    if opts.get(53) != b"\x05" or yiaddr == "0.0.0.0":
        return None
    lt = struct.unpack("!I", opts[51])[0] if len(opts.get(51, b"")) == 4 else None
    return yiaddr, chaddr, lt


def acks(path, who):
    out = []
    for t, frame, lt in read_pcap(path):
        pl = dhcp_payload(frame, lt)
        if pl is None:
            continue
        a = parse_ack(pl)
        if a:
            out.append((t, a[0], a[1], a[2], who))
    return out


def main():
    a = acks(sys.argv[1], "A")
    b = acks(sys.argv[2], "B")
    rows = []
    for line in open(sys.argv[3]):
        f = line.rstrip("\n").split("\t")
        if len(f) >= 2 and f[0]:
            rows.append((f[0], f[1].lower()))
    every = sorted(a + b)
    problems = {}

    def problem(kind, text):
        problems.setdefault(kind, []).append(text)

    print("acks_a", len(a))
    print("acks_b", len(b))
    print("acks_no_lifetime", sum(1 for x in every if x[3] is None))
    ca = {x[2] for x in a}
    cb = {x[2] for x in b}
    print("clients_a", len(ca))
    print("clients_b", len(cb))
    for who, cs in (("a", ca), ("b", cb)):
        print("chaddr_range_" + who, "%s-%s" % (min(cs), max(cs)) if cs else "-")
    both = ca & cb
    print("both_clients", len(both))
    addrs_of = {}
    for x in every:
        addrs_of.setdefault(x[2], set()).add(x[1])
    same = 0
    for c in sorted(both):
        if len(addrs_of[c]) == 1:
            same += 1
        else:
            problem("both_diff_addr", "client %s got %s" % (c, sorted(addrs_of[c])))
    print("both_same_addr", same)

    by_addr = {}
    for x in every:
        by_addr.setdefault(x[1], []).append(x)
    conflicts = 0
    for addr, xs in sorted(by_addr.items()):
        for i, x in enumerate(xs):
            xend = x[0] + (x[3] if x[3] is not None else 0)
            for y in xs[i + 1:]:
                if y[2] == x[2]:
                    continue
                yend = y[0] + (y[3] if y[3] is not None else 0)
                if y[0] < xend and x[0] < yend:
                    conflicts += 1
                    problem("conflict", "%s: %s by %s at %.3f (%ss) and %s by %s at %.3f (%ss)"
                            % (addr, x[2], x[4], x[0], x[3], y[2], y[4], y[0], y[3]))
    print("conflicts", conflicts)

    print("rows", len(rows))
    per_client = {}
    for addr, hw in rows:
        per_client.setdefault(hw, []).append(addr)
    dup = [hw for hw, v in per_client.items() if len(v) > 1]
    for hw in dup:
        problem("rows_dup_client", "hwaddr %s holds %s" % (hw, per_client[hw]))
    print("rows_dup_client", len(dup))
    ok = no_ack = 0
    for addr, hw in rows:
        xs = by_addr.get(addr)
        if not xs:
            no_ack += 1
            problem("rows_no_ack", "%s %s" % (addr, hw))
        elif xs[-1][2] == hw:
            ok += 1
        else:
            problem("rows_last_ack", "row %s %s, last ACK to %s" % (addr, hw, xs[-1][2]))
    print("rows_last_ack_ok", ok)
    print("rows_no_ack", no_ack)
    row_addrs = {r[0] for r in rows}
    print("acked_addrs", len(by_addr))
    missing = [ad for ad in by_addr if ad not in row_addrs]
    for ad in missing:
        problem("acked_no_row", ad)
    print("acked_addrs_no_row", len(missing))
    for kind, texts in problems.items():
        for t in texts[:10]:
            print("#", kind, t)
        if len(texts) > 10:
            print("#", kind, "... %d more" % (len(texts) - 10))


if __name__ == "__main__":
    main()
