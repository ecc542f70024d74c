"""Issue 15, fast tier (pages rendered without MkDocs): honest freshness, expired entries listed apart,
the feed saying when an entry's disclosure ended, and "Báo lỗi thông tin" links, at fixed build dates."""

from __future__ import annotations

import datetime as dt
import re
import textwrap
import xml.etree.ElementTree as ET
from html import unescape
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from generator import feeds, layout
from generator import regime as regimes
from generator.i18n import load_messages
from generator.render import AgencyRenderer, RenderedPage, dated_facts
from generator.validate import check_paths
from tests.conftest import MINIMAL_AGENCY, ROOT, write_agency

AGENCY = MINIMAL_AGENCY.format(id="so-thu") + textwrap.dedent("""\
    catalog_reviewed: 2026-01-10
    review_months: 6
    catalog:
      - id: con-han
        title: Kế hoạch còn thời hạn công khai
        number: 12/KH-STH
        created: 2025-12-01
        clause: d
        forms: [portal]
        disclosed: 2025-12-02
        until: 2026-12-31
      - id: het-han
        title: Thông báo tuyển dụng đã hết hạn
        number: 7/TB-STH
        created: 2025-03-01
        clause: l
        forms: [portal]
        disclosed: 2025-03-02
        until: 2025-06-30
      - id: khong-han
        title: Quy chế làm việc
        created: 2024-01-01
        clause: k
        forms: [portal]
        disclosed: 2024-01-05
        reviewed: 2025-11-20
    conditional_catalog:
      - id: bi-mat-kd
        title: Hồ sơ có bí mật kinh doanh
        condition: business_secret
    """)
SITE = "https://tiepcan.example.gov.vn/"


def _render(tmp_path: Path, build_date: dt.date, text: str = AGENCY, site_url: str | None = SITE):
    folder = tmp_path / "agencies"
    write_agency(folder, "so-thu", text)
    result = check_paths([folder], regimes.regime_ids())
    assert result.ok, [str(d) for d in result.diagnostics]
    source = result.usable[0]
    regime = regimes.select(build_date, source.model.regime)
    bundle = AgencyRenderer(load_messages("vi"), ROOT / "content", build_date, site_url).render(source, regime, {})
    return {page.path: page for page in bundle.pages()}, source.model


def _section(page: RenderedPage, anchor: str) -> str:
    """The page's HTML from the heading with this id up to the next h2."""
    body = str(page.body)
    start = body.index(f'id="{anchor}"')
    end = body.find("<h2", start)
    return body[start : end if end >= 0 else len(body)]


def test_an_expired_entry_is_listed_under_its_own_heading_not_with_the_current_ones(tmp_path):
    pages, _ = _render(tmp_path, dt.date(2026, 3, 1))
    catalog = pages[layout.page_url("catalog")]
    assert [h.text for h in catalog.headings if h.anchor == "het-thoi-han"] == ["Hết thời hạn công khai"]
    expired = _section(catalog, "het-thoi-han")
    assert 'id="het-han"' in expired and "Thông báo tuyển dụng đã hết hạn" in expired
    assert 'id="con-han"' not in expired and 'id="khong-han"' not in expired
    before = str(catalog.body).split('id="het-thoi-han"')[0]
    assert 'id="het-han"' not in before, "not among the current entries"
    assert 'id="con-han"' in before and 'id="khong-han"' in before
    assert str(catalog.body).count('id="het-han"') == 1, "listed once: its anchor still works"


def test_on_the_last_day_of_its_period_an_entry_is_still_current(tmp_path):
    pages, _ = _render(tmp_path, dt.date(2025, 6, 30))
    catalog = pages[layout.page_url("catalog")]
    assert 'id="het-thoi-han"' not in str(catalog.body)
    pages, _ = _render(tmp_path, dt.date(2025, 7, 1))
    assert 'id="het-thoi-han"' in str(pages[layout.page_url("catalog")].body)


@pytest.mark.parametrize(
    ("build_date", "overdue"),
    [(dt.date(2026, 7, 10), False), (dt.date(2026, 7, 11), True), (dt.date(2027, 1, 1), True)],
)
def test_the_catalog_says_when_it_was_reviewed_and_warns_once_the_period_has_passed(tmp_path, build_date, overdue):
    pages, _ = _render(tmp_path, build_date)
    for key in ("catalog", "conditional_catalog", "overview"):
        text = unescape(str(pages[layout.page_url(key)].body))
        assert "Danh mục được rà soát lần gần nhất ngày 10/01/2026." in text, key
        assert "rà soát danh mục 6 tháng một lần" in text, key
        assert ("Danh mục có thể chưa được cập nhật" in text) is overdue, key
        if overdue:
            assert "trước ngày 10/07/2026" in text


def test_without_a_review_date_the_period_counts_from_the_last_change(tmp_path):
    text = AGENCY.replace("catalog_reviewed: 2026-01-10\n", "").replace("    reviewed: 2025-11-20\n", "")
    pages, _ = _render(tmp_path, dt.date(2026, 7, 1), text)
    catalog = unescape(str(pages[layout.page_url("catalog")].body))
    assert "Cơ quan chưa ghi ngày rà soát danh mục." in catalog
    assert "Danh mục có thể chưa được cập nhật" in catalog and "02/12/2025" in catalog  # the newest disclosure
    no_period = text.replace("review_months: 6\n", "")
    pages, _ = _render(tmp_path, dt.date(2030, 1, 1), no_period)
    assert "Danh mục có thể chưa được cập nhật" not in unescape(str(pages[layout.page_url("catalog")].body))


def _mailtos(html: str) -> list[tuple[str, dict[str, list[str]]]]:
    found = []
    for href in re.findall(r'<a class="tc-report" href="([^"]+)"', html):
        parts = urlsplit(unescape(href))
        assert parts.scheme == "mailto"
        found.append((parts.path, parse_qs(parts.query)))
    return found


def test_each_row_and_each_page_has_a_prefilled_report_link_to_the_complaint_address(tmp_path):
    pages, agency = _render(tmp_path, dt.date(2026, 3, 1))
    address = agency.contact_point.complaint_email or agency.contact_point.request_email
    catalog = pages[layout.page_url("catalog")]
    links = _mailtos(str(catalog.body))
    assert len(links) == len(agency.catalog) + 1  # every row (expired too) and the page itself
    assert {to for to, _ in links} == {address}
    by_subject = {query["subject"][0]: query["body"][0] for _, query in links}
    body = by_subject["Báo lỗi: het-han – Thông báo tuyển dụng đã hết hạn"]  # a row's: its id and title
    assert body.startswith(f"Trang: {SITE}so-thu/danh-muc-cong-khai.html#het-han\n")
    page = by_subject["Báo lỗi thông tin: " + catalog.title]  # the page's: the agency, the page
    assert f"{SITE}so-thu/danh-muc-cong-khai.html\n" in page and agency.name in page
    conditional = _mailtos(str(pages[layout.page_url("conditional_catalog")].body))
    assert any("#bi-mat-kd" in query["body"][0] for _, query in conditional)
    for path, page in pages.items():
        assert _mailtos(str(page.body)), f"{path} has no report link"
        if path != layout.page_url("contact"):  # which explains the link under a heading of that name
            assert "Báo lỗi thông tin" not in page.text, f"{path}: the link is not part of the search text"
    contact = unescape(str(pages[layout.page_url("contact")].body))
    assert "Báo lỗi thông tin" in contact and address in contact
    assert "Điều 22" in contact  # correcting published information, cited from the regime's data


def test_hostile_titles_stay_inside_the_mail_link(tmp_path):
    text = AGENCY.replace("Thông báo tuyển dụng đã hết hạn", '"\\"><script>x</script> & a=b?c#d +1 %20"')
    pages, _ = _render(tmp_path, dt.date(2026, 3, 1), text)
    body = str(pages[layout.page_url("catalog")].body)
    assert "<script>" not in body
    subjects = [q["subject"][0] for _, q in _mailtos(body)]
    assert 'Báo lỗi: het-han – "><script>x</script> & a=b?c#d +1 %20' in subjects  # "+", "%" kept as typed


def test_the_feed_says_when_an_entry_was_withdrawn(tmp_path):
    _, agency = _render(tmp_path, dt.date(2026, 3, 1))
    feed = ET.fromstring(feeds.atom_feed(agency, dt.date(2026, 3, 1), load_messages("vi"), SITE))
    atom = "{http://www.w3.org/2005/Atom}"
    entries = {e.findtext(f"{atom}id"): e for e in feed.iter(f"{atom}entry")}
    ended = entries["urn:tiepcan:so-thu:het-han:het-thoi-han"]
    assert ended.findtext(f"{atom}title") == "Hết thời hạn công khai: 7/TB-STH: Thông báo tuyển dụng đã hết hạn"
    assert ended.findtext(f"{atom}updated") == "2025-06-30T00:00:00Z"
    assert "urn:tiepcan:so-thu:het-han" in entries, "its disclosure stays in the feed"
    assert "urn:tiepcan:so-thu:con-han:het-thoi-han" not in entries


def test_what_a_bundle_takes_from_the_build_date_changes_only_with_its_facts(tmp_path: Path):
    """Issue 12: a bundle depends on the day only through these facts, so it is rebuilt when one changes."""
    folder = tmp_path / "agencies"
    write_agency(folder, "so-thu", AGENCY)
    agency = check_paths([folder]).agencies[0].model
    regime = regimes.select(dt.date(2026, 11, 23))

    def facts(day: dt.date) -> dict:
        return dated_facts(agency, regime, day)

    assert facts(dt.date(2026, 11, 23)) == facts(dt.date(2026, 12, 31))  # nothing happens in between
    assert facts(dt.date(2027, 1, 1))["expired"] == ["con-han", "het-han"]  # "con-han" ended on 31/12/2026
    assert facts(dt.date(2026, 11, 23))["overdue"]  # reviewed 10/01/2026 every 6 months
    assert facts(dt.date(2026, 11, 23))["example"] == "2027-03-01"  # the 2026 regime took effect after March
    assert facts(dt.date(2027, 12, 31))["example"] == "2027-03-01"
    assert facts(dt.date(2028, 1, 1))["example"] == "2028-03-06"
