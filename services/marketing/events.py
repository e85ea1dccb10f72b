"""Events the marketing service consumes: none yet. It publishes consent.changed (see consent.py)."""

from __future__ import annotations

from services.core.consumers import Consumer

CONSUMERS: list[Consumer] = []
