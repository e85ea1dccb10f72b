"""What every bus implementation offers, and the retry policy they share."""

from __future__ import annotations

import abc
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from services.core.events import MalformedEvent
from services.core.metrics import EVENTS_CONSUMED

log = logging.getLogger("crm.bus")

# Applies one message and returns its event type, or "" when it had been applied before (a duplicate).
# Raises MalformedEvent for a message no retry can fix, DatabaseUnavailable when the consumer's own database is out
# of reach (the message is not at fault: it waits, see below); any other exception means "retry later".
MessageHandler = Callable[[bytes], str]
# Applies several messages at once (one transaction when it can); one result per message, in order: the event
# type, "" for a duplicate, or the exception that message raised. A MessageHandler may offer one as
# `.apply_batch`; otherwise messages are applied one by one.
BatchHandler = Callable[[Sequence[bytes]], list["str | Exception"]]

ATTEMPT_HEADER = "x-crm-attempt"
ERROR_HEADER = "x-crm-error"
QUEUE_HEADER = "x-crm-queue"
ROUTING_KEY_HEADER = "x-crm-routing-key"


class DatabaseUnavailable(Exception):
    """The consumer's database did not answer. The message is not at fault, so it uses up none of its retries: the
    bus holds it and tries again after a pause (WAIT_PAUSES) until the database is back. Counted as a retry, a
    failover or restart longer than the retry schedule would dead-letter every event in flight (ADR 0027)."""


# Pauses between tries while the database is unavailable: short at first (a dropped connection is usually back at
# once), then a steady probe; the last one repeats.
WAIT_PAUSES = (0.5, 1.0, 2.0, 5.0)


def wait_pause(tries: int) -> float:
    """The pause after `tries` (1-based) tries in a row found the database unavailable."""
    return WAIT_PAUSES[min(tries, len(WAIT_PAUSES)) - 1]


@dataclass(frozen=True)
class OutboundMessage:
    routing_key: str
    body: bytes
    message_id: str
    tenant_id: str


@dataclass(frozen=True)
class RetryPolicy:
    """Back-off delays before each retry; a message that failed them all goes to the dead-letter queue."""

    delays: tuple[float, ...]

    def delay_before(self, attempt: int) -> float | None:
        """The wait before retry number `attempt` (1-based), or None when retries are exhausted."""
        return self.delays[attempt - 1] if 1 <= attempt <= len(self.delays) else None


@dataclass
class DeadLetter:
    message_id: str
    routing_key: str
    queue: str
    attempts: int
    error: str
    body: bytes = field(repr=False)


@dataclass(frozen=True)
class Subscription:
    queue: str
    routing_keys: tuple[str, ...]
    handler: MessageHandler

    def apply_batch(self, bodies: Sequence[bytes]) -> list[str | Exception]:
        batch = getattr(self.handler, "apply_batch", None)
        if batch is not None:
            return batch(bodies)
        results: list[str | Exception] = []
        for body in bodies:
            try:
                results.append(self.handler(body))
            except Exception as exc:  # noqa: BLE001 - reported per message
                results.append(exc)
        return results


class Outcome:
    """What happened to one delivery; decided once here so both buses count and route alike."""

    def __init__(self, subscription: Subscription, policy: RetryPolicy):
        self.subscription = subscription
        self.policy = policy

    def apply(self, body: bytes, attempt: int) -> tuple[str, float | None, str]:
        """Run the handler on one message: (outcome, retry delay, error text)."""
        return self.apply_batch([body], [attempt])[0]

    def apply_batch(self, bodies: Sequence[bytes], attempts: Sequence[int]) -> list[tuple[str, float | None, str]]:
        """Run the handler on several messages: per message (outcome, retry delay, error text). The outcome is "ok",
        "retry" (after the delay), "dead_letter", or "wait": the database is unavailable, so the bus holds the message
        and tries it again, as the same attempt, after a wait_pause()."""
        queue = self.subscription.queue
        decided = []
        for result, attempt in zip(self.subscription.apply_batch(bodies), attempts, strict=True):
            if isinstance(result, DatabaseUnavailable):
                EVENTS_CONSUMED.labels(queue, "unknown", "wait").inc()
                decided.append(("wait", None, str(result)))
            elif isinstance(result, MalformedEvent):
                log.warning("malformed message on %s sent to dead-letter queue: %s", queue, result)
                EVENTS_CONSUMED.labels(queue, "unknown", "dead_letter").inc()
                decided.append(("dead_letter", None, str(result)))
            elif isinstance(result, Exception):
                delay = self.policy.delay_before(attempt + 1)
                outcome = "retry" if delay is not None else "dead_letter"
                log.warning("handler on %s failed (attempt %d, %s): %s", queue, attempt + 1, outcome, result,
                            exc_info=result)
                EVENTS_CONSUMED.labels(queue, "unknown", outcome).inc()
                decided.append((outcome, delay, f"{type(result).__name__}: {result}"[:1000]))
            else:
                EVENTS_CONSUMED.labels(queue, result or "unknown", "ok" if result else "duplicate").inc()
                decided.append(("ok", None, ""))
        return decided


class Bus(abc.ABC):
    def __init__(self, policy: RetryPolicy):
        self.policy = policy
        self.subscriptions: list[Subscription] = []

    def subscribe(self, queue: str, routing_keys: Sequence[str], handler: MessageHandler) -> None:
        """Register a consumer before start(): the bus owns the queue, its retries and its dead letters."""
        self.subscriptions.append(Subscription(queue, tuple(routing_keys), handler))

    @abc.abstractmethod
    def publish(self, messages: Sequence[OutboundMessage]) -> None:
        """Publish and return once the broker has confirmed every message; raise if it has not."""

    @abc.abstractmethod
    def start(self) -> None: ...

    @abc.abstractmethod
    def stop(self) -> None: ...

    @abc.abstractmethod
    def check(self) -> None:
        """Raise if the broker cannot be reached; refresh queue-depth gauges."""

    @abc.abstractmethod
    def dead_letters(self, queue: str, limit: int = 100) -> list[DeadLetter]:
        """The messages in `queue`'s dead-letter queue, left in place."""

    @abc.abstractmethod
    def replay_dead_letters(self, queue: str, message_ids: Sequence[str] | None = None) -> int:
        """Move dead letters (all, or those named) back to `queue` for another try; returns how many."""
