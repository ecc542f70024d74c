"""Stage 2 — validate: loaded documents → Agency models, or diagnostics pointing at line and column.

Per file: the pydantic model (types, enums, required fields, per-record rules).
Across files: ids unique and equal to file names, parents exist and form no cycle,
`file:` paths exist inside the agency's own folder and are publishable (generator/attachments.py),
extra pages are readable Markdown, named regimes exist.
"""

from __future__ import annotations

import datetime as dt
import difflib
import types
import typing
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from generator import attachments
from generator.diagnostics import Diagnostic
from generator.i18n import catalog
from generator.load import LoadedDocument, Location, load_file
from generator.model import Agency

AGENCY_SUFFIXES = (".yaml", ".yml")
PAGE_MAX_BYTES = 1024 * 1024  # an extra page is prose; a megabyte of it is a mistake (or a pasted export)


@dataclass(frozen=True)
class AgencySource:
    """A valid agency and where its own files live (agencies/<id>/)."""

    model: Agency
    source: Path

    @property
    def folder(self) -> Path:
        return self.source.parent / self.model.id


@dataclass
class ValidationResult:
    agencies: list[AgencySource] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "error"]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "warning"]

    @property
    def ok(self) -> bool:
        return not self.errors


def discover(paths: Iterable[Path]) -> list[Path]:
    """Agency files named directly, or found (not recursively) in named folders, in a stable order."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.iterdir() if p.suffix in AGENCY_SUFFIXES and p.is_file()))
        else:
            found.append(path)
    return found


def check_paths(paths: Sequence[Path], known_regimes: Iterable[str] = ()) -> ValidationResult:
    files = discover(paths)
    if not files:
        return ValidationResult(diagnostics=[Diagnostic(", ".join(map(str, paths)) or ".", 1, 1, "no_agency_files")])
    return validate_documents([load_file(p) for p in files], known_regimes)


def validate_documents(docs: Sequence[LoadedDocument], known_regimes: Iterable[str] = ()) -> ValidationResult:
    result = ValidationResult()
    valid: list[tuple[LoadedDocument, Agency]] = []
    for doc in docs:
        result.diagnostics.extend(doc.diagnostics)
        model = _validate_one(doc, result.diagnostics)
        if model is not None:
            valid.append((doc, model))
    result.diagnostics.extend(_cross_file(docs, valid, set(known_regimes)))
    if result.ok:
        result.agencies = [AgencySource(model, doc.path) for doc, model in valid]
    result.diagnostics.sort()
    return result


def _validate_one(doc: LoadedDocument, out: list[Diagnostic]) -> Agency | None:
    if doc.data is None:
        return None
    if not isinstance(doc.data, dict):
        out.append(doc.diagnostic((), "root_not_mapping"))
        return None
    try:
        model = Agency.model_validate(doc.data)
    except ValidationError as error:
        already = {d.field_path for d in doc.diagnostics}
        for item in error.errors():
            diagnostic = _from_pydantic(doc, item)
            if diagnostic.field_path not in already or not diagnostic.field_path:
                out.append(diagnostic)
        return None
    return None if any(d.severity == "error" for d in doc.diagnostics) else model


def _from_pydantic(doc: LoadedDocument, item: Any) -> Diagnostic:
    code: str = item["type"]
    loc: Location = tuple(item["loc"])
    ctx: dict[str, Any] = dict(item.get("ctx") or {})
    value = item.get("input")
    if "at" in ctx:
        loc = tuple(ctx.pop("at"))
    if code == "missing":
        # The position falls back to the enclosing mapping: the place where the field should be added.
        name = str(loc[-1])
        return doc.diagnostic(loc, code, field=name, title=_field_title(loc[:-1], name))
    if code == "extra_forbidden":
        name = str(loc[-1])
        suggestion = difflib.get_close_matches(name, _allowed_fields(loc[:-1]), n=1, cutoff=0.6)
        return doc.diagnostic(loc, code, key=True, field=name, suggestion=_first(suggestion))
    if code == "literal_error":
        allowed = [a.strip().strip("'") for a in str(ctx.get("expected", "")).replace(" or ", ", ").split(",")]
        suggestion = difflib.get_close_matches(str(value), allowed, n=1, cutoff=0.5)
        return doc.diagnostic(loc, code, got=value, expected=", ".join(allowed), suggestion=_first(suggestion))
    if code in ("string_too_short", "too_short", "greater_than_equal", "less_than_equal") or code.endswith("_type"):
        ctx.setdefault("min_length", 1)
        return doc.diagnostic(loc, code if _known(code) else "generic", got=_shown(value), example=_shown(value).strip('"'),
                              message=item["msg"], **ctx)
    if _known(code):
        return doc.diagnostic(loc, code, **ctx)
    return doc.diagnostic(loc, "generic", message=item["msg"])


def _first(suggestions: list[str]) -> str | None:
    return suggestions[0] if suggestions else None


def _known(code: str) -> bool:
    return catalog("vi").has(f"error.{code}")


def _shown(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return "{…}"
    if isinstance(value, list):
        return "[…]"
    if isinstance(value, str):
        return f'"{value}"'
    return str(value)


def _model_at(loc: Location) -> type[BaseModel] | None:
    current: type[BaseModel] | None = Agency
    for part in loc:
        if current is None:
            return None
        if isinstance(part, int):
            continue
        info = current.model_fields.get(part)
        current = _inner_model(info.annotation) if info else None
    return current


def _inner_model(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) in (typing.Union, list):
        for arg in typing.get_args(annotation):
            found = _inner_model(arg)
            if found is not None:
                return found
    return None


def _allowed_fields(loc: Location) -> list[str]:
    model = _model_at(loc)
    return list(model.model_fields) if model else []


def _field_title(parent: Location, name: str) -> str:
    model = _model_at(parent)
    info = model.model_fields.get(name) if model else None
    return (info.title or name) if info else name


def _cross_file(docs: Sequence[LoadedDocument], valid: list[tuple[LoadedDocument, Agency]], known_regimes: set[str]) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    # Ids as written, even in files that failed validation: a typo elsewhere must not make
    # every child of that agency report a missing parent too.
    declared: dict[str, LoadedDocument] = {}
    for doc in docs:
        raw_id = doc.data.get("id") if isinstance(doc.data, dict) else None
        if not isinstance(raw_id, str):
            continue
        if raw_id in declared:
            out.append(doc.diagnostic(("id",), "duplicate_agency_id", id=raw_id, other=declared[raw_id].shown_path))
        else:
            declared[raw_id] = doc

    parents: dict[str, str | None] = {}
    for doc, agency in valid:
        parents[agency.id] = agency.parent
        if agency.id != doc.path.stem:
            out.append(doc.diagnostic(("id",), "id_mismatch", id=agency.id, stem=doc.path.stem))
        for index, old in enumerate(agency.previous_ids):
            if old in declared:
                out.append(doc.diagnostic(("previous_ids", index), "duplicate_agency_id", id=old, other=declared[old].shown_path))
        if agency.parent is not None and agency.parent not in declared:
            suggestion = difflib.get_close_matches(agency.parent, list(declared), n=1, cutoff=0.6)
            out.append(doc.diagnostic(("parent",), "unknown_parent", parent=agency.parent, suggestion=_first(suggestion)))
        if agency.regime is not None and known_regimes and agency.regime not in known_regimes:
            out.append(doc.diagnostic(("regime",), "unknown_regime", value=agency.regime, known=", ".join(sorted(known_regimes))))
        out.extend(_check_files(doc, agency))

    by_id = {agency.id: doc for doc, agency in valid}
    reported: set[str] = set()
    for start in parents:
        chain, current = [start], parents[start]
        while current is not None and current in parents and current not in chain:
            chain.append(current)
            current = parents[current]
        if current is not None and current in chain and current == start and start not in reported:
            cycle = chain[chain.index(current):] + [current]
            reported.update(cycle)
            out.append(by_id[start].diagnostic(("parent",), "parent_cycle", cycle=" → ".join(cycle)))
    return out


def _check_files(doc: LoadedDocument, agency: Agency) -> list[Diagnostic]:
    folder = doc.path.parent / agency.id
    references: list[tuple[Location, str]] = []
    if agency.regulation and agency.regulation.file:
        references.append((("regulation", "file"), agency.regulation.file))
    references += [(("catalog", i, "file"), e.file) for i, e in enumerate(agency.catalog) if e.file]
    references += [(("pages", i, "file"), p.file) for i, p in enumerate(agency.pages)]
    out: list[Diagnostic] = []
    root = folder.resolve()
    published: dict[str, str] = {}  # attachments.collision_key → the first path written with it
    for loc, relative in references:
        target = (folder / relative).resolve()  # symlinks followed: one out of the folder is refused
        shown_folder = f"{doc.path.parent.name}/{agency.id}/"
        if not target.is_relative_to(root):
            out.append(doc.diagnostic(loc, "file_outside", value=relative, folder=shown_folder))
            continue
        if loc[0] != "pages":
            first = published.setdefault(attachments.collision_key(relative), relative)
            if first != relative:
                out.append(doc.diagnostic(loc, "attachment_name_collision", value=relative, other=first))
        if not target.is_file():
            out.append(doc.diagnostic(loc, "file_missing", value=relative, folder=shown_folder))
            continue
        problem = _page_problem(target) if loc[0] == "pages" else attachments.refusal(relative, target)
        if problem is not None:
            out.append(doc.diagnostic(loc, problem.code, value=relative, **problem.params))
    return out


def _page_problem(path: Path) -> attachments.Refusal | None:
    """An extra page is Markdown, in UTF-8, neither empty nor huge: the render stage reads it as such."""
    if path.suffix.lower() != ".md":
        return attachments.Refusal("page_not_markdown", {})
    if path.stat().st_size > PAGE_MAX_BYTES:
        return attachments.Refusal("page_too_large", {"limit": PAGE_MAX_BYTES // 1024})
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        return attachments.Refusal("page_not_utf8", {"line": data[:error.start].count(b"\n") + 1})
    return None if text.strip() else attachments.Refusal("page_empty", {})
