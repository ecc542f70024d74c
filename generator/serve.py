"""`tiepcan serve`: build, serve on 127.0.0.1, rebuild when inputs change, and tell the truth.

Serves the published folder; because publishing swaps each folder in whole (generator/publish.py),
a reader never sees a half-built page. Pages are served with one external script that reloads them after each rebuild;
while the last build failed, every page is replaced by the list of errors (file, line, column,
fix), so nobody reviews a stale page believing it is new. Both exist only here, never in `site/`.
"""

from __future__ import annotations

import html
import http.server
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from watchdog.events import EVENT_TYPE_CLOSED_NO_WRITE, EVENT_TYPE_OPENED, FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

from generator import layout
from generator import regime as regimes
from generator.build import BuildOptions
from generator.diagnostics import Diagnostic
from generator.i18n import Messages, load_messages
from generator.validate import check_paths

# An editor's save is often several file events (a temporary file, a rename, the folder): a build
# starts once the files have been quiet this long, or at the latest this long after the first event.
_QUIET_SECONDS, _MOST_SECONDS = 0.15, 1.0
# Addresses of serve's own helpers: a folder no build writes (agency ids cannot start with "_").
_OWN = "/_tiepcan-serve/"
RELOAD_SCRIPT, STAMP = _OWN + "reload.js", _OWN + "stamp"
_UNTOUCHED = ("/admin/",)  # the web editor: a rebuild must not reload it under a clerk's typing
# A file opened and closed unchanged (each build reads every agency file) is no reason to build again.
_READ_ONLY = {EVENT_TYPE_OPENED, EVENT_TYPE_CLOSED_NO_WRITE}


@dataclass(frozen=True)
class BuildState:
    """What the last build left: its number, and why it failed (None: it succeeded)."""

    stamp: int = 0
    errors: tuple[Diagnostic, ...] | None = None


class _Changed(FileSystemEventHandler):
    def __init__(self, ignored: Path):
        self.ignored = ignored.resolve()
        self.event = threading.Event()

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type in _READ_ONLY:
            return
        path = Path(str(event.src_path)).resolve()
        if not path.is_relative_to(self.ignored) and not path.name.startswith("."):
            self.event.set()


def _reload_tag(stamp: int) -> str:
    return f'<script src="{RELOAD_SCRIPT}" data-stamp="{stamp}" data-stamp-url="{STAMP}"></script>'


def error_page(state: BuildState, messages: Messages) -> str:
    """Every error of the failed build, escaped: messages quote the file's text, which may be hostile."""
    items = []
    for diagnostic in state.errors or ():
        where = f"{diagnostic.path}:{diagnostic.line}:{diagnostic.column}"
        text = diagnostic.format(messages).removeprefix(where + ": ")
        items.append(f"<li><p><code>{html.escape(where)}</code></p><p>{html.escape(text)}</p></li>")
    body = (
        (f"<p>{html.escape(messages.text('serve.count', count=len(items)))}</p>\n<ol>\n" + "\n".join(items) + "\n</ol>")
        if items
        else f"<p>{html.escape(messages.text('serve.other_failure'))}</p>"
    )
    title = html.escape(messages.text("serve.title"))
    return f"""<!doctype html>
<html lang="{messages.lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
</head>
<body>
<main>
<h1>{title}</h1>
<p>{html.escape(messages.text("serve.intro"))}</p>
{body}
</main>
{_reload_tag(state.stamp)}
</body>
</html>
"""


def _failure(options: BuildOptions) -> tuple[Diagnostic, ...]:
    """Why the data is refused, for the page; empty when the failure was elsewhere (the terminal says)."""
    result = check_paths([options.agencies_dir], regimes.regime_ids())
    return tuple(d for d in result.diagnostics if d.severity == "error")


def make_handler(out: Path, current: Callable[[], BuildState], messages: Messages) -> type:
    script = resources.files("generator").joinpath("templates/serve/reload.js").read_bytes()

    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, directory=str(out), **kwargs)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - keep the terminal for build messages
            pass

        def _send(self, status: int, content_type: str, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

        def _page_file(self, path: str) -> Path | None:
            if path.startswith(_UNTOUCHED):
                return None
            target = Path(self.translate_path(path))
            if path.endswith("/"):
                target = target / layout.DIRECTORY_INDEX
            return target if target.suffix == ".html" else None

        def do_GET(self) -> None:
            path = unquote(urlsplit(self.path).path)
            state = current()
            if path == RELOAD_SCRIPT:
                return self._send(200, "text/javascript; charset=utf-8", script)
            if path == STAMP:
                return self._send(200, "text/plain; charset=utf-8", str(state.stamp).encode())
            page = self._page_file(path)
            if page is not None and state.errors is not None:
                return self._send(500, "text/html; charset=utf-8", error_page(state, messages).encode())
            if page is not None and page.is_file():
                text = page.read_text(encoding="utf-8")
                at = text.rfind("</body>")
                text = text[:at] + _reload_tag(state.stamp) + text[at:] if at >= 0 else text
                return self._send(200, "text/html; charset=utf-8", text.encode())
            return super().do_GET()

    return Handler


def _settle(event: threading.Event) -> None:
    """Wait for the files to be quiet (see _QUIET_SECONDS); `event` is clear afterwards."""
    deadline = time.monotonic() + _MOST_SECONDS
    while True:
        event.clear()
        left = deadline - time.monotonic()
        if left <= 0 or not event.wait(min(_QUIET_SECONDS, left)):
            return


def serve_forever(options: BuildOptions, port: int, run_build: Callable[[BuildOptions], bool]) -> None:
    out = options.out.resolve()
    options = replace(options, site_url=options.site_url or f"http://127.0.0.1:{port}/")
    state = BuildState()

    def rebuild(passes: tuple[BuildOptions, ...]) -> None:
        nonlocal state
        for each in passes:
            ok = run_build(each)
            state = BuildState(state.stamp + 1, None if ok else _failure(options))
            if not ok:
                return

    rebuild((options,))
    watched = [options.agencies_dir, options.content_dir, Path("theme"), options.config]
    changed = _Changed(out)
    observer = Observer()
    for path in watched:
        if path.exists():
            observer.schedule(changed, str(path.parent if path.is_file() else path), recursive=path.is_dir())
    observer.start()

    handler = make_handler(out, lambda: state, load_messages(options.lang))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(f"http://127.0.0.1:{port}/  (Ctrl+C)", flush=True)
    try:
        while True:
            changed.event.wait()
            _settle(changed.event)
            # The bundles a save changed are swapped in (and their pages reload) before the portal-wide
            # parts are made again: a clerk's page is fresh without waiting for the portal and its index.
            rebuild((replace(options, bundles_first=True), options))
    except KeyboardInterrupt:
        pass
    finally:
        observer.stop()
        server.shutdown()
