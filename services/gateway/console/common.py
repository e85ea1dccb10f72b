"""What every console page needs: the services as the logged-in person, and gRPC errors as page messages."""

from __future__ import annotations

import contextlib
import re
from datetime import UTC, datetime
from urllib.parse import quote
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import grpc
from flask import Response, current_app, flash, g, request, url_for
from google.protobuf.timestamp_pb2 import Timestamp

from services.core.i18n import Text, localize, t
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


def paging_links(next_token: str) -> dict[str, str | None]:
    """Links to the previous and next page: the tokens seen so far travel in `trail` (opaque, comma-free)."""
    trail = [part for part in request.args.get("trail", "").split(",") if part]
    args = {key: value for key, value in request.args.items()  # never url_for's own "_external", "_scheme"...
            if key not in ("page_token", "trail") and key not in (request.view_args or {}) and key[:1] != "_"}
    current = request.args.get("page_token", "")
    previous = None
    if current:
        back = {**args, "trail": ",".join(trail[:-1])} if trail[:-1] else dict(args)
        if trail:
            back["page_token"] = trail[-1]
        previous = url_for(request.endpoint, **request.view_args, **back)
    following = None
    if next_token:
        forward = {**args, "page_token": next_token}
        if current:
            forward["trail"] = ",".join([*trail, current])
        following = url_for(request.endpoint, **request.view_args, **forward)
    return {"previous": previous, "next": following, "first": url_for(request.endpoint, **request.view_args, **args)
            if current else None}


def local_time(value: str) -> Timestamp | None:
    """A datetime-local value ("2026-09-30T09:00") in the person's zone as a Timestamp; None when unreadable."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=display_zone())
    stamp_ = Timestamp()
    stamp_.FromDatetime(moment.astimezone(UTC))
    return stamp_


def typed_time(values: dict[str, str], name: str, errors: dict[str, str]) -> Timestamp | None:
    """A form's typed date and time (the person's zone) as a Timestamp; None when empty or unreadable (then
    errors[name] says so)."""
    if not values.get(name):
        return None
    moment = local_time(values[name])
    if moment is None:
        errors[name] = say(t("is not a date and time"))
    return moment


def download(content: bytes, file_name: str, content_type: str) -> Response:
    ascii_name = re.sub(r"[^A-Za-z0-9._-]", "_", file_name) or "download"
    response = Response(content, mimetype=content_type)
    response.headers["Content-Disposition"] = (f"attachment; filename=\"{ascii_name}\"; "
                                               f"filename*=UTF-8''{quote(file_name)}")
    return response


def say(text: Text | str) -> str:
    """A message in the request's language."""
    return localize(text, g.locale)


def labels(texts: dict) -> dict:
    """{key: Text} (or {key: (Text, ...)}) -> {key: the text in the request's language}, for selects and badges."""
    return {key: say(value[0] if isinstance(value, tuple) else value) for key, value in texts.items()}
