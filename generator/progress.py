"""Progress of a long build, for the person or the CI log watching it.

On a terminal: one line redrawn in place (a bar, agencies done, rate, time left). Elsewhere (CI):
a plain line at most every `every` seconds, and the last one. Words come from the messages.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TextIO

from generator.i18n import Messages

_BAR = 24


class Progress:
    def __init__(
        self, stream: TextIO, messages: Messages, every: float = 10.0, clock: Callable[[], float] = time.monotonic
    ):
        self.stream, self.messages, self.every, self.clock = stream, messages, every, clock
        self.terminal = stream.isatty()
        self.started = clock()
        self.last_line = self.started
        self.drawn = False

    def __call__(self, agency_id: str, done: int, total: int) -> None:
        now = self.clock()
        elapsed = max(now - self.started, 1e-9)
        rate = done / elapsed
        left = (total - done) / rate if rate else 0.0
        words = self.messages.text("cli.progress", done=done, total=total, rate=f"{rate:.1f}", left=_duration(left))
        if self.terminal:
            filled = round(_BAR * done / total) if total else _BAR
            self.stream.write(f"\r[{'#' * filled}{'.' * (_BAR - filled)}] {words}\x1b[K")
            self.drawn = True
            if done == total:
                self.stream.write("\n")
                self.drawn = False
            self.stream.flush()
        elif done == total or now - self.last_line >= self.every:
            self.stream.write(words + "\n")
            self.stream.flush()
            self.last_line = now

    def elapsed(self) -> float:
        return self.clock() - self.started


def _duration(seconds: float) -> str:
    seconds = round(seconds)
    return f"{seconds // 60} min {seconds % 60:02d} s" if seconds >= 60 else f"{seconds} s"
