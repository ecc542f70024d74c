"""The supervision report (issue 14), without MkDocs: every cell against agencies with known gaps.

A temporary Git repository holds generated agencies, each with one known gap, committed at known
dates; the report is written from it as the build writes it (generator/report.py `write`), and every
cell of every agency table, the totals, the yearly figures, the CSV and the JSON are checked.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

from generator import history, layout, report
from generator.cache import RecordCache
from generator.i18n import load_messages
from generator.model import Agency
from generator.validate import check_paths
from generator.writer import BundleWriter

ROOT = Path(__file__).resolve().parent.parent
REPORT_DATE = dt.date(2026, 11, 23)  # reporting year 2025; duties version "2026"
PROVINCE = "ubnd-tinh-thu"


def agency(agency_id: str, **changes) -> dict:
    """An agency that meets every duty; `changes` put its known gap in (None removes a key)."""
    data = {
        "id": agency_id,
        "name": f"Cơ quan thử {agency_id}",
        "name_en": f"Test agency {agency_id}",
        "kind": "department",
        "parent": PROVINCE,
        "address": "Số 1 đường Thử",
        "email": f"{agency_id}@example.gov.vn",
        "contact_point": {
            "unit": "Văn phòng",
            "request_email": f"yeucau-{agency_id}@example.gov.vn",
            "complaint_email": f"khieunai-{agency_id}@example.gov.vn",
            "people": [{"name": "Nguyễn Văn Thử", "position": "Chánh Văn phòng", "phone": "0271 000 000"}],
        },
        "regulation": {"title": "Quy chế cung cấp thông tin", "number": "1/QĐ", "issued": dt.date(2024, 1, 2)},
        "catalog": [
            # created Monday 2025-03-03: five working days end Monday 2025-03-10
            {"id": "kh-1", "title": "Kế hoạch năm 2025", "created": dt.date(2025, 3, 3), "clause": "d",
             "forms": ["portal"], "disclosed": dt.date(2025, 3, 10)},
            {"id": "tb-2", "title": "Thông báo niêm yết", "created": dt.date(2025, 6, 2), "clause": "k",
             "forms": ["notice_board"], "disclosed": dt.date(2025, 6, 2), "until": dt.date(2025, 7, 2)},
        ],
        "conditional_catalog": [{"id": "dk-1", "title": "Hồ sơ doanh nghiệp", "condition": "business_secret"}],
        "statistics": [{"year": 2025, "received": 10, "provided_full": 7, "provided_partial": 1, "refused": 1,
                        "transferred": 1, "complaints": 1, "lawsuits": 0}],
    }
    return _changed(data, changes)


def contact(agency_id: str, **changes) -> dict:
    return _changed(agency(agency_id)["contact_point"], changes)


def _changed(data: dict, changes: dict) -> dict:
    """`data` with each change applied: a value set, or the key removed where the change is None."""
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data


LATE_ENTRY = {"id": "qd-tre", "title": "Quyết định công khai trễ", "created": dt.date(2025, 3, 3), "clause": "a",
              "forms": ["portal"], "disclosed": dt.date(2025, 3, 11)}  # one working day after the deadline
SHORT_NOTICE = {"id": "tb-10-ngay", "title": "Thông báo niêm yết 10 ngày", "created": dt.date(2025, 6, 2),
                "clause": "k", "forms": ["notice_board", "portal"], "disclosed": dt.date(2025, 6, 2),
                "until": dt.date(2025, 6, 12)}
BASE_CATALOG = agency("x")["catalog"]
HOSTILE_NAME = '=1+1 <b>Sở</b> "thử" & <script>alert(1)</script>'

# Committed in the first commit at 2026-01-12 (Vietnam time) unless said otherwise.
AGENCIES = {
    PROVINCE: agency(PROVINCE, kind="provincial_peoples_committee", parent=None, name="Ủy ban nhân dân tỉnh Thử"),
    "so-du": agency("so-du"),
    "so-thieu-quy-che": agency("so-thieu-quy-che", regulation=None),
    "so-cong-khai-tre": agency("so-cong-khai-tre", catalog=[*BASE_CATALOG, LATE_ENTRY]),
    "so-danh-muc-cu": agency("so-danh-muc-cu"),  # committed alone, 2024-01-10: a stale catalog
    "xa-khong-thu-khieu-nai": agency("xa-khong-thu-khieu-nai", kind="commune_peoples_committee",
                                     contact_point=contact("xa-khong-thu-khieu-nai", complaint_email=None)),
    "so-so-lieu-lech": agency("so-so-lieu-lech", statistics=[
        {"year": 2025, "received": 10, "provided_full": 5, "refused": 2},  # 7 of 10 accounted for
        {"year": 2024, "received": 4, "provided_full": 4}]),
    "so-niem-yet-10-ngay": agency("so-niem-yet-10-ngay", catalog=[*BASE_CATALOG, SHORT_NOTICE]),
    "so-so-lieu-cu": agency("so-so-lieu-cu", statistics=[{"year": 2024, "received": 3, "provided_full": 3}]),
    "so-khong-so-lieu": agency("so-khong-so-lieu", statistics=None, name_en=None, catalog=[
        {**BASE_CATALOG[0]}], conditional_catalog=None, contact_point=contact("so-khong-so-lieu", people=None)),
    "so-ten-doc-hai": agency("so-ten-doc-hai", name=HOSTILE_NAME),
    "bo-thu": agency("bo-thu", kind="ministry", parent=None, name="Bộ Thử"),
    "truong-thu": agency("truong-thu", kind="public_service_unit", parent="bo-thu"),
    "so-noi-bo": agency("so-noi-bo", catalog=[
        *BASE_CATALOG, {**LATE_ENTRY, "id": "noi-bo-tre", "access": "internal"}]),  # internal: not judged
}
# so-lich-su: no regulation and no people on 2026-01-12; regulation on 2026-03-02; people on
# 2026-04-05 at 20:00 UTC, which is 2026-04-06 in Vietnam; its catalog changes last on 2026-03-02.
HISTORY = [
    ("2026-03-02T10:00:00+07:00", {"regulation": AGENCIES["so-du"]["regulation"],
                                   "catalog": [BASE_CATALOG[0]]}),
    ("2026-04-05T20:00:00+00:00", {"contact_point": contact("so-lich-su")}),
]
FIRST = dt.date(2026, 1, 12)


# The demo agencies (agencies/), committed with the others: their gaps, read from their files by hand.
DEMO = {
    "bo-mau": ("ministry", report.CENTRAL, {}),
    "truong-mau": ("public_service_unit", report.CENTRAL, {"complaint_email": "missing"}),
    "so-tu-phap-binh-phuoc": ("department", "ubnd-tinh-binh-phuoc", {}),
    "ubnd-tinh-binh-phuoc": ("provincial_peoples_committee", "ubnd-tinh-binh-phuoc", {
        "regulation": "missing", "conditional_catalog": "missing", "contact_people": "missing",
        "complaint_email": "missing", "statistics_last_year": "missing", "notice_duration": "not_applicable"}),
    "xa-mau": ("commune_peoples_committee", "ubnd-tinh-binh-phuoc", {
        "regulation": "missing", "conditional_catalog": "missing", "contact_people": "missing",
        "complaint_email": "missing", "english_contact": "missing", "statistics_last_year": "missing"}),
    "ubnd-tinh-lai-chau": ("provincial_peoples_committee", "ubnd-tinh-lai-chau", {
        "regulation": "missing", "conditional_catalog": "missing", "contact_people": "missing",
        "complaint_email": "missing", "statistics_last_year": "missing", "notice_duration": "not_applicable"}),
}
CENTRAL_GENERATED = {"bo-thu", "truong-thu"}


def kinds_and_groups() -> dict[str, tuple[str, str]]:
    """agency → (kind, province group)."""
    found = {a: (d.get("kind", "department"), report.CENTRAL if a in CENTRAL_GENERATED else PROVINCE)
             for a, d in AGENCIES.items()}
    found["so-lich-su"] = ("department", PROVINCE)
    found.update({a: (kind, group) for a, (kind, group, _) in DEMO.items()})
    return found


def expected_cells() -> dict[tuple[str, str], tuple[str, dt.date | None]]:
    """(agency, duty) → (status, since), for every agency and duty: the known gaps, by hand."""
    expected = {(a, d): ("met", FIRST) for a in kinds_and_groups() for d in report.DUTIES}
    for agency_id, (_, _, gaps) in DEMO.items():
        expected.update({(agency_id, duty): (status, None if status == "not_applicable" else FIRST)
                         for duty, status in gaps.items()})
    old = dt.date(2024, 1, 10)
    expected.update({("so-danh-muc-cu", d): ("met", old) for d in report.DUTIES})
    expected.update({
        ("so-thieu-quy-che", "regulation"): ("missing", FIRST),
        ("so-cong-khai-tre", "timely_disclosure"): ("late", FIRST),
        ("so-danh-muc-cu", "catalog_reviewed"): ("late", dt.date(2025, 1, 11)),  # 12 months after 2024-01-10
        ("xa-khong-thu-khieu-nai", "complaint_email"): ("missing", FIRST),
        ("so-niem-yet-10-ngay", "notice_duration"): ("late", FIRST),
        ("so-so-lieu-cu", "statistics_last_year"): ("late", FIRST),
        ("so-khong-so-lieu", "statistics_last_year"): ("missing", FIRST),
        ("so-khong-so-lieu", "english_contact"): ("missing", FIRST),
        ("so-khong-so-lieu", "conditional_catalog"): ("missing", FIRST),
        ("so-khong-so-lieu", "contact_people"): ("missing", FIRST),
        ("so-khong-so-lieu", "notice_duration"): ("not_applicable", None),  # it posted no notice
        ("so-lich-su", "regulation"): ("met", dt.date(2026, 3, 2)),
        ("so-lich-su", "catalog_reviewed"): ("met", FIRST),
        ("so-lich-su", "notice_duration"): ("not_applicable", None),  # its notice left the catalog
        ("so-lich-su", "contact_people"): ("met", dt.date(2026, 4, 6)),
    })
    return expected


def _dump(data: dict) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def _git(repo: Path, *args: str, when: str | None = None) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "Thử", "GIT_AUTHOR_EMAIL": "thu@example.gov.vn",
           "GIT_COMMITTER_NAME": "Thử", "GIT_COMMITTER_EMAIL": "thu@example.gov.vn"}
    if when:
        env["GIT_COMMITTER_DATE"] = when
        args = (*args, "--date", when)
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, env=env)


def _commit(repo: Path, when: str, message: str) -> None:
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", message, when=when)


def make_repo(root: Path) -> Path:
    """root/agencies in a Git repository: the demo and the known-gap agencies, committed at known dates."""
    folder = root / "agencies"
    folder.mkdir()
    _git(root, "init", "-q", "-b", "main")
    (folder / "so-danh-muc-cu.yaml").write_text(_dump(AGENCIES["so-danh-muc-cu"]), encoding="utf-8")
    _commit(root, "2024-01-10T09:00:00+07:00", "stale catalog")
    for demo in (ROOT / "agencies").iterdir():
        (shutil.copytree if demo.is_dir() else shutil.copy2)(demo, folder / demo.name)
    for agency_id, data in AGENCIES.items():
        (folder / f"{agency_id}.yaml").write_text(_dump(data), encoding="utf-8")
    lich_su = agency("so-lich-su", regulation=None, contact_point=contact("so-lich-su", people=None))
    (folder / "so-lich-su.yaml").write_text(_dump(lich_su), encoding="utf-8")
    _commit(root, "2026-01-12T09:00:00+07:00", "agencies")
    for when, change in HISTORY:
        lich_su = {**lich_su, **change}
        (folder / "so-lich-su.yaml").write_text(_dump(lich_su), encoding="utf-8")
        _commit(root, when, "so-lich-su")
    return folder


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> Path:
    return make_repo(tmp_path_factory.mktemp("report-repo"))


def _models(folder: Path) -> list[Agency]:
    result = check_paths([folder])
    assert result.ok, [d.message for d in result.diagnostics]
    return sorted((a.model for a in result.usable), key=lambda a: a.id)


@pytest.fixture(scope="module")
def written(repo, tmp_path_factory) -> tuple[Path, report.Report]:
    out = tmp_path_factory.mktemp("report-out")
    built = report.write(BundleWriter(out), _models(repo), repo, REPORT_DATE, load_messages("vi"))
    return out, built


class _Tables(HTMLParser):
    """Every table of a page: rows of cells, each cell (tag, attributes, text, hrefs)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: dict[str, list[tuple[dict, list[tuple[str, dict, str, list[str]]]]]] = {}
        self.current: str | None = None
        self.cell: list | None = None
        self.ids: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if "id" in attributes:
            self.ids.append(attributes["id"])
        if tag == "table":
            self.current = attributes.get("id", "")
            self.tables[self.current] = []
        elif tag == "tr" and self.current is not None:
            self.tables[self.current].append((attributes, []))
        elif tag in ("td", "th") and self.current is not None:
            self.cell = [tag, attributes, "", []]
            self.tables[self.current][-1][1].append(self.cell)
        elif tag == "a" and self.cell is not None:
            self.cell[3].append(attributes["href"])

    def handle_endtag(self, tag):
        if tag in ("td", "th"):
            self.cell = None
        elif tag == "table":
            self.current = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell[2] += data


def tables_of(path: Path) -> _Tables:
    parser = _Tables()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def page_cells(out: Path) -> dict[tuple[str, str], tuple[str, str, str]]:
    """(agency, duty) → (status, since, evidence href resolved to the portal root) from every group page."""
    found = {}
    others = {out / report.index_path(), out / report.statistics_path()}
    for group in sorted(p for p in (out / report.FOLDER).rglob("*.html") if p not in others):
        table = tables_of(group).tables["tc-report"]
        header = [cell[1].get("data-duty") for cell in table[0][1]]
        for attributes, cells in table[1:]:
            for duty, cell in zip(header[1:], cells[1:], strict=True):
                href = (group.parent / cell[3][0]).resolve().relative_to(out.resolve()).as_posix() if cell[3] else ""
                key = (attributes["data-agency"], duty)
                assert key not in found
                found[key] = (cell[1]["data-status"], cell[1].get("data-since", ""), href)
    return found


def test_every_cell_is_the_known_gap_and_the_known_date(written):
    out, _ = written
    cells = page_cells(out)
    expected = {k: (status, since.isoformat() if since else "") for k, (status, since) in expected_cells().items()}
    assert {k: v[:2] for k, v in cells.items()} == expected


def test_the_since_dates_are_the_commit_dates_in_vietnam_time(written):
    _, built = written
    row = next(r for r in built.rows if r.agency.id == "so-lich-su")
    by_duty = {c.duty: c for c in row.cells}
    assert by_duty["regulation"].since == dt.date(2026, 3, 2)
    assert by_duty["contact_people"].since == dt.date(2026, 4, 6)  # 20:00 UTC on 04-05
    assert by_duty["catalog_reviewed"].catalog_changed == dt.date(2026, 3, 2)
    assert {c.since_source for c in row.cells if c.status != "not_applicable"} == {"git"}
    assert built.source == "git"


def test_evidence_links_point_into_the_agency_section(written):
    out, _ = written
    cells = page_cells(out)
    catalog = layout.page_url("catalog")
    assert cells[("so-cong-khai-tre", "timely_disclosure")][2] == f"so-cong-khai-tre/{catalog}#qd-tre"
    assert cells[("so-niem-yet-10-ngay", "notice_duration")][2] == f"so-niem-yet-10-ngay/{catalog}#tb-10-ngay"
    assert cells[("so-thieu-quy-che", "regulation")][2] == "so-thieu-quy-che/" + layout.part_link("internal_regulation")
    assert cells[("so-du", "contact_people")][2] == "so-du/" + layout.part_link("contact_people")
    assert cells[("so-khong-so-lieu", "contact_people")][2] == "so-khong-so-lieu/" + layout.page_url("contact")
    assert cells[("truong-thu", "regulation")][2].startswith("truong-thu/")
    assert all(href for (status, _, href) in cells.values() if status != "not_applicable")


def test_internal_entries_are_not_judged_nor_named(written):
    out, _ = written
    assert page_cells(out)[("so-noi-bo", "timely_disclosure")][0] == "met"
    for path in (out / report.FOLDER).rglob("*"):
        if path.is_file():
            assert b"noi-bo-tre" not in path.read_bytes(), path


def test_groups_by_province_and_central(written):
    out, built = written
    # provinces by their People's Committee's name, central agencies last
    assert [g for g, _ in built.groups] == ["ubnd-tinh-binh-phuoc", "ubnd-tinh-lai-chau", PROVINCE, report.CENTRAL]
    for group, _ in built.groups:
        members = {a for a, (_, g) in kinds_and_groups().items() if g == group}
        assert {r.agency.id for r in built.rows_of(group)} == members
    assert (out / report.FOLDER / report.PROVINCES / f"{PROVINCE}.html").is_file()
    # the province's own People's Committee comes first, then a fixed order: no ranking by score
    assert built.rows_of(PROVINCE)[0].agency.id == PROVINCE


def _records_from_csv(data: bytes) -> list[dict]:
    text = data.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:])))


def test_csv_and_json_equal_the_page(written):
    out, _ = written
    folder = out / report.FOLDER
    document = json.loads((folder / "compliance.json").read_text(encoding="utf-8"))
    rows = _records_from_csv((folder / "compliance.csv").read_bytes())
    assert list(rows[0]) == list(report.CSV_COLUMNS)
    assert set(report.CSV_COLUMNS) >= {"agency_id", "agency_name", "parent_id", "kind", "duty", "status", "since",
                                       "evidence_url"}
    records = document["records"]
    assert len(records) == len(rows) == len(kinds_and_groups()) * len(report.DUTIES)
    cells = page_cells(out)
    assert {(r["agency_id"], r["duty"]): (r["status"], r["since"] or "", r["evidence_url"]) for r in records} == cells
    for record, line in zip(records, rows, strict=True):
        as_text = {k: "" if v is None else str(v) for k, v in record.items()}
        if as_text["agency_name"].startswith("="):
            as_text["agency_name"] = "'" + as_text["agency_name"]
        assert as_text == line
    assert {r["status"] for r in records} == set(report.STATUSES)
    assert {r["duty"] for r in records} == set(report.DUTIES)
    assert document["reporting_year"] == 2025 and document["review_period_months"] == 12
    assert document["history"] == "git"


def test_untrusted_names_are_escaped_in_pages_and_defused_in_csv(written):
    out, _ = written
    page = (out / report.FOLDER / report.PROVINCES / f"{PROVINCE}.html").read_text(encoding="utf-8")
    assert "<script>alert" not in page and "<b>Sở" not in page
    assert "=1+1 &lt;b&gt;Sở&lt;/b&gt; &#34;thử&#34; &amp; &lt;script&gt;" in page
    csv_text = (out / report.FOLDER / "compliance.csv").read_text(encoding="utf-8")
    assert "'=1+1 <b>Sở</b>" in csv_text
    document = json.loads((out / report.FOLDER / "compliance.json").read_text(encoding="utf-8"))
    assert HOSTILE_NAME in {r["agency_name"] for r in document["records"]}


def _count_cell(cell) -> dict[str, int]:
    return {s: int(cell[1][f"data-{s.replace('_', '-')}"]) for s in report.STATUSES}


def test_totals_per_province_and_per_kind_count_the_cells(written):
    out, _ = written
    expected = expected_cells()
    kinds = {a: kind for a, (kind, _) in kinds_and_groups().items()}

    def tally(agencies) -> dict[str, dict[str, int]]:
        found = {d: dict.fromkeys(report.STATUSES, 0) for d in report.DUTIES}
        for (agency_id, duty), (status, _) in expected.items():
            if agency_id in agencies:
                found[duty][status] += 1
        return found

    index = tables_of(out / report.index_path()).tables
    by_group = {cells[0][2]: cells for _, cells in index["tong-hop-tinh"][1:]}
    groups = [g for g, _ in written[1].groups]
    memberships = [{a for a, (_, g) in kinds_and_groups().items() if g == group} for group in groups]
    rows = list(by_group.values())
    assert len(rows) == len(groups) + 1  # each group, then the whole country
    for cells, members in zip(rows, [*memberships, set(kinds)], strict=True):
        assert int(cells[1][2]) == len(members)
        assert {d: _count_cell(c) for d, c in zip(report.DUTIES, cells[2:], strict=True)} == tally(members)
    by_kind = {cells[0][2]: cells for _, cells in index["tong-hop-loai"][1:]}
    messages = load_messages("vi")
    for kind in set(kinds.values()):
        cells = by_kind[messages.text(f"ui.kind.{kind}")]
        members = {a for a, k in kinds.items() if k == kind}
        assert {d: _count_cell(c) for d, c in zip(report.DUTIES, cells[2:], strict=True)} == tally(members)


def test_yearly_figures_sum_only_what_adds_up_and_list_the_rest(written):
    out, built = written
    in_province_2025 = [a for a, d in AGENCIES.items() if d.get("kind") != "ministry" and d.get("parent") != "bo-thu"
                        and any(s["year"] == 2025 for s in d.get("statistics") or [])] + ["so-lich-su"]
    adding_up = [a for a in in_province_2025 if a != "so-so-lieu-lech"]
    totals = built.totals_of(2025, "province", PROVINCE)
    assert totals.reported == len(adding_up) and totals.not_adding_up == 1
    assert totals.sums["received"] == 10 * len(adding_up)  # the 10 of so-so-lieu-lech are not summed
    assert totals.sums["provided_full"] == 7 * len(adding_up)
    # the demo's bo-mau too: a request still pending at the end of 2025 (its file says so), and one in 2024
    assert [(m.agency.id, m.row.year, m.answered) for m in built.mismatches] == [
        ("bo-mau", 2025, 29), ("so-so-lieu-lech", 2025, 7), ("bo-mau", 2024, 24)]
    page = tables_of(out / report.group_path(PROVINCE)).tables
    assert [c[2] for c in page["khong-khop"][1][1]] == [
        AGENCIES["so-so-lieu-lech"]["name"], "2025", "10", "7", "3"]
    years = {cells[0][2]: [c[2] for c in cells[1:]] for _, cells in page["so-lieu-tinh"][1:]}
    assert years["2025"] == [str(totals.reported), *(str(totals.sums[f]) for f in report.STATISTICS_FIELDS), "1"]
    assert years["2024"][0] == "2"  # so-so-lieu-lech (4 of 4) and so-so-lieu-cu (3 of 3)
    national = built.totals_of(2025, "national", "")
    # + bo-thu, truong-thu and the demo's truong-mau and so-tu-phap-binh-phuoc; not bo-mau (29 of 30)
    assert national.reported == totals.reported + 4 and national.not_adding_up == 2
    statistics = _records_from_csv((out / report.FOLDER / "statistics.csv").read_bytes())
    line = next(r for r in statistics if (r["year"], r["group"], r["group_id"]) == ("2025", "province", PROVINCE))
    assert int(line["received"]) == totals.sums["received"] and line["agencies_not_adding_up"] == "1"
    svg = (out / report.group_path(PROVINCE)).read_text(encoding="utf-8")
    assert '<svg viewBox=' in svg and 'role="img"' in svg and "<title id=" in svg


def test_the_report_states_its_date_period_and_legal_basis(written):
    out, built = written
    text = (out / report.group_path(PROVINCE)).read_text(encoding="utf-8")
    assert "Ngày lập báo cáo: 23/11/2026." in text
    assert "năm 2025 (từ 01/01/2025 đến 31/12/2025)" in text
    for duty in built.config.duties:
        assert f'id="nghia-vu-{duty.id.replace("_", "-")}"' in text and duty.basis in text
    assert "Điều 18 khoản 4 Luật Tiếp cận thông tin 2016" in text
    assert "lịch sử Git" in text


def test_the_output_is_the_same_bytes_twice(repo, written, tmp_path):
    out, _ = written
    report.write(BundleWriter(tmp_path), _models(repo), repo, REPORT_DATE, load_messages("vi"))
    first = {p.relative_to(out).as_posix(): p.read_bytes() for p in (out / report.FOLDER).rglob("*") if p.is_file()}
    second = {p.relative_to(tmp_path).as_posix(): p.read_bytes() for p in (tmp_path / report.FOLDER).rglob("*")
              if p.is_file()}
    assert first == second


def test_pages_are_plain_html_with_ids_and_no_markdown(written):
    out, built = written
    for page in report.pages(built, load_messages("vi")):
        assert page.body.startswith("<h1 id=") and "{ #" not in page.body and "\n## " not in page.body
        parser = tables_of(out / page.path)
        assert len(parser.ids) == len(set(parser.ids)), page.path
        assert page.path.startswith("bao-cao/")


def test_an_uncommitted_change_is_dated_by_the_report_date(repo, tmp_path):
    path = repo / "so-thieu-quy-che.yaml"
    original = path.read_text(encoding="utf-8")
    try:
        path.write_text(_dump({**AGENCIES["so-thieu-quy-che"], "regulation": AGENCIES["so-du"]["regulation"]}),
                        encoding="utf-8")
        built = report.write(BundleWriter(tmp_path), _models(repo), repo, REPORT_DATE, load_messages("vi"))
    finally:
        path.write_text(original, encoding="utf-8")
    cell = next(c for r in built.rows if r.agency.id == "so-thieu-quy-che" for c in r.cells if c.duty == "regulation")
    assert (cell.status, cell.since, cell.since_source) == ("met", REPORT_DATE, "working_tree")
    assert "chưa commit" in (tmp_path / report.group_path(PROVINCE)).read_text(encoding="utf-8")


def test_without_git_the_file_dates_are_used_and_the_report_says_so(tmp_path):
    folder = tmp_path / "agencies"
    folder.mkdir()
    for agency_id in ("so-du", "so-thieu-quy-che"):
        path = folder / f"{agency_id}.yaml"
        path.write_text(_dump(AGENCIES[agency_id] | {"parent": None}), encoding="utf-8")
        noon = dt.datetime(2026, 8, 14, 5, 0, tzinfo=dt.UTC).timestamp()  # 12:00 in Vietnam
        os.utime(path, (noon, noon))
    assert history.read(folder, ["so-du"], REPORT_DATE).source == "file_dates"
    out = tmp_path / "out"
    built = report.write(BundleWriter(out), _models(folder), folder, REPORT_DATE, load_messages("vi"))
    assert built.source == "file_dates"
    cells = {(r.agency.id, c.duty): c for r in built.rows for c in r.cells}
    assert cells[("so-thieu-quy-che", "regulation")].status == "missing"
    assert {(c.since, c.since_source) for c in cells.values() if c.status != "not_applicable"} == {
        (dt.date(2026, 8, 14), "file_date")}
    text = (out / report.group_path(report.CENTRAL)).read_text(encoding="utf-8")
    assert "Không có lịch sử Git" in text
    assert json.loads((out / report.FOLDER / "compliance.json").read_text(encoding="utf-8"))["history"] == "file_dates"


def test_the_duties_version_and_settings_follow_the_report_date():
    before = report.load_config(dt.date(2025, 5, 1))
    assert before.version == "2018" and before.reporting_year == 2024 and before.review_period_months == 12
    assert all("public_service_unit" not in d.kinds for d in before.duties)  # Law 2016 Art. 9: state agencies
    after = report.load_config(REPORT_DATE, reporting_year=2023, review_months=6)
    assert after.version == "2026" and after.reporting_year == 2023 and after.review_period_months == 6
    assert all("public_service_unit" in d.kinds for d in after.duties)
    assert [d.id for d in after.duties] == list(report.DUTIES)
    with pytest.raises(report.ConfigError):
        report.load_config(dt.date(2018, 1, 1))


def test_under_the_2018_duties_a_public_service_unit_is_not_judged(repo):
    day = dt.date(2026, 5, 4)
    built = report.compute(_models(repo), day, history.read(repo, ["truong-thu"], day))
    row = next(r for r in built.rows if r.agency.id == "truong-thu")
    assert {c.status for c in row.cells} == {"not_applicable"}
    assert {c.since for c in row.cells} == {None}


def test_a_shorter_review_period_makes_a_catalog_late_from_the_day_after_it_ends(repo):
    config = report.load_config(REPORT_DATE, review_months=6)
    built = report.compute(_models(repo), REPORT_DATE, history.read(repo, ["so-lich-su"], REPORT_DATE), config=config)
    cell = next(c for r in built.rows if r.agency.id == "so-lich-su" for c in r.cells if c.duty == "catalog_reviewed")
    assert (cell.status, cell.since, cell.catalog_changed) == ("late", dt.date(2026, 9, 3), dt.date(2026, 3, 2))


@pytest.mark.parametrize(
    ("created", "disclosed", "late"),
    [
        (dt.date(2025, 3, 3), dt.date(2025, 3, 10), False),  # Monday + 5 working days = next Monday
        (dt.date(2025, 3, 3), dt.date(2025, 3, 11), True),
        (dt.date(2025, 3, 7), dt.date(2025, 3, 14), False),  # Friday → the next Friday
        (dt.date(2025, 3, 7), dt.date(2025, 3, 17), True),
    ],
)
def test_five_working_days_skip_the_weekend(created, disclosed, late):
    entry = {**LATE_ENTRY, "created": created, "disclosed": disclosed}
    model = Agency.model_validate(agency("so-a", catalog=[entry]))
    config = report.load_config(REPORT_DATE)
    verdict = report.judge(config.duty("timely_disclosure"), model, REPORT_DATE, REPORT_DATE, config)
    assert verdict.status == ("late" if late else "met")


@pytest.mark.parametrize(("days", "status"), [(29, "late"), (30, "met"), (None, "met")])
def test_a_notice_needs_thirty_days_counted_from_the_next_day(days, status):
    until = None if days is None else dt.date(2025, 6, 2) + dt.timedelta(days=days)
    entry = {**SHORT_NOTICE, "until": until} if until else {k: v for k, v in SHORT_NOTICE.items() if k != "until"}
    model = Agency.model_validate(agency("so-a", catalog=[entry]))
    config = report.load_config(REPORT_DATE)
    assert report.judge(config.duty("notice_duration"), model, REPORT_DATE, REPORT_DATE, config).status == status


def test_a_province_page_links_only_to_pages_a_bundle_has(written):
    out, _ = written
    urls = {kind.url for kind in (*layout.BUNDLE_PAGES, layout.ENGLISH)}
    for (_, _), (status, _, href) in page_cells(out).items():
        if href:
            assert href.split("/", 1)[1].split("#")[0] in urls


def test_a_long_group_is_split_in_parts_that_link_each_other(written):
    _, built = written
    pages = [p for p in report.pages(built, load_messages("vi"), rows_per_page=5) if PROVINCE in p.path]
    members = [r.agency.id for r in built.rows_of(PROVINCE)]
    assert len(members) == 13
    assert [p.path for p in pages] == [report.group_path(PROVINCE)] + [
        f"bao-cao/tinh/{PROVINCE}/{k}.html" for k in (2, 3)]
    seen = []
    for number, page in enumerate(pages, start=1):
        parser = _Tables()
        parser.feed(page.body)
        seen += [attributes["data-agency"] for attributes, _ in parser.tables["tc-report"][1:]]
        assert ("tong-hop-loai" in parser.tables) == (number == 1)  # the group's totals once, on its first page
        assert f"(trang {number}/3)" in page.title and 'aria-current="page"' in page.body
        assert page.body.count('class="tc-report-pager"') == 1 and "nghia-vu-regulation" in page.body
    assert seen == members
    assert f'href="../../bao-cao/tinh/{PROVINCE}/2.html"' in pages[0].body  # from bao-cao/tinh/
    assert f'href="../../../bao-cao/tinh/{PROVINCE}.html"' in pages[1].body  # from bao-cao/tinh/<id>/


def _cells(built: report.Report) -> dict[str, tuple]:
    return {row.agency.id: row.cells for row in built.rows}


def test_a_row_stored_by_a_report_is_read_back_until_its_agency_history_or_day_changes(tmp_path, monkeypatch):
    """The report of a national history (thousands of files, years of commits) is judged once per
    agency and day: a later build the same day reads each unchanged agency's row back."""
    folder = make_repo(tmp_path)
    (tmp_path / "rows").mkdir()
    cache = RecordCache(tmp_path / "rows")
    first = report.compute(_models(folder), REPORT_DATE, history.read(folder, _ids(folder), REPORT_DATE), cache=cache)
    judged: list[str] = []
    real_evaluate = report.evaluate

    def recording(agency, *args, **kwargs):
        judged.append(agency.id)
        return real_evaluate(agency, *args, **kwargs)

    monkeypatch.setattr(report, "evaluate", recording)
    read_blobs: list[str] = []
    real_read = history._read_blobs
    monkeypatch.setattr(history, "_read_blobs", lambda top, ids: read_blobs.extend(ids) or real_read(top, ids))
    assert first.rows
    again = report.compute(_models(folder), REPORT_DATE, history.read(folder, _ids(folder), REPORT_DATE), cache=cache)
    assert judged == [] and read_blobs == [] and _cells(again) == _cells(first)  # no version read, none judged

    lich_su = folder / "so-lich-su.yaml"
    text = lich_su.read_text(encoding="utf-8")
    without = {k: v for k, v in yaml.safe_load(text).items() if k != "regulation"}
    lich_su.write_text(_dump(without), encoding="utf-8")
    _commit(folder.parent, "2026-11-10T09:00:00+07:00", "so-lich-su: regulation withdrawn")
    lich_su.write_text(text, encoding="utf-8")
    _commit(folder.parent, "2026-11-20T09:00:00+07:00", "so-lich-su: regulation back")  # the same file as before…
    changed = report.compute(_models(folder), REPORT_DATE, history.read(folder, _ids(folder), REPORT_DATE), cache=cache)
    assert judged == ["so-lich-su"]  # …with a longer history: its row judged again
    regulation = next(c for c in _cells(changed)["so-lich-su"] if c.duty == "regulation")
    assert (regulation.status, regulation.since) == ("met", dt.date(2026, 11, 20))
    judged.clear()
    next_day = REPORT_DATE + dt.timedelta(days=1)
    later = report.compute(_models(folder), next_day, history.read(folder, _ids(folder), next_day), cache=cache)
    assert sorted(judged) == sorted(_ids(folder))  # another day: every row judged again, as of that day
    assert _cells(later) == _cells(report.compute(_models(folder), next_day, history.read(folder, _ids(folder), next_day)))


def test_a_stored_row_or_version_that_does_not_read_back_as_one_is_judged_again(tmp_path):
    folder = make_repo(tmp_path)
    (tmp_path / "rows").mkdir()
    past = history.read(folder, _ids(folder), REPORT_DATE)
    first = report.compute(_models(folder), REPORT_DATE, past, cache=RecordCache(tmp_path / "rows"))
    rows = [p for p in sorted((tmp_path / "rows").glob("*.json")) if isinstance(json.loads(p.read_bytes()), list)]
    versions = [p for p in sorted((tmp_path / "rows").glob("*.json")) if p not in rows]
    assert len(rows) == len(first.rows) and versions  # and the models of the past versions
    records = rows + versions
    spoiled = ['[["regulation", "met"]]', "[]", '"met"', json.dumps([["x", "met", None, "", "", None, None, None]] * 12),
               json.dumps([[d.id, "đạt", None, "", "", None, None, None] for d in first.config.duties]),
               '{"agency": "{}"}', '{"agency": 5}', '{"agency": null, "x": 1}']
    for record, text in zip(records, spoiled * len(records)):
        record.write_text(text, encoding="utf-8")
    again = report.compute(_models(folder), REPORT_DATE, past, cache=RecordCache(tmp_path / "rows"))
    assert _cells(again) == _cells(first)


def test_versions_are_listed_without_being_read(repo):
    past = history.read(repo, _ids(repo), REPORT_DATE)
    assert all(v.data is None and len(v.blob) == 40 for rows in past.versions.values() for v in rows if v.committed)
    blobs = [v.blob for v in past.of("so-lich-su") if not v.current]
    read = history.read_versions(past, blobs)
    assert len(blobs) > 2 and sorted(read) == sorted(blobs) and all(isinstance(d, dict) for d in read.values())


def test_a_past_version_validated_once_is_not_read_from_git_again(tmp_path, monkeypatch):
    """The first report of a day judges every row again, from the versions' stored models."""
    folder = make_repo(tmp_path)
    (tmp_path / "records").mkdir()
    cache = RecordCache(tmp_path / "records")
    first = report.compute(_models(folder), REPORT_DATE, history.read(folder, _ids(folder), REPORT_DATE), cache=cache)
    monkeypatch.setattr(history, "_read_blobs", lambda *_: pytest.fail("a version was read from Git again"))
    next_day = REPORT_DATE + dt.timedelta(days=1)
    later = report.compute(_models(folder), next_day, history.read(folder, _ids(folder), next_day), cache=cache)
    monkeypatch.undo()
    fresh = report.compute(_models(folder), next_day, history.read(folder, _ids(folder), next_day))
    assert _cells(later) == _cells(fresh) and _cells(first) != {}


def _ids(folder: Path) -> list[str]:
    return [a.id for a in _models(folder)]
