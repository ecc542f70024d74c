"""The supervision report (generator/report.py) at national scale: time and page weight at 5,000 agencies.

Generates N synthetic agencies in memory (models, no MkDocs build): 34 provinces, each with its
People's Committee, 20 departments and 60–170 communes (3,321 communes in all, the count after the
2025 reform), and the rest central agencies and public service units; every agency has 20 catalog
rows (some disclosed late, some notices), 8 years of figures (some that don't add up) and three
past versions of its file (no regulation → regulation → today), so the history is judged too.

Times, median of `--runs` runs: compute (judge every agency and duty over its versions, totals),
pages (render every page), documents + files (standalone HTML, CSV, JSON). Then each page's size,
raw and gzipped (level 6, as nginx serves it), and the estimate against a full build.
With `--git`, also one `history.read` of a Git repository holding the N files in three commits.

    .venv/bin/python -m bench.report                 # N=5000, 3 runs
    .venv/bin/python -m bench.report --git           # + the git log pass over 5,000 files
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

from generator import history, report
from generator.i18n import load_messages
from generator.model import Agency

KB = 1024
PAGE_BUDGET = 200 * KB  # issue 14: each province page ≤ 200 KB gzipped
# A full build's wall time per agency: 5,000 corpus agencies in 1,703 s on 2 cores (bench/scale.py,
# 2026-12-01, README's Scale table), measured while other work shared the machine: on a quiet one both
# the build and the report run faster, so compare the two from the same conditions.
BUILD_SECONDS_PER_AGENCY = 0.34
REPORT_DATE = dt.date(2026, 11, 23)
PROVINCES = 34
COMMUNES = 3321
DEPARTMENTS_PER_PROVINCE = 20
SUBJECTS = ["đất đai", "ngân sách", "đầu tư công", "tuyển dụng", "môi trường", "giáo dục", "y tế", "giao thông"]


def synthetic(n: int) -> list[dict[str, Any]]:
    """N agencies as the YAML loader gives them (plain data, dates as dates), deterministic."""
    agencies: list[dict[str, Any]] = []
    communes_left = COMMUNES
    for p in range(PROVINCES):
        ppc = f"ubnd-tinh-{p + 1:02d}"
        agencies.append(_agency(ppc, f"Ủy ban nhân dân tỉnh Mẫu số {p + 1}", "provincial_peoples_committee", None, p))
        for d in range(DEPARTMENTS_PER_PROVINCE):
            agencies.append(_agency(f"so-{p + 1:02d}-{d + 1:02d}", f"Sở Mẫu {d + 1} tỉnh {p + 1}", "department", ppc, d))
        # 60 … 170 communes: the smallest and largest provinces after the reform, 3,321 in all
        communes = 60 + (p * 37) % 111 if p < PROVINCES - 1 else communes_left
        communes = min(communes, communes_left)
        communes_left -= communes
        for c in range(communes):
            agencies.append(
                _agency(f"xa-{p + 1:02d}-{c + 1:03d}", f"Ủy ban nhân dân xã Mẫu {c + 1} tỉnh {p + 1}",
                        "commune_peoples_committee", ppc, c)
            )
    i = 0
    while len(agencies) < n:
        kind = "ministry" if i % 5 == 0 else "public_service_unit"
        parent = None if kind == "ministry" else f"bo-{(i // 5) * 5:04d}"
        agencies.append(_agency(f"bo-{i:04d}" if kind == "ministry" else f"dv-{i:04d}",
                                f"Cơ quan trung ương mẫu {i}", kind, parent, i))
        i += 1
    return agencies[:n]


def _agency(agency_id: str, name: str, kind: str, parent: str | None, seed: int) -> dict[str, Any]:
    start = dt.date(2024, 1, 1)
    catalog = []
    for e in range(20):
        created = start + dt.timedelta(days=(seed * 13 + e * 29) % 680)
        late = (seed + e) % 17 == 0
        entry: dict[str, Any] = {
            "id": f"muc-{e + 1:03d}",
            "title": f"Quyết định về {SUBJECTS[(seed + e) % len(SUBJECTS)]} số {e + 1}",
            "number": f"{100 + e}/QĐ-UBND",
            "created": created,
            "clause": "adkl"[e % 4],
            "forms": ["portal", "notice_board"] if e % 6 == 0 else ["portal"],
            "disclosed": created + dt.timedelta(days=12 if late else 2),
        }
        if e % 6 == 0:
            entry["until"] = entry["disclosed"] + dt.timedelta(days=10 if (seed + e) % 23 == 0 else 45)
        catalog.append(entry)
    figures = []
    for year in range(2018, 2026):
        received = (seed + year) % 13
        refused = received // 5
        figures.append({"year": year, "received": received, "provided_full": received - refused
                        - (1 if (seed + year) % 29 == 0 and received - refused > 0 else 0), "refused": refused})
    data: dict[str, Any] = {
        "id": agency_id,
        "name": name,
        "kind": kind,
        "sample": True,
        "address": "Số 1 đường Mẫu",
        "email": f"{agency_id}@example.gov.vn",
        "contact_point": {"unit": "Văn phòng", "request_email": f"yeucau-{agency_id}@example.gov.vn"},
        "catalog": catalog,
        "statistics": figures if seed % 7 else figures[:-1],
    }
    if parent:
        data["parent"] = parent
    if seed % 3:
        data["contact_point"]["complaint_email"] = f"khieunai-{agency_id}@example.gov.vn"
        data["contact_point"]["people"] = [{"name": "Nguyễn Văn Mẫu", "position": "Chánh Văn phòng"}]
    if seed % 4:
        data["name_en"] = f"Sample agency {agency_id}"
    if seed % 5:
        data["conditional_catalog"] = [{"id": "dk-1", "title": "Hồ sơ doanh nghiệp", "condition": "business_secret"}]
    return data


def _past(data: dict[str, Any]) -> tuple[history.Version, ...]:
    """No regulation (2024-02-01), then the regulation (2025-03-03), then today's file (2026-10-01)."""
    first = {k: v for k, v in data.items() if k != "regulation"}
    first["catalog"] = data["catalog"][:10]
    return (
        history.Version(dt.date(2024, 2, 1), first),
        history.Version(dt.date(2025, 3, 3), {**data, "catalog": data["catalog"][:15]}),
        history.Version(dt.date(2026, 10, 1), data),
    )


def corpus(n: int) -> tuple[list[Agency], history.History]:
    plain = synthetic(n)
    for i, data in enumerate(plain):
        if i % 3:
            data["regulation"] = {"title": "Quy chế cung cấp thông tin", "issued": dt.date(2025, 3, 1)}
    models = [Agency.model_validate(data) for data in plain]
    return models, history.History("git", {data["id"]: _past(data) for data in plain})


def _timed(function: Any, *args: Any) -> tuple[float, Any]:
    start = time.perf_counter()
    result = function(*args)
    return time.perf_counter() - start, result


def run_once(models: list[Agency], past: history.History) -> dict[str, Any]:
    messages = load_messages("vi")
    compute, built = _timed(lambda: report.compute(models, REPORT_DATE, past))
    render, pages = _timed(lambda: report.pages(built, messages))
    write, output = _timed(
        lambda: ({p.path: report.document(p, messages).encode("utf-8") for p in pages}, report.files(built))
    )
    return {"compute": compute, "pages": render, "write": write, "output": output, "report": built}


def git_pass(plain: list[dict[str, Any]]) -> float:
    """history.read over a Git repository of the N files, committed in three commits."""
    with tempfile.TemporaryDirectory(prefix="tiepcan-bench-report-") as work:
        root = Path(work)
        folder = root / "agencies"
        folder.mkdir()
        env = {**os.environ, "GIT_AUTHOR_NAME": "bench", "GIT_AUTHOR_EMAIL": "bench@example.invalid",
               "GIT_COMMITTER_NAME": "bench", "GIT_COMMITTER_EMAIL": "bench@example.invalid"}
        subprocess.run(["git", "-C", work, "init", "-q"], check=True, env=env)
        for when, versions in (("2024-02-01T09:00:00+07:00", 0), ("2025-03-03T09:00:00+07:00", 1),
                               ("2026-10-01T09:00:00+07:00", 2)):
            for data in plain:
                text = yaml.safe_dump(_past(data)[versions].data, allow_unicode=True, sort_keys=False)
                (folder / f"{data['id']}.yaml").write_text(text, encoding="utf-8")
            subprocess.run(["git", "-C", work, "add", "-A"], check=True, env=env)
            subprocess.run(["git", "-C", work, "commit", "-q", "-m", when, "--date", when], check=True,
                           env={**env, "GIT_COMMITTER_DATE": when})
        ids = [d["id"] for d in plain]
        # as the build calls it: every file as it is now validated already (its model is the build's)
        seconds, found = _timed(lambda: history.read(folder, ids, REPORT_DATE, validated=set(ids)))
        assert found.source == "git" and all(len(found.of(d["id"])) == 3 for d in plain)
        return seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--git", action="store_true", help="also time one git log pass over the N files")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    models, past = corpus(args.n)
    print(f"{args.n} synthetic agencies ({sum(len(a.catalog) for a in models)} catalog rows) generated and "
          f"validated in {time.perf_counter() - start:.1f} s")
    runs = [run_once(models, past) for _ in range(args.runs)]
    medians = {k: statistics.median(r[k] for r in runs) for k in ("compute", "pages", "write")}
    total = sum(medians.values())
    print(f"report, median of {args.runs} runs: compute {medians['compute']:.2f} s, pages {medians['pages']:.2f} s, "
          f"documents + files {medians['write']:.2f} s, total {total:.2f} s")
    print("  all runs (compute/pages/write): " + "; ".join(
        f"{r['compute']:.2f}/{r['pages']:.2f}/{r['write']:.2f}" for r in runs))
    pages, files = runs[-1]["output"]
    assert all(runs[0]["output"][0][p] == pages[p] for p in pages), "not deterministic"
    built = runs[-1]["report"]
    sizes = []
    for path, data in sorted(pages.items()):
        sizes.append((len(gzip.compress(data, compresslevel=6, mtime=0)), len(data), path))
    groups = [s for s in sizes if "/tinh/" in s[2] or s[2] == report.group_path(report.CENTRAL)]
    print(f"{len(groups)} group pages (34 provinces + central); gzipped: median "
          f"{statistics.median(s[0] for s in groups) / KB:.0f} KB, largest:")
    for gz, raw, path in sorted(groups, reverse=True)[:4]:
        rows = len(built.rows_of(path.rsplit("/", 1)[1].removesuffix(".html")))
        print(f"  {path}: {rows} agencies, {raw / KB:.0f} KB raw, {gz / KB:.1f} KB gzip")
    for gz, raw, path in sizes:
        if path not in {g[2] for g in groups}:
            print(f"  {path}: {raw / KB:.0f} KB raw, {gz / KB:.1f} KB gzip")
    for name, data in sorted(files.items()):
        print(f"  bao-cao/{name}: {len(data) / KB:.0f} KB raw, {len(gzip.compress(data, 6, mtime=0)) / KB:.0f} KB gzip")
    git_seconds = 0.0
    if args.git:
        git_seconds = git_pass(synthetic(args.n))
        print(f"history.read (git log + cat-file, {args.n} files × 3 commits): {git_seconds:.2f} s")
    baseline = args.n * BUILD_SECONDS_PER_AGENCY
    added = total + git_seconds
    print(f"estimate: the report adds {added:.1f} s to a full build of ~{baseline:.0f} s "
          f"({args.n} × {BUILD_SECONDS_PER_AGENCY} s): {100 * added / baseline:.2f} %")
    worst = max(s[0] for s in groups)
    ok = worst <= PAGE_BUDGET and added <= 0.1 * baseline
    print("within budget" if ok else "OVER BUDGET")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
