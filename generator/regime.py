"""Legal regimes as data: generator/data/regimes/<id>.yaml, each with its effective dates.

Every citation, clause title, deadline, refusal ground and form label a page shows comes from
the regime in force on the build date — or the one the agency or the command line names.
"""

from __future__ import annotations

import datetime as dt
import typing
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from generator.model import Clause, Condition, DisclosureForm

_REQUIRED_KEYS = {
    "clauses": set(typing.get_args(Clause)),
    "disclosure_forms": set(typing.get_args(DisclosureForm)),
    "conditions": set(typing.get_args(Condition)),
}


# What a form or one of its fields is for, where pages and .docx copies treat it apart (None: ordinary).
FORM_ROLES = {None, "consent"}  # consent: the consent another person gives (Art. 7), sent with a request
# multiline: a text area; signature: written by hand at the foot (no input, no e-mail line);
# prefill: filled in with the agency's name.
FIELD_ROLES = {None, "multiline", "signature", "prefill"}


class RegimeError(ValueError):
    pass


@dataclass(frozen=True)
class Regime:
    id: str
    effective_from: dt.date
    effective_until: dt.date | None
    data: dict[str, Any]

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


def _check(regime_id: str, data: dict[str, Any]) -> None:
    for key, expected in _REQUIRED_KEYS.items():
        missing = expected - set(data.get(key) or {})
        if missing:
            raise RegimeError(f"regime {regime_id}: {key} lacks {sorted(missing)}")
    for form_id, form in data["forms"].items():
        if form.get("role") not in FORM_ROLES:
            raise RegimeError(f"regime {regime_id}: form {form_id} has role {form.get('role')!r}")
        for form_field in form.get("fields") or []:
            if form_field.get("role") not in FIELD_ROLES:
                raise RegimeError(
                    f"regime {regime_id}: form {form_id} field {form_field['id']} has role {form_field.get('role')!r}"
                )


@lru_cache(maxsize=1)
def all_regimes() -> tuple[Regime, ...]:
    folder = resources.files("generator.data").joinpath("regimes")
    regimes = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".yaml"):
            continue
        data = yaml.load(entry.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        data = _resolve(data)
        regime_id = str(data["id"])
        _check(regime_id, data)
        regimes.append(Regime(regime_id, data["effective_from"], data.get("effective_until"), data))
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
