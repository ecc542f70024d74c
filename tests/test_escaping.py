"""Text from YAML is data: it reaches the reader as literal characters, never as markup or code."""

from __future__ import annotations

import html
import re
import textwrap
from pathlib import Path

import pytest

from generator.build import build_all
from generator.render import escape_text, sanitized_markdown
from tests.conftest import MINIMAL_AGENCY, build_options, write_agency
from tests.htmlscan import read

HOSTILE = [
    "<script>alert(1)</script>",
    "Cột | tách | bảng",
    "*nghiêng* và **đậm** _gạch_",
    "[x](javascript:alert(1))",
    "{{ x }} {% if %} {#",
    "# không phải tiêu đề",
    "1. không phải danh sách",
    "- cũng không",
    "a\\b `code` ~~gạch~~ ==đánh dấu== {: .lop }",
    "Dòng một\n\nDòng hai",
    "&amp; &lt; \" '",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_escape_text_leaves_no_significant_character_unencoded(text):
    encoded = str(escape_text(text))
    outside_references = re.sub(r"&#\d+;", "", encoded)
    assert not set(outside_references) & set("<>&*_[]()|{}`\\#\n~=!")
    assert html.unescape(encoded) == text


def _yaml_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


@pytest.mark.slow
def test_hostile_titles_come_out_as_that_literal_text(tmp_path: Path):
    entries = "".join(
        f"  - {{id: e{i}, title: {_yaml_string(t)}, number: {_yaml_string(t)}, created: 2024-01-01, clause: a,"
        f" forms: [portal], disclosed: 2024-01-02}}\n"
        for i, t in enumerate(HOSTILE)
    )
    agencies = tmp_path / "agencies"
    write_agency(agencies, "so-thu", MINIMAL_AGENCY.format(id="so-thu").replace(
        "name: Sở Thử nghiệm", f"name: {_yaml_string(HOSTILE[0] + ' ' + HOSTILE[1])}") + "catalog:\n" + entries)
    out = tmp_path / "site"
    build_all(build_options(agencies, out))

    page = read(out / "so-thu" / "danh-muc-cong-khai.html")
    html = (out / "so-thu" / "danh-muc-cong-khai.html").read_text(encoding="utf-8")
    for i, text in enumerate(HOSTILE):
        row = page.texts[f"e{i}"]
        assert row.startswith(text.strip()), (text, row)
    assert "<script>alert" not in html
    assert 'href="javascript:' not in html
    overview = read(out / "so-thu" / "index.html")
    assert overview.texts["tong-quan"].strip() == f"{HOSTILE[0]} {HOSTILE[1]}"


def test_markdown_fields_are_rendered_then_sanitized():
    html = str(sanitized_markdown(textwrap.dedent("""\
        Giới thiệu **ngắn** với [liên kết](https://example.gov.vn) và [mồi](javascript:alert(1)).

        <script>alert(1)</script>
        <img src=x onerror=alert(1)>

        - một
        - hai
        """)))
    assert "<strong>ngắn</strong>" in html
    assert 'href="https://example.gov.vn"' in html
    assert "javascript:" not in html
    assert "<script" not in html and "onerror" not in html and "<img" not in html
    assert "<li>một</li>" in html
