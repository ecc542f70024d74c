"""Real parts for browser and hosting tests: Debian's Chromium through Playwright, and a static server.

No browser is ever downloaded: Playwright launches the system Chromium by path. When it is
missing the tests fail with the reason (CI installs it), they are never skipped.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

CHROMIUM = os.environ.get("TIEPCAN_CHROMIUM", "/usr/bin/chromium")
# No background traffic: the tests count every request a page makes.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-default-apps"]


def chromium_path() -> str:
    path = shutil.which(CHROMIUM) or (CHROMIUM if os.access(CHROMIUM, os.X_OK) else None)
    if not path:
        raise RuntimeError(f"Chromium not found at {CHROMIUM}: install Debian's `chromium` (CI does) "
                           "or set TIEPCAN_CHROMIUM")
    return path


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - signature fixed by the base class
        pass


@contextlib.contextmanager
def static_server(root: Path) -> Iterator[str]:
    """Serve `root` on 127.0.0.1 (a free port); yields the base URL ending in '/'."""
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_listening(port: int, process: subprocess.Popen, name: str, seconds: float = 20) -> None:
    """Until `process` accepts connections on 127.0.0.1:`port`; its stderr in the error if it dies first."""
    deadline = time.monotonic() + seconds
    while True:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"{name} did not start: {process.stderr.read() if process.stderr else ''}")
        time.sleep(0.05)
