"""The loader is bounded and never crashes: hostile sizes, nesting, aliases, characters, encodings and tags.

Every test runs with libyaml and with the pure-Python parser (`parser` fixture), which must agree.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from bench.large import alias_bomb, large_agency_yaml
from generator import load
from generator.diagnostics import Diagnostic
from generator.i18n import load_messages
from generator.load import load_bytes, load_file
from tests.conftest import AGENCIES, MINIMAL_AGENCY, ROOT

CORPUS = Path(__file__).parent / "corpus"
PURE_PYTHON_DIFFERS = {
    "tab-in-value.yaml": "PyYAML's pure-Python scanner stops at a tab inside a plain scalar (a syntax error there); "
                         "libyaml reads it, as YAML 1.2 allows",
}
NEW_CODES = ["file_too_large", "wide_encoding", "unsafe_character", "tab_indent", "too_deep", "too_many_nodes",
             "too_many_items", "too_many_problems", "yaml_anchor", "yaml_alias", "merge_key", "multiple_documents",
             "tag_mismatch", "bad_tagged_value", "value_in_comment", "date_out_of_range"]
BIDI = ["\u061c", "\u200e", "\u200f", "\u202a", "\u202b", "\u202c", "\u202d", "\u202e",
        "\u2066", "\u2067", "\u2068", "\u2069"]
ZERO_WIDTH = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"]
CONTROLS = ["\x00", "\x01", "\x08", "\x0b", "\x0c", "\x0e", "\x1b", "\x1f", "\x7f", "\x80", "\x85", "\x9f"]
NONCHARACTERS = ["\ufdd0", "\ufdef", "\ufffe", "\uffff", "\U0001fffe", "\U0010ffff"]


@pytest.fixture(params=["libyaml", "python"])
def parser(request, monkeypatch) -> str:
    if request.param == "libyaml" and not yaml.__with_libyaml__:
        pytest.skip("PyYAML built without libyaml")
    monkeypatch.setattr(load, "USE_LIBYAML", request.param == "libyaml")
    return request.param


def loaded(text: str | bytes):
    raw = text if isinstance(text, bytes) else text.encode("utf-8", "surrogatepass")
    return load_bytes(Path("agencies/x.yaml"), raw)


def found(text: str | bytes) -> list[tuple[str, int, int]]:
    return [(d.code, d.line, d.column) for d in loaded(text).diagnostics]


def agency(extra: str = "") -> str:
    return MINIMAL_AGENCY.format(id="x") + extra


# ---------------------------------------------------------------- both parsers, same answer

@pytest.mark.skipif(not yaml.__with_libyaml__, reason="PyYAML built without libyaml")
@pytest.mark.parametrize("path", sorted(AGENCIES.glob("*.yaml")), ids=lambda p: p.name)
def test_libyaml_and_pure_python_give_the_same_data_and_positions(path, monkeypatch):
    results = []
    for use_libyaml in (True, False):
        monkeypatch.setattr(load, "USE_LIBYAML", use_libyaml)
        doc = load_file(path)
        results.append((doc.data, doc.positions, doc.key_positions, doc.diagnostics))
    assert results[0] == results[1]
    assert results[0][1] and not results[0][3]


@pytest.mark.skipif(not yaml.__with_libyaml__, reason="PyYAML built without libyaml")
@pytest.mark.parametrize("path", [p for p in sorted(CORPUS.glob("*/*.yaml")) if p.name != "expect.yaml"],
                         ids=lambda p: f"{p.parent.name}/{p.name}")
def test_both_parsers_report_corpus_cases_at_the_same_places(path, monkeypatch):
    if path.name in PURE_PYTHON_DIFFERS:
        pytest.xfail(PURE_PYTHON_DIFFERS[path.name])
    results = []
    for use_libyaml in (True, False):
        monkeypatch.setattr(load, "USE_LIBYAML", use_libyaml)
        results.append([(d.code, d.line, d.column) for d in load_file(path).diagnostics])
    assert results[0] == results[1]


def test_the_pure_python_parser_is_used_when_switched_off(monkeypatch):
    monkeypatch.setattr(load, "USE_LIBYAML", False)
    assert isinstance(load._parser("a: 1\n"), load._PythonParser)


# ---------------------------------------------------------------- limits

def test_a_file_over_the_size_limit_is_refused_without_reading_it_all(tmp_path, parser):
    path = tmp_path / "big.yaml"
    path.write_bytes(b"a: " + b"x" * (20 * 1024 * 1024) + b"\n")
    doc = load_file(path)
    assert [(d.code, d.line, d.column) for d in doc.diagnostics] == [("file_too_large", 1, 1)]
    assert doc.data is None


@pytest.mark.slow  # a real-size file: seconds
def test_a_real_size_catalog_of_20000_entries_is_within_every_limit():
    text = large_agency_yaml("lon", 20_000)
    assert 7 * 1024 * 1024 < len(text.encode()) < load.MAX_FILE_BYTES
    doc = loaded(text)
    assert doc.diagnostics == [] and len(doc.data["catalog"]) == 20_000


@pytest.mark.parametrize(("text", "column"), [
    ("a: " + "[" * 10_000 + "]" * 10_000, 4 + 63),
    ("a: " + "{b: " * 10_000 + "1" + "}" * 10_000, 4 + 63 * 4),
    ("- " * 10_000 + "x", 1 + 64 * 2),
    ("a:\n" + "".join(" " * i + f"k{i}:\n" for i in range(1, 200)), None),
], ids=["flow-lists", "flow-mappings", "block-lists", "block-mappings"])
def test_deep_nesting_is_refused_at_the_level_over_the_limit(text, column, parser):
    diagnostics = found(text + "\n")
    if column is None:  # the 64th key nests the 65th mapping; it starts on its own line
        assert diagnostics == [("too_deep", 65, 65)]
    else:
        assert diagnostics == [("too_deep", 1, column)]


def test_nesting_up_to_the_limit_is_read(parser):
    doc = loaded("a: " + "[" * 63 + "1" + "]" * 63 + "\n")
    assert doc.diagnostics == []


def test_a_list_over_the_item_limit_is_refused_at_the_first_item_too_many(parser, monkeypatch):
    monkeypatch.setattr(load, "MAX_ITEMS", 10)
    assert found("a: [" + "1, " * 10 + "1]\n") == [("too_many_items", 1, 5 + 10 * 3)]
    assert found("".join(f"k{i}: 1\n" for i in range(11))) == [("too_many_items", 11, 1)]
    assert found("a: [" + "1, " * 9 + "1]\n") == []


def test_the_default_limits_leave_room_for_20000_fully_filled_entries():
    # an entry with every one of its 16 fields filled is 35 nodes: the mapping, 16 keys, 16 values, 2 forms
    assert load.MAX_ITEMS >= 5 * 20_000 and load.MAX_NODES >= 20_000 * 35


def test_a_file_over_the_node_limit_is_refused(parser, monkeypatch):
    monkeypatch.setattr(load, "MAX_NODES", 50)
    text = "".join(f"- [{', '.join(['1'] * 9)}]\n" for _ in range(10))
    # the root list, then 10 nodes a row (the list and its 9 items): the 51st node is row 5's last item
    assert found(text) == [("too_many_nodes", 5, 28)]


def test_problems_stop_at_the_limit_with_a_last_word(parser):
    diagnostics = found("".join(f"k{i}: *a\n" for i in range(load.MAX_PROBLEMS + 50)))
    assert len(diagnostics) == load.MAX_PROBLEMS + 1
    assert diagnostics[-1] == ("too_many_problems", load.MAX_PROBLEMS + 1, 1 + len(f"k{load.MAX_PROBLEMS}: "))


BOMB = alias_bomb()


def test_an_alias_bomb_is_refused_in_a_small_child_process():
    script = (
        "import json, resource, sys\n"
        "from pathlib import Path\n"
        "from generator.load import load_bytes\n"
        "doc = load_bytes(Path('bomb.yaml'), sys.stdin.buffer.read())\n"
        "print(json.dumps({'codes': sorted({d.code for d in doc.diagnostics}), 'data': doc.data,\n"
        "                  'rss_kb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))\n"
    )
    assert len(BOMB) < 1500
    # Linux carries the parent's peak RSS into a child's ru_maxrss across fork and exec: a small Python in
    # between makes the child start from its size, not from this test process's.
    spawn = "import subprocess, sys; sys.exit(subprocess.run(sys.argv[1:]).returncode)"
    result = subprocess.run([sys.executable, "-c", spawn, sys.executable, "-c", script], input=BOMB.encode(),
                            capture_output=True, cwd=ROOT, timeout=60, check=True)
    outcome = json.loads(result.stdout)
    assert outcome["codes"] == ["yaml_alias", "yaml_anchor"]  # refused by the loader's own rule, not by a crash
    assert outcome["data"]["i"] == [None] * 9  # nothing an alias names was ever expanded
    assert outcome["rss_kb"] < 100 * 1024


def test_a_recursive_alias_is_refused(parser):
    assert found("a: &a [*a]\n") == [("yaml_anchor", 1, 4), ("yaml_alias", 1, 8)]
    assert found("a: &a {b: *a}\n") == [("yaml_anchor", 1, 4), ("yaml_alias", 1, 11)]


# ---------------------------------------------------------------- characters

@pytest.mark.parametrize("char", CONTROLS + BIDI + ZERO_WIDTH + NONCHARACTERS, ids=lambda c: f"U+{ord(c):04X}")
def test_a_refused_character_written_raw_is_reported_at_its_own_place(char, parser):
    doc = loaded(f"name: Sở\naddress: Số 1{char} đường\n")
    assert [(d.code, d.line, d.column, d.params["char"]) for d in doc.diagnostics] == [
        ("unsafe_character", 2, 14, f"U+{ord(char):04X}")]
    assert doc.data is None


@pytest.mark.parametrize("char", BIDI + ZERO_WIDTH, ids=lambda c: f"U+{ord(c):04X}")
def test_a_refused_character_in_a_key_is_reported_there_too(char, parser):
    assert found(f"id: x\nna{char}me: Sở\n") == [("unsafe_character", 2, 3)]


@pytest.mark.parametrize("escape", [r"\u202E", r"\u200b", r"\uFEFF", r"\u2066", r"\ud800", r"\udfff", r"\x01", r"\0",
                                    r"\a", r"\e", r"\x7f", r"\N", r"\x9B", r"\uFFFE", r"\U0010FFFF"])
def test_a_refused_character_written_as_an_escape_is_reported_at_the_escape(escape, parser):
    text = f'id: x\nname: "Sở Tư pháp {escape} tỉnh"\n'
    diagnostics = loaded(text).diagnostics
    named = {"0": 0, "a": 7, "e": 27, "N": 0x85}
    code_point = named[escape[1:]] if escape[1:] in named else int(escape[2:], 16)
    assert [(d.code, d.line, d.column, d.params["char"]) for d in diagnostics] == [
        ("unsafe_character", 2, 19, f"U+{code_point:04X}")]


def test_an_escaped_key_is_shown_with_its_character_spelled_out(parser):
    doc = loaded('"k\\u200b": 1\n"s\\ud800": 2\n')
    assert [(d.line, d.column, d.field_path) for d in doc.diagnostics][:1] == [(1, 3, "k<U+200B>")]


def test_allowed_characters_stay(parser):
    text = "a: \"Sở\\tTư\\npháp — “Đà Nẵng” ☎ 😀 \\u00e9\"\nb: \"có\tdấu\"\n"
    doc = loaded(text)
    assert doc.diagnostics == [] and doc.data == {"a": "Sở\tTư\npháp — “Đà Nẵng” ☎ 😀 é", "b": "có\tdấu"}


def test_a_bom_at_the_start_is_accepted_but_not_a_second_one(parser):
    assert found(b"\xef\xbb\xbfa: 1\n") == []
    assert found(b"\xef\xbb\xbf\xef\xbb\xbfa: 1\n") == [("unsafe_character", 1, 1)]


# ---------------------------------------------------------------- encodings

@pytest.mark.parametrize(("codec", "bom", "name"), [
    ("utf-16-le", b"\xff\xfe", "UTF-16"), ("utf-16-be", b"\xfe\xff", "UTF-16"), ("utf-16-le", b"", "UTF-16"),
    ("utf-16-be", b"", "UTF-16"), ("utf-32-le", b"\xff\xfe\x00\x00", "UTF-32"),
    ("utf-32-be", b"\x00\x00\xfe\xff", "UTF-32"), ("utf-32-le", b"", "UTF-32"), ("utf-32-be", b"", "UTF-32"),
])
def test_utf16_and_utf32_are_named(codec, bom, name, parser):
    doc = loaded(bom + agency().encode(codec))
    assert [(d.code, d.line, d.column, d.params) for d in doc.diagnostics] == [
        ("wide_encoding", 1, 1, {"encoding": name})]
    assert name in Diagnostic("x", 1, 1, "wide_encoding", params={"encoding": name}).format(load_messages("en"))


def test_a_bad_byte_is_located_in_characters_not_bytes(parser):
    assert found("id: x\nname: Sở ".encode() + b"\xff\n") == [("not_utf8", 2, 10)]
    assert found("id: x\nname: Sơ\u0309".encode("cp1258") + b"\n") == [("not_utf8", 2, 8)]


def test_crlf_line_ends_give_the_same_data_and_positions(parser):
    text = "id: x\ncontact_point:\n  unit: Văn phòng\n  people: [a, b]\n"
    lf, crlf = loaded(text), loaded(text.replace("\n", "\r\n"))
    assert (lf.data, lf.positions, lf.key_positions) == (crlf.data, crlf.positions, crlf.key_positions)
    assert crlf.diagnostics == []


def test_a_tab_used_as_indentation_has_its_own_message(parser):
    assert found("a:\n\tb: 1\n") == [("tab_indent", 2, 1)]
    assert found("a:\n  b:\n  \tc: 1\n") == [("tab_indent", 3, 3)]


# ---------------------------------------------------------------- tags

@pytest.mark.parametrize(("written", "value"), [
    ("!!str 12", "12"), ("!!str true", "true"), ('!!int "12"', 12), ("!!int 0x1F", 31), ("!!int -7", -7),
    ("!!float 1", 1.0), ("!!float 2.5e3", 2500.0), ("!!float .inf", math.inf), ('!!bool "false"', False),
    ("!!bool TRUE", True), ("!!null ~", None), ('!!null ""', None), ("!!timestamp 2024-01-15", dt.date(2024, 1, 15)),
    ("!!map {a: 1}", {"a": 1}), ("!!seq [1]", [1]), ("! 12", "12"),
])
def test_a_good_value_reads_as_its_tags_type(written, value, parser):
    doc = loaded(f"v: {written}\n")
    assert doc.diagnostics == [] and doc.data == {"v": value}


@pytest.mark.parametrize(("written", "code"), [
    ('!!bool "có"', "bad_tagged_value"), ("!!bool yes", "bad_tagged_value"), ("!!bool 1", "bad_tagged_value"),
    ('!!int "abc"', "bad_tagged_value"), ("!!int 1.5", "bad_tagged_value"), ("!!float x", "bad_tagged_value"),
    ("!!float 0x1F", "bad_tagged_value"), ("!!null x", "bad_tagged_value"), ("!!timestamp x", "bad_tagged_value"),
    ("!!timestamp 2024-02-30", "impossible_date"), ("!!str [a]", "tag_mismatch"), ("!!int {a: 1}", "tag_mismatch"),
    ("!!map [a]", "tag_mismatch"), ("!!seq abc", "tag_mismatch"), ("!!map abc", "tag_mismatch"),
    ("!!binary aGk=", "unsupported_tag"), ("!!set {a}", "unsupported_tag"), ("!!omap [a: 1]", "unsupported_tag"),
    ("!!python/object:os.system x", "unsupported_tag"), ("!!python/object/apply:os.system [ls]", "unsupported_tag"),
    ("!foo x", "unsupported_tag"), ("!<tag:example.com,2024:x> y", "unsupported_tag"),
])
def test_a_tag_that_does_not_fit_is_an_error_at_the_value(written, code, parser):
    doc = loaded(f"id: x\nv: {written}\n")
    assert [(d.code, d.line, d.column, d.field_path) for d in doc.diagnostics] == [(code, 2, 4, "v")]


def test_a_bool_tag_never_turns_text_into_false(parser):
    doc = loaded('v: !!bool "có"\n')
    assert doc.data["v"] is not False


def test_a_number_with_too_many_digits_is_an_error_not_a_crash(parser):
    assert found("n: " + "9" * 5000 + "\n") == [("bad_tagged_value", 1, 4)]


def test_tags_are_shown_the_way_they_are_written(parser):
    doc = loaded("a: !!set {b}\nc: !foo d\n")
    assert [d.params["tag"] for d in doc.diagnostics] == ["!!set", "!foo"]


# ---------------------------------------------------------------- structure

@pytest.mark.parametrize("text", ["", "\n\n", "# chỉ chú thích\n", "~\n", "---\n", "null\n", "---\n...\n",
                                  "--- ~\n"])
def test_an_empty_file_is_never_silently_valid(text, parser):
    assert found(text) == [("empty_file", 1, 1)]


@pytest.mark.parametrize("text", ["a: [1", "a: {b: 1", 'a: "x', "a: 'x", "- [", "a: b: c"])
def test_a_syntax_error_at_the_very_end_of_a_file_without_a_last_line_break_is_reported(text, parser):
    assert [code for code, _, _ in found(text)] == ["yaml_syntax"]


def test_a_second_document_is_refused_at_its_line(parser):
    assert found("a: 1\n---\nb: 2\n") == [("multiple_documents", 2, 1)]
    assert found("---\na: 1\n...\n# x\n--- b: [\n") == [("multiple_documents", 5, 1)]


def test_merge_keys_have_their_own_message(parser):
    doc = loaded("base: {a: 1}\nc:\n  <<: {a: 1}\n  b: 2\n")
    assert [(d.code, d.line, d.column) for d in doc.diagnostics] == [("merge_key", 3, 3)]
    assert doc.data == {"base": {"a": 1}, "c": {"b": 2}}
    assert found('c:\n  "<<": 1\n') == []  # quoted, it is just a (then unknown) field name


def test_anchors_and_aliases_are_refused_where_written(parser):
    doc = loaded("a: &x 1\nb: *x\nc: [*x, 2]\n*x : 3\n")
    assert [(d.code, d.line, d.column) for d in doc.diagnostics] == [
        ("yaml_anchor", 1, 4), ("yaml_alias", 2, 4), ("yaml_alias", 3, 5), ("yaml_alias", 4, 1)]
    assert doc.data == {"a": 1, "c": [None, 2]}  # list items keep the file's numbering


def test_complex_keys_are_still_errors_and_the_rest_is_read(parser):
    doc = loaded("? [a, b]\n: c\nd: 1\n? {e: 1}\n: {f: [2]}\n")
    assert [(d.code, d.line, d.column) for d in doc.diagnostics] == [("complex_key", 1, 3), ("complex_key", 4, 3)]
    assert doc.data == {"d": 1}


def test_a_value_eaten_by_a_comment_is_reported_with_the_quoted_fix(parser):
    doc = loaded("id: x\nbrand_color: #1a4d8f\n")
    assert [(d.code, d.line, d.column, d.field_path) for d in doc.diagnostics] == [
        ("value_in_comment", 2, 14, "brand_color")]
    message = doc.diagnostics[0].format(load_messages("en"))
    assert 'put it in quotes: brand_color: "#1a4d8f"' in message
    assert 'brand_color: "#1a4d8f"' in doc.diagnostics[0].format(load_messages("vi"))


@pytest.mark.parametrize("text", [
    "a: # a comment\n", "a:   #\n", "a: #x\n  b: 1\n", "a: #x\n  - 1\n", "a: '#1a4d8f'\n", "a: b #c\n", "a: ~ #c\n",
])
def test_real_comments_are_left_alone(text, parser):
    assert [c for c, _, _ in found(text)] == []


def test_a_value_eaten_by_a_comment_in_a_nested_mapping_and_with_crlf(parser):
    assert found("a:\n  b: #x y\r\n") == [("value_in_comment", 2, 6)]


@pytest.mark.parametrize(("text", "code"), [
    ("9999-12-31", "date_out_of_range"), ("1899-12-31", "date_out_of_range"), ("2101-01-01", "date_out_of_range"),
    ("0001-01-01", "date_out_of_range"), ("2023-02-30", "impossible_date"), ("2024-00-10", "impossible_date"),
])
def test_dates_outside_the_plausible_range_or_impossible_are_errors(text, code, parser):
    assert found(f"d: {text}\n") == [(code, 1, 4)]


def test_dates_at_the_edges_of_the_range_are_read(parser):
    assert loaded("a: 1900-01-01\nb: 2100-12-31\n").data == {"a": dt.date(1900, 1, 1), "b": dt.date(2100, 12, 31)}


# ---------------------------------------------------------------- messages

@pytest.mark.parametrize("code", NEW_CODES)
def test_every_new_message_exists_in_both_languages_with_its_fix(code):
    params = {"limit": 64, "encoding": "UTF-16", "char": "U+202E", "anchor": "a", "tag": "!!bool", "value": "có",
              "key": "brand_color", "first": "1900-01-01", "last": "2100-12-31"}
    vi = Diagnostic("x.yaml", 1, 1, code, params=params).format(load_messages("vi"))
    en = Diagnostic("x.yaml", 1, 1, code, params=params).format(load_messages("en"))
    assert "Cách sửa: " in vi and "Fix: " in en and not re.search(r"\{[a-z_]+\}", vi + en)
    assert load_messages("en")._messages.get(f"error.{code}"), "missing from en.yaml"


def test_the_new_messages_sit_together_after_unsupported_tag():
    for lang in ("vi", "en"):
        keys = [line.split(":")[0].strip() for line in (ROOT / "generator" / "messages" / f"{lang}.yaml")
                .read_text(encoding="utf-8").splitlines() if line.startswith("  ") and ":" in line]
        start = keys.index("unsupported_tag") + 1
        assert keys[start:start + len(NEW_CODES)] == NEW_CODES, lang
