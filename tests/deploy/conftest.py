"""Shared fixtures of the deployment tests: chart rendering and promtool."""

from __future__ import annotations

import shutil

import pytest
import yaml
from chart_env import CHART_DIR, NAMESPACE, RELEASE


@pytest.fixture(scope="session")
def chart():
    import helm_python

    with helm_python.Chart.load(CHART_DIR) as loaded:
        yield loaded


@pytest.fixture(scope="session")
def render(chart):
    """render(values) -> list of manifest dicts (NOTES.txt and empty documents left out)."""

    def _render(values: dict | None = None, *, name: str = RELEASE) -> list[dict]:
        rendered = chart.render(values or {}, name=name, namespace=NAMESPACE, is_install=True)
        docs: list[dict] = []
        for path, text in sorted(rendered.items()):
            if path.endswith("NOTES.txt"):
                continue
            for doc in yaml.safe_load_all(text):
                if doc:
                    doc.setdefault("__source__", path)
                    docs.append(doc)
        return docs

    return _render


@pytest.fixture(scope="session")
def render_notes(chart):
    def _notes(values: dict | None = None) -> str:
        rendered = chart.render(values or {}, name=RELEASE, namespace=NAMESPACE, is_install=True)
        return rendered[f"{chart.name}/templates/NOTES.txt"]

    return _notes


@pytest.fixture(scope="session")
def promtool() -> str:
    """promtool is required, never skipped: CI installs it (apt-get install -y prometheus)."""
    path = shutil.which("promtool")
    if path is None:
        pytest.fail("promtool not found on PATH: install it with `apt-get install -y prometheus` (Debian)")
    return path
