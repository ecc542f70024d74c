"""Stage 8 — publish, first step: no refused entry's id or title in any output file.

Entries are kept out of the output by construction (validate.published drops `access: internal`
entries; secret-marked ones are errors). This scan checks the result instead of trusting it, and
also covers what a build did not write: bundles kept from an earlier build (`--keep-going`,
`--agency`). Every file is read as the reader's programs would: HTML with entities decoded,
gzip (Pagefind's index, sitemap.xml.gz) and zip (.docx) members unpacked.

At national scale (issue 12) a site is ~5 GB and may withhold thousands of entries: the titles are
looked for all at once (one Aho–Corasick automaton, pyahocorasick), never one after another, and a
build scans each bundle in the process that built it, right after writing it (build.py), leaving
only the rest of the site to the end.
"""

from __future__ import annotations

import html
import io
import re
import sys
import unicodedata
import zipfile
import zlib
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import ahocorasick

_MIN_TITLE = 12  # folded characters: shorter titles ("Báo cáo") are too common to prove a leak
_MAX_UNPACKED = 256 * 1024 * 1024  # per member: a scan must not be a decompression bomb itself
_NOT_WORD = re.compile(r"\W+")


@dataclass(frozen=True)
class RefusedEntry:
    agency_id: str
    entry_id: str
    title: str


@dataclass(frozen=True)
class Leak:
    path: Path  # relative to the site folder
    entry: RefusedEntry
    found: str  # "id" or "title"


@cache
def _combining_marks() -> re.Pattern[str]:
    """Every character Unicode gives a combining class, as one character class (made once: ~0.2 s)."""
    marks = [chr(point) for point in range(sys.maxunicode + 1) if unicodedata.combining(chr(point))]
    return re.compile("[" + "".join(re.escape(mark) for mark in marks) + "]+")


def fold(text: str) -> str:
    """Lower case, no diacritics (đ→d), runs of anything but letters and digits as one space, and a
    space at each end (a folded title is found as whole words)."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D").lower())
    return " " + _NOT_WORD.sub(" ", _combining_marks().sub("", decomposed)).strip(" ") + " "


def _unpacked(data: bytes, depth: int = 0) -> Iterator[bytes]:
    """The file's bytes, and what it holds when it is gzip or zip (one level deep is what we write)."""
    yield data
    if depth:
        return
    if data[:2] == b"\x1f\x8b":
        try:
            inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
            yield from _unpacked(inflater.decompress(data, _MAX_UNPACKED), depth + 1)
        except zlib.error:
            pass
    elif data[:4] == b"PK\x03\x04":
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                for info in archive.infolist():
                    if info.file_size <= _MAX_UNPACKED:
                        yield from _unpacked(archive.read(info), depth + 1)
        except (zipfile.BadZipFile, OSError):
            pass


def _id_patterns(entry_id: str) -> re.Pattern[str]:
    """Where an entry id shows up in our output: an anchor, a link to it, a JSON field, a feed URN."""
    quoted = re.escape(entry_id)
    return re.compile(rf'id="{quoted}"|#{quoted}["\'<\s)]|"id": ?"{quoted}"|:{quoted}</id>')


def _automaton(words: Mapping[str, Any]) -> Any:
    """Every word at once, each found with its value; None for none (an empty automaton cannot search)."""
    if not words:
        return None
    automaton = ahocorasick.Automaton()
    for word, value in words.items():
        automaton.add_word(word, value)
    automaton.make_automaton()
    return automaton


class Scanner:
    """The refused entries of one build, prepared once (their folded titles in one automaton), then
    used on any number of folders: in each process that builds bundles, and at the end. Titles are
    looked for everywhere, except titles that a published entry also carries (their presence proves
    nothing); ids only in their own agency's bundle. A file linked into many bundles (the theme's) is
    read once per scanner for titles."""

    def __init__(self, refused: Sequence[RefusedEntry], published_titles: Iterable[str] = ()):
        self.refused = list(refused)
        by_title: dict[str, list[RefusedEntry]] = {}
        for entry in self.refused:
            folded = fold(entry.title)
            if len(folded.strip()) >= _MIN_TITLE:
                by_title.setdefault(folded, []).append(entry)
        candidates = _automaton({title: title for title in by_title})
        if candidates is not None:  # one pass over all published titles, not one per refused title
            for public in published_titles:
                for _, title in candidates.iter(fold(public)):
                    by_title.pop(title, None)
        self._titles = _automaton(by_title)
        self._ids: dict[str, list[tuple[RefusedEntry, re.Pattern[str]]]] = {}
        for entry in self.refused:
            self._ids.setdefault(entry.agency_id, []).append((entry, _id_patterns(entry.entry_id)))
        self._found_in: dict[tuple[int, int], list[RefusedEntry]] = {}  # titles found, by file (device, inode)

    def scan_files(self, files: Iterable[tuple[Path, tuple[str, ...]]]) -> list[Leak]:
        """`files`: (path, its parts relative to the site) for regular files (links are not read)."""
        if not self.refused:
            return []
        leaks: list[Leak] = []
        for path, relative in files:
            ids = self._ids.get(relative[0], []) if len(relative) > 1 else []
            stat = path.stat()
            file = (stat.st_dev, stat.st_ino)
            if file in self._found_in and not ids:  # read before, and no id to look for here
                leaks += [Leak(Path(*relative), entry, "title") for entry in self._found_in[file]]
                continue
            found: dict[RefusedEntry, None] = {}
            for data in _unpacked(path.read_bytes()):
                text = html.unescape(data.decode("utf-8", errors="replace"))
                if self._titles is not None:
                    for _, entries in self._titles.iter(fold(text)):
                        found.update(dict.fromkeys(entries))
                leaks += [Leak(Path(*relative), entry, "id") for entry, pattern in ids if pattern.search(text)]
            self._found_in[file] = list(found)
            leaks += [Leak(Path(*relative), entry, "title") for entry in found]
        return leaks

    def scan_folder(self, folder: Path, name: str) -> list[Leak]:
        """The files under `folder`, as the site's folder `name` (a bundle: its agency id)."""
        return self.scan_files(_files_under(folder, (name,)))


def _files_under(folder: Path, prefix: tuple[str, ...] = ()) -> list[tuple[Path, tuple[str, ...]]]:
    files = [(path, (*prefix, *path.relative_to(folder).parts)) for path in folder.rglob("*")]
    return sorted((f for f in files if f[0].is_file() and not f[0].is_symlink()), key=lambda f: f[1])


def ordered(leaks: Iterable[Leak]) -> list[Leak]:
    """Leaks once each, in a stable order (scans made by several processes, merged)."""
    return sorted(set(leaks), key=lambda leak: (str(leak.path), leak.entry.entry_id, leak.found))


def scan(
    site: Path,
    refused: Sequence[RefusedEntry] | Scanner,
    published_titles: Iterable[str] = (),
    unchanged: Collection[str] = (),
    elsewhere: Mapping[str, Path] = {},
) -> list[Leak]:
    """Every output file under `site` checked for the refused entries (or a Scanner's); returns what
    was found. `unchanged`: bundles not to read, because a scan of exactly their bytes was made (a
    build of the very same inputs, or the process that built them in this build). `elsewhere`:
    bundles of the site that are not under `site` (they stay in the published folder), by name, read
    as if they were."""
    scanner = refused if isinstance(refused, Scanner) else Scanner(refused, published_titles)
    if not scanner.refused:
        return []
    files = [f for f in _files_under(site) if len(f[1]) == 1 or f[1][0] not in unchanged]
    for name, folder in elsewhere.items():
        files += _files_under(folder, (name,))
    return ordered(scanner.scan_files(sorted(files, key=lambda f: f[1])))
