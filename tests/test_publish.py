"""Atomic publish, with a real `tiepcan build` process: a build that is killed or fails leaves
the published site/ exactly as it was, and the next build clears what the killed one left."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bench.corpus import write_synthetic_agency
from generator.publish import MARKER, staged
from tests.conftest import ROOT, write_agency

pytestmark = pytest.mark.slow

TIEPCAN = [sys.executable, "-m", "generator.cli"]


def tree(folder: Path) -> dict[str, str]:
    """Every file and folder with its content hash and permission bits."""
    return {p.relative_to(folder).as_posix(): f"{oct(p.stat().st_mode)} {hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else ''}"
            for p in sorted(folder.rglob("*"))}


def build(agencies: Path, out: Path, **kwargs) -> subprocess.Popen:
    return subprocess.Popen(TIEPCAN + ["build", "--agencies", str(agencies), "--out", str(out), "--date", "2026-11-23"],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kwargs)


def leftovers(out: Path) -> list[Path]:
    return sorted(out.parent.glob(f".{out.name}.*"))


def building_into(out: Path) -> list[int]:
    """The processes whose command line names `out`: the build's own, and the workers it forked."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            arguments = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:  # not a process, or ended meanwhile
            continue
        if str(out).encode() in arguments:
            found.append(int(entry.name))
    return found


@pytest.fixture
def published(tmp_path) -> tuple[Path, Path, dict[str, str]]:
    agencies, out = tmp_path / "agencies", tmp_path / "site"
    write_agency(agencies, "so-thu")
    process = build(agencies, out)
    assert process.wait(timeout=120) == 0, process.stderr.read()
    return agencies, out, tree(out)


def test_a_build_killed_midway_leaves_the_published_site_byte_identical(published):
    agencies, out, before = published
    for number in range(4):
        write_synthetic_agency(agencies, f"so-them-{number}", 40)
    process = build(agencies, out)
    deadline = time.monotonic() + 120
    # Kill once the new site is half made: the portal and at least one agency are in staging.
    while not any(leftovers(out)) or not list(out.parent.glob(f".{out.name}.new-*/*/index.html")):
        assert process.poll() is None, "the build ended before it could be killed"
        assert time.monotonic() < deadline
        time.sleep(0.05)
    os.kill(process.pid, signal.SIGKILL)
    assert process.wait(timeout=30) == -signal.SIGKILL
    # Its workers die with it: none goes on writing into the folder the next build deletes.
    deadline = time.monotonic() + 30
    while building_into(out):
        assert time.monotonic() < deadline, building_into(out)
        time.sleep(0.05)
    assert tree(out) == before
    assert leftovers(out)  # the half-made site is still there, beside the published one

    process = build(agencies, out)  # the next build publishes and clears the leftovers
    assert process.wait(timeout=300) == 0, process.stderr.read()
    assert leftovers(out) == []
    assert {f"so-them-{n}" for n in range(4)} | {"so-thu"} <= {p.name for p in out.iterdir()}


def test_a_failed_build_leaves_the_published_site_byte_identical(published):
    agencies, out, before = published
    (agencies / "so-hong.yaml").write_text("id: so-hong\nname: [unclosed\n", encoding="utf-8")
    process = build(agencies, out)
    assert process.wait(timeout=120) == 1
    assert "so-hong.yaml:" in process.stderr.read()
    assert tree(out) == before
    assert leftovers(out) == []


def test_a_build_killed_between_the_two_renames_gets_the_old_site_back(tmp_path):
    """The swap is two renames; killed between them, only `.site.old-*` is left, and the next
    build — even one that fails — first puts it back as site/."""
    out = tmp_path / "site"
    retired = tmp_path / ".site.old-4242"
    retired.mkdir()
    (retired / "index.html").write_text("cũ", encoding="utf-8")
    (retired / MARKER).write_text("", encoding="utf-8")  # every site tiepcan publishes carries it
    with pytest.raises(RuntimeError):
        with staged(out, [tmp_path / 'project']):
            raise RuntimeError("the new build fails")
    assert (out / "index.html").read_text(encoding="utf-8") == "cũ"
    assert leftovers(out) == []


def test_two_builds_at_once_publish_one_after_the_other_each_a_whole_site(tmp_path):
    """The second build, started while the first stages its site, waits for it (and says so) instead
    of deleting the first's staging folder as a leftover; the first then published a whole site (every
    bundle, the marker), which the second finds up to date."""
    agencies, out = tmp_path / "agencies", tmp_path / "site"
    write_agency(agencies, "so-thu")
    for number in range(4):
        write_synthetic_agency(agencies, f"so-them-{number}", 40)
    first = build(agencies, out)
    deadline = time.monotonic() + 120
    while not list(out.parent.glob(f".{out.name}.new-*/*/index.html")):
        assert first.poll() is None, "the first build ended before the second could start"
        assert time.monotonic() < deadline
        time.sleep(0.05)
    second = build(agencies, out)
    assert first.wait(timeout=300) == 0, first.stderr.read()
    assert second.wait(timeout=300) == 0, second.stderr.read()
    assert "Một lần dựng khác đang công bố trong thư mục" in second.stderr.read()
    assert (out / MARKER).is_file()
    for agency_id in ["so-thu", *(f"so-them-{n}" for n in range(4))]:
        assert (out / agency_id / "index.html").is_file(), agency_id
    assert leftovers(out) == []
