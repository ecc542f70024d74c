"""Attachments are published only when they are documents (by content and extension), extra pages
only when they are readable Markdown; anything else is a diagnostic at the `file:` field."""

from __future__ import annotations

import functools
import io
import os
import zipfile
from pathlib import Path

import docx
import openpyxl
import pytest

from generator import attachments
from generator.i18n import load_messages
from generator.validate import PAGE_MAX_BYTES, check_paths
from tests.conftest import MINIMAL_AGENCY, write_agency

PDF = b"%PDF-1.4\n1 0 obj << /Type /Messages >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(17)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(8)
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)
HTML = b"<!doctype html><script>alert(1)</script>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'


def _zip(members: list[tuple[str, bytes]]) -> bytes:
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w") as archive:
        for name, data in members:
            archive.writestr(name, data)
    return raw.getvalue()


@functools.cache  # python-docx takes ~50 ms to write an empty document
def _word() -> bytes:
    raw = io.BytesIO()
    docx.Document().save(raw)
    return raw.getvalue()


def _excel() -> bytes:
    raw = io.BytesIO()
    openpyxl.Workbook().save(raw)
    return raw.getvalue()


def _macro_word() -> bytes:
    """A .docm's package: the main part is declared macro-enabled."""
    with zipfile.ZipFile(io.BytesIO(_word())) as archive:
        members = [(i.filename, archive.read(i)) for i in archive.infolist()]
    return _zip([(name, data.replace(b"wordprocessingml.document.main+xml", b"ms-word.document.macroEnabled.main+xml")
                  if name == "[Content_Types].xml" else data) for name, data in members])


def _odf(mimetype: str) -> bytes:
    return _zip([("mimetype", mimetype.encode()), ("content.xml", b"<office:document-content/>")])


PUBLISHED = {
    "quy-che.pdf": PDF, "QUY-CHE.PDF": PDF, "bang.xls": OLE, "van-ban.doc": OLE, "van-ban.docx": _word(),
    "bang.xlsx": _excel(), "van-ban.odt": _odf("application/vnd.oasis.opendocument.text"),
    "bang.ods": _odf("application/vnd.oasis.opendocument.spreadsheet"), "anh.png": PNG, "anh.jpg": JPEG,
    "anh.jpeg": JPEG,
}
REFUSED = {
    "trang.html": (HTML, "attachment_type"),
    "trang.htm": (HTML, "attachment_type"),
    "trang.xhtml": (HTML, "attachment_type"),
    "hinh.svg": (SVG, "attachment_type"),
    "ma.js": (b"alert(1)", "attachment_type"),
    "ghi-chu.txt": (b"text", "attachment_type"),
    "macro.docm": (_macro_word(), "attachment_type"),
    "html-gia.pdf": (HTML, "attachment_content"),
    "svg-gia.png": (SVG, "attachment_content"),
    "anh-gia.pdf": (PNG, "attachment_content"),
    "pdf-gia.docx": (PDF, "attachment_content"),
    "macro.docx": (_macro_word(), "attachment_content"),
    "bang-gia.xlsx": (_word(), "attachment_content"),
    "zip-hong.docx": (b"PK\x03\x04" + bytes(40), "attachment_content"),
    "odt-gia.odt": (_odf("text/html"), "attachment_content"),
    "mimetype-sau.ods": (_zip([("content.xml", b"x"), ("mimetype", b"application/vnd.oasis.opendocument.spreadsheet")]),
                         "attachment_content"),
    "rong.pdf": (b"", "attachment_empty"),
}


@pytest.mark.parametrize("name", sorted(PUBLISHED))
def test_documents_of_the_allowed_types_are_published(tmp_path: Path, name: str):
    (tmp_path / name).write_bytes(PUBLISHED[name])
    assert attachments.refusal(name, tmp_path / name) is None


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_anything_a_browser_could_run_or_that_is_not_what_it_says_is_refused(tmp_path: Path, name: str):
    data, code = REFUSED[name]
    (tmp_path / name).write_bytes(data)
    refused = attachments.refusal(name, tmp_path / name)
    assert refused is not None and refused.code == code


def test_a_file_over_the_size_limit_is_refused(tmp_path: Path):
    path = tmp_path / "lon.pdf"
    with path.open("wb") as stream:  # sparse: the size without the disk space
        stream.write(PDF)
        stream.truncate(attachments.MAX_BYTES + 1)
    refused = attachments.refusal("lon.pdf", path)
    assert refused is not None and refused.code == "attachment_too_large"
    assert refused.params == {"size": "50.0", "limit": "50.0"}


@pytest.mark.parametrize("relative", [".an.pdf", "files/.an.pdf", ".git/x.pdf"])
def test_a_hidden_name_is_refused_since_the_build_would_leave_it_out(tmp_path: Path, relative: str):
    (tmp_path / "x.pdf").write_bytes(PDF)
    refused = attachments.refusal(relative, tmp_path / "x.pdf")
    assert refused is not None and refused.code == "hidden_file_name"


def test_names_become_percent_encoded_nfc_url_paths():
    assert attachments.href("tệp/Quyết định số 1#2 50%.pdf") == (
        "t%E1%BB%87p/Quy%E1%BA%BFt%20%C4%91%E1%BB%8Bnh%20s%E1%BB%91%201%232%2050%25.pdf")
    decomposed = "quye\u0302\u0301t-dinh.pdf"
    assert attachments.published_name(decomposed) == "quyết-dinh.pdf"
    assert attachments.href(decomposed) == attachments.href("quyết-dinh.pdf")
    assert attachments.collision_key("Files/QD.pdf") == attachments.collision_key("files/qd.pdf")


# The catalog entry's `file:` value is on this line and column of the agency file.
FILE_AT = (16, 11)


def _agency_with_file(folder: Path, relative: str, data: bytes | None, extra: str = "") -> Path:
    text = MINIMAL_AGENCY.format(id="so-thu") + f"""catalog:
  - id: e0
    title: Văn bản
    created: 2024-01-01
    clause: a
    forms: [portal]
    disclosed: 2024-01-02
    file: "{relative}"
""" + extra
    path = write_agency(folder, "so-thu", text)
    if data is not None:
        target = folder / "so-thu" / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return path


def _errors(folder: Path) -> list[tuple[str, int, int, str]]:
    messages = load_messages("vi")
    return [(d.code, d.line, d.column, d.format(messages)) for d in check_paths([folder]).errors]


@pytest.mark.parametrize("name", ["trang.html", "hinh.svg", "html-gia.pdf", "rong.pdf"])
def test_check_refuses_the_attachment_at_its_file_field_with_a_fix(tmp_path: Path, name: str):
    _agency_with_file(tmp_path, f"files/{name}", REFUSED[name][0])
    [(code, line, column, message)] = _errors(tmp_path)
    assert (code, (line, column)) == (REFUSED[name][1], FILE_AT)
    assert f"files/{name}" in message and "Cách sửa" in message


def test_every_new_message_has_a_fix_in_both_languages():
    codes = ["attachment_type", "attachment_content", "attachment_empty", "attachment_too_large",
             "attachment_name_collision", "hidden_file_name", "page_not_utf8", "page_empty", "page_too_large"]
    params = {"value": "x", "allowed": "y", "kind": "PDF", "size": "1", "limit": "1", "other": "X", "line": 1}
    for code in codes:
        assert "Cách sửa: " in load_messages("vi").text(f"error.{code}", **params)
        assert "Fix: " in load_messages("en").text(f"error.{code}", **params)


def test_attachments_whose_names_differ_only_by_case_or_accent_typing_collide(tmp_path: Path):
    second = """regulation:
  title: Quy chế
  file: "files/Quy-Che.pdf"
"""
    _agency_with_file(tmp_path, "files/quy-che.pdf", PDF, second)
    (tmp_path / "so-thu" / "files" / "Quy-Che.pdf").write_bytes(PDF)
    assert [(code, line) for code, line, _, _ in _errors(tmp_path)] == [("attachment_name_collision", 16)]
    nfd = tmp_path / "nfd"
    _agency_with_file(nfd, "files/quye\u0302\u0301t.pdf", PDF, second.replace("Quy-Che", "quyết"))
    (nfd / "so-thu" / "files" / "quyết.pdf").write_bytes(PDF)
    assert [code for code, *_ in _errors(nfd)] == ["attachment_name_collision"]


def test_the_same_attachment_named_twice_is_no_collision(tmp_path: Path):
    _agency_with_file(tmp_path, "files/quy-che.pdf", PDF, 'regulation: {title: Quy chế, file: "files/quy-che.pdf"}\n')
    assert _errors(tmp_path) == []


@pytest.mark.parametrize("link", ["file", "folder"])
def test_a_symlink_out_of_the_agency_folder_is_refused(tmp_path: Path, link: str):
    _agency_with_file(tmp_path, "files/hostname.pdf" if link == "file" else "etc/hostname", None)
    files = tmp_path / "so-thu"
    files.mkdir()
    if link == "file":
        (files / "files").mkdir()
        os.symlink("/etc/hostname", files / "files" / "hostname.pdf")
    else:
        os.symlink("/etc", files / "etc")
    [(code, line, column, _)] = _errors(tmp_path)
    assert (code, (line, column)) == ("file_outside", FILE_AT)


def _agency_with_page(folder: Path, data: bytes) -> Path:
    page = "pages:\n  - title: Giới thiệu\n    file: gioi-thieu.md\n"
    path = write_agency(folder, "so-thu", MINIMAL_AGENCY.format(id="so-thu") + page)
    (folder / "so-thu").mkdir()
    (folder / "so-thu" / "gioi-thieu.md").write_bytes(data)
    return path


@pytest.mark.parametrize(("data", "code"), [
    ("Giới thiệu\n".encode("utf-16"), "page_not_utf8"),  # Notepad's "Unicode"
    ("Quy chế – “mới”\n".encode("windows-1258", errors="ignore"), "page_not_utf8"),
    (b"", "page_empty"),
    (b"\xef\xbb\xbf  \n\n", "page_empty"),
    (b"a" * (PAGE_MAX_BYTES + 1), "page_too_large"),
])
def test_an_extra_page_that_cannot_be_read_as_markdown_is_a_diagnostic(tmp_path: Path, data: bytes, code: str):
    _agency_with_page(tmp_path, data)
    [(found, line, column, message)] = _errors(tmp_path)
    assert (found, line, column) == (code, 11, 11)
    assert "gioi-thieu.md" in message and "Cách sửa" in message


def test_an_extra_page_with_a_hidden_name_is_a_diagnostic(tmp_path: Path):
    page = "pages:\n  - title: Nháp\n    file: .nhap.md\n"
    write_agency(tmp_path, "so-thu", MINIMAL_AGENCY.format(id="so-thu") + page)
    (tmp_path / "so-thu").mkdir()
    (tmp_path / "so-thu" / ".nhap.md").write_text("Nội dung.\n", encoding="utf-8")
    assert [(code, line, column) for code, line, column, _ in _errors(tmp_path)] == [("hidden_file_name", 11, 11)]


def test_the_line_of_the_first_undecodable_byte_is_named(tmp_path: Path):
    _agency_with_page(tmp_path, "Một\nHai\n".encode("utf-8") + "Ba “windows-1258”\n".encode("windows-1258"))
    [(_, _, _, message)] = _errors(tmp_path)
    assert "dòng 3" in message


def test_a_bom_and_utf8_page_is_fine(tmp_path: Path):
    _agency_with_page(tmp_path, "\ufeff# Giới thiệu\n\nNội dung.\n".encode("utf-8"))
    assert _errors(tmp_path) == []
