"""Secrecy marks in entry texts: classified information (Law on Access to Information Art. 6) is never published.

A mark is "Tuyệt mật", "Tối mật" or "Độ mật" anywhere (any case, with or without diacritics), or the
word "mật" standing alone (any case, with diacritics), or "MAT" written as an upper-case stamp.
"mật" inside an ordinary compound ("bí mật", "bảo mật", "mật độ", "mật khẩu" …, listed in
data/secrecy/marks.yaml) is not a mark: "Quy chế bảo vệ bí mật nhà nước" is a public regulation.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

_WORD = re.compile(r"\w+", re.UNICODE)


@lru_cache(maxsize=65536)
def _plain(word: str) -> str:
    decomposed = unicodedata.normalize("NFD", word.replace("đ", "d").replace("Đ", "D").lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@lru_cache(maxsize=1)
def _rules() -> dict[str, Any]:
    text = resources.files("generator.data").joinpath("secrecy/marks.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    return {
        "phrases": [tuple(_plain(w) for w in phrase.split()) for phrase in data["marks"]["phrases"]],
        "word": unicodedata.normalize("NFC", data["marks"]["word"]).lower(),
        "stamp": _plain(data["marks"]["word"]).upper(),
        "before": {unicodedata.normalize("NFC", w).lower() for w in data["ordinary"]["before"]},
        "after": {unicodedata.normalize("NFC", w).lower() for w in data["ordinary"]["after"]},
    }


@lru_cache(maxsize=1 << 17)  # validation asks twice per text: for its diagnostics and for the leak scan's list
def secrecy_mark(text: str) -> str | None:
    """The secrecy mark `text` carries, as written there, or None."""
    rules = _rules()
    words = _WORD.findall(unicodedata.normalize("NFC", text))
    plain = [_plain(w) for w in words]
    starts: dict[str, list[int]] = {}  # where each word stands: a phrase is tried only where its first word is
    for i, word in enumerate(plain):
        starts.setdefault(word, []).append(i)
    for phrase in rules["phrases"]:
        for i in starts.get(phrase[0], ()):
            if tuple(plain[i : i + len(phrase)]) == phrase:
                return " ".join(words[i : i + len(phrase)])
    has_lower = any(c.islower() for c in text)
    for i, word in enumerate(words):
        lower = word.lower()
        stamp = word == rules["stamp"] and has_lower  # "MAT" typed without diacritics, in ordinary text
        if lower != rules["word"] and not stamp:
            continue
        before = words[i - 1].lower() if i else ""
        after = words[i + 1].lower() if i + 1 < len(words) else ""
        if not stamp and (before in rules["before"] or after in rules["after"]):
            continue
        return str(word)
    return None
