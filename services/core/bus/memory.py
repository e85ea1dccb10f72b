"""In-process bus for `crm up`: the same routing, retries and dead letters as RabbitMQ, without a broker.

Messages live in memory only, so it is for the all-in-one laptop mode; the outbox still guarantees that an
event committed before a crash is published again after restart.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Sequence

from services.core.bus.base import (
    Bus,
    DeadLetter,
    OutboundMessage,
    Outcome,
    RetryPolicy,
    Subscription,
    log,
    wait_pause,
)


def topic_matches(pattern: str, routing_key: str) -> bool:
    """AMQP topic matching: `*` is one word, `#` zero or more words."""

    def match(p: list[str], k: list[str]) -> bool:
        if not p:
            return not k
        if p[0] == "#":
            return any(match(p[1:], k[i:]) for i in range(len(k) + 1))
        return bool(k) and (p[0] in ("*", k[0])) and match(p[1:], k[1:])

    return match(pattern.split("."), routing_key.split("."))


class _Worker:
    def __init__(self, subscription: Subscription, policy: RetryPolicy):
        self.subscription = subscription
        self.outcome = Outcome(subscription, policy)
        # (message, attempt, tries in a row that found the database unavailable)
        self.inbox: queue.Queue[tuple[OutboundMessage, int, int] | None] = queue.Queue()
        self.dead: list[DeadLetter] = []
        self.timers: set[threading.Timer] = set()
        self.thread = threading.Thread(target=self._run, name=f"bus-{subscription.queue}", daemon=True)

    def _run(self) -> None:
        while (item := self.inbox.get()) is not None:
            message, attempt, waits = item
            outcome, delay, error = self.outcome.apply(message.body, attempt)
            if outcome == "wait":  # the database is unavailable: the same attempt again, later
                self._retry_later(message, attempt, wait_pause(waits + 1), waits + 1)
            elif outcome == "retry":
                self._retry_later(message, attempt + 1, delay or 0)
            elif outcome == "dead_letter":
                self.dead.append(
                    DeadLetter(message.message_id, message.routing_key, self.subscription.queue, attempt + 1,
                               error, message.body)
                )

    def _retry_later(self, message: OutboundMessage, attempt: int, delay: float, waits: int = 0) -> None:
        def fire() -> None:
            self.timers.discard(timer)
            self.inbox.put((message, attempt, waits))

        timer = threading.Timer(delay, fire)
        timer.daemon = True
        self.timers.add(timer)
        timer.start()

    def stop(self) -> None:
        for timer in list(self.timers):
            timer.cancel()
        self.inbox.put(None)
        self.thread.join(timeout=10)


class MemoryBus(Bus):
    def __init__(self, policy: RetryPolicy):
        super().__init__(policy)
        self._workers: dict[str, _Worker] = {}
        self._started = False

    def start(self) -> None:
        for subscription in self.subscriptions:
            worker = _Worker(subscription, self.policy)
            self._workers[subscription.queue] = worker
            worker.thread.start()
        self._started = True

    def stop(self) -> None:
        for worker in self._workers.values():
            worker.stop()
        self._started = False

    def publish(self, messages: Sequence[OutboundMessage]) -> None:
        if not self._started:
            raise ConnectionError("in-process bus is not running")
        for message in messages:
            for worker in self._workers.values():
                if any(topic_matches(key, message.routing_key) for key in worker.subscription.routing_keys):
                    worker.inbox.put((message, 0, 0))

    def check(self) -> None:
        if not self._started:
            raise ConnectionError("in-process bus is not running")

    def dead_letters(self, queue: str, limit: int = 100) -> list[DeadLetter]:
        return list(self._worker(queue).dead[:limit])

    def replay_dead_letters(self, queue: str, message_ids: Sequence[str] | None = None) -> int:
        worker = self._worker(queue)
        chosen = [d for d in worker.dead if message_ids is None or d.message_id in message_ids]
        for letter in chosen:
            worker.dead.remove(letter)
            worker.inbox.put((OutboundMessage(letter.routing_key, letter.body, letter.message_id, ""), 0, 0))
        log.info("replayed %d dead letters on %s", len(chosen), queue)
        return len(chosen)

    def _worker(self, queue: str) -> _Worker:
        try:
            return self._workers[queue]
        except KeyError:
            raise KeyError(f"no consumer queue named {queue!r}") from None
