"""Stage 1 — load: bytes of one agency file → plain Python data, with the position of every node.

Stricter than yaml.safe_load, so that what an editor sees is what the generator reads:
- YAML 1.2 booleans: only true/false (yes/no/on/off stay strings, and fail where a boolean is due);
- no sexagesimal or octal surprises (`7:30` and `0123` stay strings);
- duplicate keys are errors, not "last one wins";
- `YYYY-MM-DD` becomes a date, and an impossible date (2023-02-30) is an error;
- the file must be UTF-8 (a BOM is accepted).
Every problem is collected, none stops the walk, so an editor sees them all at once.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from generator.diagnostics import Diagnostic, display_path, format_field_path

try:  # libyaml is ~10× faster on large catalogs; the pure-Python parser gives the same nodes.
    from yaml import CParser as _Parser
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    class _Parser(yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser, yaml.composer.Composer):  # type: ignore[no-redef]
        def __init__(self, stream: str):
            yaml.reader.Reader.__init__(self, stream)
            yaml.scanner.Scanner.__init__(self)
            yaml.parser.Parser.__init__(self)
            yaml.composer.Composer.__init__(self)


Location = tuple[str | int, ...]

_BOOL = "tag:yaml.org,2002:bool"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_NULL = "tag:yaml.org,2002:null"
_DATE = "tag:yaml.org,2002:timestamp"
_STR = "tag:yaml.org,2002:str"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"


class _Resolver(yaml.resolver.BaseResolver):
    """The YAML 1.2 core schema, plus plain ISO dates."""


for _tag, _pattern, _first in (
    (_BOOL, r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    (_INT, r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$", "-+0123456789"),
    (_FLOAT, r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$", "-+.0123456789"),
    (_NULL, r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
    (_DATE, r"^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}$", "0123456789"),
):
    _Resolver.add_implicit_resolver(_tag, re.compile(_pattern), list(_first))


class _Composer(_Parser, _Resolver):
    def __init__(self, stream: str):
        _Parser.__init__(self, stream)
        _Resolver.__init__(self)


@dataclass
class LoadedDocument:
    """One agency file as data; `positions` maps each field path to its (line, column), 1-based."""

    path: Path
    data: Any
    positions: dict[Location, tuple[int, int]] = field(default_factory=dict)
    key_positions: dict[Location, tuple[int, int]] = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def shown_path(self) -> str:
        return display_path(self.path)

    def position(self, loc: Location, *, key: bool = False) -> tuple[int, int]:
        """The closest known position: the node itself, else its nearest ancestor."""
        table = self.key_positions if key and loc in self.key_positions else self.positions
        for end in range(len(loc), -1, -1):
            if loc[:end] in table:
                return table[loc[:end]]
        return (1, 1)

    def diagnostic(self, loc: Location, code: str, *, key: bool = False, **params: Any) -> Diagnostic:
        line, column = self.position(loc, key=key)
        return Diagnostic(self.shown_path, line, column, code, format_field_path(loc), params)


def load_file(path: Path) -> LoadedDocument:
    return load_bytes(path, path.read_bytes())


def load_bytes(path: Path, raw: bytes) -> LoadedDocument:
    doc = LoadedDocument(path=path, data=None)
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        column = error.start - (raw.rfind(b"\n", 0, error.start) + 1) + 1
        doc.diagnostics.append(Diagnostic(doc.shown_path, line, column, "not_utf8"))
        return doc

    composer = _Composer(text)
    try:
        root = composer.get_single_node()
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        doc.diagnostics.append(
            Diagnostic(doc.shown_path, line, column, "yaml_syntax", params={"problem": error.problem or str(error)})
        )
        return doc
    finally:
        composer.dispose()

    if root is None:
        doc.diagnostics.append(Diagnostic(doc.shown_path, 1, 1, "empty_file"))
        return doc
    doc.data = _Walker(doc).value(root, ())
    return doc


def _mark(node: yaml.Node) -> tuple[int, int]:
    return (node.start_mark.line + 1, node.start_mark.column + 1)


class _Walker:
    """Turns composed nodes into plain data, recording positions and strictness errors on the way."""

    def __init__(self, doc: LoadedDocument):
        self.doc = doc

    def value(self, node: yaml.Node, loc: Location) -> Any:
        self.doc.positions.setdefault(loc, _mark(node))
        if isinstance(node, yaml.MappingNode):
            return self.mapping(node, loc)
        if isinstance(node, yaml.SequenceNode):
            return [self.value(item, loc + (index,)) for index, item in enumerate(node.value)]
        return self.scalar(node, loc)

    def mapping(self, node: yaml.MappingNode, loc: Location) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                self.doc.diagnostics.append(self.doc.diagnostic(loc, "complex_key"))
                continue
            key = key_node.value
            key_loc = loc + (key,)
            if key in result:
                first_line, _ = self.doc.key_positions[key_loc]
                line, column = _mark(key_node)
                self.doc.diagnostics.append(
                    Diagnostic(self.doc.shown_path, line, column, "duplicate_key", format_field_path(key_loc),
                               {"key": key, "first_line": first_line})
                )
                continue
            self.doc.key_positions[key_loc] = _mark(key_node)
            result[key] = self.value(value_node, key_loc)
        return result

    def scalar(self, node: yaml.ScalarNode, loc: Location) -> Any:
        text, tag = node.value, node.tag
        if tag == _STR or tag == "!":
            return text
        if tag == _NULL:
            return None
        if tag == _BOOL:
            return text.lower() == "true"
        if tag == _INT:
            return int(text, 0) if text[:2] in ("0o", "0x") else int(text)
        if tag == _FLOAT:
            # Python's float() reads "inf"/"nan" but not YAML's leading-dot spelling.
            return float(text.lower().replace(".inf", "inf").replace(".nan", "nan"))
        if tag == _DATE:
            year, month, day = (int(part) for part in text.split("-"))
            try:
                return dt.date(year, month, day)
            except ValueError:
                self.doc.diagnostics.append(self.doc.diagnostic(loc, "impossible_date", value=text))
                return text
        self.doc.diagnostics.append(self.doc.diagnostic(loc, "unsupported_tag", tag=tag))
        return text
