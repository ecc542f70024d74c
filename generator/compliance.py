"""What the law asks a section to contain, and whether this agency's data provides it.

The list of parts comes from the regime (Decree 13 Art. 11 items, then related duties), so a new
regime changes it without a template edit. The overview shows it to citizens with a "not yet
published" notice per gap; the portal shows it to the supervising Department of Justice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from generator import layout
from generator.model import Agency
from generator.regime import Fact, RegimeData


@dataclass(frozen=True)
class PartStatus:
    id: str
    title: str
    basis: str | None
    published: bool
    link: str  # bundle-relative page (and anchor) where the part lives
    provisional: bool = False


def _has_download_links(agency: Agency) -> bool:
    return any(entry.url or entry.file for entry in agency.catalog)


# Part id (as in the regime's section_items / related_items) → is it published? Where each part
# lives is the layout's (layout.part_link).
_PUBLISHED: dict[str, Callable[[Agency], bool]] = {
    "disclosure_catalog": lambda a: bool(a.catalog),
    "contact_point": lambda a: True,
    "contact_people": lambda a: bool(a.contact_point.people),
    "request_email": lambda a: True,
    "complaint_email": lambda a: True,
    "forms": lambda a: True,
    "guidance": lambda a: True,
    "download_links": _has_download_links,
    "internal_regulation": lambda a: a.regulation is not None,
    "conditional_catalog": lambda a: bool(a.conditional_catalog),
    "statistics": lambda a: bool(a.statistics),
    "english_contact": lambda a: True,
    "accessibility": lambda a: True,  # the statement page every bundle has
}


def section_status(agency: Agency, regime: RegimeData, labels: dict[str, str]) -> list[PartStatus]:
    """Every part in legal order: the Art. 11 items, the contact people, then the related duties.

    `labels` names the parts the regime does not title itself (people, statistics, English page).
    """
    contact = next(item for item in regime.section_items if item.id == "contact_point")
    parts: list[tuple[str, str, Fact | None]] = []  # (id, title, the statement it rests on)
    for item in regime.section_items:
        parts.append((item.id, item.title, item))
        if item.id == "contact_point":
            parts.append(("contact_people", labels["contact_people"], contact.people_fields))
    parts += [(item.id, item.title, item) for item in regime.related_items if item.id in _PUBLISHED]
    parts.append(("statistics", labels["statistics"], regime.statistics_reporting))
    parts.append(("english_contact", labels["english_contact"], contact.english))
    return [
        PartStatus(
            part_id,
            title,
            fact.basis if fact else None,
            _PUBLISHED[part_id](agency),
            layout.part_link(part_id),
            bool(fact and fact.provisional),
        )
        for part_id, title, fact in parts
    ]
