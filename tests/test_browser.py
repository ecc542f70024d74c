"""In real Chromium: every page of the demo loads with no script error and no request to another host."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

from generator.index import plain as fold  # as a citizen types: no marks, đ as d, lower case

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


A4_CONTENT_WIDTH_PX = round((210 - 30 - 20) / 25.4 * 96)  # A4 minus the 3 cm + 2 cm margins of the print stylesheet


@pytest.mark.parametrize("form_id", ["01a", "01b", "06"])
def test_a_form_prints_on_a4_with_nothing_cut_off(chromium, demo_url, form_id):
    page = chromium.new_page(viewport={"width": A4_CONTENT_WIDTH_PX, "height": 900})
    page.emulate_media(media="print")
    page.goto(f"{demo_url}bo-mau/mau-{form_id}.html")
    overflow = page.evaluate("""() => Array.from(document.querySelectorAll('.tc-form *'))
        .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5)
        .map(e => e.tagName + ' ' + (e.id || e.className))""")
    assert overflow == []
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    hidden_fields = page.evaluate("""() => Array.from(document.querySelectorAll('.tc-form input, .tc-form textarea, .tc-form label'))
        .filter(e => e.getBoundingClientRect().width === 0).length""")
    assert hidden_fields == 0
    chrome = page.evaluate("""() => ['.md-header', '.md-sidebar--primary', '.md-footer', '.tc-form-actions']
        .map(s => document.querySelector(s)).filter(e => e && e.getBoundingClientRect().height > 0).length""")
    assert chrome == 0, "only the form is printed"
    pdf = page.pdf(prefer_css_page_size=True)
    pages = pdf.count(b"/Type /Page\n") + pdf.count(b"/Type /Page>") + pdf.count(b"/Type /Page ")
    assert pdf.startswith(b"%PDF") and 1 <= pages <= 2 + (form_id == "01b")
    page.close()


@pytest.mark.parametrize("path", ["index.html", "danh-muc-cong-khai.html", "danh-muc-co-dieu-kien.html",
                                  "dau-moi-va-cach-yeu-cau.html", "mau-01a.html", "mau-01b.html", "thong-ke.html"])
def test_pages_fit_a_360_px_phone_without_sideways_scrolling(chromium, demo_url, path):
    page = chromium.new_page(viewport={"width": 360, "height": 740})
    page.goto(f"{demo_url}bo-mau/{path}")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    wide = page.evaluate("""() => Array.from(document.querySelectorAll('.tc-scroll'))
        .filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.getAttribute('aria-label'))""")
    assert wide == [], "tables reflow instead of scrolling sideways"
    page.close()


def test_the_catalog_filters_by_text_without_diacritics_clause_and_year(chromium, demo_url):
    page = chromium.new_page()
    page.goto(f"{demo_url}ubnd-tinh-binh-phuoc/danh-muc-cong-khai.html")
    rows = page.locator("table.tc-catalog tbody tr")
    total = rows.count()
    assert total > 3 and page.locator("form[data-tc-filter]").is_visible()
    page.get_by_label("Tìm trong danh mục (tên, số, ký hiệu)").fill("ke hoach 305")
    shown = {r.get_attribute("id"): r.inner_text() for r in rows.all() if r.is_visible()}
    assert "kh-305-2016" in shown and len(shown) < total
    assert all("ke hoach" in fold(text) and "305" in text for text in shown.values())
    hidden = [r.inner_text() for r in rows.all() if not r.is_visible()]
    assert not any("ke hoach" in fold(text) and "305" in text for text in hidden)
    assert page.locator(".tc-filter-status").inner_text() == f"Đang hiện {len(shown)} trên {total} thông tin."
    page.get_by_role("button", name="Bỏ lọc").click()
    page.wait_for_function(f"document.querySelectorAll('table.tc-catalog tbody tr:not([hidden])').length === {total}")
    year = page.locator("#tc-filter-year option").nth(1).get_attribute("value")
    page.select_option("#tc-filter-year", year)
    shown = [r for r in rows.all() if r.is_visible()]
    assert shown and all(r.get_attribute("data-year") == year for r in shown)
    page.close()


def test_sorting_a_catalog_column_reorders_its_rows(chromium, demo_url):
    page = chromium.new_page()
    page.goto(f"{demo_url}bo-mau/danh-muc-cong-khai.html")
    table = page.locator("table.tc-catalog").first
    table.get_by_role("button", name="Sắp xếp theo Ngày tạo ra").click()
    assert table.locator("th[aria-sort=ascending]").count() == 1
    keys = table.locator("tbody tr td[data-sort]:nth-of-type(2)").evaluate_all("cells => cells.map(c => c.dataset.sort)")
    assert keys == sorted(keys)
    page.close()


def test_without_javascript_the_catalog_is_complete_and_the_filter_stays_hidden(chromium, demo_url, demo_site):
    context = chromium.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{demo_url}bo-mau/danh-muc-cong-khai.html")
    entries = len(re.findall(r'<tr id="', (demo_site / "bo-mau" / "danh-muc-cong-khai.html").read_text(encoding="utf-8")))
    assert page.locator("table.tc-catalog tbody tr").count() == entries
    assert all(row.is_visible() for row in page.locator("table.tc-catalog tbody tr").all())
    assert not page.locator("form[data-tc-filter]").is_visible()
    context.close()


def test_the_printed_catalog_names_its_agency_and_drops_the_site_around_it(chromium, demo_url):
    page = chromium.new_page(viewport={"width": A4_CONTENT_WIDTH_PX, "height": 900})
    page.emulate_media(media="print")
    page.goto(f"{demo_url}ubnd-tinh-binh-phuoc/danh-muc-cong-khai.html")
    assert page.locator(".tc-print-only").is_visible()
    assert "Ủy ban nhân dân tỉnh Bình Phước" in page.locator(".tc-print-only").inner_text()
    for selector in (".md-header", ".md-sidebar--primary", "form[data-tc-filter]", ".tc-downloads"):
        assert not page.locator(selector).first.is_visible(), selector
    assert page.locator("table.tc-catalog tbody tr").first.is_visible()
    page.close()
