"""Batch import of leads on PostgreSQL: the COPY path (leads, row errors, the file's pieces, lead.imported events
in the outbox), repeats of stored leads, a chunk that fails and the job resumed by its timer (issue #4, item 2)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import func, select

from crm.events.v1.envelope_pb2 import Envelope
from crm.events.v1.leads_pb2 import LeadsImported
from services.core.auth import Caller
from services.core.db import Database
from services.core.events import unpack
from services.core.kernel_models import OutboxMessage
from services.core.migrate import upgrade
from services.core.runtime import load_definition
from services.core.timers import fire_due
from services.leads import importing, leads
from services.leads.models import ImportFileChunk, ImportJob, ImportRowError, Lead
from services.leads.timers import TIMERS
from tests.integration.helpers import new_tenant

pytestmark = pytest.mark.integration

HEADER = "客户名称,所属行业,联系人,联系电话,电子邮箱,所在地区,员工人数,预算,渠道"


@pytest.fixture
def database(pg_url: str) -> Iterator[Database]:
    database = Database("leads", pg_url)
    upgrade(load_definition("leads"), database)
    yield database
    database.dispose()


def manager(tenant: str) -> Caller:
    return Caller(tenant_id=tenant, subject="boss", kind="user", roles=frozenset({"manager"}))


def test_copy_path_events_repeats_and_a_resumed_job(database, monkeypatch):
    tenant = new_tenant()
    with database.session(tenant) as session:
        existing = leads.create_lead(session, tenant=tenant, caller=manager(tenant), name="老客户", channel="Web",
                                     phone="13900139000").id
    monkeypatch.setattr(importing, "CHUNK_ROWS", 4)
    monkeypatch.setattr(importing, "EVENT_LEADS", 3)
    rows = [f"公司{i},I65,联系人{i},1380013{i:04d},p{i}@example.cn,深圳,{i},{i}.50," for i in range(9)]
    rows += ["坏公司,99,坏人,13700137000,,,,,", "老客户公司,65,老客户,+86 139 0013 9000,,,,,",
             "重复,65,重复,13800130000,,,,,", '"引号, 公司",65,"王""芳",13600136000,,,,,Expo']
    content = ("\ufeff" + HEADER + "\n" + "\n".join(rows) + "\n").encode()
    with database.session(tenant) as session:
        job_id = importing.start_import(session, caller=manager(tenant), file_name="leads.csv", content=content).id
        assert session.scalar(select(func.count()).select_from(ImportFileChunk)) == 1

    # The timer runs chunk after chunk; the second fails after its COPY of leads and events: nothing of it stays.
    store_errors, calls = importing._store_errors, []

    def failing_second_time(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise OSError("crash")
        return store_errors(*args, **kwargs)

    monkeypatch.setattr(importing, "_store_errors", failing_second_time)
    assert fire_due(database, TIMERS) == 1  # the first chunk; the second is put back with a back-off
    with database.session(tenant) as session:
        assert session.scalar(select(func.count()).select_from(Lead)) == 1 + 4
        assert session.get(ImportJob, job_id).cursor == 4
    monkeypatch.setattr(importing, "_store_errors", store_errors)
    importing.forget_all()  # a restart: the file is read back from its pieces
    from datetime import timedelta

    from services.core.db import utcnow

    fire_due(database, TIMERS, now=utcnow() + timedelta(hours=2))

    with database.session(tenant) as session:
        job = session.get(ImportJob, job_id)
        assert (job.status, job.total_rows, job.imported_rows, job.rejected_rows) == ("succeeded", 13, 10, 3)
        stored = {lead.phone: lead for lead in session.scalars(select(Lead).where(Lead.id != existing))}
        assert len(stored) == 10
        quoted = stored["13600136000"]
        assert (quoted.company, quoted.name, quoted.channel, quoted.industry) == ("引号, 公司", '王"芳', "Expo", "65")
        first = stored["13800130001"]
        assert (first.email_key, first.employees, str(first.budget), first.channel, first.region, first.status) == (
            "p1@example.cn", 1, "1.50", "import", "深圳", "open")
        assert first.created_at is not None and first.tenant_id == tenant
        errors = [(e.row_no, e.column_name, e.reason) for e in session.scalars(
            select(ImportRowError).where(ImportRowError.job_id == job_id).order_by(ImportRowError.row_no))]
        assert errors == [(11, "所属行业", "is not a GB/T 4754 industry division"),
                          (12, "联系电话", f"repeats lead {existing}"),
                          (13, "联系电话", "repeats row 2 of this file")]
        assert session.scalar(select(func.count()).select_from(ImportFileChunk)) == 0
    with database.kernel_session() as session:
        bodies = session.scalars(select(OutboxMessage.body).where(OutboxMessage.event_type == "lead.imported")).all()
    announced = [lead for body in bodies for lead in unpack(Envelope.FromString(body), LeadsImported).leads]
    assert sorted(lead.lead_id for lead in announced) == sorted(lead.id for lead in stored.values())
    assert {lead.name for lead in announced} >= {'王"芳', "联系人0"}


def test_the_command_imports_a_file_on_postgresql(database, pg_url, tmp_path, monkeypatch):
    from click.testing import CliRunner

    from services.leads.commands import COMMANDS

    for name in [name for name in __import__("os").environ if name.startswith("CRM_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("CRM_DATABASE_URL", pg_url)
    tenant = new_tenant()
    path = tmp_path / "leads.csv"
    path.write_bytes((HEADER + "\n蓝海,65,王芳,13800138000,,,,,\n坏,65,,13800138001,,,,,\n").encode("gbk"))
    report = tmp_path / "report.csv"
    result = CliRunner().invoke(COMMANDS, ["import", str(path), "--tenant", tenant, "--report", str(report)])
    assert result.exit_code == 1, result.output
    assert report.read_text(encoding="utf-8").splitlines() == ["row,column,reason", "3,联系人,is required"]
    with database.session(tenant) as session:
        assert session.scalars(select(Lead.name)).all() == ["王芳"]
        assert session.scalar(select(func.count()).select_from(ImportFileChunk)) == 0
