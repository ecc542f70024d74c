"""Records a later build may reuse instead of computing them again, kept beside the agency files.

Today: the validation of each agency file whose bytes have not changed (generator/validate.py);
in `report/`, the supervision report's row of each agency whose inputs have not changed and the
model of each past version of its file (generator/report.py); and the digests of the files a build
hashes (FileDigests). At 5,000 agencies reading and validating every file is ~40 s; reading a
record back is ~1 ms a file.

The folder (`.tiepcan-cache/` next to the agencies folder, ignored by Git) is tiepcan's: it carries
the standard cache tag (https://bford.info/cachedir/, so backup tools skip it), and a folder without
the tag is neither read nor written. It is never published, and may be deleted at any time. Records
are JSON, checked again by whoever reads them, never pickle: a record must not be able to run code.
Each is written whole (a temporary file, then a rename), and after a build only the records it used
remain.

Trust: a record's model is what gets published, so the folder is trusted as the working tree is. A
CI pipeline may keep it between runs of the same protected branch, never restore one that a less
trusted pipeline (a fork's merge request) could have written.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any

FOLDER = ".tiepcan-cache"
TAG = "CACHEDIR.TAG"
_TAG_TEXT = (
    "Signature: 8a477f597d28d172789f06886806bc55\n"
    "# tiepcan: bản ghi để lần dựng sau dùng lại; xoá được. / Records a later build reuses; safe to delete.\n"
)
_RECORD_SUFFIX = ".json"
_KEY_LENGTH = 64  # a sha256 in hex: the only names this folder's records have


def hash_tree(hasher: Any, folder: Path, label: str, digests: FileDigests | None = None) -> None:
    """Every regular file below `folder` (links are never read), by path, size and content (with
    `digests`, by the digest of its content)."""
    if not folder.is_dir():
        return
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not path.is_symlink() and "__pycache__" not in path.parts:
            name = f"{label}/{path.relative_to(folder).as_posix()}"
            if digests is not None:
                hasher.update(f"{name}\0{digests.of(path)}\0".encode())
                continue
            data = path.read_bytes()
            hasher.update(f"{name}\0{len(data)}\0".encode())
            hasher.update(data)


class FileDigests:
    """The sha256 of files by path, kept with what the file system says of each (size, modification
    and change times, inode) and used while it says the same, as Git's index does: a build learns that
    the attachments of 5,000 agencies (PDFs, gigabytes) did not change without reading them again.
    A file modified in the last seconds is read every time: within its clock's step it could change
    again without its times moving. Kept as one JSON file in the cache folder; without one
    (`record` None) every file is read."""

    _SETTLED_NS = 2_000_000_000
    _FORMAT = 1

    def __init__(self, record: Path | None):
        self.record = record
        self._known: dict[str, list[Any]] = {}
        self._used: dict[str, list[Any]] = {}  # what save() keeps
        self._read: dict[str, list[Any]] = {}  # read by this run, settled or not
        if record is not None and _tagged(record.parent) and not record.is_symlink():
            try:
                stored = json.loads(record.read_bytes())
                if isinstance(stored, dict) and stored.get("format") == self._FORMAT:
                    self._known = {
                        str(path): row
                        for path, row in stored["files"].items()
                        if isinstance(row, list) and len(row) == 5 and isinstance(row[4], str) and len(row[4]) == 64
                    }
            except (OSError, ValueError, KeyError, AttributeError):
                self._known = {}

    @classmethod
    def beside(cls, agencies: Path) -> FileDigests:
        """The digests kept in the cache folder of `agencies`, used only once that folder exists (a
        build makes it after checking its output folder: nothing is written before that)."""
        folder = agencies.resolve().parent / FOLDER
        return cls(folder / "file-digests.json")

    def of(self, path: Path) -> str:
        """The file's digest, from its stat when it is the one recorded, else from its bytes."""
        name = str(path.resolve())
        info = path.stat()
        state = [info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino]
        for known in (self._read.get(name), self._known.get(name)):
            if known is not None and known[:4] == state:
                break
        else:  # a build asks twice for some files (the site's inputs, then a bundle's): read once
            known = self._read[name] = [*state, hashlib.sha256(path.read_bytes()).hexdigest()]
        if time.time_ns() - max(info.st_mtime_ns, info.st_ctime_ns) > self._SETTLED_NS:
            self._used[name] = known
        return str(known[4])

    def save(self) -> None:
        """The digests this run used (others belong to files since changed or gone), if any changed."""
        if self.record is None or self._used == self._known:
            return
        folder = self.record.parent
        if folder.is_symlink() or not _tagged(folder) or self.record.is_symlink():
            return  # no cache folder tiepcan made (yet): nothing is written
        files = dict(sorted(self._used.items()))
        _write_whole(self.record, json.dumps({"format": self._FORMAT, "files": files}, separators=(",", ":")).encode())


def _write_whole(path: Path, data: bytes) -> bool:
    """`data` into `path` by a temporary file renamed over it (no reader sees half); False when the
    disk refused (a full disk loses a record, not the build)."""
    try:
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temporary, path)
    except OSError:
        return False
    return True


@functools.cache
def code_digest() -> str:
    """The tool itself: its code, templates, regimes and messages (generator/)."""
    hasher = hashlib.sha256()
    hash_tree(hasher, Path(__file__).parent, "generator")
    return hasher.hexdigest()


class RecordCache:
    """JSON records by key in a folder tiepcan made; `prune()` removes those this run did not use."""

    def __init__(self, folder: Path):
        self.folder = folder
        self._used: set[str] = set()

    @classmethod
    def beside(cls, agencies: Path, part: str = "") -> RecordCache | None:
        """The cache of the agencies folder `agencies`, made if absent (`part`: a folder of its own
        inside, for records another stage keeps and prunes); None when its name holds something
        tiepcan did not make, or cannot be written (then nothing is cached)."""
        folder = agencies.resolve().parent / FOLDER
        if folder.is_symlink() or (folder.exists() and not _tagged(folder)):
            return None
        inside = folder / part if part else folder
        try:
            folder.mkdir(parents=True, exist_ok=True)
            if not _tagged(folder):
                (folder / TAG).write_text(_TAG_TEXT, encoding="utf-8")
            if inside.is_symlink():
                return None
            inside.mkdir(exist_ok=True)
        except OSError:
            return None  # a read-only place: the build goes on without a cache
        return cls(inside)

    @staticmethod
    def key(*parts: bytes | str) -> str:
        hasher = hashlib.sha256()
        for part in parts:
            data = part.encode("utf-8", "surrogateescape") if isinstance(part, str) else part
            hasher.update(f"{len(data)}\0".encode())  # lengths first: ("ab", "c") and ("a", "bc") differ
            hasher.update(data)
        return hasher.hexdigest()

    def get(self, key: str) -> Any | None:
        try:
            value = json.loads((self.folder / f"{key}{_RECORD_SUFFIX}").read_bytes())
        except (OSError, ValueError):
            return None
        self._used.add(key)
        return value

    def stamp(self, key: str) -> tuple[int, int, int] | None:
        """The record's file as it is on disk (inode, size, modification time), or None: a reader that
        keeps what it read in memory uses its copy only while the file is the one it read."""
        try:
            info = (self.folder / f"{key}{_RECORD_SUFFIX}").stat()
        except OSError:
            return None
        return (info.st_ino, info.st_size, info.st_mtime_ns)

    def keep(self, key: str) -> None:
        """A record this run used without reading it (its reader had it in memory): not pruned."""
        self._used.add(key)

    @property
    def used(self) -> frozenset[str]:
        return frozenset(self._used)

    def put(self, key: str, value: Any) -> None:
        data = json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        if _write_whole(self.folder / f"{key}{_RECORD_SUFFIX}", data):
            self._used.add(key)

    def prune(self) -> None:
        """Records this run neither read nor wrote (files since changed or removed); only names a
        record can have are touched."""
        for path in self.folder.iterdir():
            stem = path.name[: -len(_RECORD_SUFFIX)] if path.name.endswith(_RECORD_SUFFIX) else ""
            unused = len(stem) == _KEY_LENGTH and stem not in self._used
            left_over = path.name.startswith(".") and path.name.endswith(".tmp")  # a run killed while writing
            if (unused or left_over) and path.is_file() and not path.is_symlink():
                path.unlink(missing_ok=True)


def _tagged(folder: Path) -> bool:
    tag = folder / TAG
    return tag.is_file() and not tag.is_symlink() and tag.read_text(encoding="utf-8", errors="replace") == _TAG_TEXT
