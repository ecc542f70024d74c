"""`tiepcan import` / `tiepcan export`: a clerk's spreadsheet in and out of an agency file."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from generator.cli import main
from generator.load import load_file
from generator import spreadsheet
from generator.spreadsheet import KINDS, header_names, normalize, words
from generator.validate import check_paths
from tests.conftest import AGENCIES, MINIMAL_AGENCY, write_agency

HEADERS = ["STT", "Tên văn bản", "Số, ký hiệu", "Cơ quan ban hành", "Ngày ban hành", "Điểm (Điều 17)",
           "Hình thức công khai", "Ngày công khai", "Thời hạn", "Ghi chú"]
FORMS = ["Cổng thông tin điện tử", "Niêm yết", "Trang TTĐT, Niêm yết", "Công báo", "Tiếp công dân",
         "Phương tiện thông tin đại chúng"]
HEAD_COMMENT = "# Tệp của Sở Thử: chú thích phải còn sau khi nhập\n"
CLAUSES = ["a", "điểm b", "c)", "Điểm đ khoản 1 Điều 17", "Khoản 2"]


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def clerk_row(index: int) -> list:
    created = dt.date(2020, 1, 1) + dt.timedelta(days=index)
    return [index, f"Văn bản số {index} về tiếp cận thông tin", f"{index}/KH-UBND", "UBND tỉnh Thử",
            created.strftime("%d/%m/%Y"), CLAUSES[index % len(CLAUSES)], FORMS[index % len(FORMS)],
            created + dt.timedelta(days=3), None, "ghi chú nội bộ"]


def clerk_book(rows: list[list], title_rows: bool = True) -> openpyxl.Workbook:
    book = openpyxl.Workbook()
    sheet = book.active
    if title_rows:  # what a clerk's sheet starts with: a title, the agency, a blank line
        sheet.append(["DANH MỤC THÔNG TIN PHẢI ĐƯỢC CÔNG KHAI"])
        sheet.append(["Sở Thử nghiệm — cập nhật tháng 11/2026"])
        sheet.append([])
    sheet.append(HEADERS)
    for row in rows:
        sheet.append(row)
    return book


def save(book: openpyxl.Workbook, path: Path) -> Path:
    book.save(path)
    return path


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # messages name files relative to the working directory, as a clerk runs it


@pytest.fixture
def agencies(tmp_path) -> Path:
    folder = tmp_path / "agencies"
    write_agency(folder, "so-thu", HEAD_COMMENT + MINIMAL_AGENCY.format(id="so-thu")
                 + "catalog: []  # điền từ bảng tính\n\n# Số liệu năm\nstatistics: []\n")
    return folder


@pytest.mark.slow  # a real-size sheet: seconds
def test_a_500_row_sheet_with_vietnamese_headers_becomes_a_valid_agency_file(tmp_path, agencies):
    sheet = save(clerk_book([clerk_row(i) for i in range(1, 501)]), tmp_path / "danh-muc.xlsx")
    result = run("import", "catalog", str(sheet), "--agency", "so-thu", "--agencies", str(agencies))
    assert result.exit_code == 0, result.output
    assert "STT" in result.output and "Ghi chú" in result.output  # ignored, and said so
    assert check_paths([agencies]).ok
    data = load_file(agencies / "so-thu.yaml").data
    assert len(data["catalog"]) == 500
    first = data["catalog"][0]
    assert first == {"id": "1-kh-ubnd-2020", "title": "Văn bản số 1 về tiếp cận thông tin", "number": "1/KH-UBND",
                     "issuer": "UBND tỉnh Thử", "created": dt.date(2020, 1, 2), "clause": "b",
                     "forms": ["notice_board"], "disclosed": dt.date(2020, 1, 5)}
    assert {e["clause"] for e in data["catalog"]} == {"a", "b", "c", "đ", "other"}
    assert data["catalog"][1]["forms"] == ["portal", "notice_board"]
    text = (agencies / "so-thu.yaml").read_text(encoding="utf-8")
    assert text.startswith(HEAD_COMMENT) and "# Số liệu năm\nstatistics" in text


def test_five_bad_rows_are_all_reported_with_row_and_column_and_nothing_changes(tmp_path, agencies):
    rows = [clerk_row(i) for i in range(1, 501)]
    rows[9][4] = "31/02/2021"        # sheet row 14, column E: no such date
    rows[99][5] = "điểm z"           # row 104, F: no such clause
    rows[199][6] = "Bồ câu đưa thư"  # row 204, G: no such form
    rows[299][1] = None              # row 304, B: no title
    rows[399][7] = "01/01/2000"      # row 404, H: disclosed before created
    sheet = save(clerk_book(rows), tmp_path / "sai.xlsx")
    before = (agencies / "so-thu.yaml").read_bytes()
    result = run("import", "catalog", str(sheet), "--agency", "so-thu", "--agencies", str(agencies))
    assert result.exit_code == 1
    errors = [line for line in result.output.splitlines() if line.startswith("sai.xlsx:") and "cảnh báo" not in line]
    assert [line.split(": ")[0] for line in errors] == ["sai.xlsx:14:E", "sai.xlsx:104:F", "sai.xlsx:204:G",
                                                        "sai.xlsx:304:B", "sai.xlsx:404:H"], result.output
    assert "sai.xlsx:14:E: created: ngày “31/02/2021” không tồn tại. Cách sửa:" in result.output
    assert "“Bồ câu đưa thư”" in result.output and "Niêm yết (notice_board)" in result.output
    assert "sai.xlsx:304:B: title: ô bắt buộc" in result.output
    assert all("Cách sửa:" in line for line in errors)
    assert (agencies / "so-thu.yaml").read_bytes() == before
    english = run("import", "catalog", str(sheet), "--agency", "so-thu", "--agencies", str(agencies), "--lang", "en")
    assert "sai.xlsx:14:E: created: the date “31/02/2021” does not exist. Fix:" in english.output


def test_export_then_import_changes_no_byte(tmp_path):
    folder = tmp_path / "agencies"
    shutil.copytree(AGENCIES, folder)
    before = {path.name: path.read_bytes() for path in folder.glob("*.yaml")}
    for agency_id in ("so-tu-phap-binh-phuoc", "ubnd-tinh-binh-phuoc", "xa-mau"):
        for kind in ("catalog", "conditional"):
            out = tmp_path / f"{agency_id}-{kind}.xlsx"
            exported = run("export", kind, "--agency", agency_id, "--out", str(out), "--agencies", str(folder))
            assert exported.exit_code == 0, exported.output
            result = run("import", kind, str(out), "--agency", agency_id, "--agencies", str(folder), "--replace")
            assert result.exit_code == 0, result.output
            assert "+" not in result.output and "~" not in result.output, result.output
    assert {path.name: path.read_bytes() for path in folder.glob("*.yaml")} == before


def test_exported_workbook_has_dropdowns_real_dates_a_frozen_header_and_a_guide(tmp_path):
    out = tmp_path / "stp.xlsx"
    run("export", "catalog", "--agency", "so-tu-phap-binh-phuoc", "--out", str(out), "--agencies", str(AGENCIES))
    book = openpyxl.load_workbook(out)
    data, guide = book.worksheets[0], book.worksheets[1]
    headers = [cell.value for cell in data[1]]
    assert headers[:3] == ["Mã dòng", "Tên văn bản, thông tin", "Số, ký hiệu"]
    assert data.freeze_panes == "A2"
    created = data.cell(2, headers.index("Ngày tạo ra thông tin") + 1)
    assert isinstance(created.value, dt.datetime) and created.number_format == "DD/MM/YYYY"
    validated = {str(v.sqref).split(":")[0] for v in data.data_validations.dataValidation}
    letters = {openpyxl.utils.get_column_letter(headers.index(h) + 1) + "2"
               for h in ("Nhóm thông tin theo Điều 17", "Hình thức công khai", "Phạm vi công bố")}
    assert letters <= validated
    assert guide.title == "Hướng dẫn" and guide.cell(2, 2).value == "id"
    assert "Đăng Công báo" not in str([c.value for c in guide["E"]])  # labels come from headers.yaml
    template = tmp_path / "mau.xlsx"
    assert run("export", "template", "--out", str(template)).exit_code == 0
    assert openpyxl.load_workbook(template).worksheets[0].max_row == 1


def test_comments_key_order_and_untouched_entries_survive_an_import(tmp_path):
    folder = tmp_path / "agencies"
    write_agency(folder, "so-thu", MINIMAL_AGENCY.format(id="so-thu") + """\
catalog:
  # --- văn bản của Sở ---
  - id: kh-1-2024
    title: Kế hoạch một  # tên theo văn bản gốc
    created: 2024-01-02
    clause: d
    forms: [portal]
    disclosed: 2024-01-03
    number: 1/KH-STP   # khóa để sau "created": thứ tự này phải giữ

  - id: kh-2-2024
    title: Kế hoạch hai
    created: 2024-02-02
    clause: d
    forms: [portal]
    disclosed: 2024-02-03

# --- số liệu ---
statistics: []
""")
    book = clerk_book([[1, "Kế hoạch một (sửa)", "1/KH-STP", None, "02/01/2024", "d", "Cổng thông tin điện tử",
                        "03/01/2024", None, None],
                       [2, "Quyết định ba", "3/QĐ-STP", None, "05/03/2024", "b", "Niêm yết", "06/03/2024", None, None]],
                      title_rows=False)
    result = run("import", "catalog", str(save(book, tmp_path / "s.xlsx")), "--agency", "so-thu",
                 "--agencies", str(folder))
    assert result.exit_code == 0, result.output
    assert "~ sửa “kh-1-2024” (dòng 2): title" in result.output
    assert "+ thêm “3-qd-stp-2024” (dòng 3)" in result.output
    assert "= giữ “kh-2-2024”" in result.output
    text = (folder / "so-thu.yaml").read_text(encoding="utf-8")
    # The end-of-line comment stays at its column, so a longer value leaves it one space.
    assert ("  # --- văn bản của Sở ---\n  - id: kh-1-2024\n"
            "    title: Kế hoạch một (sửa) # tên theo văn bản gốc\n") in text
    assert '    number: 1/KH-STP   # khóa để sau "created": thứ tự này phải giữ\n' in text
    assert "    disclosed: 2024-02-03\n  - id: 3-qd-stp-2024\n" in text
    assert text.endswith("    disclosed: 2024-03-06\n\n# --- số liệu ---\nstatistics: []\n")
    assert check_paths([folder]).ok
    replaced = run("import", "catalog", str(tmp_path / "s.xlsx"), "--agency", "so-thu", "--agencies", str(folder),
                   "--replace")
    assert "- xóa “kh-2-2024”" in replaced.output
    assert [e["id"] for e in load_file(folder / "so-thu.yaml").data["catalog"]] == ["kh-1-2024", "3-qd-stp-2024"]


def test_merged_cells_blank_rows_and_generated_ids_are_stable(tmp_path, agencies):
    rows = [clerk_row(1), [], clerk_row(2), clerk_row(3), [None] * 10]
    rows[2][3] = rows[3][3] = None
    rows[3][2] = None  # no number: the id comes from the title and the date
    book = clerk_book(rows)
    book.active.merge_cells("D5:D8")  # one issuer written once for rows 5–8 (row 6 is blank)
    sheet = save(book, tmp_path / "gop.xlsx")
    assert run("import", "catalog", str(sheet), "--agency", "so-thu", "--agencies", str(agencies)).exit_code == 0
    entries = load_file(agencies / "so-thu.yaml").data["catalog"]
    assert [e["id"] for e in entries] == ["1-kh-ubnd-2020", "2-kh-ubnd-2020",
                                         "van-ban-so-3-ve-tiep-can-thong-tin-20200104"]
    assert [e.get("issuer") for e in entries] == ["UBND tỉnh Thử"] * 3
    again = run("import", "catalog", str(sheet), "--agency", "so-thu", "--agencies", str(agencies))
    assert "Không có thay đổi" in again.output, again.output


def _with_cached_values(path: Path, cached: dict[str, str | None]) -> None:
    """openpyxl writes formulas without results; Excel would have saved one in <v>: put it there."""
    with zipfile.ZipFile(path) as source:
        members = {name: source.read(name) for name in source.namelist()}
    xml = members["xl/worksheets/sheet1.xml"].decode()
    for ref, value in cached.items():
        if value is not None:
            xml = re.sub(rf'<c r="{ref}"([^>]*)><f>(.*?)</f><v\s*/?>(</v>)?',
                         lambda m: f'<c r="{ref}"{m.group(1)} t="str"><f>{m.group(2)}</f><v>{value}</v>', xml)
    members["xl/worksheets/sheet1.xml"] = xml.encode()
    with zipfile.ZipFile(path, "w") as target:
        for name, data in members.items():
            target.writestr(name, data)


def test_formulas_give_their_cached_values_and_one_without_a_value_is_an_error(tmp_path, agencies):
    rows = [clerk_row(1), clerk_row(2)]
    rows[0][1] = '=CONCATENATE("Kế hoạch ","số 1")'
    rows[1][2] = '=A6&"/KH-UBND"'
    sheet = save(clerk_book(rows), tmp_path / "ct.xlsx")
    _with_cached_values(sheet, {"B5": "Kế hoạch số 1", "C6": None})
    result = run("import", "catalog", str(sheet), "--agency", "so-thu", "--agencies", str(agencies))
    assert result.exit_code == 1
    assert "ct.xlsx:6:C: number: ô có công thức nhưng chưa có giá trị đã tính" in result.output
    assert "ct.xlsx:5" not in result.output
    _with_cached_values(sheet, {"C6": "2/KH-UBND"})
    result = run("import", "catalog", str(sheet), "--agency", "so-thu", "--agencies", str(agencies))
    assert result.exit_code == 0, result.output
    entries = load_file(agencies / "so-thu.yaml").data["catalog"]
    assert [(e["title"], e["number"]) for e in entries] == [("Kế hoạch số 1", "1/KH-UBND"),
                                                           ("Văn bản số 2 về tiếp cận thông tin", "2/KH-UBND")]


def test_a_sheet_too_large_unpacked_is_refused_before_it_is_read(tmp_path, agencies, monkeypatch):
    monkeypatch.setattr(spreadsheet, "MAX_SHEET_BYTES", 1024 * 1024)  # the mechanism, without writing 64 MB
    bomb = save(clerk_book([clerk_row(1)]), tmp_path / "bom.xlsx")
    with zipfile.ZipFile(bomb, "a", compression=zipfile.ZIP_DEFLATED) as archive:  # ~1 KB on disk
        archive.writestr("xl/worksheets/sheet2.xml", b" " * (spreadsheet.MAX_SHEET_BYTES + 1))
    assert bomb.stat().st_size < 20_000
    oversized = tmp_path / "lon.csv"
    oversized.write_bytes(b"STT,T\xc3\xaan\n" + b" " * spreadsheet.MAX_SHEET_BYTES)
    before = (agencies / "so-thu.yaml").read_bytes()
    for sheet, name in ((bomb, "bom.xlsx"), (oversized, "lon.csv")):
        result = run("import", "catalog", str(sheet), "--agency", "so-thu", "--agencies", str(agencies))
        assert result.exit_code == 1
        assert f"{name}:1:A: bảng tính lớn hơn 1 MB khi giải nén" in result.output, result.output
    assert (agencies / "so-thu.yaml").read_bytes() == before


@pytest.mark.parametrize("delimiter", [",", ";"])
def test_csv_with_a_bom_and_either_separator(tmp_path, agencies, delimiter):
    lines = ["Danh mục thông tin phải được công khai", "",
             delimiter.join(["STT", "Tên thông tin", "Số hiệu", "Ngày tạo", "Điểm", "Hình thức", "Ngày công khai",
                             "Mã dòng"]),
             delimiter.join(["1", '"Kế hoạch, năm 2024"', "5/KH", "02/01/2024", "a",
                             '"Cổng/Trang thông tin điện tử; Công báo"' if delimiter == "," else
                             "Cổng/Trang thông tin điện tử, Công báo", "2024-01-03", "kh-5"]),
             delimiter * 7]
    sheet = tmp_path / "dm.csv"
    sheet.write_bytes(b"\xef\xbb\xbf" + "\r\n".join(lines).encode("utf-8"))
    result = run("import", "catalog", str(sheet), "--agency", "so-thu", "--agencies", str(agencies))
    assert result.exit_code == 0, result.output
    [entry] = load_file(agencies / "so-thu.yaml").data["catalog"]
    assert entry == {"id": "kh-5", "title": "Kế hoạch, năm 2024", "number": "5/KH", "created": dt.date(2024, 1, 2),
                     "clause": "a", "forms": ["portal", "gazette"], "disclosed": dt.date(2024, 1, 3)}


def test_csv_not_in_utf8_and_a_sheet_without_headers_are_explained(tmp_path, agencies):
    sheet = tmp_path / "cu.csv"
    sheet.write_bytes(b"T\xean v\xe3n;Ng\xe0y\nK\xea;01/01/2024\n")  # Windows-1258, as an old Excel saves
    result = run("import", "catalog", str(sheet), "--agency", "so-thu", "--agencies", str(agencies))
    assert result.exit_code == 1 and "cu.csv:1:A: tệp CSV không được lưu theo bảng mã UTF-8" in result.output
    sheet.write_text("a,b\n1,2\n", encoding="utf-8")
    result = run("import", "catalog", str(sheet), "--agency", "so-thu", "--agencies", str(agencies))
    assert result.exit_code == 1 and "không tìm thấy dòng tiêu đề cột" in result.output


def test_map_names_a_column_the_synonyms_do_not_know(tmp_path, agencies):
    book = clerk_book([clerk_row(1)], title_rows=False)
    book.active["B1"] = "Nội dung văn bản"
    sheet = save(book, tmp_path / "m.xlsx")
    result = run("import", "catalog", str(sheet), "--agency", "so-thu", "--agencies", str(agencies))
    assert result.exit_code == 1 and "thiếu cột bắt buộc “Tên văn bản, thông tin”" in result.output
    result = run("import", "catalog", str(sheet), "--agency", "so-thu", "--agencies", str(agencies),
                 "--map", "Nội dung văn bản=title")
    assert result.exit_code == 0, result.output
    by_letter = run("import", "catalog", str(sheet), "--agency", "so-thu", "--agencies", str(agencies), "--map", "B=title")
    assert by_letter.exit_code == 0 and "Không có thay đổi" in by_letter.output, by_letter.output
    assert run("import", "catalog", str(sheet), "--agency", "so-thu", "--agencies", str(agencies),
               "--map", "B=tieu_de").exit_code == 2


def test_the_conditional_catalog_imports_its_condition_words(tmp_path, agencies):
    book = openpyxl.Workbook()
    book.active.append(["Tên thông tin", "Số hiệu", "Điều kiện", "Người đồng ý"])
    book.active.append(["Hồ sơ doanh nghiệp A", "12/HS", "Bí mật kinh doanh", "Doanh nghiệp A"])
    result = run("import", "conditional", str(save(book, tmp_path / "dk.xlsx")), "--agency", "so-thu",
                 "--agencies", str(agencies))
    assert result.exit_code == 0, result.output
    assert load_file(agencies / "so-thu.yaml").data["conditional_catalog"] == [
        {"id": "12-hs", "title": "Hồ sơ doanh nghiệp A", "number": "12/HS", "condition": "business_secret",
         "consent_from": "Doanh nghiệp A"}]


def test_header_words_are_normalised_and_never_name_two_fields():
    assert normalize("Điểm (Điều 17)") == "diem" and normalize("Số, ký hiệu") == normalize("SO KY HIEU")
    for name, kind in KINDS.items():
        seen: dict[str, str] = {}
        for field, synonyms in words()["headers"][name].items():
            assert field in kind.model.model_fields
            for synonym in synonyms:
                assert seen.setdefault(normalize(synonym), field) == field, synonym
        assert set(header_names(kind).values()) == set(kind.model.model_fields)


def test_the_docs_list_every_header_and_value_word_the_importer_knows():
    text = (Path(__file__).resolve().parent.parent / "docs/spreadsheet.md").read_text(encoding="utf-8")
    for name, kind in KINDS.items():
        for field, info in kind.model.model_fields.items():
            assert f"| `{field}` | {info.title} |" in text, (name, field)
            for synonym in words()["headers"][name].get(field, []):
                assert synonym in text, synonym
    for codes in words()["values"].values():
        for synonym in (s for synonyms in codes.values() for s in synonyms):
            assert synonym in text, synonym
