"""Durable timers of the leads service: timer kind -> handler (see services/core/timers.py).

Each area registers its handlers under its own marker.
"""

from __future__ import annotations

from collections.abc import Callable

TIMERS: dict[str, Callable] = {}

# --- scoring and behaviour -------------------------------------------------------------------------------------

# --- assignment, reps and public pool --------------------------------------------------------------------------

# --- follow-ups and reminders ----------------------------------------------------------------------------------
