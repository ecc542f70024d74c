"""End to end: the demo agencies become self-contained bundles and a portal."""

from __future__ import annotations

import datetime as dt
import os
import hashlib
import shutil
import textwrap
from html import unescape
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from generator import mkdocs_adapter
from generator import report as supervision
from generator.build import InvalidInput, build_all
from generator.cache import FileDigests
from generator.diagnostics import BuildFailed
from generator.i18n import load_messages
from generator.load import load_file
from generator.validate import discover
from tests.conftest import AGENCIES, BUILD_DATE, MINIMAL_AGENCY, ROOT, build_options, write_agency
from tests.htmlscan import read

pytestmark = pytest.mark.slow

DEMO_IDS = [p.stem for p in discover([AGENCIES])]


def _yaml_urls(agency_id: str) -> set[str]:
    """External addresses an editor wrote in the YAML: the only external links a bundle may have."""
    found: set[str] = set()

    def walk(value):
        if isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)
        elif isinstance(value, str):
            found.update(word.strip("()<>[],") for word in value.split() if word.startswith(("http://", "https://")) or "](http" in word)

    walk(load_file(AGENCIES / f"{agency_id}.yaml").data)
    return {u.split("](")[-1].rstrip(")") for u in found}


def _target(site: Path, page: Path, path: str) -> Path:
    """Where a reference lands when site/ is served at the root of the demo's --site-url.

    Only the 404 page uses root-relative paths (it is served for any missing address), built
    from the site URL, so they land inside the agency's own folder.
    """
    if not path:
        return page.resolve()
    return (site / path.lstrip("/")).resolve() if path.startswith("/") else (page.parent / path).resolve()


def test_every_agency_file_gets_a_bundle_and_the_portal_links_each(demo_site: Path):
    assert (demo_site / "index.html").is_file()
    portal = read(demo_site / "index.html")
    for agency_id in DEMO_IDS:
        assert (demo_site / agency_id / "index.html").is_file()
        assert f"{agency_id}/index.html" in portal.links


def test_the_portal_groups_agencies_under_their_parent(demo_site: Path):
    html = unescape((demo_site / "index.html").read_text(encoding="utf-8"))
    province = html.index('href="ubnd-tinh-binh-phuoc/index.html"')
    department = html.index('href="so-tu-phap-binh-phuoc/index.html"')
    next_province = html.index('href="ubnd-tinh-lai-chau/index.html"')
    # The department's item is nested in the province's list item, before the next sibling province.
    assert province < department
    assert "<ul" in html[province:department]
    assert department < next_province or html.index("ubnd-tinh-lai-chau") < province


@pytest.mark.parametrize("agency_id", DEMO_IDS)
def test_a_bundle_references_nothing_outside_its_folder(demo_site: Path, agency_id: str):
    bundle = (demo_site / agency_id).resolve()
    allowed_external = _yaml_urls(agency_id)
    pages = sorted(bundle.rglob("*.html"))
    assert len(pages) >= 9
    for page_path in pages:
        page = read(page_path)
        assert page.lang == ("vi" if page_path.name != "english.html" else "vi")  # English page is tagged inside
        for url in page.fetched:
            parts = urlsplit(url)
            assert not parts.scheme and not parts.netloc, f"{page_path}: loads {url} from another host"
            assert _target(demo_site, page_path, parts.path).is_relative_to(bundle), f"{page_path}: {url} leaves the bundle"
        for url in page.links:
            parts = urlsplit(url)
            if parts.scheme in ("mailto", "tel"):
                continue
            if parts.scheme or parts.netloc:
                assert url in allowed_external, f"{page_path}: external link {url} is not in the YAML"
                continue
            target = _target(demo_site, page_path, parts.path)
            assert target.is_relative_to(bundle), f"{page_path}: {url} leaves the bundle"
            assert target.exists(), f"{page_path}: {url} is broken"


def test_no_page_anywhere_asks_another_host_for_anything(demo_site: Path):
    for page_path in demo_site.rglob("*.html"):
        for url in read(page_path).fetched:
            assert not urlsplit(url).netloc, f"{page_path} loads {url}"
        text = page_path.read_text(encoding="utf-8")
        assert "fonts.googleapis" not in text and "fonts.gstatic" not in text
        assert "Made with" not in text


def test_catalog_entries_are_anchored_rows_not_navigation_items(demo_site: Path):
    page = read(demo_site / "bo-mau" / "danh-muc-cong-khai.html")
    entry_ids = [e["id"] for e in load_file(AGENCIES / "bo-mau.yaml").data["catalog"]]
    assert set(entry_ids) <= page.ids
    fragments = [href.split("#")[1] for href in page.nav_links if "#" in href]
    # clause headings only, and the part listing entries whose disclosure period ended (issue 15)
    assert fragments and all(f.startswith("diem-") or f in {"danh-muc", "het-thoi-han"} for f in fragments)
    assert not set(fragments) & set(entry_ids)


def _digest(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_failed_build_leaves_the_published_site_untouched(tmp_path: Path, monkeypatch):
    agencies = tmp_path / "agencies"
    write_agency(agencies, "so-a")
    write_agency(agencies, "so-b")
    out = tmp_path / "site"
    build_all(build_options(agencies, out))
    before = _digest(out)

    calls = []
    real_build = mkdocs_adapter.SiteBuilder.build

    def fail_on_second_agency(self, bundle, site_url, writer, extra, **options):
        calls.append(writer.root)
        if len(calls) == 2:  # so-a, then so-b fails midway (the portal's pages come after the bundles)
            raise BuildFailed(["simulated failure"])
        real_build(self, bundle, site_url, writer, extra, **options)

    monkeypatch.setattr(mkdocs_adapter.SiteBuilder, "build", fail_on_second_agency)
    with pytest.raises(BuildFailed):
        build_all(build_options(agencies, out, force=True))
    assert _digest(out) == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".site")] == []

    monkeypatch.undo()
    (agencies / "so-b.yaml").write_text("id: so-b\nname: [\n", encoding="utf-8")
    with pytest.raises(InvalidInput):
        build_all(build_options(agencies, out))
    assert _digest(out) == before


def test_rebuilding_one_agency_keeps_the_others(tmp_path: Path):
    agencies = tmp_path / "agencies"
    write_agency(agencies, "so-a")
    write_agency(agencies, "so-b")
    out = tmp_path / "site"
    build_all(build_options(agencies, out))
    report = build_all(build_options(agencies, out, only=("so-a",)))
    assert report.built == ["so-a"] and report.reused == ["so-b"]
    assert (out / "so-b" / "index.html").is_file()


@pytest.mark.slow
def test_bundles_built_by_worker_processes_equal_those_built_in_one(tmp_path: Path):
    one, two = tmp_path / "one", tmp_path / "two"
    report = build_all(build_options(AGENCIES, one, site_url="https://stp.example.gov.vn/tc/", jobs=1))
    parallel = build_all(build_options(AGENCIES, two, site_url="https://stp.example.gov.vn/tc/", jobs=2))
    assert parallel.built == report.built and len(report.built) > 2
    assert _digest(two) == _digest(one)


@pytest.mark.slow
def test_a_worker_that_fails_fails_the_build_with_its_messages(tmp_path: Path, monkeypatch):
    agencies = tmp_path / "agencies"
    for agency_id in ("so-a", "so-b", "so-c"):
        write_agency(agencies, agency_id)
    out = tmp_path / "site"

    def refuse(self, bundle, site_url, writer, extra, **options):
        if writer.root.name == "so-b":  # in whichever worker builds so-b
            raise BuildFailed(["so-b: simulated failure"])

    monkeypatch.setattr(mkdocs_adapter.SiteBuilder, "build", refuse)
    with pytest.raises(BuildFailed) as raised:
        build_all(build_options(agencies, out, jobs=2))
    assert raised.value.messages == ["so-b: simulated failure"]
    assert not out.exists()


@pytest.mark.slow
def test_the_report_written_beside_the_bundles_fails_the_build_with_its_messages(tmp_path: Path, monkeypatch):
    """With --jobs > 1 the supervision report is written by a process of its own while the bundles
    are built: its failure is the build's, with its messages, and no site is published."""
    agencies = tmp_path / "agencies"
    for agency_id in ("so-a", "so-b"):
        write_agency(agencies, agency_id)
    out = tmp_path / "site"
    parent = os.getpid()

    def refuse(*_args, **_kwargs):
        raise BuildFailed([f"report: simulated failure in another process: {os.getpid() != parent}"])

    monkeypatch.setattr(supervision, "write", refuse)
    with pytest.raises(BuildFailed) as raised:
        build_all(build_options(agencies, out, jobs=2))
    assert raised.value.messages == ["report: simulated failure in another process: True"]
    assert not out.exists()


def _inode(path: Path) -> int:
    return path.stat().st_ino


@pytest.mark.slow
def test_the_portal_writes_its_theme_files_before_the_bundles_that_link_them_and_its_pages_after(tmp_path: Path):
    # The portal's pages are rendered while Pagefind makes its index, after the bundles; its theme files
    # are written first, and every bundle's are the same files (one copy on disk per site).
    agencies, out = tmp_path / "agencies", tmp_path / "site"
    for agency_id in ("so-a", "so-b"):
        write_agency(agencies, agency_id)
    build_all(build_options(agencies, out))
    theme = sorted(p.relative_to(ROOT / "theme").as_posix() for p in (ROOT / "theme" / "assets").rglob("*") if p.is_file())
    assert theme
    for path in theme:
        portal_file = out / path
        assert portal_file.read_bytes() == (ROOT / "theme" / path).read_bytes(), path
        assert all(_inode(out / agency_id / path) == _inode(portal_file) for agency_id in ("so-a", "so-b")), path
    assert "so-a/" in (out / "index.html").read_text(encoding="utf-8")  # the portal's page, written after them


@pytest.mark.slow
def test_an_unchanged_bundle_is_neither_rebuilt_nor_copied_and_a_changed_one_alone_is_rebuilt(tmp_path: Path):
    agencies, content, out = tmp_path / "agencies", tmp_path / "content", tmp_path / "site"
    for agency_id in ("so-a", "so-b", "so-c"):
        write_agency(agencies, agency_id)
    shutil.copytree(ROOT / "content", content)
    options = build_options(agencies, out, content_dir=content)
    first = build_all(options)
    assert first.built == ["so-a", "so-b", "so-c"] and first.reused == []
    before, catalog = _digest(out), out / "so-b" / "catalog.csv"
    inode = _inode(catalog)

    again = build_all(options)
    assert again.built == [] and again.reused == ["so-a", "so-b", "so-c"]
    assert _digest(out) == before  # byte-identical
    assert _inode(catalog) == inode  # the same file, linked into the new site: not copied

    (agencies / "so-b.yaml").write_text((agencies / "so-b.yaml").read_text(encoding="utf-8").replace(
        "name: Sở Thử nghiệm", "name: Sở Thử nghiệm mới"), encoding="utf-8")
    changed = build_all(options)
    assert changed.built == ["so-b"] and changed.reused == ["so-a", "so-c"]
    after = _digest(out)
    for path, digest in before.items():
        if path.startswith(("so-a/", "so-c/")):
            assert after[path] == digest, path
    assert after["so-b/index.html"] != before["so-b/index.html"]

    (content / "quyen-tiep-can-thong-tin.md").write_text("# Quyền { #quyen }\n\nĐã sửa.\n", encoding="utf-8")
    assert build_all(options).built == ["so-a", "so-b", "so-c"]  # a shared input changed: every bundle
    assert build_all(build_options(agencies, out, content_dir=content, force=True)).built == ["so-a", "so-b", "so-c"]
    next_day = build_options(agencies, out, content_dir=content, build_date=BUILD_DATE.replace(day=24))
    assert build_all(next_day).reused == ["so-a", "so-b", "so-c"]  # nothing on their pages depends on the day


def test_an_attachment_rewritten_in_place_rebuilds_its_bundle_even_with_its_size_and_time_kept(tmp_path, monkeypatch):
    """Attachments are known by their digests between builds (not read again while unchanged): a
    file rewritten with the same size and modification time is still seen to have changed."""
    monkeypatch.setattr(FileDigests, "_SETTLED_NS", -(10**12))  # files written here count as old ones
    agencies, out = tmp_path / "agencies", tmp_path / "site"
    write_agency(agencies, "so-a", MINIMAL_AGENCY.format(id="so-a") + textwrap.dedent("""\
        regulation:
          title: Quy chế cung cấp thông tin
          issued: 2018-06-25
          file: files/quy-che.pdf
        """))
    write_agency(agencies, "so-b")
    pdf = agencies / "so-a" / "files" / "quy-che.pdf"
    pdf.parent.mkdir(parents=True)
    pdf.write_bytes(b"%PDF-1.7 ban mot")
    build_all(build_options(agencies, out))
    assert build_all(build_options(agencies, out, site_url="https://example.gov.vn/")).reused == []  # other inputs
    stat = pdf.stat()
    pdf.write_bytes(b"%PDF-1.7 ban hai")
    os.utime(pdf, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    again = build_all(build_options(agencies, out, site_url="https://example.gov.vn/"))
    assert again.built == ["so-a"] and again.reused == ["so-b"]
    assert b"ban hai" in next(out.glob("so-a/**/quy-che*.pdf")).read_bytes()


DATED_AGENCY = MINIMAL_AGENCY.format(id="so-han") + textwrap.dedent("""\
    review_months: 12
    catalog:
      - id: con-han
        title: Kế hoạch còn thời hạn công khai
        created: 2026-10-01
        clause: d
        forms: [portal]
        disclosed: 2026-10-02
        until: 2026-12-15
    """)


def _bundles(digest: dict[str, str]) -> dict[str, str]:
    """A site's files without the portal's and without each bundle's build record (it names the build date)."""
    return {path: value for path, value in digest.items() if "/" in path and not path.endswith("/tiepcan.json")
            and not path.startswith(("bao-cao/", "pagefind/", "assets/"))}


@pytest.mark.slow
def test_a_bundle_built_another_day_is_the_same_bundle_until_the_date_changes_what_it_says(tmp_path: Path):
    agencies, out, elsewhere = tmp_path / "agencies", tmp_path / "site", tmp_path / "elsewhere"
    write_agency(agencies, "so-han", DATED_AGENCY)
    write_agency(agencies, "so-b")
    build_all(build_options(agencies, out))
    before = _bundles(_digest(out))

    a_week_later = BUILD_DATE + dt.timedelta(days=7)
    assert build_all(build_options(agencies, out, build_date=a_week_later)).reused == ["so-b", "so-han"]
    build_all(build_options(agencies, elsewhere, build_date=a_week_later))  # built afresh on the other day
    assert _bundles(_digest(elsewhere)) == before

    expired = build_all(build_options(agencies, out, build_date=dt.date(2026, 12, 16)))
    assert expired.built == ["so-han"] and expired.reused == ["so-b"]  # its entry's disclosure period ended
    assert 'id="het-thoi-han"' in (out / "so-han" / "danh-muc-cong-khai.html").read_text(encoding="utf-8")
    overdue = build_all(build_options(agencies, out, build_date=dt.date(2027, 10, 3)))
    assert "so-han" in overdue.built  # a year after its last change, its review is overdue:
    notice = load_messages("vi").text("ui.freshness.overdue_title")
    assert notice in (out / "so-han" / "danh-muc-cong-khai.html").read_text(encoding="utf-8")


@pytest.mark.slow
def test_a_build_of_the_same_inputs_the_same_day_leaves_the_site_as_it_is_without_reading_an_agency(
        tmp_path: Path, monkeypatch):
    agencies, out = tmp_path / "agencies", tmp_path / "site"
    write_agency(agencies, "so-a")
    write_agency(agencies, "so-b", MINIMAL_AGENCY.format(id="so-b") + textwrap.dedent("""\
        catalog:
          - {id: noi-bo, title: Báo cáo nội bộ, created: 2024-01-02, clause: d, forms: [portal], disclosed: 2024-01-03,
             access: internal}
        """))
    first = build_all(build_options(agencies, out))
    assert [d.code for d in first.diagnostics] == ["withheld_entry"]  # a note: the site is published
    before, inode = _digest(out), _inode(out / "index.html")

    def no_reading(*_args, **_kwargs):
        raise AssertionError("the agency files were read again")

    with monkeypatch.context() as patch:
        patch.setattr("generator.build.check_paths", no_reading)
        again = build_all(build_options(agencies, out))
    assert again.built == [] and again.reused == ["so-a", "so-b"] and again.entries == first.entries
    assert again.diagnostics == first.diagnostics  # its notes said again, word for word
    assert [(d.params, d.severity) for d in again.diagnostics] == [(d.params, d.severity) for d in first.diagnostics]
    assert _digest(out) == before and _inode(out / "index.html") == inode  # not even published again

    (agencies / "tep").mkdir()
    (agencies / "tep" / "ghi-chu.txt").write_text("một tệp mới bên cạnh", encoding="utf-8")
    assert build_all(build_options(agencies, out)).reused == ["so-a", "so-b"]  # built again: bundles reused
    assert _inode(out / "index.html") != inode
    for changed in (build_options(agencies, out, build_date=BUILD_DATE + dt.timedelta(days=1)),
                    build_options(agencies, out, force=True), build_options(agencies, out, only=("so-a",))):
        inode = _inode(out / "index.html")
        build_all(changed)
        assert _inode(out / "index.html") != inode, changed  # another day, --force, --agency: a build


def test_a_theme_file_added_between_two_builds_of_one_process_is_published(tmp_path: Path):
    """`tiepcan serve` builds many times in one process: what it keeps of the theme follows theme/."""
    project, agencies, out = tmp_path / "project", tmp_path / "agencies", tmp_path / "site"
    project.mkdir()
    shutil.copy(ROOT / "mkdocs.yml", project / "mkdocs.yml")
    shutil.copytree(ROOT / "theme", project / "theme")
    write_agency(agencies, "so-a")
    options = build_options(agencies, out, config=project / "mkdocs.yml")
    build_all(options)
    assert not (out / "so-a" / "assets" / "moi.css").exists()
    (project / "theme" / "assets" / "moi.css").write_text("/* mới */\n", encoding="utf-8")
    build_all(options)
    assert (out / "so-a" / "assets" / "moi.css").read_text(encoding="utf-8") == "/* mới */\n"


def test_the_portal_index_is_reused_while_its_records_are_the_same(tmp_path: Path):
    agencies, out = tmp_path / "agencies", tmp_path / "site"
    write_agency(agencies, "so-a")
    write_agency(agencies, "so-b", MINIMAL_AGENCY.format(id="so-b") + 'brand_color: "#1a4d8f"\n')
    options = build_options(agencies, out)
    build_all(options)
    index, entry = out / "pagefind", out / "pagefind" / "pagefind-entry.json"
    before, inode = _digest(index), _inode(entry)

    # The header's colour: the bundle changes, no word of any search record does, nor the portal index.
    (agencies / "so-b.yaml").write_text((agencies / "so-b.yaml").read_text(encoding="utf-8").replace(
        "#1a4d8f", "#1b4e8f"), encoding="utf-8")
    assert build_all(options).built == ["so-b"]
    assert _digest(index) == before and _inode(entry) == inode  # linked from the published portal

    (agencies / "so-b.yaml").write_text((agencies / "so-b.yaml").read_text(encoding="utf-8").replace(
        "name: Sở Thử nghiệm", "name: Sở Khảo sát"), encoding="utf-8")
    build_all(options)
    assert _digest(index) != before
    fresh = tmp_path / "fresh"
    build_all(build_options(agencies, fresh))
    assert _digest(fresh / "pagefind") == _digest(index)  # what is reused is what would be made


TWO_ENTRIES = """\
catalog:
  - {id: ke-hoach, title: Kế hoạch cải cách hành chính, created: 2024-01-02, clause: a, forms: [portal], disclosed: 2024-01-05}
  - {id: bao-cao, title: Báo cáo tình hình kinh tế, created: 2024-02-02, clause: a, forms: [portal], disclosed: 2024-02-05}
"""


def test_a_rebuilt_index_links_the_files_it_had_and_equals_a_fresh_one(tmp_path: Path):
    """Pagefind names its files by their contents: after a change, the files of the bundle's and the
    portal's indexes that stay the same are the published ones, linked (not written again), and
    each index is still byte for byte what a fresh build makes."""
    agencies, out = tmp_path / "agencies", tmp_path / "site"
    write_agency(agencies, "so-a")
    write_agency(agencies, "so-b", MINIMAL_AGENCY.format(id="so-b") + TWO_ENTRIES)
    options = build_options(agencies, out)
    build_all(options)

    def inodes(folder: Path) -> dict[str, int]:
        return {p.relative_to(folder).as_posix(): _inode(p) for p in sorted(folder.rglob("*")) if p.is_file()}

    folders = (out / "pagefind", out / "so-b" / "pagefind")
    before = [inodes(folder) for folder in folders]
    source = agencies / "so-b.yaml"
    source.write_text(source.read_text(encoding="utf-8").replace("tình hình kinh tế", "tình hình xã hội"), encoding="utf-8")
    assert build_all(options).built == ["so-b"]
    for folder, was in zip(folders, before, strict=True):
        now = inodes(folder)
        kept = {path for path, inode in now.items() if was.get(path) == inode}
        assert {p for p in kept if p.startswith("fragment/")}, folder  # the unchanged records' files
        assert set(now) - kept, folder  # and new files for what changed
    fresh = tmp_path / "fresh"
    build_all(build_options(agencies, fresh))
    assert _digest(fresh / "pagefind") == _digest(out / "pagefind")
    assert _digest(fresh / "so-b") == _digest(out / "so-b")


def _file_bytes(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


def test_serve_swaps_in_a_changed_bundle_before_the_portal_then_the_full_build_catches_up(tmp_path: Path):
    """`tiepcan serve` after a save: first the bundles whose inputs changed (the clerk's page is fresh),
    the portal as it was; then the full build, which gives what a build from scratch gives."""
    agencies, site = tmp_path / "agencies", tmp_path / "site"
    edited = write_agency(agencies, "so-thu")
    write_agency(agencies, "so-khac")
    build_all(build_options(agencies, site))
    before = _file_bytes(site)
    edited.write_text(MINIMAL_AGENCY.format(id="so-thu").replace("name: Sở Thử nghiệm", "name: Sở Đã Đổi Tên"),
                      encoding="utf-8")

    first = build_all(build_options(agencies, site, bundles_first=True))
    assert first.built == ["so-thu"] and first.reused == ["so-khac"]
    now = _file_bytes(site)
    assert "Sở Đã Đổi Tên" in (site / "so-thu" / "index.html").read_text(encoding="utf-8")
    assert {path: data for path, data in now.items() if not path.startswith("so-thu/")} == {
        path: data for path, data in before.items() if not path.startswith("so-thu/")}  # the portal as it was

    build_all(build_options(agencies, site))
    assert "Sở Đã Đổi Tên" in (site / "index.html").read_text(encoding="utf-8")
    fresh = tmp_path / "fresh"
    build_all(build_options(agencies, fresh))
    assert _file_bytes(site) == _file_bytes(fresh)


def test_with_nothing_published_the_first_pass_builds_the_whole_site(tmp_path: Path):
    agencies = tmp_path / "agencies"
    write_agency(agencies, "so-thu")
    build_all(build_options(agencies, tmp_path / "site", bundles_first=True))
    assert (tmp_path / "site" / "index.html").is_file() and (tmp_path / "site" / "pagefind" / "pagefind.js").is_file()


def test_a_build_leaves_the_garbage_collector_as_it_found_it(tmp_path):
    # The build freezes the validated models and reads records back without collections; `tiepcan
    # serve` builds again and again in one process, and must be able to collect what a build dropped.
    import gc

    from generator.build import UnknownAgency
    from generator.validate import check_paths

    write_agency(tmp_path / "agencies")
    with pytest.raises(UnknownAgency):  # raised after the models were frozen
        build_all(build_options(tmp_path / "agencies", tmp_path / "site", only=("khong-co",)))
    assert gc.isenabled() and gc.get_freeze_count() == 0
    assert check_paths([tmp_path / "agencies"]).ok and gc.isenabled()
