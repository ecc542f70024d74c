"""Derived artefacts of the model: the draft-07 JSON Schema for editors and the field reference page.

Both are committed (schema/agency.schema.json, docs/fields.md) so editors and readers get them
from a clone; a test regenerates them and fails when they drift from the models.
"""

from __future__ import annotations

import copy
import functools
import json
import typing
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from generator.model import SCHEMA_VERSION, Agency

SCHEMA_ID = "https://tiepcan.example/schema/agency.v1.schema.json"


def _models(root: type[BaseModel]) -> dict[str, type[BaseModel]]:
    found = {root.__name__: root}
    for info in root.model_fields.values():
        for arg in [info.annotation, *typing.get_args(info.annotation)]:
            for inner in [arg, *typing.get_args(arg)]:
                if isinstance(inner, type) and issubclass(inner, BaseModel) and inner.__name__ not in found:
                    found.update(_models(inner))
    return found


def _label_references(node: dict[str, Any], model: type[BaseModel]) -> None:
    """Pydantic drops a field's title next to a bare $ref; editors show it on hover, so keep it (allOf)."""
    for name, prop in node.get("properties", {}).items():
        if set(prop) == {"$ref"}:
            info = model.model_fields[name]
            node["properties"][name] = {
                "allOf": [prop],
                "title": info.title,
                **({"description": info.description} if info.description else {}),
            }


def json_schema() -> dict[str, Any]:
    """Pydantic emits 2020-12 with $defs; the YAML language server validates draft-07 only."""
    return copy.deepcopy(_json_schema())  # a copy: callers (the web editor's form) may adapt it


@functools.cache  # a pure function of the model, and ~0.1 s of pydantic each time: every build asks for it
def _json_schema() -> dict[str, Any]:
    schema = Agency.model_json_schema(ref_template="#/definitions/{model}")
    definitions = schema.pop("$defs", {})
    models = _models(Agency)
    _label_references(schema, Agency)
    for name, definition in definitions.items():
        _label_references(definition, models[name])
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "$id": SCHEMA_ID,
        **schema,
        "definitions": definitions,
    }


def schema_text() -> str:
    return json.dumps(json_schema(), ensure_ascii=False, indent=2, sort_keys=False) + "\n"


def _resolve(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in node:
        resolved: dict[str, Any] = schema["definitions"][node["$ref"].rsplit("/", 1)[-1]]
        return resolved
    return node


def _type_of(schema: dict[str, Any], node: dict[str, Any]) -> tuple[str, dict[str, Any] | None]:
    """A short human type name, and the nested object definition if there is one."""
    options = node.get("anyOf") or node.get("allOf") or [node]
    options = [o for o in options if o.get("type") != "null"]
    node = options[0] if options else node
    if "$ref" in node:
        target = _resolve(schema, node)
        return "nhóm trường", target
    if node.get("type") == "array":
        item_name, nested = _type_of(schema, node.get("items", {}))
        return f"danh sách {item_name}", nested
    if "enum" in node:
        return "một trong: " + ", ".join(f"`{v}`" for v in node["enum"]), None
    fmt = node.get("format")
    names = {"date": "ngày YYYY-MM-DD", "email": "thư điện tử", "uri": "đường dẫn https://"}
    if fmt in names:
        return names[fmt], None
    return {"string": "chữ", "integer": "số nguyên", "boolean": "true/false"}.get(node.get("type", ""), "giá trị"), None


def fields_markdown() -> str:
    """docs/fields.md: every field, its type, whether required, and its Vietnamese description."""
    schema = json_schema()
    lines = [
        f"# Các trường dữ liệu của một cơ quan (phiên bản {SCHEMA_VERSION})",
        "",
        "<!-- Tệp này được tạo từ generator/model.py bằng `tiepcan schema`; đừng sửa tay. -->",
        "",
        "Mỗi cơ quan là một tệp `agencies/<mã>.yaml`. Tên trường viết bằng tiếng Anh, giá trị viết bằng tiếng Việt.",
        "Trường **bắt buộc** được đánh dấu; các trường khác có thể bỏ qua.",
        "",
    ]
    seen: set[str] = set()

    def describe(title: str, anchor_path: str, node: dict[str, Any]) -> None:
        lines.extend([f"## {title} (`{anchor_path}`)", ""])
        if node.get("description"):
            lines.extend([node["description"], ""])
        lines.extend(["| trường | kiểu | bắt buộc | ý nghĩa |", "|---|---|---|---|"])
        required = set(node.get("required", []))
        nested: list[tuple[str, str, dict[str, Any]]] = []
        for name, prop in node.get("properties", {}).items():
            type_name, child = _type_of(schema, prop)
            meaning = prop.get("title") or (child or {}).get("title", "")
            if prop.get("description"):
                meaning += f". {prop['description']}"
            if "default" in prop and prop["default"] not in (None, [], False):
                meaning += f" Mặc định: `{prop['default']}`."
            cell = meaning.replace("|", "\\|")
            lines.append(f"| `{name}` | {type_name} | {'**có**' if name in required else 'không'} | {cell} |")
            if child is not None and child.get("title") not in seen:
                seen.add(child.get("title", ""))
                nested.append((child.get("title", name), f"{anchor_path}.{name}" if anchor_path else name, child))
        lines.append("")
        for child_title, child_path, child in nested:
            describe(child_title, child_path, child)

    describe(schema.get("title", "Cơ quan"), "", schema)
    text = "\n".join(lines).replace("(``)", "").rstrip() + "\n"
    return text


def write(root: Path) -> list[Path]:
    targets = {root / "schema" / "agency.schema.json": schema_text(), root / "docs" / "fields.md": fields_markdown()}
    for path, text in targets.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return list(targets)
