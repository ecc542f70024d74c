"""Page weight on first load: bytes a citizen's phone downloads for each page type, and requests.

Builds the sample site of the accessibility suite (demo agencies + a marked 500-entry sample
agency), opens each page type (tests/pagetypes.py) in Debian's Chromium with an empty cache, and
sums every response the page fetched, compressed as nginx with `gzip on` serves text (gzip level 6
on HTML, CSS, JS, JSON, SVG, XML; images and fonts as they are).

    .venv/bin/python -m bench.weight          # prints the table; exit 1 if a budget is exceeded
"""

from __future__ import annotations

import gzip
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

from tests.pagetypes import build_sample_site, visits
from tests.servers import CHROMIUM_ARGS, chromium_path, static_server

KB = 1024
BUDGETS = {"overview": 120 * KB, "catalog": 350 * KB}  # issue #5: transferred on first load, everything included
COMPRESSED_TYPES = ("text/", "application/javascript", "application/json", "image/svg+xml", "application/xml")
GZIP_LEVEL = 6  # Debian's nginx.conf suggests gzip_comp_level 6


def transferred(body: bytes, content_type: str) -> int:
    if content_type.startswith(COMPRESSED_TYPES):
        return len(gzip.compress(body, compresslevel=GZIP_LEVEL, mtime=0))
    return len(body)


def measure(browser, url: str) -> list[tuple[str, int, int]]:
    """(URL, raw bytes, transferred bytes) of every response of one first load with caching off."""
    context = browser.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    page.context.new_cdp_session(page).send("Network.setCacheDisabled", {"cacheDisabled": True})
    responses = []
    page.on("response", lambda response: responses.append(response))
    page.goto(url, wait_until="networkidle")
    fetched = []
    for response in responses:
        body = response.body()
        fetched.append((response.url, len(body), transferred(body, response.headers.get("content-type", ""))))
    context.close()
    return fetched


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="tiepcan-weight-") as work:
        site = build_sample_site(Path(work))
        with static_server(site) as base, sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
            loads = [(name, path, measure(browser, base + path)) for name, path in visits(site)]
            browser.close()
    rows = [(name, path, len(fetched), sum(f[1] for f in fetched), sum(f[2] for f in fetched))
            for name, path, fetched in loads]
    print(f"{'page type':<20} {'page':<48} {'requests':>8} {'raw KB':>8} {'gzip KB':>8} {'budget':>8} {'of budget':>9}")
    over = []
    for name, path, requests, raw, sent in rows:
        budget = BUDGETS.get(name)
        share = f"{sent / budget:.0%}" if budget else ""
        print(f"{name:<20} {path:<48} {requests:>8} {raw / KB:>8.1f} {sent / KB:>8.1f} "
              f"{(str(budget // KB) + ' KB') if budget else '':>8} {share:>9}")
        if budget and sent > budget:
            over.append(f"{name} {path}: {sent / KB:.1f} KB > {budget // KB} KB")
    name, path, fetched = next(load for load in loads if load[0] == "overview")
    print(f"\nWhat the {name} page ({path}) fetches:")
    for url, raw, sent in sorted(fetched, key=lambda f: -f[2]):
        print(f"  {url.removeprefix(base):<68} {raw / KB:>8.1f} {sent / KB:>8.1f}")
    print("\n".join(["OVER BUDGET:", *over]) if over else "All budgets met.")
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
