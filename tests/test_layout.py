"""The layout registry is the one place that names a page (issue 11): modules and templates ask it."""

from __future__ import annotations

import re
from pathlib import Path

from generator import layout

GENERATOR = Path(__file__).resolve().parent.parent / "generator"
KINDS = (*layout.BUNDLE_PAGES, layout.ENGLISH, layout.FORM, layout.EXTRA, *layout.PORTAL_PAGES)
# Slugs that are also ordinary words ("index" is Pagefind's folder too): only their file names are looked for.
_WORDS = {"index", "english"}


def _names(slug: str) -> list[str]:
    if "{" in slug:  # a pattern: its fixed part followed by a placeholder
        return [slug.split("{", 1)[0] + "{"]
    stem = slug
    names = [f"{stem}.html", f"{stem}.md"]
    return names if stem in _WORDS else [*names, f'"{stem}"']


def test_each_page_slug_is_spelled_once_in_the_python_code():
    sources = {p: p.read_text(encoding="utf-8") for p in sorted(GENERATOR.rglob("*.py"))}
    for slug in sorted({kind.slug for kind in KINDS}):
        for name in _names(slug):
            found = {p.name: text.count(name) for p, text in sources.items() if name in text}
            if name.startswith('"'):
                assert found == {"layout.py": 1}, f"{name} outside the registry: {found}"
            else:
                assert set(found) <= {"layout.py"}, f"{name} outside the registry: {found}"


def test_templates_name_no_page_file():
    page_file = re.compile(r'href="(?!https?:|mailto:|#|\{)[^"{]*\.(?:html|docx)')
    for template in sorted((GENERATOR / "templates").rglob("*.j2")):
        assert not page_file.findall(template.read_text(encoding="utf-8")), template.name


def test_every_compliance_part_lives_on_one_page():
    parts = [part for kind in (*layout.BUNDLE_PAGES, layout.ENGLISH) for part, _ in kind.parts]
    assert len(parts) == len(set(parts))
    assert layout.part_link("contact_people") == layout.page_url("contact") + "#nguoi-dau-moi"


def test_bundle_url():
    assert layout.bundle_url(None, "x") is None
    assert layout.bundle_url("https://a.example/s", "x") == "https://a.example/s/x/"
    assert layout.bundle_url("https://a.example/s/") == "https://a.example/s/"
