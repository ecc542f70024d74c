"""The only module that knows MkDocs: a prepared docs folder + config → a built site folder.

Swapping the builder (ProperDocs has the same API; Zensical reads the same mkdocs.yml) is a
change here and nowhere else.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")  # Material's banner about MkDocs 2 is noise in our output

from mkdocs.commands.build import build as _mkdocs_build  # noqa: E402
from mkdocs.config import load_config  # noqa: E402
from mkdocs.exceptions import Abort, MkDocsException  # noqa: E402


class BuildFailed(RuntimeError):
    """MkDocs refused or warned (strict mode): the messages say why."""

    def __init__(self, messages: list[str]):
        super().__init__("\n".join(messages))
        self.messages = messages


@dataclass(frozen=True)
class BuildSpec:
    base_config: Path
    docs_dir: Path
    site_dir: Path
    site_name: str
    nav: list[dict[str, Any]]
    site_url: str | None = None
    extra: dict[str, Any] | None = None
    build_date: dt.date | None = None  # MkDocs dates the sitemap (and its .gz) by SOURCE_DATE_EPOCH, else by today


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@contextmanager
def _source_date(day: dt.date | None) -> Iterator[None]:
    """SOURCE_DATE_EPOCH = the build date for the duration of one build: same inputs, same bytes."""
    previous = os.environ.get("SOURCE_DATE_EPOCH")
    if day is not None:
        os.environ["SOURCE_DATE_EPOCH"] = str(int(dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC).timestamp()))
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
        else:
            os.environ["SOURCE_DATE_EPOCH"] = previous


@contextmanager
def _captured_logs() -> Iterator[_Collect]:
    logger = logging.getLogger("mkdocs")
    handler = _Collect()
    previous = logger.level, logger.propagate
    logger.addHandler(handler)
    logger.setLevel(logging.WARNING)
    logger.propagate = False
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
        logger.setLevel(previous[0])
        logger.propagate = previous[1]


def build(spec: BuildSpec) -> None:
    with _captured_logs() as logs, _source_date(spec.build_date):
        try:
            config = load_config(
                config_file=str(spec.base_config),
                docs_dir=str(spec.docs_dir),
                site_dir=str(spec.site_dir),
                site_name=spec.site_name,
                site_url=spec.site_url,
                nav=spec.nav,
            )
            config.extra.update(spec.extra or {})
            _mkdocs_build(config)
        except (Abort, MkDocsException) as error:
            raise BuildFailed(logs.messages + [str(error)]) from None
    if logs.messages:  # strict mode aborts on warnings already; anything logged is still a failure
        raise BuildFailed(logs.messages)
