"""gRPC serving: the kernel interceptor (metrics, caller token, deadlines, error mapping), health, reflection."""

from __future__ import annotations

import contextlib
import contextvars
import functools
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from concurrent import futures
from dataclasses import dataclass

import grpc
import jwt
from google.protobuf import any_pb2
from google.rpc import error_details_pb2, status_pb2
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection
from grpc_status import rpc_status
from sqlalchemy.exc import IntegrityError, OperationalError

from services.core.abandoned import CallAbandoned, CallWork, current_work
from services.core.auth import Caller, reset_caller, set_caller, verify_token
from services.core.errors import DomainError, InvalidArgument, Unauthenticated
from services.core.i18n import DEFAULT_LOCALE, localize, negotiate, t
from services.core.ids import new_id
from services.core.metrics import GRPC_ABANDONED, GRPC_HANDLED, GRPC_HANDLING_SECONDS, GRPC_STARTED

log = logging.getLogger("crm.grpc")

# Infrastructure services that answer without a caller token.
PUBLIC_SERVICES = frozenset(
    {"grpc.health.v1.Health", "grpc.reflection.v1alpha.ServerReflection", "grpc.reflection.v1.ServerReflection"}
)

# The health check name of the process itself, for liveness probes: SERVING whenever the server answers, whatever
# the state of the database and the broker. Those decide readiness (the overall status, ""): a dependency's outage
# makes pods unready, and restarting them would only add a restart storm and its back-off to the outage (ADR 0028).
LIVENESS = "liveness"


@dataclass(frozen=True)
class Keepalive:
    """HTTP/2 pings on the platform's gRPC connections (ADR 0030). A peer that vanished without closing its
    connection (a node lost, a partition, a hung process) is found by an unanswered ping; without one a client kept
    sending its calls into the dead connection, each failing at its deadline, until TCP gave up (about 15 minutes)."""

    time_ms: int = 20_000  # a client pings a connection that has been quiet this long, with or without calls
    timeout_ms: int = 10_000  # and closes it (then reconnects) when the ping is not answered within this

    def client_options(self) -> list[tuple[str, int]]:
        return [
            ("grpc.keepalive_time_ms", self.time_ms),
            ("grpc.keepalive_timeout_ms", self.timeout_ms),
            ("grpc.keepalive_permit_without_calls", 1),  # idle connections too: the next call finds them sound
            ("grpc.http2.max_pings_without_data", 0),  # else pinging stops after two on an idle connection
            # Any ping, also gRPC's own bandwidth probe, counts as unanswered after the same timeout. A keepalive
            # ping waits while another ping is out, which by default was given 60 s.
            ("grpc.http2.ping_timeout_ms", self.timeout_ms),
        ]

    def server_options(self) -> list[tuple[str, int]]:
        # gRPC servers answer a client that pings more often than every 5 minutes, or with no call open, with
        # GOAWAY "too_many_pings" and close the connection: the platform's servers must allow their clients' pings.
        # A quarter of our clients' interval (5 s) leaves room for timer jitter, and for clients of other makes
        # that ping every 10 s, the least grpc-java and grpc-go allow. The server pings its clients too, to let go
        # of connections whose client vanished.
        return [
            ("grpc.keepalive_permit_without_calls", 1),
            ("grpc.http2.min_ping_interval_without_data_ms", self.time_ms // 4),  # the least time between pings
            ("grpc.keepalive_time_ms", self.time_ms * 3),
            ("grpc.keepalive_timeout_ms", self.timeout_ms),
            ("grpc.http2.ping_timeout_ms", self.timeout_ms),
        ]


KEEPALIVE = Keepalive()

# The incoming call's metadata and deadline, for code that calls peers on the caller's behalf.
incoming_call: contextvars.ContextVar[grpc.ServicerContext | None] = contextvars.ContextVar(
    "crm_incoming_call", default=None
)


def _split_method(full_method: str) -> tuple[str, str]:
    _, service, method = full_method.split("/")
    return service, method


def _status_for(error: DomainError, locale: str) -> grpc.Status:
    """English in the status message and descriptions (stable for logs and programs); the caller's language in
    google.rpc.LocalizedMessage and each violation's localized_message."""
    details = []
    translated = locale != DEFAULT_LOCALE
    tag = locale.replace("_", "-")
    if isinstance(error, InvalidArgument):
        bad_request = error_details_pb2.BadRequest()
        for violation in error.violations:
            entry = bad_request.field_violations.add(field=violation.field, description=str(violation.description))
            if translated:
                entry.localized_message.locale = tag
                entry.localized_message.message = localize(violation.description, locale)
        details.append(_pack(bad_request))
    if translated:
        details.append(_pack(error_details_pb2.LocalizedMessage(locale=tag, message=_localized_message(error, locale))))
    status = status_pb2.Status(code=error.code.value[0], message=str(error.message), details=details)
    return rpc_status.to_status(status)


def _localized_message(error: DomainError, locale: str) -> str:
    # The default summary embeds English descriptions: rebuild it from the translated ones.
    if isinstance(error, InvalidArgument) and getattr(error.message, "msgid", None) == "invalid request: {summary}":
        summary = "; ".join(f"{v.field}: {localize(v.description, locale)}" for v in error.violations)
        return localize(t("invalid request: {summary}", summary=summary), locale)
    return localize(error.message, locale)


def _pack(message) -> any_pb2.Any:  # noqa: ANN001
    packed = any_pb2.Any()
    packed.Pack(message)
    return packed


def _caller_locale(context: grpc.ServicerContext) -> str:
    for key, value in context.invocation_metadata():
        if key == "accept-language":
            return negotiate(value)
    return DEFAULT_LOCALE


class KernelInterceptor(grpc.ServerInterceptor):
    """Every unary, client-streaming and server-streaming RPC: counts and times it, verifies the caller token,
    honours deadlines, maps errors."""

    def __init__(self, token_key: str):
        self.token_key = token_key
        self._callers = _VerifiedTokens()

    def intercept_service(self, continuation, handler_call_details):  # noqa: ANN001, ANN201
        handler = continuation(handler_call_details)
        if handler is None:
            return handler
        service, method = _split_method(handler_call_details.method)
        if handler.unary_unary is not None:
            make, behaviour, kind = grpc.unary_unary_rpc_method_handler, handler.unary_unary, "unary"
        elif handler.stream_unary is not None:
            # The same wrapper: the "request" is then the iterator of the client's messages.
            make, behaviour, kind = grpc.stream_unary_rpc_method_handler, handler.stream_unary, "client_stream"
        elif handler.unary_stream is not None:
            return grpc.unary_stream_rpc_method_handler(
                self._wrap_stream(handler.unary_stream, service, method),
                request_deserializer=handler.request_deserializer,
                response_serializer=handler.response_serializer,
            )
        else:
            return handler
        return make(
            self._wrap(behaviour, service, method, kind),
            request_deserializer=handler.request_deserializer,
            response_serializer=handler.response_serializer,
        )

    def _wrap(self, behaviour: Callable, service: str, method: str, kind: str = "unary") -> Callable:
        def wrapped(request, context: grpc.ServicerContext):  # noqa: ANN001, ANN202
            with self._guard(context, service, method, kind):
                return behaviour(request, context)

        return wrapped

    def _wrap_stream(self, behaviour: Callable, service: str, method: str) -> Callable:
        """A server-streaming RPC: the same guard around the whole stream, so that an error while it streams
        (a domain error before the first message, a lost database) ends it with the mapped status."""

        def wrapped(request, context: grpc.ServicerContext):  # noqa: ANN001, ANN202
            with self._guard(context, service, method, "server_stream"):
                yield from behaviour(request, context)

        return wrapped

    @contextlib.contextmanager
    def _guard(self, context: grpc.ServicerContext, service: str, method: str, kind: str) -> Iterator[None]:
        metrics = _metrics_of(kind, service, method)
        metrics.started.inc()
        started = time.perf_counter()
        code = grpc.StatusCode.OK
        call_token = incoming_call.set(context)
        caller_token = None
        work = CallWork()
        work_token = current_work.set(work)
        context.add_callback(work.call_ended)
        try:
            remaining = context.time_remaining()
            if remaining is not None and remaining <= 0:
                code = grpc.StatusCode.DEADLINE_EXCEEDED
                context.abort(code, "deadline exceeded before the call was handled")
            if service not in PUBLIC_SERVICES:
                caller_token = set_caller(self._callers.verify(self.token_key, _bearer_token(context)))
            yield
        except DomainError as error:
            code = error.code
            context.abort_with_status(_status_for(error, _caller_locale(context)))
        except IntegrityError:
            # A concurrent writer got there first (unique key): the client may retry and will see its row.
            code = grpc.StatusCode.ABORTED
            context.abort(code, "conflicting concurrent change; retry the call")
        except CallAbandoned:  # a statement refused (the caller has its answer already; `finally` counts it)
            context.abort(_ending_of_abandoned(context), _ABANDONED)
        except OperationalError:
            if work.abandoned:  # a statement cancelled
                context.abort(_ending_of_abandoned(context), _ABANDONED)
            code = grpc.StatusCode.UNAVAILABLE
            log.warning("database unavailable in %s/%s", service, method, exc_info=True)
            context.abort(code, "database unavailable; retry later")
        except Exception as error:
            if _is_abort(error, context):
                code = context.code() or grpc.StatusCode.UNKNOWN
                raise
            code = grpc.StatusCode.INTERNAL
            reference = new_id()
            log.exception("unhandled error in %s/%s (ref %s)", service, method, reference)
            context.abort(code, f"internal error (ref {reference})")
        finally:
            work.finished = True
            current_work.reset(work_token)
            if caller_token is not None:
                reset_caller(caller_token)
            incoming_call.reset(call_token)
            if work.abandoned:
                code = _ending_of_abandoned(context)
                metrics.abandoned.inc()
                log.info("%s/%s: the caller went away (%s) after %.1f s; its database work was cancelled",
                         service, method, code.name, time.perf_counter() - started)
            metrics.handled(code).inc()
            metrics.seconds.observe(time.perf_counter() - started)


class _MethodMetrics:
    """The metric children of one RPC (a labels() look-up costs a lock and a dict per call otherwise)."""

    def __init__(self, kind: str, service: str, method: str):
        self.labels = (kind, service, method)
        self.started = GRPC_STARTED.labels(kind, service, method)
        self.seconds = GRPC_HANDLING_SECONDS.labels(kind, service, method)
        self.abandoned = GRPC_ABANDONED.labels(service, method)
        self._handled: dict[grpc.StatusCode, object] = {}

    def handled(self, code: grpc.StatusCode):  # noqa: ANN201
        child = self._handled.get(code)
        if child is None:
            child = self._handled[code] = GRPC_HANDLED.labels(*self.labels, code.name)
        return child


@functools.cache
def _metrics_of(kind: str, service: str, method: str) -> _MethodMetrics:
    return _MethodMetrics(kind, service, method)


class _VerifiedTokens:
    """Caller tokens verified before, with their expiry: a client sends the same token with every call, and its
    signature and claims need checking once. An entry is used only until the token expires (then it is verified
    again, and refused); at most MAX entries (the oldest go first)."""

    MAX = 10_000

    def __init__(self):
        self._entries: OrderedDict[tuple[str, str], tuple[Caller, float]] = OrderedDict()
        self._lock = threading.Lock()

    def verify(self, key: str, token: str) -> Caller:
        cache_key = (key, token)
        entry = self._entries.get(cache_key)
        if entry is not None and time.time() < entry[1]:
            return entry[0]
        caller = verify_token(key, token)  # raises Unauthenticated for an expired or invalid token
        expires = _expiry(token)
        if expires is not None:
            with self._lock:
                self._entries[cache_key] = (caller, expires)
                while len(self._entries) > self.MAX:
                    self._entries.popitem(last=False)
        return caller


def _expiry(token: str) -> float | None:
    try:
        expires = jwt.decode(token, options={"verify_signature": False}).get("exp")
    except jwt.InvalidTokenError:
        return None
    return float(expires) if isinstance(expires, int | float) else None


_ABANDONED = "the caller went away; the call's database work was cancelled"


def _ending_of_abandoned(context: grpc.ServicerContext) -> grpc.StatusCode:
    """The status the client of an abandoned call got from gRPC itself."""
    remaining = context.time_remaining()
    return grpc.StatusCode.DEADLINE_EXCEEDED if remaining is not None and remaining <= 0 else grpc.StatusCode.CANCELLED


def _is_abort(error: Exception, context: grpc.ServicerContext) -> bool:
    # context.abort() raises a plain Exception after setting the code on the context.
    code = context.code()
    return code is not None and code != grpc.StatusCode.OK and type(error) is Exception


def _bearer_token(context: grpc.ServicerContext) -> str:
    for key, value in context.invocation_metadata():
        if key == "authorization":
            scheme, _, token = value.partition(" ")
            if scheme.lower() == "bearer" and token:
                return token.strip()
            raise Unauthenticated(t("authorization metadata must be 'Bearer <token>'"))
    raise Unauthenticated(t("no caller token: send metadata 'authorization: Bearer <token>'"))


def build_server(
    *,
    token_key: str,
    servicers: list[tuple[Callable[[object, grpc.Server], None], object]],
    service_names: list[str],
    max_workers: int = 16,
    keepalive: Keepalive = KEEPALIVE,
) -> tuple[grpc.Server, health.HealthServicer]:
    """A gRPC server with the kernel interceptor, health (NOT_SERVING until told otherwise, except LIVENESS) and
    reflection."""
    server = grpc.server(
        futures.ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="grpc"),
        interceptors=[KernelInterceptor(token_key)],
        options=[("grpc.so_reuseport", 0), *keepalive.server_options()],
    )
    for add_to_server, servicer in servicers:
        add_to_server(servicer, server)
    health_servicer = health.HealthServicer(experimental_non_blocking=True)
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    for name in ["", *service_names]:
        health_servicer.set(name, health_pb2.HealthCheckResponse.NOT_SERVING)
    health_servicer.set(LIVENESS, health_pb2.HealthCheckResponse.SERVING)
    reflection.enable_server_reflection(
        [*service_names, health.SERVICE_NAME, reflection.SERVICE_NAME], server
    )
    return server, health_servicer

