"""The history of the agency files: every committed version of each `agencies/<id>.yaml`, with its date.

One `git log` over the agencies folder lists, oldest first, every commit of the main line (merges
count as one change, dated when they reached it) that touched a file and the blob it left; one
`git cat-file --batch` reads those blobs. The report (generator/report.py) judges each version as
of its date, which gives the date a duty was first met and the date a catalog last changed. A
version is dated by its commit (committer date, in Vietnam's time, UTC+7 by default).

Without Git (or outside a checkout) the only version is the file itself, dated by its modification
time, and `source` says so: the report then tells its reader that its dates are file dates.
A working-tree file that differs from its last commit counts as one more version, dated by the
report date (it is what this build publishes).

`read` lists the versions without reading them (a committed version is known by its blob id);
`read_versions` reads and parses some of them: the report asks only for versions it has not
stored the model of already (generator/report.py), a few agencies at a time.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import subprocess
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml

Source = Literal["git", "file_dates"]
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class Version:
    date: dt.date
    # The file's YAML as plain data: None when it did not parse, for `current`, and for a committed
    # version (read_versions reads those asked for).
    data: Any
    committed: bool = True  # False: the working-tree copy (git) or the file itself (file_dates)
    # The bytes of the file as it is now, whose validated model the caller has: not parsed again
    # (at 5,000 agencies parsing and validating them twice cost half a minute).
    current: bool = False
    blob: str = ""  # a committed version's Git object id (what its bytes are, in every clone)


@dataclass(frozen=True)
class History:
    source: Source
    versions: dict[str, tuple[Version, ...]] = field(default_factory=dict)  # agency id → oldest first
    top: Path | None = None  # the checkout whose objects the blobs are

    def of(self, agency_id: str) -> tuple[Version, ...]:
        return self.versions.get(agency_id, ())


def _parse(data: bytes) -> Any:
    try:
        return yaml.load(data.decode("utf-8"), Loader=_LOADER)
    except (yaml.YAMLError, UnicodeDecodeError, RecursionError):
        return None


def _local_date(timestamp: int, offset_hours: int) -> dt.date:
    zone = dt.timezone(dt.timedelta(hours=offset_hours))
    return dt.datetime.fromtimestamp(timestamp, tz=zone).date()


def _blob_id(data: bytes) -> str:
    """Git's object id of a file's bytes (SHA-1 repositories), to tell a changed working copy."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()


def _git(top: Path, *args: str, stdin: bytes | None = None) -> bytes:
    return subprocess.run(
        ["git", "-C", str(top), *args], input=stdin, capture_output=True, check=True, timeout=600
    ).stdout


def _toplevel(folder: Path) -> Path | None:
    try:
        out = subprocess.run(
            ["git", "-C", str(folder), "rev-parse", "--show-toplevel"], capture_output=True, check=True, timeout=60
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    return Path(out.decode("utf-8").strip())


def revision(folder: Path) -> str:
    """The commit checked out where `folder` is (the report's history depends on it), or "" outside Git."""
    try:
        out = subprocess.run(
            ["git", "-C", str(folder), "rev-parse", "HEAD"], capture_output=True, check=True, timeout=60
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return ""
    return out.decode("utf-8").strip()


def _read_blobs(top: Path, ids: list[str]) -> dict[str, bytes]:
    """Every blob in one `git cat-file --batch` process."""
    if not ids:
        return {}
    out = _git(top, "cat-file", "--batch", stdin=("\n".join(ids) + "\n").encode())
    blobs: dict[str, bytes] = {}
    position = 0
    for blob in ids:
        end = out.index(b"\n", position)
        header = out[position:end].split()
        if len(header) < 3 or header[1] != b"blob":  # "<id> missing": a shallow clone
            position = end + 1
            continue
        size = int(header[2])
        blobs[blob] = out[end + 1 : end + 1 + size]
        position = end + 1 + size + 1
    return blobs


def _git_history(
    agencies_dir: Path, top: Path, ids: list[str], report_date: dt.date, offset_hours: int, validated: Collection[str]
) -> History | None:
    folder = agencies_dir.resolve().relative_to(top.resolve()).as_posix()
    prefix = "" if folder == "." else folder + "/"
    wanted = {f"{prefix}{agency_id}.yaml": agency_id for agency_id in ids}
    try:
        log = _git(
            top,
            "-c",
            "core.quotepath=off",
            "log",
            "--reverse",
            "--first-parent",
            "--diff-merges=first-parent",
            "--no-renames",
            "--raw",
            "--no-abbrev",
            "-z",
            "--format=%x01%ct",
            "--",
            folder,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    changes: dict[str, list[tuple[dt.date, str]]] = {agency_id: [] for agency_id in ids}
    for commit in log.split(b"\x01")[1:]:
        head, _, raw = commit.partition(b"\n")
        day = _local_date(int(head.strip(b"\0").split(b"\0")[0]), offset_hours)
        fields = raw.strip(b"\0\n").split(b"\0")
        for index in range(0, len(fields) - 1, 2):
            meta, path = fields[index].split(), fields[index + 1].decode("utf-8", "replace")
            agency_id = wanted.get(path)
            if agency_id is None or len(meta) < 5:
                continue
            changes[agency_id].append((day, "" if meta[4] == b"D" else meta[3].decode()))
    now: dict[str, str] = {}  # agency id → blob id of its file as it is now
    unvalidated: dict[str, bytes] = {}  # and the bytes of those the caller has no model of
    for agency_id in ids:
        file = agencies_dir / f"{agency_id}.yaml"
        if file.is_file():
            data = file.read_bytes()
            now[agency_id] = _blob_id(data)
            if agency_id not in validated:
                unvalidated[agency_id] = data
    versions: dict[str, tuple[Version, ...]] = {}
    for agency_id, rows in changes.items():
        found = [_version(day, blob, now.get(agency_id), agency_id in validated) for day, blob in rows if blob]
        last_blob = rows[-1][1] if rows else ""
        if agency_id in now and now[agency_id] != last_blob:  # uncommitted (or never committed): as of today
            if agency_id in validated:
                found.append(Version(report_date, None, committed=False, current=True))
            else:
                found.append(Version(report_date, _parse(unvalidated[agency_id]), committed=False))
        versions[agency_id] = tuple(found)
    return History("git", versions, top)


def _version(day: dt.date, blob: str, now: str | None, validated: bool) -> Version:
    if validated and blob == now:  # the caller has this version's model already
        return Version(day, None, current=True, blob=blob)
    return Version(day, None, blob=blob)


def read_versions(past: History, blobs: Collection[str]) -> dict[str, Any]:
    """The data of these committed versions (one `git cat-file` for all), by blob; a blob Git does
    not have (a shallow clone) is left out, one that does not parse is None."""
    if past.top is None or not blobs:
        return {}
    return {blob: _parse(data) for blob, data in _read_blobs(past.top, sorted(blobs)).items()}


def _file_history(agencies_dir: Path, ids: list[str], offset_hours: int, validated: Collection[str]) -> History:
    versions: dict[str, tuple[Version, ...]] = {}
    for agency_id in ids:
        path = agencies_dir / f"{agency_id}.yaml"
        if path.is_file():
            day = _local_date(int(path.stat().st_mtime), offset_hours)
            if agency_id in validated:
                versions[agency_id] = (Version(day, None, committed=False, current=True),)
            else:
                versions[agency_id] = (Version(day, _parse(path.read_bytes()), committed=False),)
    return History("file_dates", versions)


def read(
    agencies_dir: Path, ids: list[str], report_date: dt.date, offset_hours: int = 7, validated: Collection[str] = ()
) -> History:
    """The versions of each agency's file, from Git when the folder is in a checkout, else file dates.
    `validated`: agencies whose file as it is now the caller has validated (its model is theirs);
    those versions come as `current`, not parsed."""
    top = _toplevel(agencies_dir)
    if top is not None:
        found = _git_history(agencies_dir, top, ids, report_date, offset_hours, validated)
        if found is not None and any(v.committed for rows in found.versions.values() for v in rows):
            return found
    return _file_history(agencies_dir, ids, offset_hours, validated)
