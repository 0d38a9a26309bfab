"""The documentation stays true to the schemas: every field is documented."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
FIELDS_DOC = (ROOT / "docs" / "fields.md").read_text()
DOCUMENTED = set(re.findall(r"`([a-z_]+)(?:\[\]\.([a-z_]+))?`", FIELDS_DOC))
DOCUMENTED_KEYS = {k for k, _ in DOCUMENTED} | {f"{k}.{s}" for k, s in DOCUMENTED if s}


def _fields(schema_file: str, *sections: str):
    schema = yaml.safe_load((ROOT / "schemas" / schema_file).read_text())
    for section in sections:
        for field in schema.get(section, []):
            yield field["field_name"]
            for sub in field.get("repeating_subfields", []):
                yield f"{field['field_name']}.{sub['field_name']}"


def test_every_dataset_and_resource_field_is_documented():
    missing = [
        f for f in _fields("dataset.yaml", "dataset_fields", "resource_fields") if f not in DOCUMENTED_KEYS
    ]
    assert missing == []


def test_every_organisation_field_is_documented():
    missing = [f for f in _fields("organization.yaml", "fields") if f not in DOCUMENTED_KEYS]
    assert missing == []
