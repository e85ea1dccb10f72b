"""Analytics: the lead intake read model (R-LEAD-4) fed by lead.created, exactly once per event; R-SEC-2/4."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import grpc
import pytest

from crm.analytics.v1 import analytics_pb2, analytics_pb2_grpc
from crm.common.v1.common_pb2 import Date
from crm.events.v1.leads_pb2 import LeadCreated
from services.analytics import CONSUMERS, intake
from services.core.consumers import InboxDispatcher
from services.core.errors import InvalidArgument, PermissionDenied
from services.core.events import new_envelope

BEIJING = timezone(timedelta(hours=8))


@pytest.fixture
def database(migrated_database):
    return migrated_database("analytics")


@pytest.fixture
def deliver(database):
    """deliver(channel, occurred_at, tenant="t1") delivers a LeadCreated once; returns its envelope bytes."""
    consumer = next(c for c in CONSUMERS if c.purpose == "intake")
    dispatcher = InboxDispatcher("analytics", consumer, database)

    def _deliver(channel: str, occurred_at: datetime, tenant: str = "t1") -> bytes:
        envelope = new_envelope(
            LeadCreated(lead_id="L1", name="Li Lei", channel=channel), tenant_id=tenant, producer="leads"
        )
        envelope.occurred_at.FromDatetime(occurred_at)
        body = envelope.SerializeToString()
        dispatcher(body)
        return body

    _deliver.dispatcher = dispatcher
    return _deliver


def intake_of(database, caller, start, end, tenant="t1"):
    with database.session(tenant) as session:
        result = intake.get_lead_intake(session, caller=caller, start_date=start, end_date=end)
        return [(row.day, row.channel, row.leads) for row in result.rows], result.total


def test_the_consumer_listens_to_lead_created_on_analytics_intake():
    consumer = next(c for c in CONSUMERS if c.purpose == "intake")
    assert consumer.queue_for("analytics") == "analytics.intake"
    assert consumer.routing_keys() == ["lead.created"]


def test_leads_are_counted_per_utc_day_and_channel_in_order(database, deliver, caller):
    deliver("Referral", datetime(2024, 5, 2, 9, 0, tzinfo=UTC))
    deliver("Baidu SEM", datetime(2024, 5, 2, 23, 59, tzinfo=UTC))
    deliver("Baidu SEM", datetime(2024, 5, 2, 0, 0, tzinfo=UTC))
    deliver("Baidu SEM", datetime(2024, 5, 3, 7, 30, tzinfo=BEIJING))  # 2024-05-02 23:30 UTC
    deliver("Referral", datetime(2024, 5, 1, 12, 0, tzinfo=UTC))
    deliver("Offline Expo A", datetime(2024, 5, 3, 0, 0, tzinfo=UTC))

    rows, total = intake_of(database, caller("manager"), (2024, 5, 1), (2024, 5, 3))
    assert rows == [
        (date(2024, 5, 1), "Referral", 1),
        (date(2024, 5, 2), "Baidu SEM", 3),
        (date(2024, 5, 2), "Referral", 1),
        (date(2024, 5, 3), "Offline Expo A", 1),
    ]
    assert total == 6


def test_both_ends_of_the_period_are_included_and_nothing_outside(database, deliver, caller):
    for day in (1, 2, 3, 4):
        deliver("Referral", datetime(2024, 5, day, 12, tzinfo=UTC))
    rows, total = intake_of(database, caller("auditor"), (2024, 5, 2), (2024, 5, 3))
    assert [row[0].day for row in rows] == [2, 3] and total == 2
    assert intake_of(database, caller("auditor"), (2023, 1, 1), (2023, 1, 1)) == ([], 0)


def test_an_event_delivered_twice_is_counted_once(database, deliver, caller):
    body = deliver("Referral", datetime(2024, 5, 2, 9, tzinfo=UTC))
    assert deliver.dispatcher(body) == ""  # the inbox recognised it
    deliver("Referral", datetime(2024, 5, 2, 10, tzinfo=UTC))  # another lead, same day and channel

    assert intake_of(database, caller("admin"), (2024, 5, 2), (2024, 5, 2)) == (
        [(date(2024, 5, 2), "Referral", 2)],
        2,
    )


def test_each_tenant_sees_its_own_intake(database, deliver, caller):
    deliver("Referral", datetime(2024, 5, 2, 9, tzinfo=UTC), tenant="t1")
    deliver("Referral", datetime(2024, 5, 2, 9, tzinfo=UTC), tenant="t2")
    deliver("Referral", datetime(2024, 5, 2, 10, tzinfo=UTC), tenant="t2")

    assert intake_of(database, caller("admin"), (2024, 5, 2), (2024, 5, 2))[1] == 1
    assert intake_of(database, caller("admin", tenant="t2"), (2024, 5, 2), (2024, 5, 2), tenant="t2")[1] == 2


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        ((0, 0, 0), (0, 0, 0), {"start_date": "is required", "end_date": "is required"}),
        (
            (2024, 2, 30),
            (2024, 13, 1),
            {"start_date": "is not a calendar date", "end_date": "is not a calendar date"},
        ),
        ((2023, 2, 29), (2024, 1, 1), {"start_date": "is not a calendar date"}),
        (
            (-1, 1, 1),
            (2024, 0, 1),
            {"start_date": "is not a calendar date", "end_date": "is not a calendar date"},
        ),
        ((2024, 5, 2), (2024, 5, 1), {"end_date": "must not be before start_date"}),
        ((2024, 1, 1), (2025, 1, 2), {"end_date": "must be at most 366 days after start_date"}),
    ],
)
def test_invalid_periods_name_the_field(database, caller, start, end, expected):
    with pytest.raises(InvalidArgument) as raised:
        intake_of(database, caller("manager"), start, end)
    assert {v.field: v.description for v in raised.value.violations} == expected


def test_a_leap_year_of_366_days_and_a_single_day_are_valid_periods(database, caller):
    assert intake_of(database, caller("manager"), (2024, 1, 1), (2025, 1, 1)) == ([], 0)
    assert intake_of(database, caller("manager"), (2024, 2, 29), (2024, 2, 29)) == ([], 0)


@pytest.mark.parametrize("role", ["manager", "admin", "auditor", "marketing"])
def test_these_roles_read_the_intake(database, caller, role):
    assert intake_of(database, caller(role), (2024, 1, 1), (2024, 1, 31)) == ([], 0)


@pytest.mark.parametrize("role", ["sales", "service_agent"])
def test_other_roles_do_not(database, caller, role):
    with pytest.raises(PermissionDenied):
        intake_of(database, caller(role), (2024, 1, 1), (2024, 1, 31))


def test_api_maps_dates_rows_and_errors(grpc_service):
    service = grpc_service("analytics")
    consumer = next(c for c in CONSUMERS if c.purpose == "intake")
    dispatcher = InboxDispatcher("analytics", consumer, service.database)
    for channel in ("Referral", "Baidu SEM", "Referral"):
        envelope = new_envelope(LeadCreated(lead_id="L", channel=channel), tenant_id="t1", producer="leads")
        envelope.occurred_at.FromDatetime(datetime(2024, 5, 2, 9, tzinfo=UTC))
        dispatcher(envelope.SerializeToString())
    stub = analytics_pb2_grpc.AnalyticsServiceStub(service.channel)

    response = stub.GetLeadIntake(
        analytics_pb2.GetLeadIntakeRequest(
            start_date=Date(year=2024, month=5, day=1), end_date=Date(year=2024, month=5, day=31)
        ),
        metadata=service.metadata("marketing"),
    )
    may2 = Date(year=2024, month=5, day=2)
    assert list(response.rows) == [
        analytics_pb2.LeadIntakeRow(day=may2, channel="Baidu SEM", leads=1),
        analytics_pb2.LeadIntakeRow(day=may2, channel="Referral", leads=2),
    ]
    assert response.total == 3

    with pytest.raises(grpc.RpcError) as raised:
        stub.GetLeadIntake(
            analytics_pb2.GetLeadIntakeRequest(end_date=Date(year=2024, month=2, day=30)),
            metadata=service.metadata("manager"),
        )
    assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert service.violations(raised.value) == {
        "start_date": "is required",
        "end_date": "is not a calendar date",
    }

    with pytest.raises(grpc.RpcError) as raised:
        stub.GetLeadIntake(
            analytics_pb2.GetLeadIntakeRequest(start_date=may2, end_date=may2),
            metadata=service.metadata("sales"),
        )
    assert raised.value.code() == grpc.StatusCode.PERMISSION_DENIED
