"""A hostile or careless build never destroys data, never publishes a secret, and one agency's
mistake does not take down the others (`--keep-going`). Real `tiepcan build` processes."""

from __future__ import annotations

import hashlib
import html
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from generator.build import build_all
from generator.leakscan import RefusedEntry, fold, scan
from tests.conftest import MINIMAL_AGENCY, ROOT, build_options, write_agency

pytestmark = pytest.mark.slow

TIEPCAN = [sys.executable, "-m", "generator.cli"]

ENTRY = """\
  - id: {id}
    title: "{title}"
    number: {number}
    created: 2024-03-01
    clause: a
    forms: [portal]
    disclosed: 2024-03-02
"""


def tiepcan(*args: str, cwd: Path = ROOT, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(TIEPCAN + list(args), cwd=cwd, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})})


def snapshot(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "dir"
            for p in sorted(folder.rglob("*")) if ".pytest_cache" not in p.parts}


@pytest.fixture
def project(tmp_path) -> Path:
    """A copy of a tiepcan project: config, content, theme, one agency, and a .git folder."""
    for name in ("mkdocs.yml",):
        (tmp_path / name).write_bytes((ROOT / name).read_bytes())
    for folder in ("content", "theme"):
        subprocess.run(["cp", "-r", str(ROOT / folder), str(tmp_path / folder)], check=True)
    write_agency(tmp_path / "agencies", "so-thu")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "HEAD").write_text("ref: refs/heads/main\n", encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize("out", [".", "agencies", "content", "theme", ".git", "agencies/site", ".."])
def test_an_output_folder_that_is_or_holds_the_project_is_refused_and_nothing_moves(project, out):
    before = snapshot(project)
    result = tiepcan("build", "--out", out, "--date", "2026-11-23", cwd=project)
    assert result.returncode == 1, result.stderr
    assert "Không dựng vào" in result.stderr and "Cách sửa" in result.stderr
    assert "Traceback" not in result.stderr
    assert snapshot(project) == before


def test_a_folder_with_files_tiepcan_did_not_write_is_refused_and_an_empty_one_is_used(project):
    other = project / "tai-lieu"
    other.mkdir()
    (other / "bao-cao.docx").write_bytes(b"PK\x03\x04 not ours")
    result = tiepcan("build", "--out", "tai-lieu", "--date", "2026-11-23", cwd=project)
    assert result.returncode == 1 and ".tiepcan-site" in result.stderr
    assert (other / "bao-cao.docx").read_bytes() == b"PK\x03\x04 not ours"
    (project / "empty").mkdir()
    assert tiepcan("build", "--out", "empty", "--date", "2026-11-23", cwd=project).returncode == 0
    assert (project / "empty" / ".tiepcan-site").is_file()
    # …and a site tiepcan wrote is replaced by the next build
    assert tiepcan("build", "--out", "empty", "--date", "2026-11-24", cwd=project).returncode == 0


@pytest.mark.parametrize(("args", "env", "said"), [
    (["--date", "9999-12-31"], {}, "1900-01-01"),
    (["--date", "0001-01-01"], {}, "2100-12-31"),
    (["--date", "2026-02-30"], {}, "YYYY-MM-DD"),
    ([], {"SOURCE_DATE_EPOCH": "abc"}, "SOURCE_DATE_EPOCH"),
    ([], {"SOURCE_DATE_EPOCH": "99999999999999999999"}, "SOURCE_DATE_EPOCH"),
])
def test_unreadable_build_dates_are_usage_errors_not_tracebacks(project, args, env, said):
    result = tiepcan("build", "--out", "site", *args, cwd=project, env=env)
    assert result.returncode == 2, result.stderr
    assert said in result.stderr and "Traceback" not in result.stderr
    assert not (project / "site").exists()


def _agency_with_entries(folder: Path, agency_id: str, entries: str) -> None:
    write_agency(folder, agency_id, MINIMAL_AGENCY.format(id=agency_id) + "catalog:\n" + entries)


SECRET_TITLE = "Phương án bảo đảm an ninh hệ thống thông tin năm 2024"


def test_internal_entries_appear_in_no_output_file(tmp_path):
    agencies = tmp_path / "agencies"
    _agency_with_entries(agencies, "so-thu", ENTRY.format(id="cong-khai-1", title="Kế hoạch cải cách hành chính năm 2024",
                                                         number="10/KH") +
                         ENTRY.format(id="noi-bo-7", title=SECRET_TITLE, number="77/PA-STTTT") + "    access: internal\n")
    result = tiepcan("build", "--agencies", str(agencies), "--out", str(tmp_path / "site"), "--date", "2026-11-23",
                     "--site-url", "https://example.gov.vn/tctt/")
    assert result.returncode == 0, result.stderr
    assert "noi-bo-7" in result.stderr  # the editor is told it is withheld
    site = tmp_path / "site"
    assert "cong-khai-1" in (site / "so-thu" / "catalog.json").read_text(encoding="utf-8")
    refused = [RefusedEntry("so-thu", "noi-bo-7", SECRET_TITLE)]
    assert scan(site, refused) == []
    # The scan is not blind: it finds the same title where the output does carry it.
    assert scan(site, [RefusedEntry("so-thu", "cong-khai-1", "Kế hoạch cải cách hành chính năm 2024")])


def test_the_scan_reads_again_every_bundle_but_those_built_from_the_same_inputs(tmp_path, monkeypatch):
    """A bundle reused because its inputs (its refused entries included) are unchanged was scanned
    when it was built; one kept by --agency was not built from today's data and is read again."""
    agencies, out = tmp_path / "agencies", tmp_path / "site"
    _agency_with_entries(agencies, "so-thu", ENTRY.format(id="noi-bo-7", title=SECRET_TITLE, number="77/PA")
                         + "    access: internal\n")
    write_agency(agencies, "so-khac")
    build_all(build_options(agencies, out))
    read: list[Path] = []
    real_read = Path.read_bytes

    def recording(path: Path) -> bytes:
        staged_or_published = path.parent.parent.name.startswith(".site.new-") or path.parent.parent == out.resolve()
        if path.parent.name in ("so-thu", "so-khac") and staged_or_published:  # kept bundles stay where they are
            read.append(path)
        return real_read(path)

    monkeypatch.setattr(Path, "read_bytes", recording)
    (agencies / "so-khac.yaml").write_text(MINIMAL_AGENCY.format(id="so-khac").replace("Sở Thử", "Sở Khác"),
                                           encoding="utf-8")
    assert build_all(build_options(agencies, out)).reused == ["so-thu"]
    assert {p.parent.name for p in read} == {"so-khac"}  # so-thu's bundle, built from the same inputs: not read
    read.clear()
    build_all(build_options(agencies, out, only=("so-khac",)))  # so-thu is kept as it is, not checked
    assert {p.parent.name for p in read} == {"so-khac", "so-thu"}


@pytest.mark.parametrize("jobs", ["1", "2"])  # 2: the bundle is scanned in the worker process that built it
def test_a_refused_title_left_in_an_extra_page_stops_the_build_and_publishes_nothing(tmp_path, jobs):
    agencies = tmp_path / "agencies"
    _agency_with_entries(agencies, "so-thu", ENTRY.format(id="noi-bo-7", title=SECRET_TITLE, number="77/PA")
                         + "    access: internal\n" + "pages:\n  - {title: Giới thiệu, file: gioi-thieu.md}\n")
    (agencies / "so-thu").mkdir()
    (agencies / "so-thu" / "gioi-thieu.md").write_text(f"# Giới thiệu\n\nXem {SECRET_TITLE.upper()}.\n", encoding="utf-8")
    for other in ("so-khac", "so-nua"):
        write_agency(agencies, other)
    out = tmp_path / "site"
    result = tiepcan("build", "--agencies", str(agencies), "--out", str(out), "--date", "2026-11-23", "--jobs", jobs)
    assert result.returncode == 1
    assert "so-thu/trang/gioi-thieu.html" in result.stderr and "noi-bo-7" in result.stderr
    assert not out.exists()


def test_a_secret_marked_entry_is_an_error_and_its_old_bundle_is_not_republished(tmp_path):
    """A bundle built while the entry was public is not kept once the entry is marked: the scan finds it."""
    agencies, out = tmp_path / "agencies", tmp_path / "site"
    _agency_with_entries(agencies, "so-thu", ENTRY.format(id="pa-7", title=SECRET_TITLE, number="77/PA"))
    write_agency(agencies, "so-khac")
    assert tiepcan("build", "--agencies", str(agencies), "--out", str(out), "--date", "2026-11-23").returncode == 0
    _agency_with_entries(agencies, "so-thu", ENTRY.format(id="pa-7", title=SECRET_TITLE + " (TỐI MẬT)", number="77/PA"))
    plain = tiepcan("build", "--agencies", str(agencies), "--out", str(out), "--date", "2026-11-24")
    assert plain.returncode == 1 and "TỐI MẬT" in plain.stderr
    before = snapshot(out)
    kept = tiepcan("build", "--keep-going", "--agencies", str(agencies), "--out", str(out), "--date", "2026-11-24")
    assert kept.returncode == 1 and "so-thu/danh-muc-cong-khai.html" in kept.stderr, kept.stderr
    assert snapshot(out) == before  # nothing published


def test_keep_going_builds_nine_agencies_and_keeps_the_last_good_bundle_of_the_tenth(tmp_path):
    agencies, out = tmp_path / "agencies", tmp_path / "site"
    ids = [f"so-{i:02d}" for i in range(10)]
    for agency_id in ids:
        write_agency(agencies, agency_id)
    assert tiepcan("build", "--agencies", str(agencies), "--out", str(out), "--date", "2026-11-23").returncode == 0
    old = {agency_id: snapshot(out / agency_id) for agency_id in ids}
    for agency_id in ids:  # every agency changes…
        path = agencies / f"{agency_id}.yaml"
        path.write_text(path.read_text(encoding="utf-8").replace("Sở Thử nghiệm", f"Sở Đổi tên {agency_id}"), encoding="utf-8")
    broken = agencies / "so-07.yaml"  # …and one of them breaks
    broken.write_text(broken.read_text(encoding="utf-8") + "email: hai-lan@example.gov.vn\n", encoding="utf-8")

    plain = tiepcan("build", "--agencies", str(agencies), "--out", str(out), "--date", "2026-11-24")
    assert plain.returncode == 1 and "so-07.yaml:" in plain.stderr
    assert {agency_id: snapshot(out / agency_id) for agency_id in ids} == old  # without it: nothing published

    result = tiepcan("build", "--keep-going", "--agencies", str(agencies), "--out", str(out), "--date", "2026-11-24")
    assert result.returncode == 1
    assert "so-07.yaml:" in result.stderr and "Cách sửa" in result.stderr and "so-07" in result.stderr.splitlines()[-1]
    for agency_id in ids:
        overview = (out / agency_id / "index.html").read_text(encoding="utf-8")
        if agency_id == "so-07":
            assert snapshot(out / agency_id) == old[agency_id]
        else:
            assert f"Sở Đổi tên {agency_id}" in overview
    portal = html.unescape((out / "index.html").read_text(encoding="utf-8"))
    assert 'href="so-07/index.html">Sở Thử nghiệm' in portal  # still listed under its last good name, and linked


def test_the_fold_reads_entities_case_and_diacritics_alike():
    assert fold("Phương&#32;án") != fold("Phương án")  # entities are decoded by the scan, not by fold
    assert fold("PHƯƠNG ÁN Đảm bảo") == fold("phuong an dam bao")


def test_agency_files_and_folders_linking_out_of_the_repository_are_refused(tmp_path):
    agencies = tmp_path / "agencies"
    write_agency(agencies, "so-thu", MINIMAL_AGENCY.format(id="so-thu") + textwrap.dedent("""\
        regulation:
          title: Quy chế
          file: hostname
        """))
    (agencies / "so-thu").symlink_to("/etc", target_is_directory=True)
    (tmp_path / "outside.yaml").write_text(MINIMAL_AGENCY.format(id="so-ngoai"), encoding="utf-8")
    (agencies / "so-ngoai.yaml").symlink_to(tmp_path / "outside.yaml")
    result = tiepcan("check", str(agencies))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "agencies/so-thu.yaml:1:5: id:" in result.stderr.replace(str(tmp_path) + "/", "")
    assert "so-ngoai.yaml:1:1:" in result.stderr
    assert tiepcan("build", "--agencies", str(agencies), "--out", str(tmp_path / "site")).returncode == 1
    assert not (tmp_path / "site").exists()


def test_a_shared_page_linking_out_of_the_project_is_refused(project):
    (project / "content" / "passwd.md").symlink_to("/etc/passwd")
    result = tiepcan("build", "--out", "site", "--date", "2026-11-23", cwd=project)
    assert result.returncode == 1 and "content/passwd.md:1:1:" in result.stderr and "Cách sửa" in result.stderr
    assert not (project / "site").exists()
