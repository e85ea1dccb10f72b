"""Events: the type option, the Envelope, emitting through the outbox, causation and parsing."""

from __future__ import annotations

import time
import uuid

import pytest
from sqlalchemy import select

from crm.common.v1.common_pb2 import RecordRef
from crm.events.v1.envelope_pb2 import Envelope
from crm.events.v1.identity_pb2 import IdentityResolved
from crm.events.v1.leads_pb2 import LeadCreated
from services.core.events import (
    MalformedEvent,
    caused_by,
    emit,
    event_type_of,
    new_envelope,
    parse_envelope,
    unpack,
)
from services.core.kernel_models import OutboxMessage


def test_event_type_comes_from_the_proto_option():
    assert event_type_of(LeadCreated) == "lead.created"
    assert event_type_of(LeadCreated(lead_id="x")) == "lead.created"
    assert event_type_of(IdentityResolved) == "identity.resolved"


@pytest.mark.parametrize("message_cls", [RecordRef, Envelope])
def test_message_without_the_option_is_not_an_event(message_cls):
    with pytest.raises(TypeError, match=message_cls.DESCRIPTOR.full_name):
        event_type_of(message_cls)


def _outbox(database):
    with database.kernel_session() as session:
        return session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()


def test_emit_writes_a_parseable_envelope_to_the_outbox(leads_db):
    before = time.time()
    with leads_db.session("t1") as session:
        returned = emit(session, LeadCreated(lead_id="L1", name="Ann", channel="web"), producer="leads")

    [row] = _outbox(leads_db)
    envelope = parse_envelope(row.body)
    assert envelope == returned
    assert (row.id, row.event_type, row.tenant_id) == (envelope.id, "lead.created", "t1")
    assert uuid.UUID(envelope.id).version == 7
    assert envelope.type == "lead.created"
    assert envelope.tenant_id == "t1"
    assert envelope.producer == "leads"
    assert before - 1 <= envelope.occurred_at.ToMicroseconds() / 1e6 <= time.time() + 1
    # A root cause starts its own flow.
    assert envelope.causation_id == ""
    assert envelope.correlation_id == envelope.id
    assert unpack(envelope, LeadCreated) == LeadCreated(lead_id="L1", name="Ann", channel="web")


def test_emit_in_a_rolled_back_transaction_leaves_nothing(leads_db):
    with pytest.raises(RuntimeError), leads_db.session("t1") as session:
        emit(session, LeadCreated(lead_id="L1"), producer="leads")
        raise RuntimeError("abort")
    assert _outbox(leads_db) == []


def test_emit_needs_a_tenant_session(leads_db):
    with pytest.raises(RuntimeError, match="tenant"), leads_db.kernel_session() as session:
        emit(session, LeadCreated(lead_id="L1"), producer="leads")


def test_event_ids_sort_by_creation():
    ids = [new_envelope(LeadCreated(), tenant_id="t1", producer="leads").id for _ in range(50)]
    assert ids == sorted(ids)
    assert len(set(ids)) == 50


def test_caused_by_links_effects_to_their_cause():
    with caused_by("cause-1", "flow-1"):
        inner = new_envelope(LeadCreated(), tenant_id="t1", producer="leads")
        with caused_by("cause-2", ""):
            nested = new_envelope(LeadCreated(), tenant_id="t1", producer="leads")
        after_nested = new_envelope(LeadCreated(), tenant_id="t1", producer="leads")
    outside = new_envelope(LeadCreated(), tenant_id="t1", producer="leads")

    assert (inner.causation_id, inner.correlation_id) == ("cause-1", "flow-1")
    assert (nested.causation_id, nested.correlation_id) == ("cause-2", "cause-2")
    assert (after_nested.causation_id, after_nested.correlation_id) == ("cause-1", "flow-1")
    assert (outside.causation_id, outside.correlation_id) == ("", outside.id)


def test_emit_inside_caused_by(leads_db):
    with leads_db.session("t1") as session, caused_by("event-9", "flow-9"):
        emit(session, LeadCreated(lead_id="L1"), producer="leads")
    envelope = parse_envelope(_outbox(leads_db)[0].body)
    assert (envelope.causation_id, envelope.correlation_id) == ("event-9", "flow-9")


def _valid() -> Envelope:
    return new_envelope(LeadCreated(lead_id="L1"), tenant_id="t1", producer="leads")


@pytest.mark.parametrize("body", [b"\xff\xff\xff\xff", b"garbage that is not protobuf", b""])
def test_parse_envelope_rejects_garbage(body):
    with pytest.raises(MalformedEvent):
        parse_envelope(body)


@pytest.mark.parametrize("missing", ["id", "type", "tenant_id", "payload"])
def test_parse_envelope_rejects_missing_fields(missing):
    envelope = _valid()
    envelope.ClearField(missing)
    with pytest.raises(MalformedEvent, match=missing):
        parse_envelope(envelope.SerializeToString())


def test_parse_envelope_round_trip():
    envelope = _valid()
    assert parse_envelope(envelope.SerializeToString()) == envelope


def test_unpack_with_the_wrong_type_is_malformed():
    with pytest.raises(MalformedEvent, match="IdentityResolved"):
        unpack(_valid(), IdentityResolved)
