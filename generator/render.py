"""Stage 3 — render: a valid Agency and its legal regime → its pages, as values.

Each page is a `RenderedPage`: where it goes, its title, its article as HTML, its headings and its
readable text (for search). Templates are HTML, rendered by Jinja with HTML escaping (html_text):
text from YAML, messages and regime text are escaped once, for HTML, and nowhere else. Only fields
documented as Markdown (an agency's description and its own pages) go through `markdown`, which
renders them and then sanitizes the HTML with an allow-list; the shared guides in content/ are
trusted Markdown. Nothing here writes a file: stage 4 hands the pages to the site builder.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jinja2
import lxml.html
import markdown as markdown_lib
import nh3
from markupsafe import Markup

from generator import attachments, chart, compliance, deadlines, layout
from generator.i18n import Messages
from generator.model import LANGUAGES, Agency, CatalogEntry, ConditionalEntry, YearStatistics
from generator.regime import Form, Regime, RegimeData
from generator.validate import AgencySource

TEMPLATES = Path(__file__).parent / "templates"
SEARCH_AGENCY_LIST_MAX = 300  # portal search: agencies listed in its agency filter, at most

_ALLOWED_TAGS = {
    "p",
    "br",
    "ul",
    "ol",
    "li",
    "a",
    "strong",
    "em",
    "b",
    "i",
    "code",
    "pre",
    "blockquote",
    "h2",
    "h3",
    "h4",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "hr",
}


def html_text(value: Any) -> Markup:
    """Literal text for HTML element content and double-quoted attributes (every template quotes
    attributes so: tests/test_escaping.py): the four characters those need escaped, nothing else,
    so page source reads as it is written. None is written as nothing."""
    if hasattr(value, "__html__"):
        return Markup(value)
    text = "" if value is None else str(value)
    return Markup(text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;"))


def sanitized_markdown(text: str) -> Markup:
    """A Markdown field: rendered, then cleaned to an allow-list (no script, no style, no javascript: links)."""
    html = markdown_lib.markdown(text, extensions=["sane_lists", "tables"], output_format="html")
    return Markup(
        nh3.clean(html, tags=_ALLOWED_TAGS, url_schemes={"http", "https", "mailto"}, link_rel="noopener noreferrer")
    )


def format_date(value: dt.date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


# ASCII a mailto: header value may carry as it is (RFC 6068's unreserved and delimiters, and the "/" and
# "?" the URL standard allows in a query); "+", "&", "=", "#", "%", spaces and controls are encoded. A
# letter beyond ASCII stays as it is, a URL code point (WHATWG URL: U+00A0 and up, neither surrogate nor
# noncharacter), which the browser encodes as UTF-8 when the link is followed: Vietnamese text then takes
# a third of the bytes its %XX%XX%XX form does.
_MAIL_ENCODED = re.compile(
    r"[^-A-Za-z0-9._~!$'()*,;:@/?\u00a0-\ud7ff\ue000-\ufdcf\ufdf0-\ufffd"
    + "".join(rf"\U{plane:04x}0000-\U{plane:04x}fffd" for plane in range(1, 17))
    + "]"
)


@functools.cache
def _mail_encoded(char: str) -> str:
    return quote(char, safe="")


def _mail_value(value: str) -> str:
    return _MAIL_ENCODED.sub(lambda match: _mail_encoded(match.group()), value)


def mailto(address: str, subject: str = "", body: str = "") -> str:
    query = "&".join(f"{k}={_mail_value(v)}" for k, v in (("subject", subject), ("body", body)) if v)
    return f"mailto:{address}" + (f"?{query}" if query else "")


@dataclass(frozen=True)
class Heading:
    level: int
    anchor: str  # the element's id
    text: str  # plain text


@dataclass(frozen=True)
class RenderedPage:
    """One page as a value: everything the site builder, the search index and the tests need of it."""

    path: str  # the built page, relative to its bundle (or the portal), e.g. layout.page_url("catalog")
    title: str  # the navigation title, plain text
    body: Markup  # the page's article, HTML
    headings: tuple[Heading, ...]  # in document order; the table of contents is built from them
    text: str  # readable text: the main heading, then the body without tables (rows are records of their own)
    indexed: bool = True  # gets a search record of its own
    description: str = ""  # plain text for search engines' snippets (<meta name="description">), from the data

    @property
    def heading(self) -> str:
        """The page's main heading as the reader sees it (its title in search results)."""
        return next((h.text for h in self.headings if h.level == 1), "")


@dataclass(frozen=True)
class NavSection:
    """A group in the navigation: its first page is the group's overview."""

    title: str
    pages: tuple[RenderedPage, ...]


@dataclass(frozen=True)
class Asset:
    """A file published as it is (an attachment), from the agency's folder."""

    path: str  # relative to the bundle
    source: Path


@dataclass(frozen=True)
class RenderedBundle:
    """What the build stage needs: the pages in navigation order, the files beside them, a few theme values."""

    site_name: str
    nav: tuple[RenderedPage | NavSection, ...]
    updated: dt.date | None  # the date its sitemap gives every page: a bundle's last change, if known
    assets: tuple[Asset, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)

    def pages(self) -> Iterator[RenderedPage]:
        for item in self.nav:
            yield from item.pages if isinstance(item, NavSection) else (item,)


# Left out of a page's readable text: tables (catalog rows are search records of their own), scripts.
_UNREAD = {"table", "script", "style", "template"}


def _read(body: str) -> tuple[str, tuple[Heading, ...]]:
    """A rendered body's readable text and headings (libxml2 parses; ~3× Python's HTMLParser). The
    headings are those with an id outside any <form>: a heading inside a form titles that form (it
    is its label), not a part of the page."""
    if not body.strip():
        return "", ()
    parts: list[str] = []
    headings: list[Heading] = []

    def walk(element: lxml.html.HtmlElement, forms: int) -> None:
        tag = element.tag
        if not isinstance(tag, str) or tag in _UNREAD:  # a comment, or a part left out
            return
        forms += tag == "form"
        anchor = element.get("id")
        if not forms and anchor and len(tag) == 2 and tag[0] == "h" and tag[1].isdigit():
            headings.append(Heading(int(tag[1]), anchor, " ".join(element.text_content().split())))
        if element.text:
            parts.append(element.text)
        for child in element:
            walk(child, forms)
            if child.tail:
                parts.append(child.tail)

    walk(lxml.html.fragment_fromstring(body, create_parent="div"), 0)
    return " ".join(" ".join(parts).split()), tuple(headings)


def page(path: str, title: str, body: str, indexed: bool = True) -> RenderedPage:
    """A page value from its rendered article."""
    text, headings = _read(body)
    return RenderedPage(path, title, Markup(body), headings, text, indexed)


class _CompiledTemplates(jinja2.BytecodeCache):
    """Compiled templates kept in memory for every environment of this process (ours, and the theme's
    in generator/mkdocs_adapter.py): a renderer is made per build (and per test), `tiepcan serve`
    builds many times, and compiling templates costs more than rendering a small bundle. Jinja checks
    each entry against its template's source checksum, so an edited template recompiles."""

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if bucket.key in self._code:
            bucket.bytecode_from_string(self._code[bucket.key])

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()


COMPILED_TEMPLATES = _CompiledTemplates()


def environment(loader_paths: Iterable[Path], messages: Messages) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(p) for p in loader_paths]),
        bytecode_cache=COMPILED_TEMPLATES,
        autoescape=True,  # the safety net; html_text escapes each value first, and only as HTML needs
        finalize=html_text,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(date=format_date, markdown=sanitized_markdown, mailto=mailto, attachment=attachments.href)
    env.globals.update(
        t=lambda key, **params: messages.text(f"ui.{key}", **params),
        page_url=layout.page_url,
        page_slug=lambda key: layout.page(key).slug,
        form_slug=layout.form_slug,
    )
    return env


# Links between the shared guides and section pages are written as Markdown file links (….md).
_MARKDOWN_LINK = re.compile(r'href="(?![a-z][a-z0-9+.-]*:|/|#)([^"#]*?)\.md(#[^"]*)?"')


@functools.lru_cache(maxsize=64)  # a guide depends on the regime, not the agency: one conversion serves them all
def trusted_markdown(text: str) -> str:
    """A guide from content/ (project text, not agency data): Markdown with heading ids, links to pages."""
    html = markdown_lib.markdown(
        text, extensions=["attr_list", "md_in_html", "admonition", "tables", "sane_lists", "toc"], output_format="html"
    )
    return _MARKDOWN_LINK.sub(lambda m: f'href="{m[1]}.html{m[2] or ""}"', html)


class AgencyRenderer:
    """Renders one agency's pages. The page list (generator/layout.py) is the nav, in reading order."""

    def __init__(self, messages: Messages, content_dir: Path, build_date: dt.date, site_url: str | None = None):
        self.messages = messages
        self.content_dir = content_dir
        self.build_date = build_date
        self.site_url = site_url  # for the page addresses named in "Báo lỗi thông tin" e-mails
        self.env = environment([TEMPLATES, content_dir], messages)

    def render(self, source: AgencySource, regime: Regime, agency_names: dict[str, str]) -> RenderedBundle:
        agency = source.model
        context = self._context(agency, regime, agency_names)
        nav: list[RenderedPage | NavSection] = []
        for kind in layout.BUNDLE_PAGES:
            rendered = self._page(kind.url, kind.template, self.messages.text(kind.title), context, kind.indexed)
            nav.append(self._forms_section(rendered, context) if kind.key == "forms" else rendered)
        for shared in sorted(self.content_dir.glob("*.md")):
            body = trusted_markdown(self.env.get_template(shared.name).render(context))
            path = f"{layout.SHARED_PAGES}/{shared.stem}.html"
            nav.append(self._with_report(page(path, _first_heading(shared) or shared.stem, body), context))
        for extra in agency.pages:
            text = (source.folder / extra.file).read_text(encoding="utf-8-sig")
            path = f"{layout.extra_slug(Path(extra.file).stem)}.html"
            page_context = {
                **context,
                "page_title": extra.title,
                "page_html": sanitized_markdown(text),
                "page_lang": extra.lang,
            }
            nav.append(self._page(path, layout.EXTRA.template, extra.title, page_context))
        english = layout.ENGLISH
        nav.append(self._page(english.url, english.template, self.messages.text(english.title), context))
        return RenderedBundle(
            site_name=agency.display_name(),
            nav=tuple(nav),
            updated=agency.last_updated(),
            assets=self._attachments(source),
            extra={"sample": agency.sample, "agency_name": agency.name, "brand_color": agency.brand_color},
        )

    def _forms_section(self, index: RenderedPage, context: dict[str, Any]) -> NavSection:
        """The forms overview, then one fillable, printable page per citizen form the regime defines."""
        pages = [index]
        for form_id, form in fillable_forms(context["regime"]).items():
            pages.append(
                self._page(
                    f"{layout.form_slug(form_id)}.html",
                    layout.FORM.template,
                    f"{form.code}: {form.title}",
                    {
                        **context,
                        "form_id": form_id,
                        "form": form,
                        "mail_body": form_mail_body(form, context["agency"].name),
                    },
                )
            )
        return NavSection(index.title, tuple(pages))

    def _context(self, agency: Agency, regime: Regime, agency_names: dict[str, str]) -> dict[str, Any]:
        grouped: dict[str, list[Any]] = {clause: [] for clause in regime.data.clauses}
        expired: list[CatalogEntry] = []
        for entry in catalog_order(agency, regime.data):
            (expired if entry.expired(self.build_date) else grouped[entry.clause]).append(entry)
        bundle = layout.bundle_url(self.site_url, agency.id) or ""
        contact = _effective_contact(agency)

        def report_href(path: str, entry: CatalogEntry | ConditionalEntry | None = None, title: str = "") -> str:
            return problem_report(self.messages, agency, contact["complaint_email"], bundle + path, entry, title)

        translations = [(p.title, f"{layout.extra_slug(Path(p.file).stem)}.html", p.lang) for p in agency.pages]
        translations = [item for item in translations if item[2] != "vi"]
        translations.append((self.messages.text(layout.ENGLISH.title), layout.ENGLISH.url, "en"))
        return {
            "translations": translations,
            "languages": LANGUAGES,
            "report_href": report_href,
            "expired_entries": expired,
            "freshness": freshness(agency, self.build_date),
            "agency": agency,
            "regime": regime.data,
            "catalog_groups": [(clause, entries) for clause, entries in grouped.items() if entries],
            "catalog_years": sorted({entry.created.year for entry in agency.catalog}, reverse=True),
            "parent_name": agency_names.get(agency.parent) if agency.parent else None,
            "last_updated": agency.last_updated(),
            "contact": contact,
            "attachments": layout.ATTACHMENTS,
            "fillable_forms": fillable_forms(regime.data),
            "consent_form": next((i for i, f in fillable_forms(regime.data).items() if f.role == "consent"), None),
            "deadline_example": deadlines.worked_example(
                regime.data.channels, example_day(self.build_date, regime.data)
            ),
            "chart": chart.statistics_chart(agency.statistics, self.messages) if agency.statistics else None,
            "parts": _parts(agency, regime, self.messages),
        }

    def _page(
        self, path: str, template: str, title: str, context: dict[str, Any], indexed: bool = True
    ) -> RenderedPage:
        return self._with_report(page(path, title, self.env.get_template(template).render(context), indexed), context)

    def _with_report(self, rendered: RenderedPage, context: dict[str, Any]) -> RenderedPage:
        """The page's "Báo lỗi thông tin" link, at the end of its article (not part of its search
        text), and its description for search engines, from the agency's data."""
        href = html_text(context["report_href"](rendered.path, None, rendered.title))
        footer = (
            f'\n<p class="tc-report-page"><a class="tc-report" href="{href}">'
            f"{html_text(self.messages.text('ui.report_problem.link'))}</a> "
            f"{html_text(self.messages.text('ui.report_problem.page_hint'))}</p>\n"
        )
        return replace(
            rendered, body=Markup(str(rendered.body) + footer), description=self._describe(rendered, context)
        )

    def _describe(self, rendered: RenderedPage, context: dict[str, Any]) -> str:
        agency: Agency = context["agency"]
        if rendered.path == layout.page_url("overview"):
            key, count = "ui.meta.overview", len(agency.catalog)
        elif rendered.path == layout.page_url("catalog"):
            key, count = "ui.meta.catalog", len(agency.catalog)
        elif rendered.path == layout.page_url("conditional_catalog"):
            key, count = "ui.meta.conditional", len(agency.conditional_catalog)
        else:
            key, count = "ui.meta.page", 0
        return self.messages.text(key, agency=agency.name, page=rendered.heading or rendered.title, count=count)

    @staticmethod
    def _attachments(source: AgencySource) -> tuple[Asset, ...]:
        agency = source.model
        files = [e.file for e in agency.catalog if e.file]
        if agency.regulation and agency.regulation.file:
            files.append(agency.regulation.file)
        return tuple(
            Asset(f"{layout.ATTACHMENTS}/{attachments.published_name(relative)}", source.folder / relative)
            for relative in sorted(set(files))
        )


@dataclass(frozen=True)
class Freshness:
    """How current a catalog is, on the build date: what its pages say about it (issue 15)."""

    reviewed: dt.date | None  # last review of the catalog or of an entry
    since: dt.date | None  # what the review period counts from: the last review, else the last change
    months: int | None  # the agency's review period
    due: dt.date | None  # when the next review was due
    overdue: bool


def example_day(build_date: dt.date, regime: RegimeData) -> dt.date:
    """The day the contact page's worked deadline example starts from: the first Monday of March (no
    public holiday falls in March, and the tool knows none) of the build year, or of the next year
    when the regime took effect after that March. It changes once a year, not every day."""
    first = dt.date(build_date.year, 3, 1)
    if first < regime.effective_from:
        first = first.replace(year=first.year + 1)
    return first + dt.timedelta(days=(7 - first.weekday()) % 7)


def dated_facts(agency: Agency, regime: Regime, build_date: dt.date) -> dict[str, Any]:
    """All that a bundle takes from the build date (issue 12): which entries' disclosure period has
    ended, whether the catalog's review is overdue, the example's day and the regime in force. The
    dates a bundle gives as its own (sitemap, feed, open data) are its catalogs' last change
    (Agency.last_updated), never the build date. Two build dates with the same facts give the same
    bundle, byte for byte."""
    return {
        "expired": sorted(entry.id for entry in agency.catalog if entry.expired(build_date)),
        "overdue": freshness(agency, build_date).overdue,
        "example": example_day(build_date, regime.data).isoformat(),
        "regime": regime.id,
    }


def freshness(agency: Agency, today: dt.date) -> Freshness:
    reviewed = agency.last_reviewed()
    since = reviewed or agency.last_updated()
    due = deadlines.add_months(since, agency.review_months) if since and agency.review_months else None
    return Freshness(reviewed, since, agency.review_months, due, due is not None and due < today)


def problem_report(
    messages: Messages,
    agency: Agency,
    address: str,
    url: str,
    entry: CatalogEntry | ConditionalEntry | None = None,
    page_title: str = "",
) -> str:
    """A mailto: link to the complaint address naming the page: the page's names the agency and asks
    what is wrong and what is right. A catalog row's is short, for a large catalog carries one per row:
    its subject names the entry's id and title, its body the row's address and what to describe."""
    if entry is not None:
        subject = messages.text("ui.report_problem.subject_entry", id=entry.id, title=entry.title)
        body = [
            messages.text("ui.report_problem.body_page", url=f"{url}#{entry.id}"),
            "",
            messages.text("ui.report_problem.body_wrong"),
        ]
        return mailto(address, subject, "\n".join(body) + "\n")
    lines = [
        messages.text("ui.report_problem.body_agency", agency=agency.name),
        messages.text("ui.report_problem.body_page", url=url),
        "",
        messages.text("ui.report_problem.body_wrong"),
        "",
        "",
        messages.text("ui.report_problem.body_right"),
        "",
    ]
    return mailto(address, messages.text("ui.report_problem.subject", what=page_title), "\n".join(lines) + "\n")


def catalog_order(agency: Agency, regime: RegimeData) -> list[CatalogEntry]:
    """The catalog as the page shows it (and the CSV/JSON copies list it): by Art. 17 clause, newest first."""
    order = {clause: i for i, clause in enumerate(regime.clauses)}
    return sorted(agency.catalog, key=lambda e: (order[e.clause], -e.created.toordinal(), e.id))


def fillable_forms(regime: RegimeData) -> dict[str, Form]:
    """Citizen-side forms whose fields the regime spells out: these become fillable pages and .docx files."""
    return {form_id: form for form_id, form in regime.forms.items() if form.audience == "citizen" and form.fields}


def form_mail_body(form: Form, addressee: str) -> str:
    """The form as plain text for an e-mail: one line per field, the addressee filled in."""
    lines = [form.heading or form.title, ""]
    for form_field in form.fields:
        if form_field.role == "signature":
            continue
        label = form_field.display_label or form_field.label
        lines.append(f"{label}: {addressee if form_field.role == 'prefill' else ''}")
        lines += [f"  [ ] {option.label}" for option in form_field.options]
    return "\n".join(lines) + "\n"


def _effective_contact(agency: Agency) -> dict[str, Any]:
    """The contact point with the documented defaults filled in from the agency."""
    point = agency.contact_point
    return {
        "unit": point.unit,
        "address": point.address or agency.address,
        "phone": point.phone or agency.phone,
        "fax": point.fax or agency.fax,
        "email": point.email or agency.email,
        "request_email": point.request_email,
        "complaint_email": point.complaint_email or point.request_email,
        "reception": point.reception,
        "people": point.people,
    }


def _parts(agency: Agency, regime: Regime, messages: Messages) -> list[compliance.PartStatus]:
    labels = {key: messages.text(f"ui.status.{key}") for key in ("contact_people", "statistics", "english_contact")}
    return compliance.section_status(agency, regime.data, labels)


def _first_heading(path: Path) -> str | None:
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# "):
            return line[2:].split("{", 1)[0].strip()
    return None


def _status_row(
    model: Agency, regime: Regime, messages: Messages
) -> tuple[Agency, list[compliance.PartStatus], list[compliance.PartStatus], YearStatistics | None]:
    """One row of the portal's status table: the agency, its parts, those not published (picked here:
    a Jinja filter chain per row was ~0.2 ms, a second at 5,000 agencies), its latest yearly figures."""
    parts = _parts(model, regime, messages)
    latest = max(model.statistics, key=lambda row: row.year, default=None)
    return model, parts, [part for part in parts if not part.published], latest


def render_portal(
    agencies: list[AgencySource],
    regimes: dict[str, Regime],
    messages: Messages,
    build_date: dt.date,
    index_parts: int = 1,
) -> RenderedBundle:
    """The portal: every agency, grouped under its parent, linking to its bundle; then, for the
    supervising Department of Justice, what each agency has published and its latest yearly figures.
    `index_parts`: how many parts its search index is in (the search page merges them)."""
    env = environment([TEMPLATES], messages)
    models = {a.model.id: a.model for a in agencies}
    children: dict[str | None, list[Agency]] = {}
    for model in sorted(models.values(), key=lambda m: (m.name, m.id)):
        parent = model.parent if model.parent in models else None
        children.setdefault(parent, []).append(model)
    home, search = layout.PORTAL_PAGES
    home_body = env.get_template(home.template).render(
        children=children,
        count=len(models),
        build_date=build_date,
        overview=[
            _status_row(model, regimes[model.id], messages)
            for model in sorted(models.values(), key=lambda m: (m.name, m.id))
        ],
    )
    parts = [layout.portal_index_part(k) for k in range(1, index_parts)]
    search_body = env.get_template(search.template).render(
        filters=_search_filters(models, children, messages), index_parts=parts
    )
    described = messages.text("ui.meta.portal", count=len(models))
    return RenderedBundle(
        messages.text("ui.portal.title"),
        (
            replace(page(home.url, messages.text(home.title), home_body, home.indexed), description=described),
            replace(page(search.url, messages.text(search.title), search_body, search.indexed), description=described),
        ),
        updated=build_date,  # the portal states the build date (its status table's caption)
        extra={"sample": False, "portal": True},
    )


def _search_filters(
    models: dict[str, Agency], children: dict[str | None, list[Agency]], messages: Messages
) -> list[tuple[str, str, list[tuple[str, str]]]]:
    """The portal search's filter choices (key, label, [(value, text)]): values are what the index stores."""
    by_name = sorted(models.values(), key=lambda m: (m.name, m.id))
    kinds = sorted({m.kind for m in models.values()})
    filters: list[tuple[str, str, list[tuple[str, str]]]] = [
        ("kind", messages.text("ui.search.filter_kind"), [(k, messages.text(f"ui.kind.{k}")) for k in kinds]),
        ("parent", messages.text("ui.search.filter_parent"), [(m.id, m.name) for m in by_name if children.get(m.id)]),
    ]
    # A list of every agency would weigh ~100 bytes each on the search page (546 KB at 5,000):
    # past a few hundred, citizens narrow by parent and kind, or use the agency's own search page.
    if len(models) <= SEARCH_AGENCY_LIST_MAX:
        filters.insert(0, ("agency", messages.text("ui.search.filter_agency"), [(m.id, m.name) for m in by_name]))
    return filters
