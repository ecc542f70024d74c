"""What the law asks a section to contain, and whether this agency's data provides it.

The list of parts comes from the regime (Decree 13 Art. 11 items, then related duties), so a new
regime changes it without a template edit. The overview shows it to citizens with a "not yet
published" notice per gap; the portal shows it to the supervising Department of Justice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from generator.model import Agency


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


# Part id (as in the regime's section_items / related_items) → (is it published?, where it lives).
_PARTS: dict[str, tuple[Callable[[Agency], bool], str]] = {
    "disclosure_catalog": (lambda a: bool(a.catalog), "danh-muc-cong-khai.html"),
    "contact_point": (lambda a: True, "dau-moi-va-cach-yeu-cau.html#dau-moi"),
    "contact_people": (lambda a: bool(a.contact_point.people), "dau-moi-va-cach-yeu-cau.html#nguoi-dau-moi"),
    "request_email": (lambda a: True, "dau-moi-va-cach-yeu-cau.html#dau-moi"),
    "complaint_email": (lambda a: True, "dau-moi-va-cach-yeu-cau.html#dau-moi"),
    "forms": (lambda a: True, "mau-phieu.html"),
    "guidance": (lambda a: True, "dau-moi-va-cach-yeu-cau.html#cach-yeu-cau"),
    "download_links": (_has_download_links, "danh-muc-cong-khai.html"),
    "internal_regulation": (lambda a: a.regulation is not None, "quy-che-noi-bo.html"),
    "conditional_catalog": (lambda a: bool(a.conditional_catalog), "danh-muc-co-dieu-kien.html"),
    "statistics": (lambda a: bool(a.statistics), "thong-ke.html"),
    "english_contact": (lambda a: True, "english.html"),
    "accessibility": (lambda a: True, "kha-nang-tiep-can.html"),  # the statement page every bundle has
}


def section_status(agency: Agency, regime: dict[str, Any], labels: dict[str, str]) -> list[PartStatus]:
    """Every part in legal order: the Art. 11 items, the contact people, then the related duties.

    `labels` names the parts the regime does not title itself (people, statistics, English page).
    """
    contact = next(item for item in regime["section_items"] if item["id"] == "contact_point")
    people = contact.get("people_fields") or {}
    english = contact.get("english") or {}
    parts: list[dict[str, Any]] = []
    for item in regime["section_items"]:
        parts.append(item)
        if item["id"] == "contact_point":
            parts.append(
                {
                    "id": "contact_people",
                    "title": labels["contact_people"],
                    "basis": people.get("basis"),
                    "provisional": people.get("provisional"),
                }
            )
    parts += [item for item in regime.get("related_items", []) if item["id"] in _PARTS]
    parts.append({"id": "statistics", "title": labels["statistics"], **_basis(regime.get("statistics_reporting"))})
    parts.append({"id": "english_contact", "title": labels["english_contact"], **_basis(english)})
    statuses = []
    for part in parts:
        published, link = _PARTS[part["id"]]
        statuses.append(
            PartStatus(
                part["id"], part["title"], part.get("basis"), published(agency), link, bool(part.get("provisional"))
            )
        )
    return statuses


def _basis(item: dict[str, Any] | None) -> dict[str, Any]:
    item = item or {}
    return {"basis": item.get("basis"), "provisional": item.get("provisional")}
