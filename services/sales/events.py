"""Events the sales service consumes: none yet. It publishes account.created (see accounts.py)."""

from __future__ import annotations

from services.core.consumers import Consumer

CONSUMERS: list[Consumer] = []
