"""Every kind of page the build writes, and the sample site the accessibility suite and bench visit.

The table derives from the layout registry (generator/layout.py), plus the pages the theme writes
and the shared guides. A test (tests/test_a11y.py) fails when the built site holds an HTML file
that no line covers, so a new page type is never skipped silently, and when a line matches
nothing, so a removed one is noticed.

The sample site is the demo agencies plus one clearly marked generated agency with 500 catalog
entries (bench/corpus.py), so the catalog page is checked at a realistic size.
"""

from __future__ import annotations

import fnmatch
import shutil
from dataclasses import dataclass
from pathlib import Path

from bench.corpus import write_synthetic_agency
from generator import layout
from generator.build import BuildOptions, build_all

ROOT = Path(__file__).resolve().parent.parent
PORTAL = ""  # the portal sits at the root of site/
FULL = "bo-mau"  # the demo agency with every field filled in
LARGE = "mau-500-muc"  # generated sample agency (sample: true), 500 catalog entries
LARGE_ENTRIES = 500
REPORT = "bao-cao"  # the supervision report's standalone pages: checked by tests/test_report_browser.py
SITE_URL = "http://127.0.0.1:8000/"  # only its path matters: 404 pages use root-relative links


@dataclass(frozen=True)
class PageType:
    name: str
    bundle: str  # PORTAL, or the agency whose copy of the page is visited
    pattern: str  # glob relative to the bundle; every match is visited (e.g. each form)
    query: str = ""  # appended to the URL (e.g. a search page with results)
    printed: bool = False  # has a print layout: checked on paper too


_QUERIES = {"search": "?q=th%C3%B4ng+t%C6%B0", "portal_search": "?q=ke+hoach"}  # with results shown


def _of(kind: layout.PageKind, bundle: str, pattern: str | None = None) -> PageType:
    return PageType(kind.key, bundle, pattern or kind.url, _QUERIES.get(kind.key, ""), kind.printed)


# Earlier lines win (page_type_of): a form's pattern would also match the forms overview.
PAGE_TYPES: tuple[PageType, ...] = (
    *(_of(kind, PORTAL) for kind in layout.PORTAL_PAGES),
    PageType("portal_404", PORTAL, layout.NOT_FOUND),
    *(_of(kind, LARGE if kind.key == "catalog" else FULL) for kind in layout.BUNDLE_PAGES),
    _of(layout.FORM, FULL, layout.form_slug("*") + ".html"),
    PageType("content", FULL, f"{layout.SHARED_PAGES}/*.html"),
    _of(layout.EXTRA, FULL, layout.extra_slug("*") + ".html"),
    _of(layout.ENGLISH, FULL),
    PageType("not_found", FULL, layout.NOT_FOUND),
)


def build_sample_site(work: Path) -> Path:
    """Demo agencies + the 500-entry sample agency, built into work/site (work/agencies holds the input)."""
    agencies = work / "agencies"
    shutil.copytree(ROOT / "agencies", agencies)
    write_synthetic_agency(agencies, LARGE, LARGE_ENTRIES,
                           name="Cơ quan mẫu 500 dòng danh mục (dữ liệu sinh tự động)")
    out = work / "site"
    build_all(BuildOptions(agencies_dir=agencies, out=out, config=ROOT / "mkdocs.yml",
                           content_dir=ROOT / "content", site_url=SITE_URL))
    return out


def pages_of(site: Path, page_type: PageType) -> list[str]:
    """Site-relative paths of the pages of this type that get visited, sorted."""
    base = site / page_type.bundle if page_type.bundle else site
    return sorted((Path(page_type.bundle) / p.relative_to(base)).as_posix() if page_type.bundle
                  else p.relative_to(base).as_posix()
                  for p in base.glob(page_type.pattern) if p.is_file() and page_type_of(site, p) == page_type.name)


def page_type_of(site: Path, html_file: Path) -> str | None:
    """The page type an HTML file of any bundle belongs to (None: not covered by the table)."""
    relative = html_file.relative_to(site)
    if relative.parts[0] == REPORT:
        return "report"
    in_portal = len(relative.parts) == 1
    inside = relative.as_posix() if in_portal else Path(*relative.parts[1:]).as_posix()
    for page_type in PAGE_TYPES:
        if (page_type.bundle == PORTAL) == in_portal and fnmatch.fnmatch(inside, page_type.pattern):
            return page_type.name
    return None


def visits(site: Path) -> list[tuple[str, str]]:
    """(page type, site-relative path + query) for every page the suite opens."""
    return [(t.name, path + t.query) for t in PAGE_TYPES for path in pages_of(site, t)]
