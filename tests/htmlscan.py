"""A small HTML reader for tests: the references a page makes, and the text of elements."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

# (tag, attribute) pairs that make the browser fetch something when the page loads.
FETCHING = {("script", "src"), ("link", "href"), ("img", "src"), ("iframe", "src"), ("source", "src"),
            ("video", "src"), ("audio", "src"), ("embed", "src"), ("object", "data"), ("input", "src")}


@dataclass
class Page:
    fetched: list[str] = field(default_factory=list)  # URLs the page loads by itself
    links: list[str] = field(default_factory=list)  # <a href>
    ids: set[str] = field(default_factory=set)
    texts: dict[str, str] = field(default_factory=dict)  # element id → its text content
    lang: str | None = None
    nav_links: list[str] = field(default_factory=list)  # hrefs inside the primary navigation


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = Page()
        self._open: list[tuple[str, str | None]] = []  # (tag, id) of open elements with text capture
        self._nav_depth = 0
        self._stack: list[str] = []

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag == "html":
            self.page.lang = values.get("lang")
        for name, value in attrs:
            if value is not None and (tag, name) in FETCHING:
                if not (tag == "link" and {"canonical", "alternate"} & set((values.get("rel") or "").split())):
                    self.page.fetched.append(value)
        if tag == "a" and values.get("href") is not None:
            self.page.links.append(values["href"])
            if self._nav_depth:
                self.page.nav_links.append(values["href"])
        if tag == "nav" and "md-nav--primary" in (values.get("class") or ""):
            self._nav_depth = 1
        elif self._nav_depth and tag not in ("br", "img", "input", "meta", "link", "hr"):
            self._nav_depth += 1
        if values.get("id"):
            self.page.ids.add(values["id"])
            self.page.texts[values["id"]] = ""
        if tag not in ("br", "img", "input", "meta", "link", "hr", "wbr", "source"):
            self._open.append((tag, values.get("id")))

    def handle_endtag(self, tag):
        if self._nav_depth and tag not in ("br", "img", "input", "meta", "link", "hr"):
            self._nav_depth -= 1
        while self._open:
            open_tag, _ = self._open.pop()
            if open_tag == tag:
                break

    def handle_data(self, data):
        for _, element_id in self._open:
            if element_id:
                self.page.texts[element_id] += data


def read(path: Path) -> Page:
    reader = _Reader()
    reader.feed(path.read_text(encoding="utf-8"))
    return reader.page
