"""Paths and names shared by the deployment tests (own module: never clashes with another conftest)."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CHART_DIR = REPO / "deploy" / "helm" / "crm"
RELEASE = "crm"
NAMESPACE = "crm-test"
