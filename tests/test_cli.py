"""The `tiepcan` command: exit codes and the `new` template."""

from __future__ import annotations

import subprocess
import sys

from click.testing import CliRunner

from generator.cli import main
from generator.load import load_file
from generator.model import Agency
from generator.validate import check_paths
from tests.conftest import AGENCIES, ROOT, write_agency


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def test_check_exits_0_on_the_demo_and_1_on_invalid_files_and_2_on_usage_errors(tmp_path):
    assert run("check", str(AGENCIES)).exit_code == 0
    write_agency(tmp_path, "so-a", "id: so-a\nname: A\nname: B\n")
    result = run("check", str(tmp_path))
    assert result.exit_code == 1
    assert "so-a.yaml:3:1: name:" in result.output
    assert run("check", "--no-such-option").exit_code == 2
    assert run("check", str(tmp_path / "does-not-exist")).exit_code == 2


def test_the_program_exits_with_main_s_codes_and_its_whole_output(tmp_path):
    """`python -m generator.cli` ends through generator.cli.run (an exit that frees nothing one by one):
    the exit codes and every line written stay those of main()."""
    write_agency(tmp_path, "so-a", "id: so-a\nname: A\nname: B\n")
    program = [sys.executable, "-m", "generator.cli"]
    valid = subprocess.run([*program, "check", str(AGENCIES)], capture_output=True, text=True, cwd=ROOT)
    invalid = subprocess.run([*program, "check", str(tmp_path)], capture_output=True, text=True, cwd=ROOT)
    usage = subprocess.run([*program, "check", "--no-such-option"], capture_output=True, text=True, cwd=ROOT)
    assert (valid.returncode, invalid.returncode, usage.returncode) == (0, 1, 2)
    assert invalid.stdout + invalid.stderr == run("check", str(tmp_path)).output
    assert "--no-such-option" in usage.stderr


def test_check_speaks_english_on_request(tmp_path):
    write_agency(tmp_path, "so-a", "id: so-a\n")
    result = run("check", "--lang", "en", str(tmp_path))
    assert result.exit_code == 1
    assert "required field “name”" in result.output and "Fix:" in result.output


def test_new_writes_every_field_with_vietnamese_comments_and_check_lists_what_to_fill(tmp_path):
    result = run("new", "so-moi", "--dir", str(tmp_path))
    assert result.exit_code == 0, result.output
    text = (tmp_path / "so-moi.yaml").read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=../schema/agency.schema.json\n")
    for name in Agency.model_fields:
        assert f"\n{name}:" in text, name
    assert "# BẮT BUỘC. Tên cơ quan" in text
    data = load_file(tmp_path / "so-moi.yaml").data
    assert data["id"] == "so-moi"
    # Blank required fields are exactly what `check` asks for; nothing else is wrong.
    problems = {(d.code, d.field_path) for d in check_paths([tmp_path]).diagnostics}
    assert problems == {("blank_text", "name"), ("literal_error", "kind"), ("blank_text", "address"),
                        ("email", "email"), ("blank_text", "contact_point.unit"), ("email", "contact_point.request_email")}


def test_new_refuses_bad_ids_and_existing_files(tmp_path):
    assert run("new", "Sở Mới", "--dir", str(tmp_path)).exit_code == 2
    write_agency(tmp_path, "so-a")
    assert run("new", "so-a", "--dir", str(tmp_path)).exit_code == 1


def test_filled_in_template_is_valid(tmp_path):
    run("new", "so-moi", "--dir", str(tmp_path))
    path = tmp_path / "so-moi.yaml"
    text = path.read_text(encoding="utf-8")
    for field, value in [("name", "Sở Mới"), ("kind", "department"), ("address", "Số 1"), ("email", "a@example.gov.vn")]:
        text = text.replace(f'\n{field}: ""', f"\n{field}: {value}", 1)
    text = text.replace('  unit: ""', "  unit: Văn phòng", 1).replace('  request_email: ""', "  request_email: yc@example.gov.vn", 1)
    path.write_text(text, encoding="utf-8")
    assert check_paths([tmp_path]).diagnostics == []


def test_build_and_serve_outside_a_repository_say_where_to_run_them(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no mkdocs.yml, content/ or theme/ here
    for command in (["build", "--agencies", str(AGENCIES)], ["serve", "--agencies", str(AGENCIES)]):
        result = run(*command)
        assert result.exit_code == 2, result.output
        assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
        assert f"không thấy mkdocs.yml trong thư mục hiện tại ({tmp_path})" in result.output
        assert "Cách sửa: chuyển vào thư mục gốc của kho" in result.output
    assert list(tmp_path.iterdir()) == []  # nothing written where it was run


def test_check_of_a_folder_reads_an_unchanged_file_once_and_says_the_same(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write_agency(tmp_path / "agencies", "so-a")
    first = run("check", "agencies")
    assert first.exit_code == 0 and (tmp_path / ".tiepcan-cache").is_dir()  # the build's cache, beside the folder

    def no_parsing(*_args):
        raise AssertionError("an unchanged file was parsed again")

    monkeypatch.setattr("generator.validate.load_bytes", no_parsing)
    again = run("check", "agencies")
    assert (again.exit_code, again.output) == (first.exit_code, first.output)
    single = tmp_path / "agencies" / "so-a.yaml"
    monkeypatch.undo()
    assert run("check", str(single)).exit_code == 0  # a file alone: no cache, the folder's records kept
    assert len(list((tmp_path / ".tiepcan-cache").glob("*.json"))) == 1
