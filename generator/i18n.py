"""Messages: every user-facing sentence lives in generator/messages/<lang>.yaml."""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

import yaml

LANGUAGES = ("vi", "en")
DEFAULT_LANGUAGE = "vi"


class Messages:
    """Looks up dotted keys; falls back to Vietnamese, the reference language."""

    def __init__(self, lang: str, messages: dict[str, str], fallback: Messages | None = None):
        self.lang = lang
        self._messages = messages
        self._fallback = fallback

    def has(self, key: str) -> bool:
        return key in self._messages or bool(self._fallback and self._fallback.has(key))

    def text(self, key: str, /, **params: Any) -> str:
        template = self._messages.get(key)
        if template is None:
            if self._fallback is None:
                raise KeyError(f"message {key!r} is missing from the {self.lang} catalog")
            return self._fallback.text(key, **params)
        return template.format(**params) if params else template

    def section(self, prefix: str) -> dict[str, str]:
        """All messages under a prefix, keyed by the rest of their key (for templates)."""
        merged = self._fallback.section(prefix) if self._fallback else {}
        merged.update({k[len(prefix) + 1 :]: v for k, v in self._messages.items() if k.startswith(prefix + ".")})
        return merged


def _flatten(tree: dict[str, Any], prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in tree.items():
        full = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(value, dict):
            flat.update(_flatten(value, full))
        else:
            flat[full] = str(value)
    return flat


@cache
def load_messages(lang: str = DEFAULT_LANGUAGE) -> Messages:
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; choose one of {', '.join(LANGUAGES)}")
    text = resources.files("generator.messages").joinpath(f"{lang}.yaml").read_text(encoding="utf-8")
    messages = _flatten(yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)))
    fallback = None if lang == DEFAULT_LANGUAGE else load_messages(DEFAULT_LANGUAGE)
    return Messages(lang, messages, fallback)
