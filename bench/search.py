"""Search at national scale: tiepcan's Pagefind indexes vs Material's built-in (lunr) search, same pages.

    .venv/bin/python -m bench.search [--agencies 5000] [--entries 20] [--workdir DIR]

Not a test: prints figures. Steps, all on a synthetic corpus from bench/corpus.py (groups of 100
agencies under one parent, so the portal's parent filter has something to do):
1. tiepcan index stage (generator/index.py): one Pagefind index per agency bundle (its catalog rows;
   pages are not built here: 5,000 MkDocs builds would take over an hour) plus the portal's agency
   directory; wall time, size on disk.
2. Material: the same catalog pages (rendered by tiepcan's templates, converted by Python-Markdown with
   mkdocs.yml's extensions) fed to Material's own SearchIndex class — the search_index.json a
   per-agency bundle would carry, and the one a single portal-wide Material site would carry.
   Material fetches its index (plus worker and lunr files) on every first page view.
3. Chromium on the real portal search page (MkDocs-built), served over HTTP on 127.0.0.1: bytes of
   every search file fetched (uncompressed: the test server does not compress) for a cold first query
   in a fresh browser context, then a warm second query on the same page.
"""

from __future__ import annotations

import argparse
import gzip
import json
import statistics
import shutil
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.corpus import write_synthetic_agency  # noqa: E402
from generator import index, layout, mkdocs_adapter, regime as regimes  # noqa: E402
from generator.build import _theme_values  # noqa: E402
from generator.i18n import load_messages  # noqa: E402
from generator.render import AgencyRenderer, render_portal  # noqa: E402
from generator.validate import check_paths  # noqa: E402
from generator.writer import BundleWriter  # noqa: E402
from tests.servers import CHROMIUM_ARGS, chromium_path, static_server  # noqa: E402

QUERIES = [  # (cold first query, warm second query)
    ("đăng ký kết hôn", "dat dai boi thuong"),
    ("305/KH-UBND", "tuyen dung vien chuc"),
    ("Quyết định đường giao thông nông thôn", "QĐ 1408"),
]
BUILD_DATE = __import__("datetime").date(2026, 11, 23)


def du(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def kb(n: float) -> str:
    return f"{n / 1024:,.1f} KB"


def make_corpus(folder: Path, agencies: int, entries: int) -> None:
    for i in range(agencies):
        root = i - i % 100  # agency 0, 100, 200 … lead a group
        write_synthetic_agency(folder, f"co-quan-{i:05d}", entries, seed=i,
                               name=f"{'Ủy ban nhân dân tỉnh' if i == root else 'Sở'} Mẫu số {i} (dữ liệu sinh tự động)",
                               kind="provincial_peoples_committee" if i == root else "department",
                               parent=None if i == root else f"co-quan-{root:05d}")


def tiepcan_index(models, out: Path, portal_writer: BundleWriter, messages) -> dict[str, float]:
    started = time.perf_counter()
    documents: dict[str, list[str]] = {}

    def one(model):
        documents[model.id] = list(index.vocabulary(index.index_agency(model, BundleWriter(out / model.id), None)))

    for model in models:  # one after another: the process's one Pagefind service serves one caller at a time
        one(model)
    agencies_done = time.perf_counter()
    index.index_portal(models, documents, portal_writer, messages)()
    done = time.perf_counter()
    return {"bundles": agencies_done - started, "portal": done - agencies_done, "words": sum(map(len, documents.values()))}


def material_indexes(sources, work: Path, messages) -> dict[str, float]:
    """Material's SearchIndex over each agency's two catalog pages, per agency and all together."""
    from material.plugins.search.plugin import SearchIndex

    config = {"lang": ["vi"], "separator": r"[\s\-]+", "pipeline": ["stopWordFilter"], "fields": {}}
    renderer = AgencyRenderer(messages, ROOT / "content", BUILD_DATE)
    names = {s.model.id: s.model.name for s in sources}
    combined = SearchIndex(**config)
    sizes = []
    started = time.perf_counter()
    catalog_pages = {layout.page_url("catalog"), layout.page_url("conditional_catalog")}
    for source in sources:
        rendered = renderer.render(source, regimes.select(BUILD_DATE, source.model.regime), names)
        own = SearchIndex(**config)
        for value in rendered.pages():
            if value.path not in catalog_pages:
                continue
            url = f"{source.model.id}/{value.path}"
            page = SimpleNamespace(content=str(value.body), toc=[], meta={}, title=value.title, url=url)
            own.add_entry_from_context(page)
            combined.add_entry_from_context(page)
        sizes.append(len(own.generate_search_index(None).encode("utf-8")))
    data = combined.generate_search_index(None).encode("utf-8")
    return {"time": time.perf_counter() - started, "agency_median": statistics.median(sizes),
            "combined": len(data), "combined_gz": len(gzip.compress(data, 6))}


def material_assets() -> int:
    """Worker and lunr files Material's search loads with `language: vi`, beside the index."""
    import material

    js = Path(material.__file__).parent / "templates" / "assets" / "javascripts"
    files = list((js / "workers").glob("search.*.min.js")) + [js / "lunr" / "min" / f"lunr.{n}.min.js" for n in ("stemmer.support", "vi", "multi")]
    return sum(f.stat().st_size for f in files)


def measure_browser(out: Path) -> list[dict]:
    from playwright.sync_api import sync_playwright

    rows = []
    with static_server(out) as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        for cold, warm in QUERIES:
            context = browser.new_context()
            page = context.new_page()
            fetched: list = []
            page.on("requestfinished", lambda request: fetched.append(request))
            page.goto(url + "tim-kiem.html")
            page.wait_for_load_state("networkidle")
            before = [r.url for r in fetched if "/pagefind/" in r.url]
            row = {"cold": cold, "warm": warm, "before_use": len(before)}
            for label, query in (("cold", cold), ("warm", warm)):
                start = 0 if label == "cold" else len(fetched)  # cold counts tc-search.js too
                t = time.perf_counter()
                page.fill("#tc-search-q", query)
                page.press("#tc-search-q", "Enter")
                page.wait_for_selector(".tc-search[data-state=done]", timeout=60000)
                row[f"{label}_s"] = time.perf_counter() - t
                page.wait_for_load_state("networkidle")
                batch = [r for r in fetched[start:] if "/pagefind/" in r.url or "tc-search" in r.url]
                row[f"{label}_bytes"] = sum(len(r.response().body()) for r in batch if r.response())
                row[f"{label}_requests"] = len(batch)
                row[f"{label}_results"] = page.text_content(".tc-search__status")
            rows.append(row)
            context.close()
        browser.close()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--agencies", type=int, default=5000)
    parser.add_argument("--entries", type=int, default=20, help="catalog rows per agency")
    parser.add_argument("--workdir", type=Path, help="keep the corpus and output here (default: a temp dir)")
    args = parser.parse_args()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="tiepcan-bench-search-"))
    agencies_dir, out = work / "agencies", work / "site"
    shutil.rmtree(agencies_dir, ignore_errors=True)
    shutil.rmtree(out, ignore_errors=True)
    messages = load_messages("vi")

    t = time.perf_counter()
    make_corpus(agencies_dir, args.agencies, args.entries)
    result = check_paths([agencies_dir], regimes.regime_ids())
    assert result.ok, result.diagnostics[:3]
    sources = result.agencies
    models = [s.model for s in sources]
    print(f"corpus: {len(models):,} agencies × {args.entries} catalog rows, written and validated in {time.perf_counter() - t:.1f} s", flush=True)

    # The portal pages (one small site): the real search page and its script.
    portal = render_portal(list(sources), {s.model.id: regimes.select(BUILD_DATE, s.model.regime) for s in sources},
                           messages, BUILD_DATE)
    portal_writer = BundleWriter(out)
    with mkdocs_adapter.site_builder(ROOT / "mkdocs.yml") as builder:
        builder.build(portal, None, portal_writer, _theme_values(messages, portal, None))

    ours = tiepcan_index(models, out, portal_writer, messages)
    print(f"tiepcan index stage: {ours['bundles'] + ours['portal']:.1f} s", flush=True)
    bundle_dirs = [out / m.id / index.INDEX_DIR for m in models]
    per_bundle = statistics.median(du(d) for d in bundle_dirs)
    per_bundle_data = statistics.median(du(d) - sum(f.stat().st_size for f in d.iterdir() if f.is_file() and not f.name.endswith(("pf_meta", ".json"))) for d in bundle_dirs)
    total = sum(du(d) for d in bundle_dirs) + du(out / index.INDEX_DIR)
    theirs = material_indexes(sources, work, messages)
    print(f"Material search indexes: {theirs}", flush=True)
    assets = material_assets()
    rows = measure_browser(out)

    print()
    print(f"{'':44} {'tiepcan (Pagefind)':>24} {'Material (lunr)':>24}")
    print(f"{'index build time':44} {ours['bundles'] + ours['portal']:>22.1f} s {theirs['time']:>22.1f} s")
    print(f"{'  of which per-agency indexes / portal':44} {ours['bundles']:>10.1f} s / {ours['portal']:.1f} s")
    print(f"{'words in the agencies vocabularies':44} {ours['words']:>24,}")
    print(f"{'index on disk, all bundles + portal':44} {total / 2**20:>21.1f} MB {'n/a (no portal search)':>24}")
    print(f"{'index on disk, one agency (median)':44} {kb(per_bundle):>24} {kb(theirs['agency_median']):>24}")
    print(f"{'  without the shared JS/wasm (index data)':44} {kb(per_bundle_data):>24}")
    print(f"{'one portal-wide index (Material: one site)':44} {kb(du(out / index.INDEX_DIR)):>24} "
          f"{kb(theirs['combined']):>14} ({kb(theirs['combined_gz'])} gz)")
    print(f"{'fetched before the search field is used':44} {'0 B':>24} {kb(theirs['combined'] + assets):>24}")
    print(f"{'portal search page HTML':44} {kb((out / layout.page_url('search')).stat().st_size):>24}")
    print()
    print("Portal search in Chromium (bytes of search files fetched, uncompressed; Material would fetch "
          f"{kb(theirs['combined'] + assets)} on the first page view and 0 per query):")
    for row in rows:
        assert row["before_use"] == 0
        print(f"  cold {row['cold']!r:42} {kb(row['cold_bytes']):>12} in {row['cold_requests']:3} requests, {row['cold_s']:.2f} s  [{row['cold_results']}]")
        print(f"  warm {row['warm']!r:42} {kb(row['warm_bytes']):>12} in {row['warm_requests']:3} requests, {row['warm_s']:.2f} s  [{row['warm_results']}]")
    worst = max(r["cold_bytes"] for r in rows)
    print(f"\nworst cold first query: {kb(worst)} = {worst / (theirs['combined'] + assets):.1%} of Material's first-view download "
          f"({'under' if worst < 300 * 1024 else 'OVER'} the 300 KB target)")
    if not args.workdir:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
