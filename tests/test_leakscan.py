"""The leak scan (generator/leakscan.py) as a specification: a withheld entry's title is found in any
output file that carries it as whole words, whatever its case, diacritics, entities or packing
(gzip, zip), unless a published entry's title carries it too; its id only in its own bundle. Found
with thousands of withheld titles at once, the same as one at a time."""

from __future__ import annotations

import gzip
import html
import io
import os
import re
import unicodedata
import zipfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.leakscan import Leak, RefusedEntry, Scanner, fold, scan

SECRET = "Phương án bảo đảm an ninh hệ thống thông tin năm 2024"


def write(path: Path, data: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def reference_scan(site: Path, refused: list[RefusedEntry], published: list[str]) -> set[tuple[str, str, str]]:
    """The rule in its plainest form: every file, every entry, one after another."""
    public = [fold(t) for t in published]
    titles = {e: fold(e.title) for e in refused}
    titles = {e: t for e, t in titles.items() if len(t.strip()) >= 12 and not any(t in p for p in public)}
    found = set()
    for path in sorted(p for p in site.rglob("*") if p.is_file()):
        relative = path.relative_to(site)
        text = fold(html.unescape(path.read_text(encoding="utf-8")))
        for entry in titles:
            if titles[entry] in text:
                found.add((relative.as_posix(), entry.entry_id, "title"))
    return found


def as_tuples(leaks: list[Leak]) -> set[tuple[str, str, str]]:
    return {(leak.path.as_posix(), leak.entry.entry_id, leak.found) for leak in leaks}


def test_a_withheld_title_is_found_however_it_is_written_or_packed(tmp_path):
    refused = [RefusedEntry("so-thu", "noi-bo-7", SECRET)]
    write(tmp_path / "so-thu" / "a.html", "<p>PHƯƠNG&nbsp;ÁN bảo đảm an ninh hệ thống thông tin năm 2024.</p>")
    write(tmp_path / "so-khac" / "b.json.gz", gzip.compress(f'{{"t": "{SECRET.lower()}"}}'.encode()))
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as docx:
        docx.writestr("word/document.xml", f"<w:t>{SECRET.upper()}</w:t>")
    write(tmp_path / "c.docx", archive.getvalue())
    write(tmp_path / "so-thu" / "d.html", "Phương án bảo đảm an ninh hệ thống thông tin năm 20245")  # not whole words
    assert as_tuples(scan(tmp_path, refused)) == {
        ("so-thu/a.html", "noi-bo-7", "title"),
        ("so-khac/b.json.gz", "noi-bo-7", "title"),
        ("c.docx", "noi-bo-7", "title"),
    }


def test_an_id_is_looked_for_in_its_own_bundle_only(tmp_path):
    refused = [RefusedEntry("so-thu", "noi-bo-7", "Ngắn")]  # a title too short to prove anything
    write(tmp_path / "so-thu" / "danh-muc.html", '<tr id="noi-bo-7"><td>Ngắn</td></tr>')
    write(tmp_path / "so-khac" / "danh-muc.html", '<tr id="noi-bo-7"><td>Ngắn</td></tr>')
    assert as_tuples(scan(tmp_path, refused)) == {("so-thu/danh-muc.html", "noi-bo-7", "id")}


def test_a_title_a_published_entry_also_carries_proves_nothing(tmp_path):
    refused = [RefusedEntry("so-thu", "noi-bo-7", "Kế hoạch cải cách hành chính")]
    write(tmp_path / "so-thu" / "a.html", "Kế hoạch cải cách hành chính năm 2024")
    assert scan(tmp_path, refused, ["Kế hoạch cải cách hành chính năm 2024"]) == []
    assert scan(tmp_path, refused, ["Kế hoạch khác"]) != []


def test_thousands_of_withheld_titles_are_each_found_where_they_are(tmp_path):
    refused = [RefusedEntry(f"co-quan-{n % 50}", f"noi-bo-{n}", f"Hồ sơ nội bộ số {n} về đất đai") for n in range(3000)]
    published = [f"Quyết định công khai số {n} về đất đai" for n in range(3000)]
    for n in range(0, 3000, 7):
        write(tmp_path / f"co-quan-{(n * 3) % 50}" / f"trang-{n}.html", f"<p>… hồ sơ NỘI BỘ số {n} về đất đai …</p>")
    write(tmp_path / "index.html", " ".join(published))
    expected = {(f"co-quan-{(n * 3) % 50}/trang-{n}.html", f"noi-bo-{n}", "title") for n in range(0, 3000, 7)}
    assert as_tuples(scan(tmp_path, refused, published)) == expected


def test_a_file_linked_into_many_bundles_is_reported_in_each(tmp_path):
    theme = write(tmp_path / "assets" / "theme.js", f"// {SECRET}")
    for bundle in ("so-a", "so-b"):
        (tmp_path / bundle).mkdir()
        os.link(theme, tmp_path / bundle / "theme.js")
    leaks = scan(tmp_path, [RefusedEntry("so-c", "x", SECRET)])
    assert [leak.path.as_posix() for leak in leaks] == ["assets/theme.js", "so-a/theme.js", "so-b/theme.js"]


def test_a_scanner_prepared_once_scans_folder_by_folder_what_one_scan_finds(tmp_path):
    """What build.py does: each bundle scanned where it was built, the rest of the site at the end."""
    refused = [RefusedEntry("so-a", "noi-bo-1", SECRET), RefusedEntry("so-b", "noi-bo-2", "Báo cáo mật về biên giới")]
    write(tmp_path / "so-a" / "x.html", f'<a href="#noi-bo-1">{SECRET}</a>')
    write(tmp_path / "so-b" / "y.html", "Báo cáo MẬT về biên giới")
    write(tmp_path / "index.html", "Báo cáo mật về biên giới")
    scanner = Scanner(refused)
    parts = scanner.scan_folder(tmp_path / "so-a", "so-a") + scanner.scan_folder(tmp_path / "so-b", "so-b")
    rest = scan(tmp_path, scanner, unchanged={"so-a", "so-b"})
    assert as_tuples(parts + rest) == as_tuples(scan(tmp_path, refused)) == {
        ("so-a/x.html", "noi-bo-1", "title"),
        ("so-a/x.html", "noi-bo-1", "id"),
        ("so-b/y.html", "noi-bo-2", "title"),
        ("index.html", "noi-bo-2", "title"),
    }


_WORDS = st.sampled_from(["kế", "hoạch", "Đất", "đai", "năm", "2024", "số", "BÁO", "cáo", "hồ", "sơ", "mật"])
_TEXT = st.lists(_WORDS, min_size=0, max_size=30).map(" ".join)
_SEPARATORS = st.sampled_from([" ", ", ", "\n", " – ", "&nbsp;"])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    titles=st.lists(st.lists(_WORDS, min_size=3, max_size=6).map(" ".join), min_size=1, max_size=8),
    files=st.lists(st.tuples(_TEXT, _SEPARATORS, _TEXT), min_size=1, max_size=5),
    published=st.lists(st.lists(_WORDS, min_size=2, max_size=8).map(" ".join), max_size=4),
    data=st.data(),
)
def test_the_scan_finds_what_looking_for_each_title_in_each_file_finds(tmp_path_factory, titles, files, published, data):
    site = tmp_path_factory.mktemp("site")
    refused = [RefusedEntry("so-thu", f"noi-bo-{n}", title) for n, title in enumerate(titles)]
    for n, (before, separator, after) in enumerate(files):
        planted = data.draw(st.sampled_from(titles)).replace(" ", separator)
        write(site / "so-thu" / f"{n}.html", f"{before} {planted if n % 2 else ''} {after}")
    assert as_tuples(scan(site, refused, published)) == reference_scan(site, refused, published)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60) | st.text(alphabet="aàáạảãăắâấêếôốơớưứđĐ _-·–“”\u0301\u0323\u034f\U0001d165\U0001f600x1", max_size=40))
def test_the_fold_is_lower_case_without_marks_in_words_of_letters_digits_and_underscores(text):
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D").lower())
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    assert fold(text) == " " + " ".join(re.findall(r"\w+", bare)) + " "


def test_contents_an_earlier_scan_found_clean_are_not_folded_again_and_others_are(tmp_path, monkeypatch):
    """A build keeps what its scan found clean (build.py): the next scan for the same titles skips
    those bytes, and a scan for other titles cannot use them."""
    import generator.leakscan as leakscan

    refused = [RefusedEntry("so-a", "noi-bo-1", SECRET)]
    write(tmp_path / "index.html", "<p>Trang chủ cổng thông tin</p>")
    write(tmp_path / "bao-cao" / "index.html", "<p>Báo cáo tình hình</p>")
    first = Scanner(refused)
    assert scan(tmp_path, first) == [] and len(first.clean()) == 2
    write(tmp_path / "bao-cao" / "index.html", f"<p>Báo cáo: {SECRET}</p>")  # one file changed, with a leak
    again = Scanner(refused)
    assert again.fingerprint == first.fingerprint
    again.assume_clean([*first.clean(), "khong-phai-ma", 7])
    folded: list[str] = []
    real_fold = leakscan.fold
    monkeypatch.setattr(leakscan, "fold", lambda text: folded.append(text) or real_fold(text))
    assert as_tuples(scan(tmp_path, again)) == {("bao-cao/index.html", "noi-bo-1", "title")}
    assert folded == [f"<p>Báo cáo: {SECRET}</p>"]  # the unchanged page was not folded again
    assert Scanner([RefusedEntry("so-a", "noi-bo-2", "Một tiêu đề nội bộ khác hẳn")]).fingerprint != first.fingerprint
