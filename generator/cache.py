"""Records a later build may reuse instead of computing them again, kept beside the agency files.

Today: the validation of each agency file whose bytes have not changed (generator/validate.py),
and in `report-rows/` the supervision report's row of each agency whose inputs have not changed
(generator/report.py). At 5,000 agencies reading and validating every file is ~40 s; reading a
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


def hash_tree(hasher: Any, folder: Path, label: str) -> None:
    """Every regular file below `folder` (links are never read), by path, size and content."""
    if not folder.is_dir():
        return
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not path.is_symlink() and "__pycache__" not in path.parts:
            data = path.read_bytes()
            hasher.update(f"{label}/{path.relative_to(folder).as_posix()}\0{len(data)}\0".encode())
            hasher.update(data)


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
        try:
            handle, temporary = tempfile.mkstemp(dir=self.folder, prefix=".", suffix=".tmp")
            with os.fdopen(handle, "wb") as stream:
                stream.write(data)
            os.replace(temporary, self.folder / f"{key}{_RECORD_SUFFIX}")
        except OSError:
            return  # a full disk loses a record, not the build
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
