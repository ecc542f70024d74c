"""Issue 15: open data others harvest. Each bundle's catalog.jsonld is read back as RDF with rdflib and
checked against DCAT-AP 3.0's mandatory properties; the overview's schema.org block is parsed and its
properties checked against the schema.org types it uses."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from rdflib import RDF, Graph, Literal, Namespace, URIRef

from generator import layout, opendata
from generator import regime as regimes
from generator.i18n import load_messages
from generator.validate import check_paths
from tests.conftest import AGENCIES, BUILD_DATE, DEMO_SITE_URL

DCAT = Namespace("http://www.w3.org/ns/dcat#")
DCT = Namespace("http://purl.org/dc/terms/")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")
RDFS = Namespace("http://www.w3.org/2000/01/rdf-schema#")
SCHEMA = Namespace("https://schema.org/")
# rdflib 7.6 builds a ConjunctiveGraph inside its JSON-LD parser and warns about it.
pytestmark = pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")
PUBLIC = URIRef(opendata.ACCESS_RIGHT + "PUBLIC")
RESTRICTED = URIRef(opendata.ACCESS_RIGHT + "RESTRICTED")

# DCAT-AP 3.0, mandatory properties per class (section "Mandatory properties" of each class).
MANDATORY = {
    DCAT.Catalog: [DCT.description, DCT.publisher, DCT.title],
    DCAT.Dataset: [DCT.description, DCT.title],
    DCAT.Distribution: [DCAT.accessURL],
    FOAF.Agent: [FOAF.name],
}

# The schema.org properties tiepcan writes, by the type that defines or inherits them (schema.org:
# GovernmentOrganization ⊂ Organization ⊂ Thing; ContactPoint, PostalAddress ⊂ StructuredValue ⊂ Thing).
SCHEMA_PROPERTIES = {
    "GovernmentOrganization": {
        "name",
        "alternateName",
        "url",
        "email",
        "telephone",
        "faxNumber",
        "address",
        "contactPoint",
        "sameAs",
        "parentOrganization",
    },
    "ContactPoint": {"contactType", "email", "telephone", "availableLanguage"},
    "PostalAddress": {"streetAddress", "addressCountry"},
}


@pytest.fixture(scope="module")
def demo_agencies():
    result = check_paths([AGENCIES], regimes.regime_ids())
    assert result.ok
    return {source.model.id: source.model for source in result.usable}


def _graph(data: dict, base: str) -> Graph:
    graph = Graph()
    graph.parse(data=json.dumps(data), format="json-ld", publicID=base)
    return graph


def _check_mandatory(graph: Graph) -> list[str]:
    missing = []
    for cls, properties in MANDATORY.items():
        for subject in graph.subjects(RDF.type, cls):
            missing += [f"{subject} {cls} lacks {p}" for p in properties if graph.value(subject, p) is None]
    return missing


@pytest.mark.parametrize("site_url", [DEMO_SITE_URL, None])
def test_every_demo_catalog_is_dcat_ap_with_one_dataset_per_entry(demo_agencies, site_url):
    messages = load_messages("vi")
    for agency_id, agency in demo_agencies.items():
        regime = regimes.select(BUILD_DATE, agency.regime).data
        bundle = layout.bundle_url(site_url, agency_id)
        base = bundle or f"http://example.test/{agency_id}/"  # where a relative catalog would be read from
        graph = _graph(opendata.agency_catalog(agency, regime, bundle, messages), base)
        assert _check_mandatory(graph) == [], agency_id
        catalogs = list(graph.subjects(RDF.type, DCAT.Catalog))
        assert catalogs == [URIRef(base + opendata.CATALOG)]
        catalog = catalogs[0]
        publisher = graph.value(catalog, DCT.publisher)
        assert graph.value(publisher, FOAF.name) == Literal(agency.name, lang="vi")
        datasets = set(graph.objects(catalog, DCAT.dataset))
        assert len(datasets) == len(agency.catalog) + len(agency.conditional_catalog)
        assert set(graph.subjects(RDF.type, DCAT.Dataset)) == datasets
        for entry in agency.catalog:
            dataset = URIRef(f"{base}{opendata.CATALOG}#{entry.id}")
            assert dataset in datasets
            assert graph.value(dataset, DCT.title) == Literal(entry.title, lang="vi")
            assert str(graph.value(dataset, DCT.identifier)) == (entry.number or entry.id)
            assert str(graph.value(dataset, DCT.issued)) == entry.disclosed.isoformat()
            assert graph.value(dataset, DCT.modified) is not None
            assert graph.value(dataset, DCAT.landingPage) == URIRef(f"{base}danh-muc-cong-khai.html#{entry.id}")
            assert graph.value(dataset, DCT.accessRights) == PUBLIC
            assert graph.value(dataset, DCT.publisher) == publisher
            distribution = graph.value(dataset, DCAT.distribution)
            assert (distribution, RDF.type, DCAT.Distribution) in graph
            download = graph.value(distribution, DCAT.downloadURL)
            if entry.url:
                assert download == URIRef(entry.url)
            elif entry.file:
                assert str(download).startswith(f"{base}tep/")
            else:
                assert download is None
                assert graph.value(distribution, DCAT.accessURL) == graph.value(dataset, DCAT.landingPage)
        conditions = regime.conditions
        for entry in agency.conditional_catalog:
            dataset = URIRef(f"{base}{opendata.CATALOG}#{entry.id}")
            assert graph.value(dataset, DCT.accessRights) == RESTRICTED
            assert graph.value(dataset, DCAT.distribution) is None, "its content is never published"
            rights = str(graph.value(graph.value(dataset, DCT.rights), RDFS.label))
            assert conditions[entry.condition].label in rights and "Điều 7" in rights
            assert (entry.consent_from or conditions[entry.condition].consent_of) in rights
            assert graph.value(dataset, DCAT.landingPage) == URIRef(f"{base}danh-muc-co-dieu-kien.html#{entry.id}")


def test_the_portal_catalog_lists_each_agency_catalog(demo_agencies):
    data = opendata.portal_catalog(demo_agencies.values(), DEMO_SITE_URL, load_messages("vi"))
    graph = _graph(data, DEMO_SITE_URL)
    assert _check_mandatory(graph) == []
    portal = URIRef(DEMO_SITE_URL + opendata.CATALOG)
    listed = set(graph.objects(portal, DCAT.catalog))
    assert listed == {URIRef(f"{DEMO_SITE_URL}{agency_id}/{opendata.CATALOG}") for agency_id in demo_agencies}


def _schema_graph(block: dict) -> Graph:
    """schema.org JSON-LD read without fetching its context: https://schema.org as the vocabulary."""
    assert block["@context"] == "https://schema.org"
    graph = Graph()
    graph.parse(data=json.dumps({**block, "@context": {"@vocab": str(SCHEMA)}}), format="json-ld")
    return graph


def _check_schema_types(graph: Graph) -> list[str]:
    wrong = []
    for subject, _, kind in graph.triples((None, RDF.type, None)):
        name = str(kind).removeprefix(str(SCHEMA))
        if name not in SCHEMA_PROPERTIES:
            wrong.append(f"unexpected type {kind}")
            continue
        for predicate in set(graph.predicates(subject)) - {RDF.type}:
            if str(predicate).removeprefix(str(SCHEMA)) not in SCHEMA_PROPERTIES[name]:
                wrong.append(f"{name} has no property {predicate}")
    return wrong


def test_the_organization_block_uses_schema_org_types_and_their_properties(demo_agencies):
    agency = demo_agencies["so-tu-phap-binh-phuoc"]
    block = opendata.organization(agency, "https://example.gov.vn/so-tu-phap-binh-phuoc/", "UBND tỉnh Bình Phước")
    graph = _schema_graph(block)
    assert _check_schema_types(graph) == []
    organization = next(graph.subjects(RDF.type, SCHEMA.GovernmentOrganization))
    assert str(graph.value(organization, SCHEMA.name)) == agency.name
    assert str(graph.value(organization, SCHEMA.email)) == agency.email
    address = graph.value(organization, SCHEMA.address)
    assert str(graph.value(address, SCHEMA.streetAddress)) == agency.address
    contact = graph.value(organization, SCHEMA.contactPoint)
    assert str(graph.value(contact, SCHEMA.email)) == agency.contact_point.request_email


@pytest.mark.slow
@pytest.mark.browser
def test_the_discovery_links_do_not_make_material_fetch_sitemaps(chromium, demo_url):
    """Material fetches the sitemap.xml beside every <link rel="alternate"> (rel exactly that), taking
    it for a language version of the site; the feed's and the catalog's links are not, so nothing is fetched."""
    page = chromium.new_page()
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    for path in ["index.html", "bo-mau/index.html", "bo-mau/danh-muc-cong-khai.html"]:
        page.goto(demo_url + path)
        page.wait_for_load_state("networkidle")
    alternates = page.eval_on_selector_all("link[rel~=alternate]", "links => links.map(l => l.getAttribute('href'))")
    page.close()
    assert sorted(alternates) == ["catalog.jsonld", "feed.atom"]
    assert [url for url in requests if url.endswith("sitemap.xml")] == []


def test_script_json_cannot_end_its_script_element():
    hostile = {"name": "</script><script>alert(1)</script> & <!-- x -->"}
    text = opendata.script_json(hostile)
    assert not set(text) & set("<>&")
    assert json.loads(text) == hostile


@pytest.mark.slow
def test_built_pages_link_the_catalogs_and_the_overview_carries_the_organization(demo_site: Path):
    portal = json.loads((demo_site / opendata.CATALOG).read_text("utf-8"))
    assert portal["@type"] == "dcat:Catalog"
    for bundle in sorted(p.parent for p in demo_site.glob(f"*/{opendata.CATALOG}")):
        _graph(json.loads((bundle / opendata.CATALOG).read_text("utf-8")), DEMO_SITE_URL + bundle.name + "/")
        for page in [
            bundle / "index.html",
            bundle / "danh-muc-cong-khai.html",
            bundle / "huong-dan" / "quyen-tiep-can-thong-tin.html",
        ]:
            source = page.read_text("utf-8")
            link = re.search(r'<link rel="([^"]+)" type="application/ld\+json" href="([^"]+)"', source)
            assert link and "alternate" in link[1].split(), page  # rel is a set of link types
            assert (page.parent / link[2]).resolve() == (bundle / opendata.CATALOG).resolve(), page
        blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', (bundle / "index.html").read_text())
        assert len(blocks) == 1, bundle.name
        graph = _schema_graph(json.loads(blocks[0]))
        assert _check_schema_types(graph) == []
        assert not re.findall(r'application/ld\+json">', (bundle / "danh-muc-cong-khai.html").read_text())
    assert 'href="catalog.jsonld"' in (demo_site / "index.html").read_text("utf-8")
