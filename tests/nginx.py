"""Real nginx for hosting tests, configured from the files shipped in docs/deploy/.

The shipped tiepcan.conf is used as it is, with only its example values replaced: the listen
port, the site folder, the bundle folder, the sub-path and the snippets folder. nginx runs as
an ordinary process with a private prefix (pid, logs, temp folders) and stops with the test.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

from tests.servers import free_port, wait_until_listening

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "docs" / "deploy"
NGINX = os.environ.get("TIEPCAN_NGINX", "/usr/sbin/nginx")

# Example values in docs/deploy/tiepcan.conf that a deployment (or this test) replaces.
EXAMPLE_SITE = "/srv/tiepcan/site"
EXAMPLE_BUNDLE = "/var/www/tiep-can-thong-tin/"
EXAMPLE_SUB_PATH = "/tiep-can-thong-tin"  # also written without its final slash
EXAMPLE_LISTEN = "listen 80;"
EXAMPLE_SNIPPETS = "include snippets/"


def nginx_path() -> str:
    path = shutil.which(NGINX) or (NGINX if os.access(NGINX, os.X_OK) else None)
    if not path:
        raise RuntimeError(f"nginx not found at {NGINX}: install Debian's `nginx` (CI does) or set TIEPCAN_NGINX")
    return path


def site_config(site: Path, bundle: Path, sub_path: str, port: int) -> str:
    """docs/deploy/tiepcan.conf with the example values replaced, as an IT department would."""
    text = (DEPLOY / "tiepcan.conf").read_text(encoding="utf-8")
    for example in (EXAMPLE_SITE, EXAMPLE_BUNDLE, EXAMPLE_SUB_PATH, EXAMPLE_LISTEN, EXAMPLE_SNIPPETS):
        assert example in text, f"docs/deploy/tiepcan.conf no longer contains the example value {example!r}"
    bundle_placeholder = "\0bundle\0"  # the bundle folder's example contains the sub-path's example
    text = text.replace(EXAMPLE_BUNDLE, bundle_placeholder)
    text = text.replace(EXAMPLE_SITE, str(site))
    text = text.replace(EXAMPLE_SUB_PATH, sub_path.rstrip("/"))
    text = text.replace(bundle_placeholder, f"{bundle}/")
    text = text.replace(EXAMPLE_LISTEN, f"listen 127.0.0.1:{port};")
    return text.replace(EXAMPLE_SNIPPETS, f"include {DEPLOY}/")


def _main_config(prefix: Path, server_file: Path) -> str:
    """What Debian's /etc/nginx/nginx.conf provides around sites-enabled/*, minus system paths."""
    user = "user root;\n" if os.geteuid() == 0 else ""  # as root, workers would otherwise drop to nobody
    temp = "\n".join(f"    {name}_temp_path {prefix / name};" for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    return f"""{user}worker_processes 1;
pid {prefix / 'nginx.pid'};
error_log {prefix / 'error.log'} warn;
events {{ worker_connections 256; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log {prefix / 'access.log'};
{temp}
    include {server_file};
}}
"""


@contextlib.contextmanager
def nginx_serving(site: Path, bundle: Path, sub_path: str, prefix: Path) -> Iterator[str]:
    """nginx serving `site` at the root and `bundle` under `sub_path`; yields 'http://127.0.0.1:PORT'."""
    prefix.mkdir(parents=True, exist_ok=True)
    port = free_port()
    server_file = prefix / "tiepcan.conf"
    server_file.write_text(site_config(site, bundle, sub_path, port), encoding="utf-8")
    main_file = prefix / "nginx.conf"
    main_file.write_text(_main_config(prefix, server_file), encoding="utf-8")
    command = [nginx_path(), "-p", str(prefix), "-c", str(main_file), "-e", str(prefix / "error.log")]
    checked = subprocess.run(command + ["-t"], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    process = subprocess.Popen(command + ["-g", "daemon off;"], stderr=subprocess.PIPE, text=True)
    try:
        wait_until_listening(port, process, "nginx", seconds=10)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)
