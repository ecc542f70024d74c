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


_APACHE_ADMIN = re.compile(r'<If "%\{REQUEST_URI\} =~ m#\^/admin/#">(.*?)</If>', re.S)


def apache_headers(admin: bool = False) -> dict[str, str]:
    """The site's headers, or (admin=True) those the web editor's folder gets instead."""
    text = (DEPLOY / ".htaccess").read_text(encoding="utf-8")
    block = _APACHE_ADMIN.search(text)
    assert block, "the .htaccess has no admin/ block"
    text = block.group(1) if admin else _APACHE_ADMIN.sub("", text)
    return dict(re.findall(r'^\s*Header always set ([\w-]+) "([^"]*)"', text, re.M))


def iis_headers() -> dict[str, str]:
    root = ET.parse(DEPLOY / "web.config").getroot()
    return {e.get("name"): e.get("value") for e in root.iterfind("system.webServer/httpProtocol/customHeaders/add")}


def test_the_three_servers_send_the_same_security_headers():
    nginx, apache, iis = nginx_headers(), apache_headers(), iis_headers()
    assert SECURITY_HEADERS <= set(nginx)
    assert {k: nginx[k] for k in SECURITY_HEADERS} == {k: apache[k] for k in SECURITY_HEADERS} == {k: iis[k] for k in SECURITY_HEADERS}


def test_the_web_editor_gets_the_same_looser_policy_on_all_three_servers():
    nginx = dict(re.findall(r'^add_header ([\w-]+) "([^"]*)" always;',
                            (DEPLOY / "tiepcan-admin-headers.conf").read_text(encoding="utf-8"), re.M))
    root = ET.parse(DEPLOY / "web.config").getroot()
    iis = {e.get("name"): e.get("value")
           for e in root.iterfind("location[@path='admin']/system.webServer/httpProtocol/customHeaders/add")}
    for name in ("Content-Security-Policy", "X-Frame-Options", "X-Robots-Tag"):
        assert nginx[name] == apache_headers(admin=True)[name] == iis[name], name


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


def _uncommented(text: str) -> str:
    return "\n".join(line.split("#", 1)[0] for line in text.splitlines())


def test_every_nginx_location_takes_the_headers_snippet_and_adds_none_of_its_own():
    """add_header is not inherited into a location that has its own: one missing include, or one
    add_header beside it, and that location serves without nosniff or the CSP."""
    text = _uncommented((DEPLOY / "tiepcan.conf").read_text(encoding="utf-8"))
    locations = re.findall(r"^\s*location ([^{]+)\{([^}]*)\}", text, re.M)
    assert len(locations) == text.count("location ") >= 4  # none nested, none missed
    for name, body in locations:
        if "return 301" not in body:
            # The web editor has its own policy (tiepcan-admin-headers.conf says why).
            snippet = "tiepcan-admin-headers.conf" if name.strip() == "^~ /admin/" else "tiepcan-headers.conf"
            assert f"include snippets/{snippet};" in body, name
    assert "add_header" not in text


def test_every_server_sends_attachments_as_downloads():
    nginx = _uncommented((DEPLOY / "tiepcan.conf").read_text(encoding="utf-8"))
    assert re.search(r'map \$uri \$tiepcan_disposition \{\s*~\*/tep/\s+"attachment";\s*default\s+"";\s*\}', nginx)
    snippet = (DEPLOY / "tiepcan-headers.conf").read_text(encoding="utf-8")
    assert re.search(r"^add_header Content-Disposition \$tiepcan_disposition always;", snippet, re.M)
    apache = (DEPLOY / ".htaccess").read_text(encoding="utf-8")
    assert re.search(r'<If "%\{REQUEST_URI\} =~ m#/tep/#i">\s*Header always set Content-Disposition "attachment"\s*</If>', apache)
    root = ET.parse(DEPLOY / "web.config").getroot()
    rules = [r for r in root.iterfind("system.webServer/rewrite/outboundRules/rule")
             if r.find("match").get("serverVariable") == "RESPONSE_Content_Disposition"]
    assert [(r.find("match").get("pattern"), [(c.get("input"), c.get("pattern")) for c in r.iterfind("conditions/add")],
             r.find("action").get("value")) for r in rules] == [(".*", [("{URL}", "/tep/")], "attachment")]


class _InlineFinder(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        self._in_script = tag == "script" and "src" not in values and values.get("type") not in {"application/json", "application/ld+json"}
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
