"""Every text reaches every output format escaped for that format, exactly once."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import shutil
import unicodedata
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import unquote

import docx
import lxml.html
import material
import pytest
import yaml

from generator import export, feeds, regime as regimes
from generator.build import build_all
from generator.i18n import load_messages
from generator.model import Agency, CatalogEntry
from generator.render import fillable_forms
from generator.writer import BundleWriter
from tests.conftest import BUILD_DATE, MINIMAL_AGENCY, ROOT, build_options, write_agency

PAYLOADS = [
    "</title><script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "{{ 7*7 }}",
    "&amp;",
    "</title><script src=tep/x.pdf></script>",
]
NAME = f"{PAYLOADS[0]} {PAYLOADS[3]}"
SHORT_NAME = f"{PAYLOADS[1]} {PAYLOADS[2]}"
# The site's own scripts: theme and search files from the bundle's assets, and Material's JSON config.
ENTRY_DATES = "created: 2024-01-01, clause: a, forms: [portal], disclosed: 2024-01-02"
OWN_SCRIPT = re.compile(r"^(\./)?(\.\./)*(assets|pagefind)/[\w./-]+\.js$")


def _yaml_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def payload_agency(agencies: Path, agency_id: str = "so-thu", files: dict[str, bytes] | None = None) -> Path:
    """An agency whose name, short name, extra-page titles and catalog titles are all payloads;
    `files` (path → bytes) become its catalog entries' attachments, one per entry, in order."""
    names = list(files or {})
    text = MINIMAL_AGENCY.format(id=agency_id).replace(
        "name: Sở Thử nghiệm", f"name: {_yaml_string(NAME)}\nshort_name: {_yaml_string(SHORT_NAME)}")
    text += "pages:\n" + "".join(f"  - {{title: {_yaml_string(p)}, file: trang/p{i}.md}}\n"
                                  for i, p in enumerate(PAYLOADS))
    text += "catalog:\n" + "".join(
        f"  - {{id: e{i}, title: {_yaml_string(p)}, {ENTRY_DATES}"
        + (f", file: {_yaml_string(names[i])}" if i < len(names) else "") + "}\n" for i, p in enumerate(PAYLOADS))
    path = write_agency(agencies, agency_id, text)
    (agencies / agency_id / "trang").mkdir(parents=True)
    for i in range(len(PAYLOADS)):
        (agencies / agency_id / "trang" / f"p{i}.md").write_text("Nội dung trang.\n", encoding="utf-8")
    for name, data in (files or {}).items():
        (agencies / agency_id / name).parent.mkdir(parents=True, exist_ok=True)
        (agencies / agency_id / name).write_bytes(data)
    return path


@pytest.fixture(scope="module")
def payload_site(tmp_path_factory) -> Path:
    agencies = tmp_path_factory.mktemp("payloads") / "agencies"
    payload_agency(agencies)
    out = agencies.parent / "site"
    build_all(build_options(agencies, out))
    return out


def _text(element: lxml.html.HtmlElement) -> str:
    return " ".join(element.text_content().split())


def _with_class(tree: lxml.html.HtmlElement, css_class: str, path: str = "//*") -> list[lxml.html.HtmlElement]:
    return tree.xpath(f"{path}[contains(concat(' ', normalize-space(@class), ' '), ' {css_class} ')]")


def _primary_nav(tree: lxml.html.HtmlElement) -> lxml.html.HtmlElement:
    return _with_class(tree, "md-nav--primary", "//nav")[0]


def _nav_labels(tree: lxml.html.HtmlElement) -> list[str]:
    return [_text(a) for a in _with_class(_primary_nav(tree), "md-nav__link", ".//a")]


def _inert_json_ld(script) -> bool:
    """The overview's schema.org block (issue 15): a data block of JSON with no character that could
    end it or start markup (generator/opendata.py script_json)."""
    if script.get("src") is not None or script.get("type") != "application/ld+json":
        return False
    text = script.text or ""
    json.loads(text)
    return not set(text) & set("<>&")


def _foreign_markup(path: Path) -> list[str]:
    """Scripts that are not the site's own, event handlers, and the payloads' <img>: none may exist."""
    tree = lxml.html.parse(str(path)).getroot()
    found = []
    for script in tree.iter("script"):
        own = (OWN_SCRIPT.match(script.get("src") or "")
               or (script.get("src") is None and script.get("type") == "application/json")
               or _inert_json_ld(script))
        if not own:
            found.append(lxml.html.tostring(script, encoding="unicode")[:80])
    found += [f"{e.tag}[{name}]" for e in tree.iter() if isinstance(e.tag, str)
              for name in e.attrib if name.startswith("on")]
    found += [f"img src={img.get('src')}" for img in tree.iter("img") if img.get("src") == "x"]
    return found


@pytest.mark.slow
def test_no_payload_becomes_markup_on_any_page(payload_site: Path):
    pages = sorted(payload_site.rglob("*.html"))
    assert len(pages) > 10
    problems = {p.relative_to(payload_site).as_posix(): _foreign_markup(p) for p in pages}
    assert {page: found for page, found in problems.items() if found} == {}


@pytest.mark.slow
@pytest.mark.parametrize("index", range(len(PAYLOADS)))
def test_an_extra_page_shows_its_payload_title_as_text(payload_site: Path, index: int):
    tree = lxml.html.parse(str(payload_site / "so-thu" / "trang" / f"p{index}.html")).getroot()
    title = PAYLOADS[index]
    assert tree.findtext(".//title") == f"{title} - {SHORT_NAME}"
    assert _text(tree.find(".//h1")) == title
    assert _text(_with_class(tree, "md-header__topic")[1]) == title
    assert title in _nav_labels(tree)


@pytest.mark.slow
def test_the_agency_names_show_as_text_in_title_header_and_portal(payload_site: Path):
    tree = lxml.html.parse(str(payload_site / "so-thu" / "index.html")).getroot()
    assert tree.findtext(".//title") == SHORT_NAME
    assert _text(_with_class(tree, "md-header__topic")[0]) == SHORT_NAME
    assert {a.get("title") for a in _with_class(tree, "md-logo", "//a")} == {SHORT_NAME}
    assert _text(_with_class(_primary_nav(tree), "md-nav__title", "./label")[0]) == SHORT_NAME
    portal = lxml.html.parse(str(payload_site / "index.html")).getroot()
    assert NAME in [_text(a) for a in portal.iter("a")]


@pytest.mark.slow
def test_catalog_titles_show_as_text(payload_site: Path):
    tree = lxml.html.parse(str(payload_site / "so-thu" / "danh-muc-cong-khai.html")).getroot()
    for i, title in enumerate(PAYLOADS):
        assert _text(tree.get_element_by_id(f"e{i}").find("th")) == title


MATERIAL_TEMPLATES = Path(material.__file__).parent / "templates"
# `| striptags` unescapes and `| e` escapes again what build.py has already escaped. Each Material
# template doing either to a title is overridden in theme/, or reviewed here as harmless.
UNESCAPING = re.compile(r"\{\{[^}]*\b(title|site_name)\b[^}]*\|\s*(striptags|e|escape)\b")
REVIEWED = {
    "base.html": "its htmltitle block is replaced in theme/main.html",
    "partials/footer.html": "only with the navigation.footer feature, which mkdocs.yml leaves off",
    "partials/social.html": "only with extra.social, which tiepcan never sets",
    "partials/toc-item.html": "striptags then e: a heading's HTML becomes its text, escaped once",
    "partials/toc.html": "the title is Material's own word for the table of contents",
}


def test_every_material_template_that_re_escapes_a_title_is_overridden_or_harmless():
    found = set()
    for template in MATERIAL_TEMPLATES.rglob("*.html"):
        name = template.relative_to(MATERIAL_TEMPLATES).as_posix()
        override = ROOT / "theme" / name
        if UNESCAPING.search((override if override.exists() else template).read_text(encoding="utf-8")):
            found.add(name)
    assert found <= set(REVIEWED), found - set(REVIEWED)
    assert "{% block htmltitle %}" in (ROOT / "theme" / "main.html").read_text(encoding="utf-8")
    config = yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=yaml.BaseLoader)
    assert "navigation.footer" not in config["theme"]["features"] and "social" not in config["extra"]


# The second is typed on a Mac (NFD: "e", then the combining accents).
ODD_NAMES = ["files/Quyết định 1#2 50% a&b.pdf", "files/quye\u0302\u0301t-dinh.pdf"]


@pytest.fixture(scope="module")
def odd_names_site(tmp_path_factory) -> Path:
    agencies = tmp_path_factory.mktemp("names") / "agencies"
    text = MINIMAL_AGENCY.format(id="so-thu")
    text += f"regulation: {{title: Quy chế, file: {_yaml_string(ODD_NAMES[0])}}}\n"
    text += "catalog:\n" + "".join(f"  - {{id: e{i}, title: Văn bản, {ENTRY_DATES}, file: {_yaml_string(name)}}}\n"
                                    for i, name in enumerate(ODD_NAMES))
    write_agency(agencies, "so-thu", text)
    for name in ODD_NAMES:
        (agencies / "so-thu" / name).parent.mkdir(parents=True, exist_ok=True)
        (agencies / "so-thu" / name).write_bytes(b"%PDF-1.4\n%%EOF\n")
    out = agencies.parent / "site"
    build_all(build_options(agencies, out, site_url="https://stp.example.gov.vn/tctt/"))
    return out / "so-thu"


def _attachment_file(bundle: Path, url_path: str) -> Path:
    """The file a server sends for a percent-encoded path relative to the bundle."""
    assert "#" not in url_path and " " not in url_path and "?" not in url_path, url_path
    return bundle / unquote(url_path)


@pytest.mark.slow
@pytest.mark.parametrize("page", ["danh-muc-cong-khai.html", "quy-che-noi-bo.html"])
def test_attachment_links_on_pages_reach_their_file_whatever_its_name(odd_names_site: Path, page: str):
    tree = lxml.html.parse(str(odd_names_site / page)).getroot()
    links = [a.get("href") for a in tree.iter("a") if (a.get("href") or "").startswith("tep/")]
    assert len(links) == (2 if page.startswith("danh-muc") else 1)
    for link in links:
        assert _attachment_file(odd_names_site, link).is_file(), link


@pytest.mark.slow
def test_attachment_links_in_the_csv_and_json_copies_reach_their_file(odd_names_site: Path):
    prefix = "https://stp.example.gov.vn/tctt/so-thu/"
    entries = json.loads((odd_names_site / "catalog.json").read_text(encoding="utf-8"))["entries"]
    rows = _csv_rows(odd_names_site / "catalog.csv")
    in_csv = [cell for row in rows[1:] for cell in row if cell.startswith(prefix + "tep/")]
    for link in [entry["file"] for entry in entries] + in_csv:
        assert link.startswith(prefix)
        assert _attachment_file(odd_names_site, link.removeprefix(prefix)).is_file(), link
    assert len(in_csv) == 2
    assert (odd_names_site / "tep" / unicodedata.normalize("NFC", ODD_NAMES[1])).is_file()


def _exported_agency(entry: dict, **injected: str) -> Agency:
    """A valid agency with one catalog entry, then text set past validation (as a bug upstream could)."""
    data = yaml.safe_load(MINIMAL_AGENCY.format(id="so-thu"))
    data["catalog"] = [{"id": "e0", "title": "Văn bản", "created": dt.date(2024, 1, 1), "clause": "a",
                        "forms": ["portal"], "disclosed": dt.date(2024, 1, 2), **entry}]
    agency = Agency.model_validate(data)
    entry_fields = {k: v for k, v in injected.items() if k in CatalogEntry.model_fields}
    agency_fields = {k: v for k, v in injected.items() if k not in entry_fields}
    return agency.model_copy(update={**agency_fields, "catalog": [agency.catalog[0].model_copy(update=entry_fields)]})


def _context(agency: Agency, site_url: str | None = None) -> export.ExportContext:
    return export.ExportContext(agency, regimes.select(BUILD_DATE, None).data, load_messages("vi"), site_url)


def _csv_rows(path: Path) -> list[list[str]]:
    """Read back as a spreadsheet would: bytes as written, a CR inside a cell kept."""
    return list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig"), newline="")))


# Cells a spreadsheet would run: the last two cannot come through validation (text is stripped).
FORMULAS = {"title": '=HYPERLINK("http://evil.example","Bấm")', "number": "+1+1", "issuer": "-2+3",
            "summary": "@SUM(A1:A9)", "unit": "\t=1+1", "location": "\r=cmd|' /C calc'!A0"}


def test_no_csv_cell_can_run_as_a_formula_and_json_keeps_the_text(tmp_path: Path):
    agency = _exported_agency({}, **FORMULAS)
    export.write_catalog(BundleWriter(tmp_path), _context(agency))
    header, row = _csv_rows(tmp_path / "catalog.csv")
    cells = dict(zip([key for key, _ in export._csv_columns(_context(agency))], row))
    assert {key: cells[key] for key in FORMULAS} == {key: "'" + value for key, value in FORMULAS.items()}
    assert not [cell for cell in header + row if cell.startswith(("=", "+", "-", "@", "\t", "\r"))]
    [entry] = json.loads((tmp_path / "catalog.json").read_text(encoding="utf-8"))["entries"]
    assert {key: entry[key] for key in FORMULAS} == FORMULAS


def test_ordinary_csv_cells_are_left_alone(tmp_path: Path):
    agency = _exported_agency({"title": "Kế hoạch 305", "number": "305/KH-UBND",
                               "summary": "Tỷ lệ -5% so với năm trước"})
    export.write_catalog(BundleWriter(tmp_path), _context(agency))
    _, row = _csv_rows(tmp_path / "catalog.csv")
    assert {"Kế hoạch 305", "305/KH-UBND", "Tỷ lệ -5% so với năm trước"} <= set(row)


# Characters XML 1.0 cannot carry, even as references: C0 controls, a lone surrogate, U+FFFE.
NOT_XML = "\x00\x08\x0b\x0c\x1f\ud800\ufffe"


def test_the_feed_stays_well_formed_whatever_the_text(tmp_path: Path):
    agency = _exported_agency({"number": "305/KH"}, name=f"Sở{NOT_XML} Thử", title=f"Kế{NOT_XML} hoạch",
                              summary=f"Tóm{NOT_XML} tắt")
    site = tmp_path / "site"
    feeds.write_bundle(BundleWriter(site / agency.id), agency, BUILD_DATE, load_messages("vi"), "https://stp.example.gov.vn/")
    atom = "{http://www.w3.org/2005/Atom}"
    feed = ET.parse(site / "so-thu" / feeds.FEED).getroot()
    assert feed.findtext(f"{atom}author/{atom}name") == "Sở Thử"
    assert feed.findtext(f"{atom}entry/{atom}title") == "305/KH: Kế hoạch"
    assert feed.findtext(f"{atom}entry/{atom}summary") == "Tóm tắt"


def test_the_sitemap_index_stays_well_formed_whatever_the_ids():
    agency = _exported_agency({}, id=f"so{NOT_XML}-thu")
    index = ET.fromstring(feeds.sitemap_index("https://stp.example.gov.vn/", [agency], BUILD_DATE))
    namespace = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
    assert [loc.text for loc in index.iter(f"{namespace}loc")] == [
        "https://stp.example.gov.vn/sitemap.xml", "https://stp.example.gov.vn/so-thu/sitemap.xml"]


def test_word_forms_are_written_whatever_the_agency_name():
    context = _context(_exported_agency({}, name=f"Sở{NOT_XML} Thử"))
    for form in fillable_forms(context.regime).values():
        document = docx.Document(io.BytesIO(export.form_docx(form, context)))
        assert any(p.text.endswith(": Sở Thử") for p in document.paragraphs)


CORPUS = ROOT / "tests" / "corpus"


def _valid_corpus_cases() -> list[Path]:
    return [folder / name for folder in (CORPUS / "payloads", CORPUS / "attachments")
            for name, outcome in yaml.safe_load((folder / "expect.yaml").read_text(encoding="utf-8")).items()
            if outcome.get("valid")]


@pytest.mark.slow
def test_the_valid_hostile_corpus_builds_to_inert_pages_and_working_links(tmp_path: Path):
    agencies = tmp_path / "agencies"
    agencies.mkdir()
    for case in _valid_corpus_cases():
        shutil.copyfile(case, agencies / case.name)
        if (case.parent / case.stem).is_dir():
            shutil.copytree(case.parent / case.stem, agencies / case.stem)
    build_all(build_options(agencies, tmp_path / "site"))
    for case in _valid_corpus_cases():
        bundle = tmp_path / "site" / case.stem
        problems = {p.relative_to(bundle).as_posix(): _foreign_markup(p) for p in bundle.rglob("*.html")}
        assert {page: found for page, found in problems.items() if found} == {}, case.name
        links = [a.get("href") for p in bundle.glob("*.html") for a in lxml.html.parse(str(p)).getroot().iter("a")
                 if (a.get("href") or "").startswith("tep/")]
        assert all(_attachment_file(bundle, link).is_file() for link in links), links
        cells = [cell for row in _csv_rows(bundle / "catalog.csv") for cell in row]
        assert not [cell for cell in cells if cell.startswith(("=", "+", "-", "@"))], case.name
