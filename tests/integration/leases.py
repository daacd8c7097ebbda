#!/usr/bin/env python3
"""Read a Kea memfile leases4 CSV (Kea 2.2: 10 or 11 columns, Kea 2.4: 12).

  leases.py CSV [--mac M] [--address A] [--field NAME] [--count] [--header] [--last]

Rows are printed in file order as `address hwaddr valid_lifetime expire subnet_id state`
unless --field picks one column (printed one value per line) or --count prints
the number of matching rows.  --last keeps only the last matching row (the
current state of a lease in an append-only memfile).  --header prints the header.
A missing file counts as zero rows.
"""
import csv
import sys


def main(argv):
    if not argv:
        print(__doc__, file=sys.stderr)
        return 4
    path = argv[0]
    mac = addr = field = None
    count = header = last = False
    i = 1
    while i < len(argv):
        a = argv[i]
        if a == "--mac":
            mac = argv[i + 1].lower(); i += 2
        elif a == "--address":
            addr = argv[i + 1]; i += 2
        elif a == "--field":
            field = argv[i + 1]; i += 2
        elif a == "--count":
            count = True; i += 1
        elif a == "--header":
            header = True; i += 1
        elif a == "--last":
            last = True; i += 1
        else:
            print("unknown argument " + a, file=sys.stderr)
            return 4
    try:
        with open(path, newline="", encoding="utf-8") as f:
            rows = list(csv.reader(f))
    except FileNotFoundError:
        rows = []
    if header:
        print(",".join(rows[0]) if rows else "")
        return 0
    if not rows:
        if count:
            print(0)
        return 0
    names = rows[0]
    out = []
    for r in rows[1:]:
        if not r:
            continue
        d = dict(zip(names, r))
        if mac and d.get("hwaddr", "").lower() != mac:
            continue
        if addr and d.get("address") != addr:
            continue
        out.append(d)
    if last and out:
        out = out[-1:]
    if count:
        print(len(out))
        return 0
    for d in out:
        if field:
            print(d.get(field, ""))
        else:
            print(" ".join(d.get(k, "") for k in
                           ("address", "hwaddr", "valid_lifetime", "expire", "subnet_id", "state")))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
