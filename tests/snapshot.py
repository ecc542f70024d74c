"""The demo as a reader meets it: per built HTML page, its visible text, links and anchors.

Taken before the page-model refactor (issue 11) and compared after it: markup may change, what a
reader sees and follows may not. Refresh deliberately with `python -m tests.snapshot` after a
change meant to alter the demo's text, links or anchors.
"""

from __future__ import annotations

import json
import re
import sys
import tempfile
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SNAPSHOT = ROOT / "tests" / "data" / "demo_snapshot.json"
_HIDDEN = {"script", "style", "template", "head", "title"}  # not shown as page text
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)  # entities decoded
        self.text: list[str] = []
        self.links: list[str] = []
        self.anchors: list[str] = []
        self._hidden = 0

    def _attributes(self, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name == "href" and value is not None:
                self.links.append(value)
            elif name == "id" and value is not None:
                self.anchors.append(value)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._attributes(attrs)
        if tag in _HIDDEN:
            self._hidden += 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._attributes(attrs)  # a self-closed element opens nothing to hide

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN and self._hidden:
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.text.append(data)


def page_snapshot(html: str) -> dict[str, Any]:
    reader = _Reader()
    reader.feed(html)
    reader.close()
    return {"text": re.sub(r"\s+", " ", " ".join(reader.text)).strip(), "links": reader.links,
            "anchors": reader.anchors}


def site_snapshot(site: Path) -> dict[str, dict[str, Any]]:
    # bao-cao/: the supervision report (issue 14), new since the snapshot; tests/test_report*.py check it
    return {p.relative_to(site).as_posix(): page_snapshot(p.read_text(encoding="utf-8"))
            for p in sorted(site.rglob("*.html")) if p.relative_to(site).parts[0] != "bao-cao"}


def build_demo(out: Path) -> Path:
    """The demo as tests/conftest.py builds it (same agencies, build date and site URL)."""
    from tests.conftest import AGENCIES, DEMO_SITE_URL, build_options
    from generator.build import build_all

    build_all(build_options(AGENCIES, out, site_url=DEMO_SITE_URL))
    return out


def main() -> None:
    with tempfile.TemporaryDirectory() as work:
        snapshot = site_snapshot(build_demo(Path(work) / "site"))
    SNAPSHOT.write_text(json.dumps(snapshot, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"{SNAPSHOT.relative_to(ROOT)}: {len(snapshot)} pages", file=sys.stderr)


if __name__ == "__main__":
    main()
