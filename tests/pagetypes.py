"""Every kind of page the build writes, and the sample site the accessibility suite and bench visit.

The table is the one place to edit when a page type appears: one `PageType` line. A test
(tests/test_a11y.py) fails when the built site holds an HTML file that no line covers, so a new
page type is never skipped silently, and when a line matches nothing, so a removed one is noticed.

The sample site is the demo agencies plus one clearly marked generated agency with 500 catalog
entries (bench/corpus.py), so the catalog page is checked at a realistic size.
"""

from __future__ import annotations

import fnmatch
import shutil
from dataclasses import dataclass
from pathlib import Path

from bench.corpus import write_synthetic_agency
from generator.build import BuildOptions, build_all

ROOT = Path(__file__).resolve().parent.parent
PORTAL = ""  # the portal sits at the root of site/
FULL = "bo-mau"  # the demo agency with every field filled in
LARGE = "mau-500-muc"  # generated sample agency (sample: true), 500 catalog entries
LARGE_ENTRIES = 500
SITE_URL = "http://127.0.0.1:8000/"  # only its path matters: 404 pages use root-relative links


@dataclass(frozen=True)
class PageType:
    name: str
    bundle: str  # PORTAL, or the agency whose copy of the page is visited
    pattern: str  # glob relative to the bundle; every match is visited (e.g. each form)
    query: str = ""  # appended to the URL (e.g. a search page with results)


PAGE_TYPES: tuple[PageType, ...] = (
    PageType("portal", PORTAL, "index.html"),
    PageType("portal_404", PORTAL, "404.html"),
    PageType("overview", FULL, "index.html"),
    PageType("catalog", LARGE, "danh-muc-cong-khai.html"),
    PageType("conditional_catalog", FULL, "danh-muc-co-dieu-kien.html"),
    PageType("contact", FULL, "dau-moi-va-cach-yeu-cau.html"),
    PageType("forms", FULL, "mau-*.html"),
    PageType("regulation", FULL, "quy-che-noi-bo.html"),
    PageType("statistics", FULL, "thong-ke.html"),
    PageType("content", FULL, "huong-dan/*.html"),
    PageType("agency_page", FULL, "trang/*.html"),
    PageType("english", FULL, "english.html"),
    PageType("accessibility", FULL, "kha-nang-tiep-can.html"),
    PageType("search", FULL, "tim-kiem.html", query="?q=th%C3%B4ng+t%C6%B0"),  # with results shown
    PageType("portal_search", PORTAL, "tim-kiem.html", query="?q=ke+hoach"),
    PageType("not_found", FULL, "404.html"),
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
                  for p in base.glob(page_type.pattern) if p.is_file())


def page_type_of(site: Path, html_file: Path) -> str | None:
    """The page type an HTML file of any bundle belongs to (None: not covered by the table)."""
    relative = html_file.relative_to(site)
    in_portal = len(relative.parts) == 1
    inside = relative.as_posix() if in_portal else Path(*relative.parts[1:]).as_posix()
    for page_type in PAGE_TYPES:
        if (page_type.bundle == PORTAL) == in_portal and fnmatch.fnmatch(inside, page_type.pattern):
            return page_type.name
    return None


def visits(site: Path) -> list[tuple[str, str]]:
    """(page type, site-relative path + query) for every page the suite opens."""
    return [(t.name, path + t.query) for t in PAGE_TYPES for path in pages_of(site, t)]
