"""File digests (generator/cache.py, FileDigests): a build learns what an agency's attachments hold
without reading them again while the file system says the same of each file, and reads a file
again as soon as it says anything else: its size, its times or its inode."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest

from generator.cache import FOLDER, FileDigests, RecordCache


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    agencies = tmp_path / "agencies"
    (agencies / "so-thu" / "files").mkdir(parents=True)
    assert RecordCache.beside(agencies) is not None  # the cache folder, as a build's validation makes it
    return agencies


@pytest.fixture
def reads(monkeypatch) -> list[str]:
    """The files whose bytes are read, by name."""
    names: list[str] = []
    real = Path.read_bytes

    def recording(path: Path) -> bytes:
        if path.name != "file-digests.json":  # the digests themselves
            names.append(path.name)
        return real(path)

    monkeypatch.setattr(Path, "read_bytes", recording)
    return names


def settled(monkeypatch) -> None:
    """Files written by a test are seconds old at once (a real attachment is older than a build)."""
    monkeypatch.setattr(FileDigests, "_SETTLED_NS", -(10**12))


def test_an_unchanged_file_is_not_read_again_and_keeps_its_digest(folder, monkeypatch, reads):
    settled(monkeypatch)
    pdf = folder / "so-thu" / "files" / "quy-che.pdf"
    pdf.write_bytes(b"%PDF-1.7 " * 100_000)
    first = FileDigests.beside(folder)
    assert first.of(pdf) == hashlib.sha256(pdf.read_bytes()).hexdigest()
    first.save()
    reads.clear()
    again = FileDigests.beside(folder)
    assert again.of(pdf) == first.of(pdf) and reads == []


@pytest.mark.parametrize("change", ["content", "same_size", "replaced"])
def test_a_file_the_file_system_says_anything_new_of_is_read_again(folder, monkeypatch, reads, change):
    settled(monkeypatch)
    pdf = folder / "so-thu" / "files" / "quy-che.pdf"
    pdf.write_bytes(b"ban dau")
    digests = FileDigests.beside(folder)
    digests.of(pdf)
    digests.save()
    stat = pdf.stat()
    if change == "content":
        pdf.write_bytes(b"ban sua doi, dai hon")
    elif change == "same_size":  # same size, its modification time put back: its change time still moves
        pdf.write_bytes(b"ban moi")
        os.utime(pdf, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    else:  # another file renamed over it: another inode
        other = pdf.with_name("moi.pdf")
        other.write_bytes(b"ban khac")
        os.replace(other, pdf)
    reads.clear()
    assert FileDigests.beside(folder).of(pdf) == hashlib.sha256(pdf.read_bytes()).hexdigest()
    assert reads[0] == "quy-che.pdf"


def test_a_file_changed_in_the_last_seconds_is_read_every_time(folder, reads):
    pdf = folder / "so-thu" / "files" / "quy-che.pdf"
    pdf.write_bytes(b"vua sua")
    digests = FileDigests.beside(folder)
    digests.of(pdf)
    digests.save()
    reads.clear()
    FileDigests.beside(folder).of(pdf)
    assert reads == ["quy-che.pdf"]


def test_digests_that_do_not_read_back_are_ignored(folder, monkeypatch):
    settled(monkeypatch)
    pdf = folder / "so-thu" / "files" / "quy-che.pdf"
    pdf.write_bytes(b"noi dung")
    record = folder.parent / FOLDER / "file-digests.json"
    stat = pdf.stat()
    row = [stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino]
    for text in ("{", "[]", json.dumps({"format": 1, "files": {str(pdf.resolve()): [*row, "khong-phai-ma-bam"]}}),
                 json.dumps({"format": 1, "files": {str(pdf.resolve()): [*row, 5]}})):
        record.write_text(text, encoding="utf-8")
        assert FileDigests.beside(folder).of(pdf) == hashlib.sha256(b"noi dung").hexdigest()


def test_without_a_cache_folder_tiepcan_made_nothing_is_written(tmp_path, monkeypatch):
    settled(monkeypatch)
    agencies = tmp_path / "agencies"
    agencies.mkdir()
    (agencies / "tep.pdf").write_bytes(b"x")
    digests = FileDigests.beside(agencies)
    digests.of(agencies / "tep.pdf")
    digests.save()
    assert not (tmp_path / FOLDER).exists()
    (tmp_path / FOLDER).mkdir()  # a folder of that name that tiepcan did not make (no cache tag)
    digests.save()
    assert list((tmp_path / FOLDER).iterdir()) == []
