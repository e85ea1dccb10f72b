"""What every console page needs: the services as the logged-in person, and gRPC errors as page messages."""

from __future__ import annotations

import grpc
from flask import current_app, flash

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
