"""The supervision report (issue 14): which agency meets which duty, since when, and the yearly figures.

A Department of Justice follows up the agencies of its province and reports to the People's
Committee (Decree 13 Art. 12(3)–(4); Law Art. 13(2)). This module judges every agency against every
duty of generator/data/report/duties.yaml (the version in force on the report date), dates each
status from the history of the agency's file (generator/history.py), sums the yearly figures by
province and by kind, and writes it all as pages (`pages`), machine-readable copies (`files`) and,
until the pages move into the site theme, standalone documents under site/bao-cao/ (`write`).

A duty counts as met only when the agency's own data meets it: the section's fallbacks (the request
address shown for complaints, say) do not. Statuses are `met`, `missing` (never met), `late`
(overdue, or met late) and `not_applicable`. No score and no ranking: rows are in a fixed order.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import typing
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import jinja2
import yaml
from markupsafe import Markup
from pydantic import ValidationError

from generator import chart, deadlines, export, history, layout
from generator.cache import RecordCache, code_digest
from generator.i18n import Messages
from generator.model import Agency, AgencyKind, CatalogEntry, YearStatistics
from generator.writer import BundleWriter

Status = Literal["met", "missing", "late", "not_applicable"]
STATUSES: tuple[Status, ...] = ("met", "late", "missing", "not_applicable")
DUTIES = (
    "regulation",
    "disclosure_catalog",
    "conditional_catalog",
    "contact_point",
    "contact_people",
    "request_email",
    "complaint_email",
    "english_contact",
    "statistics_last_year",
    "catalog_reviewed",
    "timely_disclosure",
    "notice_duration",
)
KINDS: tuple[str, ...] = typing.get_args(AgencyKind)
CENTRAL = "trung-uong"  # the group of agencies under no provincial People's Committee
FOLDER = "bao-cao"  # under the portal root
STAGE = "report"  # what the writer records for its files
# Rows and past versions' models of earlier builds, in the validation cache's folder (generator/cache.py).
RECORDS = "report"
PROVINCES = "tinh"  # province pages: bao-cao/tinh/<id of the provincial People's Committee>.html
CSV_COLUMNS = (
    "agency_id",
    "agency_name",
    "parent_id",
    "kind",
    "province_id",
    "duty",
    "status",
    "since",
    "since_source",
    "evidence_url",
    "count",
    "entry_id",
    "catalog_changed",
)
STATISTICS_FIELDS = (
    "received",
    "provided_full",
    "provided_partial",
    "refused",
    "transferred",
    "complaints",
    "lawsuits",
)
STATISTICS_COLUMNS = ("year", "group", "group_id", "agencies_reported", *STATISTICS_FIELDS, "agencies_not_adding_up")
# Where each duty's evidence lives in an agency's section (layout's part ids).
_PART = {
    "regulation": "internal_regulation",
    "disclosure_catalog": "disclosure_catalog",
    "conditional_catalog": "conditional_catalog",
    "contact_point": "contact_point",
    "contact_people": "contact_people",
    "request_email": "request_email",
    "complaint_email": "complaint_email",
    "english_contact": "english_contact",
    "statistics_last_year": "statistics",
    "catalog_reviewed": "disclosure_catalog",
    "timely_disclosure": "disclosure_catalog",
    "notice_duration": "disclosure_catalog",
}


# ---------------------------------------------------------------- configuration (duties.yaml)


class ConfigError(ValueError):
    pass


@dataclass(frozen=True)
class Duty:
    id: str
    title: str
    short: str
    basis: str
    kinds: frozenset[str]
    note: str | None = None
    provisional: bool = False  # basis known from a secondary source only
    params: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)


@dataclass(frozen=True)
class Config:
    version: str
    title: str
    effective_from: dt.date
    review_period_months: int
    reporting_year: int
    utc_offset_hours: int
    duties: tuple[Duty, ...]
    provisional: str | None = None

    def duty(self, duty_id: str) -> Duty:
        return next(d for d in self.duties if d.id == duty_id)


@cache
def _duties_file() -> dict[str, Any]:
    text = resources.files("generator.data").joinpath("report/duties.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    if not isinstance(data, dict):
        raise ConfigError("duties.yaml is not a mapping")
    return data


def load_config(report_date: dt.date, *, reporting_year: int | None = None, review_months: int | None = None) -> Config:
    """The duties in force on the report date, with the settings (each overridable by the caller)."""
    data = _duties_file()
    settings = data.get("settings") or {}
    versions = {str(v["id"]): v for v in data["versions"]}
    chosen = [
        v for v in versions.values() if v["effective_from"] <= report_date <= (v.get("effective_until") or dt.date.max)
    ]
    if not chosen:
        raise ConfigError(f"no version of duties.yaml is in force on {report_date.isoformat()}")
    version = max(chosen, key=lambda v: v["effective_from"])
    merged: dict[str, dict[str, Any]] = {}
    chain = [version]
    while chain[-1].get("inherits"):
        chain.append(versions[str(chain[-1]["inherits"])])
    for link in reversed(chain):
        for duty in link.get("duties") or []:
            merged[duty["id"]] = {**merged.get(duty["id"], {}), **duty}
    if set(merged) != set(DUTIES):
        raise ConfigError(f"duties.yaml names {sorted(merged)}, the report needs {sorted(DUTIES)}")
    covered = frozenset(version["covered_kinds"])
    if not covered <= set(KINDS):
        raise ConfigError(f"unknown kinds in covered_kinds: {sorted(covered - set(KINDS))}")
    duties = []
    for duty_id in DUTIES:
        item = merged[duty_id]
        kinds = covered if item["kinds"] == "all" else frozenset(item["kinds"]) & covered
        params = {k: v for k, v in item.items() if k in ("working_days", "days")}
        duties.append(
            Duty(
                duty_id,
                item["title"],
                item["short"],
                item["basis"],
                kinds,
                item.get("note"),
                item.get("confidence", "verified") != "verified",
                params,
            )
        )
    year = reporting_year if reporting_year is not None else settings.get("reporting_year")
    months = review_months if review_months is not None else settings.get("review_period_months", 12)
    if not isinstance(months, int) or months < 1:
        raise ConfigError("review_period_months must be a whole number of months, at least 1")
    return Config(
        str(version["id"]),
        version["title"],
        version["effective_from"],
        months,
        int(year) if year is not None else report_date.year - 1,
        int(settings.get("utc_offset_hours", 7)),
        tuple(duties),
        version.get("provisional"),
    )


# ---------------------------------------------------------------- judging one agency


@dataclass(frozen=True)
class Cell:
    duty: str
    status: Status
    since: dt.date | None
    since_source: str  # git | file_date | working_tree ("" when not applicable)
    evidence: str  # portal-relative: "<agency id>/<page>.html[#anchor]" ("" when not applicable)
    count: int | None = None  # entries concerned (catalog size, late disclosures, short notices)
    entry: str | None = None  # the first entry concerned, for late disclosures and short notices
    catalog_changed: dt.date | None = None


@dataclass(frozen=True)
class Row:
    agency: Agency
    province: str  # id of its provincial People's Committee, or CENTRAL
    cells: tuple[Cell, ...]


@dataclass(frozen=True)
class _Judgement:
    status: Status
    count: int | None = None
    entry: str | None = None


def _late_disclosures(catalog: Sequence[CatalogEntry], working_days: int) -> list[CatalogEntry]:
    late = [e for e in catalog if e.disclosed > deadlines.add_working_days(e.created, working_days)]
    return sorted(late, key=lambda e: (e.disclosed, e.id))


def _short_notices(catalog: Sequence[CatalogEntry], days: int) -> list[CatalogEntry]:
    short = [
        e for e in catalog if "notice_board" in e.forms and e.until is not None and (e.until - e.disclosed).days < days
    ]
    return sorted(short, key=lambda e: (e.disclosed, e.id))


def judge(duty: Duty, agency: Agency, as_of: dt.date, catalog_changed: dt.date | None, config: Config) -> _Judgement:
    """One duty, on the agency's own data as it stood on `as_of` (its catalog last changed on `catalog_changed`)."""
    if agency.kind not in duty.kinds:
        return _Judgement("not_applicable")

    def met_if(condition: object, count: int | None = None) -> _Judgement:
        return _Judgement("met" if condition else "missing", count)

    contact = agency.contact_point
    match duty.id:
        case "regulation":
            return met_if(agency.regulation is not None)
        case "disclosure_catalog":
            return met_if(agency.catalog, len(agency.catalog))
        case "conditional_catalog":
            return met_if(agency.conditional_catalog, len(agency.conditional_catalog))
        case "contact_point":
            return met_if(contact.unit)
        case "contact_people":
            return met_if(contact.people, len(contact.people))
        case "request_email":
            return met_if(contact.request_email)
        case "complaint_email":
            return met_if(contact.complaint_email)
        case "english_contact":
            return met_if(agency.name_en)
        case "statistics_last_year":
            if any(row.year == config.reporting_year for row in agency.statistics):
                return _Judgement("met")
            return _Judgement("late" if agency.statistics else "missing")
        case "catalog_reviewed":
            if not agency.catalog or catalog_changed is None:
                return _Judgement("missing")
            fresh = as_of <= deadlines.add_months(catalog_changed, config.review_period_months)
            return _Judgement("met" if fresh else "late")
        case "timely_disclosure":
            if not agency.catalog:
                return _Judgement("missing")
            late = _late_disclosures(agency.catalog, int(duty.params.get("working_days", 5)))
            return _Judgement("late", len(late), late[0].id) if late else _Judgement("met", 0)
        case "notice_duration":
            notices = [e for e in agency.catalog if "notice_board" in e.forms]
            if not notices:
                return _Judgement("not_applicable")
            short = _short_notices(notices, int(duty.params.get("days", 30)))
            return _Judgement("late", len(short), short[0].id) if short else _Judgement("met", 0)
    raise KeyError(duty.id)


def _published(agency: Agency) -> Agency:
    """An agency as its section shows it: without the entries kept internal (Law Art. 6)."""
    return agency.model_copy(
        update={
            "catalog": [e for e in agency.catalog if e.access == "public"],
            "conditional_catalog": [e for e in agency.conditional_catalog if e.access == "public"],
        }
    )


@dataclass(frozen=True)
class _Dated:
    date: dt.date
    agency: Agency
    source: str


def _model_of(data: Any) -> Agency | None:
    """A past version's data as its section showed it; None for a version that published nothing."""
    if not isinstance(data, dict):
        return None
    try:
        return _published(Agency.model_validate(data))
    except (ValidationError, TypeError, ValueError):
        return None


def _versions(
    agency: Agency,
    past: Sequence[history.Version],
    source: history.Source,
    today: dt.date,
    models: Mapping[str, Agency | None],
) -> list[_Dated]:
    """The agency's valid past versions, oldest first, ending with the published one. `models`: the
    committed versions' models by blob (_version_models)."""
    dated: list[_Dated] = []
    for version in sorted(past, key=lambda v: v.date):  # stable: same-day commits keep their order
        if version.current:  # the file as it is now: `agency` is its validated model
            model: Agency | None = _published(agency)
        else:
            model = models.get(version.blob) if version.blob else _model_of(version.data)
        if model is None or model.id != agency.id:
            continue  # a broken version (or another agency's file) published nothing here
        kind = "file_date" if source == "file_dates" else ("git" if version.committed else "working_tree")
        dated.append(_Dated(min(version.date, today), model, kind))
    current = _published(agency)
    if not dated or dated[-1].agency != current:  # history out of step (or none): today's data, dated today
        dated.append(_Dated(today, current, dated[-1].source if dated and source == "file_dates" else "working_tree"))
    return dated


def evaluate(
    agency: Agency,
    province: str,
    past: Sequence[history.Version],
    source: history.Source,
    config: Config,
    today: dt.date,
    models: Mapping[str, Agency | None],
) -> Row:
    versions = _versions(agency, past, source, today, models)
    # The date the (public) catalog last changed, as of each version.
    changed: list[dt.date | None] = []
    previous: list[CatalogEntry] | None = None
    for version in versions:
        if version.agency.catalog != previous:
            changed.append(version.date if version.agency.catalog else None)
            previous = list(version.agency.catalog)
        else:
            changed.append(changed[-1])
    cells = []
    for duty in config.duties:
        timeline: list[tuple[dt.date, Status, str]] = []
        for index, version in enumerate(versions):
            verdict = judge(duty, version.agency, version.date, changed[index], config)
            timeline.append((version.date, verdict.status, version.source))
            last_changed = changed[index]
            if duty.id == "catalog_reviewed" and verdict.status == "met" and last_changed is not None:
                # The catalog goes stale between commits: the day after its review period ends.
                stale_from = deadlines.add_months(last_changed, config.review_period_months) + dt.timedelta(days=1)
                until = versions[index + 1].date if index + 1 < len(versions) else today + dt.timedelta(days=1)
                if stale_from < until:
                    timeline.append((stale_from, "late", version.source))
        final = judge(duty, versions[-1].agency, today, changed[-1], config)
        start = len(timeline) - 1
        while start > 0 and timeline[start - 1][1] == final.status:
            start -= 1
        since: dt.date | None = timeline[start][0]
        since_source = timeline[start][2]
        if final.status == "not_applicable":
            since, since_source = None, ""
        link = layout.part_link(_PART[duty.id])
        if final.status == "missing":  # the part's anchor may not exist: the page says it is not published
            link = link.split("#")[0]
        if final.entry:
            link = f"{layout.page_url('catalog')}#{final.entry}"
        cells.append(
            Cell(
                duty.id,
                final.status,
                since,
                since_source,
                "" if final.status == "not_applicable" else f"{agency.id}/{link}",
                final.count,
                final.entry,
                changed[-1] if duty.id == "catalog_reviewed" else None,
            )
        )
    return Row(agency, province, tuple(cells))


def provinces_of(agencies: Sequence[Agency]) -> dict[str, str]:
    """Each agency's province: the provincial People's Committee it is (or is under), else CENTRAL."""
    by_id = {a.id: a for a in agencies}
    found: dict[str, str] = {}
    for agency in agencies:
        seen: set[str] = set()
        current: Agency | None = agency
        province = CENTRAL
        while current is not None and current.id not in seen:
            if current.kind == "provincial_peoples_committee":
                province = current.id
                break
            seen.add(current.id)
            current = by_id.get(current.parent) if current.parent else None
        found[agency.id] = province
    return found


# ---------------------------------------------------------------- statistics


@dataclass(frozen=True)
class Mismatch:
    agency: Agency
    province: str
    row: YearStatistics

    @property
    def answered(self) -> int:
        r = self.row
        return r.provided_full + r.provided_partial + r.refused + r.transferred


def adds_up(row: YearStatistics) -> bool:
    """Every request received has an outcome: provided (in full or in part), refused or transferred."""
    return row.provided_full + row.provided_partial + row.refused + row.transferred == row.received


@dataclass(frozen=True)
class Totals:
    year: int
    group: str  # national | province | kind
    group_id: str
    reported: int  # agencies whose figures add up (summed)
    sums: dict[str, int] = field(hash=False)
    not_adding_up: int = 0  # agencies that gave figures for the year that do not add up (not summed)

    def as_year(self) -> YearStatistics:
        return YearStatistics(year=self.year, **self.sums)


def _totals(rows: Iterable[tuple[Agency, YearStatistics]], year: int, group: str, group_id: str) -> Totals:
    sums = dict.fromkeys(STATISTICS_FIELDS, 0)
    reported = wrong = 0
    for _, row in rows:
        if not adds_up(row):
            wrong += 1
            continue
        reported += 1
        for name in STATISTICS_FIELDS:
            sums[name] += getattr(row, name)
    return Totals(year, group, group_id, reported, sums, wrong)


# ---------------------------------------------------------------- the report


@dataclass(frozen=True)
class Report:
    date: dt.date
    config: Config
    source: history.Source
    rows: tuple[Row, ...]
    groups: tuple[tuple[str, Agency | None], ...]  # (province id or CENTRAL, its People's Committee)
    years: tuple[int, ...]  # every year some agency gave figures for, newest first
    totals: tuple[Totals, ...]
    mismatches: tuple[Mismatch, ...]
    site_url: str | None = None

    def rows_of(self, province: str) -> list[Row]:
        return [r for r in self.rows if r.province == province]

    def totals_of(self, year: int, group: str, group_id: str) -> Totals:
        return next(t for t in self.totals if (t.year, t.group, t.group_id) == (year, group, group_id))


_KIND_ORDER = {kind: index for index, kind in enumerate(KINDS)}


# Agencies whose past versions are read and judged at a time: their parsed versions are what a
# build holds in memory for the report (a national history is tens of thousands of files).
_EVALUATED_AT_ONCE = 256


def _row_key(agency: Agency, province: str, past: history.History, config: Config, today: dt.date) -> str | None:
    """What evaluate() makes the agency's row from, as a record key; None when a version is known by
    its bytes only (a broken file's working copy), not by a Git blob or the model at hand."""
    if any(v.data is not None and not v.blob for v in past.of(agency.id)):
        return None
    versions = [[v.date.isoformat(), v.blob, v.committed, v.current] for v in past.of(agency.id)]
    return RecordCache.key(
        code_digest(), "report-row", agency.model_dump_json(), province, past.source, repr(config), today.isoformat(),
        json.dumps(versions),
    )  # fmt: skip


def _cells_record(cells: Sequence[Cell]) -> list[list[Any]]:
    def day(value: dt.date | None) -> str | None:
        return value.isoformat() if value else None

    return [
        [c.duty, c.status, day(c.since), c.since_source, c.evidence, c.count, c.entry, day(c.catalog_changed)]
        for c in cells
    ]


def _cells_from(record: Any, config: Config) -> tuple[Cell, ...] | None:
    """A row's cells as _cells_record stored them, checked as they are read (None: not a record of these duties)."""

    def day(value: Any) -> dt.date | None:
        return None if value is None else dt.date.fromisoformat(value)

    def optional(value: Any, kind: type) -> Any:
        if value is not None and (not isinstance(value, kind) or isinstance(value, bool)):
            raise TypeError(value)
        return value

    try:
        cells = tuple(
            Cell(
                str(duty),
                status,
                day(since),
                str(source),
                str(evidence),
                optional(count, int),
                optional(entry, str),
                day(changed),
            )
            for duty, status, since, source, evidence, count, entry, changed in record
        )
    except (TypeError, ValueError):
        return None
    if [c.duty for c in cells] != [d.id for d in config.duties] or any(c.status not in STATUSES for c in cells):
        return None
    return cells


def _version_key(blob: str) -> str:
    return RecordCache.key(code_digest(), "report-version", blob)


def _version_models(
    past: history.History, agency_ids: Sequence[str], cache: RecordCache | None
) -> dict[str, Agency | None]:
    """The model of each committed version of these agencies' files, by blob: stored by an earlier
    build (a blob's bytes never change), else read from Git and validated (and stored). None: a
    version that published nothing. A blob Git does not have (a shallow clone) is left out."""
    blobs = sorted({v.blob for a in agency_ids for v in past.of(a) if v.blob and not v.current})
    models: dict[str, Agency | None] = {}
    for blob in blobs:
        record = None if cache is None else cache.get(_version_key(blob))
        try:
            if isinstance(record, dict) and record.keys() == {"agency"}:
                models[blob] = None if record["agency"] is None else Agency.model_validate_json(record["agency"])
        except (TypeError, ValueError):  # ValidationError is a ValueError: not a record of this data contract
            continue
    unread = [blob for blob in blobs if blob not in models]
    for blob, data in history.read_versions(past, unread).items():
        model = models[blob] = _model_of(data)
        if cache is not None:
            cache.put(_version_key(blob), {"agency": None if model is None else model.model_dump_json()})
    return models


def _rows(
    ordered: Sequence[Agency],
    provinces: dict[str, str],
    past: history.History,
    config: Config,
    today: dt.date,
    cache: RecordCache | None,
) -> Iterable[Row]:
    """evaluate() for each agency, or the row a build stored for the very same inputs: a row is judged
    again only when its agency, the history of its file, the duties or the day changed."""
    for start in range(0, len(ordered), _EVALUATED_AT_ONCE):
        chunk = ordered[start : start + _EVALUATED_AT_ONCE]
        keys = {a.id: _row_key(a, provinces[a.id], past, config, today) for a in chunk}
        stored: dict[str, tuple[Cell, ...]] = {}
        for agency_id, key in keys.items():
            record = None if cache is None or key is None else cache.get(key)
            cells = None if record is None else _cells_from(record, config)
            if cells is not None:
                stored[agency_id] = cells
        models = _version_models(past, [a.id for a in chunk if a.id not in stored], cache)
        for agency in chunk:
            if agency.id in stored:
                yield Row(agency, provinces[agency.id], stored[agency.id])
                continue
            row = evaluate(agency, provinces[agency.id], past.of(agency.id), past.source, config, today, models)
            key = keys[agency.id]
            if cache is not None and key is not None:
                cache.put(key, _cells_record(row.cells))
            yield row


def compute(
    agencies: Sequence[Agency],
    report_date: dt.date,
    past: history.History | None = None,
    *,
    site_url: str | None = None,
    config: Config | None = None,
    cache: RecordCache | None = None,
) -> Report:
    """The whole report, from the published agencies and the history of their files. `cache`: rows
    stored by earlier builds (generator/cache.py), read instead of judged again."""
    config = config or load_config(report_date)
    past = past or history.History("file_dates")
    provinces = provinces_of(agencies)
    by_id = {a.id: a for a in agencies}
    ordered = sorted(
        agencies,
        key=lambda a: (provinces[a.id], a.id != provinces[a.id], _KIND_ORDER.get(a.kind, 99), a.name, a.id),
    )
    rows = tuple(_rows(ordered, provinces, past, config, report_date, cache))
    group_ids = sorted({p for p in provinces.values() if p != CENTRAL}, key=lambda p: (by_id[p].name, p))
    groups: list[tuple[str, Agency | None]] = [(p, by_id[p]) for p in group_ids]
    if CENTRAL in provinces.values():
        groups.append((CENTRAL, None))
    figures = [(a, row) for a in ordered for row in a.statistics]
    years = tuple(sorted({row.year for _, row in figures}, reverse=True))
    totals: list[Totals] = []
    for year in years:
        of_year = [(a, row) for a, row in figures if row.year == year]
        totals.append(_totals(of_year, year, "national", ""))
        for group_id, _ in groups:
            totals.append(_totals([f for f in of_year if provinces[f[0].id] == group_id], year, "province", group_id))
        for kind in KINDS:
            totals.append(_totals([f for f in of_year if f[0].kind == kind], year, "kind", kind))
    mismatches = tuple(
        Mismatch(a, provinces[a.id], row)
        for a, row in sorted(figures, key=lambda f: (-f[1].year, provinces[f[0].id], f[0].id))
        if not adds_up(row)
    )
    return Report(report_date, config, past.source, rows, tuple(groups), years, tuple(totals), mismatches, site_url)


def counts(rows: Iterable[Row], duty: str) -> dict[str, int]:
    found: dict[str, int] = dict.fromkeys(STATUSES, 0)
    for row in rows:
        for cell in row.cells:
            if cell.duty == duty:
                found[cell.status] += 1
    return found


# ---------------------------------------------------------------- records: CSV and JSON


def evidence_url(report: Report, cell: Cell) -> str:
    """Absolute when the site's address is known, else relative to the portal root."""
    if not cell.evidence:
        return ""
    return f"{layout.bundle_url(report.site_url)}{cell.evidence}" if report.site_url else cell.evidence


def records(report: Report) -> list[dict[str, Any]]:
    """One record per agency and duty, in the pages' order (JSON values; dates as YYYY-MM-DD)."""
    out = []
    for row in report.rows:
        agency = row.agency
        for cell in row.cells:
            out.append(
                {
                    "agency_id": agency.id,
                    "agency_name": agency.name,
                    "parent_id": agency.parent,
                    "kind": agency.kind,
                    "province_id": None if row.province == CENTRAL else row.province,
                    "duty": cell.duty,
                    "status": cell.status,
                    "since": cell.since.isoformat() if cell.since else None,
                    "since_source": cell.since_source or None,
                    "evidence_url": evidence_url(report, cell),
                    "count": cell.count,
                    "entry_id": cell.entry,
                    "catalog_changed": cell.catalog_changed.isoformat() if cell.catalog_changed else None,
                }
            )
    return out


def _csv(header: Sequence[str], lines: Iterable[Sequence[Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for line in lines:
        writer.writerow(["" if v is None else export._csv_cell(str(v)) for v in line])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")  # BOM: Excel reads the file as UTF-8


def compliance_json(report: Report, rows: Sequence[dict[str, Any]]) -> bytes:
    """The report as JSON; `rows`: its records()."""
    document = {
        "report_date": report.date.isoformat(),
        "reporting_year": report.config.reporting_year,
        "review_period_months": report.config.review_period_months,
        "duties_version": report.config.version,
        "history": report.source,
        "statuses": list(STATUSES),
        "duties": [
            {"id": d.id, "title": d.title, "basis": d.basis, "kinds": sorted(d.kinds)} for d in report.config.duties
        ],
        "records": rows,  # one a line: still read line by line
    }
    return export.json_document(document, "records").encode()


def statistics_rows(report: Report) -> list[list[Any]]:
    return [
        [t.year, t.group, t.group_id, t.reported, *(t.sums[f] for f in STATISTICS_FIELDS), t.not_adding_up]
        for t in report.totals
    ]


def files(report: Report) -> dict[str, bytes]:
    """The machine-readable copies and the report's stylesheet, by name inside bao-cao/."""
    rows = records(report)
    return {
        "compliance.csv": _csv(CSV_COLUMNS, ([r[c] for c in CSV_COLUMNS] for r in rows)),
        "compliance.json": compliance_json(report, rows),
        "statistics.csv": _csv(STATISTICS_COLUMNS, statistics_rows(report)),
        STYLESHEET: resources.files("generator.templates").joinpath("report/bao-cao.css").read_bytes(),
    }


STYLESHEET = "bao-cao.css"
# Agencies per page: a province's page stays light (issue 14: ≤ 200 KB gzipped at 5,000 agencies).
ROWS_PER_PAGE = 200
SCRIPT = "tc-report.js"  # theme/assets/, copied into the portal's assets/ by the theme


# ---------------------------------------------------------------- pages


@dataclass(frozen=True)
class ReportPage:
    path: str  # relative to the portal root, e.g. "bao-cao/tinh/ubnd-tinh-lai-chau.html"
    title: str
    body: Markup  # the article's HTML


def index_path() -> str:
    return f"{FOLDER}/{layout.DIRECTORY_INDEX}"


def statistics_path() -> str:
    return f"{FOLDER}/so-lieu.html"


def group_path(group_id: str, part: int = 1) -> str:
    """A group's page; a long group's further parts sit in a folder named after it (…/<id>/2.html)."""
    base = f"{FOLDER}/{CENTRAL}" if group_id == CENTRAL else f"{FOLDER}/{PROVINCES}/{group_id}"
    return f"{base}.html" if part == 1 else f"{base}/{part}.html"


def _format_date(value: dt.date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


@cache
@cache  # one per process: each page would otherwise compile its templates again
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("generator", "templates/report"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["date"] = _format_date
    return env


def _relative(from_path: str, to_path: str) -> str:
    """A link from one portal-relative page to another portal-relative path."""
    depth = from_path.count("/")
    return "../" * depth + to_path


def _render(template: str, path: str, report: Report, messages: Messages, **values: Any) -> Markup:
    def t(key: str, /, **params: Any) -> str:
        return messages.text(f"report.{key}", **params)

    def href(to: str) -> str:
        return _relative(path, to)

    def kind_names(kinds: frozenset[str]) -> str:
        return ", ".join(messages.text(f"ui.kind.{k}") for k in KINDS if k in kinds)

    def yearly(group: str, group_id: str) -> list[tuple[int, Totals]]:
        return [(y, report.totals_of(y, group, group_id)) for y in report.years]

    return Markup(
        _environment()
        .get_template(template)
        .render(
            report=report,
            config=report.config,
            t=t,
            ui=messages.text,
            href=href,
            counts=counts,
            statuses=STATUSES,
            group_path=group_path,
            index_path=index_path(),
            statistics_path=statistics_path(),
            fields=STATISTICS_FIELDS,
            kind_list=KINDS,
            kind_names=kind_names,
            yearly=yearly,
            overview_page=layout.page_url("overview"),
            statistics_page=layout.page_url("statistics"),
            **values,
        )
    )


def group_name(report: Report, group_id: str, messages: Messages) -> str:
    ppc = dict(report.groups).get(group_id)
    return ppc.name if ppc is not None else messages.text("report.central")


def pages(report: Report, messages: Messages, rows_per_page: int = ROWS_PER_PAGE) -> list[ReportPage]:
    """The national summary, one page per province (and one for central agencies), and the figures.

    A group of more than `rows_per_page` agencies is split in parts, in the same fixed order: its
    first page holds the totals and figures of the whole group; every part links to the others."""
    found = [
        ReportPage(
            index_path(),
            messages.text("report.title"),
            _render("summary.html.j2", index_path(), report, messages, name=lambda g: group_name(report, g, messages)),
        )
    ]
    for group_id, _ in report.groups:
        name = group_name(report, group_id, messages)
        rows = report.rows_of(group_id)
        province_totals = [report.totals_of(y, "province", group_id) for y in report.years]
        chart_totals = [t for t in province_totals if t.reported]
        chunks = [rows[i : i + rows_per_page] for i in range(0, len(rows), rows_per_page)] or [[]]
        parts = [(k, group_path(group_id, k)) for k in range(1, len(chunks) + 1)]
        for (part, path), chunk in zip(parts, chunks, strict=True):
            title = messages.text("report.group_title", name=name)
            if len(parts) > 1:
                title += " " + messages.text("report.part", part=part, parts=len(parts))
            found.append(
                ReportPage(
                    path,
                    title,
                    _render(
                        "group.html.j2",
                        path,
                        report,
                        messages,
                        group_id=group_id,
                        name=name,
                        title=title,
                        part=part,
                        parts=parts,
                        rows=chunk,
                        all_rows=rows,
                        yearly_rows=[(t.year, t) for t in province_totals if t.reported or t.not_adding_up],
                        chart=chart.statistics_chart([t.as_year() for t in chart_totals], messages)
                        if chart_totals and part == 1
                        else None,
                        mismatches=[m for m in report.mismatches if m.province == group_id],
                    ),
                )
            )
    national = [t for y in report.years if (t := report.totals_of(y, "national", "")).reported]
    found.append(
        ReportPage(
            statistics_path(),
            messages.text("report.statistics_title"),
            _render(
                "statistics.html.j2",
                statistics_path(),
                report,
                messages,
                name=lambda g: group_name(report, g, messages),
                chart=chart.statistics_chart([t.as_year() for t in national], messages) if national else None,
            ),
        )
    )
    return found


def document(page: ReportPage, messages: Messages) -> str:
    """A page as a standalone HTML document (until the pages move into the site theme)."""
    return (
        _environment()
        .get_template("document.html.j2")
        .render(
            page=page,
            t=lambda key, **p: messages.text(f"report.{key}", **p),
            ui=lambda key: messages.text(f"ui.{key}"),  # the site's own words: the header search
            root=_relative(page.path, ""),
            folder=_relative(page.path, FOLDER + "/"),
            stylesheet=STYLESHEET,
            script=SCRIPT,
        )
    )


def write(
    site: BundleWriter,
    agencies: Sequence[Agency],
    agencies_dir: Path,
    report_date: dt.date,
    messages: Messages,
    site_url: str | None = None,
    progress: Callable[[str], None] = lambda _: None,
    kept: Collection[str] = (),
) -> Report:
    """The build's hook: the report into bao-cao/ of the portal, through its writer. `kept`: agencies
    whose file did not validate (their model is their last good bundle's, not their file's)."""
    config = load_config(report_date)
    ids = [a.id for a in agencies]
    validated = {agency_id for agency_id in ids if agency_id not in kept}
    past = history.read(agencies_dir, ids, report_date, config.utc_offset_hours, validated)
    cache = RecordCache.beside(agencies_dir, RECORDS)
    report = compute(agencies, report_date, past, site_url=site_url, config=config, cache=cache)
    if cache is not None:  # the rows this build showed, and every version of the history it read
        for rows in past.versions.values():
            for version in rows:
                if version.blob:
                    cache.keep(_version_key(version.blob))
        cache.prune()
    for page in pages(report, messages, ROWS_PER_PAGE):
        site.write(page.path, document(page, messages), STAGE)
    for name, data in files(report).items():
        site.write(f"{FOLDER}/{name}", data, STAGE)
    progress(FOLDER)
    return report
