"""Hosting on a real nginx, configured by docs/deploy/, and from disk (file://).

The demo is served as an IT department would: the whole site/ at the server root, and one
agency's bundle — unpacked from its `tiepcan package` archive — under a three-segment sub-path
it was not built for. Chromium loads every page reachable by links; nothing may be broken, nothing
may come from another host, and the strict Content-Security-Policy of docs/deploy/ must not
block anything.
"""

from __future__ import annotations

import gzip
import http.client
import shutil
import subprocess
import sysconfig
import tarfile
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from generator.package import package_all
from tests.crawl import Crawl, crawl, settle
from tests.nginx import nginx_serving

pytestmark = [pytest.mark.slow, pytest.mark.browser]

SUB_PATH = "/a/b/tiep-can-thong-tin/"
BUNDLE = "so-tu-phap-binh-phuoc"


@pytest.fixture(scope="module")
def unpacked_bundle(demo_site, tmp_path_factory) -> Path:
    """The bundle as IT staff receive it: <id>.tar.gz from `tiepcan package`, unpacked."""
    dist = tmp_path_factory.mktemp("dist")
    package_all(demo_site, dist)
    target = tmp_path_factory.mktemp("www") / "tiep-can-thong-tin"
    with tarfile.open(dist / f"{BUNDLE}.tar.gz") as archive:
        archive.extractall(target, filter="data")
    return target / BUNDLE


@pytest.fixture(scope="module")
def server(demo_site, unpacked_bundle, tmp_path_factory) -> str:
    with nginx_serving(demo_site, unpacked_bundle, SUB_PATH, tmp_path_factory.mktemp("nginx")) as base:
        yield base


def _clean(result: Crawl) -> None:
    print(result.summary())
    assert result.broken == []
    assert result.outside == []
    assert result.csp == []
    assert result.errors == []


def _html_pages(folder: Path) -> set[str]:
    """Every page a reader can reach: all HTML except the 404 page and redirect stubs."""
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*.html")
            if p.name != "404.html" and "http-equiv=\"refresh\"" not in p.read_text(encoding="utf-8")}


def _fetch(url: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def test_whole_site_at_the_server_root(chromium, demo_site, server):
    result = crawl(chromium, server + "/", server + "/")
    _clean(result)
    reached = {url.removeprefix(server + "/") for url in result.pages}
    assert _html_pages(demo_site) <= reached | {""}


def test_one_bundle_under_a_three_segment_sub_path(chromium, unpacked_bundle, server):
    start = server + SUB_PATH
    result = crawl(chromium, start, start)
    _clean(result)
    reached = {url.removeprefix(start) for url in result.pages}
    assert _html_pages(unpacked_bundle) <= reached | {""}


def test_offline_from_disk(chromium, demo_site):
    """file://: no server, no headers; every link and asset still resolves inside the folder."""
    scope = demo_site.as_uri() + "/"
    result = crawl(chromium, scope + "index.html", scope)
    _clean(result)
    # Chromium lets no script fetch() a file from disk: Material's sitemap lookup and its search
    # index. Both files exist (else they would be broken); search cannot work from disk.
    assert {url.removeprefix(scope).split("/")[-1] for url in result.blocked} <= {"sitemap.xml", "search_index.json"}
    assert _html_pages(demo_site) <= {url.removeprefix(scope) for url in result.pages}


@pytest.mark.parametrize("missing", [
    SUB_PATH + "khong-co.html",  # beside the pages
    SUB_PATH + "huong-dan/cu/khong-co.html",  # two folders deeper
    "/khong-co/trang.html",  # the portal's own 404
])
def test_not_found_page_works_at_any_depth(chromium, server, missing):
    page = chromium.new_page()
    failed: list[str] = []
    pending: set = set()
    page.on("request", lambda r: pending.add(r))
    page.on("requestfinished", lambda r: pending.discard(r))
    page.on("requestfailed", lambda r: (pending.discard(r), failed.append(r.url)))
    page.on("response", lambda r: failed.append(f"{r.url} {r.status}") if r.status >= 400 and r.url != server + missing else None)
    response = page.goto(server + missing)
    settle(page, pending)
    assert response is not None and response.status == 404
    assert "Content-Security-Policy" in response.headers or "content-security-policy" in response.headers
    assert page.locator("h1").inner_text() == "Không tìm thấy trang"
    assert page.evaluate("getComputedStyle(document.body).fontFamily") != ""  # theme CSS applied
    assert page.evaluate("document.styleSheets.length") >= 3
    assert failed == []
    links = page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)")
    page.close()
    # Every link but those within the page itself (its skip link) leads to a page that exists.
    internal = [link.split("#")[0] for link in links if link.startswith(server) and link.split("#")[0] != server + missing]
    assert len(internal) >= 2
    for link in internal:
        assert _fetch(link)[0] == 200, link


def test_headers_caching_and_compression(server, unpacked_bundle):
    page_status, page_headers, _ = _fetch(server + SUB_PATH + "index.html")
    assert page_status == 200
    assert "'unsafe-inline'" not in page_headers["Content-Security-Policy"]
    assert "'unsafe-eval'" not in page_headers["Content-Security-Policy"]
    assert page_headers["X-Content-Type-Options"] == "nosniff"
    assert page_headers["Cache-Control"] == "no-cache"
    fingerprinted = next(p.name for p in (unpacked_bundle / "assets" / "javascripts").glob("bundle.*.min.js"))
    _, asset_headers, _ = _fetch(server + SUB_PATH + "assets/javascripts/" + fingerprinted)
    assert "immutable" in asset_headers["Cache-Control"]
    # The precompressed copy from the package is what nginx sends (gzip_static): same bytes.
    status, headers, body = _fetch(server + SUB_PATH + "danh-muc-cong-khai.html", **{"Accept-Encoding": "gzip"})
    assert status == 200 and headers["Content-Encoding"] == "gzip"
    assert body == (unpacked_bundle / "danh-muc-cong-khai.html.gz").read_bytes()
    assert gzip.decompress(body) == (unpacked_bundle / "danh-muc-cong-khai.html").read_bytes()


def test_catalog_filter_and_pagefind_search_work_under_the_csp(chromium, server, unpacked_bundle):
    """What the CSP must not break: the catalog filter (theme/assets/tiepcan.js) and the search
    engine (Pagefind: module import, a worker, WebAssembly), the latter indexed over this bundle
    here and queried through its own JavaScript API inside the page."""
    pagefind = Path(sysconfig.get_path("purelib")) / "pagefind_bin" / "pagefind"
    subprocess.run([str(pagefind), "--site", str(unpacked_bundle), "--output-subdir", "pagefind-csp"],
                   check=True, capture_output=True)
    page = chromium.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if "Content Security Policy" in m.text else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.goto(server + SUB_PATH + "danh-muc-cong-khai.html")
    rows = page.locator("table.tc-catalog tbody tr")
    total = rows.count()
    assert total >= 2 and page.locator("form.tc-filter").is_visible()  # the script ran
    word = rows.first.locator("th").inner_text().split()[-1]
    page.fill("#tc-filter-text", word)
    shown = page.locator("table.tc-catalog tbody tr:not([hidden])").count()
    assert 1 <= shown < total
    found = page.evaluate("""async word => {
        const pagefind = await import(new URL("pagefind-csp/pagefind.js", location).href);
        await pagefind.options({baseUrl: new URL(".", location).pathname});  // served under a sub-path
        await pagefind.init();
        const search = await pagefind.search(word);
        return Promise.all(search.results.slice(0, 3).map(r => r.data().then(d => d.url)));
    }""", word)
    page.close()
    assert found and all(url.startswith(SUB_PATH) for url in found)
    assert problems == []


def test_the_search_page_searches_in_pagefinds_worker_under_the_csp(chromium, server, unpacked_bundle):
    """The shipped search page runs Pagefind in its Web Worker (off the main thread, CSP worker-src
    'self'); Pagefind would fall back to the page without a word if the worker failed, so that is checked."""
    page = chromium.new_page()
    workers: list[str] = []
    problems: list[str] = []
    page.on("worker", lambda worker: workers.append(worker.url))
    page.on("console", lambda m: problems.append(m.text)
            if "Content Security Policy" in m.text or "Pagefind" in m.text or m.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.goto(server + SUB_PATH + "danh-muc-cong-khai.html")
    word = page.locator("table.tc-catalog tbody tr").first.locator("th").inner_text().split()[-1]
    page.goto(server + SUB_PATH + "tim-kiem.html?q=" + word)
    page.wait_for_selector(".tc-search[data-state=done]", timeout=15000)
    found = page.eval_on_selector_all(".tc-search__documents a", "links => links.map(a => new URL(a.href).pathname)")
    page.close()
    assert found and all(path.startswith(SUB_PATH) for path in found)
    assert workers == [server + SUB_PATH + "pagefind/pagefind-worker.js"]
    assert problems == []


def test_the_sub_path_without_its_final_slash_redirects(server):
    connection = http.client.HTTPConnection(server.removeprefix("http://"))
    connection.request("GET", SUB_PATH.rstrip("/"))
    response = connection.getresponse()
    assert (response.status, response.getheader("Location")) == (301, SUB_PATH)
    connection.close()


def test_the_csp_check_can_fail(chromium, server):
    """The CSP is enforced and its reports are seen: an injected inline script is refused and logged."""
    page = chromium.new_page()
    reports: list[str] = []
    page.on("console", lambda m: reports.append(m.text) if "Content Security Policy" in m.text else None)
    page.goto(server + SUB_PATH + "index.html")
    page.evaluate("""() => { const s = document.createElement('script'); s.textContent = 'window.inlineRan = true';
                             document.head.appendChild(s); }""")
    page.wait_for_timeout(100)
    assert page.evaluate("window.inlineRan === undefined")
    page.close()
    assert reports


ATTACHMENT = "tep/files/quy-che.pdf"  # bo-mau's regulation


@pytest.mark.parametrize("where", ["root", "sub-path"])
def test_attachments_are_downloads_and_never_sniffed(server, demo_site, unpacked_bundle, where):
    """A document that a browser could also read as HTML must not open as a page of the site."""
    if where == "sub-path":  # the packaged bundle has no attachment of its own: give it bo-mau's
        (unpacked_bundle / ATTACHMENT).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(demo_site / "bo-mau" / ATTACHMENT, unpacked_bundle / ATTACHMENT)
    status, headers, body = _fetch(server + ("/bo-mau/" if where == "root" else SUB_PATH) + ATTACHMENT)
    assert status == 200 and body.startswith(b"%PDF-")
    assert headers["Content-Disposition"] == "attachment"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert "Content-Security-Policy" in headers


@pytest.mark.parametrize("path", ["/index.html", "/bo-mau/danh-muc-cong-khai.html", "/bo-mau/feed.atom", "/404.html",
                                  "/khong-co/trang.html", SUB_PATH, SUB_PATH + "assets/tiepcan.css",
                                  SUB_PATH + "404.html", SUB_PATH + "huong-dan/khong-co.html"])
def test_every_location_sends_nosniff_and_only_attachments_are_downloads(server, path):
    status, headers, _ = _fetch(server + path)
    assert status in (200, 404)
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert "Content-Disposition" not in headers
