#!/usr/bin/env python3
"""Drive headless Chromium over the DevTools protocol against the agent's lease dashboard.

  dashboard_cdp.py --url URL --auth USER:PASS --profile DIR --screenshot FILE
                   [--search KIND=VALUE ...] [--timeout S] [--chromium PATH]

Starts Chromium (--headless --no-sandbox, a private --user-data-dir, --remote-debugging-port=0),
sends the Authorization header with every request (Network.setExtraHTTPHeaders), opens URL,
waits for the first poll to be rendered, reads the pool-utilization bars, then for each
--search types VALUE into the search box (Input.insertText), picks KIND in the select and
clicks Search, waits for the result and reads the rendered lease fields. Saves a screenshot
(Page.captureScreenshot) and prints one JSON object:

  {"status": HTTP status of the page, "pools": [...], "rates": [...], "log": N,
   "searches": [{"kind", "value", "done", "leases": [{field: text, ...}], "errors": [...],
                 "timeline": bool}],
   "exceptions": [uncaught script errors]}

Every wait is bounded (--timeout, default 30 s); Chromium is stopped before exiting.
Needs python3-websocket (Debian's package).
"""
import argparse
import base64
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request

import websocket


class CDP:
    def __init__(self, ws_url, timeout):
        self.ws = websocket.create_connection(ws_url, timeout=timeout, suppress_origin=True)
        self.next_id = 0
        self.events = []

    def call(self, method, params=None, timeout=15):
        self.next_id += 1
        my_id = self.next_id
        self.ws.send(json.dumps({"id": my_id, "method": method, "params": params or {}}))
        deadline = time.time() + timeout
        while time.time() < deadline:
            msg = json.loads(self.ws.recv())
            if msg.get("id") == my_id:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg.get("result", {})
            if "method" in msg:
                self.events.append(msg)
        raise TimeoutError(method)

    def evaluate(self, expression):
        r = self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True, "awaitPromise": True})
        if "exceptionDetails" in r:
            raise RuntimeError(f"evaluate failed: {r['exceptionDetails']}")
        return r.get("result", {}).get("value")

    def wait_for(self, expression, timeout, what):
        deadline = time.time() + timeout
        while time.time() < deadline:
            v = self.evaluate(expression)
            if v:
                return v
            time.sleep(0.2)
        raise TimeoutError(f"waiting for {what}")


def start_chromium(path, profile, timeout):
    os.makedirs(profile, exist_ok=True)
    port_file = os.path.join(profile, "DevToolsActivePort")
    if os.path.exists(port_file):
        os.unlink(port_file)
    args = [path, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
            "--no-first-run", "--no-default-browser-check", "--disable-extensions",
            "--disable-background-networking", "--disable-sync", "--metrics-recording-only",
            "--remote-debugging-port=0", "--remote-debugging-address=127.0.0.1",
            f"--user-data-dir={profile}", "--window-size=1280,1400", "about:blank"]
    log = open(os.path.join(profile, "chromium.log"), "wb")
    env = dict(os.environ, HOME=profile)
    proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"chromium exited with {proc.returncode} (see {profile}/chromium.log)")
        try:
            with open(port_file) as f:
                lines = f.read().split("\n")
            if len(lines) >= 2 and lines[0].strip():
                return proc, int(lines[0])
        except FileNotFoundError:
            pass
        time.sleep(0.1)
    raise TimeoutError("chromium did not write DevToolsActivePort")


def stop_chromium(proc):
    if proc.poll() is not None:
        return
    # Its own process group (start_new_session): the browser and its helpers, nothing else.
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=5)


def page_target(port, timeout):
    deadline = time.time() + timeout
    while time.time() < deadline:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=5) as r:
            targets = json.load(r)
        for t in targets:
            if t.get("type") == "page" and t.get("webSocketDebuggerUrl"):
                return t["webSocketDebuggerUrl"]
        time.sleep(0.2)
    raise TimeoutError("no page target")


READ_POOLS = """[...document.querySelectorAll('#pools .pool')].map(e => ({
  service: e.dataset.service, subnet: e.dataset.subnet, scope: e.dataset.scope, kind: e.dataset.kind,
  assigned: Number(e.dataset.assigned),
  total: Number(e.dataset.total), text: e.textContent,
  width: e.querySelector('.fill') ? e.querySelector('.fill').style.width : null}))"""

READ_RATES = """[...document.querySelectorAll('#rates tbody tr')].map(r => [...r.cells].map(c => c.textContent))"""

READ_RESULT = """(() => {
  const box = document.getElementById('search-result');
  return {
    done: box.getAttribute('data-done'),
    errors: [...box.querySelectorAll('.error')].map(e => e.textContent),
    leases: [...box.querySelectorAll('.lease')].map(l => {
      const o = {service: l.dataset.service};
      for (const d of l.querySelectorAll('[data-field]')) o[d.dataset.field] = d.textContent;
      o.timeline = !!l.querySelector('.timeline');
      o.marks = [...l.querySelectorAll('.timeline .mark span')].map(s => s.textContent);
      return o;
    }),
  };
})()"""


def search(cdp, kind, value, timeout):
    cdp.evaluate(f"""(() => {{
      document.getElementById('search-kind').value = {json.dumps(kind)};
      const i = document.getElementById('search-input');
      i.value = ''; i.focus(); return true; }})()""")
    cdp.call("Input.insertText", {"text": value})            # typed, as a user would
    typed = cdp.evaluate("document.getElementById('search-input').value")
    if typed != value:
        raise RuntimeError(f"typed {typed!r}, wanted {value!r}")
    cdp.evaluate("document.getElementById('search-result').removeAttribute('data-done'); "
                 "document.getElementById('search-button').click(); true")
    cdp.wait_for("document.getElementById('search-result').hasAttribute('data-done')", timeout, f"search {kind}={value}")
    r = cdp.evaluate(READ_RESULT)
    r.update(kind=kind, value=value)
    return r


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", required=True)
    ap.add_argument("--auth", required=True)
    ap.add_argument("--profile", required=True)
    ap.add_argument("--screenshot", required=True)
    ap.add_argument("--search", action="append", default=[])
    ap.add_argument("--timeout", type=float, default=30)
    ap.add_argument("--chromium", default="chromium")
    a = ap.parse_args()

    proc, port = start_chromium(a.chromium, a.profile, a.timeout)
    out = {"searches": [], "exceptions": []}
    try:
        cdp = CDP(page_target(port, a.timeout), a.timeout)
        cdp.call("Page.enable")
        cdp.call("Runtime.enable")
        cdp.call("Network.enable")
        token = base64.b64encode(a.auth.encode()).decode()
        cdp.call("Network.setExtraHTTPHeaders", {"headers": {"Authorization": f"Basic {token}"}})
        cdp.call("Emulation.setDeviceMetricsOverride", {"width": 1280, "height": 1400, "deviceScaleFactor": 1, "mobile": False})
        nav = cdp.call("Page.navigate", {"url": a.url})
        if nav.get("errorText"):
            raise RuntimeError(f"navigate: {nav['errorText']}")
        cdp.wait_for("document.readyState === 'complete'", a.timeout, "page load")
        # The page's own HTTP status, from the response event for the document.
        out["status"] = next((e["params"]["response"]["status"] for e in cdp.events
                              if e["method"] == "Network.responseReceived" and e["params"].get("type") == "Document"), None)
        cdp.wait_for("Number(document.body.getAttribute('data-polled')) >= 1", a.timeout, "first poll")
        out["pools"] = cdp.evaluate(READ_POOLS)
        out["rates"] = cdp.evaluate(READ_RATES)
        out["log"] = cdp.evaluate("document.querySelectorAll('#log tbody tr').length")
        out["statusText"] = cdp.evaluate("document.getElementById('status').textContent")
        for s in a.search:
            kind, _, value = s.partition("=")
            out["searches"].append(search(cdp, kind, value, a.timeout))
        # The screenshot shows the last search's lease and its timeline.
        shot = cdp.call("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True}, timeout=a.timeout)
        with open(a.screenshot, "wb") as f:
            f.write(base64.b64decode(shot["data"]))
        out["exceptions"] = [e["params"]["exceptionDetails"].get("exception", {}).get("description")
                             or e["params"]["exceptionDetails"].get("text")
                             for e in cdp.events if e["method"] == "Runtime.exceptionThrown"]
    finally:
        stop_chromium(proc)
    print(json.dumps(out))


if __name__ == "__main__":
    try:
        main()
    except Exception as e:  # one line the test can show
        print(json.dumps({"error": f"{type(e).__name__}: {e}"}))
        sys.exit(1)
