"""`tiepcan diff`: what a commit does to each agency, in a temporary git repository."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import main
from tests.conftest import MINIMAL_AGENCY, write_agency

CATALOG = """\
regulation: {title: Quy chế cung cấp thông tin}
catalog:
  - id: kh-1-2024
    title: Kế hoạch một
    created: 2024-01-02
    clause: d
    forms: [portal]
    disclosed: 2024-01-03
  - id: kh-2-2024
    title: Kế hoạch hai
    created: 2024-02-02
    clause: d
    forms: [portal]
    disclosed: 2024-02-03
    until: 2030-12-31
"""


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True).stdout


def commit(repo: Path, message: str) -> None:
    git(repo, "add", "-A")
    git(repo, "-c", "user.name=Thử", "-c", "user.email=thu@example.gov.vn", "commit", "-q", "-m", message)


@pytest.fixture
def repo(tmp_path, monkeypatch) -> Path:
    git(tmp_path, "init", "-q")
    write_agency(tmp_path / "agencies", "so-thu", MINIMAL_AGENCY.format(id="so-thu") + CATALOG)
    write_agency(tmp_path / "agencies", "so-khac")
    commit(tmp_path, "hai cơ quan")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def edit(repo: Path, old: str, new: str, agency: str = "so-thu") -> None:
    path = repo / "agencies" / f"{agency}.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")


def test_a_commit_that_removes_one_entry_and_edits_another_names_both_and_warns(repo):
    text = (repo / "agencies/so-thu.yaml").read_text(encoding="utf-8")
    start = text.index("  - id: kh-1-2024")
    (repo / "agencies/so-thu.yaml").write_text(text[:start] + text[text.index("  - id: kh-2-2024"):], encoding="utf-8")
    edit(repo, "title: Kế hoạch hai", "title: Kế hoạch hai (sửa đổi)")
    commit(repo, "bỏ một dòng, sửa một dòng")
    result = run("diff", "HEAD~1", "HEAD")
    assert result.exit_code == 0, result.output
    out = result.output
    assert "agencies/so-thu.yaml — Sở Thử nghiệm" in out
    assert "Danh mục công khai: bỏ dòng “kh-1-2024” — Kế hoạch một" in out
    assert ("Danh mục công khai: sửa dòng “kh-2-2024”: Tên văn bản, thông tin (title): “Kế hoạch hai” → "
            "“Kế hoạch hai (sửa đổi)”") in out
    assert "cảnh báo: dòng “kh-1-2024” bị bỏ: thông tin đã công khai sẽ không còn trên trang" in out
    assert "so-khac" not in out  # unchanged agencies are not mentioned
    markdown = run("diff", "HEAD~1", "HEAD", "--format", "markdown", "--lang", "en").output
    assert markdown.startswith("### Changes to agency data: `HEAD~1` → `HEAD`\n")
    assert "- ⚠️ **Warning:** entry “kh-1-2024” is removed" in markdown
    assert "- Disclosure catalog: changed “kh-2-2024”: title: “Kế hoạch hai” → “Kế hoạch hai (sửa đổi)”" in markdown


def test_the_working_tree_against_head_by_default_with_the_required_parts_warned(repo):
    assert run("diff").output.endswith("Không có thay đổi nào trong các tệp cơ quan.\n")
    edit(repo, "until: 2030-12-31", "until: 2025-01-01")
    edit(repo, "regulation: {title: Quy chế cung cấp thông tin}\n", "")
    edit(repo, "request_email: yeucau@example.gov.vn", "request_email: moi@example.gov.vn")
    edit(repo, "kind: department", "kind: other", agency="so-khac")
    out = run("diff").output
    assert "Thay đổi trong dữ liệu cơ quan: HEAD → thư mục làm việc" in out
    assert "dòng “kh-2-2024”: thời hạn công khai sớm hơn trước" in out
    assert "quy chế nội bộ về cung cấp thông tin (Luật TCTT Điều 34) bị bỏ" in out
    assert "đổi từ “yeucau@example.gov.vn” thành “moi@example.gov.vn”" in out
    assert "Loại cơ quan (kind): “department” → “other”" in out


def test_agencies_added_removed_and_files_that_do_not_load_are_reported(repo):
    (repo / "agencies/so-khac.yaml").unlink()
    write_agency(repo / "agencies", "so-moi")
    (repo / "agencies/so-thu.yaml").write_text("id: so-thu\nname: [chưa đóng\n", encoding="utf-8")
    result = run("diff")
    assert result.exit_code == 0, result.output
    assert "agencies/so-moi.yaml — Sở Thử nghiệm\n  cơ quan mới, 0 dòng trong danh mục công khai" in result.output
    assert "cảnh báo: chuyên mục của cơ quan sẽ không còn trên cổng" in result.output
    assert "không đọc được tệp ở thư mục làm việc: agencies/so-thu.yaml:3:1: lỗi cú pháp YAML" in result.output


def test_an_unknown_revision_or_a_folder_outside_git_is_explained(repo, tmp_path_factory):
    result = run("diff", "khong-co")
    assert result.exit_code == 1 and "Không có phiên bản “khong-co”" in result.output
    outside = tmp_path_factory.mktemp("no-git")
    write_agency(outside / "agencies")
    result = run("diff", "--agencies", str(outside / "agencies"))
    assert result.exit_code == 1 and "không nằm trong một kho git" in result.output


def test_markdown_keeps_the_files_text_as_text(repo):
    edit(repo, "title: Kế hoạch hai", "title: Kế hoạch *hai* <b>@all</b> [x](http://a)")
    out = run("diff", "--format", "markdown").output
    assert "“Kế hoạch \\*hai\\* \\<b\\>@\u2060all\\</b\\> \\[x\\](http://a)”" in out
    assert "“Kế hoạch *hai* <b>@all</b> [x](http://a)”" in run("diff").output  # plain text is left as written
