"""One very large agency: checking it with libyaml and with the pure-Python parser, an alias bomb, one build.

Writes a deterministic 20,000-entry agency (~8 MB, like a real catalog with summaries), then prints side by
side the median of 5 runs of checking it (load + validate in-process, and `tiepcan check` in a child
process), the time and peak RSS of refusing an alias bomb, and the peak RSS of `tiepcan build` of that
one agency. Peak RSS is a child's ru_maxrss, measured through a small Python in between (Linux carries a
parent's peak into its child's ru_maxrss across fork and exec).

    .venv/bin/python -m bench.large            # prints the table; exit 1 if a target is missed
    .venv/bin/python -m bench.large --no-build # without the (slow) build
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import yaml

from bench.corpus import synthetic_agency_yaml
from generator import load
from generator.validate import validate_documents

ENTRIES = 20_000
RUNS = 5
CHECK_TARGET_S = 4.0
BUILD_TARGET_MB = 1024
AGENCY_ID = "co-quan-lon"
ROOT = Path(__file__).resolve().parent.parent
SUMMARY = "    summary: " + "Trích yếu văn bản mẫu " * 6  # about what a real entry carries besides its title
_SPAWN = ("import json, resource, subprocess, sys, time\n"
          "start = time.perf_counter()\n"
          "code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode\n"
          "print(json.dumps({'code': code, 'seconds': time.perf_counter() - start,\n"
          "                  'rss_kb': resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}))\n")
_PURE_PYTHON_CHECK = ("import sys; from generator import load; load.USE_LIBYAML = False\n"
                      "from generator.cli import main; main(['check', *sys.argv[1:]])")
_BOMB_LOAD = "import sys; from pathlib import Path; from generator.load import load_file; load_file(Path(sys.argv[1]))"


def large_agency_yaml(agency_id: str = AGENCY_ID, entries: int = ENTRIES) -> str:
    forms = "    forms: [portal]\n"
    return synthetic_agency_yaml(agency_id, entries).replace(forms, f"{forms}{SUMMARY}\n")


def alias_bomb() -> str:
    """The billion-laughs file: 9 levels of 9 aliases, 10⁹ strings if expanded, ~350 bytes."""
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"{chr(98 + i)}: &{chr(98 + i)} [{','.join([f'*{chr(97 + i)}'] * 9)}]" for i in range(8)]
    return "\n".join(lines) + "\n"


def child(command: list[str]) -> dict:
    """Exit code, wall seconds and peak RSS (KB) of one child process."""
    result = subprocess.run([sys.executable, "-c", _SPAWN, *command], capture_output=True, text=True, check=True,
                            cwd=ROOT)
    return json.loads(result.stdout)


def median_seconds(run: Callable[[], object]) -> float:
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def in_process(path: Path, use_libyaml: bool) -> tuple[float, float]:
    """Median seconds of load alone and of load + validate."""
    load.USE_LIBYAML = use_libyaml
    try:
        load_only = median_seconds(lambda: load.load_file(path))
        checked = median_seconds(lambda: validate_documents([load.load_file(path)]))
    finally:
        load.USE_LIBYAML = yaml.__with_libyaml__
    return load_only, checked


def main(argv: list[str]) -> int:
    tiepcan = str(Path(sys.executable).with_name("tiepcan"))
    with tempfile.TemporaryDirectory(prefix="tiepcan-large-") as work:
        agencies = Path(work) / "agencies"
        agencies.mkdir()
        path = agencies / f"{AGENCY_ID}.yaml"
        path.write_text(large_agency_yaml(), encoding="utf-8")
        bomb = Path(work) / "bomb.yaml"
        bomb.write_text(alias_bomb(), encoding="utf-8")
        size_mb = path.stat().st_size / 1024 / 1024
        print(f"{ENTRIES} entries, {size_mb:.1f} MB; medians of {RUNS} runs")
        commands = {True: [tiepcan, "check", str(path)], False: [sys.executable, "-c", _PURE_PYTHON_CHECK, str(path)]}
        rows = []
        for use_libyaml in (True, False):
            load_s, check_s = in_process(path, use_libyaml)
            runs = [child(commands[use_libyaml]) for _ in range(RUNS)]
            assert all(run["code"] == 0 for run in runs), runs
            rows.append((use_libyaml, load_s, check_s, statistics.median(r["seconds"] for r in runs),
                         max(r["rss_kb"] for r in runs) / 1024))
        print(f"{'parser':<14} {'load s':>8} {'load+validate s':>16} {'tiepcan check s':>16} {'check peak MB':>14}")
        for use_libyaml, load_s, check_s, cli_s, rss_mb in rows:
            print(f"{'libyaml' if use_libyaml else 'pure Python':<14} {load_s:>8.2f} {check_s:>16.2f} {cli_s:>16.2f} "
                  f"{rss_mb:>14.0f}")

        bomb_s = median_seconds(lambda: load.load_file(bomb))
        bomb_child = child([sys.executable, "-c", _BOMB_LOAD, str(bomb)])
        print(f"alias bomb ({len(alias_bomb())} bytes) refused in {bomb_s * 1000:.1f} ms, "
              f"child peak {bomb_child['rss_kb'] / 1024:.0f} MB")

        ok = rows[0][3] <= CHECK_TARGET_S and bomb_s < 1 and bomb_child["rss_kb"] < 100 * 1024
        if "--no-build" not in argv:
            build = child([tiepcan, "build", "--agencies", str(agencies), "--out", str(Path(work) / "site"),
                           "--date", "2026-11-23"])
            print(f"tiepcan build of that agency: exit {build['code']}, {build['seconds']:.0f} s, "
                  f"peak {build['rss_kb'] / 1024:.0f} MB (target ≤ {BUILD_TARGET_MB} MB)")
            ok = ok and build["code"] == 0 and build["rss_kb"] <= BUILD_TARGET_MB * 1024
    print(f"targets: check ≤ {CHECK_TARGET_S:.0f} s, bomb < 1 s and < 100 MB, build ≤ {BUILD_TARGET_MB} MB: "
          f"{'met' if ok else 'MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
