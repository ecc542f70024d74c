"""Stage 9 — package: each published bundle → archives IT staff can download, check and unpack.

For every agency bundle in site/ (a folder with the build record written by the build stage):
`<id>.tar.gz` and `<id>.zip` holding `<id>/…` — the bundle, a `.gz` and a `.br` copy of each text
file (for nginx gzip_static / brotli_static, Apache and IIS rules in docs/deploy/) and
`manifest.json` — plus `<id>.manifest.json` beside them and one `SHA256SUMS` over everything.

Archives are reproducible: entries sorted, fixed owner and permissions, every timestamp set to
SOURCE_DATE_EPOCH (or the build date), gzip headers without name or time.
"""

from __future__ import annotations

import datetime as dt
import functools
import gzip
import hashlib
import io
import json
import os
import stat
import tarfile
import zipfile
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

import brotli

from generator.writer import BundleWriter

BUILD_RECORD = "tiepcan.json"  # written into each bundle by the build stage
MANIFEST = "manifest.json"
SUMS = "SHA256SUMS"
# Text files worth a compressed copy. 404.html is left out: servers rewrite its <base> on the fly.
COMPRESSIBLE = {".html", ".css", ".js", ".json", ".xml", ".svg", ".txt", ".atom", ".map", ".csv"}
UNCOMPRESSED = {"404.html"}


def tool_version() -> str:
    return version("tiepcan")


def write_build_record(writer: BundleWriter, agency_id: str, regime: str, build_date: dt.date, inputs: str) -> None:
    """What the package manifest needs to know about the build, kept with the bundle it describes;
    `inputs`, the digest of everything it was built from, lets a later build reuse it unchanged."""
    record = {
        "agency": agency_id,
        "regime": regime,
        "build_date": build_date.isoformat(),
        "tool_version": tool_version(),
        "inputs": inputs,
    }
    writer.write(BUILD_RECORD, json.dumps(record, ensure_ascii=False, indent=2) + "\n", "package")


def _epoch(build_date: dt.date) -> int:
    """Archive timestamps: SOURCE_DATE_EPOCH when set, else midnight UTC of the build date."""
    if os.environ.get("SOURCE_DATE_EPOCH"):
        return int(os.environ["SOURCE_DATE_EPOCH"])
    return int(dt.datetime(build_date.year, build_date.month, build_date.day, tzinfo=dt.UTC).timestamp())


@functools.lru_cache(maxsize=256)
def _gzip(data: bytes) -> bytes:
    return gzip.compress(data, compresslevel=9, mtime=0)


@functools.lru_cache(maxsize=256)  # every bundle carries the same theme files: compress each once
def _brotli(data: bytes) -> bytes:
    # Quality 9: within a few % of quality 11, at a twentieth of the time.
    compressed: bytes = brotli.compress(data, quality=9)
    return compressed


@dataclass(frozen=True)
class Member:
    path: str  # inside the archive, "<id>/…"
    data: bytes


def bundle_members(bundle: Path) -> list[Member]:
    """The bundle's files plus compressed copies and the manifest, sorted by path."""
    record = json.loads((bundle / BUILD_RECORD).read_text(encoding="utf-8"))
    prefix = bundle.name
    files = sorted(p for p in bundle.rglob("*") if p.is_file())
    present = set(files)  # the build already writes sitemap.xml.gz
    members: list[Member] = []
    for path in files:
        relative = path.relative_to(bundle).as_posix()
        data = path.read_bytes()
        members.append(Member(f"{prefix}/{relative}", data))
        if path.suffix in COMPRESSIBLE and path.name not in UNCOMPRESSED:
            for suffix, compress in ((".gz", _gzip), (".br", _brotli)):
                if path.with_name(path.name + suffix) not in present:
                    members.append(Member(f"{prefix}/{relative}{suffix}", compress(data)))
    listed = [
        {"path": m.path.split("/", 1)[1], "size": len(m.data), "sha256": hashlib.sha256(m.data).hexdigest()}
        for m in sorted(members, key=lambda m: m.path)
    ]
    manifest = {**record, "files": listed}
    members.append(Member(f"{prefix}/{MANIFEST}", (json.dumps(manifest, ensure_ascii=False, indent=2) + "\n").encode()))
    return sorted(members, key=lambda m: m.path)


def _directories(members: list[Member]) -> list[str]:
    found = {"/".join(m.path.split("/")[:i]) for m in members for i in range(1, m.path.count("/") + 1)}
    return sorted(found)


def tar_gz(members: list[Member], epoch: int) -> bytes:
    raw = io.BytesIO()
    # No file name and time 0 in the gzip header; GNU tar format has no per-file extended headers.
    with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9) as compressed:
        with tarfile.open(fileobj=compressed, mode="w", format=tarfile.GNU_FORMAT) as archive:
            entries = [(d, None) for d in _directories(members)] + [(m.path, m.data) for m in members]
            for name, data in sorted(entries, key=lambda e: e[0]):
                info = tarfile.TarInfo(name)
                info.mtime, info.uid, info.gid, info.uname, info.gname = epoch, 0, 0, "", ""
                if data is None:
                    info.type, info.mode = tarfile.DIRTYPE, 0o755
                    archive.addfile(info)
                else:
                    info.size, info.mode = len(data), 0o644
                    archive.addfile(info, io.BytesIO(data))
    return raw.getvalue()


def zip_bytes(members: list[Member], epoch: int) -> bytes:
    stamp = dt.datetime.fromtimestamp(max(epoch, 315532800), tz=dt.UTC).timetuple()[:6]  # zip starts in 1980
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for member in members:
            info = zipfile.ZipInfo(member.path, date_time=stamp)
            info.create_system = 3  # Unix, so the permissions below are honoured by unzip
            info.external_attr = (stat.S_IFREG | 0o644) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, member.data, compresslevel=9)
    return raw.getvalue()


def bundles(site: Path) -> list[Path]:
    """Agency bundles in a built site: folders carrying a build record (redirect stubs carry none)."""
    return sorted(p.parent for p in site.glob(f"*/{BUILD_RECORD}"))


def package_all(site: Path, out: Path, only: tuple[str, ...] = ()) -> list[Path]:
    """Writes the archives, manifests and SHA256SUMS into `out`; returns the files written."""
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for bundle in bundles(site):
        if only and bundle.name not in only:
            continue
        members = bundle_members(bundle)
        manifest = next(m for m in members if m.path == f"{bundle.name}/{MANIFEST}")
        epoch = _epoch(dt.date.fromisoformat(json.loads(manifest.data)["build_date"]))
        for name, data in (
            (f"{bundle.name}.tar.gz", tar_gz(members, epoch)),
            (f"{bundle.name}.zip", zip_bytes(members, epoch)),
            (f"{bundle.name}.{MANIFEST}", manifest.data),
        ):
            (out / name).write_bytes(data)
            written.append(out / name)
    # SHA256SUMS covers every archive and manifest in `out`, packaged now or by an earlier run.
    sums = sorted(p for p in out.iterdir() if p.is_file() and p.name.endswith((".tar.gz", ".zip", f".{MANIFEST}")))
    (out / SUMS).write_text(
        "".join(f"{hashlib.sha256(p.read_bytes()).hexdigest()}  {p.name}\n" for p in sums), encoding="utf-8"
    )
    return written + [out / SUMS]
