"""Validation: every problem in every file, each at its line and column, worded with the fix."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from generator.i18n import load_messages
from generator.validate import check_paths
from tests.conftest import MINIMAL_AGENCY, write_agency

FIVE_PROBLEMS = """\
id: so-a
name: Sở A
name: Sở A lặp
kind: department
adress: Số 1
email: a@example.gov.vn
sample: yes
contact_point:
  unit: Văn phòng
  request_email: yc@example.gov.vn
catalog:
  - id: x1
    title: Văn bản
    created: 2023-02-30
    clause: a
    forms: [portal]
    disclosed: 2023-03-01
"""


def problems(folder: Path) -> list[tuple[str, int, int, str]]:
    return [(d.code, d.line, d.column, d.field_path) for d in check_paths([folder]).diagnostics]


def test_all_five_kinds_of_mistake_are_reported_at_their_place(tmp_path):
    write_agency(tmp_path, "so-a", FIVE_PROBLEMS)
    assert problems(tmp_path) == [
        ("missing", 1, 1, "address"),  # required field absent: reported at the top of the file
        ("duplicate_key", 3, 1, "name"),
        ("extra_forbidden", 5, 1, "adress"),  # misspelt key
        ("bool_type", 7, 9, "sample"),  # wrong type: "yes" is not a boolean
        ("impossible_date", 14, 14, "catalog[0].created"),
    ]


def test_messages_name_the_place_the_field_and_the_fix_in_vietnamese_and_english(tmp_path):
    write_agency(tmp_path, "so-a", FIVE_PROBLEMS)
    diagnostics = check_paths([tmp_path]).diagnostics
    vi = [d.format(load_messages("vi")) for d in diagnostics]
    en = [d.format(load_messages("en")) for d in diagnostics]
    assert vi[2].endswith("so-a.yaml:5:1: adress: trường “adress” không có trong mẫu dữ liệu. Có phải là “address”? "
                          "Cách sửa: sửa tên trường hoặc xóa dòng này; danh sách trường ở docs/fields.md.")
    assert "Cách sửa" in vi[0] and "thiếu trường bắt buộc “address”" in vi[0]
    assert all("Fix:" in line for line in en)
    assert "Did you mean “address”?" in en[2]


@pytest.mark.parametrize(
    ("snippet", "code", "field"),
    [
        ("kind: bo\n", "literal_error", "kind"),
        ("phone: 02713879000\n", "string_type", "phone"),
        ("website: javascript:alert(1)\n", "url", "website"),
        ("parent: so-thu\n", "parent_is_self", ""),
    ],
)
def test_field_rules(tmp_path, snippet, code, field):
    text = MINIMAL_AGENCY.format(id="so-thu").replace("kind: department\n", "") if snippet.startswith("kind") else MINIMAL_AGENCY.format(id="so-thu")
    write_agency(tmp_path, "so-thu", text + snippet)
    found = problems(tmp_path)
    assert [(c, f) for c, _, _, f in found] == [(code, field)]


def test_statistics_totals_may_not_exceed_requests_received(tmp_path):
    write_agency(tmp_path, "so-thu", MINIMAL_AGENCY.format(id="so-thu") + textwrap.dedent("""\
        statistics:
          - {year: 2024, received: 3, provided_full: 2, refused: 1}
          - {year: 2025, received: 3, provided_full: 2, provided_partial: 1, refused: 1}
        """))
    assert problems(tmp_path) == [("statistics_exceed_received", 11, 5, "statistics[1]")]


def test_entry_ids_are_unique_and_the_repeat_is_pointed_at(tmp_path):
    entry = "  - {{id: x, title: T, created: 2024-01-0{d}, clause: a, forms: [portal], disclosed: 2024-01-0{d}}}\n"
    write_agency(tmp_path, "so-thu", MINIMAL_AGENCY.format(id="so-thu") + "catalog:\n" + entry.format(d=1) + entry.format(d=2))
    assert problems(tmp_path) == [("duplicate_entry_id", 11, 10, "catalog[1].id")]


def test_cross_file_rules(tmp_path):
    write_agency(tmp_path, "so-a", MINIMAL_AGENCY.format(id="so-a") + "parent: ubnd-tinh-thuu\n")
    write_agency(tmp_path, "ubnd-tinh-thu", MINIMAL_AGENCY.format(id="ubnd-tinh-thu"))
    write_agency(tmp_path, "so-b", MINIMAL_AGENCY.format(id="so-khac"))
    write_agency(tmp_path, "so-c", MINIMAL_AGENCY.format(id="so-c") + "parent: so-d\n")
    write_agency(tmp_path, "so-d", MINIMAL_AGENCY.format(id="so-d") + "parent: so-c\n")
    found = check_paths([tmp_path]).diagnostics
    assert sorted((Path(d.path).name, d.code) for d in found) == [
        ("so-a.yaml", "unknown_parent"),
        ("so-b.yaml", "id_mismatch"),
        ("so-c.yaml", "parent_cycle"),
    ]
    unknown = next(d for d in found if d.code == "unknown_parent")
    assert "ubnd-tinh-thu" in unknown.format(load_messages("vi"))  # did-you-mean for the parent id


def test_attached_files_must_exist_inside_the_agency_folder(tmp_path):
    write_agency(tmp_path, "so-thu", MINIMAL_AGENCY.format(id="so-thu") + textwrap.dedent("""\
        regulation: {title: Quy chế, file: files/quy-che.pdf}
        pages:
          - {title: Giới thiệu, file: pages/gioi-thieu.md}
          - {title: Liên kết, file: pages/lien-ket.md}
        """))
    (tmp_path / "so-thu" / "pages").mkdir(parents=True)
    (tmp_path / "so-thu" / "pages" / "gioi-thieu.md").write_text("# Giới thiệu\n", encoding="utf-8")
    (tmp_path / "so-thu" / "pages" / "lien-ket.md").symlink_to(tmp_path / "so-thu.yaml")  # escapes the folder
    assert [(c, f) for c, _, _, f in problems(tmp_path)] == [
        ("file_missing", "regulation.file"),
        ("file_outside", "pages[1].file"),
    ]


def test_paths_that_climb_out_of_the_folder_are_refused_outright(tmp_path):
    write_agency(tmp_path, "so-thu", MINIMAL_AGENCY.format(id="so-thu") + "pages: [{title: X, file: ../so-khac/x.md}]\n")
    assert [(c, f) for c, _, _, f in problems(tmp_path)] == [("file_path", "pages[0].file")]


def test_the_demo_agencies_are_valid():
    result = check_paths([Path(__file__).parent.parent / "agencies"])
    assert result.diagnostics == []
    assert len(result.agencies) >= 6


def _codes(result) -> list[tuple[str, str, int, int, str]]:
    return [(Path(d.path).name, d.code, d.line, d.column, d.severity) for d in result.diagnostics]


def test_two_agencies_claiming_the_same_old_id_is_an_error_at_the_second_claim(tmp_path):
    write_agency(tmp_path, "so-a", MINIMAL_AGENCY.format(id="so-a") + "previous_ids: [so-cu]\n")
    write_agency(tmp_path, "so-b", MINIMAL_AGENCY.format(id="so-b") + "previous_ids: [so-cu]\n")
    result = check_paths([tmp_path])
    assert ("so-b.yaml", "duplicate_previous_id", 9, 16, "error") in _codes(result)
    assert result.failed == ["so-b"] and [a.model.id for a in result.usable] == ["so-a"]


def test_agency_files_are_read_whatever_the_case_of_their_suffix_and_other_files_are_named(tmp_path):
    write_agency(tmp_path, "so-a")
    (tmp_path / "so-b.YAML").write_text(MINIMAL_AGENCY.format(id="so-b"), encoding="utf-8")
    (tmp_path / "so-c.yml").write_text(MINIMAL_AGENCY.format(id="so-c"), encoding="utf-8")
    (tmp_path / "so-d.yaml.bak").write_text(MINIMAL_AGENCY.format(id="so-d"), encoding="utf-8")
    (tmp_path / "README.md").write_text("# Agencies\n", encoding="utf-8")
    result = check_paths([tmp_path])
    assert result.ok
    assert sorted(a.model.id for a in result.agencies) == ["so-a", "so-b", "so-c"]
    assert _codes(result) == [("so-d.yaml.bak", "ignored_file", 1, 1, "warning")]


def test_the_same_agency_twice_under_two_suffixes_is_a_duplicate_id(tmp_path):
    write_agency(tmp_path, "so-a")
    (tmp_path / "so-a.YAML").write_text(MINIMAL_AGENCY.format(id="so-a"), encoding="utf-8")
    assert "duplicate_agency_id" in [code for _, code, *_ in _codes(check_paths([tmp_path]))]


def test_an_internal_entry_is_withheld_from_the_published_model_and_named(tmp_path):
    write_agency(tmp_path, "so-a", MINIMAL_AGENCY.format(id="so-a") + textwrap.dedent("""\
        catalog:
          - {id: cong-khai, title: Kế hoạch năm, created: 2024-01-02, clause: d, forms: [portal], disclosed: 2024-01-03}
          - {id: noi-bo, title: Báo cáo nội bộ, created: 2024-01-02, clause: d, forms: [portal], disclosed: 2024-01-03,
             access: internal}
        """))
    result = check_paths([tmp_path])
    assert result.ok
    source = result.agencies[0]
    assert [e.id for e in source.model.catalog] == ["cong-khai"]
    assert [e.id for e in source.withheld] == ["noi-bo"]
    assert [(r.agency_id, r.entry_id) for r in result.refused] == [("so-a", "noi-bo")]
    assert ("so-a.yaml", "withheld_entry", 11, 5, "note") in _codes(result)
    assert "ghi chú:" in result.diagnostics[0].format(load_messages("vi"))
