"""Stage 1 — load: bytes of one agency file → plain Python data, with the position of every node.

Stricter than yaml.safe_load, so that what an editor sees is what the generator reads:
- YAML 1.2 booleans: only true/false (yes/no/on/off stay strings, and fail where a boolean is due);
- no sexagesimal or octal surprises (`7:30` and `0123` stay strings);
- duplicate keys are errors, not "last one wins";
- `YYYY-MM-DD` becomes a date, and an impossible or far-off date (2023-02-30, 9999-12-31) is an error;
- the file must be UTF-8 (a BOM is accepted), without invisible or control characters;
- a tag must fit its value (`!!bool "có"` is an error, not false); anchors, aliases and merge keys are refused;
- one document per file, never empty.
Every problem is collected, none stops the walk, so an editor sees them all at once — except the
limits below: a file over one of them is refused at once, in bounded time and memory, whatever it holds.

Data is built straight from parse events by a loop (not PyYAML's recursive composer), so nesting
depth is checked before it can exhaust the stack, and nothing an alias points to is ever expanded.
"""

from __future__ import annotations

import datetime as dt
import gc
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from heapq import merge
from itertools import islice
from pathlib import Path
from typing import Any

import yaml

from generator.diagnostics import Diagnostic, display_path, format_field_path

MAX_FILE_BYTES = 16 * 1024 * 1024  # a real 20,000-entry catalog is ~8 MB
MAX_DEPTH = 64  # agency files nest 4 levels deep; far deeper is a mistake or an attack
MAX_NODES = 1_000_000  # 20,000 entries with every field filled are ~700,000 nodes
MAX_ITEMS = 100_000  # items of one list, or fields of one mapping
MAX_PROBLEMS = 100  # problems the loader reports per file before it stops reading
FIRST_DATE, LAST_DATE = dt.date(1900, 1, 1), dt.date(2100, 12, 31)

# libyaml is ~10× faster on large catalogs; the pure-Python parser gives the same events and marks.
USE_LIBYAML: bool = yaml.__with_libyaml__


class _PythonParser(yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser):
    def __init__(self, stream: str):
        yaml.reader.Reader.__init__(self, stream)
        yaml.scanner.Scanner.__init__(self)
        yaml.parser.Parser.__init__(self)


def _parser(text: str) -> Any:
    if USE_LIBYAML:
        from yaml._yaml import CParser

        return CParser(text)
    return _PythonParser(text)


Location = tuple[str | int, ...]

_CORE = "tag:yaml.org,2002:"
_BOOL, _INT, _FLOAT, _NULL = _CORE + "bool", _CORE + "int", _CORE + "float", _CORE + "null"
_DATE, _STR, _MAP, _SEQ = _CORE + "timestamp", _CORE + "str", _CORE + "map", _CORE + "seq"

# The YAML 1.2 core schema, plus plain ISO dates; an explicit tag's value must match its pattern too.
_PATTERNS = {
    _BOOL: re.compile(r"(?:true|True|TRUE|false|False|FALSE)"),
    _INT: re.compile(r"(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)"),
    _FLOAT: re.compile(
        r"(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))"
    ),
    _NULL: re.compile(r"(?:~|null|Null|NULL|)"),
    _DATE: re.compile(r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}"),
}
_IMPLICIT: dict[str, list[str]] = {}
# Dates first: a date never matches a number pattern, and catalogs are full of dates.
for _tag, _first in (
    (_DATE, "0123456789"),
    (_BOOL, "tTfF"),
    (_INT, "-+0123456789"),
    (_FLOAT, "-+.0123456789"),
    (_NULL, ["~", "n", "N", ""]),
):
    for _char in _first:
        _IMPLICIT.setdefault(_char, []).append(_tag)

# Characters no agency text needs and that hide or reorder what an editor sees: C0/C1 controls and DEL
# (tab and line breaks aside), bidi controls, zero-width characters, lone surrogates and noncharacters.
_UNSAFE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200b-\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff"
    "\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff]"
)
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")  # noncharacters beyond U+FFFF are U+1FFFE, U+1FFFF, …
# `key: #1a4d8f` — the rest of the line after the colon is a comment that looks like a value.
_EATEN_VALUE = re.compile(r"\s*:\s+(#\S.*?)\s*$")
# Double-quoted escapes that can write such a character (\\N is U+0085, a C1 control).
_ESCAPE = re.compile(r"\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[0abtnvfreN])")
_NAMED_ESCAPES = {"0": 0, "a": 7, "b": 8, "t": 9, "n": 10, "v": 11, "f": 12, "r": 13, "e": 27, "N": 0x85}
_WIDE_BOMS = (
    (b"\xff\xfe\x00\x00", "UTF-32"),
    (b"\x00\x00\xfe\xff", "UTF-32"),
    (b"\xff\xfe", "UTF-16"),
    (b"\xfe\xff", "UTF-16"),
)
_WIDE_STARTS = tuple(
    (re.compile(pattern, re.DOTALL), name)
    for pattern, name in (
        (rb"[^\x00]\x00\x00\x00", "UTF-32"),
        (rb"\x00\x00\x00[^\x00]", "UTF-32"),
        (rb"[^\x00]\x00[^\x00]\x00", "UTF-16"),
        (rb"\x00[^\x00]\x00[^\x00]", "UTF-16"),
    )
)


@dataclass
class LoadedDocument:
    """One agency file as data; `positions` maps each field path to its (line, column), 1-based."""

    path: Path
    data: Any
    positions: dict[Location, tuple[int, int]] = field(default_factory=dict)
    key_positions: dict[Location, tuple[int, int]] = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    # Both tables as positions_text() gives them, read the first time a position is asked for: a build
    # reads 5,000 validation records back (generator/validate.py) and asks for positions only in the
    # few files a message names (the tables are ~500,000 small lists at that scale).
    stored_positions: str | None = None

    @property
    def shown_path(self) -> str:
        return display_path(self.path)

    def positions_text(self) -> str:
        """Both position tables as JSON text (stored_positions reads it back)."""
        if self.stored_positions is not None:
            return self.stored_positions
        tables = [[[list(loc), *at] for loc, at in table.items()] for table in (self.positions, self.key_positions)]
        return json.dumps(tables, ensure_ascii=False, separators=(",", ":"))

    def _read_stored_positions(self) -> None:
        text, self.stored_positions = self.stored_positions, None
        try:
            positions, keys = json.loads(text or "[[], []]")
            self.positions = {tuple(loc): (int(line), int(column)) for loc, line, column in positions}
            self.key_positions = {tuple(loc): (int(line), int(column)) for loc, line, column in keys}
        except (TypeError, ValueError):  # a damaged record: its messages point at the file's start
            self.positions, self.key_positions = {}, {}

    def position(self, loc: Location, *, key: bool = False) -> tuple[int, int]:
        """The closest known position: the node itself, else its nearest ancestor."""
        if self.stored_positions is not None:
            self._read_stored_positions()
        table = self.key_positions if key and loc in self.key_positions else self.positions
        for end in range(len(loc), -1, -1):
            if loc[:end] in table:
                return table[loc[:end]]
        return (1, 1)

    def diagnostic(self, loc: Location, code: str, *, key: bool = False, **params: Any) -> Diagnostic:
        line, column = self.position(loc, key=key)
        return Diagnostic(self.shown_path, line, column, code, format_field_path(loc), params)


def load_file(path: Path) -> LoadedDocument:
    return load_bytes(path, read_limited(path))


def read_limited(path: Path) -> bytes:
    """The file's bytes, never more than one past the limit in memory, however large the file:
    load_bytes refuses a file over the limit without having read it all."""
    with path.open("rb") as stream:
        return stream.read(MAX_FILE_BYTES + 1)


def load_bytes(path: Path, raw: bytes) -> LoadedDocument:
    doc = LoadedDocument(path=path, data=None)
    text = _decode(doc, raw)
    if text is None:
        return doc
    unsafe = [_unsafe_character(doc, text, index) for index in islice(_unsafe_indexes(text), MAX_PROBLEMS)]
    if unsafe:  # PyYAML's reader would stop at the first control character anyway
        doc.diagnostics.extend(unsafe)
        return doc
    builder = _Builder(doc, text)
    parser = _parser(text)
    try:
        with without_collections():  # the builder makes ~1 million tuples and dicts, and no cycles
            doc.data = builder.run(parser)
    except _Refused as refusal:
        doc.diagnostics.append(refusal.diagnostic)
    except yaml.MarkedYAMLError as error:
        doc.diagnostics.append(_syntax_error(doc, text, error))
    finally:
        parser.dispose()
    return doc


@contextmanager
def without_collections() -> Iterator[None]:
    """No garbage collection meanwhile, for work that makes many objects and no reference cycles:
    each collection would look at every object made so far and free nothing (reading 5,000
    validation records back spent half its time so)."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


class _Refused(Exception):
    """A file over a limit: reading stops here, with this diagnostic."""

    def __init__(self, diagnostic: Diagnostic):
        super().__init__(diagnostic.code)
        self.diagnostic = diagnostic


def _decode(doc: LoadedDocument, raw: bytes) -> str | None:
    if len(raw) > MAX_FILE_BYTES:
        doc.diagnostics.append(
            Diagnostic(doc.shown_path, 1, 1, "file_too_large", params={"limit": MAX_FILE_BYTES // (1024 * 1024)})
        )
        return None
    encoding = next((name for bom, name in _WIDE_BOMS if raw.startswith(bom)), None)
    if encoding is None:  # without a BOM: the first (ASCII) characters padded with NUL bytes
        encoding = next((name for pattern, name in _WIDE_STARTS if pattern.match(raw)), None)
    if encoding:
        doc.diagnostics.append(Diagnostic(doc.shown_path, 1, 1, "wide_encoding", params={"encoding": encoding}))
        return None
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line_start = raw.rfind(b"\n", 0, error.start) + 1
        line = raw.count(b"\n", 0, error.start) + 1
        column = len(raw[line_start : error.start].decode("utf-8")) + 1  # characters, as editors count
        doc.diagnostics.append(Diagnostic(doc.shown_path, line, column, "not_utf8"))
        return None


def _unsafe_indexes(text: str) -> Iterator[int]:
    """Where refused characters are, in order (one class holding astral characters searches ~10× slower)."""
    astral = (match.start() for match in _ASTRAL.finditer(text) if ord(match.group()) & 0xFFFE == 0xFFFE)
    return merge((match.start() for match in _UNSAFE.finditer(text)), astral)


def _first_unsafe(text: str) -> int | None:
    # Two plain searches first: most text has nothing refused, and a merge per scalar costs more than both.
    return next(_unsafe_indexes(text), None) if _UNSAFE.search(text) or _ASTRAL.search(text) else None


def _visible(text: str) -> str:
    """Text with its refused characters spelled out: a lone surrogate cannot even be printed."""
    indexes = set(_unsafe_indexes(text))
    return "".join(f"<U+{ord(char):04X}>" if index in indexes else char for index, char in enumerate(text))


def _line_column(text: str, index: int) -> tuple[int, int]:
    line_start = text.rfind("\n", 0, index) + 1
    return text.count("\n", 0, index) + 1, index - line_start + 1


def _unsafe_character(doc: LoadedDocument, text: str, index: int) -> Diagnostic:
    line, column = _line_column(text, index)
    return Diagnostic(doc.shown_path, line, column, "unsafe_character", params={"char": f"U+{ord(text[index]):04X}"})


def _syntax_error(doc: LoadedDocument, text: str, error: yaml.MarkedYAMLError) -> Diagnostic:
    mark = error.problem_mark or error.context_mark
    line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    lines = text.split("\n", line)
    source_line = lines[line - 1] if mark and line <= len(lines) else ""  # libyaml may mark the end, past the last line
    indent = source_line[: len(source_line) - len(source_line.lstrip(" \t"))]
    if "\t" in indent:
        return Diagnostic(doc.shown_path, line, indent.index("\t") + 1, "tab_indent")
    # libyaml refuses a surrogate written as an escape; the pure-Python parser lets it through to the builder.
    escape = next((e for e in _ESCAPE.finditer(source_line) if e.start() < column <= e.end()), None)
    if escape is not None and _first_unsafe(chr(_escaped_code_point(escape.group(1)))) is not None:
        return Diagnostic(
            doc.shown_path,
            line,
            escape.start() + 1,
            "unsafe_character",
            params={"char": f"U+{_escaped_code_point(escape.group(1)):04X}"},
        )
    return Diagnostic(doc.shown_path, line, column, "yaml_syntax", params={"problem": error.problem or str(error)})


def _escaped_code_point(escape: str) -> int:
    return _NAMED_ESCAPES[escape] if len(escape) == 1 else int(escape[1:], 16)


def _mark(event: yaml.Event) -> tuple[int, int]:
    # The parser always sets marks; the stubs allow None for events made by hand.
    return (event.start_mark.line + 1, event.start_mark.column + 1)  # type: ignore[union-attr]


def _shown_tag(tag: str) -> str:
    return "!!" + tag[len(_CORE) :] if tag.startswith(_CORE) else tag


# Looked up once: the builder's loop runs per event.
_Scalar, _Alias, _NodeEvent = yaml.ScalarEvent, yaml.AliasEvent, yaml.NodeEvent
_StreamEnd, _CollectionEnd = yaml.StreamEndEvent, yaml.CollectionEndEvent
_EXPECT_KEY, _SKIP_VALUE = object(), object()  # what a mapping's next node is, unless a key's name
_NOTHING = object()  # a node that is refused and leaves no value


@dataclass(slots=True)
class _Frame:
    """An open collection: its data (None inside a refused node) and, for a mapping, what the next node is."""

    loc: Location
    data: dict[str, Any] | list[Any] | None
    key: Any = _EXPECT_KEY
    key_end: Any = None  # where the last key ended, to read the rest of its line


class _Builder:
    """Turns parse events into plain data, recording positions and strictness errors on the way."""

    def __init__(self, doc: LoadedDocument, text: str):
        self.doc = doc
        self.text = text
        self.lines: list[str] | None = None  # split only when a line must be read again
        self.stack: list[_Frame] = []
        self.positions, self.key_positions = doc.positions, doc.key_positions
        self.nodes = 0
        self.root: Any = _NOTHING

    def run(self, parser: Any) -> Any:
        documents = 0
        get_event, node, pop = parser.get_event, self.node, self.stack.pop  # bound once: ~400,000 events
        while not isinstance(event := get_event(), _StreamEnd):
            if isinstance(event, _NodeEvent):
                node(event)
            elif isinstance(event, _CollectionEnd):
                pop()
            elif isinstance(event, yaml.DocumentStartEvent):
                documents += 1
                if documents > 1:
                    self.report(Diagnostic(self.doc.shown_path, *_mark(event), "multiple_documents"))
                    break
        if self.root is None or self.root is _NOTHING:
            self.report(Diagnostic(self.doc.shown_path, 1, 1, "empty_file"))
            return None
        return self.root

    def report(self, diagnostic: Diagnostic) -> None:
        if len(self.doc.diagnostics) >= MAX_PROBLEMS:
            raise _Refused(
                Diagnostic(
                    diagnostic.path,
                    diagnostic.line,
                    diagnostic.column,
                    "too_many_problems",
                    params={"limit": MAX_PROBLEMS},
                )
            )
        self.doc.diagnostics.append(diagnostic)

    def refuse(self, event: yaml.Event, loc: Location, code: str, limit: int) -> None:
        raise _Refused(Diagnostic(self.doc.shown_path, *_mark(event), code, format_field_path(loc), {"limit": limit}))

    def node(self, event: yaml.NodeEvent) -> None:
        """One node event: a key, a value, or only nesting to follow inside a refused node."""
        self.nodes += 1
        top = self.stack[-1] if self.stack else None
        if self.nodes > MAX_NODES:
            self.refuse(event, top.loc if top else (), "too_many_nodes", MAX_NODES)
        if top is None:
            self.value(event, (), None, None)
        elif top.data is None:
            if isinstance(event, yaml.CollectionStartEvent):
                self.open(event, top.loc, refused=True)
        elif len(top.data) >= MAX_ITEMS:
            self.refuse(event, top.loc, "too_many_items", MAX_ITEMS)
        elif type(top.data) is list:
            self.value(event, top.loc + (len(top.data),), top, None)
        elif top.key is _EXPECT_KEY:
            self.key(top, event)
        elif top.key is _SKIP_VALUE:
            top.key = _EXPECT_KEY
            if isinstance(event, yaml.CollectionStartEvent):
                self.open(event, top.loc, refused=True)
        else:
            key, top.key = top.key, _EXPECT_KEY
            self.value(event, top.loc + (key,), top, key)

    def value(self, event: yaml.NodeEvent, loc: Location, parent: _Frame | None, key: str | None) -> None:
        mark = event.start_mark
        self.positions[loc] = (mark.line + 1, mark.column + 1)  # type: ignore[union-attr]
        if type(event) is _Alias:
            self.report(self.doc.diagnostic(loc, "yaml_alias", anchor=event.anchor))
            value: Any = _NOTHING
        else:
            if event.anchor is not None:
                self.report(self.doc.diagnostic(loc, "yaml_anchor", anchor=event.anchor))
            value = self.scalar(event, loc, parent) if type(event) is _Scalar else self.open(event, loc)
        if parent is None:
            self.root = value
        elif key is None:  # a refused item stays as None, so later items keep the file's numbering
            parent.data.append(None if value is _NOTHING else value)  # type: ignore[union-attr]
        elif value is not _NOTHING:
            parent.data[key] = value  # type: ignore[index, call-overload]

    def open(self, event: yaml.NodeEvent, loc: Location, *, refused: bool = False) -> Any:
        """A collection starts: its frame is pushed, and its (still empty) data returned."""
        if len(self.stack) >= MAX_DEPTH:  # named by its top field: 64 levels of path say nothing more
            self.refuse(event, loc[:1], "too_deep", MAX_DEPTH)
        if refused:
            self.stack.append(_Frame(loc, None))
            return _NOTHING
        is_map = isinstance(event, yaml.MappingStartEvent)
        tag = event.tag  # type: ignore[attr-defined]  # a collection start: callers pass no scalar or alias
        if tag not in (None, "!", _MAP if is_map else _SEQ):
            code = "tag_mismatch" if tag in _PATTERNS or tag in (_STR, _MAP, _SEQ) else "unsupported_tag"
            self.report(self.doc.diagnostic(loc, code, tag=_shown_tag(tag)))
        data: dict[str, Any] | list[Any] = {} if is_map else []
        self.stack.append(_Frame(loc, data))
        return data

    def key(self, top: _Frame, event: yaml.NodeEvent) -> None:
        top.key = _SKIP_VALUE
        if type(event) is not _Scalar:
            is_alias = type(event) is _Alias
            self.report(
                Diagnostic(
                    self.doc.shown_path,
                    *_mark(event),
                    "yaml_alias" if is_alias else "complex_key",
                    format_field_path(top.loc),
                    {"anchor": event.anchor},
                )
            )
            if not is_alias:
                self.open(event, top.loc, refused=True)
            return
        key = event.value
        key_loc = top.loc + (key,)
        if event.anchor is not None:
            self.report(
                Diagnostic(
                    self.doc.shown_path,
                    *_mark(event),
                    "yaml_anchor",
                    format_field_path(key_loc),
                    {"anchor": event.anchor},
                )
            )
        top.key_end = event.end_mark
        if event.style == '"' and self.unsafe(event, key_loc):
            return
        if key == "<<" and not event.style:
            self.report(Diagnostic(self.doc.shown_path, *_mark(event), "merge_key", format_field_path(top.loc)))
        elif key_loc in self.key_positions:
            first_line, _ = self.key_positions[key_loc]
            self.report(
                Diagnostic(
                    self.doc.shown_path,
                    *_mark(event),
                    "duplicate_key",
                    format_field_path(key_loc),
                    {"key": key, "first_line": first_line},
                )
            )
        else:
            mark = event.start_mark
            self.key_positions[key_loc] = (mark.line + 1, mark.column + 1)  # type: ignore[union-attr]
            top.key = key

    def unsafe(self, event: yaml.ScalarEvent, loc: Location) -> bool:
        """Reports a character refused in a double-quoted scalar: raw ones were refused before parsing, so only
        an escape can bring one in."""
        if (index := _first_unsafe(event.value)) is None:
            return False
        code_point = ord(event.value[index])
        line, column = self.escape_position(event, code_point)
        self.report(
            Diagnostic(
                self.doc.shown_path,
                line,
                column,
                "unsafe_character",
                _visible(format_field_path(loc)),
                {"char": f"U+{code_point:04X}"},
            )
        )
        return True

    def escape_position(self, event: yaml.ScalarEvent, code_point: int) -> tuple[int, int]:
        """Where the escape that wrote this character is, else where its scalar starts."""
        lines = self.source_lines()
        start, end = event.start_mark, event.end_mark
        assert start is not None and end is not None  # set by the parser
        for number in range(start.line, min(end.line, len(lines) - 1) + 1):
            first = start.column if number == start.line else 0
            for escape in _ESCAPE.finditer(lines[number], first):
                if _escaped_code_point(escape.group(1)) == code_point:
                    return number + 1, escape.start() + 1
        return _mark(event)

    def source_lines(self) -> list[str]:
        if self.lines is None:
            self.lines = self.text.split("\n")
        return self.lines

    def check_eaten_value(self, top: _Frame, loc: Location) -> None:
        """An empty value whose key's line goes on with `#` and no space: a value YAML read as a comment."""
        end = top.key_end
        match = _EATEN_VALUE.match(self.source_lines()[end.line], end.column)
        if match:
            self.report(
                Diagnostic(
                    self.doc.shown_path,
                    end.line + 1,
                    match.start(1) + 1,
                    "value_in_comment",
                    format_field_path(loc),
                    {"key": loc[-1], "value": match.group(1)},
                )
            )

    def scalar(self, event: yaml.ScalarEvent, loc: Location, parent: _Frame | None) -> Any:
        text, tag = event.value, event.tag
        if event.style == '"' and self.unsafe(event, loc):
            return _NOTHING
        if tag is None or tag == "!":
            if event.style or tag == "!":
                return text
            if not text and parent is not None and isinstance(parent.data, dict):
                self.check_eaten_value(parent, loc)
            tag = _STR
            for candidate in _IMPLICIT.get(text[:1], ()):
                if _PATTERNS[candidate].fullmatch(text):
                    tag = candidate
                    break
        elif tag in _PATTERNS and not _PATTERNS[tag].fullmatch(text):
            self.report(self.doc.diagnostic(loc, "bad_tagged_value", tag=_shown_tag(tag), value=text))
            return text
        if tag == _STR:
            return text
        if tag == _NULL:
            return None
        if tag == _BOOL:
            return text.lower() == "true"
        if tag == _INT:
            try:
                return int(text, 0) if text[:2] in ("0o", "0x") else int(text)
            except ValueError:  # more digits than Python converts (sys.get_int_max_str_digits)
                self.report(self.doc.diagnostic(loc, "bad_tagged_value", tag="!!int", value=text[:20] + "…"))
                return text
        if tag == _FLOAT:
            # Python's float() reads "inf"/"nan" but not YAML's leading-dot spelling.
            return float(text.lower().replace(".inf", "inf").replace(".nan", "nan"))
        if tag == _DATE:
            return self.date(text, loc)
        code = "tag_mismatch" if tag in (_MAP, _SEQ) else "unsupported_tag"
        self.report(self.doc.diagnostic(loc, code, tag=_shown_tag(tag)))
        return text

    def date(self, text: str, loc: Location) -> Any:
        year, month, day = (int(part) for part in text.split("-"))
        try:
            value = dt.date(year, month, day)
        except ValueError:
            self.report(self.doc.diagnostic(loc, "impossible_date", value=text))
            return text
        if not FIRST_DATE <= value <= LAST_DATE:
            self.report(
                self.doc.diagnostic(
                    loc, "date_out_of_range", value=text, first=FIRST_DATE.isoformat(), last=LAST_DATE.isoformat()
                )
            )
            return text
        return value
