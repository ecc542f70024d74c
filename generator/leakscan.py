"""Stage 8 — publish, first step: no refused entry's id or title in any output file.

Entries are kept out of the output by construction (validate.published drops `access: internal`
entries; secret-marked ones are errors). This scan checks the result instead of trusting it, and
also covers what a build did not write: bundles kept from an earlier build (`--keep-going`,
`--agency`). Every file is read as the reader's programs would: HTML with entities decoded,
gzip (Pagefind's index, sitemap.xml.gz) and zip (.docx) members unpacked.
"""

from __future__ import annotations

import html
import io
import re
import unicodedata
import zipfile
import zlib
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

_MIN_TITLE = 12  # folded characters: shorter titles ("Báo cáo") are too common to prove a leak
_MAX_UNPACKED = 256 * 1024 * 1024  # per member: a scan must not be a decompression bomb itself


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


def fold(text: str) -> str:
    """Lower case, no diacritics (đ→d), runs of anything but letters and digits as one space."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D").lower())
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " " + " ".join(re.findall(r"\w+", bare)) + " "


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


def scan(
    site: Path,
    refused: Sequence[RefusedEntry],
    published_titles: Iterable[str] = (),
    unchanged: Collection[str] = (),
    elsewhere: Mapping[str, Path] = {},
) -> list[Leak]:
    """Every output file under `site` checked for the refused entries; returns what was found.

    Ids are looked for in their own agency's bundle; titles everywhere, except titles that a
    published entry also carries (their presence proves nothing). `unchanged`: bundles linked in
    from a build of the very same inputs, refused entries included, which that build scanned; they
    are not read again. `elsewhere`: bundles of the site that are not under `site` (they stay in the
    published folder), by name, read as if they were. A file linked into many bundles (the theme's)
    is read once for titles.
    """
    if not refused:
        return []
    public = [fold(t) for t in published_titles]
    titles = {e: fold(e.title) for e in refused}
    titles = {e: t for e, t in titles.items() if len(t.strip()) >= _MIN_TITLE and not any(t in p for p in public)}
    ids = {e: _id_patterns(e.entry_id) for e in refused}
    owners = {entry.agency_id for entry in refused}
    found_in: dict[tuple[int, int], list[RefusedEntry]] = {}  # titles found, by file (device, inode)
    leaks: list[Leak] = []
    files = [(p, p.relative_to(site).parts) for p in site.rglob("*")]
    for name, folder in elsewhere.items():
        files += [(p, (name, *p.relative_to(folder).parts)) for p in folder.rglob("*")]
    for path, relative in sorted((f for f in files if f[0].is_file() and not f[0].is_symlink()), key=lambda f: f[1]):
        if len(relative) > 1 and relative[0] in unchanged:
            continue
        stat = path.stat()
        file = (stat.st_dev, stat.st_ino)
        if file in found_in and relative[0] not in owners:  # read before, and no id to look for here
            leaks += [Leak(Path(*relative), entry, "title") for entry in found_in[file]]
            continue
        found_in[file] = []
        for data in _unpacked(path.read_bytes()):
            text = html.unescape(data.decode("utf-8", errors="replace"))
            folded = fold(text)
            for entry in refused:
                if entry in titles and titles[entry] in folded:
                    leaks.append(Leak(Path(*relative), entry, "title"))
                    found_in[file].append(entry)
                elif relative[0] == entry.agency_id and ids[entry].search(text):
                    leaks.append(Leak(Path(*relative), entry, "id"))
    return sorted(set(leaks), key=lambda leak: (str(leak.path), leak.entry.entry_id, leak.found))
