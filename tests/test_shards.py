"""Sharded builds for CI matrices: `--shard I/N` builds a stable 1/N of the agencies, and `tiepcan merge`
assembles the shard outputs into the site an unsharded build gives, byte for byte."""

from __future__ import annotations

import hashlib
import re
import shlex
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from generator.build import MissingFromShards, build_all, in_shard
from generator.cli import main
from tests.conftest import AGENCIES, ROOT, build_options

PIPELINES = [ROOT / "docs/deploy/gitlab-ci-sharded.yml", ROOT / "docs/deploy/github-sharded.yml"]
SITE_URL = "https://stp.example.gov.vn/tc/"


def _digest(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_every_agency_is_in_exactly_one_shard_and_stays_there():
    ids = [f"co-quan-{i:04d}" for i in range(3000)]
    for count in (1, 2, 3, 7):
        owners = [[i for i in range(1, count + 1) if in_shard(agency_id, (i, count))] for agency_id in ids]
        assert all(len(owner) == 1 for owner in owners)
        sizes = [sum(owner == [i] for owner in owners) for i in range(1, count + 1)]
        assert max(sizes) - min(sizes) < len(ids) / count * 0.2  # near even
    assert in_shard("so-tu-phap-binh-phuoc", (2, 3)) and in_shard("xa-mau", (1, 3))  # by id hash: the same on every machine and run


@pytest.mark.parametrize("value", ["0/3", "4/3", "a/3", "3", "1/0", "-1/2"])
def test_a_shard_that_cannot_be_is_a_usage_error(value):
    result = CliRunner().invoke(main, ["build", "--shard", value])
    assert result.exit_code == 2 and "I/N" in result.output


def _pipeline_commands(path: Path) -> list[str]:
    """Every `tiepcan build` or `tiepcan merge` line the pipeline runs, in job order."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    jobs = data["jobs"] if "jobs" in data else {k: v for k, v in data.items() if isinstance(v, dict)}
    steps = [step for spec in jobs.values() for step in spec.get("script", [])
             + [s.get("run", "") for s in spec.get("steps", [])]]
    return [line.strip() for step in steps for line in str(step).splitlines()
            if re.search(r"\btiepcan (build|merge)\b", line)]


def _shard_count(path: Path) -> int:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if "build-shard" in data:
        return int(data["build-shard"]["parallel"])
    return len(data["jobs"]["shard"]["strategy"]["matrix"]["shard"])


def _argv(line: str, work: Path, shard: int, count: int) -> list[str]:
    line = line.split("tiepcan ", 1)[1]
    for variable, value in (("$CI_NODE_INDEX", str(shard)), ("$CI_NODE_TOTAL", str(count)),
                            ("${{ matrix.shard }}", str(shard)), ("$TIEPCAN_SITE_URL", SITE_URL),
                            ('${{ vars.TIEPCAN_SITE_URL }}', SITE_URL)):
        line = line.replace(variable, value)
    argv = shlex.split(line)
    out = []
    for i, word in enumerate(argv):
        if word == "shards/*":
            out += sorted(str(p) for p in (work / "shards").iterdir())
        elif i and argv[i - 1] == "--out":
            out.append(str(work / word))
        else:
            out.append(word)
    return out


@pytest.mark.slow
@pytest.mark.parametrize("path", PIPELINES, ids=lambda p: p.name)
def test_the_pipeline_builds_shards_and_merges_them_into_the_unsharded_site(path, tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)  # where the pipeline runs: the repository's root
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795392000")  # 2026-11-23, as the pipeline sets it for every job
    commands, count = _pipeline_commands(path), _shard_count(path)
    assert [line.split("tiepcan ", 1)[1].split()[0] for line in commands] == ["build", "merge"]
    build_line, merge_line = commands
    assert "--shard" in build_line
    for shard in range(1, count + 1):
        result = CliRunner().invoke(main, _argv(build_line, tmp_path, shard, count) + ["--jobs", "1"])
        assert result.exit_code == 0, result.output
    merged_argv = _argv(merge_line, tmp_path, 0, count)
    result = CliRunner().invoke(main, merged_argv)
    assert result.exit_code == 0, result.output
    merged = Path(merged_argv[merged_argv.index("--out") + 1])
    whole = tmp_path / "whole"
    assert CliRunner().invoke(main, ["build", "--out", str(whole), "--site-url", SITE_URL]).exit_code == 0
    assert _digest(merged) == _digest(whole)


@pytest.mark.slow
def test_a_merge_missing_a_shard_names_the_agencies_and_publishes_nothing(tmp_path):
    first = tmp_path / "s1"
    build_all(build_options(AGENCIES, first, shard=(1, 3)))
    with pytest.raises(MissingFromShards) as raised:
        build_all(build_options(AGENCIES, tmp_path / "site", merge_from=(first,)))
    assert raised.value.agency_ids and not any(in_shard(a, (1, 3)) for a in raised.value.agency_ids)
    assert not (tmp_path / "site").exists()


@pytest.mark.slow
def test_a_portal_index_in_parts_is_the_same_merged_from_shards_as_built_whole(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    parts = ["--portal-index-parts", "3", "--site-url", SITE_URL, "--date", "2026-11-23"]
    for shard in (1, 2):
        argv = ["build", "--shard", f"{shard}/2", "--out", str(tmp_path / f"s{shard}"), "--jobs", "1", *parts]
        assert CliRunner().invoke(main, argv).exit_code == 0
    merged, whole = tmp_path / "merged", tmp_path / "whole"
    result = CliRunner().invoke(main, ["merge", str(tmp_path / "s1"), str(tmp_path / "s2"), "--out", str(merged), *parts])
    assert result.exit_code == 0, result.output
    assert CliRunner().invoke(main, ["build", "--out", str(whole), *parts]).exit_code == 0
    assert sorted(p.name for p in (whole / "pagefind" / "parts").iterdir()) == ["1", "2"]
    assert 'data-index-parts="parts/1/ parts/2/"' in (whole / "tim-kiem.html").read_text(encoding="utf-8")
    assert _digest(merged) == _digest(whole)
