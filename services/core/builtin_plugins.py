"""Built-in implementations, registered through the same entry point as third-party plugins.

They are the fallback whenever a tenant's chosen plugin fails. Domain issues replace these simple models with
the real ones (lead scoring) without changing the contract.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from services.core.hookspecs import Comparison, hookimpl


@hookimpl
def crm_compare(field_name: str, left: str, right: str, settings: Mapping[str, Any]) -> Comparison | None:
    """No opinion: the identity service's own comparators (services/identity/matching) decide."""
    return None


@hookimpl
def crm_assign_lead(
    lead: Mapping[str, Any], candidates: Sequence[Mapping[str, Any]], settings: Mapping[str, Any]
) -> str | None:
    """No opinion: the tenant's ordered assignment rules (services/leads/assignment.py) decide."""
    return None
