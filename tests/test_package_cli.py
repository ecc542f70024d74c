"""`tiepcan package`: what it writes, and its messages when there is nothing to package."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import main

pytestmark = pytest.mark.slow


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def test_package_one_agency(demo_site: Path, tmp_path: Path):
    result = run("package", "--site", str(demo_site), "--out", str(tmp_path / "dist"), "--agency", "xa-mau")
    assert result.exit_code == 0, result.output
    assert "Đã đóng gói 1 cơ quan" in result.output
    assert sorted(p.name for p in (tmp_path / "dist").iterdir()) == \
        ["SHA256SUMS", "xa-mau.manifest.json", "xa-mau.tar.gz", "xa-mau.zip"]


def test_package_without_a_build_says_what_to_do(tmp_path: Path):
    result = run("package", "--site", str(tmp_path / "site"), "--lang", "en")
    assert result.exit_code == 1
    assert "Run “tiepcan build” first" in result.output


def test_package_an_unknown_agency(demo_site: Path, tmp_path: Path):
    result = run("package", "--site", str(demo_site), "--out", str(tmp_path), "--agency", "khong-co")
    assert result.exit_code == 1
    assert "khong-co" in result.output
    assert list(tmp_path.iterdir()) == []
