"""Stage 8 — publish: build beside the live site and swap it in only when everything succeeded.

A failed or interrupted build leaves the previously published folder as it was; a build killed
outright leaves only a hidden `.<name>.new-*` folder, removed by the next build. Killed in the
instant between moving the old site aside and moving the new one in, it leaves `.<name>.old-*`
and no `<name>`: the next build puts that old site back before anything else.

A build that keeps some of the published bundles as they are (`stay`: their inputs have not
changed) does not copy them into the new folder: it swaps in only what it made, entry by entry
(each one a rename), and moves aside what it no longer publishes. Before the first rename the new
folder is renamed `.<name>.ready-*` with its plan inside; a build killed during the swap is
finished by the next one, before anything else. At every instant each entry of the site is either
the old one or the new one, and the marker file never leaves it.

Publishing replaces the output folder, so it only ever replaces a folder tiepcan wrote: every
site carries a marker file, and a folder without it must be empty or absent. The project's own
folders (its root, agencies/, content/, theme/, .git/, and any folder holding one of them) are
refused outright, so `--out .` or `--out agencies` cannot delete the data.

One build at a time publishes into a folder (`exclusive`): a second build would take the first's
staging folder for a leftover and delete it, and the first, making its folders again as it writes,
would publish what it wrote after that as a whole site. The swap also checks that the staging folder
is still the one made for it.
"""

from __future__ import annotations

import ctypes
import fcntl
import json
import multiprocessing
import os
import shutil
import signal
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

MARKER = ".tiepcan-site"
PLAN = ".tiepcan-swap.json"  # in a `.ready-*` folder: what its swap replaces and what stays
_MARKER_TEXT = (
    "Thư mục này do tiepcan tạo và được thay thế mỗi lần dựng. / Written by tiepcan; replaced on every build.\n"
)


class UnsafeOutput(ValueError):
    """The output folder is not one tiepcan may replace; `reason` is a message key, `path` the folder."""

    def __init__(self, reason: str, path: Path):
        super().__init__(f"{reason}: {path}")
        self.reason = reason
        self.path = path


class StagingRemoved(RuntimeError):
    """The build's staging folder was deleted while it ran (by something else): nothing is published."""

    def __init__(self, path: Path):
        super().__init__(str(path))
        self.path = path


# The descriptors of the locks this process holds. A forked process (a bundle or validation worker)
# closes its copies at once: a worker outliving a killed build would otherwise hold its lock forever.
_held: set[int] = set()


def _forget_locks() -> None:
    for descriptor in _held:
        os.close(descriptor)  # the parent's lock stays: it holds its own copy
    _held.clear()


os.register_at_fork(after_in_child=_forget_locks)


_PR_SET_PDEATHSIG = 1  # linux/prctl.h


def end_with_build() -> None:
    """Called first in a process a build forks to write into its staging folder (a bundle worker, the
    report's process): killed when the build's process dies, so that a build killed outright (the OOM
    killer, SIGKILL) leaves nothing writing there, into a folder the next build deletes, and makes
    again. Linux only (elsewhere such a worker ends after its current task)."""
    if sys.platform != "linux":
        return
    ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    parent = multiprocessing.parent_process()
    if parent is not None and os.getppid() != parent.pid:  # died before the line above
        os._exit(1)


@contextmanager
def exclusive(out: Path, waiting: Callable[[Path], None] = lambda _: None) -> Iterator[None]:
    """Holds the lock of the folder `out` is published in (its nearest existing ancestor, locked as a
    folder: no lock file to leave behind) until the block ends; `waiting(folder)` is called first when
    another build holds it, and then this one waits. Released when the build's process ends, however
    it ends."""
    folder = out.resolve().parent
    while not folder.is_dir():
        folder = folder.parent
    descriptor = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    _held.add(descriptor)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            waiting(folder)
            fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        _held.discard(descriptor)
        os.close(descriptor)  # the lock goes with it


def made_by_tiepcan(folder: Path) -> bool:
    return (folder / MARKER).is_file() and not (folder / MARKER).is_symlink()


def check_output(out: Path, protected: list[Path]) -> None:
    """Raises UnsafeOutput unless publishing to `out` can only replace what tiepcan made."""
    target = out.resolve()
    for folder in (p.resolve() for p in protected):
        if target == folder or folder.is_relative_to(target):
            raise UnsafeOutput("holds_project", target)
        if target.is_relative_to(folder) and folder != protected[0].resolve():
            raise UnsafeOutput("inside_project_folder", target)
    if target.exists() and not target.is_dir():
        raise UnsafeOutput("not_a_folder", target)
    if target.is_dir() and any(target.iterdir()) and not made_by_tiepcan(target):
        raise UnsafeOutput("not_made_by_tiepcan", target)


def _leftovers(out: Path, *kinds: str) -> list[Path]:
    found = [
        path for kind in kinds or ("new", "old", "gone") for path in sorted(out.parent.glob(f".{out.name}.{kind}-*"))
    ]
    return [p for p in found if p.is_dir() and not p.is_symlink() and made_by_tiepcan(p)]


@contextmanager
def staged(out: Path, protected: list[Path], stay: set[str] | None = None) -> Iterator[Path]:
    """Yields a new folder next to `out` (holding only the marker); on success it replaces `out`,
    on any error it is deleted. `protected`: the project root first, then its data folders.
    `stay`: names of `out`'s entries (bundles) to keep as they are, filled in while staging; the
    new folder then replaces only the entries it holds (and the entries of `out` neither in it nor
    staying are removed)."""
    check_output(out, protected)
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    for ready in _leftovers(out, "ready"):
        if (ready / PLAN).is_file() and out.is_dir():
            _swap_entries(out, ready)  # killed during its swap: finished now, as planned
    retired_before = [p for p in _leftovers(out) if p.name.startswith(f".{out.name}.old-")]
    if not out.exists() and retired_before:
        os.replace(retired_before[-1], out)  # killed between the two renames below: put the old site back
    for stale in _leftovers(out):
        shutil.rmtree(stale, ignore_errors=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.new-", dir=out.parent))
    (staging / MARKER).write_text(_MARKER_TEXT, encoding="utf-8")
    marker = (staging / MARKER).stat()
    try:
        yield staging
        if not _same_file(staging / MARKER, marker):  # deleted meanwhile, and made again by a writer
            raise StagingRemoved(staging)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    os.chmod(staging, 0o755)  # mkdtemp makes it private; web servers must read the published folder
    if stay and out.is_dir():
        names = sorted(name for name in os.listdir(staging) if name != MARKER)
        (staging / PLAN).write_text(json.dumps({"new": names, "stay": sorted(stay)}), encoding="utf-8")
        ready = out.parent / f".{out.name}.ready-{os.getpid()}"
        os.replace(staging, ready)  # the commit point: from here on a killed build is finished by the next
        _swap_entries(out, ready)
    elif out.exists():
        retired = out.parent / f".{out.name}.old-{os.getpid()}"
        os.replace(out, retired)
        os.replace(staging, out)
        shutil.rmtree(retired)
    else:
        os.replace(staging, out)


def _same_file(path: Path, known: os.stat_result) -> bool:
    try:
        return os.path.samestat(path.stat(), known)
    except OSError:
        return False


def _swap_entries(out: Path, ready: Path) -> None:
    """Each entry `ready` holds replaces `out`'s of that name; `out`'s entries neither new nor staying
    are moved aside; then both leftovers are deleted. Run again after a kill, it finishes the job."""
    plan = json.loads((ready / PLAN).read_text(encoding="utf-8"))
    new, stay = set(plan["new"]), set(plan["stay"])
    gone = Path(tempfile.mkdtemp(prefix=f".{out.name}.gone-", dir=out.parent))
    (gone / MARKER).write_text(_MARKER_TEXT, encoding="utf-8")  # so that a later build may delete it
    for name in plan["new"]:
        if os.path.lexists(ready / name):  # not moved in yet
            if os.path.lexists(out / name):
                os.replace(out / name, gone / name)
            os.replace(ready / name, out / name)
    for name in sorted(os.listdir(out)):
        if name not in new and name not in stay and name != MARKER:
            os.replace(out / name, gone / name)
    shutil.rmtree(gone)
    shutil.rmtree(ready)
