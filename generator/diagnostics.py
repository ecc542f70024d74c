"""A problem found in an input file, located by line and column, worded from the message catalog;
and a build step's refusal (BuildFailed)."""

from __future__ import annotations

import os
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from generator.i18n import Messages


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One problem: where (1-based line and column), what (a message-catalog code) and its details."""

    path: str
    line: int
    column: int
    code: str
    field_path: str = ""
    params: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)
    # "error" stops the build; "warning" (personal data, say) and "note" (an entry withheld as
    # internal) are printed and publishing goes on.
    severity: str = field(default="error", compare=False)
    # How the column is shown when it is not a number: a spreadsheet's column letter ("C").
    column_label: str | None = field(default=None, compare=False)

    def format(self, catalog: Messages) -> str:
        params = {key: _printable(value) for key, value in self.params.items()}
        # A "did you mean" suggestion is worded in the reader's language, inside the main message.
        suggestion = params.pop("suggestion", None)
        params["hint"] = catalog.text("error.did_you_mean", suggestion=suggestion) if suggestion else ""
        message = catalog.text(f"error.{self.code}", **params)
        if self.severity != "error":
            message = catalog.text(f"error.{self.severity}_prefix") + message
        where = f"{self.path}:{self.line}:{self.column_label or self.column}"
        return f"{where}: {self.field_path}: {message}" if self.field_path else f"{where}: {message}"


def _printable(value: Any) -> Any:
    """A value quoted in a message, with control and format characters (newlines, bidi overrides)
    written as escapes: one message stays on one line, and reads the same in any terminal."""
    if not isinstance(value, str):
        return value
    return "".join(
        c.encode("unicode_escape").decode("ascii") if unicodedata.category(c) in _HIDDEN else c for c in value
    )


_HIDDEN = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}


def display_path(path: Path) -> str:
    """Paths relative to the working directory when possible: that is what editors jump to."""
    return _display_path(path, os.getcwd())


@lru_cache(maxsize=65536)  # asked several times per file by every stage: resolving costs system calls
def _display_path(path: Path, cwd: str) -> str:
    try:
        return str(path.resolve().relative_to(Path(cwd).resolve()))
    except ValueError:
        return str(path)


def format_field_path(loc: tuple[str | int, ...]) -> str:
    """('catalog', 3, 'created') → 'catalog[3].created', the way the docs name fields."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text


class BuildFailed(RuntimeError):
    """A build step refused or warned (the site builder, Pagefind, a stage writing twice): the messages say why.

    Defined here, not in the adapter, so that every stage and the CLI report it without knowing
    which builder runs."""

    def __init__(self, messages: list[str]):
        super().__init__("\n".join(messages))
        self.messages = messages

    def __reduce__(self) -> tuple[type[BuildFailed], tuple[list[str]]]:  # raised in a worker process
        return (type(self), (self.messages,))
