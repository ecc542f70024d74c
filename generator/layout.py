"""The layout of a bundle: its kinds of page, its folders and its public address, in one place.

Every other module and template asks here (`page_url("catalog")`) instead of spelling a page's
file name, so a page is renamed by one edit and the page list cannot drift between the renderer,
the compliance table, the search index, the exports and the tests (tests/pagetypes.py).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

ATTACHMENTS = "tep"  # attachments keep their relative path (NFC) under this folder of the bundle
EXTRA_PAGES = "trang"  # an agency's own Markdown pages
SHARED_PAGES = "huong-dan"  # content/*.md, the same in every bundle
NOT_FOUND = "404.html"  # written by the theme (theme/404.html), not rendered from a template
# The portal's search index can be made in parts (`--portal-index-parts`, issue 12): part k ≥ 1 is the
# portal's pagefind/parts/<k>/, part 0 is pagefind/ itself.
PORTAL_INDEX_PARTS = "parts"


@dataclass(frozen=True)
class PageKind:
    key: str
    slug: str  # the file name without extension; "{form}" stands for a form id
    template: str
    title: str  # message key of the navigation title
    parts: tuple[tuple[str, str], ...] = ()  # (compliance part it satisfies, anchor on the page or "")
    indexed: bool = True  # gets a search record of its own
    printed: bool = False  # has a print layout (A4, without the site around it)

    @property
    def url(self) -> str:
        """The built page, relative to its bundle root."""
        return f"{self.slug}.html"


def _kind(
    key: str, slug: str, parts: tuple[tuple[str, str], ...] = (), indexed: bool = True, printed: bool = False
) -> PageKind:
    """A section page whose template and title are named after its key."""
    return PageKind(key, slug, f"pages/{key}.html.j2", f"ui.page.{key}", parts, indexed, printed)


_CONTACT_ANCHOR, _PEOPLE_ANCHOR, _GUIDANCE_ANCHOR = "dau-moi", "nguoi-dau-moi", "cach-yeu-cau"

# An agency's section pages, in navigation order; the shared guides, the agency's own pages and
# then ENGLISH follow them.
BUNDLE_PAGES: tuple[PageKind, ...] = (
    _kind("overview", "index"),
    _kind("catalog", "danh-muc-cong-khai", parts=(("disclosure_catalog", ""), ("download_links", "")), printed=True),
    _kind("conditional_catalog", "danh-muc-co-dieu-kien", parts=(("conditional_catalog", ""),)),
    _kind(
        "contact",
        "dau-moi-va-cach-yeu-cau",
        parts=(
            ("contact_point", _CONTACT_ANCHOR),
            ("contact_people", _PEOPLE_ANCHOR),
            ("request_email", _CONTACT_ANCHOR),
            ("complaint_email", _CONTACT_ANCHOR),
            ("guidance", _GUIDANCE_ANCHOR),
        ),
    ),
    _kind("forms", "mau-phieu", parts=(("forms", ""),)),
    _kind("regulation", "quy-che-noi-bo", parts=(("internal_regulation", ""),)),
    _kind("statistics", "thong-ke", parts=(("statistics", ""),)),
    _kind("search", "tim-kiem", indexed=False),  # it lists records, it is not one
    _kind("accessibility", "kha-nang-tiep-can", parts=(("accessibility", ""),)),
)
ENGLISH = _kind("english", "english", parts=(("english_contact", ""),))
FORM = PageKind("form", "mau-{form}", "pages/form.html.j2", "", printed=True)  # titled by the regime's form
EXTRA = PageKind("agency_page", f"{EXTRA_PAGES}/{{stem}}", "pages/extra.html.j2", "")  # titled by the agency

_BY_KEY = {kind.key: kind for kind in (*BUNDLE_PAGES, ENGLISH)}
PORTAL_PAGES: tuple[PageKind, ...] = (
    PageKind("portal", _BY_KEY["overview"].slug, "portal/index.html.j2", "ui.portal.title"),
    PageKind("portal_search", _BY_KEY["search"].slug, "portal/search.html.j2", "ui.page.search", indexed=False),
)


def page(key: str) -> PageKind:
    return _BY_KEY[key]


def page_url(key: str) -> str:
    """A section page's address relative to the bundle root, e.g. page_url("catalog")."""
    return _BY_KEY[key].url


# The page a folder's own URL (…/) serves: the overview's file, in bundles, the portal and admin/ alike.
DIRECTORY_INDEX = page_url("overview")


def form_slug(form_id: str) -> str:
    return FORM.slug.format(form=form_id)


def extra_slug(stem: str) -> str:
    return EXTRA.slug.format(stem=stem)


def part_link(part_id: str) -> str:
    """Where a compliance part lives: its page, and its anchor when it has one."""
    for kind in (*BUNDLE_PAGES, ENGLISH):
        for part, anchor in kind.parts:
            if part == part_id:
                return f"{kind.url}#{anchor}" if anchor else kind.url
    raise KeyError(part_id)


def unindexed_urls() -> frozenset[str]:
    """Built pages of a bundle that get no search record of their own."""
    return frozenset({*(kind.url for kind in BUNDLE_PAGES if not kind.indexed), NOT_FOUND})


def bundle_url(site_url: str | None, agency_id: str | None = None) -> str | None:
    """The public address of an agency's bundle (or of the portal), when the site's address is known."""
    if not site_url:
        return None
    base = site_url if site_url.endswith("/") else site_url + "/"
    return f"{base}{agency_id}/" if agency_id else base


def stable_bucket(agency_id: str, count: int) -> int:
    """0 … count - 1, from the agency id alone: the same on every machine and run, and stable as
    other agencies come and go (the shard a bundle is built in, the part of the portal index it is in)."""
    return int.from_bytes(hashlib.sha256(agency_id.encode()).digest()[:8], "big") % count


def portal_index_part(part: int) -> str:
    """A part's folder, relative to the portal's index folder ("" for part 0)."""
    return f"{PORTAL_INDEX_PARTS}/{part}/" if part else ""
