"""The demo's visible text, links and anchors equal the snapshot taken before the page-model change."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.snapshot import SNAPSHOT, site_snapshot

pytestmark = pytest.mark.slow


def test_the_demo_reads_as_the_snapshot(demo_site: Path):
    expected = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    actual = site_snapshot(demo_site)
    assert sorted(actual) == sorted(expected), "the set of built pages changed"
    for page, recorded in expected.items():
        for aspect in ("text", "links", "anchors"):
            assert actual[page][aspect] == recorded[aspect], f"{page}: {aspect} changed"
