"""Events the support service consumes: none yet. It publishes ticket.opened (see tickets.py)."""

from __future__ import annotations

from services.core.consumers import Consumer

CONSUMERS: list[Consumer] = []
