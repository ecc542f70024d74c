"""The adversarial corpus (tests/corpus/): every hostile or broken file ends in its stated outcome.

An error is a diagnostic with the stated code at the stated line:column, worded in Vietnamese
with a "Cách sửa"; nothing ever ends in a traceback (the command is run in-process with
exceptions propagating, so any traceback fails the case).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from generator import regime as regimes
from generator.cli import main
from generator.validate import check_paths

CORPUS = Path(__file__).parent / "corpus"


def _cases() -> list[tuple[Path, dict]]:
    cases = []
    for expect in sorted(CORPUS.glob("*/expect.yaml")):
        for name, outcome in yaml.safe_load(expect.read_text(encoding="utf-8")).items():
            cases.append((expect.parent / name, outcome))
    return cases


CASES = _cases()


@pytest.mark.parametrize(("case", "outcome"), CASES, ids=[f"{c.parent.name}/{c.name}" for c, _ in CASES])
def test_case_ends_in_its_stated_outcome(case: Path, outcome: dict, tmp_path, monkeypatch):
    assert case.exists(), f"{case} is named in expect.yaml but missing"
    folder = tmp_path / "agencies"
    folder.mkdir()
    shutil.copyfile(case, folder / case.name)
    if (case.parent / case.stem).is_dir():  # the case's own attachments and pages
        shutil.copytree(case.parent / case.stem, folder / case.stem)
    monkeypatch.chdir(tmp_path)
    result = check_paths([Path("agencies")], regimes.regime_ids())
    errors = [d for d in result.diagnostics if d.severity == "error"]
    found = [(d.code, f"{d.line}:{d.column}", d.field_path) for d in result.diagnostics]
    if outcome.get("valid"):
        assert not errors, found
    else:
        assert any(d.code == outcome["error"]
                   and ("at" not in outcome or f"{d.line}:{d.column}" == outcome["at"])
                   and ("field" not in outcome or d.field_path == outcome["field"])
                   for d in errors), found
    if "warning" in outcome:
        assert any(d.code == outcome["warning"] and d.severity == "warning" for d in result.diagnostics), found

    cli = CliRunner().invoke(main, ["check", "agencies"], catch_exceptions=False)
    assert "Traceback" not in cli.output
    assert cli.exit_code == (0 if outcome.get("valid") else 1), cli.output
    for line in cli.output.splitlines():
        if line.startswith(f"agencies/{case.name}:") and not any(f": {p}:" in line for p in ("cảnh báo", "ghi chú")):
            assert "Cách sửa" in line, line
