"""`tiepcan diff [REV1 [REV2]]`: what a change does to each agency, said plainly for the reviewer.

Both sides are read as `tiepcan check` reads them (generator/load.py) from git (`git cat-file` in the
repository holding the agencies folder) or from the working tree, and compared as data: agencies
added or removed; catalog entries by id (added, removed, changed field by field, old → new); every
other field by its path (contact point, regulation …). Warnings mark what a citizen loses: a part
the law requires gone (regulation, request e-mail, a whole catalog) or a disclosure withdrawn (an
entry removed, withheld as internal, or its `until` moved earlier). A file that does not load at
one side is named, never a traceback.
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from generator.diagnostics import Diagnostic
from generator.i18n import Messages
from generator.load import LoadedDocument, load_bytes
from generator.model import Agency
from generator.validate import discover, is_agency_file

ENTRY_LISTS = ("catalog", "conditional_catalog")
_SHOWN_CHARS = 80  # a long title or description is cut in the review, not in the file
WORKING_TREE = None  # the side that is read from the folder itself


class DiffError(Exception):
    """Git could not give a side: `key` is the message, `params` its values."""

    def __init__(self, key: str, **params: Any):
        super().__init__(key)
        self.key, self.params = key, params


@dataclass(frozen=True)
class Change:
    key: str  # message key under diff.change
    params: dict[str, Any]
    warning: str | None = None  # message key under diff.warning, when a citizen loses something


@dataclass
class AgencyDiff:
    file: str
    name: str
    changes: list[Change] = field(default_factory=list)
    unreadable: list[tuple[str, Diagnostic | None]] = field(default_factory=list)  # (side, first problem)


def _git(folder: Path, *args: str, data: bytes | None = None) -> bytes:
    try:
        return subprocess.run(["git", "-C", str(folder), *args], input=data, capture_output=True, check=True).stdout
    except FileNotFoundError:
        raise DiffError("diff.no_git") from None
    except subprocess.CalledProcessError as error:
        raise DiffError(
            "diff.git_failed", command=" ".join(args[:2]), message=error.stderr.decode("utf-8", "replace").strip()
        ) from None


def _top(folder: Path) -> str:
    try:
        return _git(folder, "rev-parse", "--show-toplevel").decode().strip()
    except DiffError:
        raise DiffError("diff.not_a_repository", folder=str(folder)) from None


def _read_revision(folder: Path, revision: str) -> dict[str, bytes]:
    top = _top(folder)
    try:
        _git(folder, "rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}")
    except DiffError:
        raise DiffError("diff.bad_revision", revision=revision) from None
    prefix = _git(folder, "rev-parse", "--show-prefix").decode().strip()
    listed = _git(folder, "ls-tree", "-z", revision, "--", ".")  # run in the folder: its own entries
    paths = []
    for line in filter(None, listed.decode("utf-8").split("\0")):
        meta, name = line.split("\t", 1)
        if meta.split()[1] == "blob" and is_agency_file(Path(name)):
            paths.append(f"{prefix}{name}")
    if not paths:
        return {}
    # One `git cat-file --batch` for every file: a repository of hundreds of agencies stays fast.
    output = _git(Path(top), "cat-file", "--batch", data="".join(f"{revision}:{p}\n" for p in paths).encode())
    files, position = {}, 0
    for path in paths:
        end = output.index(b"\n", position)
        header = output[position:end].split()
        size = int(header[2]) if len(header) == 3 else 0
        files[Path(path).name] = output[end + 1 : end + 1 + size]
        position = end + 1 + size + (1 if len(header) == 3 else 0)
    return files


def read_side(folder: Path, revision: str | None) -> dict[str, bytes]:
    """File name → bytes of every agency file at a revision, or in the folder (revision None)."""
    if revision is WORKING_TREE:
        _top(folder)  # the folder must be in a repository all the same
        return {path.name: path.read_bytes() for path in discover([folder]) if path.is_file()}
    return _read_revision(folder, revision)


def compare(folder: Path, old: dict[str, bytes], new: dict[str, bytes], labels: tuple[str, str]) -> list[AgencyDiff]:
    out = []
    for name in sorted(set(old) | set(new)):
        before = _loaded(folder / name, old.get(name))
        after = _loaded(folder / name, new.get(name))
        shown = f"{folder.as_posix().rstrip('/')}/{name}"
        diff = AgencyDiff(shown, _agency_name(after) or _agency_name(before) or Path(name).stem)
        for side, doc in zip(labels, (before, after), strict=False):
            if doc is not None and not isinstance(doc.data, dict):
                diff.unreadable.append((side, doc.diagnostics[0] if doc.diagnostics else None))
        if not diff.unreadable:
            diff.changes = _agency_changes(before.data if before else None, after.data if after else None)
        if diff.changes or diff.unreadable:
            out.append(diff)
    return out


def _loaded(path: Path, raw: bytes | None) -> LoadedDocument | None:
    return None if raw is None else load_bytes(path, raw)


def _agency_name(doc: LoadedDocument | None) -> str | None:
    name = doc.data.get("name") if doc is not None and isinstance(doc.data, dict) else None
    return name if isinstance(name, str) else None


def _agency_changes(old: dict[str, Any] | None, new: dict[str, Any] | None) -> list[Change]:
    if old is None:
        return [Change("agency_added", {"entries": len(_entries(new, "catalog"))})]
    if new is None:
        return [Change("agency_removed", {"entries": len(_entries(old, "catalog"))}, "agency_removed")]
    changes: list[Change] = []
    order = list(Agency.model_fields)
    keys = sorted(set(old) | set(new), key=lambda k: (order.index(k) if k in order else len(order), k))
    for key in keys:
        if key in ENTRY_LISTS:
            changes += _entry_changes(key, _entries(old, key), _entries(new, key))
        else:
            changes += _field_changes(_flatten(old.get(key), key), _flatten(new.get(key), key))
    if old.get("regulation") and not new.get("regulation"):
        changes.append(Change("warning_only", {}, "regulation_removed"))
    if _entries(old, "catalog") and not _entries(new, "catalog"):
        changes.append(Change("warning_only", {}, "catalog_emptied"))
    return changes


def _entries(data: dict[str, Any] | None, key: str) -> list[dict[str, Any]]:
    value = (data or {}).get(key)
    return [e for e in value if isinstance(e, dict)] if isinstance(value, list) else []


def _entry_changes(key: str, old: list[dict[str, Any]], new: list[dict[str, Any]]) -> list[Change]:
    def by_id(entries: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
        return {str(e.get("id", f"#{i + 1}")): e for i, e in enumerate(entries)}

    before, after = by_id(old), by_id(new)
    changes = []
    for entry_id in [*before, *(i for i in after if i not in before)]:
        params = {"list": key, "id": entry_id, "title": (after.get(entry_id) or before[entry_id]).get("title")}
        if entry_id not in after:
            changes.append(Change("entry_removed", params, "withdrawn" if key == "catalog" else None))
        elif entry_id not in before:
            changes.append(Change("entry_added", params))
        else:
            fields = _field_changes(_flatten(before[entry_id], ""), _flatten(after[entry_id], ""), f"{key}.")
            if fields:
                changes.append(
                    Change(
                        "entry_changed",
                        {**params, "fields": fields},
                        _withdrawal(key, before[entry_id], after[entry_id]),
                    )
                )
    return changes


def _withdrawal(key: str, old: dict[str, Any], new: dict[str, Any]) -> str | None:
    if key != "catalog":
        return None
    if old.get("access", "public") == "public" and new.get("access") == "internal":
        return "withheld"
    until_old, until_new = old.get("until"), new.get("until")
    if isinstance(until_new, dt.date) and (not isinstance(until_old, dt.date) or until_new < until_old):
        return "until_earlier"
    return None


def _flatten(value: Any, path: str) -> dict[str, Any]:
    """{'contact_point': {'unit': 'A'}} → {'contact_point.unit': 'A'}; lists of records by index."""
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, inner in value.items():
            out.update(_flatten(inner, f"{path}.{key}" if path else str(key)))
        return out
    if isinstance(value, list) and any(isinstance(item, dict) for item in value):
        out = {}
        for index, item in enumerate(value):
            out.update(_flatten(item, f"{path}[{index}]"))
        return out
    return {} if value is None else {path: value}


_WARN_FIELDS = {"contact_point.request_email": "request_email"}


def _field_changes(old: dict[str, Any], new: dict[str, Any], within: str = "") -> list[Change]:
    changes = []
    for path in [*old, *(p for p in new if p not in old)]:
        if old.get(path) == new.get(path):
            continue
        key = "field_added" if path not in old else "field_removed" if path not in new else "field_changed"
        warning = _WARN_FIELDS.get(path)
        changes.append(
            Change(
                key, {"field": path, "title_path": within + path, "old": old.get(path), "new": new.get(path)}, warning
            )
        )
    return changes


def _inner_model(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    wrapped = isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is not None
    args = typing.get_args(annotation) if wrapped else ()
    return next((m for m in map(_inner_model, args) if m is not None), None)


def field_title(path: str) -> str | None:
    """'contact_point.request_email' → that field's title in the model; None for a key it lacks."""
    model: type[BaseModel] | None = Agency
    title = None
    for part in path.replace("[", ".[").split("."):
        if part.startswith("["):
            continue
        info = model.model_fields.get(part) if model else None
        if info is None:
            return None
        title, model = info.title, _inner_model(info.annotation)
    return title


def _shown(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(map(_shown, value))
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value)
    return text if len(text) <= _SHOWN_CHARS else text[: _SHOWN_CHARS - 1] + "…"


# --- wording -------------------------------------------------------------------------------------

# In a merge-request comment, text from the files must stay text: no emphasis, links, HTML or
# "@someone" mentions (a title with "@all" would notify a whole GitLab instance).
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]<>|~])")


@dataclass(frozen=True)
class _Wording:
    messages: Messages
    markdown: bool

    def data(self, value: Any) -> str:
        text = _shown(value)
        return _MARKDOWN_SPECIAL.sub(r"\\\1", text).replace("@", "@\u2060") if self.markdown else text

    def value(self, value: Any) -> str:
        return self.messages.text("diff.empty") if value is None else f"“{self.data(value)}”"

    def label(self, path: str, title_path: str) -> str:
        title = field_title(title_path) if self.messages.lang == "vi" else None  # the model's titles are Vietnamese
        return self.messages.text("diff.field_label", title=title, field=self.data(path)) if title else self.data(path)

    def field_change(self, change: Change) -> str:
        p = change.params
        return self.messages.text(
            f"diff.change.{change.key}",
            field=self.label(p["field"], p["title_path"]),
            old=self.value(p["old"]),
            new=self.value(p["new"]),
        )

    def change(self, change: Change) -> str:
        p = change.params
        if change.key.startswith("field_"):
            return self.field_change(change)
        if change.key.startswith("entry_"):
            fields = "; ".join(self.field_change(f) for f in p.get("fields", []))
            return self.messages.text(
                f"diff.change.{change.key}",
                list=self.messages.text(f"diff.list.{p['list']}"),
                id=self.data(p["id"]),
                title=self.data(p["title"]),
                fields=fields,
            )
        return self.messages.text(f"diff.change.{change.key}", **p)

    def warning(self, change: Change) -> str:
        p = change.params
        return self.messages.text(
            f"diff.warning.{change.warning}",
            id=self.data(p.get("id", "")),
            old=self.value(p.get("old")),
            new=self.value(p.get("new")),
        )


def render(diffs: list[AgencyDiff], messages: Messages, labels: tuple[str, str], markdown: bool) -> str:
    words = _Wording(messages, markdown)
    lines = [messages.text("diff.heading_md" if markdown else "diff.heading", old=labels[0], new=labels[1]), ""]
    if not diffs:
        return "\n".join([*lines, messages.text("diff.none")]) + "\n"
    warnings = sum(1 for d in diffs for c in d.changes if c.warning)
    lines += [messages.text("diff.summary", count=len(diffs), warnings=warnings), ""]
    bullet = "- " if markdown else "  "
    for diff in diffs:
        lines.append(
            messages.text("diff.agency_md" if markdown else "diff.agency", file=diff.file, name=words.data(diff.name))
        )
        if markdown:
            lines.append("")
        for side, problem in diff.unreadable:
            shown = problem.format(messages) if problem else messages.text("error.root_not_mapping")
            lines.append(bullet + messages.text("diff.unreadable", side=side, problem=words.data(shown)))
        lines += [bullet + words.change(c) for c in diff.changes if c.key != "warning_only"]
        lines += [
            messages.text("diff.warning_md" if markdown else "diff.warning_line", text=words.warning(c))
            for c in diff.changes
            if c.warning
        ]
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"
