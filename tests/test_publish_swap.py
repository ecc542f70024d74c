"""Publishing a build that keeps some bundles where they are (generator/publish.py, `stay`): only what
it made is swapped in, entry by entry, and a build killed during that swap is finished by the next.
One build at a time publishes into a folder, and a staging folder deleted under a build is not published."""

from __future__ import annotations

import json
import os
import shutil
import threading
from pathlib import Path

import pytest

from generator.publish import MARKER, PLAN, StagingRemoved, exclusive, staged


def _site(out: Path, entries: dict[str, str]) -> Path:
    """A published site: the marker, and each entry a folder holding index.html with `text`."""
    out.mkdir()
    (out / MARKER).write_text("", encoding="utf-8")
    for name, text in entries.items():
        (out / name).mkdir()
        (out / name / "index.html").write_text(text, encoding="utf-8")
    return out


def _read(out: Path) -> dict[str, str]:
    return {p.name: (p / "index.html").read_text(encoding="utf-8") for p in sorted(out.iterdir()) if p.is_dir()}


def _project(tmp_path: Path) -> list[Path]:
    return [tmp_path / "project"]


def test_only_what_the_build_made_is_swapped_in_and_what_stays_is_not_touched(tmp_path):
    out = _site(tmp_path / "site", {"so-a": "a cũ", "so-b": "b cũ", "so-da-xoa": "đã xoá", "assets": "cũ"})
    kept = os.stat(out / "so-b" / "index.html").st_ino
    stay: set[str] = set()
    with staged(out, _project(tmp_path), stay) as staging:
        for name in ("so-a", "assets"):
            (staging / name).mkdir()
            (staging / name / "index.html").write_text(f"{name} mới", encoding="utf-8")
        stay.add("so-b")
    assert _read(out) == {"assets": "assets mới", "so-a": "so-a mới", "so-b": "b cũ"}  # so-da-xoa removed
    assert os.stat(out / "so-b" / "index.html").st_ino == kept  # neither copied nor linked again
    assert (out / MARKER).is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]  # nothing left beside it


def test_a_failed_build_that_would_keep_bundles_leaves_the_site_as_it_was(tmp_path):
    out = _site(tmp_path / "site", {"so-a": "a cũ", "so-b": "b cũ"})
    stay: set[str] = set()
    with pytest.raises(RuntimeError):
        with staged(out, _project(tmp_path), stay) as staging:
            (staging / "so-a").mkdir()
            stay.add("so-b")
            raise RuntimeError("the build fails")
    assert _read(out) == {"so-a": "a cũ", "so-b": "b cũ"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_a_build_killed_during_the_swap_is_finished_by_the_next_even_one_that_fails(tmp_path):
    """Killed after so-a was swapped in and before assets was: the ready folder holds the plan and
    assets; the old so-a sits in a `.gone-*` folder; so-da-xoa is still published."""
    out = _site(tmp_path / "site", {"so-a": "a mới", "so-b": "b cũ", "so-da-xoa": "đã xoá", "assets": "cũ"})
    ready = tmp_path / ".site.ready-4242"
    (ready / "assets").mkdir(parents=True)
    (ready / "assets" / "index.html").write_text("assets mới", encoding="utf-8")
    (ready / MARKER).write_text("", encoding="utf-8")
    (ready / PLAN).write_text(json.dumps({"new": ["assets", "so-a"], "stay": ["so-b"]}), encoding="utf-8")
    gone = tmp_path / ".site.gone-4242"
    (gone / "so-a").mkdir(parents=True)
    (gone / MARKER).write_text("", encoding="utf-8")
    with pytest.raises(RuntimeError):
        with staged(out, _project(tmp_path)):
            raise RuntimeError("the next build fails")
    assert _read(out) == {"assets": "assets mới", "so-a": "a mới", "so-b": "b cũ"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_a_ready_folder_without_the_marker_is_not_followed(tmp_path):
    """Not made by tiepcan (no marker): its plan is not run, whatever it says."""
    out = _site(tmp_path / "site", {"so-a": "a"})
    ready = tmp_path / ".site.ready-1"
    ready.mkdir()
    (ready / PLAN).write_text(json.dumps({"new": [], "stay": []}), encoding="utf-8")
    with staged(out, _project(tmp_path)) as staging:
        (staging / "so-a").mkdir()
        (staging / "so-a" / "index.html").write_text("a mới", encoding="utf-8")
    assert _read(out) == {"so-a": "a mới"}
    assert (ready / PLAN).is_file()


def test_a_staging_folder_deleted_during_the_build_is_not_published(tmp_path):
    """Deleted by something else while the build ran, and made again by its writers (mkdir of a bundle's
    folders with parents): what it holds is only what was written since, so nothing is swapped in."""
    out = _site(tmp_path / "site", {"so-a": "a cũ", "so-b": "b cũ"})
    with pytest.raises(StagingRemoved):
        with staged(out, _project(tmp_path)) as staging:
            (staging / "so-a").mkdir()
            shutil.rmtree(staging)
            (staging / "so-b").mkdir(parents=True)
            (staging / "so-b" / "index.html").write_text("b mới", encoding="utf-8")
    assert _read(out) == {"so-a": "a cũ", "so-b": "b cũ"}
    assert (out / MARKER).is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_a_second_build_waits_until_the_first_has_published(tmp_path):
    out = tmp_path / "site"
    inside, release = threading.Event(), threading.Event()
    events: list[str] = []

    def first() -> None:
        with exclusive(out):
            inside.set()
            release.wait(timeout=30)
            events.append("first published")

    holder = threading.Thread(target=first)
    holder.start()
    assert inside.wait(timeout=30)

    def waiting(folder: Path) -> None:
        events.append(f"waiting in {folder.name}")
        release.set()

    with exclusive(out, waiting):
        events.append("second building")
    holder.join(timeout=30)
    assert events == [f"waiting in {tmp_path.name}", "first published", "second building"]


def test_a_build_alone_does_not_wait_and_leaves_no_lock_file(tmp_path):
    called: list[Path] = []
    with exclusive(tmp_path / "not-yet" / "site", called.append):  # a folder not made yet: its parent is locked
        pass
    with exclusive(tmp_path / "not-yet" / "site", called.append):  # released when the first ended
        pass
    assert called == []
    assert list(tmp_path.iterdir()) == []


def test_a_process_forked_during_the_build_does_not_hold_its_lock(tmp_path):
    """A bundle worker outliving its build (the build killed) must not keep the next one waiting."""
    out = tmp_path / "site"
    started_read, started_write = os.pipe()  # the child says it has started
    done_read, done_write = os.pipe()  # closed by the parent when it has locked again: the child ends
    with exclusive(out):
        child = os.fork()
        if child == 0:  # the child: its copy of the lock was closed as it started; it stays alive
            os.close(done_write)
            os.write(started_write, b"1")
            os.read(done_read, 1)
            os._exit(0)
        os.close(done_read)
        assert os.read(started_read, 1) == b"1"

    def waiting(folder: Path) -> None:
        raise AssertionError(f"the lock of {folder} is held by the child, still alive")

    try:
        with exclusive(out, waiting):
            pass
    finally:
        os.close(done_write)
        os.waitpid(child, 0)
        os.close(started_read)
        os.close(started_write)
