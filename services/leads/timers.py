"""Durable timers of the leads service: timer kind -> handler (see services/core/timers.py).

Each area registers its handlers under its own marker.
"""

from __future__ import annotations

from collections.abc import Callable

TIMERS: dict[str, Callable] = {}

# --- import --------------------------------------------------------------------------------------------------

from services.leads import importing  # noqa: E402 - each area imports its handlers under its marker

TIMERS[importing.TIMER_KIND] = importing.on_import_timer  # one chunk of an import job per firing

# --- scoring and behaviour -------------------------------------------------------------------------------------

from services.leads import scoring  # noqa: E402 - each area imports its handlers under its marker

TIMERS[scoring.FIRST_CONTACT] = scoring.on_first_contact_due

# --- assignment, reps and public pool --------------------------------------------------------------------------

from services.leads import pool  # noqa: E402 - each area imports its handlers under its marker

TIMERS.update(pool.TIMERS)  # pool.{follow_up,conversion}.{warning,reclaim}: the reclaim clocks (R-LEAD-10)

# --- follow-ups and reminders ----------------------------------------------------------------------------------

from services.leads import followups  # noqa: E402 - each area imports its handlers under its marker

TIMERS[followups.TIMER_KIND] = followups.fire_reminders
