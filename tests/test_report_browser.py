"""The supervision report as built (site/bao-cao/), in Debian's Chromium: the accessibility suite's
checks (axe-core, keyboard, no JavaScript, Nu), its links, its filter and sort, and print on A4.

The site is the demo plus the known-gap agencies of tests/test_report.py, in a Git repository with
commits at known dates, built by `build_all` as `tiepcan build` builds it.
"""

from __future__ import annotations

import json
import re
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from generator import report
from generator.build import build_all
from tests.conftest import build_options
from tests.keyboard import wide_regions_scroll
from tests.servers import static_server
from tests.test_a11y import _FOCUS_STATE, _MARK_TAB_STOPS, PALETTES, VIEWPORTS, VNU_JAR, axe_violations
from tests.test_report import PROVINCE, REPORT_DATE, make_repo

pytestmark = [pytest.mark.slow, pytest.mark.browser]

# A4 landscape (the report's @page) less its 10 mm margins, in CSS pixels.
A4_LANDSCAPE_CONTENT_PX = round((297 - 20) / 25.4 * 96)


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("report-site")
    agencies = make_repo(root)
    out = root / "site"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(report, "ROWS_PER_PAGE", 10)  # the generated province (13 agencies) gets a second part
        build_all(build_options(agencies, out, build_date=REPORT_DATE))
    assert (out / report.group_path(PROVINCE, 2)).is_file()
    return out


@pytest.fixture(scope="module")
def url(site):
    with static_server(site) as base:
        yield base


def report_pages(site: Path) -> list[str]:
    return sorted(p.relative_to(site).as_posix() for p in (site / report.FOLDER).rglob("*.html"))


def test_the_build_writes_every_report_page(site):
    pages = report_pages(site)
    assert report.index_path() in pages and report.statistics_path() in pages
    assert report.group_path(PROVINCE) in pages and report.group_path(report.CENTRAL) in pages
    assert json.loads((site / report.FOLDER / "compliance.json").read_text(encoding="utf-8"))["history"] == "git"
    assert 'href="bao-cao/index.html"' in (site / "index.html").read_text(encoding="utf-8")  # from the portal home


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if attributes.get("id"):
            self.ids.add(attributes["id"])
        for name in ("href", "src"):
            if attributes.get(name) and tag in ("a", "link", "script"):
                self.links.append(attributes[name])


def _parse(path: Path) -> _Links:
    parser = _Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def test_every_link_of_the_report_leads_to_a_file_and_its_anchor(site):
    broken = []
    for page in report_pages(site):
        for link in _parse(site / page).links:
            parts = urlsplit(link)
            assert not parts.scheme and not parts.netloc, f"{page}: {link}"
            target = (site / page).parent / unquote(parts.path) if parts.path else site / page
            if target.is_dir():
                target = target / "index.html"
            if not target.resolve().is_file():
                broken.append(f"{page}: {link}")
            elif parts.fragment and target.suffix == ".html" and parts.fragment not in _parse(target).ids:
                broken.append(f"{page}: {link} (no such anchor)")
    assert broken == []


@pytest.mark.parametrize("palette", PALETTES)
@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_no_axe_violations_on_any_report_page(chromium, site, url, viewport, palette):
    context = chromium.new_context(viewport=VIEWPORTS[viewport], color_scheme=palette)
    page = context.new_page()
    found = []
    for path in report_pages(site):
        page.goto(url + path)
        found += [f"{path}: {v}" for v in axe_violations(page)]
    context.close()
    assert found == []


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_every_report_page_works_by_keyboard(chromium, site, url, viewport):
    context = chromium.new_context(viewport=VIEWPORTS[viewport])
    page = context.new_page()
    problems = []
    wide = 0
    for path in report_pages(site):
        page.goto(url + path)
        stops = page.evaluate(_MARK_TAB_STOPS)
        if 'class="tc-skip' not in stops[0]:
            problems.append(f"{path}: the first tab stop is not the skip link: {stops[0]}")
        reached: list[str] = []
        for _ in range(len(stops) + 2):
            page.keyboard.press("Tab")
            state = page.evaluate(_FOCUS_STATE)
            if state is None:
                break
            reached.append(state["stop"] or state["html"])
            if state["stop"] == "0" and len(reached) > 1:
                break
            if not (state["ring"] and state["inView"]):
                problems.append(f"{path}: focus not visible on {state['html']}")
        if reached[: len(stops)] != [str(i) for i in range(len(stops))]:
            problems.append(f"{path}: Tab reached {reached[:8]}…, expected 0…{len(stops) - 1} in order")
        page.goto(url + path)
        page.keyboard.press("Tab")
        page.keyboard.press("Enter")
        if not page.evaluate("() => location.hash === '#noi-dung' && document.activeElement.id === 'noi-dung'"):
            problems.append(f"{path}: the skip link does not lead to the content")
        count, stuck = wide_regions_scroll(page, path)
        wide += count
        problems += stuck
    context.close()
    assert problems == []
    assert wide > 0 or viewport == "desktop"  # on a phone the agency table is wider than the screen


_HIDDEN_CONTENT = """() => [...document.querySelectorAll('main :is(h1, h2, h3, p, li, dt, dd, table, caption, tr)')]
    .filter(e => !e.getClientRects().length).map(e => e.outerHTML.slice(0, 100))"""


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_every_report_page_is_complete_without_javascript(chromium, site, url, viewport):
    context = chromium.new_context(viewport=VIEWPORTS[viewport], java_script_enabled=False)
    page = context.new_page()
    problems = []
    for path in report_pages(site):
        page.goto(url + path)
        hidden = page.evaluate(_HIDDEN_CONTENT)
        if hidden:
            problems.append(f"{path}: hidden content {hidden[:3]}")
        if page.locator("form.tc-report-filter").count():
            problems.append(f"{path}: a filter without its script")
        if not page.locator(".tc-report-header a").is_visible():
            problems.append(f"{path}: no way back to the portal")
    page.goto(url + report.group_path(PROVINCE))
    expected = len(re.findall(r'<tr id="co-quan-', (site / report.group_path(PROVINCE)).read_text(encoding="utf-8")))
    shown = page.locator("table#tc-report tbody tr:visible").count()
    if shown != expected or expected != 10:
        problems.append(f"{shown} of {expected} rows shown")
    context.close()
    assert problems == []


def test_the_agency_table_filters_and_sorts_with_javascript(chromium, url):
    page = chromium.new_page()
    page.goto(url + report.group_path(PROVINCE, 2))  # so-so-lieu-lech, so-thieu-quy-che, xa-khong-thu-khieu-nai
    rows = page.locator("table#tc-report tbody tr")
    total = rows.count()
    visible = page.locator("table#tc-report tbody tr:visible")
    assert page.locator("form.tc-report-filter").is_visible()
    page.get_by_label("Lọc theo tên cơ quan", exact=True).fill("THU SO-THIEU")  # "thử so-thieu", without diacritics
    assert visible.count() == 1 and "so-thieu-quy-che" in visible.first.get_attribute("data-agency")
    page.get_by_label("Lọc theo tên cơ quan", exact=True).fill("")
    assert visible.count() == total
    page.get_by_label("Nghĩa vụ", exact=True).select_option(label="Thư nhận khiếu nại")
    page.get_by_label("Tình trạng", exact=True).select_option("missing")
    assert [visible.nth(i).get_attribute("data-agency") for i in range(visible.count())] == ["xa-khong-thu-khieu-nai"]
    assert page.locator("p.tc-report-shown").inner_text() == f"Đang hiện 1/{total} cơ quan."
    page.get_by_label("Tình trạng", exact=True).select_option("")
    page.get_by_label("Nghĩa vụ", exact=True).select_option("")
    header = page.locator("table#tc-report thead th[data-duty=regulation] button")
    header.click()
    assert page.locator("table#tc-report thead th[data-duty=regulation]").get_attribute("aria-sort") == "ascending"
    statuses = [rows.nth(i).locator("td").first.get_attribute("data-status") for i in range(total)]
    order = ["met", "late", "missing", "not_applicable"]
    assert statuses == sorted(statuses, key=order.index) and "missing" in statuses
    page.close()


def test_every_report_page_is_valid_html_for_the_nu_checker(site):
    files = [str(site / p) for p in report_pages(site)]
    result = subprocess.run(["java", "-jar", str(VNU_JAR), "--errors-only", "--format", "json", "--stdout", *files],
                            capture_output=True, text=True, timeout=300)
    messages = json.loads(result.stdout)["messages"]
    errors = [f"{m['url']}:{m.get('lastLine')}: {m['message']}" for m in messages
              if m["type"] == "error" or m.get("subType") == "fatal"]
    assert errors == []


def _media_box(pdf: bytes) -> tuple[float, float]:
    box = re.search(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", pdf)
    assert box, "no MediaBox in the PDF"
    return float(box.group(1)), float(box.group(2))


@pytest.mark.parametrize("path", [report.index_path(), report.group_path(PROVINCE), report.group_path(PROVINCE, 2),
                                  report.statistics_path()])
def test_a_report_page_prints_on_a4_with_nothing_cut_off_at_the_right(chromium, url, path):
    page = chromium.new_page(viewport={"width": A4_LANDSCAPE_CONTENT_PX, "height": 900})
    page.emulate_media(media="print")
    page.goto(url + path)
    overflow = page.evaluate("""() => [...document.querySelectorAll('main *')]
        .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5)
        .map(e => e.tagName + ' ' + (e.id || e.className)).slice(0, 10)""")
    assert overflow == []
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    assert page.evaluate("[...document.querySelectorAll('.tc-scroll')].every(e => e.scrollWidth <= e.clientWidth + 1)")
    chrome = page.evaluate("""() => ['.tc-report-header', '.tc-skip', 'form.tc-report-filter']
        .map(s => document.querySelector(s)).filter(e => e && e.getBoundingClientRect().height > 0).length""")
    assert chrome == 0, "only the report is printed"
    text = page.inner_text("main")
    assert "Ngày lập báo cáo: 23/11/2026." in text and "Kỳ số liệu thống kê: năm 2025" in text
    if path != report.statistics_path():
        assert "Các nghĩa vụ và căn cứ pháp lý" in text and "Điều 21 khoản 2" in text
    pdf = page.pdf(prefer_css_page_size=True)
    width, height = _media_box(pdf)
    assert pdf.startswith(b"%PDF") and abs(width - 841.9) < 2 and abs(height - 595.3) < 2  # A4 landscape, in pt
    page.close()
