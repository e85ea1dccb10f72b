"""The RabbitMQ bus's batching (ADR 0020): a publish of several messages waits once for the broker's confirms of all
of them, and while messages arrive faster than one per batch, a consumer lets a batch that has begun fill up for a
few milliseconds, so that messages arriving together share one transaction and one ack."""

from __future__ import annotations

import threading
import time

import pytest

from services.core.bus.base import OutboundMessage, RetryPolicy
from services.core.bus.rabbit import RabbitBus
from tests.integration.helpers import eventually

pytestmark = pytest.mark.integration


class Recorder:
    """A message handler with apply_batch: records the batches it was given."""

    def __init__(self):
        self.batches: list[list[bytes]] = []
        self.lock = threading.Lock()

    def __call__(self, body: bytes) -> str:
        return self.apply_batch([body])[0]

    def apply_batch(self, bodies):  # noqa: ANN001, ANN201
        with self.lock:
            self.batches.append(list(bodies))
        return ["test.batched"] * len(bodies)

    def received(self) -> list[bytes]:
        with self.lock:
            return [body for batch in self.batches for body in batch]


def _bus(amqp_url: str, coalesce_seconds: float, recorder: Recorder) -> RabbitBus:
    bus = RabbitBus(amqp_url, RetryPolicy((1.0,)), coalesce_seconds=coalesce_seconds)
    bus.subscribe("test.batching", ["test.batched"], recorder)
    bus.start()
    return bus


def test_a_publish_of_many_messages_is_confirmed_and_delivered_in_order(amqp_url):
    recorder = Recorder()
    bus = _bus(amqp_url, 0.0, recorder)
    try:
        eventually(lambda: bus.check() or True, what="queue declared")
        bodies = [f"m{number}".encode() for number in range(200)]
        bus.publish([OutboundMessage("test.batched", body, f"id-{index}", "t1") for index, body in enumerate(bodies)])
        eventually(lambda: len(recorder.received()) == len(bodies), what="every message delivered")
        assert recorder.received() == bodies
        bus.publish([OutboundMessage("test.batched", b"after", "id-after", "t1")])  # the channel goes on
        eventually(lambda: recorder.received()[-1:] == [b"after"], what="a later publish")
    finally:
        bus.stop()


def test_messages_that_arrive_within_the_window_after_a_burst_are_applied_as_one_batch(amqp_url):
    recorder = Recorder()
    bus = _bus(amqp_url, 0.5, recorder)
    publisher = RabbitBus(amqp_url, RetryPolicy((1.0,)))
    try:
        eventually(lambda: bus.check() or True, what="queue declared")
        burst = [OutboundMessage("test.batched", f"b{number}".encode(), f"b-{number}", "t1") for number in range(200)]
        publisher.publish(burst)  # arrive together: at least one batch of several, so the consumer gathers
        eventually(lambda: len(recorder.received()) == 200, what="the burst")
        assert max(len(batch) for batch in recorder.batches) > 1
        recorder.batches.clear()
        for number in range(3):  # three separate publishes, 50 ms apart: within one 500 ms window
            publisher.publish([OutboundMessage("test.batched", f"w{number}".encode(), f"w-{number}", "t1")])
            time.sleep(0.05)
        eventually(lambda: len(recorder.received()) == 3, what="the three messages")
        assert recorder.batches == [[b"w0", b"w1", b"w2"]]
    finally:
        publisher.stop()
        bus.stop()


def test_a_lone_message_on_a_quiet_queue_is_applied_without_waiting_for_the_window(amqp_url):
    recorder = Recorder()
    bus = _bus(amqp_url, 30.0, recorder)  # a window far longer than the wait below
    publisher = RabbitBus(amqp_url, RetryPolicy((1.0,)))
    try:
        eventually(lambda: bus.check() or True, what="queue declared")
        for number in range(2):  # one at a time: each applied alone, at once
            publisher.publish([OutboundMessage("test.batched", f"q{number}".encode(), f"q-{number}", "t1")])
            eventually(lambda n=number: len(recorder.received()) == n + 1, timeout=10, what="applied before the window")
        assert recorder.batches == [[b"q0"], [b"q1"]]
    finally:
        publisher.stop()
        bus.stop()
