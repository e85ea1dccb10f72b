"""The in-process bus: AMQP topic routing, retries with back-off, dead letters and replay, metrics."""

from __future__ import annotations

import itertools
import threading
import time

import pytest

from services.core.bus import OutboundMessage, RetryPolicy, base, create_bus
from services.core.bus.base import DatabaseUnavailable
from services.core.bus.memory import MemoryBus, topic_matches
from services.core.events import MalformedEvent
from tests.unit.conftest import sample, wait_for

DELAYS = (0.01, 0.02)
_queue_numbers = itertools.count()


def queue_name(purpose: str) -> str:
    """A queue name no other test uses, so metric samples start at zero."""
    return f"unit{next(_queue_numbers)}.{purpose}.{time.monotonic_ns()}"


def consumed(queue: str, event_type: str, outcome: str) -> float:
    return sample("crm_events_consumed_total", queue=queue, event_type=event_type, outcome=outcome)


class Recorder:
    """A handler that records bodies, failing (or calling `behaviour`) as told."""

    def __init__(self, behaviour=None):
        self.bodies: list[bytes] = []
        self.times: list[float] = []
        self.behaviour = behaviour
        self.lock = threading.Lock()

    def __call__(self, body: bytes) -> str:
        with self.lock:
            self.bodies.append(body)
            self.times.append(time.monotonic())
        if self.behaviour is not None:
            return self.behaviour(body)
        return "test.event"


@pytest.fixture
def bus():
    bus = MemoryBus(RetryPolicy(DELAYS))
    yield bus
    bus.stop()


def message(body: bytes, routing_key: str = "test.event", message_id: str | None = None) -> OutboundMessage:
    return OutboundMessage(routing_key, body, message_id or body.decode(errors="replace"), "t1")


@pytest.mark.parametrize(
    ("pattern", "key", "expected"),
    [
        ("lead.created", "lead.created", True),
        ("lead.created", "lead.updated", False),
        ("lead.*", "lead.created", True),
        ("lead.*", "lead.created.v2", False),
        ("lead.*", "lead", False),
        ("*.created", "opportunity.created", True),
        ("#", "anything.at.all", True),
        ("lead.#", "lead", True),
        ("lead.#", "lead.a.b.c", True),
        ("#.won", "opportunity.won", True),
        ("#.won", "won", True),
        ("#.won", "opportunity.lost", False),
        ("a.#.z", "a.b.c.z", True),
        ("a.#.z", "a.z", True),
        ("a.#.z", "a.b.c", False),
    ],
)
def test_topic_matches(pattern, key, expected):
    assert topic_matches(pattern, key) is expected


def test_create_bus_picks_the_memory_bus_with_the_configured_delays(tmp_path):
    from services.core.settings import Settings

    settings = Settings(data_dir=tmp_path, database_url=None, bus_url="memory://", token_key="k" * 40,
                        grpc_port=None, metrics_port=0, http_port=0, log_level="INFO",
                        retry_delays_seconds=(0.5, 2.0))
    bus = create_bus(settings)
    assert isinstance(bus, MemoryBus)
    assert bus.policy.delays == (0.5, 2.0)


def test_retry_policy():
    policy = RetryPolicy((1.0, 5.0))
    assert [policy.delay_before(n) for n in (0, 1, 2, 3)] == [None, 1.0, 5.0, None]


def test_publish_routes_only_to_bound_queues(bus):
    leads, identity, everything = Recorder(), Recorder(), Recorder()
    bus.subscribe(queue_name("leads"), ["lead.*"], leads)
    bus.subscribe(queue_name("identity"), ["identity.resolved"], identity)
    bus.subscribe(queue_name("all"), ["#"], everything)
    bus.start()

    bus.publish([message(b"1", "lead.created"), message(b"2", "identity.resolved"), message(b"3", "sales.won")])

    wait_for(lambda: len(everything.bodies) == 3)
    wait_for(lambda: leads.bodies and identity.bodies)
    time.sleep(0.05)
    assert leads.bodies == [b"1"]
    assert identity.bodies == [b"2"]
    assert everything.bodies == [b"1", b"2", b"3"]


def test_publish_before_start_fails_and_check_reports_it():
    bus = MemoryBus(RetryPolicy(DELAYS))
    with pytest.raises(ConnectionError):
        bus.publish([message(b"x")])
    with pytest.raises(ConnectionError):
        bus.check()
    bus.start()
    bus.check()
    bus.stop()
    with pytest.raises(ConnectionError):
        bus.check()


def test_failing_handler_is_retried_with_back_off_then_dead_lettered(bus):
    def fail(body: bytes) -> str:
        raise ValueError("database said no")

    handler = Recorder(fail)
    queue = queue_name("failing")
    bus.subscribe(queue, ["test.#"], handler)
    bus.start()

    bus.publish([message(b"poison", message_id="m-1")])

    [letter] = wait_for(lambda: bus.dead_letters(queue))
    assert len(handler.bodies) == len(DELAYS) + 1
    gaps = [later - earlier for earlier, later in itertools.pairwise(handler.times)]
    assert all(gap >= delay * 0.9 for gap, delay in zip(gaps, DELAYS, strict=True))
    assert letter.message_id == "m-1"
    assert letter.queue == queue
    assert letter.routing_key == "test.event"
    assert letter.attempts == len(DELAYS) + 1
    assert letter.body == b"poison"
    assert "ValueError: database said no" in letter.error
    assert consumed(queue, "unknown", "retry") == len(DELAYS)
    assert consumed(queue, "unknown", "dead_letter") == 1


def test_handler_that_recovers_is_not_dead_lettered(bus):
    def flaky(body: bytes) -> str:
        if len(handler.bodies) < 2:
            raise ConnectionError("transient")
        return "test.event"

    handler = Recorder(flaky)
    queue = queue_name("flaky")
    bus.subscribe(queue, ["test.event"], handler)
    bus.start()

    bus.publish([message(b"x")])

    wait_for(lambda: consumed(queue, "test.event", "ok") == 1)
    assert len(handler.bodies) == 2
    assert consumed(queue, "unknown", "retry") == 1
    assert bus.dead_letters(queue) == []


def test_an_unavailable_database_holds_the_message_without_spending_its_retries(bus, monkeypatch):
    monkeypatch.setattr(base, "WAIT_PAUSES", (0.01, 0.02))
    outage = len(DELAYS) + 3  # more tries than the retry schedule has attempts

    def database_down(body: bytes) -> str:
        if len(handler.bodies) <= outage:
            raise DatabaseUnavailable("connection refused")
        return "test.event"

    handler = Recorder(database_down)
    queue = queue_name("outage")
    bus.subscribe(queue, ["test.event"], handler)
    bus.start()

    bus.publish([message(b"held")])

    wait_for(lambda: consumed(queue, "test.event", "ok") == 1)
    assert handler.bodies == [b"held"] * (outage + 1)
    assert consumed(queue, "unknown", "wait") == outage
    assert consumed(queue, "unknown", "retry") == 0
    assert bus.dead_letters(queue) == []
    gaps = [later - earlier for earlier, later in itertools.pairwise(handler.times)]
    assert min(gaps[1:]) >= 0.02 * 0.9  # the last pause repeats


def test_malformed_event_goes_straight_to_dead_letters(bus):
    def malformed(body: bytes) -> str:
        raise MalformedEvent("not an envelope")

    handler = Recorder(malformed)
    queue = queue_name("malformed")
    bus.subscribe(queue, ["test.event"], handler)
    bus.start()

    bus.publish([message(b"junk", message_id="m-junk")])

    [letter] = wait_for(lambda: bus.dead_letters(queue))
    time.sleep(sum(DELAYS) * 3)
    assert len(handler.bodies) == 1  # no retry could fix it
    assert letter.attempts == 1
    assert "not an envelope" in letter.error
    assert consumed(queue, "unknown", "dead_letter") == 1
    assert consumed(queue, "unknown", "retry") == 0


def test_a_bad_message_does_not_block_later_good_ones(bus):
    def behaviour(body: bytes) -> str:
        if body == b"bad":
            raise RuntimeError("cannot apply")
        return "test.event"

    handler = Recorder(behaviour)
    queue = queue_name("mixed")
    bus.subscribe(queue, ["test.event"], handler)
    bus.start()

    bus.publish([message(b"bad"), message(b"good-1"), message(b"good-2")])

    wait_for(lambda: bus.dead_letters(queue))
    assert consumed(queue, "test.event", "ok") == 2
    timeline = list(zip(handler.bodies, handler.times, strict=True))
    good_done = max(t for body, t in timeline if body.startswith(b"good"))
    bad_attempts = [t for body, t in timeline if body == b"bad"]
    assert len(bad_attempts) == len(DELAYS) + 1
    # Good messages were applied while the bad one waited for its first retry.
    assert good_done < bad_attempts[1]


def test_duplicates_are_counted_apart(bus):
    queue = queue_name("dup")
    bus.subscribe(queue, ["test.event"], Recorder(lambda body: "" if body == b"again" else "test.event"))
    bus.start()

    bus.publish([message(b"first"), message(b"again")])

    wait_for(lambda: consumed(queue, "unknown", "duplicate") == 1)
    assert consumed(queue, "test.event", "ok") == 1


def test_dead_letters_can_be_listed_and_replayed(bus):
    broken = threading.Event()
    broken.set()

    def behaviour(body: bytes) -> str:
        if broken.is_set():
            raise RuntimeError("downstream is down")
        return "test.event"

    handler = Recorder(behaviour)
    queue = queue_name("replay")
    bus.subscribe(queue, ["test.event"], handler)
    bus.start()
    bus.publish([message(b"a", message_id="id-a"), message(b"b", message_id="id-b")])
    wait_for(lambda: len(bus.dead_letters(queue)) == 2)

    assert [d.message_id for d in bus.dead_letters(queue, limit=1)] in (["id-a"], ["id-b"])
    assert len(bus.dead_letters(queue)) == 2  # listing leaves them in place

    broken.clear()
    assert bus.replay_dead_letters(queue, ["id-b"]) == 1
    wait_for(lambda: consumed(queue, "test.event", "ok") == 1)
    assert [d.message_id for d in bus.dead_letters(queue)] == ["id-a"]
    assert handler.bodies[-1] == b"b"

    assert bus.replay_dead_letters(queue) == 1
    wait_for(lambda: consumed(queue, "test.event", "ok") == 2)
    assert bus.dead_letters(queue) == []
    assert bus.replay_dead_letters(queue) == 0


def test_unknown_queue_is_named(bus):
    bus.start()
    with pytest.raises(KeyError, match="nope"):
        bus.dead_letters("nope")
