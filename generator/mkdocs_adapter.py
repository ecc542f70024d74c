"""Stage 4 — build, the only module that knows MkDocs and Material: rendered pages → built pages.

It takes page values (generator/render.py) and writes each inside Material's page template, with
the navigation, table of contents and theme files, through the bundle's writer. MkDocs' own build
command is not run: its configuration, Material's template environment and the list of theme files
are prepared once per build (SiteBuilder) and reused for every bundle, no Markdown is converted
(the pages are HTML already), and no process state (environment, loggers) changes per bundle.
Swapping the builder (ProperDocs has the same API; Zensical reads the same mkdocs.yml) is a change
here and in theme/, nowhere else (tests/test_adapter_door.py). Failures are the neutral
diagnostics.BuildFailed.
"""

from __future__ import annotations

import contextvars
import copy
import datetime as dt
import fnmatch
import gzip
import html
import io
import logging
import os
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any

os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")  # Material's banner about MkDocs 2 is noise in our output

from mkdocs.commands.build import _build_template, get_context  # noqa: E402
from mkdocs.config import load_config  # noqa: E402
from mkdocs.config.defaults import MkDocsConfig  # noqa: E402
from mkdocs.exceptions import MkDocsException  # noqa: E402
from mkdocs.structure.files import File, Files  # noqa: E402
from mkdocs.structure.nav import Navigation, get_navigation  # noqa: E402
from mkdocs.structure.toc import get_toc  # noqa: E402

from generator.diagnostics import BuildFailed  # noqa: E402
from generator.render import COMPILED_TEMPLATES, Heading, NavSection, RenderedBundle, RenderedPage  # noqa: E402
from generator.writer import BundleWriter  # noqa: E402

STAGE = "theme"  # what the writer records for the files written here
# Material files this site never uses: its lunr search and search workers (tiepcan's search is
# Pagefind) and source maps (~2.2 MB of every bundle).
_UNUSED_THEME_FILES = ("assets/javascripts/lunr/*", "assets/javascripts/workers/*", "*.map")
# The theme's static files by what they follow from (its folders, static templates and file names):
# finding them filters every theme file through MkDocs' patterns, ~0.4 s a build in `tiepcan serve`.
_THEME_FILES: dict[tuple[Any, ...], list[tuple[str, str]]] = {}


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
def _captured_logs() -> Iterator[list[str]]:
    messages: list[str] = []
    token = _messages.set(messages)
    try:
        yield messages
    finally:
        _messages.reset(token)


def _source(page: RenderedPage) -> str:
    """The name MkDocs knows a page by: its Markdown source, which here is never read."""
    return page.path.removesuffix(".html") + ".md"


def _toc(headings: Sequence[Heading]) -> list[dict[str, Any]]:
    """Headings nested by level, as MkDocs' toc tokens (names HTML-escaped: Material writes them as they come)."""
    root: list[dict[str, Any]] = []
    stack: list[dict[str, Any]] = []
    for heading in headings:
        token = {"level": heading.level, "id": heading.anchor, "name": html.escape(heading.text), "children": []}
        while stack and stack[-1]["level"] >= heading.level:
            stack.pop()
        (stack[-1]["children"] if stack else root).append(token)
        stack.append(token)
    return root


class _NavMemo:
    """The navigation's items (theme/partials/nav.html's, and a section's in nav-item.html), each
    rendered once per bundle and page folder: an item that neither is nor holds the page being
    written is the same on every page whose links start from the same folder, and Material's
    navigation rendered again for every page was a third of a bundle's theme time. Reset for each
    bundle (the items are that bundle's)."""

    def __init__(self) -> None:
        self._made: dict[tuple[str, str, bool], str] = {}

    def reset(self) -> None:
        self._made.clear()

    def __call__(
        self, render: Callable[..., str], item: Any, path: str, page: Any, level: int = 1, parent: Any = None
    ) -> str:
        if page is None or item.active:  # the page itself, or a section holding it (toc, open toggle)
            return render(item, path, level, parent)
        # What mkdocs.utils.get_relative_url makes links relative to: the page's folder. (`path` names
        # the item's place in the navigation; a parent's state counts with navigation.tabs.)
        folder, _, name = page.url.rpartition("/")
        key = (path, folder if "." in name else page.url, bool(parent and parent.active))
        if key not in self._made:
            self._made[key] = render(item, path, level, parent)
        return self._made[key]


def _translator(env: Any, language: str) -> Callable[[str], str]:
    """Material's `lang.t(key)` (its partials/language.html, overridden in theme/) with each string
    looked up once: Material's three nested macros, each building its whole table again, ran ~20
    times on every page."""
    own = env.get_template(f"partials/languages/{language}.html").module
    fallback = env.get_template("partials/languages/en.html").module

    @cache
    def translate(key: str) -> str:
        return str(own.t(key)) or str(fallback.t(key)) or key

    return translate


def _nav_item(item: RenderedPage | NavSection) -> dict[str, Any]:
    # MkDocs renders templates without autoescaping: titles from YAML go in escaped, once.
    if isinstance(item, NavSection):
        return {html.escape(item.title): [_nav_item(page) for page in item.pages]}
    return {html.escape(item.title): _source(item)}


class SiteBuilder:
    """One theme configuration (mkdocs.yml), many bundles."""

    def __init__(self, base_config: Path, shared: Path | None = None):
        # `shared`: a folder already holding the theme files (the portal's): bundles hard-link them
        # from there, so each is on disk once per site, not once per bundle.
        self.shared = shared
        self._empty_docs = tempfile.TemporaryDirectory(prefix="tiepcan-docs-")  # MkDocs wants a docs_dir
        with _captured_logs() as logs:
            try:
                self._base = load_config(config_file=str(base_config), docs_dir=self._empty_docs.name)
            except (MkDocsException, OSError) as error:
                raise BuildFailed(logs + [str(error)]) from None
        if logs:
            raise BuildFailed(logs)
        self._base.plugins._current_plugin = "tiepcan"  # File.generated names its maker; no plugin runs here
        self._env = self._base.theme.get_env()  # compiled templates are cached here, across bundles
        self._env.bytecode_cache = COMPILED_TEMPLATES  # and across builds of this process
        self._nav_memo = _NavMemo()
        self._env.globals["tc_nav_memo"] = self._nav_memo
        self._env.globals["tc_translate"] = _translator(self._env, self._base.theme["language"])
        self._theme_files = self._list_theme_files()

    def close(self) -> None:
        self._empty_docs.cleanup()

    def _list_theme_files(self) -> list[tuple[str, str]]:
        """(path, theme folder) of every static theme file a bundle gets, found once per theme."""
        theme = self._base.theme
        key = (tuple(theme.dirs), tuple(theme.static_templates), tuple(self._env.list_templates()))
        if key not in _THEME_FILES:
            probe = Files([])
            probe.add_files_from_theme(self._env, self._base)
            if len(_THEME_FILES) >= 4:  # a long `tiepcan serve` with theme/ edited: only recent ones
                _THEME_FILES.clear()
            _THEME_FILES[key] = [
                (file.src_uri, file.src_dir)
                for file in sorted(probe, key=lambda f: f.src_uri)
                if file.src_dir is not None and not any(fnmatch.fnmatch(file.src_uri, p) for p in _UNUSED_THEME_FILES)
            ]
        return _THEME_FILES[key]

    def _config(
        self, bundle: RenderedBundle, site_url: str | None, site_dir: Path, extra: dict[str, Any]
    ) -> MkDocsConfig:
        config = copy.copy(self._base)
        config["site_name"] = html.escape(bundle.site_name)
        config["site_url"] = site_url
        config["site_dir"] = str(site_dir)
        config["nav"] = [_nav_item(item) for item in bundle.nav]
        config["extra"] = {**self._base.extra, **bundle.extra, **extra}
        return config

    def write_theme(self, writer: BundleWriter) -> None:
        """The theme files alone, ahead of the pages (`build(..., theme_written=True)` later): the
        portal's, which the bundles link to, before the portal's pages can be rendered."""
        for path, folder in self._theme_files:
            file = File(path, folder, str(writer.root), self._base.use_directory_urls)
            writer.copy(file.dest_uri, Path(folder) / path, STAGE)

    def build(
        self,
        bundle: RenderedBundle,
        site_url: str | None,
        writer: BundleWriter,
        extra: dict[str, Any],
        theme_written: bool = False,
    ) -> None:
        """The bundle's pages, theme files (unless `theme_written` by write_theme), attachments, 404 page
        and sitemap, written through `writer`."""
        with _captured_logs() as logs:
            try:
                self._build(bundle, site_url, writer, extra, theme_written)
            except MkDocsException as error:
                raise BuildFailed(logs + [str(error)]) from None
        if logs:  # anything MkDocs logs (a nav entry without a page, say) is a failure
            raise BuildFailed(logs)

    def _build(
        self,
        bundle: RenderedBundle,
        site_url: str | None,
        writer: BundleWriter,
        extra: dict[str, Any],
        theme_written: bool,
    ) -> None:
        config = self._config(bundle, site_url, writer.root, extra)
        self._nav_memo.reset()
        files = Files([File.generated(config, _source(page), content="") for page in bundle.pages()])
        for asset in bundle.assets:
            files.append(File.generated(config, asset.path, abs_src_path=str(asset.source)))
        if config.extra.get("brand_color"):
            files.append(
                File.generated(config, "assets/brand.css", content=_brand_stylesheet(config.extra["brand_color"]))
            )
        theme_files = set()
        for path, folder in self._theme_files:
            if files.get_file_from_path(path) is None:
                files.append(File(path, folder, str(writer.root), config.use_directory_urls))
                theme_files.add(path)
        nav = get_navigation(files, config)
        for value in bundle.pages():
            page = files.get_file_from_path(_source(value)).page  # type: ignore[union-attr]
            assert page is not None
            page.markdown, page.content = "", str(value.body)
            page.meta = {"description": html.escape(value.description)} if value.description else {}
            page.toc = get_toc(_toc(value.headings))  # type: ignore[arg-type]
            page.update_date = bundle.updated.isoformat() if bundle.updated else ""  # "": no <lastmod>
        for file in files:
            if file.is_documentation_page() or (theme_written and file.src_uri in theme_files):
                continue
            if file.abs_src_path is None:
                writer.write(file.dest_uri, file.content_bytes, STAGE)
            else:
                theme_file = self._shared_copy(file)
                if theme_file is not None:
                    writer.link(file.dest_uri, theme_file, STAGE)
                else:
                    writer.copy(file.dest_uri, Path(file.abs_src_path), STAGE)
        for name in sorted(config.theme.static_templates):
            self._static_template(name, files, config, nav, writer, bundle.updated)
        pages = files.documentation_pages()
        template = self._env.get_template("main.html")
        for file in pages:
            page = file.page
            assert page is not None
            config._current_page = page
            page.active = True
            try:
                output = template.render(get_context(nav, pages, config, page))
            finally:
                page.active = False
                config._current_page = None
            writer.write(file.dest_uri, output.encode("utf-8", errors="xmlcharrefreplace"), STAGE)

    def _shared_copy(self, file: File) -> Path | None:
        """The shared copy of a theme file, when there is one (attachments are never shared)."""
        if self.shared is None or file.generated_by is not None:
            return None
        copy = self.shared / file.dest_uri
        return copy if copy.is_file() and not copy.is_symlink() else None

    def _static_template(
        self,
        name: str,
        files: Files,
        config: MkDocsConfig,
        nav: Navigation,
        writer: BundleWriter,
        updated: dt.date | None,
    ) -> None:
        """The theme's own pages (404.html) and MkDocs' sitemap, with its .gz dated like the bundle."""
        output = _build_template(name, self._env.get_template(name), files, config, nav)
        if not output.strip():
            return  # the sitemap, when the site's address is unknown
        data = output.encode("utf-8")
        writer.write(name, data, STAGE)
        if name == "sitemap.xml":
            buffer = io.BytesIO()
            day = updated or dt.date(1970, 1, 1)  # gzip's "no time" when the bundle has no date
            stamp = int(dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC).timestamp())
            with gzip.GzipFile(fileobj=buffer, filename=name, mode="wb", mtime=stamp) as compressed:
                compressed.write(data)
            writer.write(f"{name}.gz", buffer.getvalue(), STAGE)


@contextmanager
def site_builder(base_config: Path) -> Iterator[SiteBuilder]:
    builder = SiteBuilder(base_config)
    try:
        yield builder
    finally:
        builder.close()


def _brand_stylesheet(color: str) -> str:
    """The header in the agency's colour, as a file: pages carry no inline style (strict CSP).
    theme/main.html links it when extra.brand_color is set."""
    return (
        f".md-header,.md-tabs{{background-color:{color}}}\n"
        "@media screen and (max-width:76.234375em){.md-nav--primary .md-nav__title[for=__drawer]"
        f"{{background-color:{color}}}}}\n"
    )
