"""Batch import of leads on PostgreSQL (issue #4 item 2): a generated 1M-row CSV, end to end, next to raw COPY.

Prints, all measured in this run on this machine, in a database of its own:
1. raw COPY of the generated CSV file into a scratch table of text columns (no index);
2. raw COPY of the import's own final lead rows into a copy of the `lead` table with all its indexes: what the
   database takes for this schema at all;
3. `crm leads import FILE --tenant T --report R` run in-process (the same code as the command: read, validate,
   store in 50k-row chunk transactions with COPY, lead.imported events in the outbox, the report): rows/s and
   the ratio to raw COPY (target >= 50,000 rows/s);
4. the same command on a 100k-row xlsx file: seconds (target <= 30 s).

The CSV has realistic Chinese rows (names, companies, mobiles and landlines, industries written as codes, "I65" or
names), ~1.5% bad rows and ~1% repeats of an earlier row's phone.

Usage: python bench/lead_import.py [--rows 1000000] [--xlsx-rows 100000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
import uuid
from pathlib import Path

import numpy as np
import polars as pl
import psycopg
from click.testing import CliRunner

from services.core.db import Database
from services.core.migrate import upgrade
from services.core.runtime import load_definition
from services.leads import industries

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
HEADER = ["客户名称", "所属行业", "联系人", "联系电话", "电子邮箱", "所在地区", "员工人数", "预算", "渠道"]
SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈")
GIVEN = list("伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红娥玲芬燕彩春菊兰凤洁梅"
             "琳素云莲真环雪荣爱妹霞香月莺媛")
CITIES = ["北京", "上海", "广州", "深圳", "杭州", "南京", "成都", "武汉", "西安", "苏州", "天津", "重庆", "长沙",
          "郑州", "青岛", "宁波", "厦门", "合肥", "济南", "福州", "昆明", "沈阳", "大连", "无锡", "佛山", "东莞"]
BRANDS = list("华信达通恒泰盛兴联创新宏远鑫源科瑞安博智云海天明德")
TRADES = ["科技", "网络科技", "信息技术", "电子", "智能制造", "贸易", "建设工程", "医药", "物流", "文化传媒", "新能源"]
REGIONS = ["北京市", "上海市", "广东省深圳市", "广东省广州市", "浙江省杭州市", "江苏省南京市", "四川省成都市",
           "湖北省武汉市"]
CHANNELS = ["Baidu SEM", "Offline Expo A", "Referral", "官网表单", "电话营销", ""]
DOMAINS = ["qq.com", "163.com", "126.com", "sina.com", "example.cn", "corp.cn"]


def _amounts(rng: np.random.Generator, rows: int) -> np.ndarray:
    cents = pl.Series(rng.integers(1000, 10**8, rows))
    return ((cents // 100).cast(pl.String) + "." + (cents % 100).cast(pl.String).str.zfill(2)).to_numpy().astype(object)


def generate(rows: int, seed: int = 7) -> pl.DataFrame:
    rng = np.random.default_rng(seed)

    def pick(values: list[str], size: int = rows) -> np.ndarray:
        return np.asarray(values, dtype=object)[rng.integers(0, len(values), size)]

    names = pick(SURNAMES) + pick(GIVEN) + np.where(rng.random(rows) < 0.6, pick(GIVEN), "")
    companies = pick(CITIES) + pick(BRANDS) + pick(BRANDS) + pick(TRADES) + "有限公司"
    mobile = pl.Series(rng.integers(3, 10, rows)).cast(pl.String)
    phone = ("1" + mobile.to_numpy().astype(object)
             + pl.Series(rng.integers(0, 10**9, rows)).cast(pl.String).str.zfill(9).to_numpy().astype(object))
    landline = rng.random(rows) < 0.1
    phone = np.where(landline, "0" + pick(["10", "21", "755", "571", "20"]) + "-"
                     + pl.Series(rng.integers(2 * 10**7, 10**8, rows)).cast(pl.String).to_numpy().astype(object),
                     phone)
    letters = np.asarray(list("abcdefghijklmnopqrstuvwxyz"), dtype=object)
    local = letters[rng.integers(0, 26, rows)] + letters[rng.integers(0, 26, rows)] + letters[rng.integers(0, 26, rows)]
    email = np.where(rng.random(rows) < 0.6,
                     local + pl.Series(rng.integers(0, 10**7, rows)).cast(pl.String).to_numpy().astype(object)
                     + "@" + pick(DOMAINS), "")
    divisions = industries.divisions()
    choice = rng.integers(0, len(divisions), rows)
    style = rng.random(rows)
    codes = np.asarray([d.code for d in divisions], dtype=object)[choice]
    sections = np.asarray([d.section for d in divisions], dtype=object)[choice]
    names_zh = np.asarray([d.name_zh for d in divisions], dtype=object)[choice]
    industry = np.where(style < 0.5, codes, np.where(style < 0.7, sections + codes,
                        np.where(style < 0.9, names_zh, codes + " " + names_zh)))
    frame = pl.DataFrame({
        HEADER[0]: companies, HEADER[1]: industry, HEADER[2]: names, HEADER[3]: phone, HEADER[4]: email,
        HEADER[5]: pick(REGIONS), HEADER[6]: pl.Series(rng.integers(1, 5000, rows)).cast(pl.String),
        HEADER[7]: np.where(rng.random(rows) < 0.5, "", _amounts(rng, rows)),
        HEADER[8]: pick(CHANNELS),
    }, schema={name: pl.String for name in HEADER})
    # ~1% repeats: the phone of an earlier row; ~1.5% bad rows, one defect each.
    values = {name: frame[name].to_numpy().astype(object) for name in HEADER}
    repeat = np.flatnonzero(rng.random(rows) < 0.01)
    repeat = repeat[repeat > 0]
    values[HEADER[3]][repeat] = values[HEADER[3]][(rng.random(len(repeat)) * repeat).astype(np.int64)]
    bad = np.flatnonzero(rng.random(rows) < 0.015)
    defects = [(HEADER[3], "12345"), (HEADER[1], "未知行业"), (HEADER[4], "foo@"), (HEADER[2], ""), (HEADER[6], "很多")]
    for index, (column, value) in enumerate(defects):
        values[column][bad[index::len(defects)]] = value
    return pl.DataFrame({name: values[name] for name in HEADER}, schema={name: pl.String for name in HEADER})


def raw_copy_rate(dsn: str, path: Path, rows: int) -> float:
    with psycopg.connect(dsn) as connection:
        connection.execute("CREATE TABLE bench_raw (" + ", ".join(f'"c{i}" text' for i in range(len(HEADER))) + ")")
        connection.commit()
        started = time.perf_counter()
        with connection.cursor() as cursor, cursor.copy("COPY bench_raw FROM STDIN (FORMAT csv, HEADER)") as copy, \
                path.open("rb") as handle:
            while block := handle.read(1 << 20):
                copy.write(block)
        connection.commit()
        elapsed = time.perf_counter() - started
        connection.execute("DROP TABLE bench_raw")
        connection.commit()
    return rows / elapsed


def lead_table_copy_rate(dsn: str, frame: pl.DataFrame) -> tuple[float, int]:
    """COPY of the import's own lead rows (validated, keys and ids computed beforehand, not timed) into a copy of
    the `lead` table with all its indexes: what the database alone can take for this schema."""
    import io

    from services.core.db import utcnow
    from services.leads import importing

    buffer = io.BytesIO()
    frame.write_csv(buffer)
    prepared = importing.prepare(buffer.getvalue(), "csv")
    stamp = utcnow().isoformat()
    rows = importing._lead_rows(prepared.valid, "bench-ceiling").with_columns(created_at=pl.lit(stamp),
                                                                              updated_at=pl.lit(stamp))
    data = io.BytesIO()
    rows.write_csv(data, include_header=False)
    columns = ", ".join(f'"{name}"' for name in rows.columns)
    with psycopg.connect(dsn) as connection:
        connection.execute("CREATE TABLE leads.lead_ceiling (LIKE leads.lead INCLUDING ALL)")
        connection.commit()
        started = time.perf_counter()
        with connection.cursor() as cursor, cursor.copy(
            f"COPY leads.lead_ceiling ({columns}) FROM STDIN (FORMAT csv)"
        ) as copy:
            view = data.getbuffer()
            for offset in range(0, view.nbytes, 1 << 20):
                copy.write(view[offset:offset + (1 << 20)])
        connection.commit()
        elapsed = time.perf_counter() - started
        indexes = connection.execute("SELECT count(*) FROM pg_indexes WHERE tablename = 'lead_ceiling'").fetchone()[0]
        connection.execute("DROP TABLE leads.lead_ceiling")
        connection.commit()
    return rows.height / elapsed, indexes


def run_command(path: Path, tenant: str, report: Path) -> tuple[int, float]:
    from services.leads.commands import COMMANDS

    started = time.perf_counter()
    result = CliRunner().invoke(COMMANDS, ["import", str(path), "--tenant", tenant, "--report", str(report)])
    elapsed = time.perf_counter() - started
    if result.exit_code not in (0, 1):
        raise SystemExit(f"import failed ({result.exit_code}): {result.output} {result.exception!r}")
    return result.exit_code, elapsed


def write_xlsx(frame: pl.DataFrame, path: Path) -> None:
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, HEADER)
    for index, row in enumerate(frame.iter_rows(), start=1):
        sheet.write_row(index, 0, row)
    book.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--xlsx-rows", type=int, default=100_000)
    parser.add_argument("--keep", type=Path, help="Keep the generated files in this directory.")
    args = parser.parse_args()

    workdir = args.keep or Path(tempfile.mkdtemp(prefix="bench-lead-import-"))
    workdir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    frame = generate(args.rows)
    csv_path = workdir / f"leads-{args.rows}.csv"
    frame.write_csv(csv_path)
    print(f"generated {args.rows:,} rows ({csv_path.stat().st_size / 1e6:.0f} MB)"
          f" in {time.perf_counter() - started:.1f} s")

    name = f"bench_leads_import_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    try:
        database = Database("leads", url)
        upgrade(load_definition("leads"), database)
        database.dispose()
        os.environ["CRM_DATABASE_URL"] = url

        raw = raw_copy_rate(f"postgresql://postgres@127.0.0.1:5432/{name}", csv_path, args.rows)
        print(f"raw COPY of the CSV into a scratch table: {raw:,.0f} rows/s")

        ceiling, indexes = lead_table_copy_rate(f"postgresql://postgres@127.0.0.1:5432/{name}", frame)
        print(f"raw COPY of the same leads' final rows into the lead table ({indexes} indexes): {ceiling:,.0f} rows/s")

        code, elapsed = run_command(csv_path, "bench", workdir / "report.csv")
        rate = args.rows / elapsed
        rejected = sum(1 for _ in (workdir / "report.csv").open(encoding="utf-8")) - 1
        print(f"crm leads import (CSV, {args.rows:,} rows): {elapsed:.1f} s = {rate:,.0f} rows/s "
              f"(target >= 50,000), {rate / raw:.1%} of raw COPY; exit {code}, {rejected:,} row errors")

        xlsx_path = workdir / f"leads-{args.xlsx_rows}.xlsx"
        write_xlsx(generate(args.xlsx_rows, seed=11), xlsx_path)
        code, elapsed = run_command(xlsx_path, "bench-xlsx", workdir / "report-xlsx.csv")
        print(f"crm leads import (xlsx, {args.xlsx_rows:,} rows): {elapsed:.1f} s (target <= 30 s); exit {code}")
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
