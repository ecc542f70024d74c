"""An agency crafted to run script, served by nginx with the shipped configuration, in Chromium.

Its names and page titles are markup payloads (one loads tep/x.pdf as a script), and its
attachments are files that pass the check yet carry <script> bytes: a real PDF header, a PNG and
a JPEG signature, each followed by HTML. Every page of its bundle and every attachment URL is
loaded; no dialog may open, no script error be logged, and no attachment be requested as a script.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Error as PlaywrightError

from generator.build import build_all
from generator.validate import check_paths
from tests.conftest import build_options
from tests.nginx import nginx_serving
from tests.test_hostile_output import payload_agency

pytestmark = [pytest.mark.slow, pytest.mark.browser]

SUB_PATH = "/a/tiep-can-thong-tin/"
SCRIPT = b"<html><body><script>alert(document.domain)</script><img src=x onerror=alert(2)></body></html>\n"
# Each passes generator/attachments.py (the magic bytes are right), then turns into a page.
CRAFTED = {
    "x.pdf": b"%PDF-1.4\n" + SCRIPT + b"%%EOF\n",  # the payload title loads tep/x.pdf from the bundle root
    "files/anh.png": b"\x89PNG\r\n\x1a\n" + SCRIPT,
    "files/anh.jpg": b"\xff\xd8\xff\xe0" + SCRIPT,
}


@pytest.fixture(scope="module")
def crafted_site(tmp_path_factory) -> Path:
    agencies = tmp_path_factory.mktemp("crafted") / "agencies"
    payload_agency(agencies, files=CRAFTED)
    assert check_paths([agencies]).ok  # what still passes the check is what this test is about
    out = agencies.parent / "site"
    build_all(build_options(agencies, out))
    return out


@pytest.fixture(scope="module")
def crafted_server(crafted_site, tmp_path_factory) -> str:
    with nginx_serving(crafted_site, crafted_site / "so-thu", SUB_PATH, tmp_path_factory.mktemp("nginx")) as base:
        yield base


def _visit(chromium, urls: list[str]) -> dict[str, list[str]]:
    """Load each URL in one page; what the page did that a crafted file or title could cause."""
    seen: dict[str, list[str]] = {"dialogs": [], "console errors": [], "page errors": [], "attachment scripts": [],
                                  "downloads": []}
    page = chromium.new_page(accept_downloads=True)
    page.on("dialog", lambda d: (seen["dialogs"].append(d.message), d.dismiss()))
    page.on("console", lambda m: seen["console errors"].append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: seen["page errors"].append(str(error)))
    page.on("request", lambda r: seen["attachment scripts"].append(r.url)
            if r.resource_type == "script" and "/tep/" in r.url else None)
    page.on("download", lambda d: seen["downloads"].append(d.url))
    for url in urls:
        try:
            page.goto(url, wait_until="load")
        except PlaywrightError as error:  # a download aborts the navigation: that is the point
            if "Download is starting" not in str(error) and "ERR_ABORTED" not in str(error):
                raise
        page.wait_for_timeout(150)  # a late onerror or a deferred script would fire by now
    page.close()
    return seen


@pytest.mark.parametrize("where", ["root", "sub-path"])
def test_nothing_crafted_runs_on_any_page_or_attachment(chromium, crafted_site, crafted_server, where):
    bundle = crafted_site / "so-thu"
    base = crafted_server + ("/so-thu/" if where == "root" else SUB_PATH)
    pages = sorted(p.relative_to(bundle).as_posix() for p in bundle.rglob("*.html"))
    attachments = [f"tep/{name}" for name in CRAFTED]
    urls = [base + path for path in pages + attachments]
    if where == "root":
        urls.insert(0, crafted_server + "/index.html")  # the portal lists the agency by its name
    seen = _visit(chromium, urls)
    assert len(pages) > 10
    assert {key: found for key, found in seen.items() if key != "downloads" and found} == {}
    assert sorted(seen["downloads"]) == sorted(base + path for path in attachments)
