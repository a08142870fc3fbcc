#!/usr/bin/env python3
"""Looks at imgclf's pages the way a person would: in headless Chromium, driven by selenium 4
through Debian's chromedriver (Selenium Manager never downloads anything).

    .venv-report/bin/python scripts/browser_check.py report FILE.html --classes N [--multi-label] [--screenshot OUT.png]
    .venv-report/bin/python scripts/browser_check.py serve URL --image FILE.png [--screenshot OUT.png]

`report` opens file://FILE, waits for the page's script to finish (body[data-rendered="1"])
and prints one JSON line: {"svg_paths", "confusion_cells", "mistakes", "console_errors", "title",
"scripts", "alerts", "text"}.
`serve` opens the serving page at URL, waits for body[data-state="ready"], picks IMAGE in
#image-input, waits (at most 30 s) for "done" or "error" and prints one JSON line:
{"state", "top1_index", "top1_probability", "results", "error", "console_errors",
"network_errors", "card_text", "scripts", "alerts", "text"}. For both, "scripts" counts the
page's <script> elements (a markup-like name that became one adds to it), "alerts" lists what
alert/confirm/prompt were called with, and "text" is the page's text outside its scripts. console_errors holds the browser console's SEVERE and WARNING
messages; for `serve`, Chromium's own "Failed to load resource" line for an error status of
the POST to /invocations (the answer under test, shown in #error) is in network_errors instead.

Exit 0 when it ran (the caller judges the numbers), 2 when Chromium could not start, 1 when
the page never got ready. Installed by scripts/install-report-tools.
"""
import argparse
import json
import os
import pathlib
import sys
import time

CHROMEDRIVER = os.environ.get("IMGCLF_CHROMEDRIVER", "/usr/bin/chromedriver")
CHROMIUM = os.environ.get("IMGCLF_CHROMIUM", "/usr/bin/chromium")
MAX_SCREENSHOT_HEIGHT = 6000


def fail(code, message):
    print(f"browser_check.py: {message}", file=sys.stderr)
    sys.exit(code)


def start_browser():
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError as e:
        fail(2, f"selenium is not installed ({e}): run scripts/install-report-tools")
    for path in (CHROMEDRIVER, CHROMIUM):
        if not os.access(path, os.X_OK):
            fail(2, f"{path} is not there: run scripts/install-report-tools")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1400,1000", "--hide-scrollbars", "--force-device-scale-factor=1",
                "--allow-file-access-from-files", "--no-first-run", "--no-default-browser-check"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    try:
        driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    except Exception as e:  # WebDriverException, OSError: Chromium did not start
        fail(2, f"Chromium could not start: {str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__}")
    driver.set_window_size(1400, 1000)
    driver.set_page_load_timeout(120)
    driver.set_script_timeout(120)
    return driver


# Runs before any of the page's own scripts: a dialog opened by injected markup is recorded
# instead of blocking the page.
RECORD_DIALOGS = """
window.__imgclfAlerts = [];
['alert', 'confirm', 'prompt'].forEach(function (name) {
  window[name] = function (message) { window.__imgclfAlerts.push(name + ': ' + String(message)); return null; };
});
"""

# The page as a person reads it: its text outside <script> elements, and what it executed.
PAGE_SEEN = """
var copy = document.body.cloneNode(true);
Array.prototype.forEach.call(copy.querySelectorAll('script'), function (s) { s.remove(); });
return {scripts: document.querySelectorAll('script').length, alerts: window.__imgclfAlerts || [],
        text: copy.textContent};
"""


def record_dialogs(driver):
    driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": RECORD_DIALOGS})


def console_errors(driver):
    try:
        entries = driver.get_log("browser")
    except Exception:
        return []
    return [e.get("message", "") for e in entries if e.get("level") in ("SEVERE", "WARNING")]


def wait_for(driver, script, timeout, poll=0.1):
    """Runs `script` (returning a value) until it is truthy; returns it, or None after timeout."""
    deadline = time.monotonic() + timeout
    while True:
        value = driver.execute_script(script)
        if value:
            return value
        if time.monotonic() >= deadline:
            return None
        time.sleep(poll)


def screenshot(driver, path, full_page):
    """Saves a PNG of the page: the whole document (at most MAX_SCREENSHOT_HEIGHT px tall) when
    full_page, else the window. The window is first made as tall as the document, so the
    page lays out as it would on a tall screen, then Chromium captures beyond the viewport."""
    import base64
    pathlib.Path(path).parent.mkdir(parents=True, exist_ok=True)
    if not full_page:
        driver.save_screenshot(path)
        return
    script = "return Math.max(document.documentElement.scrollHeight, document.body ? document.body.scrollHeight : 0)"
    height = min(int(driver.execute_script(script) or 1000), MAX_SCREENSHOT_HEIGHT)
    driver.set_window_size(1400, max(600, height + 140))  # outer size: leave room for the window frame
    time.sleep(0.3)
    height = min(int(driver.execute_script(script) or 1000), MAX_SCREENSHOT_HEIGHT)
    width = int(driver.execute_script("return document.documentElement.clientWidth") or 1400)
    shot = driver.execute_cdp_cmd("Page.captureScreenshot", {
        "format": "png", "captureBeyondViewport": True,
        "clip": {"x": 0, "y": 0, "width": width, "height": height, "scale": 1}})
    pathlib.Path(path).write_bytes(base64.b64decode(shot["data"]))


def report(args):
    file = pathlib.Path(args.file).resolve()
    if not file.is_file():
        fail(1, f"{file}: no such file")
    driver = start_browser()
    try:
        record_dialogs(driver)
        driver.get(file.as_uri())
        if not wait_for(driver, "return document.body && document.body.dataset.rendered === '1'", 120):
            fail(1, f"{file} never finished drawing (body[data-rendered] is not 1)")
        counts = driver.execute_script(
            "return {svg_paths: document.querySelectorAll('svg path').length,"
            " confusion_cells: document.querySelectorAll('.confusion-cell').length,"
            " mistakes: document.querySelectorAll('img.mistake').length}")
        if args.screenshot:
            screenshot(driver, args.screenshot, full_page=True)
        result = {
            "svg_paths": counts["svg_paths"],
            "confusion_cells": counts["confusion_cells"],
            "mistakes": counts["mistakes"],
            "console_errors": console_errors(driver),
            "title": driver.title,
        }
        result.update(driver.execute_script(PAGE_SEEN))
        print(json.dumps(result))
    finally:
        driver.quit()


def serve(args):
    image = pathlib.Path(args.image).resolve()
    if not image.is_file():
        fail(1, f"{image}: no such file")
    driver = start_browser()
    try:
        record_dialogs(driver)
        driver.get(args.url)
        if not wait_for(driver, "return document.body && document.body.dataset.state === 'ready'", 30):
            state = driver.execute_script("return document.body ? document.body.dataset.state : null")
            fail(1, f"{args.url} never got ready (body[data-state] is {state!r}); console: {console_errors(driver)}")
        from selenium.webdriver.common.by import By
        driver.find_element(By.ID, "image-input").send_keys(str(image))
        state = wait_for(driver, "var s = document.body.dataset.state; return (s === 'done' || s === 'error') ? s : null", 30)
        seen = driver.execute_script(
            "var items = Array.prototype.map.call(document.querySelectorAll('#results > li'), function (li) {"
            "  return [parseInt(li.dataset.classIndex, 10), parseFloat(li.dataset.probability)]; });"
            "var err = document.getElementById('error');"
            "var card = document.getElementById('card');"
            "return {state: document.body.dataset.state, results: items,"
            " error: err && !err.hidden && err.textContent.trim() ? err.textContent.trim() : null,"
            " card_text: card ? card.innerText : ''};")
        if args.screenshot:
            screenshot(driver, args.screenshot, full_page=True)
        results = [[int(i), float(p)] for i, p in seen["results"] if i == i and p == p]  # drops NaN
        # Chromium logs an error status of any request as "Failed to load resource"; for the
        # classification request itself that status is the answer under test (the page shows it
        # in #error), so it goes to network_errors, and console_errors keeps everything else.
        logs = console_errors(driver)
        network = [m for m in logs if "/invocations" in m and "Failed to load resource" in m]
        others = [m for m in logs if m not in network]
        top = results[0] if results and seen["state"] == "done" else None
        page = driver.execute_script(PAGE_SEEN)
        print(json.dumps({
            **page,
            "state": seen["state"] if state else (seen["state"] or "timeout"),
            "top1_index": top[0] if top else None,
            "top1_probability": top[1] if top else None,
            "results": results,
            "error": seen["error"],
            "console_errors": others,
            "network_errors": network,
            "card_text": seen["card_text"],
        }))
    finally:
        driver.quit()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    r = sub.add_parser("report", help="look at a report.html")
    r.add_argument("file")
    r.add_argument("--classes", type=int, required=True, help="number of classes the report is about")
    r.add_argument("--multi-label", action="store_true")
    r.add_argument("--screenshot")
    v = sub.add_parser("serve", help="classify an image through the serving page")
    v.add_argument("url")
    v.add_argument("--image", required=True)
    v.add_argument("--screenshot")
    args = parser.parse_args()
    report(args) if args.command == "report" else serve(args)


if __name__ == "__main__":
    main()
