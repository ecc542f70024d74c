"""Fast tier: every page kind of the layout rendered without MkDocs, each carrying its agency's content."""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path

import pytest

from generator import layout
from generator import regime as regimes
from generator.i18n import load_messages
from generator.render import AgencyRenderer, RenderedPage, fillable_forms
from generator.validate import check_paths
from tests.conftest import AGENCIES, BUILD_DATE, ROOT

FULL = "bo-mau"  # the demo agency with every field filled in


@pytest.fixture(scope="module")
def rendered() -> tuple[dict[str, RenderedPage], object, dict]:
    result = check_paths([AGENCIES], regimes.regime_ids())
    sources = {a.model.id: a for a in result.usable}
    source = sources[FULL]
    regime = regimes.select(BUILD_DATE, source.model.regime)
    bundle = AgencyRenderer(load_messages("vi"), ROOT / "content", BUILD_DATE).render(
        source, regime, {a: s.model.name for a, s in sources.items()})
    return {page.path: page for page in bundle.pages()}, source.model, regime.data


def _text(pages: dict[str, RenderedPage], path: str) -> str:
    assert path in pages, f"{path} was not rendered"
    return unescape(str(pages[path].body))


def test_every_section_page_kind_is_rendered_with_its_title(rendered):
    pages, agency, _ = rendered
    messages = load_messages("vi")
    for kind in (*layout.BUNDLE_PAGES, layout.ENGLISH):
        page = pages[kind.url]
        assert page.title == messages.text(kind.title), kind.key
        if kind is layout.ENGLISH:  # titled in English inside the page; the navigation title is Vietnamese
            assert 'lang="en"' in page.body and page.heading.startswith("Contact point")
            continue
        assert page.heading == (agency.name if kind.key == "overview" else messages.text(kind.title)), kind.key
        assert page.indexed == kind.indexed


def test_each_page_kind_carries_its_content(rendered):
    pages, agency, regime = rendered
    catalog_page = _text(pages, layout.page_url("catalog"))
    assert all(f'id="{entry.id}"' in catalog_page and entry.title in catalog_page for entry in agency.catalog)
    conditional = _text(pages, layout.page_url("conditional_catalog"))
    assert all(entry.title in conditional for entry in agency.conditional_catalog)
    assert agency.contact_point.request_email in _text(pages, layout.page_url("contact"))
    assert agency.regulation.title in _text(pages, layout.page_url("regulation"))
    statistics = _text(pages, layout.page_url("statistics"))
    assert all(str(row.year) in statistics for row in agency.statistics)
    forms = _text(pages, layout.page_url("forms"))
    for form_id, form in fillable_forms(regime).items():
        assert form.code in forms
        assert form.title in _text(pages, f"{layout.form_slug(form_id)}.html")
    for extra in agency.pages:
        assert extra.title in _text(pages, f"{layout.extra_slug(Path(extra.file).stem)}.html")
    assert (agency.name_en or agency.name) in _text(pages, layout.ENGLISH.url)
    assert any(path.startswith(f"{layout.SHARED_PAGES}/") for path in pages)


def test_headings_and_search_text_come_from_the_page_itself(rendered):
    pages, agency, _ = rendered
    contact = pages[layout.page_url("contact")]
    anchors = [h.anchor for h in contact.headings]
    assert anchors[0] == layout.page("contact").slug and {"dau-moi", "nguoi-dau-moi", "thoi-han"} <= set(anchors)
    assert contact.text.startswith(contact.heading)
    catalog_page = pages[layout.page_url("catalog")]
    # catalog rows are records of their own: the page's text leaves its tables out
    assert not any(entry.title in catalog_page.text for entry in agency.catalog if entry.title not in contact.text)
    form = next(p for path, p in pages.items() if path.startswith("mau-0"))
    assert "tc-form-heading" not in [h.anchor for h in form.headings]  # a form's own title is not a page part


def test_guides_link_to_built_pages_not_to_markdown_files(rendered):
    pages, _, _ = rendered
    guide = next(p for path, p in pages.items() if path.startswith(f"{layout.SHARED_PAGES}/"))
    assert f'href="../{layout.page_url("catalog")}"' in guide.body and '.md"' not in guide.body


def test_a_catalog_cell_starts_with_what_it_says_not_with_a_line_break(rendered):
    pages, agency, _ = rendered
    body = str(pages[layout.page_url("catalog")].body)
    bare = [e.id for e in agency.catalog if not (e.location or e.url or e.file)]
    assert bare, "the demo has entries with no place, link or file: their cell holds only the report link"
    assert not re.search(r"<td[^>]*>\s*<br>", body)
    for entry_id in bare:
        row = re.search(rf'<tr id="{re.escape(entry_id)}"[^>]*>.*?</tr>', body, re.S)
        assert row and '<a class="tc-report"' in row.group(), entry_id
