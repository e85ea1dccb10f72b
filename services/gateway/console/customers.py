"""Console pages: customers (being built)."""

from __future__ import annotations

from flask import Blueprint

blueprint = Blueprint("customers", __name__, template_folder="../templates")
