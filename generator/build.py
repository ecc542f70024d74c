"""Stage 4 — build: validated agencies → one MkDocs bundle per agency under <out>/<id>/, and the portal.

Orchestrates render (Markdown per agency) and the MkDocs adapter, inside an atomic publish.
"""

from __future__ import annotations

import datetime as dt
import html
import os
import shutil
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any
from pathlib import Path

from generator import discovery, export, index, mkdocs_adapter, package, regime as regimes
from generator.diagnostics import Diagnostic
from generator.i18n import Catalog, catalog
from generator.publish import staged
from generator.render import AgencyRenderer, NavSection, Page, RenderedSite, render_portal
from generator.validate import AgencySource, check_paths


class InvalidInput(Exception):
    def __init__(self, diagnostics: list[Diagnostic]):
        super().__init__(f"{len(diagnostics)} problem(s) in agency files")
        self.diagnostics = diagnostics


class UnknownAgency(Exception):
    pass


def default_build_date() -> dt.date:
    """SOURCE_DATE_EPOCH (reproducible builds) when set, else today."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.timezone.utc).date()
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


@dataclass
class BuildReport:
    built: list[str] = field(default_factory=list)
    reused: list[str] = field(default_factory=list)


def _bundle_url(site_url: str | None, agency_id: str | None) -> str | None:
    if not site_url:
        return None
    base = site_url if site_url.endswith("/") else site_url + "/"
    return f"{base}{agency_id}/" if agency_id else base


def _nav_item(item: Page | NavSection) -> dict[str, Any]:
    if isinstance(item, NavSection):
        return {html.escape(item.title): [_nav_item(page) for page in item.pages]}
    return {html.escape(item.title): item.path}


def _spec(options: BuildOptions, site: RenderedSite, site_dir: Path, agency_id: str | None, messages: Catalog) -> mkdocs_adapter.BuildSpec:
    extra = dict(site.extra)
    extra["banner"] = messages.text("ui.sample_notice") if site.extra.get("sample") else ""
    extra.update({f"not_found_{key}": text for key, text in messages.section("hosting.not_found").items()})
    extra["feed"] = discovery.FEED if agency_id else ""
    return mkdocs_adapter.BuildSpec(
        base_config=options.config,
        docs_dir=site.docs_dir,
        site_dir=site_dir,
        # MkDocs renders templates without autoescaping: names and titles from YAML go in escaped.
        site_name=html.escape(site.site_name),
        nav=[_nav_item(item) for item in site.nav],
        site_url=_bundle_url(options.site_url, agency_id),
        extra=extra,
        build_date=options.build_date,
    )


def build_all(options: BuildOptions, progress: Callable[[str], None] = lambda _: None) -> BuildReport:
    result = check_paths([options.agencies_dir], regimes.regime_ids())
    if not result.ok:
        raise InvalidInput(result.diagnostics)
    agencies: Sequence[AgencySource] = result.agencies
    known = {a.model.id for a in agencies}
    unknown = [agency_id for agency_id in options.only if agency_id not in known]
    if unknown:
        raise UnknownAgency(", ".join(unknown))

    messages = catalog(options.lang)
    names = {a.model.id: a.model.name for a in agencies}
    renderer = AgencyRenderer(messages, options.content_dir, options.build_date)
    report = BuildReport()
    previous = options.out.resolve()
    with staged(options.out) as staging, tempfile.TemporaryDirectory(prefix="tiepcan-docs-") as work:
        chosen_regimes = {a.model.id: regimes.select(options.build_date, a.model.regime or options.regime) for a in agencies}
        portal = render_portal(list(agencies), chosen_regimes, Path(work) / "_portal", messages, options.build_date)
        mkdocs_adapter.build(_spec(options, portal, staging, None, messages))
        documents: dict[str, list[index.Record]] = {}
        for source in agencies:
            agency_id = source.model.id
            if options.only and agency_id not in options.only and (previous / agency_id).is_dir():
                shutil.copytree(previous / agency_id, staging / agency_id)
                report.reused.append(agency_id)
                documents[agency_id] = index.agency_records(source.model, staging / agency_id)
                continue
            progress(agency_id)
            chosen = chosen_regimes[agency_id]
            site = renderer.render(source, chosen, Path(work) / agency_id, names)
            mkdocs_adapter.build(_spec(options, site, staging / agency_id, agency_id, messages))
            export.write_all(staging / agency_id, export.ExportContext(
                source.model, chosen.data, options.build_date, messages, _bundle_url(options.site_url, agency_id)))
            documents[agency_id] = index.index_agency(source.model, staging / agency_id)
            package.write_build_record(staging / agency_id, agency_id, chosen.id, options.build_date)
            report.built.append(agency_id)
        index.index_portal([a.model for a in agencies], documents, staging, messages)
        discovery.write_site(staging, [a.model for a in agencies], options.site_url, options.build_date, messages)
    return report
