"""A long build says how far it is: a bar redrawn in place on a terminal, plain periodic lines in CI."""

from __future__ import annotations

import io

from generator.i18n import load_messages
from generator.progress import Progress


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _clock(times: list[float]):
    return lambda: times.pop(0)


def test_on_a_terminal_one_line_is_redrawn_with_the_rate_and_time_left():
    stream = _Terminal()
    progress = Progress(stream, load_messages("vi"), clock=_clock([0.0, 10.0, 20.0]))
    progress("so-a", 25, 50)
    progress("so-b", 50, 50)
    first, second = stream.getvalue().split("\r")[1:]
    assert first.startswith("[############............] 25/50 cơ quan · 2.5/giây · còn khoảng 10 s")
    assert second.startswith("[########################] 50/50") and second.endswith("\n")


def test_in_ci_a_plain_line_every_ten_seconds_and_the_last_one():
    stream = io.StringIO()
    progress = Progress(stream, load_messages("en"), clock=_clock([0.0, 1.0, 11.0, 12.0, 13.0]))
    for done in range(1, 5):
        progress(f"a{done}", done, 4)
    assert stream.getvalue().splitlines() == [
        "2/4 agencies · 0.2/s · about 11 s left",
        "4/4 agencies · 0.3/s · about 0 s left",
    ]
    assert "\r" not in stream.getvalue()
