"""The RabbitMQ consumer while its database is unavailable (ADR 0027): the deliveries that met the outage are held,
unacked and with their attempt unspent, and tried again after a pause; the others of their batch are settled."""

from __future__ import annotations

import threading
import time
import uuid

import pytest
from prometheus_client import REGISTRY

from services.core.bus import base
from services.core.bus.base import DatabaseUnavailable, OutboundMessage, RetryPolicy
from services.core.bus.rabbit import RabbitBus
from tests.integration.helpers import eventually

pytestmark = pytest.mark.integration

ROUTING_KEY = "test.outage"


class Database:
    """A message handler whose database is down (for bodies starting with b"w") while `down` is set."""

    def __init__(self):
        self.down = threading.Event()
        self.down.set()
        self.tries: list[bytes] = []
        self.applied: list[bytes] = []
        self.lock = threading.Lock()

    def __call__(self, body: bytes) -> str:
        result = self.apply_batch([body])[0]
        if isinstance(result, Exception):
            raise result
        return result

    def apply_batch(self, bodies):  # noqa: ANN001, ANN201
        results = []
        with self.lock:
            for body in bodies:
                self.tries.append(body)
                if body.startswith(b"w") and self.down.is_set():
                    results.append(DatabaseUnavailable("connection refused"))
                else:
                    self.applied.append(body)
                    results.append(ROUTING_KEY)
        return results


@pytest.fixture(autouse=True)
def short_pauses(monkeypatch):
    monkeypatch.setattr(base, "WAIT_PAUSES", (0.05, 0.1))


@pytest.fixture
def queue() -> str:
    return f"test.outage.{uuid.uuid4().hex[:8]}"


def held(queue: str) -> float:
    """What the consumer's gauge says it holds."""
    return REGISTRY.get_sample_value("crm_consumer_waiting_for_database", {"queue": queue}) or 0.0


def _consumer(amqp_url: str, queue: str, handler: Database) -> RabbitBus:
    bus = RabbitBus(amqp_url, RetryPolicy((0.2,)))  # a retry schedule far shorter than the outage
    bus.subscribe(queue, [ROUTING_KEY], handler)
    bus.start()
    eventually(lambda: bus.check() or True, what="queue declared")
    return bus


def _publish(amqp_url: str, *bodies: bytes) -> None:
    publisher = RabbitBus(amqp_url, RetryPolicy((1.0,)))
    try:
        publisher.publish([OutboundMessage(ROUTING_KEY, body, body.decode(), "t1") for body in bodies])
    finally:
        publisher.stop()


def test_held_deliveries_wait_out_the_outage_and_everything_is_acked_once_applied(amqp_url, queue):
    database = Database()
    bus = _consumer(amqp_url, queue, database)
    try:
        _publish(amqp_url, b"a", b"w1", b"b", b"w2")
        eventually(lambda: database.tries.count(b"w1") >= 5, what="w1 tried again and again")
        time.sleep(0.5)  # longer than the whole retry schedule: a retry would have dead-lettered them by now
        # Held, not dead-lettered. (Deliveries that arrived in a later batch than w1 wait behind it, "ok" or not:
        # the ack check below shows that those of w1's own batch were acked.)
        assert not [body for body in database.applied if body.startswith(b"w")]
        assert bus.dead_letters(queue) == []
        assert held(queue) >= 1
        database.down.clear()
        eventually(lambda: sorted(database.applied) == [b"a", b"b", b"w1", b"w2"], what="held deliveries applied")
        eventually(lambda: held(queue) == 0, what="nothing held")
    finally:
        bus.stop()

    # Every delivery was acked once applied: a new consumer of the queue gets only what comes next.
    after = Database()
    bus = _consumer(amqp_url, queue, after)
    try:
        _publish(amqp_url, b"next")
        eventually(lambda: after.applied == [b"next"], what="the next message")
        time.sleep(0.3)
        assert after.tries == [b"next"]
        assert bus.dead_letters(queue) == []
    finally:
        bus.stop()


def test_a_consumer_that_stops_during_the_outage_gives_its_held_deliveries_back(amqp_url, queue):
    database = Database()
    bus = _consumer(amqp_url, queue, database)
    try:
        _publish(amqp_url, b"w-held", b"a")  # "a" after it: an ack of "a" must not take "w-held" along
        eventually(lambda: database.tries.count(b"w-held") >= 2, what="the delivery held")
        assert held(queue) >= 1
    finally:
        bus.stop()
    assert b"w-held" not in database.applied
    assert held(queue) == 0  # given back with the connection

    recovered = Database()
    recovered.down.clear()
    bus = _consumer(amqp_url, queue, recovered)
    try:
        eventually(lambda: b"w-held" in recovered.applied, what="the held delivery redelivered and applied")
        time.sleep(0.3)
        # "a" was applied once: by the first consumer (same batch), or by this one (it waited behind the held batch).
        assert sorted(database.applied + recovered.applied) == [b"a", b"w-held"]
        assert bus.dead_letters(queue) == []
    finally:
        bus.stop()
