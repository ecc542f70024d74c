"""`tiepcan serve`: build, serve on 127.0.0.1, rebuild when inputs change.

Serves the published folder; because publishing swaps folders atomically, a reader never sees a
half-built site, and a failed rebuild keeps the last good one on screen while the errors print.
"""

from __future__ import annotations

import http.server
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

from generator.build import BuildOptions

_DEBOUNCE_SECONDS = 0.5


class _Changed(FileSystemEventHandler):
    def __init__(self, ignored: Path):
        self.ignored = ignored.resolve()
        self.event = threading.Event()

    def on_any_event(self, event: FileSystemEvent) -> None:
        path = Path(str(event.src_path)).resolve()
        if not path.is_relative_to(self.ignored) and not path.name.startswith("."):
            self.event.set()


class _Handler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # keep the terminal for build messages
        pass


def serve_forever(options: BuildOptions, port: int, run_build: Callable[[BuildOptions], bool]) -> None:
    out = options.out.resolve()
    options = replace(options, site_url=options.site_url or f"http://127.0.0.1:{port}/")
    run_build(options)
    watched = [options.agencies_dir, options.content_dir, Path("theme"), options.config]
    changed = _Changed(out)
    observer = Observer()
    for path in watched:
        if path.exists():
            observer.schedule(changed, str(path.parent if path.is_file() else path), recursive=path.is_dir())
    observer.start()

    class Handler(_Handler):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, directory=str(out), **kwargs)

    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(f"http://127.0.0.1:{port}/  (Ctrl+C)", flush=True)
    try:
        while True:
            changed.event.wait()
            time.sleep(_DEBOUNCE_SECONDS)  # an editor's save is often several events
            changed.event.clear()
            run_build(options)
    except KeyboardInterrupt:
        pass
    finally:
        observer.stop()
        server.shutdown()
