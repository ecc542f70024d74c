"""Lighthouse's accessibility, best-practices and SEO audits give full marks to every page type.

Each page type of tests/pagetypes.py (the first page of each) and each of the supervision report's
pages is audited once by the pinned Lighthouse (tests/lighthouse_audit.py: a phone on simulated
slow 4G, Debian's Chromium), served by real nginx with the shipped configuration and its gzip. A
score below 1 names the audits that cost it. Performance is a timing figure, measured by
bench/lighthouse.py, not asserted here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.lighthouse_audit import REPORT_PAGES, audited_pages, lighthouse, missed
from tests.nginx import nginx_serving
from tests.pagetypes import FULL, PAGE_TYPES, build_sample_site

pytestmark = [pytest.mark.slow, pytest.mark.browser]

CATEGORIES = ["accessibility", "best-practices", "seo"]
PAGE_TYPE_NAMES = [t.name for t in PAGE_TYPES] + [name for name, _ in REPORT_PAGES]


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    return build_sample_site(tmp_path_factory.mktemp("lighthouse"))


@pytest.fixture(scope="module")
def results(site, tmp_path_factory) -> dict[str, tuple[str, dict[str, Any]]]:
    """page type → (page, Lighthouse's result): every page audited in turn by one Lighthouse process."""
    pages = audited_pages(site)
    # The whole site at the server root; the sub-path serves one bundle, as tiepcan.conf ships it.
    with nginx_serving(site, site / FULL, "/tiep-can-thong-tin/", tmp_path_factory.mktemp("nginx")) as base:
        found = lighthouse([f"{base}/{path}" for _, path in pages], CATEGORIES)
    return {name: (path, result) for (name, path), result in zip(pages, found, strict=True)}


@pytest.mark.parametrize("page_type", PAGE_TYPE_NAMES)
def test_page_type_has_full_marks(page_type, results):
    assert page_type in results, f"the sample site has no page of type {page_type}"
    path, result = results[page_type]
    scores = {category: result["categories"][category]["score"] for category in CATEGORIES}
    misses = [m for category in CATEGORIES for m in missed(result, category)]
    print(f"{page_type} {path}: {scores}")
    assert scores == dict.fromkeys(CATEGORIES, 1), f"{path}:\n" + "\n".join(
        f"  {m.category}: {m.audit} — {m.title} ({m.detail})" for m in misses)
