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

import hashlib
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
_CONTENT_DIGEST = 16  # bytes of blake2b: what a scanner knows a content it has read by


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
def _combining_marks() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """Every character Unicode gives a combining class, as two character classes of ranges (made
    once, ~0.2 s): those of the Basic Multilingual Plane, which the regular expression engine tests
    with one table lookup per character, and the others (tested range by range: only for a text that
    has such characters)."""
    marks = [point for point in range(sys.maxunicode + 1) if unicodedata.combining(chr(point))]

    def ranges(points: list[int]) -> re.Pattern[str]:
        spans: list[list[int]] = []
        for point in points:
            if spans and spans[-1][1] == point - 1:
                spans[-1][1] = point
            else:
                spans.append([point, point])
        return re.compile("[" + "".join(f"{re.escape(chr(a))}-{re.escape(chr(b))}" for a, b in spans) + "]+")

    return ranges([p for p in marks if p <= 0xFFFF]), ranges([p for p in marks if p > 0xFFFF])


_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


def fold(text: str) -> str:
    """Lower case, no diacritics (đ→d), runs of anything but letters and digits as one space, and a
    space at each end (a folded title is found as whole words)."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D").lower())
    basic, astral = _combining_marks()
    bare = basic.sub("", decomposed)
    if _ASTRAL.search(bare):  # rare in text, frequent in a binary file read as text: those characters only
        bare = _ASTRAL.sub(lambda found: "" if astral.match(found.group()) else found.group(), bare)
    # What is not a word character (`\w`: letters, digits, "_") becomes a space. Vietnamese text is
    # ASCII by now but for some punctuation: that replaced, an ASCII text is done as bytes, ~5× faster
    # than a Unicode-aware pattern, which is left for other scripts and binary files read as text.
    for mark in _COMMON_NOT_WORD:
        if mark in bare:
            bare = bare.replace(mark, " ")
    if not bare.isascii():
        return " " + _NOT_WORD.sub(" ", bare).strip(" ") + " "
    return " " + b" ".join(bare.encode("ascii").translate(_ASCII_NOT_WORD).split()).decode("ascii") + " "


_NOT_WORD = re.compile(r"\W+")
_COMMON_NOT_WORD = "\xa0·–—‘’“”…«»•→×©°"
_ASCII_NOT_WORD = bytes(byte if chr(byte).isalnum() or byte == ord("_") else ord(" ") for byte in range(128)) + bytes(
    range(128, 256)
)


def _unpacked(data: bytes, depth: int = 0) -> Iterator[bytes]:
    """What a reader's programs read of a file: its bytes, or, when it is gzip or zip (one level deep
    is what we write), what it holds (a zip's member names too) instead of its compressed bytes; a
    file that does not unpack is read as it is."""
    if depth == 0 and data[:2] == b"\x1f\x8b":
        try:
            inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
            yield inflater.decompress(data, _MAX_UNPACKED)
            return
        except zlib.error:
            pass
    elif depth == 0 and data[:4] == b"PK\x03\x04":
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                members = archive.infolist()
                yield "\n".join([m.filename for m in members] + [archive.comment.decode("utf-8", "replace")]).encode()
                for info in members:
                    if info.file_size <= _MAX_UNPACKED:
                        yield archive.read(info)
                    else:  # too large to unpack here: its bytes as they are
                        yield data
            return
        except (zipfile.BadZipFile, OSError, zlib.error):
            pass
    yield data


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
        # What the automaton looks for: a scan with the same fingerprint finds the same in the same bytes.
        self.fingerprint = hashlib.sha256("\0".join(sorted(by_title)).encode()).hexdigest()
        self._ids: dict[str, list[tuple[RefusedEntry, re.Pattern[str]]]] = {}
        for entry in self.refused:
            self._ids.setdefault(entry.agency_id, []).append((entry, _id_patterns(entry.entry_id)))
        self._found_in: dict[tuple[int, int], list[RefusedEntry]] = {}  # titles found, by file (device, inode)
        self._found_by_content: dict[bytes, list[RefusedEntry]] = {}  # and by what was read

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
                found.update(dict.fromkeys(self._titles_in(data)))
                if ids:
                    text = html.unescape(data.decode("utf-8", errors="replace"))
                    leaks += [Leak(Path(*relative), entry, "id") for entry, pattern in ids if pattern.search(text)]
            self._found_in[file] = list(found)
            leaks += [Leak(Path(*relative), entry, "title") for entry in found]
        return leaks

    def assume_clean(self, digests: Iterable[str]) -> None:
        """Contents (by digest, from clean()) in which a scanner with this fingerprint found no title:
        not folded again (the portal's files a build rewrites are mostly the same bytes each time)."""
        for digest in digests:
            try:
                known = bytes.fromhex(digest)
            except (TypeError, ValueError):
                continue  # not a digest clean() wrote
            if len(known) == _CONTENT_DIGEST:
                self._found_by_content.setdefault(known, [])

    def clean(self) -> list[str]:
        """The digests of the contents this scanner read and found no title in."""
        return sorted(digest.hex() for digest, found in self._found_by_content.items() if not found)

    def _titles_in(self, data: bytes) -> list[RefusedEntry]:
        """The entries whose titles `data` holds; the same bytes are folded once per scanner (every
        bundle's forms share most of their .docx members, and its pages much of their markup)."""
        if self._titles is None:
            return []
        digest = hashlib.blake2b(data, digest_size=_CONTENT_DIGEST).digest()
        if digest not in self._found_by_content:
            folded = fold(html.unescape(data.decode("utf-8", errors="replace")))
            self._found_by_content[digest] = [e for _, entries in self._titles.iter(folded) for e in entries]
        return self._found_by_content[digest]

    def scan_folder(self, folder: Path, name: str) -> list[Leak]:
        """The files under `folder`, as the site's folder `name` (a bundle: its agency id)."""
        return self.scan_files(_files_under(folder, (name,))) if self.refused else []


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
