"""Stage 3 — render: a valid Agency and its legal regime → a folder of Markdown pages for MkDocs.

Text from YAML is data. Every `{{ value }}` in a template is written with Markdown- and
HTML-significant characters as numeric character references, so that `*`, `|`, `[x](…)`,
`<script>` or `{{ x }}` in a title reach the reader as those literal characters, whether the
template puts them in Markdown or in an HTML block. Only fields documented as Markdown go
through `markdown`, which renders them and then sanitizes the HTML with an allow-list.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jinja2
import markdown as markdown_lib
import nh3
from markupsafe import Markup

from generator import attachments, chart, compliance, deadlines, layout
from generator.i18n import Messages
from generator.model import Agency, CatalogEntry
from generator.regime import Regime
from generator.validate import AgencySource

TEMPLATES = Path(__file__).parent / "templates"
SEARCH_AGENCY_LIST_MAX = 300  # portal search: agencies listed in its agency filter, at most

# Characters that mean something to Markdown, its extensions or HTML; newline too, so a value
# can never start a line (and so never a heading, list or code block).
_SIGNIFICANT = set("\\`*_{}[]()#+-.!|~<>&\"'^=$\n\r\t")

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


def escape_text(value: Any) -> Markup:
    """Literal text, safe in Markdown and in HTML (element content and quoted attributes)."""
    if isinstance(value, Markup):
        return value
    text = "" if value is None else str(value)
    return Markup("".join(f"&#{ord(c)};" if c in _SIGNIFICANT else c for c in text))


def sanitized_markdown(text: str) -> Markup:
    """A Markdown field: rendered, then cleaned to an allow-list (no script, no style, no javascript: links)."""
    html = markdown_lib.markdown(text, extensions=["sane_lists", "tables"], output_format="html")
    return Markup(
        nh3.clean(html, tags=_ALLOWED_TAGS, url_schemes={"http", "https", "mailto"}, link_rel="noopener noreferrer")
    )


def format_date(value: dt.date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def mailto(address: str, subject: str = "", body: str = "") -> str:
    query = "&".join(f"{k}={quote(v)}" for k, v in (("subject", subject), ("body", body)) if v)
    return f"mailto:{address}" + (f"?{query}" if query else "")


@dataclass(frozen=True)
class Page:
    path: str  # inside docs/, e.g. layout.page("catalog").source
    title: str  # the navigation title: plain text, escaped by the theme


@dataclass(frozen=True)
class NavSection:
    """A group in the navigation: its first page is the group's overview."""

    title: str
    pages: tuple[Page, ...]


@dataclass(frozen=True)
class RenderedSite:
    """What the build stage needs: a docs folder, its navigation and a few theme values."""

    docs_dir: Path
    site_name: str
    nav: list[Page | NavSection]
    extra: dict[str, Any] = field(default_factory=dict)


def environment(loader_paths: Iterable[Path], messages: Messages) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(p) for p in loader_paths]),
        autoescape=True,
        finalize=escape_text,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(date=format_date, markdown=sanitized_markdown, mailto=mailto, attachment=attachments.href)
    env.globals.update(
        t=lambda key, **params: messages.text(f"ui.{key}", **params),
        # Page names come from the layout registry (trusted constants); a form id is escaped.
        page_url=lambda key: Markup(layout.page_url(key)),
        page_slug=lambda key: Markup(layout.page(key).slug),
        form_slug=lambda form_id: Markup(layout.form_slug("{0}")).format(form_id),
    )
    return env


class AgencyRenderer:
    """Writes one agency's pages. The page list (generator/layout.py) is the nav, in reading order."""

    def __init__(self, messages: Messages, content_dir: Path, build_date: dt.date):
        self.messages = messages
        self.content_dir = content_dir
        self.build_date = build_date
        self.env = environment([TEMPLATES, content_dir], messages)

    def render(
        self, source: AgencySource, regime: Regime, docs_dir: Path, agency_names: dict[str, str]
    ) -> RenderedSite:
        agency = source.model
        docs_dir.mkdir(parents=True, exist_ok=True)
        context = self._context(agency, regime, agency_names)
        nav: list[Page | NavSection] = []
        for kind in layout.BUNDLE_PAGES:
            page = self._write(docs_dir, kind.source, kind.template, self.messages.text(kind.title), context)
            nav.append(self._forms_section(page, docs_dir, context) if kind.key == "forms" else page)
        for shared in sorted(self.content_dir.glob("*.md")):
            title = _first_heading(shared) or shared.stem
            nav.append(self._write(docs_dir, f"{layout.SHARED_PAGES}/{shared.name}", shared.name, title, context))
        for extra in agency.pages:
            text = (source.folder / extra.file).read_text(encoding="utf-8-sig")
            page_context = {**context, "page_title": extra.title, "page_html": sanitized_markdown(text)}
            nav.append(
                self._write(
                    docs_dir,
                    f"{layout.extra_slug(Path(extra.file).stem)}.md",
                    layout.EXTRA.template,
                    extra.title,
                    page_context,
                )
            )
        english = layout.ENGLISH
        nav.append(self._write(docs_dir, english.source, english.template, self.messages.text(english.title), context))
        self._copy_attachments(source, docs_dir)
        return RenderedSite(
            docs_dir=docs_dir,
            site_name=agency.display_name(),
            nav=nav,
            extra={"sample": agency.sample, "agency_name": agency.name, "brand_color": agency.brand_color},
        )

    def _forms_section(self, index: Page, docs_dir: Path, context: dict[str, Any]) -> NavSection:
        """The forms overview, then one fillable, printable page per citizen form the regime defines."""
        pages = [index]
        for form_id, form in fillable_forms(context["regime"]).items():
            pages.append(
                self._write(
                    docs_dir,
                    f"{layout.form_slug(form_id)}.md",
                    layout.FORM.template,
                    f"{form['code']}: {form['title']}",
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
        grouped: dict[str, list[Any]] = {clause: [] for clause in regime.data["clauses"]}
        for entry in catalog_order(agency, regime.data):
            grouped[entry.clause].append(entry)
        return {
            "agency": agency,
            "regime": regime.data,
            "build_date": self.build_date,
            "catalog_groups": [(clause, entries) for clause, entries in grouped.items() if entries],
            "catalog_years": sorted({entry.created.year for entry in agency.catalog}, reverse=True),
            "parent_name": agency_names.get(agency.parent) if agency.parent else None,
            "last_updated": agency.last_updated(),
            "contact": _effective_contact(agency),
            "attachments": layout.ATTACHMENTS,
            "fillable_forms": fillable_forms(regime.data),
            "consent_form": next(
                (i for i, f in fillable_forms(regime.data).items() if f.get("role") == "consent"), None
            ),
            "deadline_example": deadlines.worked_example(regime.data["channels"], self.build_date),
            "chart": chart.statistics_chart(agency.statistics, self.messages) if agency.statistics else None,
            "parts": _parts(agency, regime, self.messages),
        }

    def _write(self, docs_dir: Path, path: str, template: str, title: str, context: dict[str, Any]) -> Page:
        target = docs_dir / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(self.env.get_template(template).render(context), encoding="utf-8")
        return Page(path, title)

    @staticmethod
    def _copy_attachments(source: AgencySource, docs_dir: Path) -> None:
        agency = source.model
        files = [e.file for e in agency.catalog if e.file]
        if agency.regulation and agency.regulation.file:
            files.append(agency.regulation.file)
        for relative in sorted(set(files)):
            target = docs_dir / layout.ATTACHMENTS / attachments.published_name(relative)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source.folder / relative, target)


def catalog_order(agency: Agency, regime: dict[str, Any]) -> list[CatalogEntry]:
    """The catalog as the page shows it (and the CSV/JSON copies list it): by Art. 17 clause, newest first."""
    order = {clause: i for i, clause in enumerate(regime["clauses"])}
    return sorted(agency.catalog, key=lambda e: (order[e.clause], -e.created.toordinal(), e.id))


def fillable_forms(regime: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Citizen-side forms whose fields the regime spells out: these become fillable pages and .docx files."""
    return {
        form_id: form
        for form_id, form in regime["forms"].items()
        if form.get("audience") == "citizen" and form.get("fields")
    }


def form_mail_body(form: dict[str, Any], addressee: str) -> str:
    """The form as plain text for an e-mail: one line per field, the addressee filled in."""
    lines = [form.get("heading") or form["title"], ""]
    for form_field in form["fields"]:
        if form_field.get("role") == "signature":
            continue
        label = form_field.get("display_label") or form_field["label"]
        lines.append(f"{label}: {addressee if form_field.get('role') == 'prefill' else ''}")
        lines += [f"  [ ] {option['label']}" for option in form_field.get("options", [])]
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


def render_portal(
    agencies: list[AgencySource], regimes: dict[str, Regime], docs_dir: Path, messages: Messages, build_date: dt.date
) -> RenderedSite:
    """The portal: every agency, grouped under its parent, linking to its bundle; then, for the
    supervising Department of Justice, what each agency has published and its latest yearly figures."""
    env = environment([TEMPLATES], messages)
    models = {a.model.id: a.model for a in agencies}
    children: dict[str | None, list[Agency]] = {}
    for model in sorted(models.values(), key=lambda m: (m.name, m.id)):
        parent = model.parent if model.parent in models else None
        children.setdefault(parent, []).append(model)
    docs_dir.mkdir(parents=True, exist_ok=True)
    home, search = layout.PORTAL_PAGES
    (docs_dir / home.source).write_text(
        env.get_template(home.template).render(
            children=children,
            count=len(models),
            build_date=build_date,
            overview=[
                (
                    model,
                    _parts(model, regimes[model.id], messages),
                    max(model.statistics, key=lambda row: row.year, default=None),
                )
                for model in sorted(models.values(), key=lambda m: (m.name, m.id))
            ],
        ),
        encoding="utf-8",
    )
    (docs_dir / search.source).write_text(
        env.get_template(search.template).render(filters=_search_filters(models, children, messages)),
        encoding="utf-8",
    )
    return RenderedSite(
        docs_dir,
        messages.text("ui.portal.title"),
        [Page(kind.source, messages.text(kind.title)) for kind in layout.PORTAL_PAGES],
        {"sample": False, "portal": True},
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
