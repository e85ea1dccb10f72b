"""values.yaml documentation (`## @param`), values.schema.json coverage and the README parameters table."""

from __future__ import annotations

import importlib.util
import json

import pytest
import yaml
from chart_env import CHART_DIR, REPO

VALUES_TEXT = (CHART_DIR / "values.yaml").read_text()
VALUES = yaml.safe_load(VALUES_TEXT)
SCHEMA = json.loads((CHART_DIR / "values.schema.json").read_text())


def _load_tool():
    spec = importlib.util.spec_from_file_location(
        "params_table", REPO / "deploy" / "helm" / "tools" / "params_table.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


params_table = _load_tool()
DOCUMENTED = {path for _, params in params_table.parse(VALUES_TEXT) for path, _ in params}


def leaves(node, prefix=""):
    """Paths of every value; empty maps and all lists count as leaves."""
    if isinstance(node, dict) and node:
        for key, value in node.items():
            yield from leaves(value, f"{prefix}.{key}" if prefix else key)
    else:
        yield prefix


def resolve(schema: dict, node: dict) -> dict:
    while "$ref" in node:
        node = SCHEMA["$defs"][node["$ref"].rsplit("/", 1)[-1]]
    return node


def schema_at(path: str) -> dict:
    node = SCHEMA
    for key in path.split("."):
        node = resolve(SCHEMA, node)
        props = node.get("properties", {})
        if key in props:
            node = props[key]
        elif isinstance(node.get("additionalProperties"), dict):
            node = node["additionalProperties"]
        else:
            raise KeyError(f"{path}: no schema for {key!r}")
    return resolve(SCHEMA, node)


@pytest.mark.parametrize("path", sorted(leaves(VALUES)))
def test_every_value_is_documented(path):
    parts = path.split(".")
    ancestors = {".".join(parts[:i]) for i in range(1, len(parts) + 1)}
    assert ancestors & DOCUMENTED, f"{path} has no `## @param` (nor has any parent)"


@pytest.mark.parametrize("path", sorted(DOCUMENTED))
def test_every_param_exists(path):
    params_table.lookup(VALUES, path)


@pytest.mark.parametrize("path", sorted(DOCUMENTED))
def test_every_param_is_in_the_schema(path):
    assert schema_at(path)


def test_top_level_and_components_are_closed():
    assert SCHEMA["additionalProperties"] is False
    assert set(SCHEMA["properties"]) - {"global"} == set(VALUES)
    assert SCHEMA["$defs"]["component"]["additionalProperties"] is False
    component_keys = set(SCHEMA["$defs"]["component"]["properties"])
    assert set(VALUES["serviceDefaults"]) | {"enabled"} == component_keys
    assert set(SCHEMA["properties"]["services"]["properties"]) == set(VALUES["services"])


def test_readme_parameters_table_is_current():
    readme = (CHART_DIR / "README.md").read_text()
    expected = params_table.render_readme(readme, VALUES_TEXT)
    assert readme == expected, "run: python deploy/helm/tools/params_table.py --write"
