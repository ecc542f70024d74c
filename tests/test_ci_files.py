"""The pre-commit config and the pipeline templates: valid YAML, and every `tiepcan …` they name exists
(the check and diff ones are run, as the pipeline would, in a temporary repository)."""

from __future__ import annotations

import re
import shlex
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click
import pytest
import yaml
from click.testing import CliRunner

from generator.cli import main
from tests.conftest import AGENCIES, MINIMAL_AGENCY, ROOT, write_agency

FILES = [ROOT / ".pre-commit-config.yaml", ROOT / "docs/ci/gitlab-ci.yml", ROOT / "docs/ci/github-workflow.yml"]
_RUN_KEYS = {"run", "script", "before_script", "entry"}  # where a string is a shell command
_SHELL_END = re.compile(r"\s(?:\||>|;|&&|\|\|)\s")
_RUNNABLE = {"check", "diff"}  # fast and self-contained; build and package are checked for existence only


def _strings(node: Any, key: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(node, dict):
        if "entry" in node and "args" in node:  # a pre-commit hook: its command is entry + args
            yield "entry", " ".join([node["entry"], *map(str, node["args"])])
        for inner_key, value in node.items():
            if not (inner_key == "entry" and "args" in node):
                yield from _strings(value, str(inner_key))
    elif isinstance(node, list):
        for item in node:
            yield from _strings(item, key)
    elif isinstance(node, str):
        yield key, node


def commands(path: Path) -> list[tuple[bool, list[str]]]:
    """(runs in a shell, argv after `tiepcan`) for every `tiepcan …` the file names."""
    found = []
    for key, text in _strings(yaml.safe_load(path.read_text(encoding="utf-8"))):
        for line in text.splitlines():
            for match in re.finditer(r"(?:^|[\s\"'(])tiepcan\s+(.*)", line):
                segment = _SHELL_END.split(" " + match.group(1) + " ")[0]
                found.append((key in _RUN_KEYS, shlex.split(segment)))
    return found


def _command(argv: list[str]) -> click.Command | None:
    command: click.Command | None = main
    for word in argv:
        if not isinstance(command, click.Group):
            break
        command = command.commands.get(word)
    return command


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_every_tiepcan_command_a_pipeline_file_names_exists(path):
    named = commands(path)
    assert any(runs for runs, _ in named), f"{path.name} runs no tiepcan command"
    for _runs, argv in named:
        command = _command(argv[:2])
        assert command is not None and not isinstance(command, click.Group), (path.name, argv)


def test_the_pipelines_check_review_build_package_and_publish():
    for path in FILES[1:]:
        names = {argv[0] for runs, argv in commands(path) if runs}
        assert names == {"check", "diff", "build", "package"}, path.name
    gitlab = yaml.safe_load((ROOT / "docs/ci/gitlab-ci.yml").read_text(encoding="utf-8"))
    assert "merge_requests/$CI_MERGE_REQUEST_IID/notes" in " ".join(gitlab["review"]["script"])
    assert gitlab["pages"]["artifacts"]["paths"] == ["public"]
    github = (ROOT / "docs/ci/github-workflow.yml").read_text(encoding="utf-8")
    assert 'gh pr comment "$PR_NUMBER" --body-file diff.md' in github and "upload-artifact" in github


def test_the_check_and_diff_commands_they_name_run_in_a_repository(tmp_path, monkeypatch):
    def git(*args: str) -> None:
        subprocess.run(["git", "-C", str(tmp_path), *args], check=True, capture_output=True)

    git("init", "-q")
    write_agency(tmp_path / "agencies", "so-thu")
    git("add", "-A")
    git("-c", "user.name=t", "-c", "user.email=t@example.gov.vn", "commit", "-q", "-m", "một")
    renamed = MINIMAL_AGENCY.format(id="so-thu").replace("Sở Thử nghiệm", "Sở Mới")
    (tmp_path / "agencies/so-thu.yaml").write_text(renamed, encoding="utf-8")
    git("-c", "user.name=t", "-c", "user.email=t@example.gov.vn", "commit", "-q", "-am", "hai")
    monkeypatch.chdir(tmp_path)
    ran = 0
    for path in FILES:
        for runs, argv in commands(path):
            if not runs or argv[0] not in _RUNNABLE:
                continue
            # A shell expansion ($(git merge-base …), $VAR) stands for the target branch: the commit before.
            args = ["HEAD~1" if "$" in word else word for word in argv]
            result = CliRunner().invoke(main, args)
            assert result.exit_code == 0, (path.name, args, result.output)
            if argv[0] == "diff":
                assert "“Sở Thử nghiệm” → “Sở Mới”" in result.output
            ran += 1
    assert ran == 5  # pre-commit's check; check and diff in each pipeline


def test_codeowners_example_gives_every_demo_agency_its_own_editors():
    rules = {}
    for line in (ROOT / "docs/ci/CODEOWNERS.example").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            pattern, *owners = line.split()
            assert owners and all(owner.startswith("@") for owner in owners), line
            rules[pattern] = owners
    for path in sorted(AGENCIES.glob("*.yaml")):
        own = rules[f"/agencies/{path.name}"]
        assert rules[f"/agencies/{path.stem}/"] == own and own != rules["*"], path.stem


@pytest.mark.parametrize("path", FILES[1:], ids=lambda p: p.name)
def test_every_shell_step_is_valid_shell(path):
    for key, text in _strings(yaml.safe_load(path.read_text(encoding="utf-8"))):
        if key in _RUN_KEYS:
            # GitHub's ${{ … }} is replaced before the shell sees the step.
            script = re.sub(r"\$\{\{[^}]*\}\}", "x", text)
            checked = subprocess.run(["bash", "-n", "-c", script], capture_output=True, text=True)
            assert checked.returncode == 0, (path.name, text, checked.stderr)
