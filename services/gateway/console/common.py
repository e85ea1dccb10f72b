"""What every console page needs: the services as the logged-in person, and gRPC errors as page messages."""

from __future__ import annotations

import contextlib
import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import grpc
from flask import current_app, flash, g, request

from services.gateway.problems import field_violations, http_status_of, message_of


def backend(service: str):  # noqa: ANN201 - the service's generated stub
    """`backend("leads").ListLeads(request)`: the call carries the person's caller token and language."""
    return current_app.extensions["crm.backends"](service)


def flash_error(error: grpc.RpcError) -> int:
    """Show a failed call's message (and its field violations) at the top of the next page; the HTTP status."""
    violations = field_violations(error)
    if violations:
        for violation in violations:
            flash(f"{violation['field']}: {violation['message']}", "error")
    else:
        flash(message_of(error), "error")
    return http_status_of(error)


def errors_by_field(error: grpc.RpcError) -> dict[str, str]:
    """Field violations keyed by field, for a form shown again with its values; "" holds the overall message."""
    found = {v["field"]: v["message"] for v in field_violations(error)}
    return found or {"": message_of(error)}


ZONE_COOKIE = "crm_tz"  # the browser's IANA time zone, set by static/console.js on every page
DEFAULT_ZONE = "Asia/Shanghai"  # the tenant's day defaults to it too (pool settings)


def display_zone() -> ZoneInfo:
    """The browser's zone (cookie) when it is a real IANA zone; else the default."""
    zone = g.get("display_zone")
    if zone is None:
        name = request.cookies.get(ZONE_COOKIE, "")
        zone = ZoneInfo(DEFAULT_ZONE)
        if name and re.fullmatch(r"[A-Za-z0-9_+\-]+(/[A-Za-z0-9_+\-]+){0,2}", name):
            with contextlib.suppress(ZoneInfoNotFoundError, ValueError, OSError):
                zone = ZoneInfo(name)
        g.display_zone = zone
    return zone


def stamp(message, name: str) -> datetime | None:  # noqa: ANN001 - any proto message
    """A Timestamp field as an aware datetime in the person's zone; None when unset."""
    if not message.HasField(name):
        return None
    return getattr(message, name).ToDatetime(tzinfo=UTC).astimezone(display_zone())


def when(message, name: str, fmt: str = "%Y-%m-%d %H:%M") -> str:  # noqa: ANN001
    """A Timestamp field in the person's zone, formatted; "" when unset."""
    moment = stamp(message, name)
    return moment.strftime(fmt) if moment else ""
