"""Text from YAML is data: it reaches the reader as literal characters, never as markup or code."""

from __future__ import annotations

import html
import re
import textwrap
from pathlib import Path

import pytest

from generator.build import build_all
from generator.render import TEMPLATES, html_text, sanitized_markdown
from tests.conftest import MINIMAL_AGENCY, ROOT, build_options, write_agency
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
def test_html_text_escapes_what_html_needs_and_nothing_else(text):
    encoded = str(html_text(text))
    assert not set(encoded.replace("&amp;", "").replace("&lt;", "").replace("&gt;", "").replace("&quot;", "")) & set("<>&\"")
    assert html.unescape(encoded) == text
    assert not re.search(r"&#", encoded)  # no numeric references: page source reads as it is written
    assert encoded == text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def test_every_template_quotes_its_attributes_with_double_quotes():
    """html_text leaves ' as it is, which is safe only where no attribute is single-quoted or unquoted."""
    templates = [*TEMPLATES.rglob("*.j2"), *(ROOT / "theme").rglob("*.html")]
    for template in templates:
        source = template.read_text(encoding="utf-8")
        markup = re.sub(r"\{[{%#].*?[}%#]\}", "X", source, flags=re.S)  # Jinja's own quotes are not HTML
        for tag in re.findall(r"<[a-zA-Z][^<>]*>", markup):
            assert not re.search(r"\s[\w:-]+='", tag), f"{template.name}: single-quoted attribute in {tag}"
        assert not re.search(r"=\{\{", source), f"{template.name}: an unquoted attribute value"


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


NUMERIC_REFERENCE = re.compile(r"&#(x[0-9a-fA-F]+|[0-9]+);")


@pytest.mark.slow
def test_no_built_page_writes_an_ascii_character_as_a_numeric_reference(demo_site: Path):
    """`&#45;` for "-" and the like: HTML needs none (&, <, > and " have named references)."""
    found = {}
    for page in sorted(demo_site.rglob("*.html")):
        for match in NUMERIC_REFERENCE.finditer(page.read_text(encoding="utf-8")):
            value = match[1]
            code = int(value[1:], 16) if value.startswith("x") else int(value)
            if code < 128:
                found.setdefault(page.relative_to(demo_site).as_posix(), set()).add(match[0])
    assert found == {}
