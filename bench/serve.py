"""`tiepcan serve` on a province (issue 12, item 8): how long after a clerk saves a file the page is fresh.

Writes a synthetic repository of `--agencies` agencies (bench/scalecorpus.py, default 150: a province),
starts the real `tiepcan serve` on a free port (from the project root, as a clerk runs it), waits for
its first build, then `--saves` times: edits one department's first catalog title on disk (bench.scale's
edit_title) and polls
that department's catalog page over HTTP every 20 ms until it shows the new title. Prints each wait
and the median. Goal: ≤ 2 s.

    .venv/bin/python -m bench.serve
    .venv/bin/python -m bench.serve --agencies 500 --saves 7

Before each save, serve has finished the previous save's builds (a clerk reads the page before saving
again). The wait includes serve's settling (generator/serve.py: the files quiet for 0.15 s, since an editor's
save is often several file events), the rebuild and the swap. The machine's other work counts:
measure on a quiet one.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import scalecorpus  # noqa: E402
from bench.scale import BUILD_DATE, changed_agency, edit_title  # noqa: E402
from generator import layout  # noqa: E402
from generator.i18n import load_messages  # noqa: E402
from tests.servers import free_port, wait_until_listening  # noqa: E402

POLL_S = 0.02


def _page(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read().decode("utf-8")


PASSES = 2  # builds per save (generator/serve.py)
SUMMARY = (
    load_messages("vi").text("cli.built", count=0, reused=0, failed=0, entries=0, seconds="0", out="").split("0")[0]
)


def _summaries(log: Path) -> int:
    """The builds serve has finished, by the summary line each prints."""
    return sum(line.startswith(SUMMARY) for line in log.read_text(encoding="utf-8", errors="replace").splitlines())


def _wait_for(condition: Callable[[], bool], seconds: float) -> None:
    deadline = time.perf_counter() + seconds
    while not condition():
        if time.perf_counter() > deadline:
            raise TimeoutError("tiepcan serve did not finish its builds")
        time.sleep(POLL_S)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agencies", type=int, default=150)
    parser.add_argument("--saves", type=int, default=5)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="tiepcan-serve-bench-") as work:
        agencies, out = Path(work) / "agencies", Path(work) / "site"
        specs = scalecorpus.write_corpus(agencies, args.agencies)
        target = changed_agency(specs)
        port = free_port()
        command = [
            sys.executable,
            "-m",
            "generator.cli",
            "serve",
            "--agencies",
            str(agencies),
            "--out",
            str(out),
            "--port",
            str(port),
            "--date",
            BUILD_DATE,
        ]
        started = time.perf_counter()
        log_path = Path(work) / "serve.log"
        log = log_path.open("w", encoding="utf-8")  # a pipe nobody reads would fill and block it
        process = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, text=True)
        try:
            wait_until_listening(port, process, "tiepcan serve", seconds=1800)
            first = time.perf_counter() - started
            url = f"http://127.0.0.1:{port}/{target}/{layout.page_url('catalog')}"
            waits = []
            for save in range(1, args.saves + 1):
                marker = f"Sửa-lần-{save}"
                # A clerk reads the page before saving again: the previous save's passes are over (serve
                # builds the changed bundle, then the portal-wide parts, and prints a summary for each).
                builds = 1 + PASSES * (save - 1)
                _wait_for(lambda: _summaries(log_path) >= builds, 600)  # noqa: B023 - called here, at once
                time.sleep(0.5)  # and its file events with them
                edit_title(agencies / f"{target}.yaml", marker)
                saved = time.perf_counter()
                while marker not in _page(url):
                    if time.perf_counter() - saved > 600:
                        raise TimeoutError(f"the page never showed {marker}")
                    time.sleep(POLL_S)
                waits.append(time.perf_counter() - saved)
        finally:
            process.terminate()
            process.wait(timeout=60)
            log.close()
            summaries = [line for line in log_path.read_text(encoding="utf-8").splitlines() if line.startswith(SUMMARY)]
    print(f"tiepcan serve, {args.agencies} agencies ({scalecorpus.describe(specs)})")
    print(f"first build and listening: {first:.1f} s")
    print("serve's builds (the first, then two a save):\n  " + "\n  ".join(summaries))
    print("save → fresh page, s: " + ", ".join(f"{w:.2f}" for w in waits) + f"; median {statistics.median(waits):.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
