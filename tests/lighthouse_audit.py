"""Lighthouse as a phone on slow 4G sees each page type, for tests/test_lighthouse.py and bench/lighthouse.py.

Lighthouse is the npm package pinned in tests/lighthouse/package-lock.json (`make test` installs it
with `npm ci --ignore-scripts`), driven through its Node API by tests/lighthouse/audit.mjs on
Debian's Chromium (tests/servers.py), never on a downloaded browser. Its defaults are what the
issue asks for: a mobile form factor and simulated throttling (slow 4G: 150 ms round trips,
1.6 Mbit/s, the CPU four times slower). The pages come from real nginx with the shipped
configuration (tests/nginx.py), so compression and cache headers are the ones a deployment sends.
"""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator import report
from tests.pagetypes import PAGE_TYPES, pages_of
from tests.servers import chromium_path

TOOLS = Path(__file__).parent / "lighthouse"
DRIVER = TOOLS / "audit.mjs"
# chrome-launcher adds its own quiet defaults (no background networking, no component updates, a
# fresh profile, no first-run pages); these are the ones a container without a display needs.
CHROME_FLAGS = "--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage"
# The supervision report's pages (site/bao-cao/) are written without the theme, each kind from its
# own template: tests/pagetypes.py leaves them to tests/test_report_browser.py, Lighthouse sees them too.
REPORT_PAGES = (("report", report.index_path()), ("report_group", report.group_path(report.CENTRAL)),
                ("report_statistics", report.statistics_path()))


def audited_pages(site: Path) -> list[tuple[str, str]]:
    """(page type, site-relative path + query): the first page of every type, then the report's pages."""
    return [(t.name, pages[0] + t.query) for t in PAGE_TYPES if (pages := pages_of(site, t))] + list(REPORT_PAGES)


def lighthouse(urls: list[str], categories: list[str]) -> list[dict[str, Any]]:
    """Lighthouse's results (its JSON) for `urls`, audited in turn (a fresh Chromium each), with only `categories`."""
    if not (TOOLS / "node_modules" / "lighthouse").is_dir():
        raise RuntimeError(f"{TOOLS}/node_modules missing: run `make test` (npm ci --prefix tests/lighthouse)")
    command = ["node", str(DRIVER), ",".join(categories), CHROME_FLAGS, *urls]
    environment = {**os.environ, "CHROME_PATH": chromium_path()}
    done = subprocess.run(command, capture_output=True, text=True, env=environment, cwd=TOOLS,
                          timeout=120 * len(urls))
    if done.returncode != 0:
        raise RuntimeError(f"Lighthouse failed ({done.returncode}): {done.stderr[-3000:]}")
    results: list[dict[str, Any]] = [json.loads(line) for line in done.stdout.splitlines()]
    for url, result in zip(urls, results, strict=True):
        if result.get("runtimeError"):
            raise LighthouseRuntimeError(f"Lighthouse could not audit {url}: {result['runtimeError']['code']}")
    return results


class LighthouseRuntimeError(RuntimeError):
    """Lighthouse ran but could not record a page (its runtimeError, e.g. NO_NAVSTART: "run Lighthouse again")."""


@dataclass(frozen=True)
class Missed:
    category: str
    audit: str
    title: str
    detail: str  # Lighthouse's display value, or the first element, message or file it names


def missed(result: dict[str, Any], category: str) -> list[Missed]:
    """The audits that cost `category` points: weighted, scored, and below 1."""
    audits = result["audits"]
    found = []
    for ref in result["categories"][category]["auditRefs"]:
        audit = audits[ref["id"]]
        if ref["weight"] > 0 and audit.get("score") is not None and audit["score"] < 1:
            first = ((audit.get("details") or {}).get("items") or [{}])[0]
            node = first.get("node") or {}
            source = (first.get("sourceLocation") or {}).get("url") or first.get("url") or ""
            named = node.get("snippet") or " ".join(filter(None, (first.get("description"), source)))
            found.append(Missed(category, audit["id"], audit["title"], audit.get("displayValue") or named))
    return found
