"""Console pages: sales (being built)."""

from __future__ import annotations

from flask import Blueprint

blueprint = Blueprint("sales", __name__, template_folder="../templates")
