#!/usr/bin/env python3
"""Reads `strace -f -y -xx -s 65535 -e trace=poll,ppoll,epoll_wait,epoll_pwait,write,fdatasync,fsync,sendto,sendmsg,sendmmsg`
of a DHCP server and checks, for each reply that announces a lease, that the lease's row was
written to the lease file and (with --expect-sync) fdatasync'ed before the reply was sent.

    strace_durability.py STRACE_FILE LEASE_FILE v4|v6 [--expect-sync]

Prints one line of integers, in order:
  replies      replies announcing a lease (DHCPACK with yiaddr; DHCPv6 Reply with IAADDR/IAPREFIX)
  unwritten    of them, sent before any write of their lease's row
  unsynced     of them, sent with no fdatasync of the lease file between that write and the send
  writes       write(2) calls on the lease file
  syncs        fdatasync/fsync calls on the lease file
  other_syncs  fdatasync/fsync calls on any other file
  turns        loop turns (poll/ppoll, or epoll_wait in a packet worker), all threads
  max_writes   most lease-file writes in one thread's loop turn
  multi        turns whose one write carried rows for more than one reply
"""
import ipaddress
import re
import sys

LINE = re.compile(r'^(\d+)\s+(?:<\.\.\. (\w+) resumed>|(\w+)\()(.*)$')
FD_PATH = re.compile(r'^(\d+)<((?:\\x[0-9a-f]{2})*)>')
HEX = re.compile(r'"((?:\\x[0-9a-f]{2})+)"')


def unhex(s):
    return bytes(int(h, 16) for h in s.split('\\x')[1:])


def options4(p):
    i, out = 240, {}
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
        out.setdefault(c, p[i + 2:i + 2 + n])
        i += 2 + n
    return out


def udp_payload(p):
    """A frame from a packet socket (Ethernet, or IPv4 for SOCK_DGRAM): its UDP payload; any
    other buffer as is."""
    if len(p) > 14 and p[12:14] == b'\x08\x00':
        p = p[14:]
    elif not (p and p[0] >> 4 == 4 and len(p) > 28 and p[9] == 17):
        return p
    if len(p) > 28 and p[0] >> 4 == 4 and p[9] == 17:
        return p[(p[0] & 15) * 4 + 8:]
    return p


def leases_in_reply4(p):
    p = udp_payload(p)
    if len(p) < 240 or p[0] != 2 or p[236:240] != b'\x63\x82\x53\x63':
        return []
    t = options4(p).get(53)
    if t != b'\x05':  # DHCPACK
        return []
    return [str(ipaddress.IPv4Address(p[16:20]))]


def opts6(b):
    i = 0
    while i + 4 <= len(b):
        code, n = int.from_bytes(b[i:i + 2], 'big'), int.from_bytes(b[i + 2:i + 4], 'big')
        yield code, b[i + 4:i + 4 + n]
        i += 4 + n


def leases_in_reply6(p):
    # Relay-reply (13): hop, link, peer, then options; option 9 holds the inner message.
    while p and p[0] == 13 and len(p) >= 34:
        inner = [v for c, v in opts6(p[34:]) if c == 9]
        if not inner:
            return []
        p = inner[0]
    if not p or p[0] != 7:  # Reply
        return []
    out = []
    for code, v in opts6(p[4:]):
        if code == 3:  # IA_NA: iaid, t1, t2, options
            out += [str(ipaddress.IPv6Address(s[0:16])) for c, s in opts6(v[12:]) if c == 5 and len(s) >= 24]
        elif code == 25:  # IA_PD
            out += [str(ipaddress.IPv6Address(s[9:25])) for c, s in opts6(v[12:]) if c == 26 and len(s) >= 25]
    return out


TURN_CALLS = ('poll', 'ppoll', 'epoll_wait', 'epoll_pwait', 'epoll_pwait2')


def main():
    trace, lease_file, family = sys.argv[1], sys.argv[2], sys.argv[3]
    expect_sync = '--expect-sync' in sys.argv[4:]
    decode = leases_in_reply4 if family == 'v4' else leases_in_reply6
    written_at = {}   # address -> event index of the last write carrying its row
    last_sync = -1    # event index of the last completed sync of the lease file
    replies = unwritten = unsynced = writes = syncs = other_syncs = turns = 0
    max_writes = multi = 0
    turn_writes = {}  # pid -> lease-file writes since that thread's loop turn began
    pending_sync = {}  # pid -> is the unfinished sync on the lease file
    seq = 0
    for raw in open(trace, errors='replace'):
        m = LINE.match(raw.rstrip('\n'))
        if not m:
            continue
        pid, resumed, call, rest = m.group(1), m.group(2), m.group(3), m.group(4)
        seq += 1
        if resumed in ('fdatasync', 'fsync'):
            if pending_sync.pop(pid, False):
                last_sync = seq
            continue
        if resumed:
            continue
        if call in TURN_CALLS:
            # A thread's loop turn begins where it waits: poll in the single loop (and the
            # main loop beside packet workers), epoll_wait in each packet worker.
            turns += 1
            max_writes = max(max_writes, turn_writes.get(pid, 0))
            turn_writes[pid] = 0
            continue
        fdm = FD_PATH.match(rest)
        path = unhex(fdm.group(2)).decode(errors='replace') if fdm else ''
        if call in ('fdatasync', 'fsync'):
            if path != lease_file:
                other_syncs += 1
                continue
            syncs += 1
            if '<unfinished ...>' in rest:
                pending_sync[pid] = True
            elif rest.rstrip().endswith('= 0'):
                last_sync = seq
            continue
        if call == 'write' and path == lease_file:
            writes += 1
            turn_writes[pid] = turn_writes.get(pid, 0) + 1
            hx = HEX.search(rest)
            rows = unhex(hx.group(1)).decode(errors='replace').splitlines() if hx else []
            announced = 0
            for row in rows:
                addr = row.split(',', 1)[0]
                if addr and addr != 'address':
                    try:
                        addr = str(ipaddress.ip_address(addr))
                    except ValueError:
                        continue
                    written_at[addr] = seq
                    announced += 1
            if announced > 1:
                multi += 1
            continue
        if call in ('sendto', 'sendmsg', 'sendmmsg'):
            for hx in HEX.findall(rest):
                for addr in decode(unhex(hx)):
                    replies += 1
                    w = written_at.get(addr)
                    if w is None:
                        unwritten += 1
                    elif last_sync < w:
                        unsynced += 1
    max_writes = max([max_writes] + list(turn_writes.values()))
    if not expect_sync:
        unsynced = 0
    print(replies, unwritten, unsynced, writes, syncs, other_syncs, turns, max_writes, multi)


if __name__ == '__main__':
    main()
