"""Stage 7 — feeds: the discoverability of the published site (Atom feeds, sitemap index, robots.txt, redirects).

Runs after stage 4 wrote every bundle (each with its own sitemap.xml when --site-url is given),
through the bundles' writers. Everything here is a plain file derived from
the validated agencies and the build date, so two builds of the same inputs write the same bytes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Mapping, Sequence
from xml.sax.saxutils import escape, quoteattr

from generator import layout, xmltext
from generator.i18n import Messages
from generator.model import Agency
from generator.writer import BundleWriter

FEED = "feed.atom"
SITEMAP_INDEX = "sitemap-index.xml"
STAGE = "feeds"


def _text(value: str) -> str:
    """Element content of the feed and sitemap index: escaped, and only characters XML can carry."""
    return escape(xmltext.legal(value))


def _attr(value: str) -> str:
    return quoteattr(xmltext.legal(value))


def _stamp(day: dt.date) -> str:
    return f"{day.isoformat()}T00:00:00Z"


_LAW_IN_FORCE = dt.date(2018, 7, 1)


def _feed_date(agency: Agency, build_date: dt.date) -> dt.date:
    """The feed's own date: its newest entry, withdrawals included — not the build date (a bundle
    built on another day with the same entries is the same bundle). A feed with no dated entry has
    not changed since the law's duty began: 1 July 2018 (Law 104/2016/QH13, Art. 37)."""
    ended = [entry.until for entry in agency.catalog if entry.expired(build_date) and entry.until]
    return max([d for d in (agency.last_updated(), *ended) if d is not None], default=_LAW_IN_FORCE)


def atom_feed(agency: Agency, build_date: dt.date, messages: Messages, site_url: str | None) -> str:
    """The agency's catalog entries, newest disclosure first; ids are URNs, stable across moves.

    Links are absolute under --site-url, else relative to the feed (which sits in the bundle root).
    """
    base = layout.bundle_url(site_url, agency.id) or ""
    catalog = layout.page_url("catalog")  # where each catalog entry has its anchor
    title = messages.text("hosting.feed.title", agency=agency.name)
    lines = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="vi">',
        f"  <id>{_text(f'urn:tiepcan:{agency.id}')}</id>",
        f"  <title>{_text(title)}</title>",
        f"  <updated>{_stamp(_feed_date(agency, build_date))}</updated>",
        f"  <author><name>{_text(agency.name)}</name><email>{_text(agency.email)}</email></author>",
        f'  <link rel="self" href={_attr(base + FEED)}/>',
        f'  <link rel="alternate" type="text/html" href={_attr(base + catalog)}/>',
    ]
    for entry in sorted(agency.catalog, key=lambda e: (e.disclosed, e.id), reverse=True):
        heading = f"{entry.number}: {entry.title}" if entry.number else entry.title
        summary = entry.summary or messages.text("hosting.feed.entry", date=entry.disclosed.strftime("%d/%m/%Y"))
        lines += [
            "  <entry>",
            f"    <id>{_text(f'urn:tiepcan:{agency.id}:{entry.id}')}</id>",
            f"    <title>{_text(heading)}</title>",
            f"    <published>{_stamp(entry.disclosed)}</published>",
            f"    <updated>{_stamp(max(d for d in (entry.disclosed, entry.reviewed) if d))}</updated>",
            f'    <link rel="alternate" type="text/html" href={_attr(f"{base}{catalog}#{entry.id}")}/>',
            f"    <summary>{_text(summary)}</summary>",
            "  </entry>",
        ]
    # Withdrawn from disclosure: an entry whose period ended by the build date says so, dated that day
    # (issue 15). The entry itself stays above, dated by its disclosure.
    ended = [entry for entry in agency.catalog if entry.expired(build_date) and entry.until]
    for entry in sorted(ended, key=lambda e: (e.until or e.disclosed, e.id), reverse=True):
        assert entry.until is not None
        heading = f"{entry.number}: {entry.title}" if entry.number else entry.title
        until = entry.until.strftime("%d/%m/%Y")
        lines += [
            "  <entry>",
            f"    <id>{_text(f'urn:tiepcan:{agency.id}:{entry.id}:het-thoi-han')}</id>",
            f"    <title>{_text(messages.text('hosting.feed.expired_title', title=heading))}</title>",
            f"    <published>{_stamp(entry.until)}</published>",
            f"    <updated>{_stamp(entry.until)}</updated>",
            f'    <link rel="alternate" type="text/html" href={_attr(f"{base}{catalog}#{entry.id}")}/>',
            f"    <summary>{_text(messages.text('hosting.feed.expired', date=until))}</summary>",
            "  </entry>",
        ]
    lines.append("</feed>")
    return "\n".join(lines) + "\n"


def redirect_page(target: str, messages: Messages) -> str:
    """A page that sends the reader to `target` (relative) without script: meta refresh + a link."""
    href = quoteattr(target)
    title = escape(messages.text("hosting.redirect.title"))
    return (
        "<!doctype html>\n"
        '<html lang="vi">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="refresh" content={quoteattr("0; url=" + target)}>\n'
        '<meta name="robots" content="noindex">\n'
        f'<link rel="canonical" href={href}>\n'
        f"<title>{title}</title>\n</head>\n<body>\n"
        f"<h1>{title}</h1>\n"
        f"<p>{escape(messages.text('hosting.redirect.text'))} <a href={href}>{escape(target)}</a></p>\n"
        "</body>\n</html>\n"
    )


def write_redirects(site: BundleWriter, agency: Agency, pages: Iterable[str], messages: Messages) -> None:
    """Every page of the renamed agency's bundle (`pages`, bundle-relative) also answers at
    site/<old-id>/<same path>."""
    for old_id in agency.previous_ids:
        for page in sorted(pages):
            up = "../" * (page.count("/") + 1)  # from site/<old>/<page> back to site/
            site.write(f"{old_id}/{page}", redirect_page(f"{up}{agency.id}/{page}", messages), STAGE)


def sitemap_index(site_url: str, agencies: Sequence[Agency], build_date: dt.date) -> str:
    """One index over the portal's sitemap and every bundle's own (the site builder writes those),
    each dated as its pages are."""
    base = layout.bundle_url(site_url)
    locations: list[tuple[str, dt.date | None]] = [(f"{base}sitemap.xml", build_date)] + [
        (f"{base}{agency.id}/sitemap.xml", agency.last_updated()) for agency in sorted(agencies, key=lambda a: a.id)
    ]
    entries = "".join(
        f"  <sitemap><loc>{_text(loc)}</loc>{f'<lastmod>{day.isoformat()}</lastmod>' if day else ''}</sitemap>\n"
        for loc, day in locations
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n' + entries + "</sitemapindex>\n"
    )


def robots_txt(site_url: str | None) -> str:
    """Everything may be indexed; the sitemap index is named when the public address is known."""
    lines = ["User-agent: *", "Allow: /"]
    if site_url:
        lines.append(f"Sitemap: {layout.bundle_url(site_url)}{SITEMAP_INDEX}")
    return "\n".join(lines) + "\n"


def write_bundle(
    bundle: BundleWriter, agency: Agency, build_date: dt.date, messages: Messages, site_url: str | None
) -> None:
    """The bundle's own feed, written with the bundle (a reused bundle keeps its own)."""
    bundle.write(FEED, atom_feed(agency, build_date, messages, site_url), STAGE)


def write_site(
    site: BundleWriter,
    files: Mapping[str, Collection[str]],
    agencies: Sequence[Agency],
    site_url: str | None,
    build_date: dt.date,
    messages: Messages,
) -> None:
    """The portal's discovery files for a staged site: redirects, sitemap index and robots.txt.
    `files`: the files of each bundle of this site (another shard's has none here: its redirects
    come with the merge) whose agency has previous ids, the ones redirects are written for."""
    for agency in agencies:
        if agency.previous_ids:
            pages = [p for p in files.get(agency.id, ()) if p.endswith(".html") and p != layout.NOT_FOUND]
            write_redirects(site, agency, pages, messages)
    if site_url:
        site.write(SITEMAP_INDEX, sitemap_index(site_url, agencies, build_date), STAGE)
    site.write("robots.txt", robots_txt(site_url), STAGE)
