"""The loader reads exactly what an editor sees, and says where anything is off."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from generator.load import load_bytes


def load(text: str | bytes):
    raw = text.encode("utf-8") if isinstance(text, str) else text
    return load_bytes(Path("agencies/x.yaml"), raw)


def codes(doc) -> list[tuple[str, int, int]]:
    return [(d.code, d.line, d.column) for d in doc.diagnostics]


def test_only_true_and_false_are_booleans():
    doc = load("a: yes\nb: no\nc: on\nd: true\ne: False\n")
    assert doc.data == {"a": "yes", "b": "no", "c": "on", "d": True, "e": False}


def test_numbers_that_look_like_times_or_octals_stay_text():
    doc = load("hours: 7:30\nphone: 0123\nhex: 0x1F\n")
    assert doc.data == {"hours": "7:30", "phone": 123, "hex": 31}
    # 0123 is the decimal 123 in YAML 1.2 (not octal 83); the model then rejects a number
    # where a phone string is due, with a hint to quote it.


def test_iso_dates_become_dates_and_impossible_ones_are_errors():
    doc = load("created: 2024-12-04\nbad: 2023-02-30\nquoted: '2024-01-01'\n")
    assert doc.data["created"] == dt.date(2024, 12, 4)
    assert doc.data["quoted"] == "2024-01-01"
    assert codes(doc) == [("impossible_date", 2, 6)]


def test_duplicate_keys_are_reported_with_both_lines_and_the_first_value_is_kept():
    doc = load("id: a\nname: X\nname: Y\n")
    assert doc.data["name"] == "X"
    assert codes(doc) == [("duplicate_key", 3, 1)]
    assert doc.diagnostics[0].params["first_line"] == 2


def test_every_problem_is_collected_not_only_the_first():
    doc = load("a: 1\na: 2\nnested:\n  b: 2023-13-01\n  b: x\n")
    assert sorted(c for c, _, _ in codes(doc)) == ["duplicate_key", "duplicate_key", "impossible_date"]


def test_a_byte_order_mark_is_accepted():
    doc = load(b"\xef\xbb\xbfname: S\xe1\xbb\x9f\n")
    assert doc.data == {"name": "Sở"}
    assert doc.diagnostics == []


def test_non_utf8_is_an_error_at_the_bad_byte():
    doc = load("name: ok\nother: ".encode() + "Sở".encode("cp1258", errors="replace") + b"\xff\n")
    assert [(c, line) for c, line, _ in codes(doc)] == [("not_utf8", 2)]


def test_syntax_errors_have_a_position():
    doc = load("a: [1, 2\nb: 3\n")
    assert [c for c, _, _ in codes(doc)] == ["yaml_syntax"]
    assert doc.diagnostics[0].line >= 1


def test_positions_are_recorded_for_nested_values():
    doc = load("catalog:\n  - id: x\n    title: T\n")
    assert doc.position(("catalog", 0, "title")) == (3, 12)
    assert doc.position(("catalog", 0, "missing")) == (2, 5)  # falls back to the nearest parent
