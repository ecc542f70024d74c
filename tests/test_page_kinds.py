"""Fast tier: every page kind of the layout rendered without MkDocs, each carrying its agency's content."""

from __future__ import annotations

from html import unescape
from pathlib import Path

import pytest

from generator import layout
from generator import regime as regimes
from generator.i18n import load_messages
from generator.render import AgencyRenderer, fillable_forms
from generator.validate import check_paths
from tests.conftest import AGENCIES, BUILD_DATE, ROOT

FULL = "bo-mau"  # the demo agency with every field filled in


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> tuple[Path, object, dict]:
    result = check_paths([AGENCIES], regimes.regime_ids())
    sources = {a.model.id: a for a in result.usable}
    source = sources[FULL]
    regime = regimes.select(BUILD_DATE, source.model.regime)
    docs = tmp_path_factory.mktemp("docs")
    AgencyRenderer(load_messages("vi"), ROOT / "content", BUILD_DATE).render(
        source, regime, docs, {a: s.model.name for a, s in sources.items()})
    return docs, source.model, regime.data


def _text(docs: Path, source: str) -> str:
    path = docs / source
    assert path.is_file(), f"{source} was not rendered"
    return unescape(path.read_text(encoding="utf-8"))


def test_every_section_page_kind_is_rendered_with_its_title(rendered):
    docs, agency, _ = rendered
    messages = load_messages("vi")
    for kind in (*layout.BUNDLE_PAGES, layout.ENGLISH):
        text = _text(docs, kind.source)
        if kind is layout.ENGLISH:  # titled in English inside the page; the navigation title is Vietnamese
            assert 'lang="en"' in text and "\n# " in text
            continue
        heading = agency.name if kind.key == "overview" else messages.text(kind.title)
        assert f"# {heading}" in text, kind.key


def test_each_page_kind_carries_its_content(rendered):
    docs, agency, regime = rendered
    catalog_page = _text(docs, layout.page("catalog").source)
    assert all(f'id="{entry.id}"' in catalog_page and entry.title in catalog_page for entry in agency.catalog)
    conditional = _text(docs, layout.page("conditional_catalog").source)
    assert all(entry.title in conditional for entry in agency.conditional_catalog)
    assert agency.contact_point.request_email in _text(docs, layout.page("contact").source)
    assert agency.regulation.title in _text(docs, layout.page("regulation").source)
    statistics = _text(docs, layout.page("statistics").source)
    assert all(str(row.year) in statistics for row in agency.statistics)
    forms = _text(docs, layout.page("forms").source)
    for form_id, form in fillable_forms(regime).items():
        assert form["code"] in forms
        assert form["title"] in _text(docs, f"{layout.form_slug(form_id)}.md")
    for extra in agency.pages:
        assert extra.title in _text(docs, f"{layout.extra_slug(Path(extra.file).stem)}.md")
    assert (agency.name_en or agency.name) in _text(docs, layout.ENGLISH.source)
    assert any((docs / layout.SHARED_PAGES).glob("*.md"))
