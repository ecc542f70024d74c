"""The web editor for clerks: site/admin/, Decap CMS with a form generated from the model.

The form's fields come from the JSON Schema (generator/schema.py), itself derived from the model,
so a field the validator knows is a field the form shows, with the same title, hint, choices,
patterns and bounds. Where the editor saves (the Git backend) is set in cms.yml only. Decap CMS is
vendored from admin/node_modules (npm ci of admin/package-lock.json); no file comes from a CDN.
"""

from __future__ import annotations

import html
import json
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from generator import layout
from generator import regime as regimes
from generator.i18n import Messages, load_messages
from generator.schema import json_schema
from generator.writer import BundleWriter

ROOT = Path(__file__).resolve().parent.parent
CMS_CONFIG = Path("cms.yml")  # relative to the project root, like mkdocs.yml
ADMIN = "admin"  # the web editor's folder in the built site
GENERATED = Path(ADMIN) / "config.yml"
DECAP_DIST = ROOT / "admin" / "node_modules" / "decap-cms" / "dist"
BACKENDS = ("gitlab", "gitea", "github")
# Settings cms.yml may carry; everything else of Decap's configuration is generated.
_SETTINGS = ("backend", "publish_mode", "local_backend")
# Decap's own files: the main bundle loads its numbered chunks and WebAssembly from its own folder.
_VENDORED = ("decap-cms.js", "decap-cms.js.LICENSE.txt", "*.decap-cms.js", "*.wasm")
_DATE = {"widget": "datetime", "format": "YYYY-MM-DD", "date_format": "YYYY-MM-DD", "time_format": False}
_MULTILINE = {"description"}  # Markdown text: a text area, not one line


class CmsConfigError(ValueError):
    """cms.yml is unreadable or names a setting or backend Decap cannot use here."""

    def __init__(self, key: str, **params: Any):
        super().__init__(key)
        self.key = key
        self.params = params


def _plain(node: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    """The schema node without its `null` alternative or its `allOf` wrapper, and whether null was allowed."""
    options = node.get("anyOf") or node.get("allOf")
    if not options:
        return node, False
    kept = [o for o in options if o.get("type") != "null"]
    return kept[0], len(kept) < len(options)


def _definition(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any] | None:
    ref = node.get("$ref")
    return schema["definitions"][ref.rsplit("/", 1)[-1]] if ref else None


def _legal_labels(messages: Messages) -> dict[str, dict[str, str]]:
    """Choices the law names, worded as the newest legal regime words them (generator/data/regimes/)."""
    data = regimes.all_regimes()[-1].data
    clauses: dict[str, str] = {
        letter: clause.title if letter == "other" else messages.text("cms.clause", letter=letter, title=clause.title)
        for letter, clause in data.clauses.items()
    }
    return {
        "clause": clauses,
        "forms": {str(code): form.label for code, form in data.disclosure_forms.items()},
        "condition": {str(code): condition.label for code, condition in data.conditions.items()},
        "kind": messages.section("ui.kind"),
        "access": messages.section("cms.option.access"),
    }


def _options(name: str, values: list[str], messages: Messages) -> list[dict[str, str]]:
    labels = _legal_labels(messages).get(name, {})
    return [{"label": labels.get(value, value), "value": value} for value in values]


def _widget(
    schema: dict[str, Any], name: str, node: dict[str, Any], messages: Messages, optional: bool = False
) -> dict[str, Any]:
    """Decap widget settings for one schema node (the field's title and hint are added by the caller)."""
    nested = _definition(schema, node)
    if nested is not None:
        # Decap asks for the required fields of a group even when the whole group may be left out
        # (no internal regulation yet): inside an optional group nothing is required by the form,
        # and `tiepcan check` still says what a started group lacks.
        return {"widget": "object", "collapsed": optional, "fields": _fields(schema, nested, messages, optional)}
    if node.get("type") == "array":
        items = node.get("items", {})
        if "enum" in items:
            return {
                "widget": "select",
                "multiple": True,
                "options": _options(name, items["enum"], messages),
                **({"min": node["minItems"]} if "minItems" in node else {}),
            }
        entry = _definition(schema, items)
        if entry is not None:
            fields = _fields(schema, entry, messages)
            # A collapsed entry shows its title (a catalog row), else its first field (a year, a name).
            label = "title" if "title" in entry.get("properties", {}) else fields[0]["name"]
            return {
                "widget": "list",
                "collapsed": True,
                "label_singular": entry.get("title", name),
                "summary": f"{{{{fields.{label}}}}}",
                "fields": fields,
            }
        return {
            "widget": "list",
            "field": {"name": name, "label": messages.text("cms.list_item"), **_widget(schema, name, items, messages)},
        }
    if "enum" in node:
        return {"widget": "select", "options": _options(name, node["enum"], messages)}
    if node.get("format") == "date":
        return dict(_DATE)
    kind = node.get("type")
    if kind == "boolean":
        return {"widget": "boolean"}
    if kind == "integer":
        bounds = {key: node[source] for key, source in (("min", "minimum"), ("max", "maximum")) if source in node}
        return {"widget": "number", "value_type": "int", **bounds}
    widget: dict[str, Any] = {"widget": "text" if name in _MULTILINE else "string"}
    if "pattern" in node:
        widget["pattern"] = [node["pattern"], messages.text(f"cms.pattern.{node.get('format', 'text')}")]
    return widget


def _fields(
    schema: dict[str, Any], model: dict[str, Any], messages: Messages, optional: bool = False
) -> list[dict[str, Any]]:
    required = set() if optional else set(model.get("required", []))
    fields = []
    for name, prop in model.get("properties", {}).items():
        node, nullable = _plain(prop)
        field: dict[str, Any] = {"name": name, "label": prop.get("title") or node.get("title", name)}
        if prop.get("description"):
            field["hint"] = prop["description"]
        field.update(_widget(schema, name, node, messages, optional or nullable))
        if name not in required:
            field["required"] = False
        if prop.get("default") not in (None, [], {}):
            field["default"] = prop["default"]
        fields.append(field)
    return fields


def decap_config(settings: dict[str, Any], messages: Messages | None = None) -> dict[str, Any]:
    """Decap CMS's config.yml: the backend from cms.yml, one folder collection of agency files."""
    messages = messages or load_messages()
    schema = json_schema()
    return {
        **{key: settings[key] for key in _SETTINGS if key in settings},
        "locale": "vi",
        # Decap requires a media folder; attachments are named in the form as agencies/<id>/… paths instead.
        "media_folder": "agencies",
        "collections": [
            {
                "name": "agencies",
                "label": messages.text("cms.collection"),
                "label_singular": messages.text("cms.collection_singular"),
                "folder": "agencies",
                "extension": "yaml",
                "format": "yaml",
                "create": True,
                "delete": False,  # removing an agency takes redirects and review, not one click
                "identifier_field": "id",
                "slug": "{{fields.id}}",
                "summary": "{{fields.name}}",
                "editor": {"preview": False},  # the truthful preview is `tiepcan serve`, not Decap's
                "fields": _fields(schema, schema, messages),
            }
        ],
    }


def load_settings(path: Path) -> dict[str, Any]:
    try:
        settings = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise CmsConfigError("cms.bad_config", path=str(path), problem=str(error).replace("\n", " ")) from None
    if not isinstance(settings, dict) or not isinstance(settings.get("backend"), dict):
        raise CmsConfigError("cms.no_backend", path=str(path))
    unknown = sorted(set(settings) - set(_SETTINGS))
    if unknown:
        raise CmsConfigError(
            "cms.unknown_setting", path=str(path), keys=", ".join(unknown), allowed=", ".join(_SETTINGS)
        )
    if settings["backend"].get("name") not in BACKENDS:
        raise CmsConfigError(
            "cms.unknown_backend",
            path=str(path),
            name=str(settings["backend"].get("name")),
            allowed=", ".join(BACKENDS),
        )
    return settings


def config_text(settings: dict[str, Any], messages: Messages | None = None) -> str:
    return _config_text(json.dumps(settings), messages or load_messages())  # JSON keeps the order: the key and the text


@lru_cache(maxsize=8)  # the same settings every build: `tiepcan serve` rebuilds often, in one process
def _config_text(settings: str, messages: Messages) -> str:
    header = "# " + messages.text("cms.generated") + "\n"
    config = decap_config(json.loads(settings), messages)
    return header + yaml.safe_dump(config, allow_unicode=True, sort_keys=False, width=120)


def write_config(root: Path) -> Path:
    """admin/config.yml in the repository (`tiepcan schema`): the form as reviewers see it."""
    target = root / GENERATED
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(config_text(load_settings(root / CMS_CONFIG)), encoding="utf-8")
    return target


def _page(messages: Messages) -> str:
    """The admin page: one external script, nothing inline, nothing from another host."""
    return f"""<!doctype html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>{html.escape(messages.text("cms.title"))}</title>
</head>
<body>
<noscript>{html.escape(messages.text("cms.noscript"))}</noscript>
<script src="decap-cms.js"></script>
</body>
</html>
"""


def vendored() -> bool:
    return (DECAP_DIST / "decap-cms.js").is_file()


def write_admin(writer: BundleWriter, settings: dict[str, Any], messages: Messages) -> bool:
    """site/admin/: Decap's files, the page and config.yml. False (and nothing written) when Decap
    is not installed (no npm): the rest of the site is built as usual."""
    if not vendored():
        return False
    for pattern in _VENDORED:
        for source in sorted(DECAP_DIST.glob(pattern)):
            writer.copy(f"{ADMIN}/{source.name}", source, "cms")
    writer.write(f"{ADMIN}/{layout.DIRECTORY_INDEX}", _page(messages), "cms")
    writer.write(f"{ADMIN}/config.yml", config_text(settings, messages), "cms")
    return True
