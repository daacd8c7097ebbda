#!/usr/bin/env python3
"""Hostile HTTP clients against kakapo-ctrl-agent (run inside the agent's namespace).

Each case prints one line "CASE verdict detail"; verdict is ok or FAIL. Every wait is
bounded. Cases:
  slow        half a header, then silence: the agent answers 408 or closes, within 15 s
  halfopen    connect, send nothing: closed within 15 s (request timeout)
  bigheader   a 64 KiB header: 431/400 or a closed connection, quickly
  bigbody     Content-Length of 64 MiB: 413 at once (the body is never sent)
  bigbody2    a 5 MiB body actually sent: 413 or closed
  badjson     broken JSON: 400
  garbage     random bytes: 400 or closed
  flood       2000 connections at once (bounded): those beyond the agent's limit (512)
              are closed by the agent at once; no crash
Usage: agent_hostile.py HOST PORT USER:PASS
"""
import base64, os, resource, socket, sys, time

host, port, cred = sys.argv[1], int(sys.argv[2]), sys.argv[3]
auth = "Basic " + base64.b64encode(cred.encode()).decode()
failures = 0

def report(case, ok, detail=""):
    global failures
    if not ok:
        failures += 1
    print("%s %s %s" % (case, "ok" if ok else "FAIL", detail), flush=True)

def connect():
    s = socket.create_connection((host, port), timeout=5)
    return s

def read_all(s, limit):
    """Bytes until close or `limit` seconds."""
    s.settimeout(limit)
    data = b""
    end = time.time() + limit
    try:
        while time.time() < end:
            chunk = s.recv(65536)
            if not chunk:
                return data, True
            data += chunk
    except (socket.timeout, TimeoutError):
        return data, False
    except (ConnectionResetError, BrokenPipeError):
        return data, True
    return data, False

def status(data):
    try:
        return int(data.split(b" ", 2)[1])
    except Exception:
        return None

# slow: half a header
s = connect()
t0 = time.time()
s.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Ty")
data, closed = read_all(s, 20)
took = time.time() - t0
report("slow", closed and took < 16 and status(data) in (408, None), "status=%s closed=%s after %.1fs" % (status(data), closed, took))
s.close()

# halfopen: nothing at all
s = connect()
t0 = time.time()
data, closed = read_all(s, 40)
took = time.time() - t0
report("halfopen", closed and took < 35, "closed=%s after %.1fs bytes=%d" % (closed, took, len(data)))
s.close()

# bigheader
s = connect()
try:
    s.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 65536 + b"\r\n\r\n")
except (BrokenPipeError, ConnectionResetError):
    pass
data, closed = read_all(s, 10)
report("bigheader", closed and status(data) in (431, 400, None), "status=%s closed=%s" % (status(data), closed))
s.close()

# bigbody: announced, never sent
s = connect()
s.sendall(("POST / HTTP/1.1\r\nHost: x\r\nAuthorization: %s\r\nContent-Type: application/json\r\n"
           "Content-Length: %d\r\n\r\n" % (auth, 64 << 20)).encode())
data, closed = read_all(s, 10)
report("bigbody", status(data) == 413 and closed, "status=%s closed=%s" % (status(data), closed))
s.close()

# bigbody2: sent
s = connect()
body = b"[" + b"1," * (5 << 19) + b"1]"
try:
    s.sendall(("POST / HTTP/1.1\r\nHost: x\r\nAuthorization: %s\r\nContent-Type: application/json\r\n"
               "Content-Length: %d\r\n\r\n" % (auth, len(body))).encode() + body)
except (BrokenPipeError, ConnectionResetError):
    pass
data, closed = read_all(s, 10)
report("bigbody2", closed and status(data) in (413, None), "status=%s closed=%s" % (status(data), closed))
s.close()

# badjson
s = connect()
body = b'{"command": "list-commands", '
s.sendall(("POST / HTTP/1.1\r\nHost: x\r\nAuthorization: %s\r\nContent-Type: application/json\r\n"
           "Content-Length: %d\r\n\r\n" % (auth, len(body))).encode() + body)
data, closed = read_all(s, 3)
report("badjson", status(data) == 400 and b'"result": 400' in data, "status=%s" % status(data))
s.close()

# garbage
for i in range(5):
    s = connect()
    try:
        s.sendall(os.urandom(4096) + b"\r\n\r\n")
    except (BrokenPipeError, ConnectionResetError):
        pass
    data, closed = read_all(s, 10)
    report("garbage%d" % i, closed and status(data) in (400, 431, None), "status=%s closed=%s" % (status(data), closed))
    s.close()

# flood: 2000 at once (this process needs the descriptors)
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 8192), hard))
socks = []
refused = 0
t0 = time.time()
for i in range(2000):
    if time.time() - t0 > 60:
        break
    try:
        c = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        c.settimeout(5)
        c.connect((host, port))
        socks.append(c)
    except OSError:
        refused += 1
closed_early = 0
time.sleep(1)
for c in socks:
    c.setblocking(False)
    try:
        if c.recv(1) == b"":
            closed_early += 1
    except BlockingIOError:
        pass
    except OSError:
        closed_early += 1
report("flood", len(socks) + refused == 2000 or time.time() - t0 > 60,
       "connected=%d refused=%d closed-by-agent=%d in %.1fs" % (len(socks), refused, closed_early, time.time() - t0))
report("flood-limit", closed_early >= 1000, "the agent closed %d of %d beyond its limit" % (closed_early, len(socks)))
for c in socks:
    c.close()
time.sleep(1)

# afterwards: a normal request answers
s = connect()
body = b'{"command": "status-get"}'
s.sendall(("POST / HTTP/1.1\r\nHost: x\r\nAuthorization: %s\r\nContent-Type: application/json\r\n"
           "Content-Length: %d\r\n\r\n" % (auth, len(body))).encode() + body)
data, closed = read_all(s, 3)
report("after", status(data) == 200 and b'"result": 0' in data, "status=%s" % status(data))
s.close()
sys.exit(1 if failures else 0)
