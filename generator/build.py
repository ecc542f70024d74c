"""Stage 4 — build: validated agencies → one MkDocs bundle per agency under <out>/<id>/, and the portal.

Runs stages 3 to 8 in order (generator/__init__.py): render (Markdown per agency), the MkDocs
adapter, export, index and feeds, inside an atomic publish; the
leak scan (generator/leakscan.py) has the last word before the new site replaces the old one.
With `keep_going`, an agency whose file is invalid keeps the bundle of its last good build (its
published data is stored in the bundle for this) and every other agency is built.
"""

from __future__ import annotations

import datetime as dt
import html
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from generator import cms, export, feeds, index, layout, leakscan, mkdocs_adapter, opendata, package
from generator import regime as regimes
from generator.diagnostics import Diagnostic
from generator.i18n import Messages, load_messages
from generator.model import Agency
from generator.publish import staged
from generator.render import AgencyRenderer, RenderedBundle, render_portal
from generator.validate import AgencySource, check_paths, links_out_of
from generator.writer import BundleWriter

# The agency data a bundle was built from, as published (no internal entries): what lets a later
# `--keep-going` build keep this bundle, and list it on the portal, while the agency's file is broken.
AGENCY_RECORD = "tiepcan-agency.json"
# Build dates a page can show and count working days from (the loader bounds data dates the same way).
EARLIEST_BUILD_DATE, LATEST_BUILD_DATE = dt.date(1900, 1, 1), dt.date(2100, 12, 31)


class InvalidInput(Exception):
    def __init__(self, diagnostics: list[Diagnostic]):
        super().__init__(f"{len(diagnostics)} problem(s) in agency files")
        self.diagnostics = diagnostics


class UnknownAgency(Exception):
    pass


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


def build_all(options: BuildOptions, progress: Callable[[str], None] = lambda _: None) -> BuildReport:
    checked_build_date(options.build_date)
    root = options.protected()[0]
    outside = [d for folder in (options.content_dir, root / "theme") for d in links_out_of(folder, root)]
    if outside:
        raise InvalidInput(outside)
    result = check_paths([options.agencies_dir], regimes.regime_ids())
    if not result.ok and not options.keep_going:
        raise InvalidInput(result.diagnostics)
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
    renderer = AgencyRenderer(messages, options.content_dir, options.build_date, options.site_url)
    with (
        staged(options.out, options.protected()) as staging,
        mkdocs_adapter.site_builder(options.config, options.build_date) as builder,
    ):
        chosen_regimes = {
            a.model.id: regimes.select(options.build_date, a.model.regime or options.regime) for a in agencies
        }
        site = BundleWriter(staging)
        portal = render_portal(list(agencies), chosen_regimes, messages, options.build_date)
        builder.build(portal, layout.bundle_url(options.site_url), site, _theme_values(messages, portal, None))
        if cms_settings is not None:
            cms.write_admin(site, cms_settings, messages)
        documents: dict[str, list[index.Record]] = {}
        bundles: dict[str, BundleWriter] = {}
        for source in agencies:
            agency_id = source.model.id
            chosen = chosen_regimes[agency_id]
            rendered = renderer.render(source, chosen, names)
            bundle = bundles[agency_id] = BundleWriter(staging / agency_id)
            reuse = agency_id in report.kept or (options.only and agency_id not in options.only)
            if reuse and (previous / agency_id).is_dir():
                bundle.keep(previous / agency_id, "kept")
                report.reused.append(agency_id)
                documents[agency_id] = index.agency_records(source.model, _page_texts(rendered))
                continue
            progress(agency_id)
            bundle_url = layout.bundle_url(options.site_url, agency_id)
            parent = names.get(source.model.parent) if source.model.parent else None
            organization = opendata.script_json(opendata.organization(source.model, bundle_url, parent))
            builder.build(rendered, bundle_url, bundle, _theme_values(messages, rendered, agency_id, organization))
            export.write_all(
                bundle, export.ExportContext(source.model, chosen.data, options.build_date, messages, bundle_url)
            )
            opendata.write_agency(bundle, source.model, chosen.data, bundle_url, options.build_date, messages)
            documents[agency_id] = index.index_agency(source.model, bundle, _page_texts(rendered))
            package.write_build_record(bundle, agency_id, chosen.id, options.build_date)
            bundle.write(AGENCY_RECORD, source.model.model_dump_json() + "\n", "build")
            report.built.append(agency_id)
        index.index_portal([a.model for a in agencies], documents, site, messages)
        opendata.write_portal(site, [a.model for a in agencies], options.site_url, messages)
        feeds.write_site(
            site, bundles, [a.model for a in agencies], report.built, options.site_url, options.build_date, messages
        )
        titles = [e.title for a in agencies for e in a.model.catalog] + [
            e.title for a in agencies for e in a.model.conditional_catalog
        ]
        leaks = leakscan.scan(staging, result.refused, titles)
        if leaks:
            raise LeakFound(leaks)
    return report
