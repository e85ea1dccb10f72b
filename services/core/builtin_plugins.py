"""Built-in implementations, registered through the same entry point as third-party plugins.

They are the fallback whenever a tenant's chosen plugin fails. Domain issues replace these simple models with
the real ones (identity matching, lead scoring) without changing the contract.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from typing import Any

from services.core.hookspecs import Comparison, hookimpl


def _fold(text: str) -> str:
    # NFKC folds full-width letters and digits to half-width; casefold ignores case (R-ID-2).
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


@hookimpl
def crm_compare(field_name: str, left: str, right: str, settings: Mapping[str, Any]) -> Comparison:
    """Exact agreement after Unicode and case folding: level 1 agree, 0 disagree, -1 missing."""
    if not left or not right:
        return Comparison(level=-1, similarity=0.0)
    same = _fold(left) == _fold(right)
    return Comparison(level=1 if same else 0, similarity=1.0 if same else 0.0)
