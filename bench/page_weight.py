"""The widget's cost to the host page (issue 20), in Chromium, on the demo page.

    python -m bench.page_weight BASE_URL WIDGET_KEY [--runs N]

Loads BASE_URL/demo/?site=WIDGET_KEY in a fresh Chromium context (no cache) and records,
through the DevTools protocol and the Performance API:

- bytes transferred (Network.loadingFinished encodedDataLength, headers included, as
  DevTools' "transferred" column) of the widget's requests, split into the loader
  (static/chat/embed.js), the chat frame (every request of the iframe: its page, styles,
  scripts) and the socket (handshake and frames); at the page's load event, once the page
  has settled before the visitor opens the chat, and after the visitor opened it;
- main-thread time the widget adds: Performance.getMetrics TaskDuration of the page with
  the widget minus the same page without it (embed.js answered with an empty script),
  at the load event and once settled, the median of the runs;
- the cumulative layout shift (PerformanceObserver "layout-shift", without recent input)
  and the part of it whose shifted nodes are the widget's (#livechat-...);
- whether the frame or the socket was requested before the load event and before open.

Prints one JSON object. bench/run.py ("page" in --only) serves the demo as production
does: collected static files with their gzip copies (collectstatic, WhiteNoise without
its finders); the summary's widget_* keys come from here.
"""

import argparse
import json
import statistics
import sys
import time
import urllib.request

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip
LOADER = "/static/chat/embed.js"
QUIET_S = 1.0  # no request started or finished for this long: the page has settled
SETTLE_TIMEOUT_S = 20.0

OBSERVE = """
window.__lc = {cls: 0, widgetCls: 0, longTasks: 0};
try {
  new PerformanceObserver(function (list) {
    list.getEntries().forEach(function (entry) {
      if (entry.hadRecentInput) return;
      window.__lc.cls += entry.value;
      var mine = (entry.sources || []).some(function (source) {
        var node = source.node;
        while (node && node.nodeType !== 1) node = node.parentNode;
        return !!(node && node.closest && node.closest('[id^="livechat-"]'));
      });
      if (mine) window.__lc.widgetCls += entry.value;
    });
  }).observe({type: "layout-shift", buffered: true});
  new PerformanceObserver(function (list) {
    list.getEntries().forEach(function (entry) { window.__lc.longTasks += entry.duration; });
  }).observe({type: "longtask", buffered: true});
} catch (e) { /* an old browser: no figures */ }
"""


class Recorder:
    """Every request of one page (its frames included) as the DevTools protocol saw it."""

    def __init__(self, cdp, main_frame: str):
        self.cdp, self.main_frame = cdp, main_frame
        self.requests: dict[str, dict] = {}
        self.sockets: dict[str, dict] = {}
        self.last_activity = time.monotonic()
        cdp.on("Network.requestWillBeSent", self._sent)
        cdp.on("Network.loadingFinished", self._finished)
        cdp.on("Network.loadingFailed", self._failed)
        cdp.on("Network.webSocketCreated", self._socket)
        cdp.on("Network.webSocketFrameReceived", self._socket_frame)
        cdp.on("Network.webSocketFrameSent", self._socket_frame)

    def _touch(self):
        self.last_activity = time.monotonic()

    def _sent(self, event):
        self._touch()
        self.requests[event["requestId"]] = {
            "url": event["request"]["url"],
            "frame": event.get("frameId"),
            "bytes": 0,
            "done": False,
        }

    def _finished(self, event):
        self._touch()
        if event["requestId"] in self.requests:
            self.requests[event["requestId"]].update(bytes=event["encodedDataLength"], done=True)

    def _failed(self, event):
        self._touch()
        if event["requestId"] in self.requests:
            self.requests[event["requestId"]]["done"] = True

    def _socket(self, event):
        self._touch()
        self.sockets[event["requestId"]] = {"url": event["url"], "bytes": 0}

    def _socket_frame(self, event):
        socket = self.sockets.get(event["requestId"])
        if socket is not None:
            socket["bytes"] += len(event["response"].get("payloadData", "").encode())

    def kind(self, request: dict) -> str:
        if request["url"].split("?")[0].endswith(LOADER):
            return "loader"
        if request["frame"] and request["frame"] != self.main_frame:
            return "frame"
        return "page"

    def snapshot(self) -> dict:
        totals = {"loader": 0, "frame": 0, "page": 0}
        for request in list(self.requests.values()):
            totals[self.kind(request)] += request["bytes"]
        return {
            "loader_bytes": totals["loader"],
            "frame_bytes": totals["frame"],
            "page_bytes": totals["page"],
            "frame_requests": sum(
                1 for r in list(self.requests.values()) if self.kind(r) == "frame"
            ),
            "sockets": len(self.sockets),
            "socket_bytes": sum(s["bytes"] for s in list(self.sockets.values())),
        }

    def settle(self, page) -> None:
        """Wait until every request finished and nothing happened for QUIET_S."""
        deadline = time.monotonic() + SETTLE_TIMEOUT_S
        while time.monotonic() < deadline:
            busy = any(not r["done"] for r in list(self.requests.values()))
            if not busy and time.monotonic() - self.last_activity >= QUIET_S:
                return
            page.wait_for_timeout(100)


def task_ms(cdp) -> dict:
    metrics = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
    return {
        "task_ms": metrics.get("TaskDuration", 0) * 1000,
        "script_ms": metrics.get("ScriptDuration", 0) * 1000,
    }


def visit(browser, url: str, *, widget: bool, open_chat: bool) -> dict:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        page = context.new_page()
        if not widget:
            page.route(f"**{LOADER}*", lambda route: route.fulfill(
                status=200, content_type="text/javascript", body=""
            ))  # fmt: skip
        page.add_init_script(OBSERVE)
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
        cdp.send("Performance.enable", {"timeDomain": "threadTicks"})
        cdp.send("Page.enable")
        main_frame = cdp.send("Page.getFrameTree")["frameTree"]["frame"]["id"]
        recorder = Recorder(cdp, main_frame)
        page.goto(url, wait_until="load")
        result = {"load": {**recorder.snapshot(), **task_ms(cdp)}}
        if widget:
            try:
                page.locator("#livechat-launcher").wait_for(state="visible", timeout=30_000)
            except Exception as error:
                state = page.evaluate(
                    "[document.readyState, (document.getElementById('livechat-frame') || {}).src]"
                )
                raise RuntimeError(
                    f"no launcher; page, frame: {state}; {recorder.snapshot()}"
                ) from error
        recorder.settle(page)
        shifts = page.evaluate("window.__lc")
        result["before_open"] = {**recorder.snapshot(), **task_ms(cdp), **shifts}
        if widget and open_chat:
            page.click("#livechat-launcher")
            title = page.frame_locator("#livechat-frame").locator("#lc-title")
            title.wait_for(state="visible", timeout=30_000)
            recorder.settle(page)
            result["after_open"] = {**recorder.snapshot(), **task_ms(cdp)}
        return result
    finally:
        context.close()


def measure(base: str, key: str, runs: int = 3) -> dict:
    from playwright.sync_api import sync_playwright

    url = f"{base}/demo/?site={key}"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            for path in (url, f"{base}/widget/{key}/"):  # warm the server, not the browser
                urllib.request.urlopen(path, timeout=30).read()
            with_widget, without = [], []
            for _ in range(runs):
                without.append(visit(browser, url, widget=False, open_chat=False))
                with_widget.append(visit(browser, url, widget=True, open_chat=True))
        finally:
            browser.close()

    def median(runs_, moment, key_):
        return statistics.median(r[moment][key_] for r in runs_)

    def added(moment, key_):
        return round(max(0.0, median(with_widget, moment, key_) - median(without, moment, key_)))

    last = with_widget[-1]
    load, before, after = last["load"], last["before_open"], last["after_open"]
    widget_at = {
        m: last[m]["loader_bytes"] + last[m]["frame_bytes"] + last[m]["socket_bytes"]
        for m in ("load", "before_open", "after_open")
    }
    return {
        "runs": runs,
        "loader_bytes": before["loader_bytes"],
        "bytes_at_load": widget_at["load"],
        "bytes_before_open": widget_at["before_open"],
        "bytes_after_open": widget_at["after_open"],
        "frame_bytes_before_open": before["frame_bytes"],
        "frame_bytes_after_open": after["frame_bytes"],
        "frame_requests_after_open": after["frame_requests"],
        "frame_at_load": load["frame_requests"] > 0,
        "socket_at_load": load["sockets"] > 0,
        "frame_before_open": before["frame_requests"] > 0,
        "socket_before_open": before["sockets"] > 0,
        "page_bytes": before["page_bytes"],
        "main_thread_ms_at_load": added("load", "task_ms"),
        "main_thread_ms_before_open": added("before_open", "task_ms"),
        "script_ms_before_open": added("before_open", "script_ms"),
        "long_tasks_ms_before_open": round(
            max(
                0.0,
                median(with_widget, "before_open", "longTasks")
                - median(without, "before_open", "longTasks"),
            )
        ),  # fmt: skip
        "cls": round(median(with_widget, "before_open", "cls"), 4),
        "cls_without_widget": round(median(without, "before_open", "cls"), 4),
        "widget_cls": round(max(r["before_open"]["widgetCls"] for r in with_widget), 4),
    }


def main(argv=None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("base")
    parser.add_argument("key")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    print(json.dumps(measure(args.base.rstrip("/"), args.key, args.runs)), flush=True)


if __name__ == "__main__":
    sys.exit(main())
