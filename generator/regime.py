"""Legal regimes as data: generator/data/regimes/<id>.yaml, each with its effective dates.

Every citation, clause title, deadline, refusal ground and form label a page shows comes from
the regime in force on the build date — or the one the agency or the command line names.
Each file is read with the agency loader (so every node has a line and column) and validated into
frozen models (RegimeData and its parts): a misspelt key, an unknown role or a wrong type fails at
load, naming the file, line and column.
"""

from __future__ import annotations

import datetime as dt
import typing
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from generator.diagnostics import format_field_path
from generator.load import load_bytes
from generator.model import Clause as ClauseId
from generator.model import Condition, DisclosureForm

_REQUIRED_KEYS = {
    "clauses": set(typing.get_args(ClauseId)),
    "disclosure_forms": set(typing.get_args(DisclosureForm)),
    "conditions": set(typing.get_args(Condition)),
}


# What a form or one of its fields is for, where pages and .docx copies treat it apart (None: ordinary).
# consent: the consent another person gives (Art. 7), sent with a request.
FormRole = Literal["consent"]
# multiline: a text area; signature: written by hand at the foot (no input, no e-mail line);
# prefill: filled in with the agency's name.
FieldRole = Literal["multiline", "signature", "prefill"]
Confidence = Literal["verified", "secondary", "memory", "unknown"]  # checked in the text … not known


class _Node(BaseModel):
    """Regime data is read-only and every key is known: a misspelt key is an error, not a silent default."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class Fact(_Node):
    """What any legal statement may say about itself: its basis, and how sure the file is of it.
    `provisional` marks a newer regime's unknown, shown with the old value (see _resolve)."""

    basis: str | None = None
    note: str | None = None
    known: bool | None = None
    confidence: Confidence | None = None
    provisional: bool = False
    provisional_note: str | None = None


class Statement(Fact):
    text: str


class Item(Statement):
    id: str


class TitledItem(Fact):
    id: str
    title: str
    text: str | None = None


class Clause(Statement):  # Law Art. 17(1): a point of the disclosure catalog
    title: str


class Labelled(Statement):
    label: str


class ConditionInfo(Labelled):  # Law Art. 7: information given only with a person's consent
    consent_form: str
    consent_of: str


class DeadlineRule(Fact):
    text: str
    legal_text: str | None = None
    working_days: int | None = None
    days: int | None = None


class Channel(Fact):
    """A way to send a request (Decree 13 Art. 7–9), with its answer deadlines."""

    label: str
    request_text: str | None = None
    simple: DeadlineRule | None = None
    complex: DeadlineRule | None = None
    extension: DeadlineRule | None = None
    notice_within_working_days: int | None = None
    delivery_methods: tuple[Choice, ...] = ()
    provision_conditions: tuple[str, ...] = ()
    delivery_encouraged: Statement | None = None
    fax: bool | None = None  # whether fax still counts as this channel
    new_in_2026: bool | None = None


class Choice(_Node):
    id: str
    label: str


class FormField(_Node):
    id: str
    label: str
    display_label: str | None = None  # the label as the page and .docx print it, when it differs
    hint: str | None = None
    role: FieldRole | None = None
    options: tuple[Choice, ...] = ()
    columns: tuple[Choice, ...] = ()  # a table to fill in, one column per entry
    required_by: str | None = None
    note: str | None = None
    confidence: Confidence | None = None
    options_confidence: Confidence | None = None
    options_note: str | None = None


class Form(Fact):
    """A form of Decree 13's annex: who fills it in and, for citizen forms, its fields."""

    code: str
    title: str
    heading: str | None = None
    audience: Literal["citizen", "agency"]
    purpose: str | None = None
    role: FormRole | None = None
    fields: tuple[FormField, ...] = ()
    layout_confidence: Confidence | None = None


class LabelledFact(Fact):
    id: str
    label: str


class PeopleFields(Statement):
    ids: tuple[str, ...]


class SectionItem(TitledItem):
    """A part the access-to-information section must contain (Decree 13 Art. 11)."""

    columns: tuple[LabelledFact, ...] = ()  # the catalog's legal column names
    fields: tuple[LabelledFact, ...] = ()
    link_rule: Statement | None = None
    no_portal: Statement | None = None
    people_fields: PeopleFields | None = None
    english: Statement | None = None


class Instrument(Fact):
    id: str
    number: str | None = None
    title: str | None = None
    issued: dt.date | None = None
    effective: dt.date | None = None
    url: str | None = None
    replaces: str | None = None
    unknown_fields: tuple[str, ...] = ()


class HistoryEvent(Item):
    date: dt.date | None = None


class Scope(Statement):
    covers_public_service_units: bool


class FeePart(Statement):
    value: bool | None = None


class AreaRates(Statement):
    area_definition_note: str | None = None
    area_definition_text: str | None = None
    rate_difficult_area_percent: float | None = None
    rate_extremely_difficult_area_percent: float | None = None
    reduction_difficult_area_percent: float | None = None
    reduction_extremely_difficult_area_percent: float | None = None


class Fees(AreaRates):
    """Fees and actual costs (Law Art. 12; Circular 46/2018). The 2026 file groups the parts
    that the 2018 file writes flat (free_channels_text, the area rates …); both shapes are described here."""

    free_channels: FeePart | None = None
    advance_payment: FeePart | bool | None = None  # 2018: whether costs are paid in advance
    area_rates: AreaRates | None = None
    printing_rates: FeePart | None = None
    postage: FeePart | None = None
    payment: FeePart | None = None
    free_channels_text: str | None = None
    free_channels_basis: str | None = None
    advance_payment_text: str | None = None
    advance_payment_basis: str | None = None
    area_rates_text: str | None = None
    area_rates_basis: str | None = None
    payment_text: str | None = None
    payment_basis: str | None = None
    payment_note: str | None = None
    postage_text: str | None = None
    postage_basis: str | None = None
    printing_rates_text: str | None = None
    printing_rates_basis: str | None = None
    printing_rates_note: str | None = None


class Days(Statement):
    days: int | None = None
    working_days: int | None = None


class OldValue(Fact):
    days: int | None = None


class CorrectionPetition(Days):
    same_form: Statement | None = None
    changed_from_2018: OldValue | None = None
    day_unit_known: bool | None = None


class ProvidedInfoCorrection(Days):
    self_discovered_working_days: int | None = None


class StatisticsReporting(Statement):
    period_years: int
    counts: tuple[Choice, ...] = ()
    counts_basis: str | None = None
    report_contents: tuple[str, ...] = ()
    report_contents_basis: str | None = None
    council_review: Statement | None = None
    focal_unit_reporting: Statement | None = None


class RefusalNotice(Statement):
    form: str


class FormHeader(Fact):
    nation: str
    motto: str


class RegimeData(Fact):
    """One regime file, its unknowns resolved (generator/data/regimes/<id>.yaml)."""

    id: str
    title: str
    title_en: str
    effective_from: dt.date
    effective_until: dt.date | None = None
    effective_from_known: bool | None = None
    effective_from_confidence: Confidence | None = None
    effective_from_basis: str | None = None
    effective_until_basis: str | None = None
    effective_until_confidence: Confidence | None = None
    status_note: str | None = None
    unknowns_note: str | None = None
    instruments: tuple[Instrument, ...]
    history: tuple[HistoryEvent, ...] = ()
    sources: tuple[str, ...] = ()
    scope: Scope
    section_items: tuple[SectionItem, ...]
    related_items: tuple[TitledItem, ...] = ()
    clauses: dict[ClauseId, Clause]
    disclosure_forms: dict[DisclosureForm, Labelled]
    disclosure_deadline: Days
    notice_board_min_days: Days
    conditions: dict[Condition, ConditionInfo]
    conditional_public_interest: Statement
    request_contents: tuple[str, ...]
    request_contents_basis: str | None = None
    request_rules: tuple[Item, ...] = ()
    channels: dict[str, Channel]
    refusal_grounds: tuple[Item, ...]
    refusal_notice: RefusalNotice
    fees: Fees
    self_copy: Statement
    correction_petition: CorrectionPetition
    provided_info_correction: ProvidedInfoCorrection
    statistics_reporting: StatisticsReporting
    form_header: FormHeader
    forms: dict[str, Form]
    reported_changes: tuple[Item, ...] = ()


class RegimeError(ValueError):
    pass


@dataclass(frozen=True)
class Regime:
    id: str
    effective_from: dt.date
    effective_until: dt.date | None
    data: RegimeData

    def in_force_on(self, day: dt.date) -> bool:
        return self.effective_from <= day and (self.effective_until is None or day <= self.effective_until)


def _resolve(node: Any, key: str | None = None) -> Any:
    """Unknown facts of a newer regime fall back to the value they had before, marked provisional.

    A regime file writes an unknown fact as {known: false, note, assumed_from_2018: <old value>};
    pages then show the old value with a "not yet known" notice instead of inventing a new one.
    """
    if isinstance(node, list):
        return [_resolve(item) for item in node]
    if not isinstance(node, dict):
        return node
    if node.get("known") is False and "assumed_from_2018" in node:
        assumed = node["assumed_from_2018"]
        if isinstance(assumed, dict) and key in assumed and set(assumed) <= {key, "basis"}:
            assumed = assumed[key]  # {text: {…assumed: {text: "…"}}} → the plain value, as in the old file
        resolved = _resolve(assumed, key)
        if isinstance(resolved, dict):
            kept = {k: v for k, v in node.items() if k == "id"}  # list items keep their identity
            return {**kept, **resolved, "provisional": True, "provisional_note": node.get("note")}
        return resolved
    return {k: _resolve(v, k) for k, v in node.items()}


def _source_location(raw: Any, loc: tuple[str | int, ...]) -> tuple[str | int, ...]:
    """Where a resolved node came from in the file: through the {known: false, assumed_from_2018: …}
    wrappers _resolve removed."""
    path: list[str | int] = []
    node = raw
    for part in loc:
        while isinstance(node, dict) and part not in node and "assumed_from_2018" in node:
            path.append("assumed_from_2018")
            node = node["assumed_from_2018"]
        path.append(part)
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            break
    return tuple(path)


def load_regime(name: str, raw: bytes) -> RegimeData:
    """One regime file, validated: a misspelt key or a wrong value fails here, with its line."""
    document = load_bytes(Path(f"generator/data/regimes/{name}"), raw)
    if document.diagnostics:
        first = document.diagnostics[0]
        raise RegimeError(f"{name}:{first.line}:{first.column}: {first.code} {first.params}")
    try:
        data = RegimeData.model_validate(_resolve(document.data))
    except ValidationError as error:
        problems = []
        for problem in error.errors():
            at = _source_location(document.data, problem["loc"])
            line, column = document.position(at, key=problem["type"] == "extra_forbidden")  # a misspelt key
            problems.append(f"{name}:{line}:{column}: {format_field_path(problem['loc'])}: {problem['msg']}")
        raise RegimeError("\n".join(problems)) from None
    for key, expected in _REQUIRED_KEYS.items():
        missing = expected - set(getattr(data, key))
        if missing:
            line, column = document.position((key,))
            raise RegimeError(f"{name}:{line}:{column}: {key} lacks {sorted(missing)}")
    return data


@lru_cache(maxsize=1)
def all_regimes() -> tuple[Regime, ...]:
    folder = resources.files("generator.data").joinpath("regimes")
    regimes = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".yaml"):
            continue
        data = load_regime(entry.name, entry.read_bytes())
        regimes.append(Regime(data.id, data.effective_from, data.effective_until, data))
    return tuple(sorted(regimes, key=lambda r: r.effective_from))


def regime_ids() -> list[str]:
    return [r.id for r in all_regimes()]


def select(day: dt.date, name: str | None = None) -> Regime:
    """The named regime, else the one in force on `day`."""
    regimes = all_regimes()
    if name is not None:
        for regime in regimes:
            if regime.id == name:
                return regime
        raise RegimeError(f"unknown regime {name!r}; known: {', '.join(r.id for r in regimes)}")
    for regime in reversed(regimes):
        if regime.in_force_on(day):
            return regime
    raise RegimeError(f"no legal regime in force on {day.isoformat()}")
