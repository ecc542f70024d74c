"""Search as citizens use it, in real Chromium against the built demo served over HTTP (issue #4).

The query set (tests/data/search_queries.yaml) is measured with recall@5 and MRR; the browser page is
reused across queries so the whole set runs on one loaded index per search page.
"""

from __future__ import annotations

import html
import unicodedata
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

from generator.index import expansions, fold_d
from tests.conftest import AGENCIES, ROOT

QUERIES = yaml.safe_load((ROOT / "tests" / "data" / "search_queries.yaml").read_text(encoding="utf-8"))
INDEX_FILES = "/pagefind/"


def unaccented(text: str) -> str:
    """What a phone keyboard without Vietnamese input gives: no tone or vowel marks, đ as d."""
    decomposed = unicodedata.normalize("NFD", fold_d(text))
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if not unicodedata.combining(c)))


# --- Indexing rules (no browser) -------------------------------------------------------------------

def test_đ_is_folded_to_d_and_nothing_else_changes():
    assert fold_d("Đăng ký đường Đồng Xoài") == "Dăng ký dường Dồng Xoài"


def test_abbreviations_match_both_ways():
    assert "Ủy ban nhân dân" in expansions("305/KH-UBND")
    assert "Kế hoạch" in expansions("305/KH-UBND")
    assert "UBND" in expansions("Ủy ban nhân dân tỉnh Bình Phước")
    assert "QĐ" in expansions("Quyết định về việc ban hành")
    assert "Nghị định của Chính phủ" in expansions("13/2018/NĐ-CP")


def test_document_numbers_are_indexed_whole_and_in_parts():
    assert "1408 QĐ TTg 1408QĐTTg" in expansions("Quyết định 1408/QĐ-TTg")
    assert "13 2018 NĐ CP 132018NĐCP" in expansions("13/2018/NĐ-CP")


def test_the_same_records_give_byte_identical_index_files():
    from generator.index import Record, index_files

    records = [Record(url=f"danh-muc-cong-khai.html#muc-{i}", title=f"Kế hoạch số {i}", text=f"Kế hoạch {i}/KH-UBND")
               for i in range(30)]
    files = index_files(records)
    assert {"pagefind.js", "pagefind-entry.json"} <= {path for path, _ in files}
    assert files == index_files(records)


def test_an_index_made_while_the_build_goes_on_equals_one_made_at_once_and_asks_meanwhile_get_their_own_answers():
    # The portal's index is made by Pagefind while the portal's pages are rendered (build.py); an index
    # asked for meanwhile (tiepcan serve's next build in the same process) must not take its answers.
    from generator.index import Record, _index_files, index_files

    big = [Record(url=f"a{i}/index.html", title=f"Sở {i}", text=" ".join(f"tu{i}x{j}" for j in range(300)))
           for i in range(400)]
    small = [Record(url="danh-muc-cong-khai.html#muc-1", title="Kế hoạch số 1", text="Kế hoạch 1/KH-UBND")]
    pending = _index_files(big, later=True)
    meanwhile = index_files(small)
    assert pending() == index_files(big)
    assert meanwhile == index_files(small)


def test_a_rebuilt_index_links_only_files_of_the_replaced_index_reached_without_a_link(tmp_path: Path):
    from generator.index import INDEX_DIR, Record, write_index
    from generator.writer import BundleWriter

    records = [Record(url=f"danh-muc-cong-khai.html#muc-{i}", title=f"Kế hoạch số {i}", text=f"Kế hoạch {i}") for i in range(5)]
    write_index(records, BundleWriter(tmp_path / "published"))
    elsewhere = tmp_path / "elsewhere"
    (tmp_path / "published").rename(elsewhere)
    (tmp_path / "published").symlink_to(elsewhere)  # the same files, reached through a link
    for replaced, linked in ((elsewhere / INDEX_DIR, True), (tmp_path / "published" / INDEX_DIR, False)):
        new = BundleWriter(tmp_path / f"new-{linked}")
        write_index(records, new, replaced)
        fragments = sorted((new.root / INDEX_DIR / "fragment").iterdir())
        assert fragments and all((f.stat().st_ino == (replaced / "fragment" / f.name).stat().st_ino) == linked for f in fragments)


def test_the_portal_leaves_out_words_most_agencies_share(tmp_path: Path, monkeypatch):
    from generator import index
    from generator.i18n import load_messages
    from generator.regime import regime_ids
    from generator.validate import check_paths
    from tests.conftest import write_agency

    for number in range(4):
        write_agency(tmp_path, f"so-thu-{number}")
    models = [a.model for a in check_paths([tmp_path], regime_ids()).agencies]
    documents = {m.id: list(index.vocabulary([index.Record(url="", title="Kế hoạch chung", text=f"Kế hoạch chung riêng{m.id[-1]}")]))
                 for m in models}
    monkeypatch.setattr(index, "COMMON_WORD_MIN", 1)
    words = [set(r.text.split()) for r in index.directory_records(models, documents, load_messages("vi"))]
    assert all("hoạch" not in w and index.EVERY_AGENCY in w for w in words)  # in all 4: left out
    assert [sorted(w for w in ws if w.startswith("riêng")) for ws in words] == [["riêng0"], ["riêng1"], ["riêng2"], ["riêng3"]]


def test_a_portal_index_in_parts_makes_again_only_the_part_of_a_changed_agency(tmp_path: Path):
    from generator import index, layout
    from generator.i18n import load_messages
    from generator.regime import regime_ids
    from generator.validate import check_paths
    from generator.writer import BundleWriter
    from tests.conftest import write_agency

    ids = [f"so-thu-{number}" for number in range(6)]
    for agency_id in ids:
        write_agency(tmp_path / "agencies", agency_id)
    models = [a.model for a in check_paths([tmp_path / "agencies"], regime_ids()).agencies]

    def built(name: str, documents: dict[str, list[str]], previous: Path | None = None) -> dict[str, int]:
        writer = BundleWriter(tmp_path / name)
        index.index_portal(models, documents, writer, load_messages("vi"), previous, count=4)()
        return {path: (tmp_path / name / path).stat().st_ino for path in writer.written}

    first = built("first", {agency_id: [f"riêng{agency_id[-1]}"] for agency_id in ids})
    changed = ids[0]
    second = built(
        "second",
        {agency_id: [f"riêng{agency_id[-1]}", *["mới"] * (agency_id == changed)] for agency_id in ids},
        tmp_path / "first",
    )
    part = layout.stable_bucket(changed, 4)
    folders = {k: f"pagefind/{layout.portal_index_part(k)}" for k in range(4)}

    def files_of(k: int, inodes: dict[str, int]) -> dict[str, int]:
        inside = {p: i for p, i in inodes.items() if p.startswith(folders[k])}
        return {p: i for p, i in inside.items() if k or not p.startswith("pagefind/parts/")}

    for k in range(4):
        assert f"{folders[k]}{index.PORTAL_RECORD}" in files_of(k, first)
        assert (files_of(k, second) == files_of(k, first)) is (k != part), k  # the same files, hard-linked
    assert "pagefind/pagefind.js" in first and not [
        p for p in first if p.startswith("pagefind/parts/") and p.endswith(".js")
    ]


def test_material_lunr_search_is_gone(demo_site: Path):
    assert not list(demo_site.rglob("search_index.json"))
    for page in [demo_site / "index.html", demo_site / "bo-mau" / "danh-muc-cong-khai.html"]:
        text = page.read_text(encoding="utf-8")
        assert "search_index" not in text and "lunr" not in text
        assert "tim-kiem.html" in text  # the search page is in every page's navigation


def test_every_bundle_and_the_portal_have_an_index_and_a_search_page(demo_site: Path):
    bundles = [demo_site] + [demo_site / p.stem for p in sorted(AGENCIES.glob("*.yaml"))]
    for bundle in bundles:
        assert (bundle / "tim-kiem.html").is_file(), bundle
        assert (bundle / "pagefind" / "pagefind-entry.json").is_file(), bundle
        assert not (bundle / "pagefind" / "pagefind-ui.js").exists()  # Pagefind's own UIs are not shipped
        assert (bundle / "pagefind" / "pagefind-worker.js").is_file(), bundle  # the page searches in it
    # Pagefind's script, worker and WebAssembly are the same in every index: on disk once per build
    # process (the demo is built in one).
    for name in ("pagefind.js", "pagefind-worker.js", "wasm.unknown.pagefind"):
        assert len({(bundle / "pagefind" / name).stat().st_ino for bundle in bundles}) == 1, name


def test_search_adds_no_inline_script(demo_site: Path):
    """Material's own inline scripts are issue #6's (CSP) business; search's code is an external file."""
    import re

    for page in [demo_site / "tim-kiem.html", demo_site / "bo-mau" / "tim-kiem.html"]:
        article = page.read_text(encoding="utf-8").split("<article", 1)[1].split("</article>", 1)[0]
        scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", article, re.S)
        assert any("tc-search.js" in attrs for attrs, _ in scripts)
        assert all("src=" in attrs and not body.strip() for attrs, body in scripts), scripts


def test_every_catalog_result_points_at_an_existing_row(demo_site: Path):
    import re

    for agency_yaml in sorted(AGENCIES.glob("*.yaml")):
        agency = yaml.safe_load(agency_yaml.read_text(encoding="utf-8"))
        bundle = demo_site / agency["id"]
        for page, entries in (("danh-muc-cong-khai.html", agency.get("catalog", [])),
                              ("danh-muc-co-dieu-kien.html", agency.get("conditional_catalog", []))):
            ids = {html.unescape(i) for i in re.findall(r'\bid="([^"]+)"', (bundle / page).read_text(encoding="utf-8"))}
            assert {e["id"] for e in entries} <= ids, (agency["id"], page)


# --- In the browser ---------------------------------------------------------------------------------

class SearchPage:
    """One browser tab on a search page; a query is typed, submitted, and the result links read."""

    def __init__(self, page, base_url: str):
        self.page = page
        self.base = base_url
        self.scope: str | None = None

    def open(self, scope: str) -> None:
        if scope != self.scope:
            self.page.goto(self.base + ("tim-kiem.html" if scope == "portal" else f"{scope}/tim-kiem.html"))
            self.scope = scope

    def ask(self, scope: str, query: str, **filters: str) -> list[str]:
        """Links of the document results, in order, relative to the site root."""
        self.open(scope)
        if filters:  # a filter chosen with a query in the field searches that query at once: not this one
            self.page.fill("#tc-search-q", "")
        for key, value in filters.items():
            self.page.select_option(f"#tc-filter-{key}", value)
        self.page.fill("#tc-search-q", query)
        self.page.press("#tc-search-q", "Enter")
        self.page.wait_for_selector(".tc-search[data-state=done]", timeout=15000)
        hrefs = self.page.eval_on_selector_all(".tc-search__documents a", "links => links.map(a => a.href)")
        return [urlsplit(h).path.lstrip("/") + (f"#{urlsplit(h).fragment}" if urlsplit(h).fragment else "") for h in hrefs]


@pytest.fixture(scope="module")
def search(chromium, demo_url):
    page = chromium.new_page()
    yield SearchPage(page, demo_url)
    page.close()


def _expected(case: dict) -> set[str]:
    prefix = "" if case["scope"] == "portal" else case["scope"] + "/"
    return {prefix + e for e in case["expect"]}


def _rank(links: list[str], expected: set[str]) -> int | None:
    return next((i + 1 for i, link in enumerate(links) if link in expected), None)


@pytest.mark.slow
@pytest.mark.browser
def test_query_set_recall_and_unaccented_queries_find_the_same_first_result(search):
    assert len(QUERIES) >= 60
    runs: list[tuple[str, str, list[str], set[str]]] = []  # (type, query, links, expected)
    mismatched = []
    for case in QUERIES:
        expected = _expected(case)
        links = search.ask(case["scope"], case["q"])
        runs.append((case["type"], case["q"], links, expected))
        plain = unaccented(case["q"])
        if plain != case["q"]:
            plain_links = search.ask(case["scope"], plain)
            runs.append(("unaccented", plain, plain_links, expected))
            if links[:1] != plain_links[:1]:
                mismatched.append((case["q"], links[:1], plain, plain_links[:1]))
    ranks = [_rank(links, expected) for _, _, links, expected in runs]
    recall = sum(1 for r in ranks if r is not None and r <= 5) / len(ranks)
    mrr = sum(1 / r for r in ranks if r is not None) / len(ranks)
    lines = [f"search query set: {len(runs)} queries, recall@5 = {recall:.3f}, MRR = {mrr:.3f}"]
    for kind in sorted({k for k, *_ in runs}):
        kind_ranks = [r for (k, *_), r in zip(runs, ranks) if k == kind]
        lines.append(f"  {kind:13} n={len(kind_ranks):3} recall@5={sum(1 for r in kind_ranks if r and r <= 5) / len(kind_ranks):.3f}"
                     f" MRR={sum(1 / r for r in kind_ranks if r) / len(kind_ranks):.3f}")
    misses = [(q, links[:5]) for (_, q, links, _), r in zip(runs, ranks) if r is None or r > 5]
    lines += [f"  miss: {q!r} → {top}" for q, top in misses]
    print("\n".join(lines))
    assert recall >= 0.95, "\n".join(lines)
    assert mismatched == []


@pytest.mark.slow
@pytest.mark.browser
def test_portal_search_filtered_to_one_agency_returns_only_its_documents(search):
    everywhere = search.ask("portal", "Luật Tiếp cận thông tin")
    assert len({link.split("/")[0] for link in everywhere}) > 1  # the query matches several agencies
    only = search.ask("portal", "Luật Tiếp cận thông tin", agency="so-tu-phap-binh-phuoc")
    assert only and all(link.startswith("so-tu-phap-binh-phuoc/") for link in only)
    assert "so-tu-phap-binh-phuoc/danh-muc-cong-khai.html#luat-104-2016" in only[:5]
    search.page.select_option("#tc-filter-agency", "")


@pytest.mark.slow
@pytest.mark.browser
def test_portal_search_filters_by_parent_and_by_kind(search):
    under_province = search.ask("portal", "dự toán", parent="ubnd-tinh-binh-phuoc")
    assert under_province and {link.split("/")[0] for link in under_province} <= {"so-tu-phap-binh-phuoc", "xa-mau"}
    search.page.select_option("#tc-filter-parent", "")
    schools = search.ask("portal", "dữ liệu mẫu", kind="public_service_unit")
    assert schools and {link.split("/")[0] for link in schools} == {"truong-mau"}
    search.page.select_option("#tc-filter-kind", "")


@pytest.mark.slow
@pytest.mark.browser
def test_nothing_of_search_is_fetched_before_the_field_is_used(chromium, demo_url):
    page = chromium.new_page()
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    for path in ["index.html", "bo-mau/index.html", "bo-mau/danh-muc-cong-khai.html"]:
        page.goto(demo_url + path)
    assert not [u for u in requests if INDEX_FILES in u or "tc-search" in u]
    page.goto(demo_url + "bo-mau/tim-kiem.html")
    page.wait_for_load_state("networkidle")
    assert not [u for u in requests if INDEX_FILES in u]
    page.focus("#tc-search-q")
    page.wait_for_function("() => performance.getEntriesByType('resource').some(e => e.name.includes('/pagefind/'))")
    assert [u for u in requests if u.endswith("/bo-mau/pagefind/pagefind.js")]
    page.close()


@pytest.mark.slow
@pytest.mark.browser
def test_results_are_announced_and_reachable_by_keyboard(chromium, demo_url):
    page = chromium.new_page()
    page.goto(demo_url + "ubnd-tinh-binh-phuoc/tim-kiem.html")
    label = page.eval_on_selector("label[for=tc-search-q]", "l => l.textContent")
    assert label.strip()
    assert page.get_attribute(".tc-search__status", "aria-live") == "polite"
    page.focus("#tc-search-q")
    page.keyboard.type("305/KH-UBND")
    page.keyboard.press("Enter")
    page.wait_for_selector(".tc-search[data-state=done]")
    assert "305/KH-UBND" in page.text_content(".tc-search__status")
    for _ in range(5):  # from the field: the button, then the first result
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.closest('.tc-search__documents') !== null"):
            break
    assert page.evaluate("document.activeElement.tagName") == "A"
    page.keyboard.press("Enter")
    page.wait_for_url("**/danh-muc-cong-khai.html#kh-305-2016")
    assert page.evaluate("document.getElementById('kh-305-2016') !== null")
    page.close()


@pytest.mark.slow
@pytest.mark.browser
def test_without_javascript_the_box_is_replaced_by_links(chromium, demo_url):
    context = chromium.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(demo_url + "so-tu-phap-binh-phuoc/tim-kiem.html")
    assert not page.is_visible("#tc-search-q")
    hrefs = page.eval_on_selector_all(".tc-search__fallback a", "links => links.map(a => a.getAttribute('href'))")
    assert hrefs == ["danh-muc-cong-khai.html", "index.html"]
    context.close()


@pytest.mark.slow
@pytest.mark.browser
def test_opened_from_a_file_the_page_says_search_needs_a_server(chromium, demo_site):
    page = chromium.new_page()
    page.goto((demo_site / "bo-mau" / "tim-kiem.html").as_uri())
    page.wait_for_load_state("load")
    assert "file://" in page.text_content(".tc-search__why")
    assert page.is_visible(".tc-search__fallback a")
    assert not page.is_visible("#tc-search-q")
    page.close()


@pytest.mark.slow
@pytest.mark.browser
def test_search_works_under_a_sub_path(chromium, demo_site):
    from tests.servers import static_server

    with static_server(demo_site.parent) as url:  # the site is now at /site/, as under any sub-path
        search = SearchPage(chromium.new_page(), url + demo_site.name + "/")
        assert "site/bo-mau/danh-muc-cong-khai.html#tt-01-2024" in search.ask("bo-mau", "01/2024/TT-BMAU")
        assert "site/truong-mau/danh-muc-cong-khai.html#hoc-phi-2026-2027" in search.ask("portal", "học phí")
        search.page.close()


@pytest.fixture(scope="module")
def parted_url(tmp_path_factory):
    """The demo built with its portal index in 4 parts: for its 6 agencies, some hold no agency (only
    the record of every scope word)."""
    from generator.build import build_all
    from tests.conftest import DEMO_SITE_URL, build_options
    from tests.servers import static_server

    out = tmp_path_factory.mktemp("parted") / "site"
    build_all(build_options(AGENCIES, out, site_url=DEMO_SITE_URL, portal_index_parts=4))
    assert sorted(p.name for p in (out / "pagefind" / "parts").iterdir()) == ["1", "2", "3"]
    with static_server(out) as url:
        yield url


@pytest.mark.slow
@pytest.mark.browser
def test_a_portal_index_in_parts_answers_as_one_index_does(chromium, search, parted_url):
    """Each part scores its agencies by its own word statistics (here, parts of 1 or 2 agencies: as
    unlike the whole as parts can be), so which agencies come after the first may differ; what a citizen
    looks for may not: the first result, the expected result in the first five, and the scope."""
    parted = SearchPage(chromium.new_page(), parted_url)
    for case in [case for case in QUERIES if case["scope"] == "portal"]:
        links, one_index = parted.ask("portal", case["q"]), search.ask("portal", case["q"])
        assert links[:1] == one_index[:1] and (_rank(links, _expected(case)) or 6) <= 5, (case, links)
    scoped = [
        ("parent", "ubnd-tinh-binh-phuoc", "dự toán", {"so-tu-phap-binh-phuoc", "xa-mau"}),
        ("kind", "public_service_unit", "dữ liệu mẫu", {"truong-mau"}),
        ("kind", "commune_peoples_committee", "kế hoạch", {"xa-mau"}),
        ("agency", "so-tu-phap-binh-phuoc", "Luật Tiếp cận thông tin", {"so-tu-phap-binh-phuoc"}),
    ]
    for key, value, query, within in scoped:
        links = parted.ask("portal", query, **{key: value})
        assert links and {link.split("/")[0] for link in links} <= within, (key, value, links)
        assert links[:1] == search.ask("portal", query, **{key: value})[:1]
        for page in (parted.page, search.page):
            page.select_option(f"#tc-filter-{key}", "")
    parted.page.close()
