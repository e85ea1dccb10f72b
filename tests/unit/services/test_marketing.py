"""Marketing: consent and opt-out per customer, channel and purpose (R-MKT-4, R-SEC-5), roles, R-SEC-4."""

from __future__ import annotations

import grpc
import pytest

from crm.events.v1.marketing_pb2 import ConsentChanged
from crm.marketing.v1 import marketing_pb2, marketing_pb2_grpc
from services.core.errors import InvalidArgument, PermissionDenied
from services.marketing import consent as consents


@pytest.fixture
def database(migrated_database):
    return migrated_database("marketing")


def set_consent(database, caller, tenant="t1", **fields):
    fields = {
        "customer_id": "C20240501001",
        "channel": "EMAIL",
        "purpose": "marketing",
        "granted": True,
        "source": "web-form",
        **fields,
    }
    with database.session(tenant) as session:
        consent, changed = consents.set_consent(session, tenant=tenant, caller=caller, **fields)
        return consent, changed


def get_consent(database, caller, customer_id="C20240501001", tenant="t1"):
    with database.session(tenant) as session:
        return consents.get_consent(session, caller=caller, customer_id=customer_id)


def test_consent_changed_is_emitted_on_the_first_answer_and_on_each_change_only(database, caller, outbox_events):
    marketer = caller("marketing")
    answers = [
        (True, "web-form"),
        (True, "call"),
        (False, "unsubscribe-link"),
        (False, "call"),
        (True, "call"),
    ]
    changes = [set_consent(database, marketer, granted=granted, source=source)[1] for granted, source in answers]

    assert changes == [True, False, True, False, True]
    assert [event.granted for _, event in outbox_events(database, ConsentChanged)] == [True, False, True]
    assert outbox_events(database, ConsentChanged)[0] == (
        "t1",
        ConsentChanged(customer_id="C20240501001", channel="EMAIL", purpose="marketing", granted=True),
    )
    [current] = get_consent(database, marketer)
    assert (current.granted, current.source) == (True, "call")


def test_a_repeated_answer_still_records_its_source_and_time(database, caller):
    first, _ = set_consent(database, caller("marketing"), source="web-form")
    again, changed = set_consent(database, caller("marketing"), source="call")
    assert not changed and again.id == first.id
    assert again.source == "call" and again.updated_at >= first.updated_at


def test_a_first_opt_out_is_an_answer_too(database, caller, outbox_events):
    _, changed = set_consent(database, caller("marketing"), granted=False)
    assert changed
    assert [event.granted for _, event in outbox_events(database, ConsentChanged)] == [False]


def test_each_channel_and_purpose_is_its_own_answer(database, caller, outbox_events):
    marketer = caller("marketing")
    set_consent(database, marketer, channel="SMS", purpose="marketing")
    set_consent(database, marketer, channel="EMAIL", purpose="newsletter", granted=False)
    set_consent(database, marketer, channel="EMAIL", purpose="marketing")
    set_consent(database, marketer, customer_id="C20240501002")

    assert [(c.channel, c.purpose, c.granted) for c in get_consent(database, marketer)] == [
        ("EMAIL", "marketing", True),
        ("EMAIL", "newsletter", False),
        ("SMS", "marketing", True),
    ]
    assert len(outbox_events(database, ConsentChanged)) == 4


def test_every_invalid_field_is_reported_by_name(database, caller, outbox_events):
    with pytest.raises(InvalidArgument) as raised:
        set_consent(database, caller("marketing"), customer_id="", channel="", purpose="", source=" ")
    assert {v.field for v in raised.value.violations} == {"customer_id", "channel", "purpose", "source"}
    assert outbox_events(database, ConsentChanged) == []


@pytest.mark.parametrize("purpose", ["Marketing", "mar keting", "x" * 51, "营销", "a.b"])
def test_purpose_is_lower_case_letters_digits_underscore_and_dash(database, caller, purpose):
    with pytest.raises(InvalidArgument) as raised:
        set_consent(database, caller("marketing"), purpose=purpose)
    assert [v.field for v in raised.value.violations] == ["purpose"]


@pytest.mark.parametrize("purpose", ["a", "x" * 50, "post_sale-survey2"])
def test_valid_purposes_are_accepted(database, caller, purpose):
    assert set_consent(database, caller("marketing"), purpose=purpose)[0].purpose == purpose


def test_an_unknown_channel_is_refused(database, caller):
    with pytest.raises(InvalidArgument) as raised:
        set_consent(database, caller("marketing"), channel="FAX")
    assert [v.field for v in raised.value.violations] == ["channel"]


@pytest.mark.parametrize("role", ["sales", "service_agent", "auditor"])
def test_only_marketing_managers_and_admins_record_consent(database, caller, role):
    with pytest.raises(PermissionDenied):
        set_consent(database, caller(role))


@pytest.mark.parametrize("role", ["marketing", "manager", "admin", "auditor", "service_agent"])
def test_these_roles_read_consent(database, caller, role):
    set_consent(database, caller("marketing"))
    assert len(get_consent(database, caller(role))) == 1


def test_a_sales_rep_does_not_read_consent(database, caller):
    with pytest.raises(PermissionDenied):
        get_consent(database, caller("sales"))


def test_tenants_keep_separate_answers(database, caller, outbox_events):
    set_consent(database, caller("marketing"), granted=True)
    _, changed = set_consent(database, caller("marketing", tenant="t2"), tenant="t2", granted=True)

    assert changed  # t1's answer is not t2's
    assert [c.tenant_id for c in get_consent(database, caller("admin", tenant="t2"), tenant="t2")] == ["t2"]
    assert [tenant for tenant, _ in outbox_events(database, ConsentChanged)] == ["t1", "t2"]


def test_api_round_trip_and_error_mapping(grpc_service):
    service = grpc_service("marketing")
    stub = marketing_pb2_grpc.MarketingServiceStub(service.channel)
    marketer = service.metadata("marketing")

    saved = stub.SetConsent(
        marketing_pb2.SetConsentRequest(
            customer_id="C1",
            channel=marketing_pb2.CHANNEL_SMS,
            purpose="marketing",
            granted=True,
            source="web-form",
        ),
        metadata=marketer,
    ).consent
    assert (saved.channel, saved.purpose, saved.granted, saved.source) == (
        marketing_pb2.CHANNEL_SMS,
        "marketing",
        True,
        "web-form",
    )
    assert saved.update_time.seconds > 0
    listed = stub.GetConsent(
        marketing_pb2.GetConsentRequest(customer_id="C1"), metadata=service.metadata("service_agent")
    ).consents
    assert list(listed) == [saved]

    with pytest.raises(grpc.RpcError) as raised:
        stub.SetConsent(marketing_pb2.SetConsentRequest(customer_id="C1", purpose="Bad", source="x"), metadata=marketer)
    assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert set(service.violations(raised.value)) == {"channel", "purpose"}

    with pytest.raises(grpc.RpcError) as raised:
        stub.GetConsent(marketing_pb2.GetConsentRequest(customer_id="C1"), metadata=service.metadata("sales"))
    assert raised.value.code() == grpc.StatusCode.PERMISSION_DENIED
