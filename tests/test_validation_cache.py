"""The validation cache (generator/cache.py): a file whose bytes have not changed is not read or
validated again, and what the validation says is the same with or without the cache."""

from __future__ import annotations

import json
import os
import shutil

import pytest

from generator import load
from generator import regime as regimes
from generator.cache import FOLDER, TAG, RecordCache
from generator.validate import check_paths
from tests.conftest import AGENCIES, MINIMAL_AGENCY, write_agency


def _said(result) -> list[tuple]:
    """Everything a validation result tells, params and severities included (Diagnostic equality ignores them)."""
    return [
        [(d.path, d.line, d.column, d.code, d.field_path, d.params, d.severity) for d in result.diagnostics],
        [(a.model, a.source, a.withheld) for a in result.usable],
        result.failed,
        result.refused,
    ]


def _check(folder, cache):
    return check_paths([folder], regimes.regime_ids(), cache)


WARNED_AND_WITHHELD = """\
description: Gọi 0912 345 678
catalog:
  - id: noi-bo
    title: Báo cáo nội bộ
    created: 2024-01-02
    clause: a
    forms: [portal]
    disclosed: 2024-01-05
    access: internal
"""


@pytest.fixture
def agencies(tmp_path, monkeypatch):
    """The demo agencies plus one with a personal-data warning and an internal entry."""
    folder = tmp_path / "agencies"
    shutil.copytree(AGENCIES, folder)
    write_agency(folder, "so-canh-bao", MINIMAL_AGENCY.format(id="so-canh-bao") + WARNED_AND_WITHHELD)
    monkeypatch.chdir(tmp_path)  # messages name files relative to the working directory
    return folder


def test_a_second_validation_reads_records_not_files_and_says_the_same(agencies, tmp_path, monkeypatch):
    uncached = _check(agencies, None)
    first = _check(agencies, RecordCache.beside(agencies))
    assert any(d.code == "personal_phone" for d in first.diagnostics) and any(a.withheld for a in first.usable)
    assert first.refused, "the demo withholds entries: their titles must still reach the leak scan"
    assert (tmp_path / FOLDER / TAG).is_file()

    def no_parsing(*_args):
        raise AssertionError("an unchanged file was parsed again")

    monkeypatch.setattr("generator.validate.load_bytes", no_parsing)
    monkeypatch.setattr("generator.validate._SEEN", {})  # another process: what this one read is not there
    second = _check(agencies, RecordCache.beside(agencies))
    assert _said(second) == _said(first) == _said(uncached)


def test_messages_across_files_about_recorded_files_point_where_they_do_without_records(agencies, monkeypatch):
    # The positions a record keeps are read only when a message needs one: these two need them.
    write_agency(agencies, "so-con", MINIMAL_AGENCY.format(id="so-con") + "parent: so-khong-co\nprevious_ids: [bo-mau]\n")
    uncached = _check(agencies, None)
    _check(agencies, RecordCache.beside(agencies))
    monkeypatch.setattr("generator.validate._SEEN", {})
    second = _check(agencies, RecordCache.beside(agencies))
    placed = {(d.code, d.line, d.column) for d in second.diagnostics if d.path.endswith("so-con.yaml")}
    assert {("unknown_parent", 9, 9), ("duplicate_agency_id", 10, 16)} <= placed
    assert _said(second) == _said(uncached)


def test_in_one_process_a_record_read_once_is_not_read_again_while_its_file_stays(agencies, monkeypatch):
    first = _check(agencies, RecordCache.beside(agencies))  # `tiepcan serve`: one process, a build per save

    def no_reading(*_args):
        raise AssertionError("a record this process already read was read again")

    monkeypatch.setattr("generator.validate.load_bytes", no_reading)
    monkeypatch.setattr(RecordCache, "get", no_reading)
    again = _check(agencies, RecordCache.beside(agencies))
    assert _said(again) == _said(first)
    assert {a.model.id for a in again.usable} == {a.model.id for a in first.usable}


def test_a_changed_file_is_read_again_and_an_invalid_one_is_never_recorded(agencies, tmp_path, monkeypatch):
    _check(agencies, RecordCache.beside(agencies))
    target = agencies / "so-canh-bao.yaml"
    target.write_text(target.read_text(encoding="utf-8").replace("Sở Thử nghiệm", "Sở Đã sửa"), encoding="utf-8")
    write_agency(agencies, "so-loi", MINIMAL_AGENCY.format(id="so-loi").replace("kind: department", "kind: khong-co"))
    parsed = []
    real = load.load_bytes
    monkeypatch.setattr("generator.validate.load_bytes", lambda path, raw: parsed.append(path.name) or real(path, raw))
    for _ in range(2):
        result = _check(agencies, RecordCache.beside(agencies))
    assert parsed == ["so-canh-bao.yaml", "so-loi.yaml", "so-loi.yaml"]  # the edit once; the broken file each time
    assert "so-loi" in result.failed
    assert [a.model.name for a in result.usable if a.model.id == "so-canh-bao"] == ["Sở Đã sửa"]


def test_a_spoiled_record_is_ignored_and_the_file_read_again(agencies, tmp_path):
    _check(agencies, RecordCache.beside(agencies))
    records = sorted((tmp_path / FOLDER).glob("*.json"))
    assert len(records) == len(list(agencies.glob("*.yaml")))
    records[0].write_text("{ not json", encoding="utf-8")
    spoiled = json.loads(records[1].read_text(encoding="utf-8"))
    spoiled["agency"] = json.dumps({"id": "khac", "name": ""})  # fails the model: read back, it is checked again
    records[1].write_text(json.dumps(spoiled), encoding="utf-8")
    assert _said(_check(agencies, RecordCache.beside(agencies))) == _said(_check(agencies, None))


def test_records_of_removed_files_go_and_a_folder_tiepcan_did_not_make_is_not_touched(agencies, tmp_path):
    _check(agencies, RecordCache.beside(agencies))
    before = len(list((tmp_path / FOLDER).glob("*.json")))
    (agencies / "so-canh-bao.yaml").unlink()
    (tmp_path / FOLDER / ".x.tmp").write_text("", encoding="utf-8")  # a run killed while writing
    (tmp_path / FOLDER / "ghi-chu.txt").write_text("", encoding="utf-8")
    _check(agencies, RecordCache.beside(agencies))
    left = sorted(p.name for p in (tmp_path / FOLDER).iterdir())
    assert len([n for n in left if n.endswith(".json")]) == before - 1
    assert ".x.tmp" not in left and "ghi-chu.txt" in left  # only names a record can have are removed

    theirs = tmp_path / "khac" / FOLDER
    theirs.mkdir(parents=True)
    (theirs / "a").write_text("", encoding="utf-8")
    assert RecordCache.beside(tmp_path / "khac" / "agencies") is None
    assert sorted(p.name for p in theirs.iterdir()) == ["a"]


def test_files_checked_in_worker_processes_say_the_same_and_keep_their_records(agencies, tmp_path, monkeypatch):
    """`--jobs`: each file is checked alone in a worker process; the results come back in order, the
    records the workers wrote are kept, and this process holds them as if it had read them."""
    from generator import validate

    monkeypatch.setattr(validate, "_PARALLEL_FROM", 2)
    monkeypatch.setattr(validate, "_SEEN", {})
    checked_in = tmp_path / "pids"
    real = validate._alone

    def noting_pid(doc):
        with checked_in.open("a") as out:
            out.write(f"{os.getpid()}\n")
        return real(doc)

    monkeypatch.setattr(validate, "_alone", noting_pid)
    alone_here = _check(agencies, None)
    in_workers = check_paths([agencies], regimes.regime_ids(), None, jobs=2)
    first = check_paths([agencies], regimes.regime_ids(), RecordCache.beside(agencies), jobs=2)
    files = len(list(agencies.glob("*.yaml")))
    pids = checked_in.read_text().split()
    assert len(pids) == 3 * files and pids[:files] == [str(os.getpid())] * files
    assert str(os.getpid()) not in pids[files:] and len(set(pids[files:])) >= 2  # two pools of workers
    assert len(list((tmp_path / FOLDER).glob("*.json"))) == files  # written by the workers, not pruned
    assert len(validate._SEEN) == files  # remembered here: `tiepcan serve`'s next build reads nothing

    def no_parsing(*_args):
        raise AssertionError("an unchanged file was parsed again")

    monkeypatch.setattr(validate, "load_bytes", no_parsing)
    monkeypatch.setattr(validate, "_SEEN", {})  # another process
    second = check_paths([agencies], regimes.regime_ids(), RecordCache.beside(agencies), jobs=2)
    assert _said(second) == _said(first) == _said(in_workers) == _said(alone_here)
    assert len(list((tmp_path / FOLDER).glob("*.json"))) == files
