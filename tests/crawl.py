"""A crawler for hosting tests: real Chromium loads every page reachable from a start page.

Every page is loaded in the browser, so every asset the page really requests (styles, scripts,
icons, workers, index files) is seen with its status. Links (<a href>) inside the scope are
followed: pages are loaded in turn, other files (attachments, feeds, sitemaps) are fetched once.
Anything requested from another host, any failed or >= 400 response, any link leaving the scope
and any Content-Security-Policy report in the console is recorded.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urldefrag, urlsplit
from urllib.request import url2pathname

PAGE_SUFFIXES = (".html", "/")


@dataclass
class Crawl:
    pages: list[str] = field(default_factory=list)  # pages loaded in the browser
    files: list[str] = field(default_factory=list)  # other linked files checked
    requests: int = 0  # requests the pages made by themselves
    broken: list[str] = field(default_factory=list)  # "what → why"
    outside: list[str] = field(default_factory=list)  # requests to another host (or scheme)
    csp: list[str] = field(default_factory=list)  # console messages about the CSP
    errors: list[str] = field(default_factory=list)  # script errors
    blocked: list[str] = field(default_factory=list)  # file:// fetches of existing files the browser refuses

    def summary(self) -> str:
        return (f"{len(self.pages)} pages, {len(self.files)} linked files, {self.requests} page requests, "
                f"{len(self.broken)} broken, {len(self.outside)} outside, {len(self.csp)} CSP reports, "
                f"{len(self.errors)} script errors, {len(self.blocked)} fetches refused from disk")


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme, parts.netloc


def _file_status(url: str) -> str | None:
    """None when a linked file exists (HTTP 200 or a file on disk), else why not."""
    if url.startswith("file:"):
        path = Path(url2pathname(unquote(urlsplit(url).path)))
        return None if path.is_file() else "missing file"
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return None if response.status == 200 else f"HTTP {response.status}"
    except urllib.error.HTTPError as error:
        return f"HTTP {error.code}"


def settle(page, pending: set, limit_ms: int = 10_000) -> None:
    """Wait for what the page still loads after `load` (the search worker's files): leaving the
    page earlier would cancel those requests, and they would never be checked."""
    waited = quiet = 0
    while quiet < 2 and waited < limit_ms:  # two quiet polls: a worker starts its next fetch in between
        page.wait_for_timeout(25)
        waited += 25
        quiet = 0 if pending else quiet + 1


def crawl(browser, start: str, scope: str) -> Crawl:
    """Crawl from `start`, following links that begin with `scope`."""
    result = Crawl()
    origin = _origin(start)
    context = browser.new_context()
    page = context.new_page()
    current: dict = {"url": start, "leaving": False, "new": False}
    pending: set = set()
    requested: set[str] = set()
    cancelled: set[str] = set()  # requests cut short when the crawler moved on
    finished: set[str] = set()

    def on_request(request) -> None:
        result.requests += 1
        pending.add(request)
        if request.url not in requested and not request.is_navigation_request():
            requested.add(request.url)
            current["new"] = True
        if request.url.startswith(("data:", "blob:")):
            return
        if _origin(request.url) != origin:
            result.outside.append(f"{current['url']} → {request.url}")

    def on_response(response) -> None:
        if response.status >= 400 and response.url != current["url"]:
            result.broken.append(f"{current['url']} → {response.url} (HTTP {response.status})")

    def on_failed(request) -> None:
        pending.discard(request)
        if current["leaving"] and request.failure == "net::ERR_ABORTED":
            cancelled.add(urldefrag(request.url)[0])  # checked directly at the end
        elif request.url.startswith("file:") and _file_status(request.url) is None:
            result.blocked.append(urldefrag(request.url)[0])  # scripts may not fetch() from disk
        elif _origin(request.url) == origin:
            result.broken.append(f"{current['url']} → {request.url} ({request.failure})")

    def on_console(message) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            result.csp.append(f"{current['url']}: {message.text}")

    page.on("request", on_request)
    page.on("response", on_response)
    page.on("requestfailed", on_failed)
    page.on("requestfinished", lambda request: (pending.discard(request), finished.add(urldefrag(request.url)[0])))
    page.on("console", on_console)
    page.on("pageerror", lambda error: result.errors.append(f"{current['url']}: {error}"))

    queue, seen = [start], {start}
    while queue:
        url = queue.pop(0)
        current.update(url=url, leaving=True, new=False)
        response = page.goto(url, wait_until="load")
        current["leaving"] = False
        if url.startswith("http") and (response is None or response.status != 200):
            result.broken.append(f"{url} (HTTP {response.status if response else 'no response'})")
            continue
        result.pages.append(url)
        if current["new"]:  # a page that loads something not seen before gets the time to finish it
            settle(page, pending)
        for link in page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)"):
            target, _ = urldefrag(link)
            if _origin(target) != origin or target in seen:
                continue  # another site (the agency's own portal, mailto:): a link, not a request
            seen.add(target)
            if not target.startswith(scope):
                result.broken.append(f"{url} → {target} (leaves {scope})")
            elif target.startswith("file:") and target.endswith("/"):
                result.broken.append(f"{url} → {target} (a folder: from disk it shows a file listing)")
            elif target.endswith(PAGE_SUFFIXES):
                queue.append(target)
            else:
                result.files.append(target)
                problem = _file_status(target)
                if problem:
                    result.broken.append(f"{url} → {target} ({problem})")
    context.close()
    for url in sorted(cancelled - finished):
        problem = _file_status(url)
        if problem:
            result.broken.append(f"{url} ({problem}; requested by a page, cut short by the crawler)")
    return result
