"""Durable timers of the sales service: timer kind -> handler (see services/core/timers.py)."""

from __future__ import annotations

from collections.abc import Callable

from services.sales import handover, tasks

TIMERS: dict[str, Callable] = {}

# sales.commitment.{at_risk,overdue}: the delivery commitments' alerts (R-SALES-4).
TIMERS.update(handover.TIMERS)
# sales.task.reminder: a task's reminder, task.due (services/sales/tasks.py).
TIMERS.update(tasks.TIMERS)
