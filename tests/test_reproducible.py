"""Same inputs, same bytes: two builds and two packages of the demo are identical file for file."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import tarfile
import zipfile
from pathlib import Path

import pytest

from generator.build import build_all
from generator.package import SUMS, package_all
from tests.conftest import AGENCIES, DEMO_SITE_URL, build_options

pytestmark = pytest.mark.slow


def hashes(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def twice(demo_site, tmp_path_factory) -> tuple[Path, Path, Path, Path]:
    """The session's demo build and a second build of the same inputs in another folder, each packaged.

    The second runs with a different SOURCE_DATE_EPOCH in the environment (a day in 1970): the
    build date given to the build decides every date in the output (MkDocs dates its sitemap by
    that variable, or else by today), never the clock or the environment.
    """
    again = tmp_path_factory.mktemp("again") / "site"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", "86400")
        build_all(build_options(AGENCIES, again, site_url=DEMO_SITE_URL))
    first, second = tmp_path_factory.mktemp("dist1"), tmp_path_factory.mktemp("dist2")
    package_all(demo_site, first)
    package_all(again, second)
    return demo_site, again, first, second


def test_two_builds_are_byte_identical(twice):
    site, again, _, _ = twice
    first = hashes(site)
    assert len(first) > 400
    assert {"sitemap.xml", "sitemap.xml.gz", "robots.txt", "sitemap-index.xml", "bo-mau/feed.atom"} <= set(first)
    assert hashes(again) == first


def test_two_packages_are_byte_identical(twice):
    _, _, first, second = twice
    archives = hashes(first)
    assert {"bo-mau.zip", "bo-mau.tar.gz", "bo-mau.manifest.json", SUMS} <= set(archives)
    assert hashes(second) == archives


def test_package_contents_and_checksums(twice):
    site, _, dist, _ = twice
    sums = dict(reversed(line.split("  ")) for line in (dist / SUMS).read_text().splitlines())
    assert set(sums) == {p.name for p in dist.iterdir() if p.name != SUMS}
    for name, digest in sums.items():
        assert hashlib.sha256((dist / name).read_bytes()).hexdigest() == digest

    manifest = json.loads((dist / "bo-mau.manifest.json").read_text(encoding="utf-8"))
    assert {k: manifest[k] for k in ("agency", "regime", "build_date")} == {"agency": "bo-mau", "regime": "2018", "build_date": "2026-11-23"}
    assert manifest["tool_version"]
    listed = {f["path"]: f["sha256"] for f in manifest["files"]}
    for path, digest in hashes(site / "bo-mau").items():  # every built file, unchanged
        assert listed[path] == digest
    html = (site / "bo-mau" / "danh-muc-cong-khai.html").read_bytes()
    assert "danh-muc-cong-khai.html.gz" in listed and "danh-muc-cong-khai.html.br" in listed
    assert "404.html.gz" not in listed  # servers rewrite its <base>; a precompressed copy would bypass that

    with tarfile.open(dist / "bo-mau.tar.gz") as archive:
        members = archive.getmembers()
        names = [m.name for m in members]
        assert names == sorted(names) and names[0] == "bo-mau"
        assert {(m.uid, m.gid, m.uname, m.gname) for m in members} == {(0, 0, "", "")}
        assert {m.mode for m in members if m.isfile()} == {0o644} and {m.mode for m in members if m.isdir()} == {0o755}
        assert len({m.mtime for m in members}) == 1
        assert gzip.decompress(archive.extractfile("bo-mau/danh-muc-cong-khai.html.gz").read()) == html
        in_tar = {m.name.removeprefix("bo-mau/") for m in members if m.isfile()}
    assert (dist / "bo-mau.tar.gz").read_bytes()[4:8] == b"\0\0\0\0"  # gzip header time 0
    with zipfile.ZipFile(dist / "bo-mau.zip") as archive:
        assert {i.filename.removeprefix("bo-mau/") for i in archive.infolist()} == in_tar == set(listed) | {"manifest.json"}
        assert archive.read("bo-mau/danh-muc-cong-khai.html") == html
        assert json.load(io.BytesIO(archive.read("bo-mau/manifest.json"))) == manifest
