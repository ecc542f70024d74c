"""Issue 15: an agency's own pages and description may be in another language; they carry its lang
attribute (a screen reader switches voice) and the overview lists them. Rendered without MkDocs."""

from __future__ import annotations

import datetime as dt
import re
import textwrap
from html import unescape

from generator import layout
from generator import regime as regimes
from generator.i18n import load_messages
from generator.model import LANGUAGES
from generator.render import AgencyRenderer
from generator.validate import check_paths
from tests.conftest import MINIMAL_AGENCY, ROOT, write_agency

BUILD_DATE = dt.date(2026, 3, 1)


def _agency(tmp_path, extra: str):
    folder = tmp_path / "agencies"
    write_agency(folder, "so-thu", MINIMAL_AGENCY.format(id="so-thu") + textwrap.dedent(extra))
    pages = folder / "so-thu" / "pages"
    pages.mkdir(parents=True, exist_ok=True)
    for name, text in {"km.md": "សេចក្តីណែនាំ", "hmn.md": "Kev qhia", "vi.md": "Giới thiệu"}.items():
        (pages / name).write_text(text, encoding="utf-8")
    return check_paths([folder], regimes.regime_ids())


PAGES = """\
    description: "Kev qhia txog lub chaw haujlwm."
    description_lang: hmn
    pages:
      - {title: "ការណែនាំ", file: pages/km.md, lang: km}
      - {title: "Kev qhia", file: pages/hmn.md, lang: hmn}
      - {title: "Giới thiệu", file: pages/vi.md}
    """


def test_pages_in_another_language_carry_it_and_the_overview_lists_them(tmp_path):
    result = _agency(tmp_path, PAGES)
    assert result.ok, [str(d) for d in result.diagnostics]
    source = result.usable[0]
    bundle = AgencyRenderer(load_messages("vi"), ROOT / "content", BUILD_DATE).render(
        source, regimes.select(BUILD_DATE, None), {})
    pages = {page.path: str(page.body) for page in bundle.pages()}
    assert '<div class="tc-page-lang" lang="km">' in pages[f"{layout.extra_slug('km')}.html"]
    assert '<div class="tc-page-lang" lang="hmn">' in pages[f"{layout.extra_slug('hmn')}.html"]
    assert 'lang="' not in pages[f"{layout.extra_slug('vi')}.html"].split("<h1")[0], "Vietnamese is the page's own"
    overview = pages[layout.page_url("overview")]
    assert '<div class="tc-description" lang="hmn">' in overview
    listed = re.findall(r'<li><a href="([^"]+)" hreflang="([^"]+)"><span lang="\2">([^<]+)</span></a> \(([^)]+)\)',
                        overview)
    assert [(href, code, unescape(name)) for href, code, _, name in listed] == [
        ("trang/km.html", "km", "Tiếng Khmer"),
        ("trang/hmn.html", "hmn", "Tiếng H'Mông"),
        ("english.html", "en", "Tiếng Anh"),
    ]


def test_an_unknown_language_code_is_refused_with_the_known_ones(tmp_path):
    result = _agency(tmp_path, PAGES.replace("lang: km}", "lang: khmer}"))
    assert not result.ok
    [message] = [d.format(load_messages("vi")) for d in result.diagnostics]
    assert "pages[0].lang" in message and "“khmer”" in message and "km" in message and "Cách sửa" in message


def test_the_language_list_has_the_seeds_languages():
    assert {"vi", "en", "km", "hmn", "rad"} <= set(LANGUAGES)
    assert all(re.fullmatch(r"[a-z]{2,3}", code) for code in LANGUAGES)
