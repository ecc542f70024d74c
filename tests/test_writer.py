"""One writer per bundle: a second write to a path, or a write outside the bundle, is refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.writer import BundleWriter, WriteRefused


def test_each_file_is_written_once_and_its_stage_recorded(tmp_path: Path):
    writer = BundleWriter(tmp_path / "bundle")
    writer.write("catalog.csv", b"a,b\r\n", "export")
    writer.write("huong-dan/quyen.html", "<p>x</p>", "theme")
    assert writer.written == {"catalog.csv": "export", "huong-dan/quyen.html": "theme"}
    assert (tmp_path / "bundle" / "huong-dan" / "quyen.html").read_text(encoding="utf-8") == "<p>x</p>"
    with pytest.raises(WriteRefused, match="catalog.csv was already written by export"):
        writer.write("catalog.csv", b"other", "feeds")
    assert (tmp_path / "bundle" / "catalog.csv").read_bytes() == b"a,b\r\n"


@pytest.mark.parametrize("path", ["../escape.html", "/etc/passwd", "a/../../b", "a\\b", "", "a//b", "./a"])
def test_a_path_outside_the_bundle_is_refused(tmp_path: Path, path: str):
    writer = BundleWriter(tmp_path / "bundle")
    with pytest.raises(WriteRefused):
        writer.write(path, b"x", "export")
    assert not (tmp_path / "escape.html").exists()


def test_keeping_a_previous_bundle_copies_its_files_but_no_link(tmp_path: Path):
    previous = tmp_path / "old"
    (previous / "tep").mkdir(parents=True)
    (previous / "index.html").write_text("cũ", encoding="utf-8")
    (previous / "tep" / "a.pdf").write_bytes(b"%PDF")
    (previous / "link.html").symlink_to("/etc/hostname")
    (previous / "dir-link").symlink_to("/etc", target_is_directory=True)
    writer = BundleWriter(tmp_path / "new")
    writer.keep(previous, "kept")
    assert writer.written == {"index.html": "kept", "tep/a.pdf": "kept"}
    assert sorted(p.name for p in (tmp_path / "new").iterdir()) == ["index.html", "tep"]


def test_a_writer_adopts_what_another_process_wrote_and_refuses_a_path_written_twice(tmp_path: Path):
    site, beside = BundleWriter(tmp_path), BundleWriter(tmp_path)
    site.write("index.html", "portal", "site")
    beside.write("bao-cao/index.html", "report", "report")
    site.adopt(beside.written)
    assert site.written == {"index.html": "site", "bao-cao/index.html": "report"}
    with pytest.raises(WriteRefused):
        site.adopt({"index.html": "report"})
