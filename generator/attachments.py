"""Attachments: whether a file may be published in a bundle's `tep/` folder, and the name it is published as.

Attachments are served from the same origin as the pages. A file a browser would run there (HTML,
XHTML, SVG with handlers, JavaScript) could carry script past the Content-Security-Policy's
`script-src 'self'`, so only document types are published, recognised by their first bytes; the
extension must name the same type, since servers pick the Content-Type by extension.
"""

from __future__ import annotations

import unicodedata
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

MAX_BYTES = 50 * 1024 * 1024  # a scanned 200-page decision fits; a video does not
_ZIP_PART_MAX = 1024 * 1024  # [Content_Types].xml or mimetype larger than this is no office document
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_OOXML_MAIN = {
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
}
_ODF_MIMETYPE = {
    ".odt": b"application/vnd.oasis.opendocument.text",
    ".ods": b"application/vnd.oasis.opendocument.spreadsheet",
}
# Extension → the type's name in messages.
KINDS = {
    ".pdf": "PDF",
    ".doc": "Word 97–2003",
    ".xls": "Excel 97–2003",
    ".docx": "Word",
    ".xlsx": "Excel",
    ".odt": "OpenDocument Text",
    ".ods": "OpenDocument Spreadsheet",
    ".png": "PNG",
    ".jpg": "JPEG",
    ".jpeg": "JPEG",
}


@dataclass(frozen=True)
class Refusal:
    """Why a file is not published: a message-catalog code under error., with its parameters."""

    code: str
    params: dict[str, Any]


def published_name(relative: str) -> str:
    """The attachment's path under tep/: NFC, so a name typed on a Mac and one typed elsewhere are one file."""
    return unicodedata.normalize("NFC", relative)


def href(relative: str) -> str:
    """The attachment's path under tep/ as a URL path: `#`, `?`, `%`, spaces and letters percent-encoded."""
    return quote(published_name(relative), safe="/")


def collision_key(relative: str) -> str:
    """Equal for two paths that IIS, Windows or macOS would store as one file."""
    return published_name(relative).casefold()


def refusal(relative: str, path: Path) -> Refusal | None:
    """None when the attachment written `relative`, found at `path` (an existing regular file), may be
    published, else why not."""
    if any(part.startswith(".") for part in relative.split("/")):
        return Refusal("hidden_file_name", {})  # servers commonly refuse dot files: the link would be dead
    extension = path.suffix.lower()
    allowed = ", ".join(sorted(KINDS))
    if extension not in KINDS:
        return Refusal("attachment_type", {"allowed": allowed})
    size = path.stat().st_size
    if size == 0:
        return Refusal("attachment_empty", {})
    if size > MAX_BYTES:
        return Refusal("attachment_too_large", {"size": _megabytes(size), "limit": _megabytes(MAX_BYTES)})
    if not _content_matches(path, extension):
        return Refusal("attachment_content", {"kind": KINDS[extension], "allowed": allowed})
    return None


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}"


def _content_matches(path: Path, extension: str) -> bool:
    with path.open("rb") as stream:
        head = stream.read(8)
    if extension == ".pdf":
        return head.startswith(b"%PDF-")
    if extension in (".doc", ".xls"):
        return head == _OLE
    if extension == ".png":
        return head == b"\x89PNG\r\n\x1a\n"
    if extension in (".jpg", ".jpeg"):
        return head.startswith(b"\xff\xd8\xff")
    if not head.startswith(b"PK\x03\x04"):
        return False
    try:
        with zipfile.ZipFile(path) as archive:
            if extension in _OOXML_MAIN:
                return _OOXML_MAIN[extension] in _ooxml_content_types(archive)
            return _odf_mimetype(archive) == _ODF_MIMETYPE[extension]
    except (zipfile.BadZipFile, ET.ParseError, OSError, EOFError):
        return False


def _ooxml_content_types(archive: zipfile.ZipFile) -> set[str | None]:
    """The part types [Content_Types].xml declares (a macro-enabled .docm names another main type)."""
    name = "[Content_Types].xml"
    if name not in archive.namelist() or archive.getinfo(name).file_size > _ZIP_PART_MAX:
        return set()
    root = ET.fromstring(archive.read(name))
    namespace = "{http://schemas.openxmlformats.org/package/2006/content-types}"
    return {override.get("ContentType") for override in root.iter(f"{namespace}Override")}


def _odf_mimetype(archive: zipfile.ZipFile) -> bytes | None:
    """OpenDocument: the first member is an uncompressed `mimetype` naming the document's type."""
    members = archive.infolist()
    if not members or members[0].filename != "mimetype" or members[0].file_size > _ZIP_PART_MAX:
        return None
    return archive.read(members[0]).strip()
