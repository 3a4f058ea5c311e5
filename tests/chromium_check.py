#!/usr/bin/env python3
"""Loads an HTML file in headless Chromium and reports what happened, as JSON.

Drives Chromium through the DevTools protocol over --remote-debugging-pipe
(file descriptors 3 and 4, NUL-separated JSON messages), with the Python
standard library only. Prints one JSON object:

  {"loaded": true, "svg": N, "figures": N, "captions": N, "scripts": N,
   "b_i": N (<b> and <i> elements: the report writes none, so any came
   from a name that was not escaped),
   "details": N (sections whose tables are folded: <details class=tables>),
   "folded_tables_shown": N (tables of those that are rendered: 0 while
   they are closed), "findings": N ("Finding:" in bold),
   "findings_shown": N (of those, the ones rendered: all, never folded),
   "requests": [every URL requested other than the page itself and data:],
   "data_urls": N (inline data: URLs loaded, which never leave the file),
   "console_errors": [console errors, exceptions and error log entries],
   "answers": {"table_top", "table_bottom", "chart_top", "chart_bottom"}
   (CSS pixels from the top of the page, in a 1400x900 window; null when
   the page has no "Answers" heading, or the item is missing under it)}

Exit status 0 when the page loaded, 2 on a usage error, 3 when Chromium
could not be started or did not answer (the caller decides whether that is
a skip or a failure).
"""
import json
import os
import select
import shutil
import subprocess
import sys
import tempfile
import time

TIMEOUT_S = 60


# Where the answers page's table and chart are: the first <table> and
# <figure> after the <h2> that starts "Answers" and before the next <h2>.
ANSWERS_JS = """(function () {
  var h = Array.from(document.querySelectorAll('h2')).find(
      function (e) { return e.textContent.indexOf('Answers') === 0; });
  if (!h) return null;
  var out = {table_top: null, table_bottom: null, chart_top: null,
             chart_bottom: null};
  for (var e = h.nextElementSibling; e && e.tagName !== 'H2';
       e = e.nextElementSibling) {
    var r = e.getBoundingClientRect(), y = window.scrollY;
    if (e.tagName === 'TABLE' && out.table_top === null) {
      out.table_top = r.top + y; out.table_bottom = r.bottom + y;
    }
    if (e.tagName === 'FIGURE' && out.chart_top === null) {
      var svg = e.querySelector('svg') || e;
      var s = svg.getBoundingClientRect();
      out.chart_top = s.top + y; out.chart_bottom = s.bottom + y;
    }
  }
  return out;
})()"""


class Pipe:
    def __init__(self, wfd, rfd):
        self.wfd, self.rfd, self.buf, self.next_id = wfd, rfd, b"", 0
        self.events = []

    def send(self, method, params=None, session=None):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self.wfd, json.dumps(msg).encode() + b"\0")
        return self.next_id

    def read_one(self, deadline):
        while b"\0" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("chromium did not answer")
            ready, _, _ = select.select([self.rfd], [], [], left)
            if ready:
                chunk = os.read(self.rfd, 1 << 16)
                if not chunk:
                    raise EOFError("chromium closed the pipe")
                self.buf += chunk
        raw, self.buf = self.buf.split(b"\0", 1)
        return json.loads(raw)

    def call(self, method, params=None, session=None, deadline=None):
        want = self.send(method, params, session)
        deadline = deadline or time.monotonic() + TIMEOUT_S
        while True:
            msg = self.read_one(deadline)
            if msg.get("id") == want:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg.get("result", {})
            self.events.append(msg)

    def wait_event(self, method, deadline):
        while True:
            for i, ev in enumerate(self.events):
                if ev.get("method") == method:
                    return self.events.pop(i)
            self.events.append(self.read_one(deadline))


def main():
    if len(sys.argv) != 2:
        print("usage: chromium_check.py FILE.html", file=sys.stderr)
        return 2
    path = os.path.abspath(sys.argv[1])
    url = "file://" + path
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if not exe:
        print("chromium not found", file=sys.stderr)
        return 3
    to_chrome_r, to_chrome_w = os.pipe()
    from_chrome_r, from_chrome_w = os.pipe()
    # Out of the way of 3 and 4 before the child moves them there.
    hi_r = max(to_chrome_r, to_chrome_w, from_chrome_r, from_chrome_w) + 10
    hi_w = hi_r + 1
    os.dup2(to_chrome_r, hi_r)
    os.dup2(from_chrome_w, hi_w)

    def child_fds():
        os.dup2(hi_r, 3)
        os.dup2(hi_w, 4)

    profile = tempfile.mkdtemp(prefix="gillab-chromium-")
    args = [exe, "--headless", "--disable-gpu", "--no-sandbox",
            "--remote-debugging-pipe", "--user-data-dir=" + profile,
            "--no-first-run", "--no-default-browser-check",
            "--disable-extensions", "--disable-background-networking",
            "--disable-component-update", "--disable-sync",
            "--disable-default-apps", "about:blank"]
    proc = subprocess.Popen(args, preexec_fn=child_fds, close_fds=False,
                            stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    for fd in (to_chrome_r, from_chrome_w, hi_r, hi_w):
        os.close(fd)
    pipe = Pipe(to_chrome_w, from_chrome_r)
    out = {"loaded": False, "requests": [], "data_urls": 0,
           "console_errors": []}
    try:
        deadline = time.monotonic() + TIMEOUT_S
        target = pipe.call("Target.createTarget", {"url": "about:blank"},
                           deadline=deadline)["targetId"]
        session = pipe.call("Target.attachToTarget",
                            {"targetId": target, "flatten": True},
                            deadline=deadline)["sessionId"]
        for domain in ("Runtime", "Log", "Network", "Page"):
            pipe.call(domain + ".enable", session=session, deadline=deadline)
        # The first screen of a laptop or a projector: 1400x900.
        pipe.call("Emulation.setDeviceMetricsOverride",
                  {"width": 1400, "height": 900, "deviceScaleFactor": 1,
                   "mobile": False}, session=session, deadline=deadline)
        pipe.call("Page.navigate", {"url": url}, session=session,
                  deadline=deadline)
        pipe.wait_event("Page.loadEventFired", deadline)
        # Late requests or errors (none expected): give them a moment.
        settle = time.monotonic() + 1.0
        try:
            while True:
                pipe.events.append(pipe.read_one(settle))
        except TimeoutError:
            pass
        res = pipe.call("Runtime.evaluate", {
            "expression": "JSON.stringify({"
            "svg: document.querySelectorAll('svg').length,"
            "figures: document.querySelectorAll('figure').length,"
            "captions: document.querySelectorAll('figcaption').length,"
            "scripts: document.scripts.length,"
            "b_i: document.querySelectorAll('b, i').length,"
            "answers: " + ANSWERS_JS + ","
            "details: document.querySelectorAll('details.tables').length,"
            "folded_tables_shown: [...document.querySelectorAll("
            "'details.tables table')].filter("
            "t => t.checkVisibility()).length,"
            "findings: [...document.querySelectorAll('strong')].filter("
            "e => e.textContent.startsWith('Finding:')).length,"
            "findings_shown: [...document.querySelectorAll('strong')].filter("
            "e => e.textContent.startsWith('Finding:') && "
            "e.checkVisibility()).length})",
            "returnByValue": True}, session=session, deadline=deadline)
        out.update(json.loads(res["result"]["value"]))
        # GILLAB_SCREENSHOT=FILE.png: the first screen, to look at.
        shot = os.environ.get("GILLAB_SCREENSHOT")
        if shot:
            import base64
            png = pipe.call("Page.captureScreenshot", {"format": "png"},
                            session=session, deadline=deadline)["data"]
            with open(shot, "wb") as f:
                f.write(base64.b64decode(png))
        out["loaded"] = True
        for ev in pipe.events:
            m, p = ev.get("method"), ev.get("params", {})
            if m == "Network.requestWillBeSent":
                u = p.get("request", {}).get("url", "")
                # data: URLs are inline (gnuplot's heat map is an
                # embedded PNG): they do not leave the file.
                if u.startswith("data:"):
                    out["data_urls"] += 1
                elif u != url:
                    out["requests"].append(u)
            elif m == "Runtime.consoleAPICalled" and p.get("type") == "error":
                out["console_errors"].append(
                    " ".join(str(a.get("value", a.get("description", "")))
                             for a in p.get("args", [])))
            elif m == "Runtime.exceptionThrown":
                out["console_errors"].append(
                    p.get("exceptionDetails", {}).get("text", "exception"))
            elif m == "Log.entryAdded" and \
                    p.get("entry", {}).get("level") == "error":
                out["console_errors"].append(p["entry"].get("text", ""))
        try:
            pipe.call("Browser.close", deadline=time.monotonic() + 10)
        except Exception:
            pass
    except (TimeoutError, EOFError, RuntimeError, KeyError) as e:
        print(f"chromium: {e}", file=sys.stderr)
        proc.kill()
        proc.wait()
        shutil.rmtree(profile, ignore_errors=True)
        return 3
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    shutil.rmtree(profile, ignore_errors=True)
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
