"""In real Chromium: every page of the demo loads with no script error and no request to another host."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.browser]


def test_demo_pages_load_without_errors_or_outside_requests(chromium, demo_site, demo_url):
    pages = sorted(p.relative_to(demo_site).as_posix() for p in demo_site.glob("bo-mau/**/*.html"))
    assert "bo-mau/index.html" in pages
    page = chromium.new_page()
    requests: list[str] = []
    errors: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    for path in pages:
        response = page.goto(demo_url + path)
        assert response is not None and response.ok, path
    page.close()
    hosts = {urlsplit(url).netloc for url in requests if not url.startswith("data:")}
    assert hosts == {urlsplit(demo_url).netloc}
    assert errors == []
