"""What a bundle's pages share is rendered once (generator/mkdocs_adapter.py, issue 12).

Material renders its whole navigation and looks up each of its strings through three nested macros on
every page. The adapter renders a navigation item once per bundle and page folder wherever it is neither
the page nor the section holding it, and looks each string up once. The pages stay byte for byte what
Material writes: the demo snapshot and every built page test check the output itself; these check the
rule the reuse follows.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from generator.mkdocs_adapter import SiteBuilder, _NavMemo

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Item:
    active: bool = False


@dataclass
class Page:
    url: str


class Render:
    def __init__(self) -> None:
        self.calls: list[tuple[str, int]] = []

    def __call__(self, item: Item, path: str, level: int, parent: Item | None) -> str:
        self.calls.append((path, level))
        return f"<li>{path} {len(self.calls)}</li>"


def test_an_item_that_is_not_the_page_is_rendered_once_per_folder():
    memo, render, item = _NavMemo(), Render(), Item()
    first = memo(render, item, "__nav_2", Page("index.html"))
    assert memo(render, item, "__nav_2", Page("danh-muc-cong-khai.html")) == first
    in_folder = memo(render, item, "__nav_2", Page("huong-dan/cach-yeu-cau.html"))  # links start one level down
    assert in_folder != first
    assert memo(render, item, "__nav_2", Page("huong-dan/mau.html")) == in_folder
    # Another folder at the same depth: the same base_url, but links into huong-dan/ differ.
    assert memo(render, item, "__nav_2", Page("trang/about-en.html")) not in (first, in_folder)
    assert render.calls == [("__nav_2", 1), ("__nav_2", 1), ("__nav_2", 1)]


def test_the_page_and_its_section_are_rendered_for_every_page():
    memo, render = _NavMemo(), Render()
    section = Item(active=True)
    memo(render, section, "__nav_3", Page("index.html"))
    memo(render, section, "__nav_3", Page("index.html"))
    memo(render, Item(), "__nav_3_1", Page("index.html"), 2, section)  # a child whose parent is open
    memo(render, Item(), "__nav_3_1", Page("index.html"), 2, Item())  # the same place, parent closed
    assert render.calls == [("__nav_3", 1), ("__nav_3", 1), ("__nav_3_1", 2), ("__nav_3_1", 2)]


def test_a_new_bundle_starts_afresh():
    memo, render, item = _NavMemo(), Render(), Item()
    memo(render, item, "__nav_1", Page("index.html"))
    memo.reset()
    memo(render, item, "__nav_1", Page("index.html"))
    assert len(render.calls) == 2


def test_material_strings_come_from_its_tables_then_english_then_the_key():
    builder = SiteBuilder(ROOT / "mkdocs.yml")
    try:
        translate = builder._env.globals["tc_translate"]
        assert translate("tabs") == "Thẻ"  # theme/partials/languages/custom.html fills Material's gap
        assert translate("action.skip") == "Bỏ qua"  # Material's Vietnamese table
        assert translate("language") == "vi"
        assert translate("no.such.string") == "no.such.string"
    finally:
        builder.close()
