"""Events the marketing service consumes: privacy.requested (privacy.py). It publishes consent.changed (see consent.py)
and privacy.step_completed."""

from __future__ import annotations

from services.core.consumers import Consumer
from services.marketing import privacy

CONSUMERS: list[Consumer] = [privacy.CONSUMER]  # export or erase a person's data (R-SEC-5)
