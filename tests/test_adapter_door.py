"""generator/mkdocs_adapter.py is the only door to MkDocs and Material (issue 11)."""

from __future__ import annotations

import re
from pathlib import Path

GENERATOR = Path(__file__).resolve().parent.parent / "generator"
ADAPTER = GENERATOR / "mkdocs_adapter.py"
_IMPORTS = re.compile(r"^\s*(?:import|from)\s+(?:mkdocs|material|pymdownx)\b", re.MULTILINE)
# Material's markup: its md-* classes, the permalink class, the <article> its pages wrap content in.
_MATERIAL = re.compile(r"\bmd-[a-z]|headerlink|<article|[\"']article[\"']")


def _modules() -> list[Path]:
    return [p for p in sorted(GENERATOR.rglob("*.py")) if p != ADAPTER]


def test_no_module_but_the_adapter_imports_mkdocs_or_material():
    assert [p.name for p in _modules() if _IMPORTS.search(p.read_text(encoding="utf-8"))] == []
    assert _IMPORTS.search(ADAPTER.read_text(encoding="utf-8"))  # the pattern does find an import


def test_no_module_but_the_adapter_names_material_markup():
    found = {p.name: _MATERIAL.findall(p.read_text(encoding="utf-8")) for p in _modules()}
    assert {name: hits for name, hits in found.items() if hits} == {}
    assert _MATERIAL.search(ADAPTER.read_text(encoding="utf-8"))
