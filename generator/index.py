"""Stage 6 — index: page values + validated agencies → Pagefind search indexes (read by theme/assets/tc-search.js).

Per agency bundle, `<bundle>/pagefind/`: one record per catalog entry (linking to its row anchor) and one
per built page. Portal, `<out>/pagefind/`: one record per agency (its names plus the distinct words of its
records); with `--portal-index-parts N`, in N parts (`pagefind/parts/<k>/`, merged by the browser), so that
a change makes one part again, not the whole. At national scale a flat index of every document would
cost ~5 bytes per record in Pagefind's metadata alone, fetched on the first query; so the portal search
ranks agencies first and then merges only the top agencies' own bundle indexes (their files are shared,
not copied).

Vietnamese: Pagefind folds tone marks but not đ/Đ (no Unicode decomposition), so indexed text has
đ→d, Đ→D (tones kept, so exact-diacritics ranking still works) and the browser folds queries the same
way. Indexed text is never shown: titles and excerpts shown come from record metadata, unfolded.
Abbreviations (data/search/abbreviations.yaml) and document-number parts are added to indexed text.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import html
import itertools
import json
import multiprocessing.util
import os
import re
import subprocess
import threading
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import metadata, resources
from pathlib import Path
from typing import Any

import yaml
from pagefind.service import get_executable

from generator import layout
from generator.cache import code_digest
from generator.diagnostics import BuildFailed
from generator.i18n import Messages
from generator.model import Agency
from generator.writer import BundleWriter, files_of

INDEX_DIR = "pagefind"
# Beside the portal's index: what it was made from, so that the next build reuses it when that has not
# changed (a date or a form edited, not a word; the Pagefind run is ~1 s at 150 agencies).
PORTAL_RECORD = "tiepcan-index.json"
STAGE = "index"
# Record types. The portal searches the agency directory and the merged bundle indexes through one
# Pagefind instance (one WebAssembly download). Documents carry one filter, `a` (agency id), with a
# single value per bundle index; agency records only `t` = "agency". Pagefind 1.5.2 writes a filter
# with several values (or several keys) in random order (HashMap), so identical builds would differ:
# an agency's kind and ancestors are words instead (scope_words), which a query must also contain.
AGENCY, DOCUMENT = "agency", "doc"
# In every part of a portal index made in parts, one record of this kind holds every scope word of
# the portal: Pagefind leaves out of a query the words an index lacks, so a part holding no agency of
# some kind would otherwise answer a search of that kind with agencies of any. It has no filter, and
# the search keeps to t = "agency" when there are parts: it is never a result.
SCOPE = "scope"
# What the browser needs from Pagefind's output; its bundled UIs are not used and not published.
# pagefind-worker.js: the search page runs Pagefind in its Web Worker (unpacking the WebAssembly and
# the index, and searching, off the page's main thread); Pagefind falls back to the page without it.
_KEEP = {"pagefind.js", "pagefind-worker.js", "pagefind-entry.json", "index", "fragment", "filter"}
# A word in more than half the agencies does not help choosing agencies, and its postings would be
# the bulk of the portal index fetched per query; small portals keep every word.
COMMON_WORD_SHARE, COMMON_WORD_MIN = 0.5, 200
# Every agency record carries this word, so the page can list agencies of a scope with one small
# word query when a query is too broad (Pagefind's filter-only search fetches every index chunk).
# "zz" sorts it into the last chunk, among few other words. Same constant in tc-search.js.
EVERY_AGENCY = "zzcoquan"
KIND_WORD, PARENT_WORD = "zzkind", "zzparent"  # + the kind, + an ancestor's id (tokens): scope_words
_WORD = re.compile(r"[^\s]+")
_NUMBER = re.compile(r"\b\d+(?:/\d{4})?/[A-Za-zĐđ][\w.-]*", re.UNICODE)


class IndexFailed(BuildFailed):
    """Pagefind refused the records: its message says why (reported by the CLI like any failed build)."""


def fold_d(text: str) -> str:
    """đ→d, Đ→D only: the one Vietnamese letter Pagefind's diacritic folding misses (same length)."""
    return text.replace("đ", "d").replace("Đ", "D")


@lru_cache(maxsize=65536)
def plain(word: str) -> str:
    """Lower case without any diacritic, for comparing words (never written to the index)."""
    decomposed = unicodedata.normalize("NFD", fold_d(word).lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@dataclass(frozen=True)
class Abbreviation:
    short: str
    full: str

    @property
    def short_parts(self) -> tuple[str, ...]:  # "NĐ-CP" → ("nd", "cp"): each must be a word of the text
        return tuple(plain(p) for p in self.short.split("-"))

    @property
    def full_words(self) -> str:  # " uy ban nhan dan ": must occur as whole words
        return f" {plain(self.full)} "


@cache
def abbreviations() -> tuple[tuple[Abbreviation, tuple[str, ...], str], ...]:
    """The table from data/search/abbreviations.yaml, with each side's comparison form precomputed."""
    text = resources.files("generator.data").joinpath("search/abbreviations.yaml").read_text(encoding="utf-8")
    rows = [Abbreviation(str(row["short"]), str(row["full"])) for row in yaml.safe_load(text)]
    return tuple((row, row.short_parts, row.full_words) for row in rows)


def expansions(text: str) -> list[str]:
    """Words to index beside `text`: full forms of its abbreviations, abbreviations of its full forms,
    and the parts of document numbers ("305/KH-UBND" → "305 KH UBND 305KHUBND")."""
    extra: list[str] = []
    tokens = {plain(t) for t in re.split(r"[\s/,;:().\-–]+", text) if t}
    plain_text = " " + " ".join(plain(t) for t in re.split(r"[\s,;:().–]+", text) if t) + " "
    for row, short_parts, full_words in abbreviations():
        if all(p in tokens for p in short_parts):
            extra.append(row.full)
        if full_words in plain_text:
            extra.append(row.short)
    for number in _NUMBER.findall(text):
        parts = [p for p in re.split(r"[/.\-]", number) if p]
        extra.append(" ".join(parts) + " " + "".join(parts))
    return extra


@dataclass(frozen=True)
class Record:
    """One search result: `url` is relative to the bundle (or portal) root."""

    url: str
    title: str
    text: str  # indexed, never displayed
    excerpt: str = ""  # displayed under the title
    agency: str = ""  # agency id (portal filters, and the bundle a document belongs to)
    agency_name: str = ""
    kind: str = DOCUMENT

    def indexed_text(self) -> str:
        if self.kind != DOCUMENT:  # words of indexed texts already (directory_records): expanded, folded, once each
            return self.text
        return _indexed_text(self.title, self.text)


@lru_cache(maxsize=4096)  # asked twice per record: for its bundle index and for the portal's vocabulary
def _indexed_text(title: str, text: str) -> str:
    return fold_d(" ".join([text, *expansions(title + " " + text)]))


def page_record(url: str, title: str, text: str, agency_id: str, agency_name: str) -> Record | None:
    if not title:
        return None
    body = text[len(title) :].strip() if text.startswith(title) else text
    return Record(
        url=url,
        title=title,
        text=text,
        excerpt=body[:180],
        agency=agency_id,
        agency_name=agency_name,
    )


def agency_records(agency: Agency, pages: Mapping[str, tuple[str, str]] | None) -> list[Record]:
    """Every result of one agency: its catalog rows, conditional rows, and (when built) its pages,
    given as bundle-relative path → (title, text)."""
    name = agency.name
    records = []
    for entry in agency.catalog:
        meta = " · ".join(x for x in (entry.number, entry.issuer, entry.created.strftime("%d/%m/%Y")) if x)
        text = " ".join(x for x in (entry.title, entry.number, entry.issuer, entry.summary, entry.unit) if x)
        records.append(
            Record(
                url=f"{layout.page_url('catalog')}#{entry.id}",
                title=entry.title,
                text=text,
                excerpt=meta,
                agency=agency.id,
                agency_name=name,
            )
        )
    for conditional in agency.conditional_catalog:
        words = (conditional.title, conditional.number, conditional.unit, conditional.consent_from)
        records.append(
            Record(
                url=f"{layout.page_url('conditional_catalog')}#{conditional.id}",
                title=conditional.title,
                text=" ".join(x for x in words if x),
                excerpt=conditional.number or "",
                agency=agency.id,
                agency_name=name,
            )
        )
    if pages is not None:
        skipped = layout.unindexed_urls()
        for url, (title, text) in sorted(pages.items()):
            if url in skipped or url.split("/", 1)[0] in {INDEX_DIR, layout.ATTACHMENTS}:
                continue
            record = page_record(url, title, text, agency.id, name)
            if record:
                records.append(record)
    return records


def vocabulary(documents: Iterable[Record]) -> dict[str, None]:
    """Each distinct word of an agency's records once, in order (lower case)."""
    words: dict[str, None] = {}
    for record in documents:
        for word in _WORD.findall(record.indexed_text().lower()):
            words.setdefault(word, None)
    return words


def _token(value: str) -> str:
    return re.sub(r"[^a-z0-9]", "", value.lower())


def scope_words(agency: Agency, ancestors: Sequence[str]) -> list[str]:
    """Words that put an agency record in the portal's scopes: every agency, its kind, each ancestor.
    tc-search.js adds the same words to a query to search one scope (no Pagefind filter needed)."""
    return [EVERY_AGENCY, KIND_WORD + _token(agency.kind)] + [PARENT_WORD + _token(a) for a in ancestors]


def directory_record(
    agency: Agency, ancestors: Sequence[str], kind_label: str, parent_name: str | None, words: Iterable[str]
) -> Record:
    """The portal's record for one agency: the distinct words of its names and documents (positions
    are not needed to pick agencies, and one posting per word keeps the index small)."""
    return Record(
        url=f"{agency.id}/{layout.page_url('overview')}",
        title=agency.name,
        text=" ".join(words),
        excerpt=" · ".join(x for x in (kind_label, parent_name) if x),
        agency=agency.id,
        agency_name=agency.name,
        kind=AGENCY,
    )


def _record_html(record: Record) -> str:
    def meta(name: str, value: str, attribute: str = "data-pagefind-meta") -> str:
        return f'<meta {attribute}="{name}[content]" content="{html.escape(value)}">'

    head = [
        meta("title", record.title),
        meta("u", record.url),
        meta("x", record.excerpt),
        meta("a", record.agency),
        meta("n", record.agency_name),
        meta("t", record.kind),
    ]
    if record.kind == DOCUMENT:
        head.append(meta("a", record.agency, "data-pagefind-filter"))
    elif record.kind == AGENCY:  # one key with one value: tells agencies from merged documents, and stays deterministic
        head.append(meta("t", AGENCY, "data-pagefind-filter"))
    # A document's title is repeated as the page's <h1> so Pagefind weighs its words above the body's;
    # an agency's name is already among its (pruned) words.
    heading = f"<h1>{html.escape(fold_d(record.title))}</h1>" if record.kind == DOCUMENT else ""
    return (
        f'<!doctype html><html lang="vi"><head>{"".join(head)}</head><body>'
        f"{heading}<p>{html.escape(record.indexed_text())}</p></body></html>"
    )


@cache
def _pagefind() -> Path:
    binary = get_executable()  # the pagefind_bin wheel's binary (or PAGEFIND_BINARY_PATH)
    if binary is None:
        raise IndexFailed(["pagefind binary not found: install requirements.lock (pagefind[bin])"])
    return binary


class _Service:
    """One `pagefind --service` process per build process, for every index it writes: no process
    start per bundle. Pagefind's own Python client waits 0.1 s between reads; this one reads as the
    answer arrives (requests and answers are base64 JSON, each ended by a comma)."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [str(_pagefind()), "--service"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
        )
        self.last_id = 0
        self.pending = bytearray()
        # One reader at a time (ask_later's thread, then the next ask): answers come in the order asked,
        # so each reader stops at its own last one and leaves the rest in `pending`.
        self._reading = threading.Lock()
        # Closed and waited for when its process ends (a pool worker too): no Pagefind process is left
        # behind, and its CPU time counts in the build's (/usr/bin/time, bench/scale.py).
        multiprocessing.util.Finalize(self, self.close, exitpriority=10)

    def close(self) -> None:
        if self.process.stdin is not None and not self.process.stdin.closed:
            self.process.stdin.close()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def ask(self, payload: dict[str, Any]) -> dict[str, Any]:
        return self.ask_all([payload])[-1]

    def ask_all(self, payloads: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
        """Every request sent at once, then every answer read, in order. Pagefind handles its requests
        one after another in the order they came (its service loop), so an index gets its records in
        the order given; its stdin is read by a thread of its own, so writing ahead never blocks it."""
        return self._answers(self._send(payloads), len(payloads))

    def ask_later(self, payloads: Sequence[dict[str, Any]]) -> Callable[[], list[dict[str, Any]]]:
        """As ask_all, but the answers are read by a thread while the caller goes on (Pagefind's output
        pipe is drained, so it never waits for the caller); the function returned waits for them."""
        first = self._send(payloads)
        answered: Future[list[dict[str, Any]]] = Future()

        def read() -> None:
            try:
                answered.set_result(self._answers(first, len(payloads)))
            except BaseException as error:  # raised in the caller's thread
                answered.set_exception(error)

        threading.Thread(target=read, name="pagefind-answers", daemon=True).start()
        return answered.result

    def _send(self, payloads: Sequence[dict[str, Any]]) -> int:
        """Writes the requests; the message id of the first."""
        assert self.process.stdin is not None
        first = self.last_id + 1
        self.last_id += len(payloads)
        requests = (
            base64.b64encode(json.dumps({"message_id": first + n, "payload": p}).encode("utf-8")) + b","
            for n, p in enumerate(payloads)
        )
        try:
            self.process.stdin.write(b"".join(requests))
            self.process.stdin.flush()
        except OSError as error:
            raise IndexFailed([f"pagefind --service: {error}"]) from None
        return first

    def _answers(self, first: int, count: int) -> list[dict[str, Any]]:
        assert self.process.stdout is not None
        answers: dict[int, dict[str, Any]] = {}
        try:
            with self._reading:
                while len(answers) < count:
                    searched = 0  # an answer with an index's files is megabytes: each byte is looked at once
                    while (end := self.pending.find(b",", searched)) < 0:
                        searched = len(self.pending)
                        chunk = os.read(self.process.stdout.fileno(), 1 << 20)  # what has arrived, at once
                        if not chunk:
                            raise IndexFailed(["pagefind --service stopped"])
                        self.pending += chunk
                    message, self.pending = self.pending[:end], self.pending[end + 1 :]
                    answer: dict[str, Any] = json.loads(base64.b64decode(message))
                    message_id = answer.get("message_id")
                    if message_id is None:  # about no request in particular: Pagefind could not read one
                        raise IndexFailed([f"pagefind --service: {answer.get('payload')}"])
                    if isinstance(message_id, int) and first <= message_id < first + count:
                        answers[message_id] = answer["payload"]
        except (OSError, ValueError) as error:
            raise IndexFailed([f"pagefind --service: {error}"]) from None
        for result in answers.values():
            if result.get("type") == "Error":
                raise IndexFailed([str(result.get("message")), str(result.get("original_message") or "")])
        return [answers[first + n] for n in range(count)]


_services: dict[int, _Service] = {}  # by process id: a forked worker starts its own


def close_services() -> None:
    """Ends this process's Pagefind service, waiting for it (tiepcan's fast exit, generator/cli.py)."""
    service = _services.pop(os.getpid(), None)
    if service is not None:
        service.close()


def _service() -> _Service:
    service = _services.get(os.getpid())
    if service is None or service.process.poll() is not None:
        service = _services[os.getpid()] = _Service()
    return service


def index_files(records: Sequence[Record]) -> list[tuple[str, bytes]]:
    """Pagefind over `records`: the files the browser needs, by path inside the index folder. The
    records go to Pagefind as small HTML documents, all in one write to its service (no file on disk:
    writing and deleting ~60 files a bundle was ~15 % of a bundle's Python time); its output comes
    back through the service too, not as files: of the ~20 it would write per index, ~10 (its bundled
    UIs, ~430 KB) are not published."""
    return _index_files(records, later=False)()


def _index_files(records: Sequence[Record], later: bool) -> Callable[[], list[tuple[str, bytes]]]:
    """index_files, with Pagefind at work while the caller goes on when `later`: the function returned
    gives the files."""
    service = _service()
    index_id = service.ask({"type": "NewIndex", "config": {"force_language": "vi"}})["index_id"]

    def delete() -> None:
        service.ask({"type": "DeleteIndex", "index_id": index_id})

    try:
        added = [
            {"type": "AddFile", "index_id": index_id, "file_path": f"{n:07d}.html", "file_contents": _record_html(r)}
            for n, r in enumerate(records)
        ]
        requests = [*added, {"type": "GetFiles", "index_id": index_id}]
        if later:
            answered = service.ask_later(requests)
        else:
            answers = service.ask_all(requests)
            answered = lambda: answers  # noqa: E731
    except BaseException:
        delete()
        raise

    def files() -> list[tuple[str, bytes]]:
        try:
            answer = answered()[-1]
        finally:
            delete()
        kept = []
        for file in answer["files"]:
            path = str(file["path"])
            top, _, rest = path.partition("/")
            if top in _KEEP or (not rest and top.endswith((".pf_meta", ".pagefind"))):
                kept.append((path, base64.b64decode(file["content"])))
        return sorted(kept)

    return files


# Pagefind's script, worker and WebAssembly: the same bytes in every index one Pagefind version
# writes, so a bundle links the copy this process last wrote (~155 KB a bundle not written again).
_SAME_EVERYWHERE = re.compile(r"pagefind\.js|pagefind-worker\.js|wasm\.[\w-]+\.pagefind")
_written_once: dict[str, Path] = {}


def write_index(records: Sequence[Record], writer: BundleWriter, replaced: Path | None = None) -> None:
    """The index of `records` into the writer's pagefind/ folder. `replaced`: the published index this
    one replaces; a file of it with the same bytes is linked, not written again. Pagefind names its
    files by their contents, so after a change most of an index's files are the ones it had (the
    portal's: one per agency), and a new file costs the file system more than a link does."""
    _write_index(records, writer, replaced, later=False)()


def _write_index(
    records: Sequence[Record],
    writer: BundleWriter,
    replaced: Path | None,
    later: bool,
    folder: str = INDEX_DIR,
    engine: bool = True,
) -> Callable[[], None]:
    """write_index into `folder` of the writer, by the function returned (Pagefind at work meanwhile
    when `later`). Without `engine`, Pagefind's script, worker and WebAssembly are left out: an index
    merged into another (a part of the portal's) is searched by the engine that other one loaded."""
    made = _index_files(records, later)

    def write() -> None:
        before = _regular_files(replaced)
        for path, data in made():
            name = f"{folder}/{path}"
            shared = _SAME_EVERYWHERE.fullmatch(path) is not None
            if shared and not engine:
                continue
            earlier = [_written_once.get(path) if shared else None, before.get(path)]
            same = next((p for p in earlier if p is not None and _holds(p, data)), None)
            if same is not None:
                writer.link(name, same, STAGE)
                continue
            writer.write(name, data, STAGE)
            if shared:
                _written_once[path] = writer.root / name

    return write


def _regular_files(folder: Path | None) -> dict[str, Path]:
    """The regular files of `folder` by relative path; none when it is absent or reached through a
    link (links inside are neither followed nor given)."""
    if folder is None or not folder.is_dir() or folder.resolve() != folder.absolute():
        return {}
    return {path: Path(source) for path, source in files_of(folder)}


def _holds(path: Path, data: bytes) -> bool:
    """Whether `path` is still a regular file with these bytes (a later build may have replaced it)."""
    try:
        return not path.is_symlink() and path.read_bytes() == data
    except OSError:
        return False


def ancestors_of(agency: Agency, models: dict[str, Agency]) -> list[str]:
    chain: list[str] = []
    parent = agency.parent
    while parent and parent in models and parent not in chain:
        chain.append(parent)
        parent = models[parent].parent
    return chain


def index_agency(
    agency: Agency, writer: BundleWriter, pages: Mapping[str, tuple[str, str]] | None, replaced: Path | None = None
) -> list[Record]:
    """The bundle's index; without `pages`, of the catalog alone (benchmarks). `replaced`: as for write_index."""
    records = agency_records(agency, pages)
    write_index(records, writer, replaced)
    return records


def directory_records(
    agencies: Sequence[Agency], documents: Mapping[str, Sequence[str]], messages: Messages
) -> list[Record]:
    """One record per agency for the portal index: words shared by most agencies left out.
    `documents`: the vocabulary of each agency's own records (a reused bundle keeps it stored)."""
    models = {a.id: a for a in agencies}
    labels = {
        a.id: (messages.text(f"ui.kind.{a.kind}"), models[a.parent].name if a.parent in models else None)
        for a in agencies
    }

    def words_of(agency: Agency) -> list[str]:
        names = " ".join(x for x in (agency.name, agency.short_name, *labels[agency.id]) if x)
        named = vocabulary([Record(url="", title=names, text=names)])
        return list({**named, **dict.fromkeys(documents.get(agency.id, ()))})

    # Each agency's words as a list (~5 million at national scale: as dictionaries they would be
    # most of the build's memory), counted once per agency.
    own = {a.id: words_of(a) for a in agencies}
    share = Counter(itertools.chain.from_iterable(own.values()))
    limit = max(COMMON_WORD_MIN, int(len(models) * COMMON_WORD_SHARE))
    return [
        directory_record(
            a,
            ancestors_of(a, models),
            *labels[a.id],
            [w for w in own[a.id] if share[w] <= limit] + scope_words(a, ancestors_of(a, models)),
        )
        for a in sorted(agencies, key=lambda a: a.id)
    ]


def index_portal(
    agencies: Sequence[Agency],
    documents: Mapping[str, Sequence[str]],
    writer: BundleWriter,
    messages: Messages,
    previous: Path | None = None,
    count: int = 1,
) -> Callable[[], None]:
    """The portal's index, in `count` parts (agencies by a hash of their id), written by the function
    returned: Pagefind makes them meanwhile, in its own process (~1.5 ms an agency, one core), while
    the build renders the portal's pages on the other. `previous`: the published portal, each of whose
    parts is linked in as it is when it was made from the same records by the same tool and Pagefind."""
    records = directory_records(agencies, documents, messages)
    parts: list[list[Record]] = [[] for _ in range(count)]
    for record in records:
        parts[layout.stable_bucket(record.agency, count)].append(record)
    if count > 1:
        scope = _scope_record(records)
        parts = [[*part, scope] for part in parts]
    finishers = [_index_part(k, part, writer, previous) for k, part in enumerate(parts)]

    def finish() -> None:
        for part in finishers:
            part()

    return finish


def _scope_record(records: Sequence[Record]) -> Record:
    """The SCOPE record of a portal index in parts: every scope word of its agency records."""
    words = {w for r in records for w in r.text.split() if w.startswith((EVERY_AGENCY, KIND_WORD, PARENT_WORD))}
    return Record(url="", title="", text=" ".join(sorted(words)), kind=SCOPE)


def _index_part(
    part: int, records: Sequence[Record], writer: BundleWriter, previous: Path | None
) -> Callable[[], None]:
    """One part of the portal's index, by the function returned (see index_portal)."""
    folder = f"{INDEX_DIR}/{layout.portal_index_part(part)}".rstrip("/")
    hasher = hashlib.sha256(f"{code_digest()}\0{metadata.version('pagefind')}\0{folder}\0".encode())
    for record in records:  # one at a time: together they are tens of MB at national scale
        hasher.update(json.dumps(dataclasses.astuple(record), ensure_ascii=False).encode() + b"\0")
    inputs = hasher.hexdigest()
    before = None if previous is None else previous / folder
    if before is not None and _made_from(before, inputs):
        # Part 0's folder holds the other parts' folders, which are theirs to keep or make.
        others = layout.PORTAL_INDEX_PARTS if part == 0 else ""
        return lambda: writer.keep(before, STAGE, under=folder, besides=others)
    write = _write_index(records, writer, before, later=True, folder=folder, engine=part == 0)

    def finish() -> None:
        write()
        writer.write(f"{folder}/{PORTAL_RECORD}", json.dumps({"inputs": inputs}) + "\n", STAGE)

    return finish


def _made_from(folder: Path, inputs: str) -> bool:
    """Whether the index in `folder` records that it was made from `inputs` (a link, in its path or
    inside it, is not followed)."""
    record = folder / PORTAL_RECORD
    if folder.resolve() != folder.absolute() or record.is_symlink():
        return False
    try:
        return bool(json.loads(record.read_text(encoding="utf-8")) == {"inputs": inputs})
    except (OSError, ValueError):
        return False
