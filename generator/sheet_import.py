"""`tiepcan import`: a read sheet (generator/spreadsheet.py) merged into agencies/<id>.yaml.

Every row is validated with the model together with the rest of the agency and the other agency
files (as `tiepcan check` would); any error, and nothing is written. The file is edited with
ruamel.yaml's round trip, so comments, key order, quoting and untouched entries stay as they were.

Rows meet entries by id, else by number (when one entry has it), else by the id the row would be
given. A row without id gets one: its number as a slug, with the year it was made if the number
lacks it (305/KH-UBND of 2016 → 305-kh-ubnd-2016); without a number, the title's slug and the date
(ke-hoach-trien-khai-20161220); "-2", "-3" … when taken. Entries the sheet does not list are kept
(and listed), or removed with `replace`.
"""

from __future__ import annotations

import dataclasses
import io
import os
import re
import tempfile
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openpyxl.utils import get_column_letter
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import CommentMark
from ruamel.yaml.scalarstring import LiteralScalarString
from ruamel.yaml.tokens import CommentToken

from generator.diagnostics import Diagnostic
from generator.load import LoadedDocument, load_bytes, load_file
from generator.model import Agency
from generator.spreadsheet import Kind, Row, Sheet, normalize
from generator.validate import check_paths, discover, validate_documents

_ID_MAX = 90  # under the model's 100, leaving room for a "-2" suffix


@dataclass
class ImportResult:
    diagnostics: list[Diagnostic] = field(default_factory=list)
    added: list[tuple[str, int]] = field(default_factory=list)  # (entry id, sheet row)
    changed: list[tuple[str, int, list[str]]] = field(default_factory=list)  # (id, row, fields)
    removed: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # not in the sheet, left in the file
    written: bool = False

    @property
    def ok(self) -> bool:
        return not any(d.severity == "error" for d in self.diagnostics)


def _slug(text: str) -> str:
    return normalize(text).replace(" ", "-")


def _base_id(values: dict[str, Any]) -> str:
    created = values.get("created")
    base = _slug(values.get("number") or "")
    if base and created and str(created.year) not in base:
        base = f"{base}-{created.year}"
    if not base:
        base = _slug(values.get("title") or "")[:60].rstrip("-")
        base = f"{base}-{created:%Y%m%d}" if created else base
    return base[:_ID_MAX].strip("-") or "dong"


def _unique(base: str, taken: set[str]) -> str:
    candidate, suffix = base, 2
    while candidate in taken:
        candidate, suffix = f"{base}-{suffix}", suffix + 1
    taken.add(candidate)
    return candidate


@dataclass
class _Match:
    row: Row
    index: int | None  # the existing entry it updates, or None for a new one
    entry_id: str


def _match(rows: list[Row], existing: list[dict[str, Any]], taken: set[str]) -> list[_Match]:
    by_id = {entry["id"]: index for index, entry in enumerate(existing)}
    numbers = Counter(entry.get("number") for entry in existing)
    by_number = {e["number"]: i for i, e in enumerate(existing) if e.get("number") and numbers[e["number"]] == 1}
    used: set[int] = set()
    matches = []
    for row in rows:
        given = row.values.get("id")
        if given:
            index = by_id.get(given)
        else:
            index = by_number.get(row.values.get("number"))
            index = by_id.get(_base_id(row.values)) if index is None or index in used else index
        if index in used:
            index = None  # a second row for one entry: added, and refused as a duplicate id
        if index is not None:
            used.add(index)
        entry_id = given or (existing[index]["id"] if index is not None else _unique(_base_id(row.values), taken))
        matches.append(_Match(row, index, entry_id))
    return matches


def _default(kind: Kind, name: str) -> Any:
    info = kind.model.model_fields[name]
    return None if info.is_required() else info.get_default(call_default_factory=True)


def _same(old: Any, new: Any) -> bool:
    # The model strips text, and a folded YAML scalar may keep a final newline: same text, no change.
    if isinstance(old, str) and isinstance(new, str):
        return old.strip() == new.strip()
    return bool(old == new)


def _updated(kind: Kind, old: dict[str, Any], match: _Match) -> tuple[dict[str, Any], list[str]]:
    new, changed = dict(old), []
    for name in match.row.columns:
        value = match.row.values.get(name)
        if name == "id" and value is None:
            continue  # matched by number: the entry keeps its id
        if value is None:
            if name in new:
                del new[name]
                changed.append(name)
        elif name not in new and value == _default(kind, name):
            continue
        elif not _same(new.get(name), value):
            new[name] = value
            changed.append(name)
    return new, changed


def _created(kind: Kind, match: _Match) -> dict[str, Any]:
    values = {**match.row.values, "id": match.entry_id}
    return {
        name: values[name]
        for name in kind.model.model_fields
        if values.get(name) is not None and not (name != "id" and values[name] == _default(kind, name))
    }


@dataclass
class _Plan:
    entries: list[dict[str, Any]] = field(default_factory=list)  # the catalog as it will be
    origins: list[_Match | int] = field(default_factory=list)  # per entry: its row, or its index in the file
    changes: dict[int, list[str]] = field(default_factory=dict)  # existing index → changed fields
    removed: list[int] = field(default_factory=list)
    kept: list[int] = field(default_factory=list)

    @property
    def edits_nothing(self) -> bool:
        """No entry changed, removed or added: the file stays as it is, byte for byte."""
        added = any(isinstance(origin, _Match) and origin.index is None for origin in self.origins)
        return not self.changes and not self.removed and not added


def _plan(kind: Kind, existing: list[dict[str, Any]], matches: list[_Match], replace: bool) -> _Plan:
    plan = _Plan()
    by_index = {m.index: m for m in matches if m.index is not None}
    for index, entry in enumerate(existing):
        match = by_index.get(index)
        if match is None:
            (plan.removed if replace else plan.kept).append(index)
            if not replace:
                plan.entries.append(entry)
                plan.origins.append(index)
            continue
        updated, changed = _updated(kind, entry, match)
        plan.entries.append(updated)
        plan.origins.append(match)
        if changed:
            plan.changes[index] = changed
    for match in (m for m in matches if m.index is None):
        plan.entries.append(_created(kind, match))
        plan.origins.append(match)
    return plan


def _other_documents(agency_path: Path) -> list[LoadedDocument]:
    return [load_file(path) for path in discover([agency_path.parent]) if path.resolve() != agency_path.resolve()]


def _planned_document(doc: LoadedDocument, kind: Kind, plan: _Plan) -> LoadedDocument:
    """The agency as the import would leave it, each sheet row's fields at its cells (row, column)."""
    data = {**doc.data, kind.key: plan.entries}
    positions: dict[tuple[str | int, ...], tuple[int, int]] = {}
    keys: dict[tuple[str | int, ...], tuple[int, int]] = {}
    for table, target in ((doc.positions, positions), (doc.key_positions, keys)):
        target.update({loc: at for loc, at in table.items() if loc[:1] != (kind.key,) or len(loc) == 1})
    for new_index, origin in enumerate(plan.origins):
        if isinstance(origin, int):
            for table, target in ((doc.positions, positions), (doc.key_positions, keys)):
                target.update(
                    {(kind.key, new_index, *loc[2:]): at for loc, at in table.items() if loc[:2] == (kind.key, origin)}
                )
            continue
        row = origin.row
        positions[(kind.key, new_index)] = (row.number, min(row.columns.values()))
        positions.update({(kind.key, new_index, name): (row.number, column) for name, column in row.columns.items()})
    return LoadedDocument(doc.path, data, positions, keys)


def _on_sheet(
    diagnostics: Iterable[Diagnostic],
    doc: LoadedDocument,
    kind: Kind,
    plan: _Plan,
    sheet: Sheet,
    failed_cells: set[tuple[int, str]],
) -> list[Diagnostic]:
    """The agency's diagnostics; those of a sheet row moved to its cell, in the sheet's terms."""
    pattern = re.compile(rf"^{re.escape(kind.key)}\[(\d+)\](?:\.(.+))?$")
    out = []
    for diagnostic in diagnostics:
        if diagnostic.path != doc.shown_path or diagnostic.severity == "note":
            continue
        found = pattern.match(diagnostic.field_path)
        origin = plan.origins[int(found.group(1))] if found else None
        if not isinstance(origin, _Match):
            out.append(diagnostic)
            continue
        name = (found.group(2) if found else None) or ""
        if (origin.row.number, name.split(".")[0].split("[")[0]) in failed_cells:
            continue  # the cell's own problem (a date it could not read) is said already
        column = diagnostic.column
        if not name:  # a rule about the row ("disclosed before created"): at the first field it names
            column = next((origin.row.columns[k] for k in diagnostic.params if k in origin.row.columns), column)
        if diagnostic.code == "missing":  # "add a line title: …" is YAML advice; in a sheet, a cell is empty
            diagnostic = dataclasses.replace(diagnostic, code="sheet_missing_cell")
        out.append(
            dataclasses.replace(
                diagnostic,
                path=sheet.shown_path,
                field_path=name,
                column=column,
                column_label=get_column_letter(max(column, 1)),
            )
        )
    return out


def checked_agency(agency_path: Path, known_regimes: Iterable[str]) -> tuple[LoadedDocument, list[Diagnostic]]:
    """The agency file, and its errors as `tiepcan check` of its folder reports them."""
    doc = load_file(agency_path)
    result = check_paths([agency_path.parent], known_regimes)
    return doc, [d for d in result.errors if d.path == doc.shown_path]


def current_entries(agency_path: Path, kind: Kind, known_regimes: Iterable[str]) -> tuple[list[Any], list[Diagnostic]]:
    """Every entry of the catalog, internal ones too (the sheet is the office's own register), or errors."""
    doc, errors = checked_agency(agency_path, known_regimes)
    if errors:
        return [], errors
    return list(getattr(Agency.model_validate(doc.data), kind.key)), []


def import_sheet(
    sheet: Sheet, kind: Kind, agency_path: Path, *, replace: bool = False, known_regimes: Iterable[str] = ()
) -> ImportResult:
    result = ImportResult(diagnostics=list(sheet.diagnostics))
    if not result.ok and not sheet.rows:
        return result  # the sheet itself could not be read: no header, not a spreadsheet …
    regimes = list(known_regimes)
    doc, own = checked_agency(agency_path, regimes)
    if own:  # the file must be valid before rows are merged into it: fix it first
        result.diagnostics = own + result.diagnostics
        return result
    existing: list[dict[str, Any]] = list(doc.data.get(kind.key) or [])
    taken = {entry["id"] for key in ("catalog", "conditional_catalog") for entry in doc.data.get(key) or []}
    taken.update(row.values["id"] for row in sheet.rows if row.values.get("id"))
    matches = _match(sheet.rows, existing, taken)
    plan = _plan(kind, existing, matches, replace)
    failed = {(d.line, d.field_path) for d in sheet.diagnostics if d.severity == "error"}
    planned = _planned_document(doc, kind, plan)
    others = _other_documents(agency_path)
    checked = validate_documents([planned, *others], regimes)
    result.diagnostics = sorted(result.diagnostics + _on_sheet(checked.diagnostics, doc, kind, plan, sheet, failed))
    if not result.ok:
        return result

    original = agency_path.read_text(encoding="utf-8-sig")
    text = original  # a plan that edits nothing leaves every byte, and was checked above
    if not plan.edits_nothing:
        text = _edited(original, kind, existing, plan)
        after = validate_documents([load_bytes(agency_path, text.encode("utf-8")), *others], regimes)
        own_after = [d for d in after.errors if d.path == doc.shown_path]
        if own_after:  # what would be written must pass `tiepcan check`; say so rather than write it
            result.diagnostics = own_after
            return result
    result.added = [(m.entry_id, m.row.number) for m in plan.origins if isinstance(m, _Match) and m.index is None]
    result.changed = [
        (existing[i]["id"], m.row.number, plan.changes[i])
        for m in plan.origins
        if isinstance(m, _Match) and (i := m.index) in plan.changes
    ]
    result.removed = [existing[i]["id"] for i in plan.removed]
    result.kept = [existing[i]["id"] for i in plan.kept]
    if text != original:
        _write(agency_path, text)
        result.written = True
    return result


def _write(path: Path, text: str) -> None:
    """Replace the file whole or not at all: an interrupted import must not leave half a catalog."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
        out.write(text)
    os.replace(temporary, path)


# --- round-trip editing ----------------------------------------------------------------------------


def _yaml(text: str) -> YAML:
    yaml = YAML()  # round trip, YAML 1.2: the same booleans and numbers as generator/load.py
    yaml.preserve_quotes = True
    yaml.width = 4096  # never re-wrap a long title
    mapping, sequence, offset = _indentation(text)
    yaml.indent(mapping=mapping, sequence=sequence, offset=offset)
    return yaml


def _indentation(text: str) -> tuple[int, int, int]:
    """The file's own indentation (mapping, sequence, dash offset), so untouched lines stay as they are."""
    lines = text.splitlines()
    for index, line in enumerate(lines[1:], 1):
        dash = re.match(r"^( *)- ", line)
        parent = re.match(r"^( *)[^\s#-][^:]*:\s*(?:#.*)?$", lines[index - 1])
        if dash and parent:
            offset = len(dash.group(1)) - len(parent.group(1))
            return 2, offset + 2, offset
    return 2, 4, 2


def _yaml_value(value: Any) -> Any:
    if isinstance(value, list):
        seq = CommentedSeq(value)
        seq.fa.set_flow_style()  # forms: [portal, notice_board], as the demo files write them
        return seq
    if isinstance(value, str) and "\n" in value:
        return LiteralScalarString(value)
    return value


def _edited(original: str, kind: Kind, existing: list[dict[str, Any]], plan: _Plan) -> str:
    yaml = _yaml(original)
    tree = yaml.load(original)
    seq = tree.get(kind.key)
    if isinstance(seq, CommentedSeq) and seq:
        trailing = _detach_trailing_comment(seq)
    elif not plan.entries:
        return original  # nothing to add to an absent or empty list
    else:  # absent, or "catalog: []": a block list takes its place, after the key's own comment
        seq, trailing = CommentedSeq(), _split_key_comment(tree, kind.key)
        _set_in_order(tree, kind.key, seq, list(Agency.model_fields))
        if kind.key in tree.ca.items:
            seq.ca.comment = [tree.ca.items[kind.key][2], None]
    order = list(kind.model.model_fields)
    for index, changed in plan.changes.items():
        new = next(
            e for e, o in zip(plan.entries, plan.origins, strict=False) if isinstance(o, _Match) and o.index == index
        )
        for name in changed:
            if name in new:
                _set_in_order(seq[index], name, _yaml_value(new[name]), order)
            else:
                del seq[index][name]
    for index in sorted(plan.removed, reverse=True):
        del seq[index]
    for entry, origin in zip(plan.entries, plan.origins, strict=False):
        if isinstance(origin, _Match) and origin.index is None:
            seq.append(CommentedMap((name, _yaml_value(value)) for name, value in entry.items()))
    _attach_trailing_comment(seq, trailing)
    out = io.StringIO()
    yaml.dump(tree, out)
    return out.getvalue()


def _set_in_order(mapping: CommentedMap, name: str, value: Any, order: list[str]) -> None:
    """Change a key in place, or add it after the keys the model puts before it."""
    if name in mapping:
        mapping[name] = value
        return
    rank = order.index(name)
    position = 0
    for index, key in enumerate(mapping):
        if key in order and order.index(key) < rank:
            position = index + 1
    mapping.insert(position, name, value)


def _last_comment_slot(seq: CommentedSeq) -> list[Any] | None:
    if not seq or not isinstance(seq[-1], CommentedMap) or not seq[-1]:
        return None
    slot = seq[-1].ca.items.get(list(seq[-1])[-1])
    return slot if slot and len(slot) > 2 and isinstance(slot[2], CommentToken) else None


def _split_key_comment(tree: CommentedMap, key: str) -> str:
    """`catalog: []  # note` then blank lines and the next section's comments: the note stays on the
    key's line; what follows is returned, to go after the entries."""
    slot = tree.ca.items.get(key)
    if not slot or len(slot) < 3 or not isinstance(slot[2], CommentToken):
        return ""
    head, newline, rest = slot[2].value.partition("\n")
    slot[2].value = head + newline
    return str(rest)


def _detach_trailing_comment(seq: CommentedSeq) -> str:
    """The blank lines and comments after the last entry belong to what follows the list (the next
    section's heading): kept aside while entries are added or removed, and put back after the last."""
    slot = _last_comment_slot(seq)
    if slot is None:
        return ""
    head, newline, rest = slot[2].value.partition("\n")
    slot[2].value = head + newline  # the end-of-line comment stays on its line
    return str(rest)


def _attach_trailing_comment(seq: CommentedSeq, text: str) -> None:
    if not text:
        return
    slot = _last_comment_slot(seq)
    if slot is not None:
        slot[2].value += text
        return
    last = seq[-1] if seq else None
    if isinstance(last, CommentedMap) and last:
        last.ca.items.setdefault(list(last)[-1], [None, None, None, None])[2] = CommentToken(
            "\n" + text, CommentMark(0), None
        )
