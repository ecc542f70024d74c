"""National scale (issue 12): the current code, commit 2d26990 and a Jinja-only floor on the same corpus, side by side.

    .venv/bin/python -m bench.scale                                   # sizes 50,500,5000; baseline at 50,500
    .venv/bin/python -m bench.scale --sizes 50 --runs 1               # a quick look
    .venv/bin/python -m bench.scale --report /tmp/scale/results.json  # print the table of an earlier run again

Corpus: bench/scalecorpus.py (ministries, provinces, departments, communes, public service units; catalogs with
a long tail up to 2,000 entries), written once per size and checked with the current validator. For each size and
each of `--runs` runs, every code under test does, into its own output folder, with `--date` fixed:

1. full build: `python -m generator.cli build --agencies A --out O --date D` into an empty O, with no validation
   cache (`.tiepcan-cache/` beside A, generator/cache.py) as in a fresh clone (earlier outputs are moved aside,
   and deleted when the benchmark ends: SET_ASIDE);
2. no-op rebuild: the same command again, nothing changed;
3. one-agency change: one agency's first catalog title edited, the same command (what CI would run);
4. the same agency edited again, built with `--agency ID` (the existing partial rebuild); then the file is restored.

After each step every bundle (`O/<id>/`) and the portal (everything else in O) is hashed, and the table says how
many untouched bundles kept their bytes. Wall time is time.perf_counter() around the child process; CPU time is
user + system of the child and its descendants (/usr/bin/time), the steadier figure on a shared machine. Peak RSS is
given twice: "tree", the largest sum of VmRSS over the child and all its descendants (MkDocs, Pagefind…), sampled
from /proc every 50 ms (psutil is not installed); and "one process", /usr/bin/time's "Maximum resident set size"
(the largest single process). Output size is the sum of file sizes (apparent, not blocks) of O, and the median of
the same sum per bundle.

The codes under test: "current" is this checkout (run by this venv's Python); "2d26990" is the baseline issue 12
names ("main on 2026-12-01"), checked out by this script into bench/.cache/baseline-2d26990 (a detached `git
worktree`, never modified) with its own venv from its requirements.lock (bench/.cache is ignored by git); "floor" is
bench.scale.floor_child in a child process: it loads and validates the corpus with the current code
(generator.validate), then one plain Jinja environment renders, for every agency, every HTML page the current build
wrote for it (same paths, with the agency's real catalog rows in the catalog pages and its contact elsewhere) and
the portal pages, padded with an HTML comment to the byte size of the current build's page. It writes no assets,
downloads or search index: it is the cost of reading the data and writing the same pages, nothing a real build can
avoid. Its table line "floor: Jinja alone" excludes loading and validating.

Ratios: "2d26990 ÷ current" (how many times faster the current code is) and "current ÷ floor" (how far from the
floor). Times, RSS and sizes are medians of the runs; byte-identity counts are the worst run's.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import scalecorpus  # noqa: E402
from generator.cache import FOLDER  # noqa: E402

BASELINE = "2d26990"
CACHE = ROOT / "bench" / ".cache"
BUILD_DATE = "2026-12-01"
POLL_S = 0.05
# Outputs of earlier steps are moved here, and deleted only when the benchmark ends: on ext4 without a
# journal (this project's build machine), files created shortly after many were deleted cost the kernel
# a long search for an inode it has not freed recently (ialloc.c, recently_deleted): a build right after
# `rm -rf` of the previous one took 26-34 s of system time instead of 7-10 s (perf, 500 agencies).
SET_ASIDE = "set-aside"


# --- measuring one child process -----------------------------------------------------------------------------


def _rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        pass
    return 0


def _tree(pid: int) -> list[int]:
    pids, todo = [], [pid]
    while todo:
        current = todo.pop()
        pids.append(current)
        try:  # a process may end between two reads: it then has no children left to count
            for task in list(Path(f"/proc/{current}/task").glob("*/children")):
                todo += [int(child) for child in task.read_text().split()]
        except (FileNotFoundError, ProcessLookupError):
            pass
    return pids


def run_measured(command: list[str], cwd: Path, log: Path) -> dict[str, float]:
    """Wall seconds, CPU seconds (user + system, the child and every descendant it waited for), peak RSS of the
    process tree (sampled) and of the largest process (all three from /usr/bin/time but the tree's)."""
    maxrss = log.with_suffix(".maxrss")
    with log.open("ab") as out:
        out.write(("\n$ " + " ".join(command) + "\n").encode())
        out.flush()
        start = time.perf_counter()
        process = subprocess.Popen(
            ["/usr/bin/time", "-f", "%M %U %S", "-o", str(maxrss), *command],
            cwd=cwd,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        peak = 0
        done = threading.Event()

        def sample() -> None:
            nonlocal peak
            while not done.is_set():
                peak = max(peak, sum(_rss_kb(p) for p in _tree(process.pid)[1:]))  # [0] is /usr/bin/time itself
                done.wait(POLL_S)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        code = process.wait()
        seconds = time.perf_counter() - start
        done.set()
        sampler.join()
    if code != 0:
        tail = log.read_text(encoding="utf-8", errors="replace")[-3000:]
        raise RuntimeError(f"exit {code}: {' '.join(command)}\n{tail}")
    rss_kb, user, system = maxrss.read_text().split()[-3:]
    return {
        "seconds": seconds,
        "cpu_s": float(user) + float(system),
        "tree_mb": peak / 1024,
        "process_mb": int(rss_kb) / 1024,
    }


# --- the codes under test ------------------------------------------------------------------------------------


@dataclass
class Code:
    name: str
    checkout: Path
    python: Path

    def build(self, agencies: Path, out: Path, log: Path, *more: str) -> dict[str, float]:
        command = [
            str(self.python),
            "-m",
            "generator.cli",
            "build",
            "--agencies",
            str(agencies),
            "--out",
            str(out),
            "--date",
            BUILD_DATE,
            *more,
        ]
        return run_measured(command, self.checkout, log)


def ensure_baseline(commit: str = BASELINE) -> Code:
    """A detached worktree of `commit` and a venv from its requirements.lock under bench/.cache, made once."""
    CACHE.mkdir(parents=True, exist_ok=True)
    (CACHE / ".gitignore").write_text("*\n")
    checkout, venv = CACHE / f"baseline-{commit}", CACHE / f"baseline-{commit}.venv"
    if not (checkout / "generator").is_dir():
        subprocess.run(["git", "-C", str(ROOT), "worktree", "prune"], check=True)
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(checkout), commit], check=True)
    stamp = venv / ".installed-editable"
    if not stamp.exists():
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True)
        lock = checkout / "requirements.lock"
        spec = ["-r", str(lock)] if lock.exists() else [str(checkout)]
        pip = [str(venv / "bin" / "pip"), "install", "-q", "--disable-pip-version-check"]
        subprocess.run([*pip, *spec], check=True)
        # as its Makefile does: the build records the tool's version from the package metadata (egg-info is ignored)
        subprocess.run([*pip, "--no-deps", "-e", str(checkout)], check=True)
        stamp.touch()
    return Code(commit, checkout, venv / "bin" / "python")


# --- what a build wrote --------------------------------------------------------------------------------------


def digests(out: Path, agency_ids: list[str]) -> dict[str, str]:
    """sha256 per bundle (`<id>/`) and for the portal (every other file), over relative paths and bytes."""
    bundles = set(agency_ids)
    sums: dict[str, hashlib._Hash] = {}
    for path in sorted(out.rglob("*")):
        if not path.is_file():
            continue
        relative = path.relative_to(out)
        top = relative.parts[0] if len(relative.parts) > 1 and relative.parts[0] in bundles else "(portal)"
        h = sums.setdefault(top, hashlib.sha256())
        h.update(relative.as_posix().encode() + b"\0")
        with path.open("rb") as f:
            while chunk := f.read(1 << 20):
                h.update(chunk)
    return {top: h.hexdigest() for top, h in sums.items()}


def sizes(out: Path, agency_ids: list[str]) -> dict[str, float]:
    per_bundle = [
        sum(p.stat().st_size for p in (out / a).rglob("*") if p.is_file()) for a in agency_ids if (out / a).is_dir()
    ]
    files = [p for p in out.rglob("*") if p.is_file()]
    return {
        "total_mb": sum(p.stat().st_size for p in files) / 2**20,
        "median_bundle_mb": statistics.median(per_bundle) / 2**20 if per_bundle else 0.0,
        "files": len(files),
    }


def page_manifest(out: Path) -> dict[str, int]:
    """Every HTML page a build wrote: site-relative path → bytes (the floor writes the same)."""
    return {p.relative_to(out).as_posix(): p.stat().st_size for p in sorted(out.rglob("*.html"))}


# --- the floor: Jinja alone writing the same pages -----------------------------------------------------------

FLOOR_PAGE = """<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><title>{{ title }} – {{ agency.name }}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="assets/site.css"></head>
<body><header><a href="index.html">{{ agency.name }}</a>{% if agency.sample %} <b>Dữ liệu mẫu</b>{% endif %}</header>
<nav><ul>{% for page in pages %}<li><a href="{{ page }}">{{ page }}</a></li>{% endfor %}</ul></nav>
<main><h1>{{ title }}</h1>
{% if kind == "catalog" %}<table><thead><tr><th>Tên</th><th>Số, ký hiệu</th><th>Ngày tạo</th><th>Nhóm</th>
<th>Hình thức</th><th>Thời điểm công khai</th><th>Cơ quan ban hành</th><th>Trích yếu</th></tr></thead><tbody>
{% for e in agency.catalog %}<tr id="{{ e.id }}"><td>{{ e.title }}</td><td>{{ e.number or "" }}</td>
<td>{{ e.created.strftime("%d/%m/%Y") }}</td><td>{{ e.clause }}</td><td>{{ e.forms | join(", ") }}</td>
<td>{{ e.disclosed.strftime("%d/%m/%Y") }}</td><td>{{ e.issuer or "" }}</td><td>{{ e.summary or "" }}</td></tr>
{% endfor %}</tbody></table>
{% elif kind == "conditional" %}<table><tbody>{% for e in agency.conditional_catalog %}<tr id="{{ e.id }}">
<td>{{ e.title }}</td><td>{{ e.condition }}</td><td>{{ e.consent_from or "" }}</td></tr>{% endfor %}</tbody></table>
{% elif kind == "portal" %}<ul>{% for a in agencies %}<li><a href="{{ a.id }}/index.html">{{ a.name }}</a>
{% if a.parent %}({{ a.parent }}){% endif %} {{ a.catalog | length }} mục</li>{% endfor %}</ul>
{% else %}<p>{{ agency.address }}</p><p>Đầu mối: {{ agency.contact_point.unit }},
<a href="mailto:{{ agency.contact_point.request_email }}">{{ agency.contact_point.request_email }}</a></p>
{% if agency.description %}<p>{{ agency.description }}</p>{% endif %}{% endif %}
</main><footer>Ngày dựng {{ date }}</footer></body></html>
"""


def floor_child(agencies: Path, out: Path, manifest_path: Path) -> None:
    """Run in a child process by `--floor`: validate, then render and write the manifest's pages; JSON timings."""
    import jinja2

    from generator import regime
    from generator.validate import check_paths

    started = time.perf_counter()
    result = check_paths([agencies], regime.regime_ids())
    assert result.ok, result.diagnostics[:3]
    validated = time.perf_counter()
    manifest: dict[str, int] = json.loads(manifest_path.read_text())
    env = jinja2.Environment(autoescape=True, trim_blocks=True)
    template = env.from_string(FLOOR_PAGE)
    models = {source.model.id: source.model for source in result.agencies}
    by_bundle: dict[str, list[str]] = {}
    for page in manifest:
        top = page.split("/", 1)[0]
        by_bundle.setdefault(top if "/" in page and top in models else "", []).append(page)
    portal_agency = next(iter(models.values()))
    written = 0
    for bundle, pages in by_bundle.items():
        agency = models.get(bundle, portal_agency)
        names = [p.split("/", 1)[1] if bundle else p for p in pages]
        for page, name in zip(pages, names, strict=True):
            kind = (
                "portal"
                if not bundle
                else (
                    "catalog"
                    if "danh-muc-cong-khai" in name
                    else "conditional"
                    if "danh-muc-co-dieu-kien" in name
                    else "page"
                )
            )
            text = template.render(
                agency=agency,
                agencies=list(models.values()) if kind == "portal" else (),
                pages=names,
                title=name,
                kind=kind,
                date=BUILD_DATE,
            )
            data = text.encode("utf-8")
            missing = manifest[page] - len(data)
            if missing > 8:  # pad to the real page's size, so the floor writes as many bytes
                data += b"<!--" + b"." * (missing - 8) + b"-->\n"
            target = out / page
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
            written += len(data)
    done = time.perf_counter()
    print(
        json.dumps(
            {
                "validate_s": validated - started,
                "render_write_s": done - validated,
                "bytes": written,
                "pages": len(manifest),
            }
        )
    )


def set_aside(path: Path, work: Path) -> None:
    """`path` moved out of the way (SET_ASIDE), not deleted: the next build starts as on a fresh disk."""
    if path.exists():
        trash = work / SET_ASIDE
        trash.mkdir(exist_ok=True)
        path.rename(trash / f"{len(os.listdir(trash))}-{path.name}")


def run_floor(agencies: Path, out: Path, manifest: dict[str, int], work: Path, log: Path) -> dict[str, float]:
    manifest_path = work / "floor-manifest.json"
    manifest_path.write_text(json.dumps(manifest))
    set_aside(out, work)
    out.mkdir(parents=True)
    report = work / "floor-report.json"
    command = [
        sys.executable,
        "-c",
        "import sys; from bench.scale import floor_child; from pathlib import Path; "
        "sys.stdout = open(sys.argv[4], 'w'); floor_child(*map(Path, sys.argv[1:4]))",
        str(agencies),
        str(out),
        str(manifest_path),
        str(report),
    ]
    measured = run_measured(command, ROOT, log)
    return {**measured, **json.loads(report.read_text())}


# --- one size, one run ---------------------------------------------------------------------------------------


def edit_title(path: Path, suffix: str) -> None:
    text = path.read_text(encoding="utf-8")
    head, sep, rest = text.partition('    title: "')
    assert sep, path
    path.write_text(head + sep + rest.replace('"', f' {suffix}"', 1), encoding="utf-8")


def changed_agency(specs: list[scalecorpus.AgencySpec]) -> str:
    """A department (a child with a parent, small catalog): the typical one-file commit."""
    return next((s.id for s in specs if s.kind == "department"), specs[-1].id)


def run_code(
    code: Code,
    agencies: Path,
    out: Path,
    specs: list[scalecorpus.AgencySpec],
    log: Path,
    row: dict[str, object],
    note: Callable[[str], None],
    work: Path,
) -> None:
    """Fill `row` step by step; `note` is called after each step (it prints and saves what is there so far)."""
    ids = [s.id for s in specs]
    target = changed_agency(specs)
    source = agencies / f"{target}.yaml"
    original = source.read_bytes()
    set_aside(out, work)
    set_aside(agencies.parent / FOLDER, work)  # a full build starts as a fresh clone does
    try:
        row["full"] = code.build(agencies, out, log)
        note(f"full build {row['full']['seconds']:.1f} s")  # type: ignore[index]
        row.update(sizes(out, ids))
        row["manifest"] = page_manifest(out)
        before = digests(out, ids)
        row["noop"] = code.build(agencies, out, log)
        after = digests(out, ids)
        row["noop_identical"] = sum(after.get(a) == before.get(a) for a in ids)
        row["noop_portal_identical"] = after.get("(portal)") == before.get("(portal)")
        note(f"no-op {row['noop']['seconds']:.1f} s")  # type: ignore[index]
        for step, more, suffix in (("change", (), "(đã sửa)"), ("change_agency", ("--agency", target), "(sửa lần 2)")):
            edit_title(source, suffix)
            before = after
            row[step] = code.build(agencies, out, log, *more)
            after = digests(out, ids)
            row[f"{step}_identical"] = sum(after.get(a) == before.get(a) for a in ids if a != target)
            row[f"{step}_target_changed"] = after.get(target) != before.get(target)
            row[f"{step}_portal_changed"] = after.get("(portal)") != before.get("(portal)")
            note(f"{step} {row[step]['seconds']:.1f} s")  # type: ignore[index]
    finally:
        source.write_bytes(original)


# --- the table -----------------------------------------------------------------------------------------------


def _median(rows: list[dict], key: str, field: str = "seconds") -> float | None:
    picked = (r[key].get(field) if isinstance(r.get(key), dict) else r.get(key) for r in rows)
    values = [v for v in picked if v is not None]
    return statistics.median(values) if values else None


def _worst(rows: list[dict], key: str, pick: Callable = min) -> object:
    values = [r[key] for r in rows if key in r]
    return pick(values) if values else None


def _ratio(slow: float | None, fast: float | None) -> str:
    return f"{slow / fast:.1f}×" if slow and fast else ""


# (label, key in a run's row, field of that key or "", format, ratios?, measured for the floor?)
ROWS = [
    ("full build, s", "full", "seconds", "{:.1f}", True, True),
    ("  floor: Jinja alone (no load/validate), s", "full", "render_write_s", "{:.1f}", False, True),
    ("  CPU (user + system), s", "full", "cpu_s", "{:.1f}", True, True),
    ("no-op rebuild, s", "noop", "seconds", "{:.1f}", True, False),
    ("  CPU, s", "noop", "cpu_s", "{:.1f}", True, False),
    ("one-agency change, s", "change", "seconds", "{:.1f}", True, False),
    ("  CPU, s", "change", "cpu_s", "{:.1f}", True, False),
    ("one-agency change with --agency, s", "change_agency", "seconds", "{:.1f}", True, False),
    ("  CPU, s", "change_agency", "cpu_s", "{:.1f}", True, False),
    ("peak RSS, process tree, MB", "full", "tree_mb", "{:.0f}", True, True),
    ("peak RSS, largest process, MB", "full", "process_mb", "{:.0f}", True, True),
    ("output, total MB", "total_mb", "", "{:.0f}", True, True),
    ("output, median bundle MB", "median_bundle_mb", "", "{:.2f}", True, True),
    ("output, files", "files", "", "{:.0f}", False, True),
]
# (label, key, how many bundles it is out of: all, or all but the edited one)
IDENTITY_ROWS = [
    ("no-op: bundles byte-identical", "noop_identical", 0),
    ("change: untouched bundles identical", "change_identical", 1),
    ("--agency: untouched bundles identical", "change_agency_identical", 1),
]
FLAG_ROWS = [("no-op: portal identical", "noop_portal_identical"), ("change: portal changed", "change_portal_changed")]


def report(results: dict) -> str:
    lines = [f"bench.scale: medians of runs; build date {BUILD_DATE}; {results.get('machine', '')}"]
    for size, data in results["sizes"].items():
        current, baseline = data.get("current", []), data.get(BASELINE, [])
        floor = [{**row, "full": row.get("full", row.get("floor"))} for row in data.get("floor", [])]
        lines += [
            "",
            f"== {size} agencies: {data['corpus']}",
            f"   changed agency: {data['changed']}; runs: current {len(current)}, {BASELINE} {len(baseline)}, "
            f"floor {len(floor)}",
            f"{'':42} {'current':>10} {BASELINE:>10} {'floor':>10} {BASELINE + ' ÷ cur':>12} {'cur ÷ floor':>12}",
        ]
        for label, key, field, fmt, ratios, floored in ROWS:
            cur, base = _median(current, key, field), _median(baseline, key, field)
            flo = _median(floor, key, field) if floored else None
            cells = [fmt.format(v) if v is not None else "–" for v in (cur, base, flo)]
            shown = (_ratio(base, cur), _ratio(cur, flo)) if ratios else ("", "")
            lines.append(f"{label:42} {cells[0]:>10} {cells[1]:>10} {cells[2]:>10} {shown[0]:>12} {shown[1]:>12}")
        for label, key, edited in IDENTITY_ROWS:
            counts = [_worst(rows, key) for rows in (current, baseline)]
            cells = [f"{c}/{int(size) - edited}" if c is not None else "–" for c in counts]
            lines.append(f"{label:42} {cells[0]:>10} {cells[1]:>10}")
        for label, key in FLAG_ROWS:
            flags = [_worst(rows, key, all) for rows in (current, baseline)]
            cells = [str(f) if f is not None else "–" for f in flags]
            lines.append(f"{label:42} {cells[0]:>10} {cells[1]:>10}")
    return "\n".join(lines)


def _save(path: Path, results: dict) -> None:
    slim = json.loads(json.dumps(results))
    for data in slim["sizes"].values():
        for rows in (v for k, v in data.items() if isinstance(v, list)):
            for row in rows:
                row.pop("manifest", None)
    path.write_text(json.dumps(slim, ensure_ascii=False, indent=1))


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="50,500,5000", help="agency counts, comma-separated")
    parser.add_argument("--baseline-sizes", default="50,500", help=f"sizes also built by {BASELINE} ('' for none)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=scalecorpus.SEED)
    parser.add_argument("--no-floor", action="store_true")
    parser.add_argument(
        "--withheld",
        action="store_true",
        help=f"a fifth of the agencies keep rows marked access: internal (needs --baseline-sizes '': {BASELINE} predates them)",
    )
    parser.add_argument("--workdir", type=Path, help="keep corpora, outputs, logs and results.json here")
    parser.add_argument("--report", type=Path, help="only print the table of an earlier results.json")
    args = parser.parse_args(argv)
    if args.report:
        print(report(json.loads(args.report.read_text())))
        return 0
    sizes_ = [int(s) for s in args.sizes.split(",") if s]
    baseline_sizes = {int(s) for s in args.baseline_sizes.split(",") if s}
    if args.withheld and baseline_sizes & set(sizes_):
        parser.error(f"--withheld: {BASELINE} cannot read rows marked access: internal; add --baseline-sizes ''")
    work = args.workdir or Path(tempfile.mkdtemp(prefix="tiepcan-scale-"))
    work.mkdir(parents=True, exist_ok=True)
    current = Code("current", ROOT, Path(sys.executable))
    baseline = ensure_baseline() if baseline_sizes & set(sizes_) else None
    results: dict = {"machine": f"{os.cpu_count()} cores, Python {sys.version.split()[0]}", "sizes": {}}
    results_path = work / "results.json"
    log = work / "builds.log"
    print(f"work folder {work}; log of every build: {log}", flush=True)

    from generator import regime
    from generator.validate import check_paths

    for size in sizes_:
        agencies = work / f"{size}" / "agencies"
        shutil.rmtree(agencies, ignore_errors=True)
        t = time.perf_counter()
        specs = scalecorpus.write_corpus(agencies, size, args.seed, args.withheld)
        generated = time.perf_counter() - t
        checked = check_paths([agencies], regime.regime_ids())
        assert checked.ok and len(checked.agencies) == size, checked.diagnostics[:3]
        withheld = len(checked.refused)
        corpus = (
            f"{scalecorpus.describe(specs)}; {withheld:,} rows withheld (access: internal); generated in {generated:.1f} s, "
            f"validated in {time.perf_counter() - t - generated:.1f} s"
        )
        data: dict = {"corpus": corpus, "changed": changed_agency(specs)}
        results["sizes"][str(size)] = data
        print(f"\n{size} agencies: {corpus}", flush=True)
        codes = [current] + ([baseline] if baseline and size in baseline_sizes else [])
        manifest: dict[str, int] | None = None
        for run in range(args.runs):
            for code in codes:

                def note(text: str, code: Code = code, run: int = run, size: int = size) -> None:
                    print(f"  [{size}] run {run + 1} {code.name}: {text}", flush=True)
                    _save(results_path, results)  # a stopped run keeps every step it finished

                row: dict[str, object] = {}
                data.setdefault(code.name, []).append(row)
                run_code(code, agencies, work / f"{size}" / f"out-{code.name}", specs, log, row, note, work)
                manifest = manifest or row["manifest"]  # type: ignore[assignment]
            if not args.no_floor and manifest:
                out = work / f"{size}" / "out-floor"
                row = {"full": run_floor(agencies, out, manifest, work, log)}
                row.update(sizes(out, [s.id for s in specs]))
                data.setdefault("floor", []).append(row)
                print(f"  [{size}] run {run + 1} floor: {row['full']['seconds']:.1f} s", flush=True)
                _save(results_path, results)
        for name in ("current", BASELINE, "floor"):
            set_aside(work / f"{size}" / f"out-{name}", work)
    shutil.rmtree(work / SET_ASIDE, ignore_errors=True)  # once every build is timed
    print()
    print(report(results))
    if not args.workdir:  # keep only the results and the log
        for size in sizes_:
            shutil.rmtree(work / f"{size}", ignore_errors=True)
    print(f"\nresults: {results_path} (table again: python -m bench.scale --report {results_path})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
