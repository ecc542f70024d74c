"""The model is the single source of truth: the committed schema and field docs must match it."""

from __future__ import annotations

import json
from pathlib import Path

from generator.load import load_file
from generator.model import Agency
from generator.schema import fields_markdown, json_schema, schema_text
from generator.validate import discover

ROOT = Path(__file__).resolve().parent.parent


def test_committed_schema_matches_the_models():
    committed = (ROOT / "schema" / "agency.schema.json").read_text(encoding="utf-8")
    assert committed == schema_text(), "run `tiepcan schema` and commit schema/agency.schema.json"


def test_committed_field_reference_matches_the_models():
    committed = (ROOT / "docs" / "fields.md").read_text(encoding="utf-8")
    assert committed == fields_markdown(), "run `tiepcan schema` and commit docs/fields.md"


def test_schema_is_draft_07_with_vietnamese_help_for_every_field():
    schema = json_schema()
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"
    assert "$defs" not in json.dumps(schema)
    for name in Agency.model_fields:
        assert schema["properties"][name].get("title"), name
    for definition in schema["definitions"].values():
        for name, prop in definition["properties"].items():
            assert prop.get("title") or prop.get("$ref"), name
    assert all(name in fields_markdown() for name in Agency.model_fields)


def test_demo_files_name_the_schema_for_their_editor():
    for path in discover([ROOT / "agencies"]):
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first == "# yaml-language-server: $schema=../schema/agency.schema.json", path


def test_the_schema_accepts_the_demo_files_and_rejects_what_the_model_rejects():
    import jsonschema

    validator = jsonschema.Draft7Validator(json_schema(), format_checker=jsonschema.FormatChecker())
    for path in discover([ROOT / "agencies"]):
        data = json.loads(json.dumps(load_file(path).data, default=str))  # YAML dates are strings to the editor
        assert list(validator.iter_errors(data)) == [], path
    bad = {"id": "X", "name": "", "kind": "bo", "address": "a", "email": "khong-phai-email",
           "contact_point": {"unit": "u", "request_email": "a@b.vn"}, "adress": 1}
    fields = {tuple(e.absolute_path)[:1] or (e.validator,) for e in validator.iter_errors(bad)}
    assert {("id",), ("name",), ("kind",), ("email",), ("additionalProperties",)} <= fields
