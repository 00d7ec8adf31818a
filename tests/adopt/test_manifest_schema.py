"""The manifest's JSON Schema in the repo is the model's, every field is described, and
README documents every field."""

from __future__ import annotations

import json
import re
from pathlib import Path

from upgrader.manifest.schema import DOCS, json_schema

ROOT = Path(__file__).resolve().parents[2]


def test_committed_schema_is_the_models():
    committed = json.loads((ROOT / "schemas" / "manifest.schema.json").read_text())
    assert committed == json_schema(), "regenerate: python -m upgrader.manifest.schema > schemas/manifest.schema.json"


def test_every_field_is_described_in_the_schema_and_readme():
    schema = json_schema()
    models = {"Manifest": schema, **schema["$defs"]}
    assert set(models) == set(DOCS)
    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("### The manifest"):]
    section = section[: section.index("\n## ")]
    for name, model in models.items():
        for field, prop in model["properties"].items():
            assert prop["description"], (name, field)
            assert re.search(rf"`{re.escape(field)}`", section), f"README's manifest section does not document {name}.{field}"


def test_address_fields_carry_the_pattern():
    ref = json_schema()["$defs"]["ProxyRecord"]["properties"]
    assert ref["address"]["pattern"] == "^0x[0-9a-fA-F]{40}$"
    assert ref["beacon_proxies"]["items"]["pattern"] == "^0x[0-9a-fA-F]{40}$"
    assert any(s.get("pattern") for s in ref["governor"]["anyOf"])
