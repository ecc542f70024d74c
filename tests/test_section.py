"""The citizen's section (issue #3): every part the law asks for, exact, in Vietnamese, on paper and offline."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import textwrap
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import docx
import pytest
import yaml

from bench.corpus import write_synthetic_agency
from generator import layout
from generator import regime as regimes
from generator.regime import RegimeData
from generator.build import build_all
from generator.deadlines import add_working_days
from generator.render import fillable_forms
from tests.conftest import AGENCIES, BUILD_DATE, MINIMAL_AGENCY, build_options, write_agency
from tests.htmlscan import read

pytestmark = pytest.mark.slow

# Every section page that shows agency data (the search and accessibility pages show none).
PAGES = [kind.url for kind in (*layout.BUNDLE_PAGES, layout.ENGLISH) if kind.key not in ("search", "accessibility")]
DEMO_IDS = sorted(p.stem for p in AGENCIES.glob("*.yaml"))


def text_of(path: Path) -> str:
    """The page's visible words, tags dropped and references decoded, whitespace collapsed."""
    html = path.read_text(encoding="utf-8")
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def regime_for(agency_id: str) -> RegimeData:
    chosen = yaml.safe_load((AGENCIES / f"{agency_id}.yaml").read_text(encoding="utf-8")).get("regime")
    return regimes.select(BUILD_DATE, chosen).data


@pytest.mark.parametrize("agency_id", DEMO_IDS)
def test_each_demo_bundle_has_every_part_the_decree_lists(demo_site: Path, agency_id: str):
    bundle = demo_site / agency_id
    regime = regime_for(agency_id)
    for page in PAGES:
        assert (bundle / page).is_file(), page
    for form_id in fillable_forms(regime):
        assert (bundle / f"mau-{form_id}.html").is_file() and (bundle / f"mau-{form_id}.docx").is_file()
    assert (bundle / "catalog.csv").is_file() and (bundle / "catalog.json").is_file()
    overview = text_of(bundle / "index.html")
    for item in regime.section_items + regime.related_items:
        assert item.title in overview, item.id
    contact = text_of(bundle / "dau-moi-va-cach-yeu-cau.html")
    for channel in regime.channels.values():
        assert channel.label in contact
    for ground in regime.refusal_grounds:
        assert ground.text in contact


COMPLETE_AGENCY = MINIMAL_AGENCY + """\
  people:
    - name: Nguyễn Văn Mẫu
      position: Chánh Văn phòng
regulation:
  title: Quy chế cung cấp thông tin
  number: 1/QĐ-STN
  issued: 2019-01-02
  url: https://example.gov.vn/quy-che
catalog:
  - id: kh-1
    title: Kế hoạch năm
    number: 1/KH-STN
    created: 2024-01-02
    clause: d
    forms: [portal]
    disclosed: 2024-01-03
    url: https://example.gov.vn/kh-1
conditional_catalog:
  - id: hs-1
    title: Hồ sơ doanh nghiệp
    condition: business_secret
statistics:
  - year: 2025
    received: 10
    provided_full: 6
    provided_partial: 1
    refused: 2
    transferred: 1
"""

# Removing each of these from the YAML must make its part announce itself as not yet published.
REMOVALS = {
    "disclosure_catalog": ("catalog", "danh-muc-cong-khai.html"),
    "internal_regulation": ("regulation", "quy-che-noi-bo.html"),
    "conditional_catalog": ("conditional_catalog", "danh-muc-co-dieu-kien.html"),
    "statistics": ("statistics", "thong-ke.html"),
    "contact_people": ("people", None),
}


def _without(key: str) -> str:
    data = yaml.safe_load(COMPLETE_AGENCY.format(id="x"))
    (data["contact_point"] if key == "people" else data).pop(key)
    return data


@pytest.fixture(scope="module")
def removal_site(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("removal")
    agencies = folder / "agencies"
    write_agency(agencies, "day-du", COMPLETE_AGENCY.format(id="day-du"))
    for part, (key, _) in REMOVALS.items():
        agency_id = "thieu-" + part.replace("_", "-")
        data = _without(key)
        data["id"] = agency_id
        write_agency(agencies, agency_id, yaml.safe_dump(data, allow_unicode=True))
    out = folder / "site"
    build_all(build_options(agencies, out))
    return out


def test_a_complete_agency_shows_no_gap(removal_site: Path):
    for page in PAGES:
        assert "Chưa công bố" not in text_of(removal_site / "day-du" / page), page


@pytest.mark.parametrize("part", sorted(REMOVALS))
def test_removing_a_part_makes_its_not_published_notice_appear(removal_site: Path, part: str):
    bundle = removal_site / ("thieu-" + part.replace("_", "-"))
    overview = read(bundle / "index.html")
    notices = re.findall(r"Chưa công bố: ([^<]+)</p>", unescape((bundle / "index.html").read_text(encoding="utf-8")))
    row = overview.texts[f"muc-{part.replace('_', '-')}"]
    assert "Chưa công bố" in row
    assert len(notices) == 1 + (part == "disclosure_catalog")  # no catalog also means no download links
    assert notices[0].strip() in row
    page = REMOVALS[part][1]
    if page:
        assert "Chưa công bố" in text_of(bundle / page)


def test_switching_the_regime_changes_citations_and_deadlines_without_template_edits(tmp_path: Path):
    agencies = tmp_path / "agencies"
    write_agency(agencies, "so-thu", COMPLETE_AGENCY.format(id="so-thu"))
    before, after = dt.date(2026, 8, 31), dt.date(2026, 9, 1)
    old, new = regimes.select(before, None).data, regimes.select(after, None).data
    assert old.id != new.id
    pages, rows = {}, {}
    for name, day, forced in (("old", before, None), ("new", after, None), ("forced", after, old.id)):
        build_all(build_options(agencies, tmp_path / name, build_date=day, regime=forced))
        path = tmp_path / name / "so-thu" / "dau-moi-va-cach-yeu-cau.html"
        pages[name] = text_of(path)
        rows[name] = set(re.findall(r'<tr><th scope="row">([^<]+)</th>', unescape(path.read_text(encoding="utf-8"))))
    assert {c.label for c in old.channels.values()} <= rows["old"] == rows["forced"]
    assert {c.label for c in new.channels.values()} <= rows["new"]
    assert rows["new"] != rows["old"], "the 2026 regime has other request channels"
    old_bases, new_bases = ({c.basis for c in r.channels.values()} for r in (old, new))
    assert new_bases - old_bases, "the 2026 regime cites other provisions"
    assert all(basis in pages["new"] for basis in new_bases) and all(basis in pages["old"] for basis in old_bases)
    assert not any(basis in pages["old"] for basis in new_bases - old_bases)
    assert new.title in text_of(tmp_path / "new" / "so-thu" / "index.html")
    assert old.title in text_of(tmp_path / "forced" / "so-thu" / "index.html")
    assert "Chưa xác định theo văn bản mới" in pages["new"] and "Chưa xác định theo văn bản mới" not in pages["old"]


@pytest.fixture(scope="module")
def big_site(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("big")
    write_synthetic_agency(folder / "agencies", "mau-500", 500)
    build_all(build_options(folder / "agencies", folder / "site"))
    return folder / "site" / "mau-500"


def test_a_500_entry_catalog_is_complete_in_html_csv_and_json(big_site: Path):
    source = yaml.safe_load((big_site.parent.parent / "agencies" / "mau-500.yaml").read_text(encoding="utf-8"))
    expected = {e["id"]: e for e in source["catalog"]}
    assert len(expected) == 500
    page = read(big_site / "danh-muc-cong-khai.html")
    assert set(expected) <= page.ids
    raw = (big_site / "catalog.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "UTF-8 BOM so Excel reads Vietnamese"
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    header, body = rows[0], rows[1:]
    assert len(body) == 500
    by_id = {row[0]: dict(zip(header, row)) for row in body}
    assert set(by_id) == set(expected)
    sample = by_id["muc-00042"]
    assert sample["Tên văn bản, hồ sơ, tài liệu"] == expected["muc-00042"]["title"]  # Vietnamese intact
    assert sample["Số, ký hiệu văn bản, hồ sơ, tài liệu"] == expected["muc-00042"]["number"]
    assert re.fullmatch(r"\d\d/\d\d/\d{4}", sample["Ngày, tháng, năm tạo ra văn bản, hồ sơ, tài liệu"])
    document = json.loads((big_site / "catalog.json").read_text(encoding="utf-8"))
    assert document["count"] == 500 and {e["id"] for e in document["entries"]} == set(expected)
    entry = next(e for e in document["entries"] if e["id"] == "muc-00042")
    assert entry["title"] == expected["muc-00042"]["title"] and entry["link"].endswith("#muc-00042")


def test_the_catalog_page_links_its_machine_readable_copies(demo_site: Path):
    page = read(demo_site / "bo-mau" / "danh-muc-cong-khai.html")
    assert "catalog.csv" in page.links and "catalog.json" in page.links


def test_the_conditional_catalog_links_the_consent_form(demo_site: Path):
    page = read(demo_site / "bo-mau" / "danh-muc-co-dieu-kien.html")
    assert "mau-06.html" in page.links and "mau-06.docx" in page.links
    regime = regime_for("bo-mau")
    text = text_of(demo_site / "bo-mau" / "danh-muc-co-dieu-kien.html")
    assert regime.forms["06"].code in text


def test_working_days_skip_weekends():
    friday = dt.date(2026, 11, 27)
    assert add_working_days(friday, 1) == dt.date(2026, 11, 30)
    assert add_working_days(friday, 3) == dt.date(2026, 12, 2)
    assert add_working_days(friday, 15) == dt.date(2026, 12, 18)
    assert add_working_days(friday, 0) == friday


def test_the_how_to_page_works_an_example_in_working_days(demo_site: Path):
    regime = regime_for("bo-mau")
    text = text_of(demo_site / "bo-mau" / "dau-moi-va-cach-yeu-cau.html")
    # the first Monday of March of the build year (bo-mau keeps the 2018 regime, in force long before):
    # the page changes once a year, not daily (tests/test_freshness.py has the other case)
    monday = dt.date(2026, 3, 2)
    assert regime.effective_from < monday and monday.weekday() == 0
    assert f"thứ Hai, ngày {monday:%d/%m/%Y}" in text
    electronic = regime.channels["electronic"]
    for kind in ("simple", "complex"):
        due = add_working_days(monday, getattr(electronic, kind).working_days)
        assert f"{due:%d/%m/%Y}" in text
    for form in regime.forms.values():
        if form.audience == "agency":
            assert form.code in text  # what happens next: the agency's replies, by form


def test_electronic_requests_open_the_mail_program_with_a_filled_in_message(demo_site: Path):
    page = read(demo_site / "bo-mau" / "mau-01a.html")
    mailtos = [link for link in page.links if link.startswith("mailto:")]
    assert mailtos
    parts = urlsplit(mailtos[0])
    query = parse_qs(parts.query)
    assert unquote(parts.path) == "tiepcanthongtin@example.gov.vn"
    regime = regime_for("bo-mau")
    assert regime.forms["01a"].code in query["subject"][0]
    body = query["body"][0]
    for field in regime.forms["01a"].fields:
        if field.id not in ("place_date", "signature"):
            assert (field.display_label or field.label) in body


@pytest.mark.parametrize("form_id", ["01a", "01b", "06"])
def test_each_form_is_an_accessible_html_form_and_a_docx_with_the_same_fields(demo_site: Path, form_id: str):
    form = regime_for("bo-mau").forms[form_id]
    page = unescape((demo_site / "bo-mau" / f"mau-{form_id}.html").read_text(encoding="utf-8"))
    start = page.index('<form class="tc-form"')
    html = page[start:page.index("</form>", start)]
    labels_for = set(re.findall(r'<label for="([^"]+)"', html))
    inputs = set(re.findall(r'<(?:input|textarea)[^>]* id="([^"]+)"', html))
    assert inputs and inputs <= labels_for, "every text field has its label"
    document = docx.Document(str(demo_site / "bo-mau" / f"mau-{form_id}.docx"))
    words = "\n".join(p.text for p in document.paragraphs) + "\n".join(
        cell.text for table in document.tables for row in table.rows for cell in row.cells)
    for field in form.fields:
        label = field.display_label or field.label
        assert label in html, label
        assert label in words, label
        for option in field.options:
            assert option.label in html and option.label in words
    assert "Bộ Mẫu (dữ liệu mẫu)" in words  # addressed to the agency


def test_statistics_are_a_table_and_an_inline_svg_chart_with_a_text_alternative(demo_site: Path):
    html = (demo_site / "bo-mau" / "thong-ke.html").read_text(encoding="utf-8")
    svg = re.search(r"<svg[^>]*role=\"img\"[^>]*>(.*?)</svg>", html, re.S)
    assert svg, "an inline SVG chart"
    desc = unescape(re.search(r"<desc[^>]*>(.*?)</desc>", svg.group(1), re.S).group(1))
    for row in yaml.safe_load((AGENCIES / "bo-mau.yaml").read_text(encoding="utf-8"))["statistics"]:
        assert f"Năm {row['year']}: tiếp nhận {row['received']}," in desc
    assert "<script" not in svg.group(0)


@pytest.mark.parametrize("agency_id", DEMO_IDS)
def test_dates_are_written_day_first_and_no_iso_dates_leak(demo_site: Path, agency_id: str):
    for page in PAGES:
        assert not re.search(r"\b20\d\d-\d\d-\d\d\b", text_of(demo_site / agency_id / page)), page


class _Words(HTMLParser):
    """Every text node and every human-facing attribute of a page, outside lang="en" parts."""

    ATTRIBUTES = ("aria-label", "title", "placeholder", "alt", "value", "data-template", "data-sort-label")
    VOID = {"br", "img", "input", "meta", "link", "hr", "wbr", "source"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.words: list[str] = []
        self._english: list[bool] = [False]

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        english = values.get("lang", "").startswith("en") if "lang" in values else self._english[-1]
        if not english:
            self.words += [values[a].strip() for a in self.ATTRIBUTES if values.get(a)]
        if tag not in self.VOID:
            self._english.append(english)

    def handle_endtag(self, tag):
        if tag not in self.VOID and len(self._english) > 1:
            self._english.pop()

    def handle_data(self, data):
        if data.strip() and not self._english[-1]:
            self.words.append(data.strip())


def test_no_english_is_left_in_the_vietnamese_interface(demo_site: Path):
    import material

    english_file = Path(material.__file__).parent / "templates" / "partials" / "languages" / "en.html"
    english = {v for k, v in re.findall(r'"([a-z.]+)": "([^"]*)"', english_file.read_text(encoding="utf-8"))
               if not k.startswith(("search.config", "language", "direction")) and len(v) > 2}
    assert {"Skip to content", "Back to top", "Search"} <= english
    for page in sorted(demo_site.rglob("*.html")):
        reader = _Words()
        reader.feed(page.read_text(encoding="utf-8"))
        left = {word for word in reader.words if word in english}
        assert not left, f"{page.relative_to(demo_site)}: {sorted(left)}"


def test_the_portal_tells_the_department_of_justice_what_each_agency_has_published(removal_site: Path):
    portal = read(removal_site / "index.html")
    complete = portal.texts["co-quan-day-du"]
    assert "Đủ" in complete and "Năm 2025: tiếp nhận 10, cung cấp 7, từ chối 2" in complete
    for part in REMOVALS:
        row = portal.texts["co-quan-thieu-" + part.replace("_", "-")]
        notice = re.findall(r"Chưa công bố: ([^<]+)</p>", unescape(
            (removal_site / ("thieu-" + part.replace("_", "-")) / "index.html").read_text(encoding="utf-8")))[0].strip()
        assert notice in row, part
