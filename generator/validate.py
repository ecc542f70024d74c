"""Stage 2 — validate: loaded documents → Agency models, or diagnostics pointing at line and column.

Per file: the pydantic model (types, enums, required fields, per-record rules); entries with a
secrecy mark refused; entries marked `access: internal` withheld from the published model;
warnings for personal data (citizen id numbers, mobile numbers outside contact fields).
Across files: ids and old ids unique, ids equal to file names, parents exist and form no cycle,
`file:` paths exist inside the agency's own folder (no symlink out of the repository) and are
publishable (generator/attachments.py), extra pages are readable Markdown with distinct names,
named regimes exist.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import difflib
import gc
import json
import multiprocessing
import os
import re
import types
import typing
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from generator import attachments
from generator.cache import RecordCache, code_digest
from generator.diagnostics import Diagnostic, display_path
from generator.i18n import load_messages
from generator.leakscan import RefusedEntry
from generator.load import LoadedDocument, Location, load_bytes, read_limited, without_collections
from generator.model import Agency, CatalogEntry, ConditionalEntry
from generator.secrecy import secrecy_mark

AGENCY_SUFFIXES = (".yaml", ".yml")  # compared in lower case: so-a.YAML is read, never skipped
_IGNORED_NAMES = {"readme.md", ".gitkeep", ".gitignore"}  # files an agencies/ folder may hold besides agencies
PAGE_MAX_BYTES = 1024 * 1024  # an extra page is prose; a megabyte of it is a mistake (or a pasted export)

# Personal data that has no place in published text (Law Art. 7(2)): a 12-digit citizen id number,
# a Vietnamese mobile number (03x, 05x, 07x, 08x, 09x; +84 or 0; spaces or dots between digits).
_PERSONAL_ID = re.compile(r"(?<![\d])\d{12}(?![\d])")
_MOBILE = re.compile(r"(?<![\d+])(?:\+84|0)[35789](?:[ .]?\d){8}(?![\d])")
_CONTACT_FIELDS = {"phone", "fax"}  # where phone numbers belong
_SECRECY_FIELDS = ("title", "number", "summary")


@dataclass(frozen=True)
class AgencySource:
    """A valid agency as it is published, and where its own files live (agencies/<id>/).

    `model` holds only what may be published: entries marked `access: internal` are in `withheld`,
    never in `model`, so no later stage can leak them; the build still scans its output for them.
    """

    model: Agency
    source: Path
    withheld: tuple[CatalogEntry | ConditionalEntry, ...] = ()

    @property
    def folder(self) -> Path:
        return self.source.parent / self.model.id


@dataclass
class ValidationResult:
    agencies: list[AgencySource] = field(default_factory=list)  # all of them, and only when every file is valid
    diagnostics: list[Diagnostic] = field(default_factory=list)
    usable: list[AgencySource] = field(default_factory=list)  # agencies whose own file has no error
    failed: list[str] = field(default_factory=list)  # ids (or file stems) of files with errors
    refused: list[RefusedEntry] = field(default_factory=list)  # entries that must appear in no output

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "error"]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "warning"]

    @property
    def ok(self) -> bool:
        return not self.errors


def is_agency_file(path: Path) -> bool:
    return path.suffix.lower() in AGENCY_SUFFIXES


def discover(paths: Iterable[Path]) -> list[Path]:
    """Agency files named directly, or found (not recursively) in named folders, in a stable order."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.iterdir() if is_agency_file(p) and not p.is_dir()))
        else:
            found.append(path)
    return found


def _ignored_files(paths: Iterable[Path]) -> list[Diagnostic]:
    """Files in an agencies folder that are not read: said, never skipped silently."""
    out = []
    for folder in (p for p in paths if p.is_dir()):
        for path in sorted(folder.iterdir()):
            if not path.is_dir() and not is_agency_file(path) and path.name.lower() not in _IGNORED_NAMES:
                out.append(
                    Diagnostic(
                        display_path(path), 1, 1, "ignored_file", params={"value": path.name}, severity="warning"
                    )
                )
    return out


def _outside_repository(path: Path) -> list[Diagnostic]:
    """An agency file that is a symlink leaving its folder would publish whatever it points at."""
    if path.is_symlink() and not path.resolve().is_relative_to(path.parent.resolve()):
        return [Diagnostic(display_path(path), 1, 1, "agency_file_outside")]
    return []


def links_out_of(folder: Path, root: Path) -> list[Diagnostic]:
    """Symlinks under `folder` (content/, theme/) that resolve outside `root`, the project: a build
    would publish whatever they point at."""
    out = []
    for base, dirs, files in os.walk(folder):  # does not follow links into other folders
        for name in sorted(dirs + files):
            path = Path(base) / name
            if path.is_symlink() and not path.resolve().is_relative_to(root.resolve()):
                out.append(Diagnostic(display_path(path), 1, 1, "link_outside"))
    return out


def check_paths(
    paths: Sequence[Path], known_regimes: Iterable[str] = (), cache: RecordCache | None = None, jobs: int = 1
) -> ValidationResult:
    """The files of `paths` validated. With a `cache`, a file whose bytes (and name, and the tool) are
    those of a file valid alone before is not read again: its record is; only the checks that look
    past its bytes (its folder, across files) run again. With `jobs` > 1, files are checked alone in
    that many processes (the same results, in the same order)."""
    files = discover(paths)
    if not files:
        return ValidationResult(diagnostics=[Diagnostic(", ".join(map(str, paths)) or ".", 1, 1, "no_agency_files")])
    with without_collections():  # records read back are models and lists: no cycles to collect
        result = _validate(_checked_files(files, cache, jobs), known_regimes)  # one file at a time
    if cache is not None:
        cache.prune()
        for key in _SEEN.keys() - cache.used:
            del _SEEN[key]
    result.diagnostics = sorted(result.diagnostics + _ignored_files(paths))
    return result


def validate_documents(docs: Iterable[LoadedDocument], known_regimes: Iterable[str] = ()) -> ValidationResult:
    return _validate((_alone(doc) for doc in docs), known_regimes)


@dataclass(frozen=True)
class _Alone:
    """One file checked alone, a function of its name and bytes only: its own diagnostics, its model
    (None when it has an error), the entries it must never publish, and its summary (_summary)."""

    diagnostics: list[Diagnostic]
    model: Agency | None
    refused: list[RefusedEntry]
    summary: LoadedDocument


def _alone(doc: LoadedDocument) -> _Alone:
    diagnostics = list(doc.diagnostics)
    model = _validate_one(doc, diagnostics)
    if model is not None:
        diagnostics.extend(_leak_guard(doc, model) + _personal_data(doc))
    return _Alone(diagnostics, model, _refused_entries(doc), _summary(doc))


# Records this process read back or wrote already, by key, with their file's stamp: `tiepcan serve`
# validates the folder again after every save, and reading a record back (JSON, then the model) is
# ~1.5 ms a file. A copy is used only while its file on disk is the one read or written; after each
# run with a cache only the records that run used are kept here.
_SEEN: dict[str, tuple[tuple[int, int, int], _Alone]] = {}


# Below this many files to parse a process pool costs more than it saves (starting it, results sent back).
_PARALLEL_FROM = 64


def _checked_files(files: Sequence[Path], cache: RecordCache | None, jobs: int) -> Iterator[_Alone]:
    """Each file checked alone, in order. Files with a record (or held in memory) are read back here.
    The others are parsed and validated in `jobs` forked processes when there are many (a first
    build, a new clone), while this one reads the records back; a worker's record is read back here
    too: a model pickled from another process costs more to send than its record does to read."""
    keys = [_record_key(path, cache) for path in files]  # a recorded file's bytes are read for its key only
    fresh = [(path, key) for path, key in zip(files, keys, strict=True) if not _recorded(key, cache)]
    parsing = {path for path, _ in fresh} if jobs > 1 and len(fresh) >= _PARALLEL_FROM else set()
    with contextlib.ExitStack() as stack:
        parsed: Iterator[tuple[_Alone | None, str | None]] = iter(())
        if parsing:
            context = multiprocessing.get_context("fork")  # the workers start with the code imported
            pool = stack.enter_context(context.Pool(jobs, initializer=_start_checking, initargs=(cache,)))
            parsed = pool.imap(_check_in_worker, fresh, chunksize=max(1, min(16, len(fresh) // (8 * jobs))))
        for path, key in zip(files, keys, strict=True):
            if path in parsing:
                sent, key = next(parsed)  # the key of the record the worker wrote, if it wrote one
                if sent is not None:
                    yield sent
                    continue
            alone, used = _checked_file(path, cache, key)
            if cache is not None and used is not None:
                _remember(cache, used, alone)
            yield alone


def _record_key(path: Path, cache: RecordCache | None) -> str | None:
    """The key of the file's record as the file is now (the tool, its name as shown, its bytes); None
    without a cache, and for a file linking out of its folder (never recorded)."""
    if cache is None or _outside_repository(path):
        return None
    return cache.key(code_digest(), display_path(path), read_limited(path))


def _recorded(key: str | None, cache: RecordCache | None) -> bool:
    """Whether a record of that key is in `cache` or in this process's memory."""
    return cache is not None and key is not None and (key in _SEEN or cache.stamp(key) is not None)


_worker_cache: RecordCache | None = None  # in a worker process of _checked_files


def _start_checking(cache: RecordCache | None) -> None:
    global _worker_cache
    _worker_cache = cache
    # Forked while check_paths reads records back without collections; a worker validates files,
    # which makes garbage with cycles (pydantic's errors, among others) that must be collected.
    gc.enable()


def _check_in_worker(task: tuple[Path, str | None]) -> tuple[_Alone | None, str | None]:
    """The file checked alone, or None with the key of the record it is now (the parent reads it back)."""
    path, key = task
    alone, used = _checked_file(path, _worker_cache, key)
    return (None if used is not None else alone), used


def _checked_file(path: Path, cache: RecordCache | None, key: str | None) -> tuple[_Alone, str | None]:
    """The file checked alone, and the key of the cache record that holds it (read back or written
    now), if one does. `key`: _record_key's for the file (its record, if any, is what is read)."""
    if cache is None or key is None:  # a file linking out of its folder is never recorded
        doc = load_bytes(path, read_limited(path))
        doc.diagnostics.extend(_outside_repository(path))
        return _alone(doc), None
    shown = display_path(path)
    stamp, seen = _SEEN.get(key, (None, None))
    if seen is not None and stamp == cache.stamp(key):
        cache.keep(key)
        if seen.summary.path != path:
            seen = dataclasses.replace(seen, summary=dataclasses.replace(seen.summary, path=path))
        return seen, key
    record = cache.get(key)
    found = None if record is None else _from_record(path, shown, record)
    if found is not None:
        return found, key
    raw = read_limited(path)
    key = cache.key(code_digest(), shown, raw)  # of the bytes parsed: the file may have changed since
    alone = _alone(load_bytes(path, raw))
    if alone.model is not None:
        record = _record(alone)
        again = _from_record(path, shown, json.loads(json.dumps(record)))
        if again is not None and again.model == alone.model and _record(again) == record:  # JSON gives it back whole
            cache.put(key, record)
            return alone, key  # remembered: the copy the build holds anyway, not a second one
    return alone, None


def _remember(cache: RecordCache, key: str, alone: _Alone) -> None:
    stamp = cache.stamp(key)
    if stamp is not None:
        _SEEN[key] = (stamp, alone)


def _record(alone: _Alone) -> dict[str, Any]:
    """`alone` (valid: it has a model) as JSON; read back by _from_record."""
    assert alone.model is not None
    summary = alone.summary
    return {
        "agency": alone.model.model_dump_json(exclude_unset=True),  # the fields the file gave, as it gave them
        "diagnostics": [[d.line, d.column, d.code, d.field_path, d.params, d.severity] for d in alone.diagnostics],
        "refused": [[r.agency_id, r.entry_id, r.title] for r in alone.refused],
        "data": summary.data,
        "positions": summary.positions_text(),
    }


def _from_record(path: Path, shown: str, record: Any) -> _Alone | None:
    """A record made by _record for the file `path` (shown as `shown`), checked as it is read (the
    model validated again), or None."""
    try:
        model = Agency.model_validate_json(record["agency"])
        diagnostics = [
            Diagnostic(shown, line, column, code, field, dict(params), severity)
            for line, column, code, field, params, severity in record["diagnostics"]
        ]
        refused = [RefusedEntry(str(a), str(e), str(t)) for a, e, t in record["refused"]]
        if not isinstance(record["positions"], str):
            return None
        summary = LoadedDocument(path=path, data=record["data"], stored_positions=record["positions"])
    except (KeyError, TypeError, ValueError):  # ValidationError is a ValueError
        return None
    return _Alone(diagnostics, model, refused, summary)


def _validate(alones: Iterable[_Alone], known_regimes: Iterable[str]) -> ValidationResult:
    """Each file checked alone, then against its folder, then all of them together. Past its own
    checks only a summary of each is kept (_summary): at 5,000 agencies the loaded documents and
    their positions would be most of the memory of a build."""
    result = ValidationResult()
    docs: list[LoadedDocument] = []
    valid: list[tuple[LoadedDocument, Agency]] = []
    for alone in alones:
        summary, model = alone.summary, alone.model
        result.diagnostics.extend(alone.diagnostics)
        if model is not None:
            result.diagnostics.extend(_check_folder(summary, model) or _check_files(summary, model))
            result.diagnostics.extend(_page_stems(summary, model))
            valid.append((summary, model))
        result.refused.extend(alone.refused)
        docs.append(summary)
    result.diagnostics.extend(_cross_file(docs, valid, set(known_regimes)))
    broken = {d.path for d in result.errors}
    result.usable = [published(model, doc.path) for doc, model in valid if doc.shown_path not in broken]
    if result.ok:
        result.agencies = result.usable
    result.failed = sorted({_declared_id(doc) for doc in docs if doc.shown_path in broken})
    result.diagnostics.sort()
    return result


def _summary(doc: LoadedDocument) -> LoadedDocument:
    """What the checks of the folder and across files need of a document: its declared id and where
    its top fields, records, previous ids, pages and `file:` fields are."""
    raw_id = doc.data.get("id") if isinstance(doc.data, dict) else None
    return dataclasses.replace(
        doc,
        data={"id": raw_id} if isinstance(doc.data, dict) else None,
        positions={loc: at for loc, at in doc.positions.items() if _summarised(loc)},
        key_positions={loc: at for loc, at in doc.key_positions.items() if len(loc) <= 1},
        diagnostics=[],
    )


def _summarised(loc: Location) -> bool:
    return len(loc) <= 2 or loc[0] in ("previous_ids", "pages") or loc[-1] == "file"


def _declared_id(doc: LoadedDocument) -> str:
    raw_id = doc.data.get("id") if isinstance(doc.data, dict) else None
    return raw_id if isinstance(raw_id, str) else doc.path.stem


def _refused_entries(doc: LoadedDocument) -> list[RefusedEntry]:
    """Entries that must never be published, read from the raw data (the file may be invalid)."""
    if not isinstance(doc.data, dict):
        return []
    out = []
    for key in ("catalog", "conditional_catalog"):
        entries = doc.data.get(key)
        for entry in entries if isinstance(entries, list) else []:
            if not isinstance(entry, dict):
                continue
            texts = [entry.get(name) for name in _SECRECY_FIELDS]
            if entry.get("access") == "internal" or any(isinstance(t, str) and secrecy_mark(t) for t in texts):
                out.append(RefusedEntry(_declared_id(doc), str(entry.get("id", "")), str(entry.get("title", ""))))
    return out


def published(model: Agency, source: Path) -> AgencySource:
    """The agency without its internal entries (kept aside in `withheld`)."""
    entries: tuple[CatalogEntry | ConditionalEntry, ...] = (*model.catalog, *model.conditional_catalog)
    withheld = tuple(e for e in entries if e.access == "internal")
    if not withheld:
        return AgencySource(model, source)
    public = model.model_copy(
        update={
            "catalog": [e for e in model.catalog if e.access == "public"],
            "conditional_catalog": [e for e in model.conditional_catalog if e.access == "public"],
        }
    )
    return AgencySource(public, source, withheld)


def _leak_guard(doc: LoadedDocument, agency: Agency) -> list[Diagnostic]:
    """Secret-marked entries are refused unless withheld as internal; withheld ones are named."""
    out: list[Diagnostic] = []
    for key in ("catalog", "conditional_catalog"):
        entries: Sequence[CatalogEntry | ConditionalEntry] = getattr(agency, key)
        for index, entry in enumerate(entries):
            if entry.access == "internal":
                out.append(_soft(doc.diagnostic((key, index), "withheld_entry", id=entry.id), "note"))
                continue
            for name in _SECRECY_FIELDS:
                mark = secrecy_mark(getattr(entry, name, None) or "")
                if mark:
                    out.append(doc.diagnostic((key, index, name), "secret_mark", mark=mark))
                    break
    return out


def _soft(diagnostic: Diagnostic, severity: str = "warning") -> Diagnostic:
    return dataclasses.replace(diagnostic, severity=severity)


def _personal_data(doc: LoadedDocument) -> list[Diagnostic]:
    """Warnings for citizen id numbers anywhere and mobile numbers outside the phone/fax fields."""
    out: list[Diagnostic] = []
    stack: list[tuple[Location, Any]] = [((), doc.data)]
    while stack:
        loc, value = stack.pop()
        if isinstance(value, dict):
            stack.extend((loc + (k,), v) for k, v in value.items())
        elif isinstance(value, list):
            stack.extend((loc + (i,), v) for i, v in enumerate(value))
        elif isinstance(value, str):
            for match in _PERSONAL_ID.finditer(value):
                out.append(_soft(doc.diagnostic(loc, "personal_id", value=match.group())))
            if loc and loc[-1] not in _CONTACT_FIELDS:
                for match in _MOBILE.finditer(value):
                    out.append(_soft(doc.diagnostic(loc, "personal_phone", value=match.group())))
    return out


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
        return doc.diagnostic(
            loc,
            code if _known(code) else "generic",
            got=_shown(value),
            example=_shown(value).strip('"'),
            message=item["msg"],
            **ctx,
        )
    if _known(code):
        return doc.diagnostic(loc, code, **ctx)
    return doc.diagnostic(loc, "generic", message=item["msg"])


def _first(suggestions: list[str]) -> str | None:
    return suggestions[0] if suggestions else None


def _known(code: str) -> bool:
    return load_messages("vi").has(f"error.{code}")


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


def _cross_file(
    docs: Sequence[LoadedDocument], valid: list[tuple[LoadedDocument, Agency]], known_regimes: set[str]
) -> list[Diagnostic]:
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
    claimed: dict[str, LoadedDocument] = {}  # old id → the file that claims it
    for doc, agency in valid:
        parents[agency.id] = agency.parent
        if agency.id != doc.path.stem:
            out.append(doc.diagnostic(("id",), "id_mismatch", id=agency.id, stem=doc.path.stem))
        for index, old in enumerate(agency.previous_ids):
            if old == agency.id:
                out.append(doc.diagnostic(("previous_ids", index), "previous_id_is_self", id=old))
            elif old in declared:
                out.append(
                    doc.diagnostic(
                        ("previous_ids", index), "duplicate_agency_id", id=old, other=declared[old].shown_path
                    )
                )
            elif old in claimed:
                out.append(
                    doc.diagnostic(
                        ("previous_ids", index), "duplicate_previous_id", id=old, other=claimed[old].shown_path
                    )
                )
            else:
                claimed[old] = doc
        if agency.parent is not None and agency.parent not in declared:
            suggestion = difflib.get_close_matches(agency.parent, list(declared), n=1, cutoff=0.6)
            out.append(
                doc.diagnostic(("parent",), "unknown_parent", parent=agency.parent, suggestion=_first(suggestion))
            )
        if agency.regime is not None and known_regimes and agency.regime not in known_regimes:
            out.append(
                doc.diagnostic(
                    ("regime",), "unknown_regime", value=agency.regime, known=", ".join(sorted(known_regimes))
                )
            )

    by_id = {agency.id: doc for doc, agency in valid}
    reported: set[str] = set()
    for start in parents:
        chain, current = [start], parents[start]
        while current is not None and current in parents and current not in chain:
            chain.append(current)
            current = parents[current]
        if current is not None and current in chain and current == start and start not in reported:
            cycle = chain[chain.index(current) :] + [current]
            reported.update(cycle)
            out.append(by_id[start].diagnostic(("parent",), "parent_cycle", cycle=" → ".join(cycle)))
    return out


def _check_folder(doc: LoadedDocument, agency: Agency) -> list[Diagnostic]:
    """The agency's own folder must really be in the repository: a symlink to /etc would publish /etc."""
    folder = doc.path.parent / agency.id
    if folder.is_symlink() and not folder.resolve().is_relative_to(doc.path.parent.resolve()):
        return [doc.diagnostic(("id",), "folder_outside", folder=f"{doc.path.parent.name}/{agency.id}/")]
    return []


def _page_stems(doc: LoadedDocument, agency: Agency) -> list[Diagnostic]:
    """Extra pages are published as trang/<file stem>.html: two with one stem would overwrite each other."""
    out: list[Diagnostic] = []
    seen: dict[str, str] = {}
    for index, page in enumerate(agency.pages):
        stem = Path(page.file).stem.lower()  # case-insensitive servers (IIS) would serve one for both
        if stem in seen:
            out.append(
                doc.diagnostic(("pages", index, "file"), "duplicate_page_stem", value=page.file, other=seen[stem])
            )
        else:
            seen[stem] = page.file
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
        problem = _page_problem(relative, target) if loc[0] == "pages" else attachments.refusal(relative, target)
        if problem is not None:
            out.append(doc.diagnostic(loc, problem.code, value=relative, **problem.params))
    return out


def _page_problem(relative: str, path: Path) -> attachments.Refusal | None:
    """An extra page is Markdown, in UTF-8, neither empty nor huge: the render stage reads it as such."""
    if path.suffix.lower() != ".md":
        return attachments.Refusal("page_not_markdown", {})
    if Path(relative).name.startswith("."):  # trang/.<name>.html: servers commonly refuse dot files
        return attachments.Refusal("hidden_file_name", {})
    if path.stat().st_size > PAGE_MAX_BYTES:
        return attachments.Refusal("page_too_large", {"limit": PAGE_MAX_BYTES // 1024})
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        return attachments.Refusal("page_not_utf8", {"line": data[: error.start].count(b"\n") + 1})
    return None if text.strip() else attachments.Refusal("page_empty", {})
