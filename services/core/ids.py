"""Identifiers: UUIDv7 (time-ordered, so indexes stay compact and ids sort by creation)."""

from __future__ import annotations

import uuid6


def new_id() -> str:
    return str(uuid6.uuid7())
