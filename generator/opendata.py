"""Stage 5 — open data that others harvest (issue 15): DCAT catalogs in JSON-LD and schema.org.

Per bundle, `catalog.jsonld`: a dcat:Catalog published by the agency, with one dcat:Dataset per
catalog entry (title, description, identifier = số ký hiệu, issued/created/modified dates, landing
page = the entry's row on its page, a distribution with the download link, access rights PUBLIC)
and one per conditional entry (access rights RESTRICTED, with the Art. 7 ground and whose consent
is needed as a rights statement, and no distribution: its content is never published). Property
names follow DCAT-AP 3.0, with the EU access-right vocabulary. At the portal, `catalog.jsonld` is a
catalog of those catalogs. The overview page carries the agency as a schema.org
GovernmentOrganization (the theme writes it in <head>, from `organization_script`).

Every value is agency data: json.dumps writes it as JSON strings, and `script_json` escapes the
characters that could end a <script> element. Without --site-url every IRI is relative to the
file (or page) it is in, which JSON-LD resolves against the document's own address.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from typing import Any

from generator import attachments, export, layout
from generator.i18n import Messages
from generator.model import Agency, CatalogEntry, Condition, ConditionalEntry
from generator.regime import RegimeData
from generator.render import catalog_order
from generator.writer import BundleWriter

CATALOG = "catalog.jsonld"
MEDIA_TYPE = "application/ld+json"
STAGE = "opendata"
ACCESS_RIGHT = "http://publications.europa.eu/resource/authority/access-right/"
LANGUAGE = "http://publications.europa.eu/resource/authority/language/VIE"
CONTEXT = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}


def _text(value: str) -> dict[str, str]:
    return {"@value": value, "@language": "vi"}


def _date(value: dt.date) -> dict[str, str]:
    return {"@value": value.isoformat(), "@type": "xsd:date"}


def _iri(value: str) -> dict[str, str]:
    return {"@id": value}


def _condition(regime: RegimeData, condition: Condition) -> tuple[str, str, str]:
    """(label, whose consent the law asks for, legal basis) of an Art. 7 condition: the one place
    here that reads the regime's conditions."""
    info = regime.conditions[condition]
    return info.label, info.consent_of or "", info.basis or ""


def publisher(agency: Agency, base: str) -> dict[str, Any]:
    return {
        "@id": f"{base}{layout.page_url('overview')}#co-quan",
        "@type": ["foaf:Agent", "foaf:Organization"],
        "foaf:name": _text(agency.name),
        "foaf:mbox": _iri(f"mailto:{agency.email}"),
    }


def _contact(agency: Agency) -> dict[str, Any]:
    point = agency.contact_point
    return {
        "@type": "vcard:Organization",
        "vcard:fn": _text(f"{point.unit}, {agency.name}"),
        "vcard:hasEmail": _iri(f"mailto:{point.request_email}"),
    }


def _entry_dataset(
    entry: CatalogEntry, agency: Agency, regime: RegimeData, base: str, messages: Messages
) -> dict[str, Any]:
    landing = f"{base}{layout.page_url('catalog')}#{entry.id}"
    clause = regime.clauses[entry.clause].title
    download = entry.url or (f"{base}{layout.ATTACHMENTS}/{attachments.href(entry.file)}" if entry.file else None)
    distribution: dict[str, Any] = {
        "@id": f"{base}{CATALOG}#{entry.id}-ban-phat-hanh",
        "@type": "dcat:Distribution",
        "dct:title": _text(entry.title),
        "dcat:accessURL": _iri(download or landing),
        "dct:accessRights": _iri(ACCESS_RIGHT + "PUBLIC"),
    }
    if download:
        distribution["dcat:downloadURL"] = _iri(download)
    dataset: dict[str, Any] = {
        "@id": f"{base}{CATALOG}#{entry.id}",
        "@type": "dcat:Dataset",
        "dct:title": _text(entry.title),
        "dct:description": _text(entry.summary or messages.text("ui.opendata.entry_description", clause=clause)),
        "dct:identifier": entry.number or entry.id,
        "dct:created": _date(entry.created),
        "dct:issued": _date(entry.disclosed),
        "dct:modified": _date(max(d for d in (entry.disclosed, entry.reviewed) if d is not None)),
        "dcat:landingPage": _iri(landing),
        "dct:publisher": _iri(publisher(agency, base)["@id"]),
        "dct:accessRights": _iri(ACCESS_RIGHT + "PUBLIC"),
        "dct:language": _iri(LANGUAGE),
        "dcat:keyword": _text(clause),
        "dcat:distribution": distribution,
    }
    if entry.until:
        dataset["dct:temporal"] = {
            "@type": "dct:PeriodOfTime",
            "dcat:startDate": _date(entry.disclosed),
            "dcat:endDate": _date(entry.until),
        }
    if entry.issuer:
        dataset["dct:creator"] = {"@type": "foaf:Agent", "foaf:name": _text(entry.issuer)}
    return dataset


def _conditional_dataset(
    entry: ConditionalEntry, agency: Agency, regime: RegimeData, base: str, messages: Messages
) -> dict[str, Any]:
    label, consent_of, basis = _condition(regime, entry.condition)
    consent = entry.consent_from or consent_of
    rights = messages.text("ui.opendata.restricted", condition=label, consent=consent, basis=basis)
    dataset: dict[str, Any] = {
        "@id": f"{base}{CATALOG}#{entry.id}",
        "@type": "dcat:Dataset",
        "dct:title": _text(entry.title),
        "dct:description": _text(messages.text("ui.opendata.conditional_description", condition=label)),
        "dct:identifier": entry.number or entry.id,
        "dcat:landingPage": _iri(f"{base}{layout.page_url('conditional_catalog')}#{entry.id}"),
        "dct:publisher": _iri(publisher(agency, base)["@id"]),
        "dct:accessRights": _iri(ACCESS_RIGHT + "RESTRICTED"),
        "dct:rights": {"@type": "dct:RightsStatement", "rdfs:label": _text(rights)},
        "dct:language": _iri(LANGUAGE),
    }
    if entry.created:
        dataset["dct:created"] = _date(entry.created)
    return dataset


def agency_catalog(agency: Agency, regime: RegimeData, bundle_url: str | None, messages: Messages) -> dict[str, Any]:
    """The bundle's DCAT catalog, as a JSON-LD document."""
    base = bundle_url or ""
    datasets = [_entry_dataset(e, agency, regime, base, messages) for e in catalog_order(agency, regime)]
    datasets += [_conditional_dataset(e, agency, regime, base, messages) for e in agency.conditional_catalog]
    catalog: dict[str, Any] = {
        "@context": CONTEXT,
        "@id": f"{base}{CATALOG}",
        "@type": "dcat:Catalog",
        "dct:title": _text(messages.text("ui.opendata.catalog_title", agency=agency.name)),
        "dct:description": _text(messages.text("ui.opendata.catalog_description", agency=agency.name)),
        "dct:publisher": publisher(agency, base),
        "dcat:contactPoint": _contact(agency),
        "foaf:homepage": _iri(f"{base}{layout.page_url('overview')}"),
        "dct:language": _iri(LANGUAGE),
        "dcat:dataset": datasets,
    }
    updated = agency.last_updated()  # the catalog's last change, not the build date
    if updated is not None:
        catalog["dct:modified"] = _date(updated)
    return catalog


def portal_catalog(agencies: Iterable[Agency], site_url: str | None, messages: Messages) -> dict[str, Any]:
    """The portal's catalog of the agencies' catalogs (dcat:catalog), each by its own address."""
    base = layout.bundle_url(site_url) or ""
    catalogs = []
    for agency in sorted(agencies, key=lambda a: (a.name, a.id)):
        bundle = f"{base}{agency.id}/"
        catalogs.append(
            {
                "@id": f"{bundle}{CATALOG}",
                "@type": "dcat:Catalog",
                "dct:title": _text(messages.text("ui.opendata.catalog_title", agency=agency.name)),
                "dct:description": _text(messages.text("ui.opendata.catalog_description", agency=agency.name)),
                "dct:publisher": publisher(agency, bundle),
                "foaf:homepage": _iri(f"{bundle}{layout.page_url('overview')}"),
            }
        )
    return {
        "@context": CONTEXT,
        "@id": f"{base}{CATALOG}",
        "@type": "dcat:Catalog",
        "dct:title": _text(messages.text("ui.opendata.portal_title")),
        "dct:description": _text(messages.text("ui.opendata.portal_description")),
        "dct:publisher": {
            "@id": f"{base}{layout.page_url('overview')}#cong",
            "@type": "foaf:Agent",
            "foaf:name": _text(messages.text("ui.portal.title")),
        },
        "foaf:homepage": _iri(f"{base}{layout.page_url('overview')}"),
        "dct:language": _iri(LANGUAGE),
        "dcat:catalog": catalogs,
    }


def organization(agency: Agency, bundle_url: str | None, parent_name: str | None) -> dict[str, Any]:
    """The agency as a schema.org GovernmentOrganization (name, address, contact point, e-mail)."""
    point = agency.contact_point
    contact: dict[str, Any] = {
        "@type": "ContactPoint",
        "contactType": point.unit,
        "email": point.request_email,
        "availableLanguage": "vi",
    }
    if point.phone or agency.phone:
        contact["telephone"] = point.phone or agency.phone
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "GovernmentOrganization",
        "name": agency.name,
        "email": agency.email,
        "address": {"@type": "PostalAddress", "streetAddress": agency.address, "addressCountry": "VN"},
        "contactPoint": contact,
    }
    if bundle_url:
        data["url"] = bundle_url + layout.page_url("overview")
    if agency.short_name or agency.name_en:
        data["alternateName"] = [n for n in (agency.short_name, agency.name_en) if n]
    if agency.phone:
        data["telephone"] = agency.phone
    if agency.fax:
        data["faxNumber"] = agency.fax
    if agency.website:
        data["sameAs"] = agency.website
    if parent_name:
        data["parentOrganization"] = {"@type": "GovernmentOrganization", "name": parent_name}
    return data


def script_json(data: Any) -> str:
    """JSON for inside <script type="application/ld+json">: no <, > or & that could end the element
    or start markup (JSON reads \\u003c back as <)."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=False, separators=(",", ":"))
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")


def write_agency(
    writer: BundleWriter,
    agency: Agency,
    regime: RegimeData,
    bundle_url: str | None,
    messages: Messages,
) -> None:
    writer.write(
        CATALOG, export.json_document(agency_catalog(agency, regime, bundle_url, messages), "dcat:dataset"), STAGE
    )


def write_portal(writer: BundleWriter, agencies: Iterable[Agency], site_url: str | None, messages: Messages) -> None:
    writer.write(CATALOG, export.json_document(portal_catalog(agencies, site_url, messages), "dcat:catalog"), STAGE)
