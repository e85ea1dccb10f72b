"""A malformed message goes to the dead-letter queue without blocking its queue; dead letters can be listed
and replayed with `crm events dlq` (issue #2, items 3 and 6)."""

from __future__ import annotations

import pika
import pytest

from crm.leads.v1 import leads_pb2, leads_pb2_grpc
from services.core.events import EXCHANGE
from tests.integration.helpers import eventually, new_tenant, stub

pytestmark = pytest.mark.integration


def test_malformed_message_is_dead_lettered_without_blocking(cluster, amqp_url):
    for name in ("identity", "leads"):
        cluster.start(name)
    connection = pika.BlockingConnection(pika.URLParameters(amqp_url))
    channel = connection.channel()
    channel.confirm_delivery()
    channel.basic_publish(EXCHANGE, "lead.created", b"\xff\x00 not an envelope",
                          properties=pika.BasicProperties(message_id="poison-1"))
    connection.close()

    tenant = new_tenant()
    leads = stub(cluster, "leads", leads_pb2_grpc.LeadsServiceStub, tenant=tenant, roles=("sales",), subject="rep")
    lead = leads.CreateLead(leads_pb2.CreateLeadRequest(name="After Poison", email="after@poison.test",
                                                        channel="Web")).lead
    # The good event behind the poison one is processed.
    eventually(lambda: leads.GetLead(leads_pb2.GetLeadRequest(id=lead.id)).lead.customer_id, what="lead resolved")

    listing = eventually(lambda: cluster.crm("events", "dlq", "list", "--queue", "identity.intake").stdout,
                         what="dead letter listed")
    assert "poison-1" in listing and "unreadable" in listing and "attempts=1" in listing
    # Listing leaves the message in place.
    assert "poison-1" in cluster.crm("events", "dlq", "list", "--queue", "identity.intake").stdout

    replay = cluster.crm("events", "dlq", "replay", "--queue", "identity.intake", "--id", "poison-1").stdout
    assert "identity.intake: replayed 1" in replay
    # Still unreadable, so it comes back to the dead-letter queue once more: nothing is lost, nothing loops.
    eventually(lambda: "poison-1" in cluster.crm("events", "dlq", "list", "--queue", "identity.intake").stdout,
               what="poison message back in the dead-letter queue")


def test_failing_handler_retries_with_backoff_then_dead_letters(cluster, pg_url):
    """A handler that keeps failing (here: the identity schema's table is locked away) is retried, then parked."""
    from sqlalchemy import create_engine, text

    for name in ("identity", "leads"):
        cluster.start(name)
    engine = create_engine(pg_url)
    tenant = new_tenant()
    leads = stub(cluster, "leads", leads_pb2_grpc.LeadsServiceStub, tenant=tenant, roles=("sales",), subject="rep")
    with engine.begin() as connection:
        connection.execute(text("ALTER TABLE identity.source_record RENAME TO source_record_away"))
    try:
        lead = leads.CreateLead(leads_pb2.CreateLeadRequest(name="Unlucky", email="unlucky@retry.test",
                                                            channel="Web")).lead
        listing = eventually(
            lambda: cluster.crm("events", "dlq", "list", "--queue", "identity.intake").stdout,
            timeout=60, what="event dead-lettered after its retries",
        )
        # CRM_RETRY_DELAYS has three delays: the first try and three retries.
        assert "lead.created" in listing and "attempts=4" in listing
    finally:
        with engine.begin() as connection:
            connection.execute(text("ALTER TABLE identity.source_record_away RENAME TO source_record"))
        engine.dispose()
    cluster.crm("events", "dlq", "replay", "--queue", "identity.intake")
    eventually(lambda: leads.GetLead(leads_pb2.GetLeadRequest(id=lead.id)).lead.customer_id,
               what="lead resolved after replay")


def test_a_queue_no_consumer_has_declared_yet_has_no_dead_letters(amqp_url):
    """`crm events dlq list` covers every service's queues, also those of services not deployed (yet)."""
    from services.core.bus.base import RetryPolicy
    from services.core.bus.rabbit import RabbitBus

    bus = RabbitBus(amqp_url, RetryPolicy((1.0,)))
    assert bus.dead_letters("sales.never-started") == []
    assert bus.replay_dead_letters("sales.never-started") == 0
