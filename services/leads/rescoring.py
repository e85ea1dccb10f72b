"""Rescoring every lead of a tenant at once, and the won/lost history that predictive models learn from.

`rescore_tenant` scores all leads with the default model in one vectorised pass (scoring.score_frame over the
per-lead aggregates; no behaviour event is read) and writes back only what changed, with the same consequences
as scoring one lead (scoring.apply_consequences): history for changed scores, "qualified" and lead.qualified for
newly qualified leads, first-contact deadlines for leads that turned hot, lead.nurture for leads that turned cold.

On PostgreSQL it reads with COPY ... TO STDOUT, writes the plan with COPY into a temporary table and applies it
with set-based statements (UPDATE ... FROM, INSERT ... SELECT, ON CONFLICT); a lead that changed while the
rescoring ran (its row version, or its aggregates' row version, moved) is left alone: the change rescored it
already. On SQLite (laptops, unit tests) the same plan is applied row by row.

A tenant that chose a plugin model is rescored lead by lead through the plugin (scoring.rescore_lead), in
chunks of CHUNK leads per transaction.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import logging
import os
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import polars as pl
from google.protobuf.message import Message
from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.engine import Connection

from crm.events.v1.envelope_pb2 import Envelope
from services.core.db import Database, upsert_insert, utcnow
from services.core.events import new_envelope
from services.core.kernel_models import OutboxMessage
from services.core.plugins import BUILTIN, PluginHost, choice_for
from services.core.timers import schedule
from services.leads import scoring
from services.leads.models import (
    BEHAVIOUR_KINDS,
    COLD,
    CONVERTED,
    HOT,
    LOST,
    OPEN,
    QUALIFIED,
    Lead,
    LeadActivity,
    ScoreRecord,
)

log = logging.getLogger("crm.leads.rescoring")

CHUNK = 500
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

# What is read per lead (epochs in seconds as float, NULL when unset).
READ_SCHEMA = {
    "id": pl.String, "version": pl.String, "status": pl.String, "score": pl.Float64, "temperature": pl.String,
    "industry": pl.String, "region": pl.String, "employees": pl.Int64, "budget": pl.Float64,
    "first_contact_due": pl.Float64, **{kind: pl.Int64 for kind in BEHAVIOUR_KINDS}, "interactions": pl.Float64,
    "interactions_at": pl.Float64, "last_event_at": pl.Float64, "scored_at": pl.Float64, "model": pl.String,
    "qualified_at": pl.Float64, "last_nurture_at": pl.Float64,
}
PLAN_COLUMNS = ("id", "version", "score", "temperature", "status", "first_contact_due", "changed", "qualify",
                "turned_hot", "new_deadline", "nurture", "touch", "previous", "factors")


@dataclass(frozen=True)
class RescoreResult:
    leads: int = 0
    changed: int = 0
    qualified: int = 0
    turned_hot: int = 0
    nurtured: int = 0
    skipped: int = 0  # changed by someone else while the rescoring ran (PostgreSQL)
    model: str = BUILTIN
    seconds: float = 0.0
    phases: tuple[tuple[str, float], ...] = ()  # (step, seconds), for benchmarks and logs


class _Clock:
    """Seconds spent per step."""

    def __init__(self) -> None:
        self.steps: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, step: str) -> None:
        now = time.perf_counter()
        self.steps[step] = self.steps.get(step, 0.0) + now - self._last
        self._last = now


def rescore_tenant(
    database: Database, tenant: str, *, plugins: PluginHost | None = None, now: datetime | None = None
) -> RescoreResult:
    started = time.perf_counter()
    clock = _Clock()
    now = now or utcnow()
    with database.session(tenant) as session:
        settings = scoring.get_settings(session)
        choice = choice_for(session, scoring.SCORE_HOOK)
    if choice.plugin != BUILTIN:
        result = _rescore_one_by_one(database, tenant, plugins=plugins, now=now, model=choice.plugin)
    else:
        frame = _read_postgresql(database, tenant) if database.is_postgresql else _read_generic(database, tenant)
        clock.lap("read")
        planned = plan(frame, settings, now)
        clock.lap("model")
        apply = _apply_postgresql if database.is_postgresql else _apply_generic
        result = dataclasses.replace(apply(database, tenant, planned, settings, now, clock), leads=len(frame))
    result = dataclasses.replace(result, seconds=time.perf_counter() - started, phases=tuple(clock.steps.items()))
    log.info("rescored %d leads of %s in %.1fs: %s", result.leads, tenant, result.seconds, result)
    return result


# --- the plan (vectorised; the same decisions as scoring.rescore_lead/apply_consequences) -----------------------------


def _from_epoch(column: str) -> pl.Expr:
    return pl.from_epoch((pl.col(column) * 1e6).round().cast(pl.Int64), time_unit="us").dt.replace_time_zone("UTC")


def plan(frame: pl.DataFrame, settings: scoring.ScoringSettings, now: datetime) -> pl.DataFrame:
    """Score every row and decide what to write: one row per lead with PLAN_COLUMNS, only leads that need a write."""
    frame = frame.rename({"score": "old_score", "temperature": "old_temperature"}).with_columns(
        [pl.col(kind).fill_null(0) for kind in BEHAVIOUR_KINDS]
        + [pl.col("interactions").fill_null(0.0), pl.col("employees").fill_null(0),
           pl.col("industry").fill_null(""), pl.col("region").fill_null(""),
           _from_epoch("interactions_at").alias("interactions_at"),
           _from_epoch("last_event_at").alias("last_event_at")]
    )
    now_s = (now - EPOCH).total_seconds()
    other_model = pl.col("model").is_not_null() & (pl.col("model") != "") & (pl.col("model") != BUILTIN)
    qualify = (pl.col("status") == OPEN) & (pl.col("score") >= settings.qualify_threshold) \
        & pl.col("qualified_at").is_null()
    status = pl.when(qualify).then(pl.lit(QUALIFIED)).otherwise(pl.col("status"))
    worked = status.is_in([OPEN, QUALIFIED])
    moved = pl.col("temperature") != pl.col("old_temperature")
    turned_hot = worked & moved & (pl.col("temperature") == HOT)
    deadline_free = pl.col("first_contact_due").is_null() | (pl.col("first_contact_due") <= now_s)
    interval = timedelta(days=settings.nurture_interval_days).total_seconds()
    nurture = worked & moved & (pl.col("temperature") == COLD) & (status == OPEN) \
        & (pl.col("last_nurture_at").is_null() | (now_s - pl.col("last_nurture_at") >= interval))
    changed = (pl.col("score") != pl.col("old_score")) | (pl.col("temperature") != pl.col("old_temperature")) \
        | other_model
    due = now_s + settings.first_contact_hours * 3600.0
    return (
        scoring.score_frame(frame, settings, now)
        .with_columns(
            changed=changed, qualify=qualify, turned_hot=turned_hot, new_deadline=turned_hot & deadline_free,
            nurture=nurture, status=status, previous=pl.col("old_temperature"),
            # lead_activity is written only when its scoring state changes
            touch=other_model | qualify | turned_hot | nurture,
        )
        .with_columns(
            first_contact_due=pl.when(pl.col("new_deadline")).then(pl.lit(due)).otherwise(pl.col("first_contact_due")),
        )
        .filter(pl.col("changed") | pl.col("qualify"))
        .select(PLAN_COLUMNS)
    )


# --- PostgreSQL: COPY out, COPY the plan in, set-based statements ----------------------------------------------------


def _epoch(column: str, alias: str | None = None) -> str:
    return f"extract(epoch from {column})::float8 AS {alias or column.split('.')[-1]}"


def _read_postgresql(database: Database, tenant: str) -> pl.DataFrame:
    counts = ", ".join(f"a.{kind}" for kind in BEHAVIOUR_KINDS)
    query = (
        "SELECT l.id, l.xmin::text || ':' || coalesce(a.xmin::text, '') AS version, l.status, l.score,"
        " l.temperature, l.industry, l.region, l.employees, l.budget::float8 AS budget,"
        f" {_epoch('l.first_contact_due')}, {counts}, a.interactions, {_epoch('a.interactions_at')},"
        f" {_epoch('a.last_event_at')},"
        f" {_epoch('a.scored_at')}, a.model, {_epoch('a.qualified_at')}, {_epoch('a.last_nurture_at')}"
        " FROM lead l LEFT JOIN lead_activity a ON a.lead_id = l.id WHERE l.tenant_id = {tenant}"
    )
    buffer = io.BytesIO()
    with database.engine.connect() as connection:
        driver = connection.connection.driver_connection
        from psycopg import sql

        statement = sql.SQL("COPY (" + query + ") TO STDOUT (FORMAT csv, HEADER)").format(tenant=sql.Literal(tenant))
        with driver.cursor() as cursor, cursor.copy(statement) as copy:
            for block in copy:
                buffer.write(block)
        connection.rollback()
    buffer.seek(0)
    return pl.read_csv(buffer, schema=READ_SCHEMA)


def _apply_postgresql(
    database: Database, tenant: str, planned: pl.DataFrame, settings: scoring.ScoringSettings, now: datetime,
    clock: _Clock | None = None,
) -> RescoreResult:
    clock = clock or _Clock()
    if planned.is_empty():
        return RescoreResult()
    plan_csv = planned.drop("factors").with_columns(
        first_contact_due=_from_epoch("first_contact_due").dt.strftime("%Y-%m-%d %H:%M:%S%.6f+00"),
    ).write_csv(include_header=False, null_value="").encode()
    stamp = now.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f+00")
    history_csv = planned.filter(pl.col("changed")).select(
        pl.lit(tenant).alias("tenant_id"), "id", "score", "temperature", pl.lit(BUILTIN).alias("model"), "factors",
        pl.lit(stamp).alias("scored_at"),
    ).write_csv(include_header=False, null_value="").encode()
    clock.lap("plan csv")
    params = {"tenant": tenant, "now": now, "model": BUILTIN}
    with database.batch() as connection:
        driver = connection.connection.driver_connection
        with driver.cursor() as cursor:
            cursor.execute(
                "CREATE TEMP TABLE rescore_plan (id text, version text, score float8, temperature text, status text,"
                " first_contact_due timestamptz, changed bool, qualify bool, turned_hot bool, new_deadline bool,"
                " nurture bool, touch bool, previous text) ON COMMIT DROP"
            )
            with cursor.copy("COPY rescore_plan FROM STDIN (FORMAT csv)") as copy:
                copy.write(plan_csv)
            cursor.execute("ANALYZE rescore_plan")
            cursor.execute("CREATE TEMP TABLE rescore_done (id text) ON COMMIT DROP")
            clock.lap("copy plan")
            cursor.execute(
                "WITH updated AS (UPDATE lead SET score = p.score, temperature = p.temperature, status = p.status,"
                " first_contact_due = p.first_contact_due, updated_at = %(now)s"
                " FROM rescore_plan p LEFT JOIN lead_activity a ON a.lead_id = p.id"
                " WHERE lead.id = p.id AND lead.tenant_id = %(tenant)s"
                " AND lead.xmin::text || ':' || coalesce(a.xmin::text, '') = p.version RETURNING lead.id)"
                " INSERT INTO rescore_done SELECT id FROM updated",
                params,
            )
            cursor.execute("ANALYZE rescore_done")
            clock.lap("update leads")
            # History straight into its table; a lead that changed meanwhile (rare) gets its row taken back below.
            with cursor.copy("COPY lead_score (tenant_id, lead_id, score, temperature, model, factors, scored_at)"
                             " FROM STDIN (FORMAT csv)") as copy:
                copy.write(history_csv)
            cursor.execute("SELECT count(*), count(*) FILTER (WHERE p.changed)"
                           " FROM rescore_plan p JOIN rescore_done USING (id)")
            written, changed = cursor.fetchone()
            if written < len(planned):
                cursor.execute(
                    "DELETE FROM lead_score s USING (SELECT id FROM rescore_plan EXCEPT SELECT id FROM rescore_done) k"
                    " WHERE s.tenant_id = %(tenant)s AND s.lead_id = k.id AND s.scored_at = %(now)s"
                    " AND s.model = %(model)s",
                    params,
                )
            clock.lap("history")
            cursor.execute(
                "INSERT INTO lead_activity (tenant_id, lead_id, scored_at, model, qualified_at, hot_since,"
                " last_nurture_at)"
                " SELECT %(tenant)s, p.id, %(now)s, %(model)s, CASE WHEN p.qualify THEN %(now)s END,"
                " CASE WHEN p.turned_hot THEN %(now)s END, CASE WHEN p.nurture THEN %(now)s END"
                " FROM rescore_plan p JOIN rescore_done USING (id) WHERE p.touch"
                " ON CONFLICT (lead_id) DO UPDATE SET scored_at = EXCLUDED.scored_at, model = EXCLUDED.model,"
                " qualified_at = coalesce(lead_activity.qualified_at, EXCLUDED.qualified_at),"
                " hot_since = coalesce(EXCLUDED.hot_since, lead_activity.hot_since),"
                " last_nurture_at = coalesce(EXCLUDED.last_nurture_at, lead_activity.last_nurture_at)",
                params,
            )
            clock.lap("aggregates")
            # The first-contact deadlines, set-based: what services.core.timers.schedule does row by row (one
            # pending timer per tenant, kind and key; scheduling again replaces it).
            cursor.execute(
                "INSERT INTO crm_timer (tenant_id, kind, key, due_at, payload, attempts, last_error, created_at)"
                " SELECT %(tenant)s, %(kind)s, p.id, p.first_contact_due,"
                " json_build_object('hot_since', %(iso)s::text), 0, NULL, %(now)s"
                " FROM rescore_plan p JOIN rescore_done USING (id) WHERE p.new_deadline"
                " ON CONFLICT (tenant_id, kind, key) DO UPDATE SET due_at = EXCLUDED.due_at,"
                " payload = EXCLUDED.payload, attempts = 0, last_error = NULL",
                {**params, "kind": scoring.FIRST_CONTACT, "iso": now.isoformat()},
            )
            clock.lap("timers")
            cursor.execute(
                "SELECT l.id, l.name, l.company, l.email, l.phone, l.channel, l.owner_id, l.customer_id, l.score,"
                " l.industry, l.region, l.status, p.qualify, p.new_deadline, p.nurture, p.previous,"
                " p.first_contact_due, p.turned_hot"
                " FROM rescore_plan p JOIN rescore_done USING (id) JOIN lead l ON l.id = p.id"
                " WHERE p.qualify OR p.new_deadline OR p.nurture OR p.turned_hot"
            )
            consequences = cursor.fetchall()
        clock.lap("consequences read")
        counts = _announce(database, connection, tenant, consequences, settings, now, timers=False)
        clock.lap("events")
    clock.lap("commit")
    return RescoreResult(changed=changed, skipped=len(planned) - written, **counts)


class _Row:
    """The lead fields the events carry (a Lead-like view of a result row)."""

    def __init__(self, values: tuple):
        (self.id, self.name, self.company, self.email, self.phone, self.channel, self.owner_id, self.customer_id,
         self.score, self.industry, self.region, self.status) = values[:12]


def _announce(
    database: Database, connection: Connection, tenant: str, rows: Iterable[tuple],
    settings: scoring.ScoringSettings, now: datetime, *, timers: bool = True,
) -> dict[str, int]:
    """Events (and, unless the caller set them already, first-contact timers) for the leads the plan qualified,
    heated or cooled."""
    payloads: list[Message] = []
    counts = {"qualified": 0, "turned_hot": 0, "nurtured": 0}
    with database.session_on(connection, tenant) as session:
        for values in rows:
            lead = _Row(values)
            qualify, new_deadline, nurture, previous, due, turned_hot = values[12:18]
            if qualify:
                payloads.append(scoring.qualified_event(lead, settings, BUILTIN))
                counts["qualified"] += 1
            if turned_hot:
                counts["turned_hot"] += 1
            if new_deadline and timers:
                schedule(session, kind=scoring.FIRST_CONTACT, key=lead.id, due_at=due,
                         payload={"hot_since": now.isoformat()})
            if nurture:
                payloads.append(scoring.nurture_event(lead, previous))
                counts["nurtured"] += 1
        emit_many(connection, tenant, payloads)
    scoring.LEADS_QUALIFIED.inc(counts["qualified"])
    return counts


def _uuid7s(count: int) -> list[str]:
    """`count` UUIDv7 (RFC 9562) in increasing order: this millisecond, a counter in the 42 bits after it, 32 random
    bits. services.core.ids.new_id makes one at a time and costs more than the rest of an event here."""
    stamp = int(time.time() * 1000) << 80 | 7 << 76 | 2 << 62
    noise = os.urandom(4 * count)
    ids = []
    for n in range(count):
        text = f"{stamp | (n >> 30) << 64 | (n & (2**30 - 1)) << 32 | int.from_bytes(noise[4 * n:4 * n + 4]):032x}"
        ids.append(f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}")
    return ids


def emit_many(connection: Connection, tenant: str, payloads: list[Message], batch: int = 5000) -> None:
    """services.core.events.emit for many payloads: the same Envelope and outbox row per event (built from one
    template per event type, with ids made in bulk), written with COPY on PostgreSQL."""
    table = OutboxMessage.__table__
    created = utcnow()
    templates: dict[type, Envelope] = {}
    rows = []
    for payload, event_id in zip(payloads, _uuid7s(len(payloads)), strict=True):
        template = templates.get(type(payload))
        if template is None:
            template = templates[type(payload)] = new_envelope(payload, tenant_id=tenant, producer=scoring.PRODUCER)
        envelope = Envelope()
        envelope.CopyFrom(template)
        envelope.id = event_id
        envelope.correlation_id = envelope.correlation_id if envelope.causation_id else event_id
        envelope.payload.Pack(payload)
        rows.append((event_id, envelope.type, tenant, envelope.SerializeToString(deterministic=True), created))
    if not rows:
        return
    if connection.dialect.name == "postgresql":
        with connection.connection.driver_connection.cursor() as cursor, cursor.copy(
            "COPY crm_outbox (id, event_type, tenant_id, body, created_at) FROM STDIN (FORMAT BINARY)"
        ) as copy:
            copy.set_types(["varchar", "varchar", "varchar", "bytea", "timestamptz"])
            for row in rows:
                copy.write_row(row)
        return
    names = ("id", "event_type", "tenant_id", "body", "created_at")
    for start in range(0, len(rows), batch):
        connection.execute(insert(table), [dict(zip(names, row, strict=True)) for row in rows[start:start + batch]])


# --- SQLite (and any database): the same plan, row by row ---------------------------------------------------------


def _epoch_of(moment: datetime | None) -> float | None:
    return None if moment is None else (moment - EPOCH).total_seconds()


def _read_generic(database: Database, tenant: str) -> pl.DataFrame:
    rows = []
    with database.session(tenant) as session:
        query = select(Lead, LeadActivity).outerjoin(LeadActivity, LeadActivity.lead_id == Lead.id)
        for lead, activity in session.execute(query):
            row = {
                "id": lead.id, "version": lead.updated_at.isoformat(), "status": lead.status, "score": lead.score,
                "temperature": lead.temperature, "industry": lead.industry, "region": lead.region,
                "employees": lead.employees, "budget": None if lead.budget is None else float(lead.budget),
                "first_contact_due": _epoch_of(lead.first_contact_due),
            }
            row.update({kind: getattr(activity, kind) if activity else None for kind in BEHAVIOUR_KINDS})
            row.update({
                "interactions": activity.interactions if activity else None,
                "interactions_at": _epoch_of(activity.interactions_at) if activity else None,
                "last_event_at": _epoch_of(activity.last_event_at) if activity else None,
                "scored_at": _epoch_of(activity.scored_at) if activity else None,
                "model": activity.model if activity else None,
                "qualified_at": _epoch_of(activity.qualified_at) if activity else None,
                "last_nurture_at": _epoch_of(activity.last_nurture_at) if activity else None,
            })
            rows.append(row)
    return pl.DataFrame(rows, schema=READ_SCHEMA)


def _apply_generic(
    database: Database, tenant: str, planned: pl.DataFrame, settings: scoring.ScoringSettings, now: datetime,
    clock: _Clock | None = None,
) -> RescoreResult:
    if planned.is_empty():
        return RescoreResult()
    rows = planned.to_dicts()
    with database.batch() as connection, database.session_on(connection, tenant) as session:
        session.connection().execute(
            update(Lead.__table__).where(Lead.__table__.c.id == bindparam("lead_id"),
                                         Lead.__table__.c.tenant_id == tenant),
            [{"lead_id": row["id"], "score": row["score"], "temperature": row["temperature"], "status": row["status"],
              "first_contact_due": None if row["first_contact_due"] is None
              else EPOCH + timedelta(seconds=row["first_contact_due"]), "updated_at": now} for row in rows],
        )
        history = [row for row in rows if row["changed"]]
        if history:
            session.connection().execute(insert(ScoreRecord.__table__), [
                {"tenant_id": tenant, "lead_id": row["id"], "score": row["score"], "temperature": row["temperature"],
                 "model": BUILTIN, "factors": _json_list(row["factors"]), "scored_at": now} for row in history
            ])
        table = LeadActivity.__table__
        for row in (row for row in rows if row["touch"]):
            values = {"tenant_id": tenant, "lead_id": row["id"], "scored_at": now, "model": BUILTIN,
                      "qualified_at": now if row["qualify"] else None,
                      "hot_since": now if row["turned_hot"] else None,
                      "last_nurture_at": now if row["nurture"] else None}
            statement = upsert_insert(session)(table).values(**values)
            changes = {"scored_at": now, "model": BUILTIN}
            changes.update({name: values[name] for name in ("qualified_at", "hot_since", "last_nurture_at")
                            if values[name] is not None})
            session.connection().execute(statement.on_conflict_do_update(index_elements=[table.c.lead_id],
                                                                         set_=changes))
        wanted = {row["id"]: row for row in rows
                  if row["qualify"] or row["new_deadline"] or row["nurture"] or row["turned_hot"]}
        details = []
        if wanted:
            for lead in session.scalars(select(Lead).where(Lead.id.in_(list(wanted)))):
                row = wanted[lead.id]
                due = EPOCH + timedelta(seconds=row["first_contact_due"]) if row["first_contact_due"] else None
                details.append((lead.id, lead.name, lead.company, lead.email, lead.phone, lead.channel, lead.owner_id,
                                lead.customer_id, lead.score, lead.industry, lead.region, lead.status, row["qualify"],
                                row["new_deadline"], row["nurture"], row["previous"], due, row["turned_hot"]))
        session.flush()
        counts = _announce(database, connection, tenant, details, settings, now)
    return RescoreResult(changed=len(history), **counts)


def _json_list(text: str) -> list:
    return json.loads(text)


# --- a tenant that chose a plugin: lead by lead -----------------------------------------------------------------------


def _rescore_one_by_one(
    database: Database, tenant: str, *, plugins: PluginHost | None, now: datetime, model: str
) -> RescoreResult:
    with database.session(tenant) as session:
        ids = list(session.scalars(select(Lead.id).order_by(Lead.id)))
    changed = qualified = hot = nurtured = 0
    for start in range(0, len(ids), CHUNK):
        with database.session(tenant) as session:
            settings = scoring.get_settings(session)
            for lead in session.scalars(select(Lead).where(Lead.id.in_(ids[start:start + CHUNK]))
                                        .with_for_update()):
                before = (lead.score, lead.temperature, lead.status)
                activity = session.get(LeadActivity, lead.id)
                nurture_before = activity.last_nurture_at if activity else None
                scoring.rescore_lead(session, lead=lead, activity=activity, plugins=plugins, now=now,
                                     settings=settings)
                changed += (lead.score, lead.temperature) != before[:2]
                qualified += before[2] != lead.status and lead.status == QUALIFIED
                hot += before[1] != HOT and lead.temperature == HOT
                activity = session.get(LeadActivity, lead.id)
                nurtured += activity is not None and activity.last_nurture_at != nurture_before
    return RescoreResult(leads=len(ids), changed=changed, qualified=qualified, turned_hot=hot, nurtured=nurtured,
                         model=model)


# --- won/lost history ---------------------------------------------------------------------------------------------

HISTORY_COLUMNS = ("lead_id", "created_at", "decided_at", "outcome", "industry", "region", "employees", "budget",
                   "channel", *BEHAVIOUR_KINDS, "interactions")
OUTCOMES = {CONVERTED: "won", LOST: "lost"}


def export_history(database: Database, tenant: str, output: Path | io.TextIOBase) -> int:
    """Write the tenant's decided leads (converted = won, lost = lost) as CSV with HISTORY_COLUMNS; returns the count.

    `decided_at` is the lead's last change (the status change that decided it, unless it changed after);
    `interactions` is the decayed interaction count as of that moment, so a model learns from what was known then.
    Counts are all behaviour recorded for the lead (behaviour after the decision is rare and not separated).
    """
    rows = 0
    handle = output.open("w", newline="", encoding="utf-8") if isinstance(output, Path) else output
    try:
        writer = csv.writer(handle)
        writer.writerow(HISTORY_COLUMNS)
        with database.session(tenant) as session:
            query = (select(Lead, LeadActivity).outerjoin(LeadActivity, LeadActivity.lead_id == Lead.id)
                     .where(Lead.status.in_(list(OUTCOMES))).order_by(Lead.created_at, Lead.id))
            for lead, activity in session.execute(query).yield_per(5000):
                decided = lead.updated_at or lead.created_at
                counts = [getattr(activity, kind) if activity else 0 for kind in BEHAVIOUR_KINDS]
                interactions = scoring.decayed(activity.interactions, activity.interactions_at, decided) \
                    if activity else 0.0
                writer.writerow([
                    lead.id, lead.created_at.isoformat(), decided.isoformat(), OUTCOMES[lead.status], lead.industry,
                    lead.region, lead.employees, "" if lead.budget is None else str(lead.budget), lead.channel,
                    *counts, f"{interactions:.4f}",
                ])
                rows += 1
    finally:
        if isinstance(output, Path):
            handle.close()
    return rows
