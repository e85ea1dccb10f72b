"""Events the support service consumes: privacy.requested (privacy.py). It publishes ticket.opened (see tickets.py)."""

from __future__ import annotations

from services.core.consumers import Consumer
from services.support import privacy

CONSUMERS: list[Consumer] = [privacy.CONSUMER]  # export or erase a person's data (R-SEC-5)
