"""Deadlines as dates: the worked example on the how-to-request page.

The law counts "ngày làm việc" from the day after a valid request arrives. Weekends are skipped
here; public holidays are not known to the tool, and the page says so.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from generator.regime import Channel

_SATURDAY = 5


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later, or that month's last day (31 January + 1 month: 28/29 February)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def add_working_days(start: dt.date, count: int) -> dt.date:
    """The day `count` working days (Monday to Friday) after `start`; `start` when count ≤ 0."""
    if count <= 0:
        return start
    # From a Saturday or Sunday the count goes as from the Friday before. Any 7 days in a row hold
    # 5 working days; the rest (0–4) crosses one weekend when it goes past Friday.
    weekday = min(start.weekday(), _SATURDAY - 1)
    counted_from = start - dt.timedelta(days=start.weekday() - weekday)
    weeks, rest = divmod(count, 5)
    days = 7 * weeks + rest + (2 if weekday + rest >= _SATURDAY else 0)
    return counted_from + dt.timedelta(days=days)


@dataclass(frozen=True)
class ExampleRow:
    channel: str
    kind: str  # "simple" or "complex"
    working_days: int
    due: dt.date
    provisional: bool


@dataclass(frozen=True)
class WorkedExample:
    received: dt.date
    rows: tuple[ExampleRow, ...]


def worked_example(channels: Mapping[str, Channel], received: dt.date) -> WorkedExample:
    """A request received on `received`, through every channel the regime counts in working days."""
    rows = []
    for channel in channels.values():
        for kind in ("simple", "complex"):
            rule = channel.simple if kind == "simple" else channel.complex
            if rule is not None and rule.working_days is not None:
                rows.append(
                    ExampleRow(
                        channel.label,
                        kind,
                        rule.working_days,
                        add_working_days(received, rule.working_days),
                        rule.provisional or channel.provisional,
                    )
                )
    return WorkedExample(received, tuple(rows))
