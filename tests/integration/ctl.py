#!/usr/bin/env python3
"""Talk to a Kea-style unix control socket (works for kea-dhcp4 and kakapo-dhcp4).

  ctl.py [--timeout S] SOCKET COMMAND [ARGUMENTS-JSON]   print the response (one line of JSON)
  ctl.py [--timeout S] --stat NAME SOCKET                print a statistic's newest value
                                                         (0 when the server does not report it)
  ctl.py --config-socket CONFIG                          print Dhcp4 (or Dhcp6) control-socket.socket-name
                                                         of a Kea config file (comments allowed)

Exit status: 0 response parsed; 2 cannot connect; 3 timeout / no JSON; 4 usage.
The request is sent as one JSON object; the response is read until the server
closes the connection or the bytes read so far parse as JSON.
"""
import json
import socket
import sys
import time


def strip_comments(text):
    """Remove //, # and /* */ comments outside JSON strings (Kea's dialect)."""
    out = []
    i, n = 0, len(text)
    in_str = False
    while i < n:
        c = text[i]
        if in_str:
            out.append(c)
            if c == "\\" and i + 1 < n:
                out.append(text[i + 1])
                i += 2
                continue
            if c == '"':
                in_str = False
            i += 1
            continue
        if c == '"':
            in_str = True
            out.append(c)
            i += 1
        elif text.startswith("//", i) or c == "#":
            j = text.find("\n", i)
            i = n if j < 0 else j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            i = n if j < 0 else j + 2
        else:
            out.append(c)
            i += 1
    return "".join(out)


def load_kea_json(path):
    with open(path, encoding="utf-8") as f:
        return json.loads(strip_comments(f.read()))


def request(path, command, arguments=None, timeout=5.0):
    msg = {"command": command}
    if arguments is not None:
        msg["arguments"] = arguments
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(timeout)
    try:
        s.connect(path)
    except OSError as e:
        raise ConnectionError(str(e))
    deadline = time.monotonic() + timeout
    try:
        s.sendall(json.dumps(msg).encode())
        buf = b""
        while time.monotonic() < deadline:
            try:
                chunk = s.recv(65536)
            except socket.timeout:
                break
            if not chunk:
                break
            buf += chunk
            try:
                return json.loads(buf.decode("utf-8", "replace"))
            except ValueError:
                continue
        if buf:
            return json.loads(buf.decode("utf-8", "replace"))
        raise TimeoutError("no response")
    finally:
        s.close()


def stat_value(resp, name):
    args = resp.get("arguments") or {}
    samples = args.get(name)
    if not samples:
        return 0
    # Kea: {"name": [[value, "timestamp"], ...]} newest first
    first = samples[0]
    return first[0] if isinstance(first, list) else first


def main(argv):
    timeout = 5.0
    if len(argv) >= 2 and argv[0] == "--timeout":
        timeout = float(argv[1])
        argv = argv[2:]
    try:
        if argv and argv[0] == "--config-socket":
            cfg = load_kea_json(argv[1])
            print(cfg["Dhcp4" if "Dhcp4" in cfg else "Dhcp6"]["control-socket"]["socket-name"])
            return 0
        if argv and argv[0] == "--stat":
            name, path = argv[1], argv[2]
            resp = request(path, "statistic-get", {"name": name}, timeout)
            print(stat_value(resp, name))
            return 0
        if len(argv) < 2:
            print(__doc__, file=sys.stderr)
            return 4
        path, command = argv[0], argv[1]
        arguments = json.loads(argv[2]) if len(argv) > 2 else None
        print(json.dumps(request(path, command, arguments, timeout)))
        return 0
    except ConnectionError as e:
        print(json.dumps({"error": "connect: " + str(e)}))
        return 2
    except (TimeoutError, ValueError) as e:
        print(json.dumps({"error": "response: " + str(e)}))
        return 3
    except (KeyError, IndexError, OSError) as e:
        print(json.dumps({"error": "usage: " + repr(e)}), file=sys.stderr)
        return 4


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
