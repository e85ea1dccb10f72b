"""Console pages: leads (being built)."""

from __future__ import annotations

from flask import Blueprint

blueprint = Blueprint("leads", __name__, template_folder="../templates")
