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


def _check(regime_id: str, data: dict[str, Any]) -> None:
    for key, expected in _REQUIRED_KEYS.items():
        missing = expected - set(data.get(key) or {})
        if missing:
            raise RegimeError(f"regime {regime_id}: {key} lacks {sorted(missing)}")


@lru_cache(maxsize=1)
def all_regimes() -> tuple[Regime, ...]:
    folder = resources.files("generator.data").joinpath("regimes")
    regimes = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".yaml"):
            continue
        data = yaml.load(entry.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
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
