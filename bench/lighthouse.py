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

A run Lighthouse itself could not record (its runtime errors such as NO_NAVSTART, "Please run
Lighthouse again") is run again, up to twice; each page type's line is printed once it is measured.

Simulated throttling multiplies the main-thread work it observes by four: on a machine busy with
other work the blocking time, and so the score, comes out worse than it is. Measure on a quiet one.
"""

from __future__ import annotations

import argparse
import json
import statistics
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="Lighthouse runs per page type (the median is shown)")
    parser.add_argument("--only", default="", help="comma-separated page types (default: every one)")
    parser.add_argument("--keep", type=Path, help="folder for each run's Lighthouse JSON (opportunities, diagnostics)")
    args = parser.parse_args(argv)
    only = {name for name in args.only.split(",") if name}
    missed = []
    with tempfile.TemporaryDirectory(prefix="tiepcan-lighthouse-") as work:
        site = build_sample_site(Path(work))
        pages = [(name, path) for name, path in audited_pages(site) if not only or name in only]
        print(f"{'page type':<20} {'page':<44} {'perf':>5} {'CLS':>6} {'LCP ms':>7} {'TBT ms':>7} {'FCP ms':>7}"
              f"  (median of {args.runs}; perf of each run)", flush=True)
        with nginx_serving(site, site / FULL, "/tiep-can-thong-tin/", Path(work) / "nginx") as base:
            for name, path in pages:
                measured = [measure(f"{base}/{path}", args.keep) for _ in range(args.runs)]
                median = {key: statistics.median(run[key] for run in measured) for key in measured[0]}
                each = " ".join(f"{run['score']:.0f}" for run in measured)
                print(f"{name:<20} {path:<44} {median['score']:>5.0f} {median['CLS']:>6.3f} {median['LCP ms']:>7.0f} "
                      f"{median['TBT ms']:>7.0f} {median['FCP ms']:>7.0f}  ({each})", flush=True)
                if median["score"] < MIN_PERFORMANCE or median["CLS"] > MAX_LAYOUT_SHIFT:
                    missed.append(f"{name} {path}: performance {median['score']:.0f}, CLS {median['CLS']:.3f}")
    goal = f"performance ≥ {MIN_PERFORMANCE} and CLS ≤ {MAX_LAYOUT_SHIFT}"
    print("\n".join([f"BELOW THE GOAL ({goal}):", *missed]) if missed else f"Every page type meets {goal}.")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
