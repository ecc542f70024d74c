"""Stage 6 — publish: build beside the live site and swap it in only when everything succeeded.

A failed or interrupted build leaves the previously published folder as it was; a build killed
outright leaves only a hidden `.<name>.new-*` folder, removed by the next build. Killed in the
instant between moving the old site aside and moving the new one in, it leaves `.<name>.old-*`
and no `<name>`: the next build puts that old site back before anything else.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def _leftovers(out: Path) -> list[Path]:
    return sorted(out.parent.glob(f".{out.name}.new-*")) + sorted(out.parent.glob(f".{out.name}.old-*"))


@contextmanager
def staged(out: Path) -> Iterator[Path]:
    """Yields an empty folder next to `out`; on success it replaces `out`, on any error it is deleted."""
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    retired_before = sorted(out.parent.glob(f".{out.name}.old-*"))
    if not out.exists() and retired_before:
        os.replace(retired_before[-1], out)  # killed between the two renames below: put the old site back
    for stale in _leftovers(out):
        shutil.rmtree(stale, ignore_errors=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.new-", dir=out.parent))
    try:
        yield staging
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    os.chmod(staging, 0o755)  # mkdtemp makes it private; web servers must read the published folder
    if out.exists():
        retired = out.parent / f".{out.name}.old-{os.getpid()}"
        os.replace(out, retired)
        os.replace(staging, out)
        shutil.rmtree(retired)
    else:
        os.replace(staging, out)
