"""Measure 我的任务 and a photo upload on a slow phone: Chromium over CDP, as the README's table says.

    .venv/bin/python scripts/measure_phone.py [--runs 3] [--photo-mb 3.4] [--port 8765]

Serves the demo (`tracker demo` in a subprocess, on a fresh data folder), signs in as the demo cadre
on a Pixel 5 at full speed, then slows the phone down: 2,000 ms latency, 50 KB/s down and up
(`Network.emulateNetworkConditions`, DevTools' Slow 3G figures) and the CPU 4x slower
(`Emulation.setCPUThrottlingRate`). Times are the page's own, from navigation start: to the `load` event
(Navigation Timing), to the first contentful paint, and to the moment every script of the page has run
(sw-register.js's `tracker-scripts-ready` mark: 我的任务 fetches its scripts after `load`); the median of
--runs is printed.

- cold: empty browser cache, no service worker: the page and every static file over the network;
- warm: static files in the browser's cache (hashed names, `immutable`: not even revalidated), no
  service worker: the page alone over the network;
- next tap: the first task page that warm 我的任务 links (its scripts prefetched by /my);
- worker, online: the service worker installed; the page from the network (network first), every
  static file from the worker's cache. The worker's own fetches are slowed down the same way (CDP on
  the worker's target as well as the page's);
- worker, offline: the network off; the page and everything else from the worker's cache;
- photo: a camera JPEG of --photo-mb MB chosen in a task's record form and saved (the page's script
  shrinks it before sending, when it is there): from the tap on 保存记录 to the server's answer.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from PIL import Image, ImageChops
from playwright.sync_api import Browser, BrowserContext, CDPSession, Page, sync_playwright

CHROMIUM = os.environ.get("TRACKER_TEST_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
        "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"]  # fmt: skip
SLOW_3G = {"offline": False, "latency": 2000, "downloadThroughput": 50 * 1024, "uploadThroughput": 50 * 1024}
NO_NETWORK = {"offline": True, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1}
CPU_SLOWDOWN = 4
LOGIN, PASSWORD = "cadre", "tracker-demo"
ROOT = Path(__file__).resolve().parent.parent
LOAD_TIME = """async () => { await new Promise((done) => requestAnimationFrame(() => setTimeout(done, 50)));
  const n = performance.getEntriesByType('navigation')[0];
  const paint = performance.getEntriesByName('first-contentful-paint')[0];
  const ready = performance.getEntriesByName('tracker-scripts-ready')[0];
  const seconds = (entry) => (entry ? entry.startTime / 1000 : NaN);
  return [n.loadEventEnd / 1000, seconds(paint), seconds(ready)]; }"""
KEPT = """async () => { const c = await caches.open('tracker-pages');
  return (await c.keys()).length; }"""


def start_demo(port: int, data_dir: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "TRACKER_DATA_DIR": str(data_dir), "TRACKER_SCHEDULER": "off"}
    env.pop("TRACKER_DATABASE_URL", None)
    tracker = ROOT / ".venv" / "bin" / "tracker"
    proc = subprocess.Popen([str(tracker), "demo", "--port", str(port)], env=env, cwd=data_dir,  # noqa: S603
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.exit(f"tracker demo ended with {proc.returncode}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as answer:  # noqa: S310
                if answer.status == 200:
                    return proc
        except OSError:
            time.sleep(0.5)
    proc.terminate()
    sys.exit("tracker demo did not answer within 5 minutes")


def new_phone(browser: Browser, devices: dict, base_url: str, *, worker: bool) -> BrowserContext:
    return browser.new_context(**devices["Pixel 5"], locale="zh-CN", timezone_id="Asia/Shanghai",
                               base_url=base_url, service_workers="allow" if worker else "block")  # fmt: skip


def sign_in(page: Page) -> None:
    page.goto("/login")
    page.locator("#login").fill(LOGIN)
    page.locator("#password").fill(PASSWORD)
    with page.expect_navigation():
        page.locator("form.form button[type=submit]").click()
    if not page.url.endswith("/my"):
        sys.exit(f"signing in as {LOGIN} landed on {page.url}, not /my")


def wait_until_kept(page: Page) -> None:
    """Until the worker keeps /my and what it links (evaluate awaits KEPT's promise; wait_for_function
    would take the promise itself for a yes)."""
    deadline = time.monotonic() + 60
    while page.evaluate(KEPT) < 3:  # /my, /my/queue and a task page at least
        if time.monotonic() > deadline:
            sys.exit("the service worker kept nothing within a minute")
        time.sleep(0.1)


def slow_down(cdp: CDPSession, conditions: dict[str, object] = SLOW_3G) -> None:
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", conditions)
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN})


def slow_down_workers(browser: Browser, conditions: dict[str, object] = SLOW_3G) -> int:
    """The same network conditions on every service worker's target (its fetches are its own)."""
    cdp = browser.new_browser_cdp_session()
    targets = cdp.send("Target.getTargets")["targetInfos"]
    slowed = 0
    for target in targets:
        if target["type"] != "service_worker":
            continue
        session = cdp.send("Target.attachToTarget", {"targetId": target["targetId"], "flatten": False})[
            "sessionId"
        ]
        for number, (method, params) in enumerate(
            [("Network.enable", {}), ("Network.emulateNetworkConditions", conditions)], start=1
        ):
            message = json.dumps({"id": number, "method": method, "params": params})
            cdp.send("Target.sendMessageToTarget", {"sessionId": session, "message": message})
        slowed += 1
    return slowed


RESOURCES = """() => performance.getEntriesByType('resource').map((r) => [r.name.replace(location.origin, ''),
  Math.round(r.startTime), Math.round(r.responseEnd), r.transferSize, r.initiatorType])"""
VERBOSE = False


def load(page: Page, path: str) -> tuple[float, float, float]:
    """Seconds to the `load` event, to the first contentful paint (the page readable) and to the moment
    every script of the page has run (sw-register.js's mark: 我的任务 fetches its scripts after `load`).
    Returns once the page is quiet, so the next load does not share the network with this one."""
    answer = page.goto(path, wait_until="load", timeout=120_000)
    if answer is None or answer.status != 200 or "/login" in page.url:
        sys.exit(f"{path} answered {answer and answer.status} at {page.url}: nothing to measure")
    page.locator("html[data-scripts=ready]").wait_for(state="attached", timeout=120_000)
    seconds, painted, ready = page.evaluate(LOAD_TIME)
    if VERBOSE:  # --verbose: what the page waited for (start and end in ms, bytes over the wire)
        navigation = page.evaluate("() => { const n = performance.getEntriesByType('navigation')[0]; "
                                   "return [Math.round(n.workerStart), Math.round(n.fetchStart), Math.round(n.responseStart), Math.round(n.responseEnd), n.transferSize, "
                                   "Math.round(n.domContentLoadedEventEnd)]; }")  # fmt: skip
        print(f"  {path}: {seconds:.2f} s; document {navigation}", file=sys.stderr)
        for entry in page.evaluate(RESOURCES):
            print(f"    {entry}", file=sys.stderr)
    page.wait_for_load_state("networkidle", timeout=120_000)
    return float(seconds), float(painted), float(ready)


def camera_jpeg(megabytes: float) -> bytes:
    """A 4000x3000 camera-like JPEG of about `megabytes`: a smooth scene and a sensor's grain (the grain
    is what makes a phone's photo big; shrunk to 1,600 px it weighs about what a real photo does)."""
    rng = random.Random(11)
    small = Image.frombytes("RGB", (40, 30), bytes(rng.randrange(256) for _ in range(40 * 30 * 3)))
    scene = small.resize((4000, 3000), Image.Resampling.BICUBIC)
    buffer = io.BytesIO()
    for sigma in (1, 2, 3, 4, 5, 6, 8, 10, 12):
        grain = Image.effect_noise((4000, 3000), sigma).convert("RGB")
        buffer = io.BytesIO()
        ImageChops.add(scene, grain, scale=1.0, offset=-128).save(buffer, format="JPEG", quality=92)
        if buffer.tell() >= megabytes * 1024 * 1024 * 0.97:
            break
    return buffer.getvalue()


def send_photo(page: Page, photo: bytes) -> tuple[float, int] | None:
    """Open the first task of /my with a photo field, choose the photo, save: seconds from the tap to the
    server's answer and the bytes sent (None when no task of /my takes a photo)."""
    page.goto("/my", wait_until="load")
    tasks = [a.get_attribute("href") for a in page.locator('a[href^="/tasks/"]').all()]
    for task in dict.fromkeys(tasks):
        page.goto(str(task), wait_until="load", timeout=120_000)
        if page.locator("form input[type=file]").count():
            break
    else:
        return None
    form = page.locator("form:has(input[type=file])").first
    for area in form.locator("textarea:visible").all():
        area.fill("测量用记录：入户走访，了解情况。")
    for field in form.locator("input[type=text]:visible").all():
        if not field.input_value():
            field.fill("测量")
    form.locator("input[type=file]").set_input_files(
        files=[{"name": "IMG_0001.jpg", "mimeType": "image/jpeg", "buffer": photo}]
    )
    started = time.monotonic()
    with page.expect_response(
        lambda r: r.request.method == "POST" and "/records" in r.url, timeout=300_000
    ) as seen:
        form.locator("button[type=submit]").first.click()
    answer = seen.value
    answer.finished()
    sent = int(answer.request.all_headers().get("content-length", "0"))
    return time.monotonic() - started, sent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--photo-mb", type=float, default=3.4)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--verbose", action="store_true", help="each load's requests on stderr")
    parser.add_argument("--skip-photo", action="store_true", help="measure the pages only")
    options = parser.parse_args()
    global VERBOSE  # noqa: PLW0603
    VERBOSE = options.verbose
    base_url = f"http://127.0.0.1:{options.port}"
    figures: dict[str, list[tuple[float, float, float]]] = {
        "cold": [],
        "warm": [],
        "next tap: a task page, warm": [],
        "worker, online": [],
        "worker, offline": [],
    }
    with tempfile.TemporaryDirectory(prefix="measure-phone-") as folder:
        demo = start_demo(options.port, Path(folder))
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
                for _ in range(options.runs):
                    phone = new_phone(browser, pw.devices, base_url, worker=False)
                    page = phone.new_page()
                    sign_in(page)
                    cdp = phone.new_cdp_session(page)
                    cdp.send("Network.clearBrowserCache")
                    slow_down(cdp)
                    figures["cold"].append(load(page, "/my"))
                    figures["warm"].append(load(page, "/my"))  # what /my prefetches has arrived too
                    task = page.locator('a[href^="/tasks/"]').first.get_attribute("href")
                    figures["next tap: a task page, warm"].append(load(page, str(task)))
                    phone.close()

                    phone = new_phone(browser, pw.devices, base_url, worker=True)
                    page = phone.new_page()
                    sign_in(page)
                    wait_until_kept(page)  # installed, /my and its tasks kept
                    page_cdp = phone.new_cdp_session(page)
                    slow_down(page_cdp)
                    if not slow_down_workers(browser):
                        sys.exit("no service worker target to slow down")
                    figures["worker, online"].append(load(page, "/my"))
                    phone.close()

                    # no signal at all (a fresh phone, its worker installed): nothing answers, nothing waits to fail
                    phone = new_phone(browser, pw.devices, base_url, worker=True)
                    page = phone.new_page()
                    sign_in(page)
                    wait_until_kept(page)
                    phone.set_offline(True)
                    page_cdp = phone.new_cdp_session(page)
                    slow_down(page_cdp, NO_NETWORK)
                    figures["worker, offline"].append(load(page, "/my"))
                    phone.close()

                report(figures, options.runs)
                if options.skip_photo:
                    return
                phone = new_phone(browser, pw.devices, base_url, worker=False)
                page = phone.new_page()
                sign_in(page)
                photo = camera_jpeg(options.photo_mb)
                slow_down(phone.new_cdp_session(page))
                sent_photo = send_photo(page, photo)
                phone.close()
                browser.close()
        finally:
            demo.terminate()
            demo.wait(timeout=30)

    size = f"{len(photo) / 1024 / 1024:.1f} MB"
    if sent_photo is None:
        print(f"| photo: no task of /my takes a photo; the {size} JPEG was not sent | | | | |")
    else:
        seconds, sent = sent_photo
        print(f"| photo: a {size} JPEG saved ({sent / 1024:.0f} KB sent) | {seconds:.2f} | | | 1 |")


def report(figures: dict[str, list[tuple[float, float, float]]], runs: int) -> None:
    print(
        f"我的任务 (/my) as the demo cadre, Slow 3G (2,000 ms, 50 KB/s), CPU x{CPU_SLOWDOWN}, median of {runs}:"
    )
    print("| load | `load` event, s | first paint, s | scripts run, s | runs (`load`) |")
    print("| --- | --- | --- | --- | --- |")
    for name, values in figures.items():
        loads, paints, ready = ([v[i] for v in values] for i in range(3))
        each = ", ".join(f"{v:.2f}" for v in loads)
        print(
            f"| {name} | {statistics.median(loads):.2f} | {statistics.median(paints):.2f} "
            f"| {statistics.median(ready):.2f} | {each} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
