"""Prometheus metrics shared by every service (names follow go-grpc-prometheus where one exists)."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram, start_http_server

_LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)

GRPC_STARTED = Counter(
    "grpc_server_started_total", "RPCs started on the server.", ["grpc_type", "grpc_service", "grpc_method"]
)
GRPC_HANDLED = Counter(
    "grpc_server_handled_total",
    "RPCs completed on the server, regardless of success or failure.",
    ["grpc_type", "grpc_service", "grpc_method", "grpc_code"],
)
GRPC_HANDLING_SECONDS = Histogram(
    "grpc_server_handling_seconds",
    "Response latency of RPCs handled by the server.",
    ["grpc_type", "grpc_service", "grpc_method"],
    buckets=_LATENCY_BUCKETS,
)
GRPC_ABANDONED = Counter(
    "crm_grpc_abandoned",
    "RPCs whose caller went away (deadline passed, or cancelled) while the handler still ran; the handler's database"
    " statements were cancelled (ADR 0031).",
    ["grpc_service", "grpc_method"],
)
OUTBOX_BACKLOG = Gauge("crm_outbox_backlog", "Events written but not yet published.", ["service"])
OUTBOX_PUBLISHED = Counter("crm_outbox_published", "Events published from the outbox.", ["service"])
EVENTS_CONSUMED = Counter(
    "crm_events_consumed",
    "Events taken from a queue, by outcome (ok, duplicate, retry, dead_letter, or wait: held while the consumer's"
    " database is unavailable).",
    ["queue", "event_type", "outcome"],
)
CONSUMER_LAG_SECONDS = Histogram(
    "crm_consumer_lag_seconds",
    "Time from an event's occurrence to its processing by a consumer.",
    ["queue"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300),
)
CONSUMER_WAITING = Gauge(
    "crm_consumer_waiting_for_database",
    "Events a consumer holds because its database is unavailable (ADR 0027); 0 when it is applying events.",
    ["queue"],
)
QUEUE_DEPTH = Gauge("crm_queue_depth", "Messages ready in a consumer queue.", ["queue"])
DEAD_LETTER_DEPTH = Gauge("crm_dead_letter_depth", "Messages in a consumer queue's dead-letter queue.", ["queue"])
TIMERS_FIRED = Counter("crm_timers_fired", "Durable timers fired (handler committed).", ["service", "kind"])
TIMER_FAILURES = Counter(
    "crm_timer_failures", "Durable timer firings that failed and were put back with a back-off.", ["service", "kind"]
)
TIMER_LAG_SECONDS = Histogram(
    "crm_timer_lag_seconds",
    "Time from a durable timer's due time to its firing.",
    ["service"],
    buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 3600),
)
TIMER_BACKLOG = Gauge("crm_timer_backlog", "Durable timers that are due but not fired yet.", ["service"])
PLUGIN_ERRORS = Counter(
    "crm_plugin_errors", "Plugin calls that failed and fell back to the built-in.", ["hook", "plugin", "reason"]
)


def start_metrics_server(port: int) -> None:
    start_http_server(port)
