"""Stage 4 — build: validated agencies → one bundle per agency under <out>/<id>/, and the portal.

Runs stages 3 to 8 in order (generator/__init__.py): render (page values per agency), the site
builder (generator/mkdocs_adapter.py), export, index and feeds, each writing through the bundle's
writer, inside an atomic publish; the leak scan (generator/leakscan.py) has the last word before
the new site replaces the old one.
With `keep_going`, an agency whose file is invalid keeps the bundle of its last good build (its
published data is stored in the bundle for this) and every other agency is built.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import hashlib
import html
import json
import multiprocessing
import os
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from generator import cms, export, feeds, history, index, layout, leakscan, mkdocs_adapter, opendata, package
from generator import regime as regimes
from generator import report as supervision
from generator.cache import FileDigests, RecordCache, code_digest, hash_tree
from generator.diagnostics import BuildFailed, Diagnostic, display_path
from generator.i18n import Messages, load_messages
from generator.model import Agency
from generator.publish import check_output, end_with_build, exclusive, made_by_tiepcan, staged
from generator.render import AgencyRenderer, RenderedBundle, dated_facts, render_portal
from generator.validate import AgencySource, check_paths, links_out_of
from generator.writer import BundleWriter, files_of

# The agency data a bundle was built from, as published (no internal entries): what lets a later
# `--keep-going` build keep this bundle, and list it on the portal, while the agency's file is broken.
AGENCY_RECORD = "tiepcan-agency.json"
# The vocabulary of the bundle's search records: what the portal index needs of a bundle a later
# build reuses without rebuilding it.
SEARCH_WORDS = "tiepcan-words.json"
# The whole site's inputs and what the build reported: a build with the same inputs on the same
# day finds it and leaves the site as it is, without even reading the agency files (issue 12).
SITE_RECORD = "tiepcan-site.json"
# The leak scan's record of contents it found no withheld title in, in the cache folder.
CLEAN_CONTENTS = "leakscan"
_MAX_CLEAN_CONTENTS = 200_000  # ~7 MB of JSON: `tiepcan serve` (one process) would store every bundle's
# Build dates a page can show and count working days from (the loader bounds data dates the same way).
EARLIEST_BUILD_DATE, LATEST_BUILD_DATE = dt.date(1900, 1, 1), dt.date(2100, 12, 31)


class InvalidInput(Exception):
    def __init__(self, diagnostics: list[Diagnostic]):
        super().__init__(f"{len(diagnostics)} problem(s) in agency files")
        self.diagnostics = diagnostics


class UnknownAgency(Exception):
    pass


class MissingFromShards(Exception):
    """Merging: these agencies' bundles are in none of the shard outputs, or were built from other
    inputs (another commit, date or option)."""

    def __init__(self, agency_ids: list[str]):
        super().__init__(", ".join(agency_ids))
        self.agency_ids = agency_ids


def in_shard(agency_id: str, shard: tuple[int, int]) -> bool:
    """Shard i of n (1-based) holds the agencies whose id hashes to i - 1 modulo n: stable as
    agencies come and go, and the same on every machine."""
    index, count = shard
    return layout.stable_bucket(agency_id, count) == index - 1


class BadBuildDate(ValueError):
    """The build date (from --date or SOURCE_DATE_EPOCH) is unreadable or out of range."""

    def __init__(self, value: str, source: str):
        super().__init__(f"{source}={value}")
        self.value = value
        self.source = source


class LeakFound(Exception):
    """A refused entry's id or title is in the output: nothing was published."""

    def __init__(self, leaks: list[leakscan.Leak]):
        super().__init__(f"{len(leaks)} leak(s)")
        self.leaks = leaks


def checked_build_date(day: dt.date, source: str = "--date") -> dt.date:
    if not EARLIEST_BUILD_DATE <= day <= LATEST_BUILD_DATE:
        raise BadBuildDate(day.isoformat(), source)
    return day


def default_build_date() -> dt.date:
    """SOURCE_DATE_EPOCH (reproducible builds) when set, else today."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            day = dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC).date()
        except (ValueError, OverflowError, OSError):
            raise BadBuildDate(epoch, "SOURCE_DATE_EPOCH") from None
        return checked_build_date(day, "SOURCE_DATE_EPOCH")
    return dt.date.today()


@dataclass(frozen=True)
class BuildOptions:
    agencies_dir: Path = Path("agencies")
    out: Path = Path("site")
    config: Path = Path("mkdocs.yml")
    content_dir: Path = Path("content")
    only: tuple[str, ...] = ()
    site_url: str | None = None
    regime: str | None = None
    build_date: dt.date = field(default_factory=default_build_date)
    lang: str = "vi"
    keep_going: bool = False  # build every valid agency; a broken one keeps its last good bundle
    cms: Path | None = None  # cms.yml: also write the web editor, site/admin/ (generator/cms.py)
    jobs: int = 1  # worker processes building bundles side by side (the command line uses every core)
    force: bool = False  # rebuild every bundle, even those whose inputs have not changed
    shard: tuple[int, int] | None = None  # (i, n): build only the 1/n of the bundles in_shard() gives i
    # The portal's search index in this many parts: a change makes only its agency's part again, and a
    # citizen's first query fetches more (README, Search).
    portal_index_parts: int = 1
    merge_from: tuple[Path, ...] = ()  # shard outputs: every bundle is taken from them, none is built
    # `tiepcan serve`'s first pass after a save: only the bundles whose inputs changed are built and
    # swapped in, and the portal and everything portal-wide stay as published until the full build
    # that follows (a first build, with nothing published yet, is a full one).
    bundles_first: bool = False

    def protected(self) -> list[Path]:
        """The project root first, then the folders no output may replace, sit in or contain."""
        root = self.config.resolve().parent
        return [root, self.agencies_dir, self.content_dir, root / "theme", root / ".git"]


@dataclass
class BuildReport:
    built: list[str] = field(default_factory=list)
    reused: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)  # invalid files (with keep_going): not rebuilt
    kept: list[str] = field(default_factory=list)  # of those, the ones whose last good bundle stays
    entries: int = 0  # catalog and conditional catalog entries published
    diagnostics: list[Diagnostic] = field(default_factory=list)  # why they failed, and warnings


def _last_good(previous_site: Path, agency_id: str, source: Path) -> AgencySource | None:
    """The published agency stored in its previous bundle, if that bundle exists and reads back."""
    record = previous_site / agency_id / AGENCY_RECORD
    if not record.is_file() or record.is_symlink():
        return None
    try:
        return AgencySource(Agency.model_validate_json(record.read_bytes()), source)
    except ValidationError:
        return None  # built by an older data contract: nothing trustworthy to keep


def _theme_values(
    messages: Messages, rendered: RenderedBundle, agency_id: str | None, organization: str = ""
) -> dict[str, Any]:
    """What the theme shows besides the pages: the sample banner, the 404 page's words, the feed,
    the header's search field, the open data catalog (linked from every page) and, for an agency,
    its schema.org description (JSON, escaped for a <script> element) for the overview's <head>."""
    values: dict[str, Any] = {f"not_found_{key}": text for key, text in messages.section("hosting.not_found").items()}
    values["banner"] = messages.text("ui.sample_notice") if rendered.extra.get("sample") else ""
    values["feed"] = feeds.FEED if agency_id else ""
    # The header's search field (theme/partials/header.html): a GET form to the search page, on every page.
    values["search_page"] = layout.page_url("search")
    values.update({f"search_{key}": html.escape(text) for key, text in messages.section("ui.header_search").items()})
    values.update({f"listen_{key}": html.escape(text) for key, text in messages.section("ui.listen").items()})
    values["opendata"] = opendata.CATALOG
    values["opendata_type"] = opendata.MEDIA_TYPE
    values["opendata_title"] = html.escape(messages.text("ui.opendata.alternate_title"))
    values["organization"] = organization
    return values


def _page_texts(rendered: RenderedBundle) -> dict[str, tuple[str, str]]:
    """The search index's view of a bundle's pages: path → (main heading, readable text)."""
    return {page.path: (page.heading, page.text) for page in rendered.pages() if page.indexed}


def _words_of(bundle_builder: _BundleBuilder, source: AgencySource, names: dict[str, str]) -> list[str]:
    """The search vocabulary of a kept bundle that does not store it (built by an older version):
    its pages rendered again, not written."""
    chosen = regimes.select(bundle_builder.options.build_date, source.model.regime or bundle_builder.options.regime)
    rendered = bundle_builder.renderer.render(source, chosen, names)
    return list(index.vocabulary(index.agency_records(source.model, _page_texts(rendered))))


@dataclass(frozen=True)
class BuiltBundle:
    agency_id: str
    words: list[str]  # its search records' vocabulary, for the portal index
    written: dict[str, str]  # what its writer recorded
    leaks: list[leakscan.Leak]  # refused entries found in it by the process that built it


def shared_inputs(options: BuildOptions, digests: FileDigests | None = None) -> str:
    """What every bundle is built from besides its agency: the tool (its code, templates, regimes and
    messages), content/, theme/, mkdocs.yml and the build's options. Not its date: each bundle's
    inputs name what its pages take from the date (render.dated_facts)."""
    hasher = hashlib.sha256(f"tiepcan {package.tool_version()}\0{code_digest()}\0".encode())
    hash_tree(hasher, options.content_dir, "content", digests)
    hash_tree(hasher, options.protected()[0] / "theme", "theme", digests)
    hasher.update(options.config.read_bytes())
    settings = (options.site_url, options.regime, options.lang)
    hasher.update(json.dumps(settings).encode())
    return hasher.hexdigest()


def site_inputs(options: BuildOptions, shared: str, digests: FileDigests | None = None) -> str | None:
    """The digest of everything a whole site is built from, or None when the build makes part of one
    (--agency keeps the other bundles as they are, --shard builds some): the shared inputs, the build date and
    --keep-going, every file under the agencies folder (a link by where it points), the commit checked
    out (the report's history), and the web editor's settings and files. Not modification times
    (the record must be the same in every clone): without Git, a file touched but not changed keeps
    the report's earlier dates until something else changes."""
    if options.only or options.shard or options.bundles_first:
        return None
    # The agencies folder as messages name it: a build run from elsewhere says its notes with other paths.
    folder = display_path(options.agencies_dir)
    hasher = hashlib.sha256(
        f"{shared}\0{options.build_date.isoformat()}\0{options.keep_going}\0{folder}\0{options.portal_index_parts}\0".encode()
    )
    for path in sorted(options.agencies_dir.rglob("*")):
        hasher.update(f"{path.relative_to(options.agencies_dir).as_posix()}\0".encode())
        if path.is_symlink():
            hasher.update(os.readlink(path).encode(errors="surrogateescape"))
        elif path.is_file():
            hasher.update(digests.of(path).encode() if digests is not None else path.read_bytes())
    hasher.update(history.revision(options.agencies_dir).encode())
    if options.cms is not None:
        hasher.update(options.cms.read_bytes())
        hash_tree(hasher, cms.DECAP_DIST, "cms")
    return hasher.hexdigest()


def _unchanged_site(out: Path, inputs: str | None) -> BuildReport | None:
    """The previous build's report, its warnings and notes included (said again: an editor sees the
    same messages whether or not the site was rebuilt), when `out` is a site it built from `inputs`."""
    if inputs is None or not made_by_tiepcan(out):
        return None
    try:
        record = json.loads((out / SITE_RECORD).read_text(encoding="utf-8"))
        if not isinstance(record, dict) or record.get("inputs") != inputs:
            return None
        diagnostics = [
            Diagnostic(
                str(path),
                int(line),
                int(column),
                str(code),
                str(field),
                dict(params),
                str(severity),
                None if label is None else str(label),
            )  # fmt: skip
            for path, line, column, code, field, params, severity, label in record["diagnostics"]
        ]
        return BuildReport(reused=list(record["agencies"]), entries=int(record["entries"]), diagnostics=diagnostics)
    except (OSError, KeyError, TypeError, ValueError):
        return None


def _site_record(inputs: str, report: BuildReport) -> str | None:
    """What _unchanged_site reads back, or None when the report has an error, or a message that JSON
    does not give back as it was."""
    if report.failed or any(d.severity == "error" for d in report.diagnostics):
        return None
    messages = [
        [d.path, d.line, d.column, d.code, d.field_path, d.params, d.severity, d.column_label]
        for d in report.diagnostics
    ]
    try:
        if json.loads(json.dumps(messages)) != messages:
            return None
    except (TypeError, ValueError):
        return None
    agencies = sorted(report.built + report.reused)
    record = {"inputs": inputs, "agencies": agencies, "entries": report.entries, "diagnostics": messages}
    return json.dumps(record, ensure_ascii=False, indent=1) + "\n"


def bundle_inputs(
    shared: str, source: AgencySource, names: dict[str, str], dated: dict[str, Any], digests: FileDigests | None = None
) -> str:
    """The digest of everything one bundle is built from: the shared inputs, the agency's published
    data and folder (attachments, pages), the other agency it names (its parent) and what it takes
    from the build date (`dated`: render.dated_facts)."""
    agency = source.model
    hasher = hashlib.sha256(f"{shared}\0{agency.id}\0".encode())
    hasher.update(json.dumps(dated, sort_keys=True).encode())
    hasher.update(agency.model_dump_json().encode())  # the published data: a comment or an internal entry is not
    hash_tree(hasher, source.folder, "folder", digests)
    hasher.update(json.dumps(names.get(agency.parent) if agency.parent else None).encode())
    return hasher.hexdigest()


def _up_to_date(previous: Path, inputs: str | None) -> list[str] | None:
    """The stored search vocabulary of a previous bundle built from the same inputs (or from any,
    for `inputs` None: a bundle kept as it is), else None."""
    try:
        record = json.loads((previous / package.BUILD_RECORD).read_text(encoding="utf-8"))
        words = json.loads((previous / SEARCH_WORDS).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if (inputs is not None and record.get("inputs") != inputs) or not isinstance(words, list):
        return None
    try:
        return _interned(words)
    except TypeError:  # not a list of words
        return None


def _interned(words: Iterable[str]) -> list[str]:
    """A vocabulary with each word held once in memory however many agencies have it: 5,000 agencies'
    vocabularies are ~5 million words, most of them the same few thousand."""
    return list(map(sys.intern, words))


class _BundleBuilder:
    """Stages 3–7 for one agency at a time: render, site builder, export, index, its feed, records.
    One per process: a worker makes its own (the template environments inside are not shared)."""

    def __init__(
        self,
        options: BuildOptions,
        names: dict[str, str],
        staging: Path,
        scanner: leakscan.Scanner,
        builder: mkdocs_adapter.SiteBuilder | None = None,
    ):
        self.options, self.names, self.staging, self.scanner = options, names, staging, scanner
        self.messages = load_messages(options.lang)
        self.renderer = AgencyRenderer(self.messages, options.content_dir, options.build_date, options.site_url)
        self.builder = builder or mkdocs_adapter.SiteBuilder(options.config, shared=staging)
        # The site this build replaces, resolved: an index inside it reached through a link is not read.
        published = options.out.resolve()
        self.published = published if made_by_tiepcan(published) else None

    def build(self, task: tuple[AgencySource, str]) -> BuiltBundle:
        source, inputs = task
        options, agency = self.options, source.model
        chosen = regimes.select(options.build_date, agency.regime or options.regime)
        rendered = self.renderer.render(source, chosen, self.names)
        bundle = BundleWriter(self.staging / agency.id)
        bundle_url = layout.bundle_url(options.site_url, agency.id)
        parent = self.names.get(agency.parent) if agency.parent else None
        organization = opendata.script_json(opendata.organization(agency, bundle_url, parent))
        self.builder.build(
            rendered, bundle_url, bundle, _theme_values(self.messages, rendered, agency.id, organization)
        )
        export.write_all(bundle, export.ExportContext(agency, chosen.data, self.messages, bundle_url))
        opendata.write_agency(bundle, agency, chosen.data, bundle_url, self.messages)
        feeds.write_bundle(bundle, agency, options.build_date, self.messages, options.site_url)
        replaced = None if self.published is None else self.published / agency.id / index.INDEX_DIR
        words = list(index.vocabulary(index.index_agency(agency, bundle, _page_texts(rendered), replaced)))
        bundle.write(SEARCH_WORDS, json.dumps(words, ensure_ascii=False) + "\n", "index")
        package.write_build_record(bundle, agency.id, chosen.id, options.build_date, inputs)
        bundle.write(AGENCY_RECORD, agency.model_dump_json() + "\n", "build")
        # Scanned here, where it was just written: the bundles' scans share the build's processes.
        leaks = self.scanner.scan_folder(bundle.root, agency.id)
        return BuiltBundle(agency.id, words, bundle.written, leaks)


_worker: _BundleBuilder | None = None  # in a worker process: its own bundle builder


def _start_worker(options: BuildOptions, names: dict[str, str], staging: Path, scanner: leakscan.Scanner) -> None:
    global _worker
    end_with_build()
    _worker = _BundleBuilder(options, names, staging, scanner)


def _build_in_worker(task: tuple[AgencySource, str]) -> BuiltBundle:
    assert _worker is not None
    return _worker.build(task)


def _build_bundles(here: _BundleBuilder, sources: list[tuple[AgencySource, str]], jobs: int) -> Iterator[BuiltBundle]:
    """Every bundle, in this process or in `jobs` worker processes. Each bundle is written by one
    process only and depends on nothing another writes, so the order they finish in changes no byte."""
    if jobs <= 1 or len(sources) <= 1:
        yield from map(here.build, sources)
        return
    # fork: workers start with Python, MkDocs and the theme already imported.
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(
        min(jobs, len(sources)),
        context,
        initializer=_start_worker,
        initargs=(here.options, here.names, here.staging, here.scanner),
    ) as pool:
        yield from pool.map(_build_in_worker, sources, chunksize=max(1, min(16, len(sources) // (4 * jobs))))


class _Beside:
    """`work()` in a forked process beside this one, for a part of the build that needs nothing the
    bundles make (the supervision report): on 2 cores it runs while the bundles and the portal's index
    are made instead of after them. Fork: the agencies are not pickled; only the result comes back.
    Used as a context manager, so that a build that fails first stops the process before the staged
    site it writes into is removed."""

    def __init__(self, work: Callable[[], Any]):
        context = multiprocessing.get_context("fork")
        self._answer, sending = context.Pipe(duplex=False)
        self._process = context.Process(target=_send_result, args=(work, sending), daemon=True)
        self._process.start()
        sending.close()  # the child's copy is the one left: EOF here if it dies without answering

    def __enter__(self) -> _Beside:
        return self

    def __exit__(self, *_: object) -> None:
        if self._process.is_alive():
            self._process.terminate()
        self._process.join()

    def result(self) -> Any:
        try:
            failed, value = self._answer.recv()
        except EOFError:  # it ended without answering: its exit code says how
            failed, value = True, None
        except Exception as error:  # an error that pickled but does not unpickle
            failed, value = True, BuildFailed([f"a build process failed: {error}"])
        self._process.join()
        if failed:
            raise value or BuildFailed([f"a build process ended without a result (exit code {self._process.exitcode})"])
        return value


def _send_result(work: Callable[[], Any], sending: Any) -> None:
    end_with_build()
    try:
        answer: tuple[bool, Any] = (False, work())
    except BaseException as error:  # handed to the parent, which raises it
        answer = (True, error)
    try:
        sending.send(answer)
    except Exception:  # an error that does not pickle: its text
        sending.send((True, BuildFailed([f"{type(answer[1]).__name__}: {answer[1]}"])))


def build_all(
    options: BuildOptions,
    progress: Callable[[str, int, int], None] = lambda *_: None,
    waiting: Callable[[Path], None] = lambda _: None,
) -> BuildReport:
    """`progress(agency_id, done, total)` after each bundle built; `waiting(folder)` when another
    build is publishing into `folder` (this one waits for it: publish.exclusive)."""
    checked_build_date(options.build_date)
    root = options.protected()[0]
    outside = [d for folder in (options.content_dir, root / "theme") for d in links_out_of(folder, root)]
    if outside:
        raise InvalidInput(outside)
    digests = FileDigests.beside(options.agencies_dir)  # saved as the build ends, whichever way
    # From before the published site is first read (whether it is up to date, which bundles stay)
    # until it is replaced.
    with exclusive(options.out, waiting):
        try:
            return _build(options, progress, digests)
        finally:
            digests.save()
            gc.unfreeze()  # what _build froze can be collected again (`tiepcan serve` builds again and again)


def _build(options: BuildOptions, progress: Callable[[str, int, int], None], digests: FileDigests) -> BuildReport:
    shared = shared_inputs(options, digests)
    whole_site = site_inputs(options, shared, digests)
    unchanged = None if options.force or options.merge_from else _unchanged_site(options.out.resolve(), whole_site)
    if unchanged is not None:
        return unchanged
    check_output(options.out, options.protected())  # refused before anything is written (the cache)
    result = check_paths(
        [options.agencies_dir], regimes.regime_ids(), RecordCache.beside(options.agencies_dir), options.jobs
    )
    if not result.ok and not options.keep_going:
        raise InvalidInput(result.diagnostics)
    # The agencies' models (millions of objects at national scale) live until the build ends: the
    # collections of the stages after this one need not look at them again and again.
    gc.freeze()
    known = {a.model.id for a in result.usable} | set(result.failed)
    unknown = [agency_id for agency_id in options.only if agency_id not in known]
    if unknown:
        raise UnknownAgency(", ".join(unknown))

    previous = options.out.resolve()
    report = BuildReport(failed=list(result.failed), diagnostics=result.diagnostics)
    kept = [
        k
        for k in (
            _last_good(previous, agency_id, options.agencies_dir / f"{agency_id}.yaml") for agency_id in result.failed
        )
        if k is not None
    ]
    report.kept = [k.model.id for k in kept]
    agencies: Sequence[AgencySource] = sorted([*result.usable, *kept], key=lambda a: a.model.id)
    messages = load_messages(options.lang)
    cms_settings = cms.load_settings(options.cms) if options.cms else None
    names = {a.model.id: a.model.name for a in agencies}
    stay: set[str] = set()  # bundles of the published site kept as they are, where they are
    portal_wide = not (options.bundles_first and made_by_tiepcan(previous))
    models = [a.model for a in agencies]
    titles = [e.title for a in agencies for e in a.model.catalog] + [
        e.title for a in agencies for e in a.model.conditional_catalog
    ]
    scanner = leakscan.Scanner(result.refused, titles)
    # What an earlier scan for the same titles found clean (generator/cache.py): skipped, in every process.
    clean_memo = RecordCache.beside(options.agencies_dir, CLEAN_CONTENTS) if result.refused else None
    clean_key = RecordCache.key(code_digest(), "clean", scanner.fingerprint)
    stored = None if clean_memo is None else clean_memo.get(clean_key)
    scanner.assume_clean(stored if isinstance(stored, list) else ())
    leaks: list[leakscan.Leak] = []
    with (
        staged(options.out, options.protected(), stay) as staging,
        mkdocs_adapter.site_builder(options.config) as builder,
        contextlib.ExitStack() as beside,
    ):
        site = BundleWriter(staging)

        def write_report(writer: BundleWriter) -> dict[str, str]:
            # The supervision report, bao-cao/ (issue 14): standalone pages until they join the theme.
            supervision.write(
                writer, models, options.agencies_dir, options.build_date, messages, options.site_url, kept=report.kept
            )
            return writer.written

        supervising = (
            beside.enter_context(_Beside(lambda: write_report(BundleWriter(staging))))
            if portal_wide and options.jobs > 1
            else None
        )
        chosen_regimes = {
            a.model.id: regimes.select(options.build_date, a.model.regime or options.regime) for a in agencies
        }
        if portal_wide:  # the portal's theme files now, for the bundles to link; its pages after them
            builder.write_theme(site)
            if cms_settings is not None:
                cms.write_admin(site, cms_settings, messages)
        documents: dict[str, list[str]] = {}
        renamed = {a.model.id for a in agencies if a.model.previous_ids}
        files: dict[str, list[str]] = {}  # of the bundles of `renamed` (feeds: redirects from the old ids)
        to_build = []
        builder.shared = staging  # the portal's theme files, written above: bundles link to them
        bundle_builder = _BundleBuilder(options, names, staging, scanner, builder)
        missing = []
        up_to_date: set[str] = set()  # reused because built from the same inputs
        for source in agencies:
            agency_id = source.model.id
            if options.shard and not in_shard(agency_id, options.shard):
                continue  # another shard's: the merge brings it
            dated = dated_facts(source.model, chosen_regimes[agency_id], options.build_date)
            inputs = bundle_inputs(shared, source, names, dated, digests)
            kept_as_is = agency_id in report.kept or (options.only and agency_id not in options.only)
            asked = options.force or agency_id in options.only  # `--agency X`: X is rebuilt, changed or not
            found, words = previous / agency_id, None
            for site_dir in options.merge_from or (previous,):
                found = site_dir.resolve() / agency_id
                words = None if asked or kept_as_is else _up_to_date(found, inputs)
                if words is not None:
                    break
            if (kept_as_is and found.is_dir()) or words is not None:
                if found.parent == previous:
                    stay.add(agency_id)  # not copied, not linked: it stays in the published folder
                    kept_files = [path for path, _ in files_of(found)] if agency_id in renamed else []
                else:  # a shard's output: hard-linked in (the bytes are not copied)
                    bundle = BundleWriter(staging / agency_id)
                    bundle.keep(found, "kept")
                    kept_files = list(bundle.written)
                if agency_id in renamed:
                    files[agency_id] = kept_files
                report.reused.append(agency_id)
                if words is not None:
                    up_to_date.add(agency_id)
                else:  # kept as it is: the vocabulary it stores, else its pages rendered again
                    words = _up_to_date(found, None) or _words_of(bundle_builder, source, names)
                documents[agency_id] = words
            elif options.merge_from:
                missing.append(agency_id)
            else:
                to_build.append((source, inputs))
        if missing:
            raise MissingFromShards(missing)
        for done, made in enumerate(_build_bundles(bundle_builder, to_build, options.jobs), start=1):
            progress(made.agency_id, done, len(to_build))
            if made.agency_id in renamed:
                files[made.agency_id] = list(made.written)
            documents[made.agency_id] = _interned(made.words)
            leaks += made.leaks
        report.built = [source.model.id for source, _ in to_build]
        report.entries = sum(len(a.model.catalog) + len(a.model.conditional_catalog) for a in agencies)
        if portal_wide:
            published = previous if made_by_tiepcan(previous) else None
            parts = options.portal_index_parts
            write_portal_index = index.index_portal(models, documents, site, messages, published, parts)
            # The portal's pages while Pagefind makes its index, in its own process.
            portal = render_portal(list(agencies), chosen_regimes, messages, options.build_date, parts)
            portal_values = _theme_values(messages, portal, None)
            builder.build(portal, layout.bundle_url(options.site_url), site, portal_values, theme_written=True)
            write_portal_index()
            opendata.write_portal(site, models, options.site_url, messages)
            if supervising is not None:
                site.adopt(supervising.result())
            else:
                write_report(site)
            feeds.write_site(site, files, models, options.site_url, options.build_date, messages)
        # Bundles reused for inputs unchanged (their refused entries included) were scanned when built,
        # and those built now where they were built; kept ones (--agency, --keep-going) were not built
        # from today's data and are read again.
        in_place = {agency_id: previous / agency_id for agency_id in sorted(stay - up_to_date)}
        leaks = leakscan.ordered(
            leaks + leakscan.scan(staging, scanner, unchanged={*up_to_date, *report.built}, elsewhere=in_place)
        )
        if leaks:
            raise LeakFound(leaks)
        if clean_memo is not None:
            clean_memo.put(clean_key, scanner.clean()[:_MAX_CLEAN_CONTENTS])
            clean_memo.prune()
        if not portal_wide:  # everything published but the bundles just built stays as it is
            stay.update(name for name in os.listdir(previous) if name not in report.built)
        site_record = None if whole_site is None else _site_record(whole_site, report)
        if site_record is not None:
            site.write(SITE_RECORD, site_record, "build")
    return report
