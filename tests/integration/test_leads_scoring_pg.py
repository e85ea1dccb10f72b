"""Lead scoring on PostgreSQL: the bulk rescoring path (COPY out, COPY the plan in, set-based writes) gives the
one-lead model's scores and consequences, leaves alone a lead that changed meanwhile, and the schema matches."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import func, select

from crm.events.v1.envelope_pb2 import Envelope
from crm.events.v1.leads_pb2 import LeadFirstContactOverdue, LeadNurture, LeadQualified
from services.core.db import Database
from services.core.events import unpack
from services.core.kernel_models import KernelBase, OutboxMessage
from services.core.runtime import load_definition
from services.core.timers import fire_due, pending
from services.leads import rescoring, scoring
from services.leads.models import LOST, OPEN, QUALIFIED, Lead, LeadActivity, ScoreRecord
from services.leads.timers import TIMERS
from tests.unit.services.conftest import make_caller

pytestmark = pytest.mark.integration

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
SERVICE = make_caller(kind="service", subject="tracking")
ADMIN = make_caller("admin")


@pytest.fixture
def database(scratch_leads_database: Database) -> Database:
    return scratch_leads_database


def add_lead(database, tenant="t1", **fields) -> str:
    fields.setdefault("name", "Ann Lee")
    fields.setdefault("channel", "Expo")
    with database.session(tenant) as session:
        lead = Lead(**fields)
        session.add(lead)
        session.flush()
        return lead.id


def events(database, payload_cls) -> list:
    with database.kernel_session() as session:
        bodies = session.scalars(select(OutboxMessage.body).order_by(OutboxMessage.id)).all()
    found = []
    for body in bodies:
        envelope = Envelope.FromString(body)
        if envelope.payload.Is(payload_cls.DESCRIPTOR):
            found.append(unpack(envelope, payload_cls))
    return found


def test_the_schema_matches_the_models_on_postgresql(database):
    with database.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, [load_definition("leads").metadata, KernelBase.metadata]) == []


def test_bulk_rescoring_on_postgresql(database):
    with database.session("t1") as session:
        scoring.update_settings(session, caller=ADMIN, values={"target_industries": ["I"], "employees_min": 10,
                                                               "qualify_threshold": 70, "target_regions": ["上海"]})
    ids = [add_lead(database, industry="65", region="上海", employees=50, budget=Decimal("1000.50"),
                    email=f"a{i}@example.com", owner_id="rep1") for i in range(5)]
    cold = add_lead(database, industry="01", email="cold@example.com")
    lost = add_lead(database, status=LOST, region='quote " and \\ backslash, comma')
    other_tenant = add_lead(database, tenant="t2")
    earlier = NOW - timedelta(hours=2)
    for n, lead_id in enumerate(ids):
        with database.session("t1") as session:
            scoring.record_behaviour(session, caller=SERVICE, kind="demo_attended" if n % 2 else "page_view",
                                     lead_id=lead_id, occurred_at=earlier, now=earlier)
    qualified_before = len(events(database, LeadQualified))
    with database.session("t1") as session:
        scoring.update_settings(session, caller=ADMIN, values={"qualify_threshold": 55, "hot_from": 60,
                                                               "warm_from": 55})

    result = rescoring.rescore_tenant(database, "t1", now=NOW)

    assert result.leads == 7 and result.skipped == 0
    with database.session("t1") as session:
        settings = scoring.get_settings(session)
        for lead_id in [*ids, cold, lost]:
            lead = session.get(Lead, lead_id)
            expected = scoring.default_score(scoring.LeadFeatures.of(lead, session.get(LeadActivity, lead_id)),
                                             settings, NOW)
            assert (lead.score, lead.temperature) == (expected.score, settings.temperature(expected.score))
            latest = session.scalars(select(ScoreRecord).where(ScoreRecord.lead_id == lead_id)
                                     .order_by(ScoreRecord.id.desc())).first()
            assert latest.score == lead.score
            assert {f.name: f.contribution for f in scoring.factors_from_json(latest.factors)} == \
                {f.name: f.contribution for f in expected.factors}
        statuses = {lead_id: session.get(Lead, lead_id).status for lead_id in ids}
        newly = [lead_id for lead_id in ids if statuses[lead_id] == QUALIFIED]
        assert newly and session.get(Lead, cold).status == OPEN and session.get(Lead, lost).status == LOST
        hot = [lead_id for lead_id in ids if session.get(Lead, lead_id).temperature == "hot"]
        assert hot
        for lead_id in hot:
            assert pending(session, scoring.FIRST_CONTACT, lead_id) == (NOW + timedelta(hours=24),
                                                                        {"hot_since": NOW.isoformat()})
    assert len(events(database, LeadQualified)) == qualified_before + result.qualified
    # the leads that only viewed a page were warm (>= 50) and are cold (< 55) now; `cold` was never warmer
    viewers = [lead_id for n, lead_id in enumerate(ids) if n % 2 == 0]
    assert sorted(event.lead_id for event in events(database, LeadNurture)) == sorted(viewers)
    with database.session("t2") as session:
        assert session.get(Lead, other_tenant).score == 0.0

    with database.session("t1") as session:
        count = session.scalar(select(func.count()).select_from(ScoreRecord))
    again = rescoring.rescore_tenant(database, "t1", now=NOW)
    assert (again.changed, again.qualified, again.nurtured) == (0, 0, 0)
    with database.session("t1") as session:
        assert session.scalar(select(func.count()).select_from(ScoreRecord)) == count

    # the deadlines the bulk path set fire like any other
    assert fire_due(database, TIMERS, now=NOW + timedelta(hours=25)) == len(hot)
    assert sorted(event.lead_id for event in events(database, LeadFirstContactOverdue)) == sorted(hot)


def test_a_lead_that_changes_while_the_rescoring_runs_is_left_alone(database):
    first = add_lead(database, email="1@example.com")
    second = add_lead(database, email="2@example.com")
    frame = rescoring._read_postgresql(database, "t1")
    with database.session("t1") as session:
        scoring.record_behaviour(session, caller=SERVICE, kind="contract_template_viewed", lead_id=second, now=NOW,
                                 occurred_at=NOW)
        fresh = session.get(Lead, second).score
    with database.session("t1") as session:
        settings = scoring.get_settings(session)
    result = rescoring._apply_postgresql(database, "t1", rescoring.plan(frame, settings, NOW), settings, NOW)
    assert result.skipped == 1
    with database.session("t1") as session:
        assert session.get(Lead, second).score == fresh
        assert session.get(Lead, first).score == 40.0


def test_behaviour_on_postgresql_writes_score_aggregates_and_history_at_once(database):
    lead_id = add_lead(database, email="b@example.com", owner_id="rep1")

    def behave(kind, minutes, key):
        at = NOW + timedelta(minutes=minutes)
        with database.session("t1") as session:
            return scoring.record_behaviour(session, caller=SERVICE, kind=kind, lead_id=lead_id, occurred_at=at,
                                            now=at, event_key=key)

    first = behave("page_view", 0, "a")
    again = behave("page_view", 1, "a")
    qualified = behave("contract_template_viewed", 2, "b")
    assert again.duplicate and not first.duplicate
    with database.session("t1") as session:
        lead = session.get(Lead, lead_id)
        activity = session.get(LeadActivity, lead_id)
        rows = session.scalars(select(ScoreRecord).where(ScoreRecord.lead_id == lead_id).order_by(ScoreRecord.id))
        assert (lead.score, lead.temperature, lead.status) == (qualified.score.score, "hot", QUALIFIED)
        assert lead.first_contact_due == NOW + timedelta(minutes=2, hours=24)
        assert (activity.page_view, activity.contract_template_viewed, activity.model) == (1, 1, "builtin")
        assert activity.qualified_at == NOW + timedelta(minutes=2)
        assert [row.score for row in rows] == [first.score.score, qualified.score.score]
        assert pending(session, scoring.FIRST_CONTACT, lead_id) is not None
    assert [event.lead_id for event in events(database, LeadQualified)] == [lead_id]


def test_behaviour_on_postgresql_is_recorded_only_in_the_callers_tenant(database):
    """The request path runs plain SQL on the driver's cursor, with the tenant conditions written out: another
    tenant's lead id is not found, and nothing of the event stays behind."""
    from services.core.errors import NotFound
    from services.leads.models import BehaviourEvent

    lead_id = add_lead(database, email="t@example.com", owner_id="rep1")
    other_tenant = make_caller(kind="service", subject="tracking", tenant="t2")
    with pytest.raises(NotFound), database.session("t2") as session:
        scoring.record_behaviour(session, caller=other_tenant, kind="demo_attended", lead_id=lead_id, event_key="x")
    with database.kernel_session() as session:
        assert session.scalar(select(func.count()).select_from(BehaviourEvent)) == 0
        assert session.get(LeadActivity, lead_id) is None
        assert session.get(Lead, lead_id).score == 0

    with database.session("t1") as session:
        scored = scoring.record_behaviour(session, caller=SERVICE, kind="demo_attended", lead_id=lead_id,
                                          event_key="x", now=NOW, occurred_at=NOW)
        assert scored.lead.tenant_id == "t1" and scored.lead not in session
    with database.session("t1") as session:
        assert session.get(LeadActivity, lead_id).demo_attended == 1
        assert session.get(Lead, lead_id).score == scored.score.score > 0


def test_behaviour_on_postgresql_is_the_first_thing_a_fresh_process_does(database):
    """A server's first RecordBehaviour may come before any ORM query has configured the mappers."""
    import subprocess
    import sys

    lead_id = add_lead(database, email="f@example.com", owner_id="rep1")
    script = (
        "import sys\n"
        "from services.core.db import Database\n"
        "from services.leads import scoring\n"
        "from tests.unit.services.conftest import make_caller\n"
        "database = Database('leads', sys.argv[1])\n"
        "with database.session('t1') as session:\n"
        "    scored = scoring.record_behaviour(session, caller=make_caller(kind='service'), kind='page_view',\n"
        "                                      lead_id=sys.argv[2], event_key='first')\n"
        "print(scored.activity.page_view)\n"
    )
    done = subprocess.run([sys.executable, "-c", script, database.url, lead_id], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "1"
