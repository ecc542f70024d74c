"""Discoverability: a feed per agency, a sitemap index and robots.txt for the portal, and old
addresses of renamed agencies (previous_ids) that still lead to the agency without any script."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from generator.load import load_file
from tests.conftest import AGENCIES, BUILD_DATE, DEMO_SITE_URL
from tests.htmlscan import read

pytestmark = pytest.mark.slow

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def test_each_agency_has_an_atom_feed_of_its_catalog_newest_first(demo_site: Path):
    data = load_file(AGENCIES / "bo-mau.yaml").data
    feed = ET.parse(demo_site / "bo-mau" / "feed.atom").getroot()
    # the newest entry's date (withdrawals included): neither the clock nor the build date
    newest = max([d for e in data["catalog"] for d in (e["disclosed"], e.get("reviewed")) if d]
                 + [e["until"] for e in data["catalog"] if e.get("until") and e["until"] < BUILD_DATE]
                 + [data["catalog_reviewed"]])
    assert feed.findtext(f"{ATOM}updated") == f"{newest.isoformat()}T00:00:00Z"
    assert feed.findtext(f"{ATOM}id") == "urn:tiepcan:bo-mau"
    ended = [e for e in feed.findall(f"{ATOM}entry") if e.findtext(f"{ATOM}id").endswith(":het-thoi-han")]
    entries = [e for e in feed.findall(f"{ATOM}entry") if e not in ended]
    # entries whose disclosure period ended by the build date also say so, dated that day (issue 15)
    assert [e.findtext(f"{ATOM}id").split(":")[3] for e in ended] == [
        entry["id"] for entry in sorted(data["catalog"], key=lambda e: (e.get("until") or e["disclosed"], e["id"]),
                                         reverse=True) if entry.get("until") and entry["until"] < BUILD_DATE]
    assert ended and all(e.findtext(f"{ATOM}title").startswith("Hết thời hạn công khai: ") for e in ended)
    assert [e.findtext(f"{ATOM}id").rsplit(":", 1)[1] for e in entries] == \
        [entry["id"] for entry in sorted(data["catalog"], key=lambda e: (e["disclosed"], e["id"]), reverse=True)]
    first = entries[0].find(f"{ATOM}link").get("href")
    assert first == f"{DEMO_SITE_URL}bo-mau/danh-muc-cong-khai.html#{entries[0].findtext(f'{ATOM}id').rsplit(':', 1)[1]}"
    page = (demo_site / "bo-mau" / "index.html").read_text(encoding="utf-8")
    assert '<link rel="alternate feed" type="application/atom+xml" href="feed.atom">' in page


def test_the_portal_has_a_sitemap_index_and_robots_txt(demo_site: Path):
    index = ET.parse(demo_site / "sitemap-index.xml").getroot()
    locations = [e.findtext(f"{SITEMAP}loc") for e in index.findall(f"{SITEMAP}sitemap")]
    assert locations[0] == f"{DEMO_SITE_URL}sitemap.xml"
    for location in locations:
        assert (demo_site / location.removeprefix(DEMO_SITE_URL)).is_file()
    assert f"{DEMO_SITE_URL}bo-mau/sitemap.xml" in locations
    bundle_sitemap = ET.parse(demo_site / "bo-mau" / "sitemap.xml").getroot()
    assert f"{DEMO_SITE_URL}bo-mau/danh-muc-cong-khai.html" in [e.findtext(f"{SITEMAP}loc") for e in bundle_sitemap]
    assert (demo_site / "robots.txt").read_text() == f"User-agent: *\nAllow: /\nSitemap: {DEMO_SITE_URL}sitemap-index.xml\n"


def test_old_addresses_of_a_renamed_agency_redirect_without_script(demo_site: Path):
    assert load_file(AGENCIES / "bo-mau.yaml").data["previous_ids"] == ["bo-mau-cu"]
    new_pages = {p.relative_to(demo_site / "bo-mau") for p in (demo_site / "bo-mau").rglob("*.html") if p.name != "404.html"}
    old_pages = {p.relative_to(demo_site / "bo-mau-cu") for p in (demo_site / "bo-mau-cu").rglob("*.html")}
    assert old_pages == new_pages
    deep = demo_site / "bo-mau-cu" / "huong-dan" / "quyen-tiep-can-thong-tin.html"
    text = deep.read_text(encoding="utf-8")
    assert '<meta http-equiv="refresh" content="0; url=../../bo-mau/huong-dan/quyen-tiep-can-thong-tin.html">' in text
    assert "<script" not in text
    assert read(deep).links == ["../../bo-mau/huong-dan/quyen-tiep-can-thong-tin.html"]  # visible link too
    assert (deep.parent / read(deep).links[0]).resolve() == (demo_site / "bo-mau" / "huong-dan" / "quyen-tiep-can-thong-tin.html").resolve()


@pytest.mark.browser
def test_chromium_follows_the_old_address_to_the_new_bundle(chromium, demo_site: Path, demo_url: str):
    page = chromium.new_page()
    page.goto(demo_url + "bo-mau-cu/danh-muc-cong-khai.html")
    page.wait_for_url(demo_url + "bo-mau/danh-muc-cong-khai.html")
    assert page.locator("h1").first.inner_text().startswith("Danh mục thông tin phải được công khai")
    page.close()
