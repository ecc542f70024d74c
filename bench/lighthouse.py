"""Lighthouse performance on a slow phone: score, layout shift, largest paint and blocking time per page type.

Builds the sample site of the accessibility suite (demo agencies + a marked 500-entry sample
agency), serves it with real nginx and the shipped configuration (gzip, cache headers), and runs
the pinned Lighthouse (tests/lighthouse_audit.py: mobile, simulated slow 4G, Debian's Chromium) on
the first page of every page type and on the supervision report's pages, one run at a time.
Prints the median of the runs per page type. Goal (issue 15): performance ≥ 95 and cumulative
layout shift ≤ 0.1 on every page type.

    .venv/bin/python -m bench.lighthouse              # 3 runs each; exit 1 if a goal is missed
    .venv/bin/python -m bench.lighthouse --runs 5 --only catalog,overview
    .venv/bin/python -m bench.lighthouse --only search --keep /tmp/lh   # + each run's Lighthouse JSON

A/B: `--against X` measures a second site beside this one, the two served by two nginx at once and
run alternately (A B A B …), so that both see the same load; X is an already built sample site
(a folder holding bo-mau/), a checkout of tiepcan (its tests/pagetypes.py builds it, run with this
interpreter) or a commit (checked out, detached, under bench/.cache/). `--site DIR` measures an
already built site as A instead of building the current code's; `--save-site DIR` keeps the site
built for A (to be given later to --site or --against).

    .venv/bin/python -m bench.lighthouse --against main --only catalog,overview --runs 5
    .venv/bin/python -m bench.lighthouse --site /tmp/site-new --against /tmp/site-old

A run Lighthouse itself could not record (its runtime errors such as NO_NAVSTART, "Please run
Lighthouse again") is run again, up to twice; each page type's line is printed once it is measured.

Simulated throttling multiplies the main-thread work it observes by four: on a machine busy with
other work the blocking time, and so the score, comes out worse than it is. Measure on a quiet one,
and compare two builds with --against rather than with two runs made at different times.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from tests.lighthouse_audit import LighthouseRuntimeError, audited_pages, lighthouse
from tests.nginx import nginx_serving
from tests.pagetypes import FULL, build_sample_site

MIN_PERFORMANCE = 95
MAX_LAYOUT_SHIFT = 0.1
METRICS = {"CLS": "cumulative-layout-shift", "LCP ms": "largest-contentful-paint", "TBT ms": "total-blocking-time",
           "FCP ms": "first-contentful-paint"}
ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "bench" / ".cache"
SUB_PATH = "/tiep-can-thong-tin/"

RETRIES = 2  # further runs when Lighthouse could not record one


def measure(url: str, keep: Path | None = None) -> dict[str, float]:
    """One run: the performance score (0–100) and the metrics of METRICS (Lighthouse's JSON into `keep`)."""
    for attempt in range(RETRIES + 1):
        try:
            [result] = lighthouse([url], ["performance"])
            break
        except LighthouseRuntimeError as error:
            if attempt == RETRIES:
                raise
            print(f"  again: {error}", file=sys.stderr)
    if keep is not None:
        keep.mkdir(parents=True, exist_ok=True)
        name = url.split("/", 3)[-1].replace("/", "_").replace("?", "_")
        runs = len(list(keep.glob(f"{name}.*.json")))
        (keep / f"{name}.{runs}.json").write_text(json.dumps(result), encoding="utf-8")
    values = {name: float(result["audits"][audit]["numericValue"]) for name, audit in METRICS.items()}
    return {"score": round(100 * float(result["categories"]["performance"]["score"])), **values}


def load() -> float:
    """The 1-minute load average, as `uptime` shows it."""
    return os.getloadavg()[0]


def built_site(target: str, work: Path) -> Path:
    """The sample site of `target`: a built site folder as it is, else built from a checkout or a commit into `work`."""
    path = Path(target)
    if (path / FULL).is_dir():
        return path
    if not (path / "tests" / "pagetypes.py").is_file():
        commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--verify", f"{target}^{{commit}}"],
                                capture_output=True, text=True, check=True).stdout.strip()
        path = CACHE / f"lighthouse-{commit[:12]}"
        if not (path / "tests" / "pagetypes.py").is_file():
            CACHE.mkdir(parents=True, exist_ok=True)
            (CACHE / ".gitignore").write_text("*\n")
            subprocess.run(["git", "-C", str(ROOT), "worktree", "prune"], check=True)
            subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(path), commit], check=True)
    print(f"building the sample site of {path} …", file=sys.stderr, flush=True)
    work.mkdir(parents=True, exist_ok=True)
    code = "import sys, pathlib, tests.pagetypes as p; p.build_sample_site(pathlib.Path(sys.argv[1]))"
    environment = {**os.environ, "PYTHONPATH": str(path.resolve()), "PYTHONDONTWRITEBYTECODE": "1"}
    subprocess.run([sys.executable, "-c", code, str(work)], cwd=path, env=environment, check=True)
    return work / "site"


def row(label: str, path: str, measured: list[dict[str, float]]) -> tuple[dict[str, float], str]:
    """The median of each figure over the runs, and the line that shows them."""
    median = {key: statistics.median(run[key] for run in measured) for key in measured[0]}
    each = " ".join(f"{run['score']:.0f}" for run in measured)
    return median, (f"{label:<22} {path:<44} {median['score']:>5.0f} {median['CLS']:>6.3f} {median['LCP ms']:>7.0f} "
                    f"{median['TBT ms']:>7.0f} {median['FCP ms']:>7.0f}  ({each})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="Lighthouse runs per page type (the median is shown)")
    parser.add_argument("--only", default="", help="comma-separated page types (default: every one)")
    parser.add_argument("--keep", type=Path, help="folder for each run's Lighthouse JSON (opportunities, diagnostics)")
    parser.add_argument("--site", type=Path, help="A: an already built sample site (default: this code's, built)")
    parser.add_argument("--save-site", type=Path, help="keep the sample site built for this run in this (new) folder")
    parser.add_argument("--against", help="B: a built site folder, a checkout or a commit, run alternately with A")
    args = parser.parse_args(argv)
    # Stopped with `kill` (a background job ignores Ctrl-C's SIGINT): still stop nginx and remove the folder.
    signal.signal(signal.SIGTERM, lambda number, frame: sys.exit(128 + number))
    only = {name for name in args.only.split(",") if name}
    missed = []
    with tempfile.TemporaryDirectory(prefix="tiepcan-lighthouse-") as temporary, contextlib.ExitStack() as servers:
        work = Path(temporary)
        site = args.site or build_sample_site(work / "a")
        if args.save_site and not args.site:
            shutil.copytree(site, args.save_site, symlinks=True)
        sites = {"A": site}
        if args.against:
            sites["B"] = built_site(args.against, work / "b")
        bases = {label: servers.enter_context(nginx_serving(tree, tree / FULL, SUB_PATH, work / f"nginx-{label}"))
                 for label, tree in sites.items()}
        pages = [(name, path) for name, path in audited_pages(site) if not only or name in only]
        if args.against:
            print(f"A: {args.site or 'this code'}   B: {args.against}", flush=True)
        print(f"{'page type':<22} {'page':<44} {'perf':>5} {'CLS':>6} {'LCP ms':>7} {'TBT ms':>7} {'FCP ms':>7}"
              f"  (median of {args.runs}; perf of each run)", flush=True)
        for name, path in pages:
            measured: dict[str, list[dict[str, float]]] = {label: [] for label in sites}
            loads: list[float] = []
            for _ in range(args.runs):
                for label, base in bases.items():  # A B A B …: both builds under the same load
                    loads.append(load())
                    measured[label].append(measure(f"{base}/{path}", args.keep and args.keep / label))
            for label in sites:
                median, line = row(f"{name} {label}" if args.against else name, path, measured[label])
                print(line + (f"  load {min(loads):.1f}–{max(loads):.1f}" if args.against else ""), flush=True)
                if label == "A" and (median["score"] < MIN_PERFORMANCE or median["CLS"] > MAX_LAYOUT_SHIFT):
                    missed.append(f"{name} {path}: performance {median['score']:.0f}, CLS {median['CLS']:.3f}")
    goal = f"performance ≥ {MIN_PERFORMANCE} and CLS ≤ {MAX_LAYOUT_SHIFT}"
    print("\n".join([f"BELOW THE GOAL ({goal}):", *missed]) if missed else f"Every page type meets {goal}.")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
