"""Column types of the kernel (services/core/db.py)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import Column, Integer, MetaData, Table, create_engine, insert, select

from services.core.db import UTCDateTime

SHANGHAI = timezone(timedelta(hours=8))


def test_a_zoned_timestamp_reads_back_as_the_same_instant_on_sqlite(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'types.db'}")
    table = Table("t", MetaData(), Column("id", Integer, primary_key=True), Column("at", UTCDateTime()))
    table.metadata.create_all(engine)
    written = datetime(2026, 11, 24, 10, 0, tzinfo=SHANGHAI)
    with engine.begin() as connection:
        connection.execute(insert(table).values(id=1, at=written))
        read = connection.scalar(select(table.c.at))
    assert read == written  # the same instant: 02:00 UTC, not 10:00 UTC
    assert read.utcoffset() == timedelta(0)
