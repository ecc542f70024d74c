"""`tiepcan new ID`: a new agency file with every field present and explained in Vietnamese.

Written from the model, so it can never list a field the validator would reject. Required
text fields are left blank on purpose: `tiepcan check` then lists exactly what to fill in.
"""

from __future__ import annotations

import re
import types
import typing
from typing import Any

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from generator.model import Agency

_FIELD_LINE = re.compile(r"^\s*# [a-z_]+:")
_MODELINE = "# yaml-language-server: $schema=../schema/agency.schema.json"


def _comment(info: FieldInfo, required: bool) -> str:
    text = info.title or ""
    if info.description:
        text += f" — {info.description}"
    return f"{'BẮT BUỘC. ' if required else ''}{text}".replace("\n", " ")


def _inner(annotation: Any) -> tuple[Any, bool]:
    """The non-None type of a field and whether it is a list."""
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        annotation = next(a for a in typing.get_args(annotation) if a is not type(None))
    if typing.get_origin(annotation) is list:
        return typing.get_args(annotation)[0], True
    return annotation, False


def _is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def _lines(model: type[BaseModel], indent: str, overrides: dict[str, str], commented: bool) -> list[str]:
    out: list[str] = []
    prefix = f"{indent}# " if commented else indent
    for name, info in model.model_fields.items():
        required = info.is_required()
        out.append(f"{indent}# {_comment(info, required)}")
        inner, is_list = _inner(info.annotation)
        if name in overrides:
            out.append(f"{prefix}{name}: {overrides[name]}")
        elif _is_model(inner) and is_list:
            out.append(f"{prefix}{name}: []" if not commented else f"{prefix}{name}:")
            out.append(f"{indent}# Để thêm mục: xóa “[]” ở dòng trên, rồi bỏ dấu # ở đầu các dòng dưới:")
            sub = _lines(inner, indent + "  ", {}, commented=True)
            first_field = next(i for i, line in enumerate(sub) if _FIELD_LINE.match(line))
            sub[first_field] = sub[first_field].replace(f"{indent}  # ", f"{indent}# - ", 1)
            out.extend(sub)
        elif _is_model(inner):
            out.append(f"{prefix}{name}:" if required or commented else f"{prefix}{name}: null")
            if required:
                out.extend(_lines(inner, indent + "  ", {}, commented))
            else:
                out.append(f"{indent}# Để điền: xóa “null” ở dòng trên, rồi bỏ dấu # ở đầu các dòng dưới:")
                out.extend(_lines(inner, indent + "  ", {}, commented=True))
        elif is_list:
            out.append(f"{prefix}{name}: []")
        elif required:
            out.append(f'{prefix}{name}: ""')
        else:
            default = info.default
            shown = (
                "false"
                if default is False
                else "true"
                if default is True
                else "null"
                if default is None
                else str(default)
            )
            out.append(f"{prefix}{name}: {shown}")
    return out


def new_agency_yaml(agency_id: str) -> str:
    lines = [
        _MODELINE,
        f"# Tệp dữ liệu của một cơ quan cho chuyên mục “Tiếp cận thông tin”. Tạo bởi: tiepcan new {agency_id}",
        "# Điền các trường BẮT BUỘC rồi chạy “tiepcan check” để kiểm tra. Ngày ghi dạng YYYY-MM-DD;",
        "# số điện thoại đặt trong dấu ngoặc kép; chỉ true/false là giá trị đúng/sai.",
        "",
    ]
    lines += _lines(Agency, "", {"id": agency_id}, commented=False)
    return "\n".join(lines) + "\n"
