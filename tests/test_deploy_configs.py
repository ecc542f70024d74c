"""The server configurations in docs/deploy/ agree with each other, and the pages need nothing
that their Content-Security-Policy forbids (no inline script, style or event handler)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.conftest import ROOT

DEPLOY = ROOT / "docs" / "deploy"
SECURITY_HEADERS = {"Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy", "X-Frame-Options",
                    "Permissions-Policy", "Cross-Origin-Opener-Policy"}


def nginx_headers() -> dict[str, str]:
    text = (DEPLOY / "tiepcan-headers.conf").read_text(encoding="utf-8")
    return dict(re.findall(r'^add_header ([\w-]+) "([^"]*)" always;', text, re.M))


def apache_headers() -> dict[str, str]:
    text = (DEPLOY / ".htaccess").read_text(encoding="utf-8")
    return dict(re.findall(r'^\s*Header always set ([\w-]+) "([^"]*)"', text, re.M))


def iis_headers() -> dict[str, str]:
    root = ET.parse(DEPLOY / "web.config").getroot()
    return {e.get("name"): e.get("value") for e in root.iterfind("system.webServer/httpProtocol/customHeaders/add")}


def test_the_three_servers_send_the_same_security_headers():
    nginx, apache, iis = nginx_headers(), apache_headers(), iis_headers()
    assert SECURITY_HEADERS <= set(nginx)
    assert {k: nginx[k] for k in SECURITY_HEADERS} == {k: apache[k] for k in SECURITY_HEADERS} == {k: iis[k] for k in SECURITY_HEADERS}


def test_the_csp_is_strict_and_lets_the_search_run():
    directives = dict(d.strip().split(" ", 1) for d in nginx_headers()["Content-Security-Policy"].split(";"))
    assert directives["default-src"] == "'none'"
    assert directives["script-src"] == "'self' 'wasm-unsafe-eval'"  # Pagefind compiles WebAssembly
    assert directives["style-src"] == "'self'"
    assert "unsafe-inline" not in str(directives) and "unsafe-eval'" not in str(directives).replace("wasm-unsafe-eval'", "")


def test_every_config_serves_the_404_page_of_its_sub_path():
    nginx = (DEPLOY / "tiepcan.conf").read_text(encoding="utf-8")
    apache = (DEPLOY / ".htaccess").read_text(encoding="utf-8")
    iis = (DEPLOY / "web.config").read_text(encoding="utf-8")
    assert "error_page 404 /tiep-can-thong-tin/404.html;" in nginx
    assert "sub_filter '<base href=\"./\">' '<base href=\"/tiep-can-thong-tin/\">';" in nginx
    assert "ErrorDocument 404 /tiep-can-thong-tin/404.html" in apache
    assert 'Substitute "s|<base href=\\"./\\">|<base href=\\"/tiep-can-thong-tin/\\">|"' in apache
    assert 'path="/tiep-can-thong-tin/404.html"' in iis and 'value="/tiep-can-thong-tin/"' in iis


class _InlineFinder(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        self._in_script = tag == "script" and "src" not in values and values.get("type") != "application/json"
        if tag == "style":
            self.found.append("<style>")
        self.found += [f"{tag}[{name}]" for name, _ in attrs if name == "style" or name.startswith("on")]
        if any(str(value or "").strip().lower().startswith("javascript:") for _, value in attrs):
            self.found.append(f"{tag}: javascript: URL")

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.found.append(f"inline script {data.strip()[:60]!r}")

    def handle_endtag(self, tag):
        self._in_script = False


@pytest.mark.slow
def test_no_page_has_inline_script_style_or_handler(demo_site: Path):
    pages = sorted(demo_site.rglob("*.html"))
    assert len(pages) > 50
    problems = {}
    for page in pages:
        finder = _InlineFinder()
        finder.feed(page.read_text(encoding="utf-8"))
        if finder.found:
            problems[page.relative_to(demo_site).as_posix()] = sorted(set(finder.found))
    assert problems == {}
