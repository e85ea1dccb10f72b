"""Console pages: dashboard (being built)."""

from __future__ import annotations

from flask import Blueprint

blueprint = Blueprint("dashboard", __name__, template_folder="../templates")
