"""RabbitMQ bus through pika: publisher confirms, durable quorum queues, delayed retries, dead-letter queues.

Topology per consumer queue Q (declared idempotently by whoever touches it first):
  exchange crm.events (topic) --routing keys--> Q (quorum)
  Q.retry.<d>s (quorum, TTL d, dead-letters back to Q)   one per back-off delay
  Q.dlq (quorum)                                           messages that exhausted their retries or are malformed
pika connections are not thread-safe: each consumer thread and each publishing thread has its own.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Sequence

import pika
from pika.adapters.blocking_connection import BlockingChannel
from pika.exceptions import AMQPError

from services.core.bus.base import (
    ATTEMPT_HEADER,
    ERROR_HEADER,
    QUEUE_HEADER,
    ROUTING_KEY_HEADER,
    WAIT_PAUSES,
    Bus,
    DeadLetter,
    OutboundMessage,
    Outcome,
    RetryPolicy,
    Subscription,
    log,
    wait_pause,
)
from services.core.events import CONTENT_TYPE, EXCHANGE
from services.core.metrics import CONSUMER_WAITING, DEAD_LETTER_DEPTH, QUEUE_DEPTH

RECONNECT_DELAYS = (0.2, 0.5, 1.0, 2.0, 5.0)


def retry_queue_name(queue: str, delay: float) -> str:
    return f"{queue}.retry.{delay:g}s"


def dead_letter_queue_name(queue: str) -> str:
    return f"{queue}.dlq"


def _quorum(**extra: object) -> dict:
    return {"x-queue-type": "quorum", **extra}


def declare_topology(channel: BlockingChannel, subscription: Subscription, policy: RetryPolicy) -> None:
    queue = subscription.queue
    channel.exchange_declare(EXCHANGE, exchange_type="topic", durable=True)
    channel.queue_declare(queue, durable=True, arguments=_quorum())
    for key in subscription.routing_keys:
        channel.queue_bind(queue, EXCHANGE, routing_key=key)
    for delay in policy.delays:
        channel.queue_declare(
            retry_queue_name(queue, delay),
            durable=True,
            arguments=_quorum(
                **{
                    "x-message-ttl": int(delay * 1000),
                    "x-dead-letter-exchange": "",
                    "x-dead-letter-routing-key": queue,
                    "x-dead-letter-strategy": "at-least-once",
                    "x-overflow": "reject-publish",
                }
            ),
        )
    channel.queue_declare(dead_letter_queue_name(queue), durable=True, arguments=_quorum())


def _persistent(message_id: str, headers: dict) -> pika.BasicProperties:
    return pika.BasicProperties(
        content_type=CONTENT_TYPE, delivery_mode=pika.DeliveryMode.Persistent, message_id=message_id, headers=headers
    )


class _Consumer:
    """One thread consuming one queue; reconnects with back-off whenever the broker goes away.

    Deliveries that arrive together (up to the prefetch) are applied as one batch: one database transaction
    and one multiple-ack when they all succeed (see InboxDispatcher.apply_batch).
    """

    def __init__(self, bus: RabbitBus, subscription: Subscription, index: int = 0):
        self.bus = bus
        self.subscription = subscription
        self.outcome = Outcome(subscription, bus.policy)
        self.stopping = threading.Event()
        self.connection: pika.BlockingConnection | None = None
        self.pending: list[tuple[object, pika.BasicProperties, bytes]] = []
        self.last_batch_size = 0
        self._waiting = CONSUMER_WAITING.labels(subscription.queue)
        self.thread = threading.Thread(target=self._run, name=f"consumer-{subscription.queue}-{index}",
                                       daemon=True)

    def _run(self) -> None:
        failures = 0
        while not self.stopping.is_set():
            try:
                self.connection = pika.BlockingConnection(self.bus.parameters)
                channel = self.connection.channel()
                channel.confirm_delivery()
                declare_topology(channel, self.subscription, self.bus.policy)
                channel.basic_qos(prefetch_count=self.bus.prefetch)
                channel.basic_consume(self.subscription.queue, self._on_message)
                failures = 0
                log.info("consuming %s", self.subscription.queue)
                while not self.stopping.is_set():
                    # Returns as soon as deliveries are in, after dispatching all that arrived together.
                    self.connection.process_data_events(time_limit=1)
                    if self.pending:
                        self._gather()
                        batch, self.pending = self.pending, []
                        self.last_batch_size = len(batch)
                        self._handle(channel, batch)
            except (AMQPError, OSError) as exc:
                if self.stopping.is_set():
                    break
                delay = RECONNECT_DELAYS[min(failures, len(RECONNECT_DELAYS) - 1)]
                failures += 1
                log.warning("consumer %s lost the broker (%r); reconnecting in %.1fs", self.subscription.queue, exc,
                            delay)
                self.stopping.wait(delay)
            finally:
                self.pending = []  # unacked deliveries (held ones too) return to the queue with the connection
                self._waiting.set(0)
                self._close()

    def _gather(self) -> None:
        """Let a batch that has begun fill up for at most the bus's `coalesce_seconds` after its first delivery
        (or until the prefetch is reached): a few more deliveries share its transaction, commit and ack.

        Only while deliveries come faster than one per batch: a lone delivery after a lone batch is applied at once,
        as waiting would only delay it (at a steady 100 events/s, a 5 ms window gathered nothing and added its
        5 ms to every hop)."""
        window = self.bus.coalesce_seconds
        if window <= 0 or (len(self.pending) < 2 and self.last_batch_size < 2):
            return
        deadline = time.monotonic() + window
        while len(self.pending) < self.bus.prefetch and not self.stopping.is_set():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return
            self.connection.process_data_events(time_limit=remaining)

    def _on_message(self, channel: BlockingChannel, method, properties, body: bytes) -> None:  # noqa: ANN001
        self.pending.append((method, properties, body))

    def _handle(self, channel: BlockingChannel, batch: list) -> None:
        """Apply a batch and settle each delivery: ack it, or move it to a retry or the dead-letter queue. Deliveries
        that met an unavailable database are kept (unacked, their attempt unspent) and tried again after a pause,
        until the database is back; if the consumer stops meanwhile, the broker redelivers them."""
        tries = 0
        while batch:
            waiting = self._settle(channel, batch)
            if not waiting:
                break
            tries += 1
            self._waiting.set(len(waiting))
            pause = wait_pause(tries)
            if tries == 1:
                log.warning("%s: database unavailable; holding %d events, trying again every %.1f-%.0fs",
                            self.subscription.queue, len(waiting), pause, WAIT_PAUSES[-1])
            if not self._pause(pause):
                return  # stopping: the broker takes them back with the connection
            batch = waiting
        if tries:
            self._waiting.set(0)
            log.info("%s: database back after %d tries; held events applied", self.subscription.queue, tries)

    def _settle(self, channel: BlockingChannel, batch: list) -> list:
        """Apply `batch` once; ack, retry or dead-letter each delivery, and return those that must wait."""
        attempts = [int((properties.headers or {}).get(ATTEMPT_HEADER, 0)) for _, properties, _ in batch]
        decisions = self.outcome.apply_batch([body for _, _, body in batch], attempts)
        waiting, settled = [], []
        for delivery, attempt, (outcome, delay, error) in zip(batch, attempts, decisions, strict=True):
            if outcome == "wait":
                waiting.append(delivery)
                continue
            settled.append(delivery)
            if outcome == "ok":
                continue
            # Published with confirms before the original is acked: a crash in between duplicates, never loses.
            method, properties, body = delivery
            headers = dict(properties.headers or {})
            headers.update({ATTEMPT_HEADER: attempt + 1, ERROR_HEADER: error, QUEUE_HEADER: self.subscription.queue,
                            ROUTING_KEY_HEADER: headers.get(ROUTING_KEY_HEADER, method.routing_key)})
            target = (retry_queue_name(self.subscription.queue, delay) if outcome == "retry"
                      else dead_letter_queue_name(self.subscription.queue))
            channel.basic_publish("", target, body, properties=_persistent(properties.message_id or "", headers))
        if not waiting:
            channel.basic_ack(batch[-1][0].delivery_tag, multiple=True)
        else:  # one by one: a multiple ack would take the waiting deliveries with it
            for method, _, _ in settled:
                channel.basic_ack(method.delivery_tag)
        return waiting

    def _pause(self, seconds: float) -> bool:
        """Wait while serving the connection (heartbeats; new deliveries queue up in `pending`); False if the
        consumer is stopping."""
        deadline = time.monotonic() + seconds
        while not self.stopping.is_set():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return True
            self.connection.process_data_events(time_limit=remaining)
        return False

    def stop(self) -> None:
        self.stopping.set()
        connection = self.connection
        if connection is not None:
            with contextlib.suppress(Exception):  # wakes process_data_events; the connection may be gone
                connection.add_callback_threadsafe(lambda: None)
        self.thread.join(timeout=10)

    def _close(self) -> None:
        connection, self.connection = self.connection, None
        if connection is not None and connection.is_open:
            with contextlib.suppress(Exception):
                connection.close()


class RabbitBus(Bus):
    def __init__(self, url: str, policy: RetryPolicy, *, prefetch: int = 64, concurrency: int = 1,
                 coalesce_seconds: float = 0.0):
        super().__init__(policy)
        # How long a consumer lets a batch fill up after its first delivery (see _Consumer._gather).
        self.coalesce_seconds = coalesce_seconds
        # Competing consumers per queue in this process. One is the default: a consumer already applies the
        # deliveries that arrive together as one batch, and more threads mostly contend for the GIL (measured:
        # at 200 leads/s on 2 cores, p99 0.56 s with one, 1.8 s with four). Scale out with replicas instead.
        self.concurrency = concurrency
        self.parameters = pika.URLParameters(url)
        self.parameters.heartbeat = 30
        self.parameters.blocked_connection_timeout = 30
        self.parameters.socket_timeout = 5
        self.parameters.connection_attempts = 1
        self.prefetch = prefetch
        self._consumers: list[_Consumer] = []
        self._local = threading.local()

    # -- publishing ----------------------------------------------------------------------------------------
    def _publisher(self) -> _ConfirmedPublisher:
        publisher = getattr(self._local, "publisher", None)
        if publisher is None or not publisher.is_open:
            self._drop_publish_channel()
            publisher = self._local.publisher = _ConfirmedPublisher(self.parameters)
        return publisher

    def _drop_publish_channel(self) -> None:
        publisher = getattr(self._local, "publisher", None)
        self._local.publisher = None
        if publisher is not None:
            publisher.close()

    def publish(self, messages: Sequence[OutboundMessage]) -> None:
        try:
            self._publisher().publish(messages)
        except (AMQPError, OSError):
            self._drop_publish_channel()
            raise

    # -- consuming -----------------------------------------------------------------------------------------
    def start(self) -> None:
        self._declare_all()
        for subscription in self.subscriptions:
            for index in range(self.concurrency):
                consumer = _Consumer(self, subscription, index)
                self._consumers.append(consumer)
                consumer.thread.start()

    def stop(self) -> None:
        for consumer in self._consumers:
            consumer.stop()
        self._consumers.clear()
        self._drop_publish_channel()

    def _declare_all(self) -> None:
        try:
            with self._admin_channel() as channel:
                for subscription in self.subscriptions:
                    declare_topology(channel, subscription, self.policy)
        except (AMQPError, OSError) as exc:
            log.warning("could not declare queues yet (%r); consumers will on connect", exc)

    # -- health and administration ---------------------------------------------------------------------------
    def _admin_channel(self):  # noqa: ANN202
        return _AdminChannel(self.parameters)

    def check(self) -> None:
        with self._admin_channel() as channel:
            for subscription in self.subscriptions:
                ready = channel.queue_declare(subscription.queue, passive=True).method.message_count
                dead = channel.queue_declare(dead_letter_queue_name(subscription.queue), passive=True)
                QUEUE_DEPTH.labels(subscription.queue).set(ready)
                DEAD_LETTER_DEPTH.labels(subscription.queue).set(dead.method.message_count)

    def _has_dead_letter_queue(self, queue: str) -> bool:
        """False when no replica of the consuming service has started yet (so none of its messages died)."""
        with self._admin_channel() as channel:
            try:
                channel.queue_declare(dead_letter_queue_name(queue), passive=True)
            except pika.exceptions.ChannelClosedByBroker as error:
                if error.reply_code == 404:
                    return False
                raise
        return True

    def dead_letters(self, queue: str, limit: int = 100) -> list[DeadLetter]:
        letters = []
        if not self._has_dead_letter_queue(queue):
            return letters
        with self._admin_channel() as channel:
            # Fetched without ack and released when the channel closes: the queue is left as it was.
            while len(letters) < limit:
                method, properties, body = channel.basic_get(dead_letter_queue_name(queue), auto_ack=False)
                if method is None:
                    break
                letters.append(_dead_letter(queue, properties, body))
        return letters

    def replay_dead_letters(self, queue: str, message_ids: Sequence[str] | None = None) -> int:
        wanted = set(message_ids) if message_ids is not None else None
        replayed = 0
        if not self._has_dead_letter_queue(queue):
            return replayed
        with self._admin_channel() as channel:
            channel.confirm_delivery()
            skipped = []
            # Only the letters there now: a replayed message that fails again is dead-lettered behind them and
            # must wait for the next replay, not be replayed again in this one.
            waiting = channel.queue_declare(dead_letter_queue_name(queue), passive=True).method.message_count
            for _ in range(waiting):
                method, properties, body = channel.basic_get(dead_letter_queue_name(queue), auto_ack=False)
                if method is None:
                    break
                if wanted is not None and properties.message_id not in wanted:
                    skipped.append(method.delivery_tag)
                    continue
                headers = dict(properties.headers or {})
                headers[ATTEMPT_HEADER] = 0
                channel.basic_publish("", queue, body, properties=_persistent(properties.message_id or "", headers))
                channel.basic_ack(method.delivery_tag)
                replayed += 1
            for tag in skipped:
                channel.basic_nack(tag, requeue=True)
        log.info("replayed %d dead letters on %s", replayed, queue)
        return replayed


class _ConfirmedPublisher:
    """A channel in publisher-confirm mode that sends a whole batch, then waits once until the broker has confirmed
    every message of it (or refused one: then the batch fails and the outbox keeps its rows).

    pika's BlockingChannel.basic_publish in confirm mode waits for each message's confirm before sending the next:
    a round trip per message, and in a busy process a wait for the GIL after each. This drives the same blocking
    connection through the channel's underlying pika.channel.Channel (`_impl`) and its I/O loop (`_flush_output`),
    pika 1.x internals that BlockingChannel itself uses (tests/integration exercise them against RabbitMQ).
    """

    def __init__(self, parameters: pika.URLParameters):
        self.connection = pika.BlockingConnection(parameters)
        try:
            self.channel = self.connection.channel()
            self.channel.exchange_declare(EXCHANGE, exchange_type="topic", durable=True)
            self._impl = self.channel._impl  # noqa: SLF001
            self._sent = 0  # the broker numbers a confirm-mode channel's publishes 1, 2, 3, ...
            self._unconfirmed: set[int] = set()
            self._refused = 0
            selected: list[bool] = []
            self._impl.confirm_delivery(ack_nack_callback=self._on_confirm,
                                        callback=lambda _frame: selected.append(True))
            self.channel._flush_output(lambda: bool(selected))  # noqa: SLF001
        except BaseException:
            self.close()
            raise

    @property
    def is_open(self) -> bool:
        return self.connection.is_open and self.channel.is_open

    def _on_confirm(self, frame) -> None:  # noqa: ANN001
        method = frame.method
        if method.multiple:
            confirmed = {tag for tag in self._unconfirmed if tag <= method.delivery_tag}
        else:
            confirmed = {method.delivery_tag} & self._unconfirmed
        self._unconfirmed -= confirmed
        if isinstance(method, pika.spec.Basic.Nack):
            self._refused += len(confirmed)

    def publish(self, messages: Sequence[OutboundMessage]) -> None:
        for message in messages:
            self._impl.basic_publish(
                EXCHANGE, message.routing_key, message.body,
                properties=_persistent(message.message_id, {"tenant_id": message.tenant_id}),
            )
            self._sent += 1
            self._unconfirmed.add(self._sent)
        # Sends what is buffered, then reads until every confirm is in; raises if the channel or connection closes.
        self.channel._flush_output(lambda: not self._unconfirmed)  # noqa: SLF001
        if self._refused:
            refused, self._refused = self._refused, 0
            raise AMQPError(f"the broker refused {refused} of {len(messages)} messages (basic.nack)")

    def close(self) -> None:
        if self.connection.is_open:
            with contextlib.suppress(Exception):
                self.connection.close()


def _dead_letter(queue: str, properties: pika.BasicProperties, body: bytes) -> DeadLetter:
    headers = properties.headers or {}
    error = headers.get(ERROR_HEADER, "")
    return DeadLetter(
        message_id=properties.message_id or "",
        routing_key=str(headers.get(ROUTING_KEY_HEADER, "")),
        queue=queue,
        attempts=int(headers.get(ATTEMPT_HEADER, 0)),
        error=error.decode() if isinstance(error, bytes) else str(error),
        body=body,
    )


class _AdminChannel:
    """A short-lived connection for health probes and dead-letter administration."""

    def __init__(self, parameters: pika.URLParameters):
        self.parameters = parameters
        self.connection: pika.BlockingConnection | None = None

    def __enter__(self) -> BlockingChannel:
        self.connection = pika.BlockingConnection(self.parameters)
        return self.connection.channel()

    def __exit__(self, *exc_info: object) -> None:
        if self.connection is not None and self.connection.is_open:
            self.connection.close()
