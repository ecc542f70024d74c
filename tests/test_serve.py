"""`tiepcan serve` tells the truth: the page reloads after a rebuild, an invalid file replaces every
page with its errors (escaped), and the fresh page comes back once the file is fixed.

The real command runs on a free port over a temporary agencies folder; Chromium watches one page.
"""

from __future__ import annotations

import contextlib
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from generator.diagnostics import Diagnostic
from generator.i18n import load_messages
from generator.serve import BuildState, _Changed, _settle, error_page
from tests.conftest import MINIMAL_AGENCY, ROOT, write_agency
from tests.servers import free_port, wait_until_listening

pytestmark = [pytest.mark.slow, pytest.mark.browser]

HOSTILE = "<img src=x onerror=alert(1)>"
BROKEN = MINIMAL_AGENCY.format(id="so-thu").replace("email: so-thu@example.gov.vn", f"email: '{HOSTILE}'")
FIXED = MINIMAL_AGENCY.format(id="so-thu").replace("name: Sở Thử nghiệm", "name: Sở Thử nghiệm đã sửa")


@contextlib.contextmanager
def serving(agencies: Path, out: Path) -> Iterator[str]:
    """`tiepcan serve` as a clerk runs it, from the project root; yields its address."""
    port = free_port()
    command = [sys.executable, "-m", "generator.cli", "serve", "--agencies", str(agencies), "--out", str(out),
               "--port", str(port), "--date", "2026-11-23"]
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        wait_until_listening(port, process, "tiepcan serve", seconds=120)  # the first build comes first
        yield f"http://127.0.0.1:{port}/"
    finally:
        process.terminate()
        process.wait(timeout=20)


def test_a_rebuild_waits_for_the_files_to_be_quiet_but_not_for_ever():
    changed, stop = threading.Event(), threading.Event()
    changed.set()  # a save
    _settle(changed)
    assert not changed.is_set()  # what arrived while settling is part of this build, not the next

    def editor_that_never_stops():
        while not stop.is_set():
            changed.set()
            stop.wait(0.02)

    writer = threading.Thread(target=editor_that_never_stops)
    writer.start()
    try:
        _settle(changed)  # returns: a build still comes, at the latest a second after the first event
    finally:
        stop.set()
        writer.join()


def test_a_file_read_is_no_change_a_file_written_is(tmp_path):
    """Each build reads every agency file: were opening and closing one a change, every build would
    start another."""
    from watchdog.observers import Observer

    agency = write_agency(tmp_path / "agencies")
    changed = _Changed(tmp_path / "site")
    observer = Observer()
    observer.schedule(changed, str(tmp_path / "agencies"), recursive=True)
    observer.start()
    try:
        agency.read_bytes()
        assert not changed.event.wait(0.5)
        agency.write_text(FIXED, encoding="utf-8")
        assert changed.event.wait(5)
    finally:
        observer.stop()
        observer.join()


def test_the_error_page_escapes_what_it_quotes():
    diagnostic = Diagnostic("agencies/a.yaml", 5, 8, "email", "email", {"value": HOSTILE})
    page = error_page(BuildState(3, (diagnostic,)), load_messages())
    assert HOSTILE not in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "<code>agencies/a.yaml:5:8</code>" in page and "Cách sửa" in page
    assert page.count("<script") == 1 and 'data-stamp="3"' in page


def test_preview_shows_errors_then_the_fresh_page(chromium, tmp_path):
    agency = write_agency(tmp_path / "agencies")
    title = load_messages().text("serve.title")
    with serving(tmp_path / "agencies", tmp_path / "site") as base:
        page = chromium.new_page()
        other_hosts: list[str] = []
        page.on("request", lambda r: other_hosts.append(r.url) if not r.url.startswith(base) else None)
        dialogs: list[str] = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.goto(base + "so-thu/index.html")
        assert "Sở Thử nghiệm" in page.locator("h1").first.inner_text()

        agency.write_text(BROKEN, encoding="utf-8")
        page.get_by_role("heading", name=title).wait_for(timeout=60_000)  # reloaded by itself
        errors = page.locator("main li").all_inner_texts()
        assert len(errors) == 1
        assert f"{agency}:5:8" in errors[0] or "agencies/so-thu.yaml:5:8" in errors[0]
        assert "email" in errors[0] and "Cách sửa" in errors[0] and HOSTILE in errors[0]  # shown, as text
        assert page.locator("main img").count() == 0 and dialogs == []

        agency.write_text(FIXED, encoding="utf-8")
        page.get_by_text("Sở Thử nghiệm đã sửa").first.wait_for(timeout=60_000)
        assert page.get_by_role("heading", name=title).count() == 0
        page.close()
        assert other_hosts == []
    published = [p for p in (tmp_path / "site").rglob("*.html") if "_tiepcan-serve" in p.read_text(encoding="utf-8")]
    assert published == []  # the reload script is added while serving, never written into the site
