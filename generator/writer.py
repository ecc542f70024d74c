"""One writer per bundle: every stage adds its files to a bundle (or the portal) through a BundleWriter.

The writer refuses a path outside its folder, and a second write to a path any stage wrote already
(two stages would otherwise overwrite each other silently); it records which stage wrote which
file, the input to reproducibility checks and to incremental builds.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

from generator.diagnostics import BuildFailed


class WriteRefused(BuildFailed):
    """A stage tried to write where it may not: outside the bundle, or over another stage's file."""


class BundleWriter:
    def __init__(self, root: Path, written: dict[str, str] | None = None):
        self.root = root
        # bundle-relative path → the stage that wrote it (given: what another process wrote here)
        self.written: dict[str, str] = dict(written or {})
        self._folders: set[Path] = set()  # made already: one mkdir per folder, not per file

    def _record(self, path: str, stage: str) -> None:
        # Only canonical relative paths: "a//b" or "./a" would name a file twice under two keys.
        if "\\" in path or any(part in ("", ".", "..") for part in path.split("/")):
            raise WriteRefused([f"{stage}: {path!r} is not a path inside the bundle"])
        if path in self.written:
            raise WriteRefused([f"{stage}: {path} was already written by {self.written[path]}"])
        self.written[path] = stage

    def _claim(self, path: str, stage: str) -> Path:
        self._record(path, stage)
        target = self.root / path
        if target.parent not in self._folders:
            target.parent.mkdir(parents=True, exist_ok=True)
            self._folders.add(target.parent)
        return target

    def adopt(self, written: dict[str, str]) -> None:
        """Files a writer of another process wrote into this folder (`written`: its record), recorded
        as if written here: a path this writer wrote too is refused like a second write."""
        for path, stage in written.items():
            self._record(path, stage)

    def write(self, path: str, data: bytes | str, stage: str) -> None:
        target = self._claim(path, stage)
        target.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)

    def copy(self, path: str, source: Path, stage: str) -> None:
        shutil.copyfile(source, self._claim(path, stage))

    def link(self, path: str, source: Path, stage: str) -> None:
        """`source` (a file of this build's site) under a second name: a hard link, or a copy where
        the file system has none."""
        _hard_link(source, self._claim(path, stage))

    def keep(self, previous: Path, stage: str, under: str = "", besides: str = "") -> None:
        """Every regular file of a previous build of this bundle (or of its folder `under`), as it is:
        hard-linked (no bytes copied; copied where the file system cannot); those below its folder
        `besides` excepted. Symbolic links are not followed or kept: tiepcan never writes one, and one
        could point anywhere."""
        prefix = f"{under.rstrip('/')}/" if under else ""
        skipped = f"{besides.rstrip('/')}/" if besides else None
        for path, source in files_of(previous):
            if skipped is None or not path.startswith(skipped):
                _hard_link(source, self._claim(prefix + path, stage))


def files_of(folder: Path) -> Iterator[tuple[str, str]]:
    """(path relative to `folder`, path) of every regular file below it, in a stable order; symbolic
    links are neither followed nor given. The kind of each entry is the directory listing's (no stat
    per file: ~100 files a bundle, 5,000 bundles)."""
    todo = [(str(folder), "")]
    while todo:
        source, prefix = todo.pop()
        with os.scandir(source) as listing:
            entries = sorted(listing, key=lambda entry: entry.name)
        for entry in entries:
            if entry.is_symlink():
                continue
            if entry.is_dir():
                todo.append((entry.path, f"{prefix}{entry.name}/"))
            elif entry.is_file():
                yield prefix + entry.name, entry.path


def _hard_link(source: str | Path, target: str | Path) -> None:
    """A hard link, or a copy where the file system has none."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)
