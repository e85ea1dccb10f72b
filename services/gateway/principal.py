"""Who is asking, in which language, and how the gateway calls the services on their behalf.

Every request is authenticated once, before routing: an API key (`Authorization: Bearer crm_...` or
`X-API-Key`) for integrations, else the session cookie of a person who finished login and 2FA. The result is
`g.principal`; the services learn it from a short-lived caller token the gateway mints, so the services'
role and ownership rules hold for people and integrations alike (R-SEC-2).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

import grpc
from flask import g, redirect, request, url_for

from crm.analytics.v1 import analytics_pb2_grpc
from crm.identity.v1 import identity_pb2_grpc
from crm.leads.v1 import leads_pb2_grpc
from crm.marketing.v1 import marketing_pb2_grpc
from crm.sales.v1 import sales_pb2_grpc
from crm.support.v1 import support_pb2_grpc
from services.core.auth import mint_token
from services.core.client import DEFAULT_TIMEOUT_SECONDS, open_channel
from services.core.i18n import DEFAULT_LOCALE, SUPPORTED_LOCALES, Text, negotiate
from services.core.settings import Settings

SESSION_COOKIE = "crm_session"
LOCALE_COOKIE = "crm_lang"
CALLER_TOKEN_TTL_SECONDS = 120

STUBS = {
    "identity": identity_pb2_grpc.IdentityServiceStub,
    "leads": leads_pb2_grpc.LeadsServiceStub,
    "sales": sales_pb2_grpc.SalesServiceStub,
    "support": support_pb2_grpc.SupportServiceStub,
    "marketing": marketing_pb2_grpc.MarketingServiceStub,
    "analytics": analytics_pb2_grpc.AnalyticsServiceStub,
}


@dataclass(frozen=True)
class Principal:
    tenant_id: str
    subject: str  # the employee id of a person; "api:<name>" (or the key's chosen subject) for an API key
    roles: tuple[str, ...]
    kind: str  # "user" (browser session) or "api_key"
    display_name: str
    user_id: str | None = None  # the gateway's user row, for people

    def has_any_role(self, *roles: str) -> bool:
        return bool(set(self.roles).intersection(roles))


def current_principal() -> Principal | None:
    return g.get("principal")


def current_locale() -> str:
    return g.get("locale") or DEFAULT_LOCALE


def choose_locale(user_locale: str | None = None) -> str:
    """The user's explicit choice (cookie, then profile), else the browser's Accept-Language."""
    chosen = request.cookies.get(LOCALE_COOKIE) or user_locale
    if chosen in SUPPORTED_LOCALES:
        return chosen
    return negotiate(request.headers.get("Accept-Language"))


def gettext(msgid: str, **params: object) -> str:
    """`_("...")` in templates: the message in the request's language (msgids are checked by test_i18n)."""
    return Text(msgid, params).localized(current_locale())


def login_required(view: Callable) -> Callable:
    """A console page: people only, after login and 2FA; anyone else goes to the login page."""

    @wraps(view)
    def wrapper(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        principal = current_principal()
        if principal is None or principal.kind != "user":
            return redirect(url_for("web_auth.login", next=request.full_path.rstrip("?")))
        return view(*args, **kwargs)

    return wrapper


class Backends:
    """Typed stubs of the six services on one shared channel each, carrying the current principal's caller
    token, the request's language and a deadline on every call."""

    def __init__(self, settings: Settings, timeout: float = DEFAULT_TIMEOUT_SECONDS):
        self.settings = settings
        self.timeout = timeout
        self._stubs: dict[str, object] = {}
        self._lock = threading.Lock()

    def __call__(self, service: str):  # noqa: ANN204 - returns the service's generated stub type
        stub = self._stubs.get(service)
        if stub is None:
            with self._lock:
                stub = self._stubs.get(service)
                if stub is None:
                    channel = grpc.intercept_channel(open_channel(self.settings.addr_of(service)),
                                                     _RequestCredentials(self))
                    stub = self._stubs[service] = STUBS[service](channel)
        return stub

    def caller_token(self) -> str:
        token = g.get("caller_token")
        if token is None:
            principal = current_principal()
            if principal is None:
                raise PermissionError("no principal: authenticate the request before calling a service")
            token = g.caller_token = mint_token(
                self.settings.token_key, tenant_id=principal.tenant_id, subject=principal.subject, kind="user",
                roles=principal.roles, ttl_seconds=CALLER_TOKEN_TTL_SECONDS,
            )
        return token

    def close(self) -> None:
        self._stubs.clear()


class _RequestCredentials(grpc.UnaryUnaryClientInterceptor, grpc.UnaryStreamClientInterceptor,
                          grpc.StreamUnaryClientInterceptor):
    def __init__(self, backends: Backends):
        self.backends = backends

    def _details(self, details):  # noqa: ANN001, ANN202
        metadata = [m for m in (details.metadata or []) if m[0] not in ("authorization", "accept-language")]
        metadata.append(("authorization", f"Bearer {self.backends.caller_token()}"))
        metadata.append(("accept-language", current_locale().replace("_", "-")))
        return details._replace(metadata=metadata, timeout=details.timeout or self.backends.timeout)

    def intercept_unary_unary(self, continuation, client_call_details, request):  # noqa: ANN001, ANN201
        return continuation(self._details(client_call_details), request)

    def intercept_unary_stream(self, continuation, client_call_details, request):  # noqa: ANN001, ANN201
        return continuation(self._details(client_call_details), request)

    def intercept_stream_unary(self, continuation, client_call_details, request_iterator):  # noqa: ANN001, ANN201
        return continuation(self._details(client_call_details), request_iterator)
