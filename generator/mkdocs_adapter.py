"""The only module that knows MkDocs and Material: a prepared docs folder + config → a built site
folder, and what other stages need from the pages it built (their text, for the search index).

Swapping the builder (ProperDocs has the same API; Zensical reads the same mkdocs.yml) is a
change here and in theme/, nowhere else (tests/test_adapter_door.py). A failure is reported as
the neutral diagnostics.BuildFailed.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")  # Material's banner about MkDocs 2 is noise in our output

from mkdocs.commands.build import build as _mkdocs_build  # noqa: E402
from mkdocs.config import load_config  # noqa: E402
from mkdocs.exceptions import Abort, MkDocsException  # noqa: E402

from generator.diagnostics import BuildFailed  # noqa: E402


@dataclass(frozen=True)
class BuildSpec:
    base_config: Path
    docs_dir: Path
    site_dir: Path
    site_name: str
    nav: list[dict[str, Any]]
    site_url: str | None = None
    extra: dict[str, Any] | None = None
    build_date: dt.date | None = None  # MkDocs dates the sitemap (and its .gz) by SOURCE_DATE_EPOCH, else by today


# The messages MkDocs logs during the current build (per thread or task: builds may run side by side).
_messages: contextvars.ContextVar[list[str] | None] = contextvars.ContextVar("mkdocs_messages", default=None)


class _Collect(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        messages = _messages.get()
        if messages is not None:
            messages.append(record.getMessage())


def _configure_logging() -> None:
    """Once per process: MkDocs' warnings go to the build that caused them, not to the terminal."""
    logger = logging.getLogger("mkdocs")
    logger.addHandler(_Collect(logging.WARNING))
    logger.setLevel(logging.WARNING)
    logger.propagate = False


_configure_logging()


@contextmanager
def _source_date(day: dt.date | None) -> Iterator[None]:
    """SOURCE_DATE_EPOCH = the build date for the duration of one build: same inputs, same bytes."""
    previous = os.environ.get("SOURCE_DATE_EPOCH")
    if day is not None:
        os.environ["SOURCE_DATE_EPOCH"] = str(int(dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC).timestamp()))
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
        else:
            os.environ["SOURCE_DATE_EPOCH"] = previous


@contextmanager
def _captured_logs() -> Iterator[list[str]]:
    messages: list[str] = []
    token = _messages.set(messages)
    try:
        yield messages
    finally:
        _messages.reset(token)


def build(spec: BuildSpec) -> None:
    with _captured_logs() as logs, _source_date(spec.build_date):
        try:
            config = load_config(
                config_file=str(spec.base_config),
                docs_dir=str(spec.docs_dir),
                site_dir=str(spec.site_dir),
                site_name=spec.site_name,
                site_url=spec.site_url,
                nav=spec.nav,
            )
            config.extra.update(spec.extra or {})
            if config.extra.get("brand_color"):
                _write_brand_stylesheet(spec.docs_dir, config.extra["brand_color"])
            _mkdocs_build(config)
        except (Abort, MkDocsException) as error:
            raise BuildFailed(logs + [str(error)]) from None
    if logs:  # strict mode aborts on warnings already; anything logged is still a failure
        raise BuildFailed(logs)


def _write_brand_stylesheet(docs_dir: Path, color: str) -> None:
    """The header in the agency's colour, as a file: pages carry no inline style (strict CSP).
    theme/main.html links it when extra.brand_color is set."""
    target = docs_dir / "assets" / "brand.css"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(
        f".md-header,.md-tabs{{background-color:{color}}}\n"
        "@media screen and (max-width:76.234375em){.md-nav--primary .md-nav__title[for=__drawer]"
        f"{{background-color:{color}}}}}\n",
        encoding="utf-8",
    )


class _ArticleText(HTMLParser):
    """The readable text of a built page's article: title, and body without tables (catalog rows are
    records of their own) or Material's permalink glyphs."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.depth = 0  # inside <article> when > 0
        self.skip = 0
        self.title: list[str] = []
        self.in_h1 = False
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = dict(attrs).get("class") or ""
        if tag == "article":
            self.depth += 1
        elif self.depth and (self.skip or tag in {"table", "script", "style"} or "headerlink" in classes):
            self.skip += 1 if tag not in {"br", "img", "input", "meta", "hr", "wbr"} else 0
        if self.depth and tag == "h1":
            self.in_h1 = True
        if self.depth and tag in {"p", "li", "h1", "h2", "h3", "h4", "td", "th", "br", "div"}:
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag == "article":
            self.depth -= 1
        elif self.skip:
            self.skip -= 1
        if tag == "h1":
            self.in_h1 = False

    def handle_data(self, data: str) -> None:
        if self.depth and not self.skip:
            self.parts.append(data)
            if self.in_h1:
                self.title.append(data)


def page_texts(site_dir: Path) -> dict[str, tuple[str, str]]:
    """Title and readable text (whitespace collapsed) of every page built into `site_dir`, by its
    site-relative path; the theme's own assets left out."""
    texts = {}
    for page in sorted(site_dir.rglob("*.html")):
        relative = page.relative_to(site_dir)
        if relative.parts[0] == "assets":
            continue
        reader = _ArticleText()
        reader.feed(page.read_text(encoding="utf-8"))
        texts[relative.as_posix()] = (
            " ".join(" ".join(reader.title).split()),
            " ".join(" ".join(reader.parts).split()),
        )
    return texts
