"""Batch import of leads from CSV or xlsx (R-LEAD-2, R-LEAD-3).

A file goes through three stages:
1. read (`read_table`): format from the name, encoding (UTF-8 with or without BOM, GB18030/GBK as Chinese Excel
   writes it, UTF-16 "Unicode text"), delimiter, the header row (the first of the first ten rows that names every
   required column, in Chinese or English) and each data row's number as a spreadsheet shows it. A file that
   cannot be used as a whole raises UnusableFile;
2. validate (`validate`), vectorised with polars over the whole file: required fields, formats, lengths, the
   industry through GB/T 4754 (industries.resolve_industry), and repeats of an earlier valid row of the same file
   (same phone or e-mail key);
3. store, chunk by chunk (`run_chunk`): rows that repeat a lead the tenant is still working on are rejected
   naming it; the others are written with PostgreSQL COPY (a bulk INSERT on SQLite), with their `lead.imported`
   events (up to 1000 leads each) in the outbox, their row errors and the job's progress, in one transaction.
   A crash repeats at most the chunk that did not commit; no row is ever stored twice.

The uploaded file lives in `import_file_chunk` until the job finishes, so any replica (or the same one after a
restart) can resume a job. Parsing and validating the whole file happen once per process: the result is cached for
the next chunks. Jobs started through the API advance by the durable timer kind "import" (one chunk per firing,
rescheduled until done); the CLI runs the same chunks in a loop.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
import threading
import time
import unicodedata
import zipfile
from collections import OrderedDict
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from xml.etree import ElementTree

import numpy as np
import polars as pl
from sqlalchemy import delete, func, insert, select, text
from sqlalchemy.orm import Session

from crm.events.v1.leads_pb2 import LeadsImported
from services.core.auth import Caller
from services.core.db import OUTBOX_WRITTEN, TENANT, utcnow
from services.core.errors import EMAIL, FieldViolation, InvalidArgument, NotFound, Validator
from services.core.events import emit, new_envelope, unpack
from services.core.i18n import Text, t
from services.leads import industries
from services.leads.leads import LEADS_CREATED, WORKED_ON
from services.leads.models import OPEN, ImportFileChunk, ImportJob, ImportRowError, Lead

QUEUED, RUNNING, SUCCEEDED, FAILED = "queued", "running", "succeeded", "failed"
FORMATS = ("csv", "xlsx")
IMPORT_ROLES = ("manager", "admin", "marketing")
READ_ROLES = ("manager", "admin", "marketing", "auditor")
TIMER_KIND = "import"

CHUNK_ROWS = 50_000  # rows per transaction
EVENT_LEADS = 1000  # leads per lead.imported event
ANALYZE_AFTER_ROWS = 10_000  # a job that adds this many leads refreshes the planner's statistics (PostgreSQL)
FILE_PIECE_BYTES = 1 << 20  # bytes per import_file_chunk row
MAX_FILE_BYTES = 256 << 20
HEADER_SEARCH_ROWS = 10
MAX_EMPLOYEES = 10_000_000
DEFAULT_CHANNEL = "import"
MAX_KEYS_IN_MEMORY = 5_000_000  # stored leads whose keys a job holds in memory; more are looked up per chunk
_CACHED_JOBS = 2


# --- the template's columns ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    key: str  # the Lead attribute
    zh: str
    en: str
    required: bool = False
    max_length: int = 0  # characters; 0: not a text column
    aliases: tuple[str, ...] = ()
    note_zh: str = ""
    note_en: str = ""
    example: str = ""

    def header(self, separator: str = " / ") -> str:
        mark = "*" if self.required else ""
        return f"{self.zh}{mark}{separator}{self.en}{mark}"


COLUMNS = (
    Column("company", "客户名称", "Customer name", True, 200, ("公司", "公司名称", "企业名称", "单位名称", "客户",
           "company", "company name", "customer"), "客户公司全称", "Company name", "深圳市蓝海科技有限公司"),
    Column("industry", "所属行业", "Industry", True, 0, ("行业", "行业分类", "industry code", "industry division"),
           "GB/T 4754-2017 门类+大类代码或名称，如 I65 或 软件和信息技术服务业",
           "GB/T 4754-2017 division: code or name, e.g. I65", "65 软件和信息技术服务业"),
    Column("name", "联系人", "Contact person", True, 200, ("联系人姓名", "姓名", "contact", "contact name",
           "name", "person"), "联系人姓名", "Name of the contact", "王芳"),
    Column("phone", "联系电话", "Phone", True, 40, ("电话", "手机", "手机号", "手机号码", "电话号码", "联系方式",
           "mobile", "phone number", "telephone", "tel", "contact phone"),
           "手机或座机（带区号），如 13800138000、010-65529988",
           "Chinese mobile or landline with area code", "13800138000"),
    Column("email", "电子邮箱", "E-mail", False, 254, ("邮箱", "电子邮件", "email", "email address", "mail"),
           "", "", "wang.fang@example.cn"),
    Column("region", "所在地区", "Region", False, 100, ("地区", "区域", "省市", "城市", "所在城市", "region", "city",
           "province", "area"), "省/市", "Province or city", "广东省深圳市"),
    Column("employees", "员工人数", "Employees", False, 0, ("人数", "员工数", "公司规模", "规模", "employee count",
           "headcount", "size", "staff"), "整数，0 到 10,000,000", "Whole number 0..10,000,000", "120"),
    Column("budget", "预算", "Budget", False, 0, ("预算金额", "预算（元）", "budget amount"),
           "金额，最多两位小数", "Amount, at most two decimals", "500000.00"),
    Column("channel", "渠道", "Channel", False, 100, ("来源", "来源渠道", "线索来源", "获客渠道", "source",
           "lead source"),
           "为空时使用导入时指定的渠道", "Empty: the import's default channel", "Offline Expo A"),
)
REQUIRED = tuple(column.key for column in COLUMNS if column.required)
BY_KEY = {column.key: column for column in COLUMNS}
_HEADER_NOISE = re.compile(r"[\s*_\-:：()（）\[\]【】.。]+")
_HEADER_SPLIT = re.compile(r"[/|\n\r]+")
_CJK = re.compile(r"[\u3400-\u9fff]+")


def _header_key(text: str) -> str:
    return _HEADER_NOISE.sub("", unicodedata.normalize("NFKC", text).casefold())


def _alias_map() -> dict[str, str]:
    names: dict[str, str] = {}
    for column in COLUMNS:
        for alias in (column.key, column.zh, column.en, *column.aliases):
            names.setdefault(_header_key(alias), column.key)
    return names


_ALIASES = _alias_map()


def match_header(cell: str) -> str | None:
    """The template column a header cell names: Chinese, English or both ("客户名称* / Customer name*")."""
    if not cell:
        return None
    candidates = [cell, *_HEADER_SPLIT.split(cell), "".join(_CJK.findall(cell)), _CJK.sub(" ", cell)]
    for candidate in candidates:
        key = _header_key(candidate)
        if key and key in _ALIASES:
            return _ALIASES[key]
    return None


# --- errors --------------------------------------------------------------------------------------------------


class UnusableFile(Exception):
    """The file as a whole cannot be imported (`reason` is a translatable Text)."""

    def __init__(self, reason: Text):
        super().__init__(str(reason))
        self.reason = reason


def _missing_columns(found: set[str]) -> Text:
    missing = [BY_KEY[key].header() for key in REQUIRED if key not in found]
    return t("the header lacks the required columns: {columns}", columns=", ".join(missing))


# --- templates -----------------------------------------------------------------------------------------------

TEMPLATE_NAME = "leads-import-template"
CONTENT_TYPES = {"csv": "text/csv; charset=utf-8",
                 "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def template(fmt: str = "xlsx") -> tuple[bytes, str]:
    """(content, file name) of the import template in `fmt` ("xlsx" or "csv")."""
    if fmt == "csv":
        # A BOM, so that Excel opens the Chinese header as UTF-8.
        header = ",".join(column.header("/") for column in COLUMNS)
        return ("\ufeff" + header + "\r\n").encode("utf-8"), f"{TEMPLATE_NAME}.csv"
    if fmt != "xlsx":
        raise InvalidArgument(FieldViolation("format", t("must be csv or xlsx")))
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("leads")
    head = book.add_format({"bold": True, "text_wrap": True, "valign": "top", "bg_color": "#DDEBF7", "border": 1})
    required_head = book.add_format({"bold": True, "text_wrap": True, "valign": "top", "bg_color": "#FCE4D6",
                                     "border": 1})
    text = book.add_format({"num_format": "@"})
    for index, column in enumerate(COLUMNS):
        sheet.write_string(0, index, column.header("\n"), required_head if column.required else head)
        sheet.set_column(index, index, 24 if column.key in ("company", "industry") else 16,
                         text if column.key in ("phone", "industry") else None)
        note = "\n".join(part for part in (column.note_zh, column.note_en) if part)
        example = f"例 Example: {column.example}"
        sheet.write_comment(0, index, f"{note}\n{example}" if note else example,
                            {"x_scale": 2.2, "y_scale": 1.4})
    sheet.set_row(0, 36)
    sheet.freeze_panes(1, 0)
    labels = book.add_worksheet("industries")
    for index, item in enumerate(industries.divisions()):
        labels.write_string(index, 0, industries.label(item.code))
        labels.write_string(index, 1, item.name_en)
    labels.hide()
    industry_column = next(i for i, column in enumerate(COLUMNS) if column.key == "industry")
    sheet.data_validation(1, industry_column, 100_000, industry_column, {
        "validate": "list", "source": f"=industries!$A$1:$A${len(industries.divisions())}",
        "error_type": "warning", "input_title": "GB/T 4754-2017", "input_message": "选择或输入行业 / Pick an industry",
    })
    book.close()
    return buffer.getvalue(), f"{TEMPLATE_NAME}.xlsx"


# --- reading a file ------------------------------------------------------------------------------------------


@dataclass
class Table:
    """The file's data rows as strings: one column per template key that the header names (absent ones are
    empty), plus `index` (the record's position after the header) and `row` (its number in a spreadsheet)."""

    frame: pl.DataFrame
    headers: dict[str, str]  # template key -> the header cell as written in the file
    records: int  # data records, blank ones included


def format_of(file_name: str, fmt: str = "") -> str:
    """"csv" or "xlsx", from `fmt` or else the file name's extension; UnusableFile otherwise."""
    fmt = (fmt or "").strip().lower()
    if not fmt:
        extension = os.path.splitext(file_name)[1].lower()
        fmt = {".csv": "csv", ".txt": "csv", ".tsv": "csv", ".xlsx": "xlsx", ".xlsm": "xlsx"}.get(extension, "")
    if fmt not in FORMATS:
        raise UnusableFile(t("unknown file format of {name}: use an .xlsx or .csv file", name=file_name or "?"))
    return fmt


def read_table(data: bytes, fmt: str) -> Table:
    if not data.strip():
        raise UnusableFile(t("the file is empty"))
    rows, offset, header_index = _read_csv(data) if fmt == "csv" else _read_xlsx(data)
    header = [str(cell or "").strip() for cell in rows.row(header_index)] if rows.height else []
    headers: dict[str, str] = {}
    positions: dict[str, int] = {}
    for position, cell in enumerate(header):
        key = match_header(cell)
        if key is not None and key not in positions:
            positions[key], headers[key] = position, cell[:100]
    if any(key not in positions for key in REQUIRED):
        raise UnusableFile(_missing_columns(set(positions)))
    body = rows.slice(header_index + 1)
    names = body.columns
    frame = body.select(
        *(pl.col(names[positions[c.key]]).fill_null("").alias(c.key) if c.key in positions
          else pl.lit("", dtype=pl.String).alias(c.key) for c in COLUMNS)
    ).with_row_index("index").with_columns(pl.col("index").cast(pl.Int64))
    # Frame row r is spreadsheet row offset + r; the body starts after the header.
    frame = frame.with_columns(row=pl.col("index") + offset + header_index + 1)
    blank = pl.all_horizontal(pl.col(c.key).str.strip_chars() == "" for c in COLUMNS)
    records = frame.height
    frame = frame.filter(~blank)
    if frame.height == 0:
        raise UnusableFile(t("the file has no data rows"))
    return Table(frame=frame, headers=headers, records=records)


def _choose_header(records: list[list[str]]) -> int:
    """Index of the header among the first records: the first naming every required column, else the first that
    names the most template columns (the caller then reports what is missing)."""
    best, best_count = 0, -1
    for index, record in enumerate(records[:HEADER_SEARCH_ROWS]):
        found = {match_header(str(cell or "").strip()) for cell in record} - {None}
        if all(key in found for key in REQUIRED):
            return index
        if len(found) > best_count:
            best, best_count = index, len(found)
    return best


def _decode(data: bytes) -> bytes:
    """UTF-8 bytes of a CSV file, BOM removed; UnusableFile when no encoding fits."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16").encode("utf-8")
        except UnicodeDecodeError:
            raise UnusableFile(t("cannot read the file's text encoding: save it as UTF-8 or GBK CSV")) from None
    try:
        data.decode("utf-8")
        return data
    except UnicodeDecodeError:
        pass
    try:
        # GB18030 is a superset of GBK and GB2312: what Chinese Excel writes as "CSV".
        return data.decode("gb18030").encode("utf-8")
    except UnicodeDecodeError:
        raise UnusableFile(t("cannot read the file's text encoding: save it as UTF-8 or GBK CSV")) from None


def _read_csv(data: bytes) -> tuple[pl.DataFrame, int, int]:
    data = _decode(data)
    head = data[: 64 * 1024].decode("utf-8", errors="ignore")
    first_line = head.split("\n", 1)[0]
    separator = max((",", "\t", ";"), key=first_line.count) if first_line else ","
    reader = csv.reader(io.StringIO(head), delimiter=separator)
    records = []
    try:
        for record in reader:
            records.append(record)
            if len(records) >= HEADER_SEARCH_ROWS:
                break
    except csv.Error as error:
        raise UnusableFile(t("cannot read the file as CSV: {error}", error=str(error))) from None
    if not records:
        raise UnusableFile(t("the file is empty"))
    header_index = _choose_header(records)
    width = max(len(records[header_index]), 1)
    try:
        frame = pl.read_csv(
            io.BytesIO(data), has_header=False, skip_rows=header_index + 1, separator=separator,
            infer_schema=False, truncate_ragged_lines=True, missing_columns="insert",
            schema={f"c{i}": pl.String for i in range(width)},
        )
    except pl.exceptions.PolarsError as error:
        raise UnusableFile(t("cannot read the file as CSV: {error}", error=str(error).splitlines()[0])) from None
    cells = records[header_index] + [""] * (width - len(records[header_index]))
    header = pl.DataFrame([pl.Series(f"c{i}", [cell], dtype=pl.String) for i, cell in enumerate(cells)])
    # Row 0 of the frame is the header, which a spreadsheet shows as row header_index + 1.
    return pl.concat([header, frame]), header_index + 1, 0


def _read_xlsx(data: bytes) -> tuple[pl.DataFrame, int, int]:
    import fastexcel

    try:
        reader = fastexcel.read_excel(data)
        sheet = reader.load_sheet(0, header_row=None, dtypes="string")
        frame = sheet.to_polars()
    except Exception as error:  # noqa: BLE001 - fastexcel raises its own error types for broken files
        raise UnusableFile(t("cannot read the file as xlsx: {error}", error=str(error).splitlines()[0][:200])) from None
    frame = frame.rename({name: f"c{i}" for i, name in enumerate(frame.columns)})
    if frame.height == 0:
        raise UnusableFile(t("the file is empty"))
    head = [[cell for cell in frame.row(i)] for i in range(min(HEADER_SEARCH_ROWS, frame.height))]
    header_index = _choose_header(head)
    # Row 0 of the frame is the first row that holds a value.
    return frame, _first_used_row(data), header_index


def _first_used_row(data: bytes) -> int:
    """Row number (1-based) of the first cell holding a value on the workbook's first sheet; 1 when unsure."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            book = ElementTree.fromstring(archive.read("xl/workbook.xml"))
            rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
            main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
            relation = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
            first = book.find(f"{main}sheets/{main}sheet").get(relation)
            target = next(r.get("Target") for r in rels if r.get("Id") == first)
            path = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
            with archive.open(path) as sheet:
                for _, element in ElementTree.iterparse(sheet):
                    if element.tag == f"{main}c" and any(
                        (child.tag in (f"{main}v", f"{main}is")) and "".join(child.itertext()).strip()
                        for child in element
                    ):
                        return int(re.sub(r"[A-Z]+", "", element.get("r", "A1")) or 1)
    except (KeyError, StopIteration, AttributeError, ValueError, zipfile.BadZipFile, ElementTree.ParseError):
        return 1
    return 1


# --- validation ----------------------------------------------------------------------------------------------

# After NFKC and without spaces, dashes, dots and brackets: a mainland mobile, a landline with its area code
# (or dialled with +86 and without the trunk 0), or a 400/800 number; an extension may follow.
_PHONE = (r"(?i)^(?:(?:\+?86|0086)?1[3-9][0-9]{9}|(?:(?:\+?86|0086)0?|0)[1-9][0-9]{1,2}[2-9][0-9]{6,7}"
          r"|[48]00[0-9]{7})(?:(?:转|ext|x|#|分机)[0-9]{1,6})?$")
_PHONE_NOISE = r"[\s\-()./]"
_EMAIL = EMAIL.pattern  # as capture checks one lead

# reason code -> the message it reports (codes stay in the frames; texts are made once per distinct reason)
_REASONS: dict[str, Callable[..., Text]] = {
    "required": lambda **_: t("is required"),
    "phone": lambda **_: t("is not a Chinese mobile or landline number"),
    "email": lambda **_: t("is not an e-mail address"),
    "industry": lambda **_: t("is not a GB/T 4754 industry division"),
    "employees": lambda **_: t("must be a whole number between 0 and 10,000,000"),
    "budget_format": lambda **_: t("is not a decimal amount"),
    "budget_range": lambda **_: t("must be an amount of at least 0 with at most two decimals"),
}
for _max in sorted({column.max_length for column in COLUMNS if column.max_length}):
    _REASONS[f"long{_max}"] = lambda max=_max, **_: t("must be at most {max} characters", max=max)


# Reasons built per row by the frames (their msgids written out here so that the catalog check sees them).
REPEATS_ROW = t("repeats row {row} of this file", row=0).msgid
REPEATS_LEAD = t("repeats lead {id}", id="").msgid


def reason_text(message: str, arguments: dict) -> Text:
    return Text(message, arguments)


@dataclass
class Prepared:
    """A validated file: what every chunk of its job needs, kept in memory between chunks."""

    valid: pl.DataFrame  # rows to store (unless they repeat a lead already stored), by index
    errors: pl.DataFrame  # index, row, column, message, arguments (JSON): by index
    records: int
    nonblank: np.ndarray  # sorted indexes of the non-blank records
    headers: dict[str, str]
    sha256: str = ""
    # Keys of the leads stored before the job started (see _repeats_of_stored_leads): None until loaded, False
    # when there are too many to hold.
    stored_keys: dict[str, pl.DataFrame] | bool | None = None
    # The next chunk, being prepared in the background (run_chunk(pipeline=True)).
    next_plan: Future | None = None
    created: float = field(default_factory=time.monotonic)

    def take_plan(self, start: int):  # noqa: ANN201 - a _Plan or None
        """The chunk prepared in the background, when it starts at `start` (it does unless a chunk failed)."""
        future, self.next_plan = self.next_plan, None
        if future is None:
            return None
        plan = future.result()
        return plan if plan.start == start else None

    @property
    def total_rows(self) -> int:
        return len(self.nonblank)


def with_contact_keys(frame: pl.DataFrame) -> pl.DataFrame:
    """`email_key` and `phone_key` columns: services.leads.contacts.email_key/phone_key, vectorised (tests check
    they agree). Computed in steps: polars would evaluate a shared sub-expression once per use."""
    frame = frame.with_columns(
        email_key=pl.col("email").str.strip_chars().str.to_lowercase(),
        _text=pl.col("phone").str.strip_chars().str.replace(r"(?i)(?:ext\.?|extension|x|转|分机|#).*$", ""),
    ).with_columns(_digits=pl.col("_text").str.replace_all(r"\D", ""))
    digits = pl.col("_digits")
    frame = frame.with_columns(_0086=digits.str.starts_with("0086")).with_columns(
        _86=~pl.col("_0086") & (pl.col("_text").str.starts_with("+86")
                                | (digits.str.starts_with("86") & (digits.str.len_chars() == 13))),
    ).with_columns(
        _stripped=pl.when(pl.col("_0086")).then(digits.str.strip_prefix("0086"))
        .when(pl.col("_86")).then(digits.str.strip_prefix("86")).otherwise(digits),
    )
    stripped = pl.col("_stripped")
    needs_zero = ((pl.col("_0086") | pl.col("_86")) & (stripped != "") & ~stripped.str.starts_with("0")
                  & ~((stripped.str.len_chars() == 11) & stripped.str.starts_with("1")))
    return frame.with_columns(
        phone_key=pl.when(needs_zero).then(pl.lit("0") + stripped).otherwise(stripped),
    ).drop("_text", "_digits", "_0086", "_86", "_stripped")


def validate(table: Table, default_channel: str = DEFAULT_CHANNEL) -> Prepared:
    frame = table.frame.with_columns(pl.col(c.key).str.strip_chars() for c in COLUMNS)
    checks: list[pl.Expr] = []
    for column in COLUMNS:
        value = pl.col(column.key)
        reason = pl.when(value == "").then(pl.lit("required" if column.required else None, dtype=pl.String))
        if column.max_length:
            reason = reason.when(value.str.len_chars() > column.max_length).then(pl.lit(f"long{column.max_length}"))
        if column.key == "phone":
            cleaned = value.str.normalize("NFKC").str.replace_all(_PHONE_NOISE, "")
            reason = reason.when(~cleaned.str.contains(_PHONE)).then(pl.lit("phone"))
        elif column.key == "email":
            reason = reason.when(~value.str.contains(_EMAIL)).then(pl.lit("email"))
        elif column.key == "industry":
            reason = reason.when(pl.col("_industry").is_null()).then(pl.lit("industry"))
        elif column.key == "employees":
            number = value.str.normalize("NFKC").str.replace_all(r"[,\s]", "")
            reason = reason.when(
                ~number.str.contains(r"^[0-9]{1,8}$") | (number.cast(pl.Int64, strict=False) > MAX_EMPLOYEES)
            ).then(pl.lit("employees"))
        elif column.key == "budget":
            amount = pl.col("_budget")
            reason = reason.when(~amount.str.contains(r"^-?[0-9]*\.?[0-9]+$")).then(pl.lit("budget_format"))
            reason = reason.when(~amount.str.contains(r"^[0-9]{1,16}(?:\.[0-9]{0,2}0*)?$")).then(pl.lit("budget_range"))
        checks.append(reason.alias(f"_why_{column.key}"))

    industry_texts = frame["industry"].unique().to_list()
    codes = {text: industries.resolve_industry(text) for text in industry_texts}
    frame = frame.with_columns(
        _industry=pl.col("industry").replace_strict(codes, default=None, return_dtype=pl.String),
        _budget=pl.col("budget").str.normalize("NFKC").str.replace_all(r"[,\s¥]", "").str.strip_prefix("RMB"),
    ).with_columns(checks)

    why = [f"_why_{c.key}" for c in COLUMNS]
    errors = frame.select("index", "row", *why).unpivot(index=["index", "row"], on=why, variable_name="field",
                                                         value_name="code").drop_nulls("code")
    bad = pl.any_horizontal(pl.col(name).is_not_null() for name in why)
    valid = frame.filter(~bad).select(
        "index", "row", "company", "name", "phone", "email", "region", "channel",
        industry=pl.col("_industry"),
        employees=pl.when(pl.col("employees") == "").then(0).otherwise(
            pl.col("employees").str.normalize("NFKC").str.replace_all(r"[,\s]", "").cast(pl.Int64, strict=False)),
        budget=pl.when(pl.col("_budget") == "").then(None).otherwise(pl.col("_budget")),
    ).with_columns(
        channel=pl.when(pl.col("channel") == "").then(pl.lit(default_channel or DEFAULT_CHANNEL))
        .otherwise(pl.col("channel")),
    )
    valid = with_contact_keys(valid)
    # A row repeating an earlier valid row of the file (same phone or e-mail key) is not stored again.
    valid = valid.with_columns(
        _first_phone=pl.when(pl.col("phone_key") != "").then(pl.col("row").min().over("phone_key")),
        _first_email=pl.when(pl.col("email_key") != "").then(pl.col("row").min().over("email_key")),
    )
    phone_repeat = (pl.col("_first_phone") < pl.col("row")).fill_null(False)
    email_repeat = (pl.col("_first_email") < pl.col("row")).fill_null(False)
    repeats = valid.filter(phone_repeat | email_repeat).select(
        "index", "row",
        field=pl.when(phone_repeat).then(pl.lit("phone")).otherwise(pl.lit("email")),
        earlier=pl.when(phone_repeat & email_repeat).then(pl.min_horizontal("_first_phone", "_first_email"))
        .when(phone_repeat).then(pl.col("_first_phone")).otherwise(pl.col("_first_email")),
    )
    valid = valid.filter(~(phone_repeat | email_repeat)).drop("_first_phone", "_first_email")

    error_frame = pl.concat([
        _reason_frame(errors.with_columns(field=pl.col("field").str.strip_prefix("_why_")), table.headers),
        _repeat_frame(repeats, table.headers, REPEATS_ROW, "earlier", "row"),
    ]).sort("index", "column")
    return Prepared(valid=valid.sort("index"), errors=error_frame, records=table.records,
                    nonblank=table.frame["index"].to_numpy(), headers=table.headers)


def _column_names(fields: pl.Expr, headers: dict[str, str]) -> pl.Expr:
    names = {key: headers.get(key) or BY_KEY[key].header() for key in BY_KEY}
    return fields.replace_strict(names, return_dtype=pl.String)


def _reason_frame(errors: pl.DataFrame, headers: dict[str, str]) -> pl.DataFrame:
    """index, row, column, message, arguments for coded reasons (one Text per distinct code)."""
    texts = {code: _REASONS[code]() for code in errors["code"].unique().to_list()}
    return errors.select(
        pl.col("index").cast(pl.Int64), pl.col("row").cast(pl.Int64),
        column=_column_names(pl.col("field"), headers),
        message=pl.col("code").replace_strict({code: text.msgid for code, text in texts.items()},
                                              return_dtype=pl.String),
        arguments=pl.col("code").replace_strict({code: json.dumps(dict(text.params)) for code, text in texts.items()},
                                                return_dtype=pl.String),
    )


def _repeat_frame(repeats: pl.DataFrame, headers: dict[str, str], message: str, value: str,
                  argument: str) -> pl.DataFrame:
    return repeats.select(
        pl.col("index").cast(pl.Int64), pl.col("row").cast(pl.Int64),
        column=_column_names(pl.col("field"), headers),
        message=pl.lit(message),
        arguments=pl.concat_str(pl.lit(f'{{"{argument}": '), pl.col(value).cast(pl.String) if argument == "row"
                                else pl.concat_str(pl.lit('"'), pl.col(value), pl.lit('"')), pl.lit("}")),
    )


def prepare(data: bytes, fmt: str, default_channel: str = DEFAULT_CHANNEL) -> Prepared:
    """Read and validate a whole file; UnusableFile when it cannot be imported at all."""
    prepared = validate(read_table(data, fmt), default_channel)
    prepared.sha256 = hashlib.sha256(data).hexdigest()
    return prepared


# --- the prepared files of running jobs (per process) -------------------------------------------------------

_cache: OrderedDict[str, Prepared] = OrderedDict()
_cache_lock = threading.Lock()


def _remember(job_id: str, prepared: Prepared) -> None:
    with _cache_lock:
        _cache[job_id] = prepared
        _cache.move_to_end(job_id)
        while len(_cache) > _CACHED_JOBS:
            _cache.popitem(last=False)


def _forget(job_id: str) -> None:
    with _cache_lock:
        _cache.pop(job_id, None)


def forget_all() -> None:
    """Drop every cached file (what a restart of the process does); for tests."""
    with _cache_lock:
        _cache.clear()


def _prepared_for(session: Session, job: ImportJob) -> Prepared:
    with _cache_lock:
        prepared = _cache.get(job.id)
    if prepared is not None and prepared.sha256 == job.file_sha256:
        return prepared
    data = b"".join(session.scalars(
        select(ImportFileChunk.data).where(ImportFileChunk.job_id == job.id).order_by(ImportFileChunk.seq)
    ))
    if not data:
        # A job of the command keeps no copy of the file: running the command again resumes it.
        raise UnusableFile(t("the file of this job is not stored: run the import command again"))
    prepared = prepare(data, job.format, job.default_channel)
    _remember(job.id, prepared)
    return prepared


# --- jobs ----------------------------------------------------------------------------------------------------


def start_import(
    session: Session,
    *,
    caller: Caller,
    file_name: str,
    content: bytes,
    fmt: str = "",
    default_channel: str = "",
    schedule_timer: bool = True,
    store_file: bool = True,
    resume: bool = False,
) -> ImportJob:
    """Store the file and queue its job; InvalidArgument (field "file") when the file is unusable as a whole.

    `schedule_timer`: the service advances the job by the durable timer "import"; the CLI runs the chunks itself.
    `store_file`: keep the file in the database until the job ends, so that any replica can resume it; the CLI
    has it on disk instead. `resume`: return the tenant's unfinished job of the same file (name, content and
    default channel) instead of starting another.
    """
    caller.require_role(*IMPORT_ROLES)
    check = Validator()
    check.require(file_name, "file_name", max_length=255)
    check.at_most(default_channel, "default_channel", 100)
    check.check(len(content) <= MAX_FILE_BYTES, "file",
                t("must be at most {max} MB", max=MAX_FILE_BYTES >> 20))
    check.raise_if_any()
    channel = default_channel.strip() or DEFAULT_CHANNEL
    try:
        fmt = format_of(file_name, fmt)
        prepared = prepare(content, fmt, channel)
    except UnusableFile as unusable:
        raise InvalidArgument(FieldViolation("file", unusable.reason)) from None
    if resume:
        unfinished = session.scalar(
            select(ImportJob).where(ImportJob.file_sha256 == prepared.sha256, ImportJob.file_name == file_name,
                                    ImportJob.default_channel == channel, ImportJob.status.in_((QUEUED, RUNNING)))
            .order_by(ImportJob.created_at.desc()).limit(1)
        )
        if unfinished is not None:
            _remember(unfinished.id, prepared)
            return unfinished
    job = ImportJob(
        tenant_id=session.info[TENANT], status=QUEUED, file_name=file_name, format=fmt, file_size=len(content),
        file_sha256=prepared.sha256, default_channel=channel, requested_by=caller.subject[:100],
        total_rows=prepared.total_rows, created_at=utcnow(),
    )
    session.add(job)
    session.flush()
    if store_file:
        pieces = [(job.id, seq, content[start:start + FILE_PIECE_BYTES], job.tenant_id)
                  for seq, start in enumerate(range(0, len(content), FILE_PIECE_BYTES))]
        if _is_postgresql(session):
            _copy_rows(session, "import_file_chunk", ("job_id", "seq", "data", "tenant_id"),
                       ("text", "int4", "bytea", "text"), pieces)
        else:
            session.connection().execute(insert(ImportFileChunk.__table__), [
                dict(zip(("job_id", "seq", "data", "tenant_id"), piece, strict=True)) for piece in pieces])
    if schedule_timer:
        from services.core.timers import schedule

        schedule(session, kind=TIMER_KIND, key=job.id, due_at=utcnow())
    _remember(job.id, prepared)
    return job


def run_chunk(session: Session, *, job_id: str, pipeline: bool = False) -> bool:
    """Process the job's next chunk in the caller's transaction; True while chunks remain.

    `pipeline`: prepare the next chunk (lead ids, COPY data, events) in a background thread while the database
    stores this one, for a caller that runs the chunks one after the other (the command)."""
    job = session.get(ImportJob, job_id, with_for_update=True)
    if job is None or job.status not in (QUEUED, RUNNING):
        return False
    try:
        prepared = _prepared_for(session, job)
    except UnusableFile as unusable:
        job.status, job.error, job.finished_at = FAILED, str(unusable.reason)[:500], utcnow()
        return False
    now = utcnow()
    if job.status == QUEUED:
        job.status, job.started_at, job.total_rows = RUNNING, now, prepared.total_rows
    if prepared.stored_keys is None:
        prepared.stored_keys = _load_stored_keys(session, before=job.started_at)
    postgresql = _is_postgresql(session)
    plan = prepared.take_plan(job.cursor) or _plan(prepared, start=job.cursor, tenant=job.tenant_id, job_id=job.id,
                                                   postgresql=postgresql)
    if not plan.checked:  # too many stored leads to hold their keys: look this chunk's keys up
        repeats = _repeats_of(plan.valid, {name: _probe_stored_keys(session, f"{name}_key", plan.valid.filter(
            pl.col(f"{name}_key") != "")[f"{name}_key"].to_list(), job.started_at) for name in ("phone", "email")})
        plan.valid, plan.errors = _without_repeats(plan.valid, plan.errors, repeats, prepared.headers)
        _render(plan, tenant=job.tenant_id, job_id=job.id, postgresql=postgresql)
    if pipeline and plan.end < prepared.records and isinstance(prepared.stored_keys, dict):
        prepared.next_plan = _planner.submit(_plan, prepared, start=plan.end, tenant=job.tenant_id, job_id=job.id,
                                             postgresql=postgresql)
    _store_leads(session, plan, tenant=job.tenant_id)
    _store_errors(session, plan.errors, job_id=job.id, tenant=job.tenant_id)
    return _advance(session, job, plan, prepared)


def _advance(session: Session, job: ImportJob, plan: _Plan, prepared: Prepared) -> bool:
    """Record the chunk's progress on the job (same transaction as its rows); True while chunks remain."""
    now = utcnow()
    job.cursor = plan.end
    job.processed_rows += int(np.searchsorted(prepared.nonblank, plan.end)
                              - np.searchsorted(prepared.nonblank, plan.start))
    job.imported_rows += plan.valid.height
    job.rejected_rows += plan.errors["row"].n_unique() if plan.errors.height else 0
    job.updated_at = now
    if plan.end >= prepared.records:
        job.status, job.finished_at = SUCCEEDED, now
        session.execute(delete(ImportFileChunk).where(ImportFileChunk.job_id == job.id)
                        .execution_options(synchronize_session=False))
        _forget(job.id)
        if _is_postgresql(session) and job.imported_rows >= ANALYZE_AFTER_ROWS:
            # Fresh statistics now rather than at autovacuum's next turn: until then the planner thinks the tenant
            # has a few dozen leads and sorts all of them for every list page (bench/gateway_lists.py).
            session.execute(text("ANALYZE lead"))
        return False
    return True


def run_to_end(database, tenant: str, job_id: str, progress: Callable[[ImportJob], None] | None = None) -> ImportJob:  # noqa: ANN001
    """Run every remaining chunk, one transaction each, the next one prepared while the database stores the
    current one (the command; the service advances jobs by the timer)."""
    while True:
        with database.session(tenant) as session:
            more = run_chunk(session, job_id=job_id, pipeline=True)
            job = session.get(ImportJob, job_id)
        if progress is not None:
            progress(job)
        if not more:
            return job


_planner = ThreadPoolExecutor(max_workers=1, thread_name_prefix="import-plan")


@dataclass
class _Plan:
    """One chunk, ready to write."""

    start: int
    end: int
    valid: pl.DataFrame
    errors: pl.DataFrame
    checked: bool  # rows repeating stored leads are already moved to `errors`
    stamp: datetime = field(default_factory=utcnow)
    rows: pl.DataFrame | None = None  # the lead table's rows, ids included
    csv: bytes = b""  # COPY data (PostgreSQL)
    envelopes: list = field(default_factory=list)  # lead.imported


def _plan(prepared: Prepared, *, start: int, tenant: str, job_id: str, postgresql: bool) -> _Plan:
    end = min(start + CHUNK_ROWS, prepared.records)
    plan = _Plan(start, end, _slice(prepared.valid, start, end), _slice(prepared.errors, start, end),
                 checked=isinstance(prepared.stored_keys, dict))
    if plan.checked:
        repeats = _repeats_of(plan.valid, {name: prepared.stored_keys[name] for name in ("phone", "email")})
        plan.valid, plan.errors = _without_repeats(plan.valid, plan.errors, repeats, prepared.headers)
        _render(plan, tenant=tenant, job_id=job_id, postgresql=postgresql)
    return plan


def _render(plan: _Plan, *, tenant: str, job_id: str, postgresql: bool) -> None:
    plan.rows = _lead_rows(plan.valid, tenant)
    if postgresql and plan.rows.height:
        stamp = plan.stamp.isoformat()
        buffer = io.BytesIO()
        plan.rows.with_columns(created_at=pl.lit(stamp), updated_at=pl.lit(stamp)).write_csv(
            buffer, include_header=False)
        plan.csv = buffer.getvalue()
    plan.envelopes = _imported_events(plan.rows, tenant=tenant, job_id=job_id)


def _without_repeats(valid: pl.DataFrame, errors: pl.DataFrame, repeats: pl.DataFrame,
                     headers: dict[str, str]) -> tuple[pl.DataFrame, pl.DataFrame]:
    if repeats.height == 0:
        return valid, errors
    return (valid.filter(~pl.col("index").is_in(repeats["index"].implode())),
            pl.concat([errors, _repeat_frame(repeats, headers, REPEATS_LEAD, "lead_id", "id")]).sort("index"))


def _is_postgresql(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _slice(frame: pl.DataFrame, start: int, end: int) -> pl.DataFrame:
    index = frame["index"]
    low, high = index.search_sorted(start, "left"), index.search_sorted(end, "left")
    return frame.slice(low, high - low)


def _repeats_of(valid: pl.DataFrame, stored: dict[str, pl.DataFrame]) -> pl.DataFrame:
    """index, row, field, lead_id of the rows whose phone or e-mail key is that of a stored lead (`stored`: per
    field, key -> the oldest lead still worked on that was there before the job started). The job's own leads
    never match: the file's kept rows have keys of their own. A lead captured while the job runs is not looked at;
    capture itself spots it as a repeat of the imported lead."""
    matched = valid.select("index", "row", "phone_key", "email_key").join(
        stored["phone"].rename({"lead_id": "phone_lead"}), left_on="phone_key", right_on="key", how="left",
    ).join(stored["email"].rename({"lead_id": "email_lead"}), left_on="email_key", right_on="key", how="left").filter(
        pl.col("phone_lead").is_not_null() | pl.col("email_lead").is_not_null())
    return matched.select(
        pl.col("index").cast(pl.Int64), pl.col("row").cast(pl.Int64),
        field=pl.when(pl.col("phone_lead").is_not_null()).then(pl.lit("phone")).otherwise(pl.lit("email")),
        lead_id=pl.min_horizontal("phone_lead", "email_lead"),
    )


def _load_stored_keys(session: Session, *, before: datetime) -> dict[str, pl.DataFrame] | bool:
    """{"phone"|"email": frame key, lead_id (the oldest)} of the tenant's leads still worked on, created before
    `before`; False when there are more than MAX_KEYS_IN_MEMORY of them."""
    condition = (Lead.status.in_(WORKED_ON), Lead.created_at < before)
    if session.scalar(select(func.count()).select_from(Lead).where(*condition)) > MAX_KEYS_IN_MEMORY:
        return False
    rows = session.execute(select(Lead.id, Lead.phone_key, Lead.email_key).where(*condition)).all()
    frame = pl.DataFrame(rows, schema={"lead_id": pl.String, "phone": pl.String, "email": pl.String}, orient="row")
    return {name: frame.filter(pl.col(name) != "").group_by(name).agg(pl.col("lead_id").min()).rename({name: "key"})
            for name in ("phone", "email")}


def _probe_stored_keys(session: Session, column: str, keys: list[str], before: datetime) -> pl.DataFrame:
    """key, lead_id (the oldest) for `keys` among the tenant's leads still worked on, created before `before`."""
    attribute = getattr(Lead, column)
    found: list[tuple[str, str]] = []
    for start in range(0, len(keys), 5000):
        found += session.execute(
            select(attribute, func.min(Lead.id)).where(attribute.in_(keys[start:start + 5000]),
                                                       Lead.status.in_(WORKED_ON), Lead.created_at < before)
            .group_by(attribute)
        ).tuples().all()
    return pl.DataFrame(found, schema={"key": pl.String, "lead_id": pl.String}, orient="row")


def _uuid7(count: int) -> list[str]:
    """`count` UUIDv7 strings for one instant, in increasing order (a counter in the random bits keeps the lead
    table's primary key index appending at its end), random in the remaining 42 bits."""
    if count == 0:
        return []
    raw = np.frombuffer(os.urandom(16 * count), dtype=np.uint8).reshape(count, 16).copy()
    raw[:, :6] = np.frombuffer((time.time_ns() // 1_000_000).to_bytes(6, "big"), dtype=np.uint8)
    seq = np.arange(count, dtype=np.uint64)
    raw[:, 6] = (0x70 | ((seq >> 28) & 0x0F)).astype(np.uint8)
    raw[:, 7] = ((seq >> 20) & 0xFF).astype(np.uint8)
    raw[:, 8] = (0x80 | ((seq >> 14) & 0x3F)).astype(np.uint8)
    raw[:, 9] = ((seq >> 6) & 0xFF).astype(np.uint8)
    raw[:, 10] = (((seq & 0x3F) << 2).astype(np.uint8) | (raw[:, 10] & 0x03))
    digits = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)
    hexed = np.empty((count, 36), dtype=np.uint8)
    hexed[:, [8, 13, 18, 23]] = ord("-")
    positions = [i for i in range(36) if i not in (8, 13, 18, 23)]
    hexed[:, positions[0::2]] = digits[raw >> 4]
    hexed[:, positions[1::2]] = digits[raw & 0x0F]
    text = hexed.tobytes().decode("ascii")
    return [text[i:i + 36] for i in range(0, 36 * count, 36)]


_LEAD_FIELDS = ("company", "name", "phone", "email", "region", "channel", "industry", "employees", "budget",
                "email_key", "phone_key")


def _lead_rows(valid: pl.DataFrame, tenant: str) -> pl.DataFrame:
    """The Lead table's rows for `valid`: every column without a value here gets the model's default."""
    frame = valid.select(*_LEAD_FIELDS).with_columns(
        id=pl.Series(_uuid7(valid.height), dtype=pl.String), tenant_id=pl.lit(tenant), status=pl.lit(OPEN),
    )
    defaults = []
    for column in Lead.__table__.columns:
        if column.name in frame.columns or column.name in ("created_at", "updated_at"):
            continue
        default = column.default
        if default is None:
            if not column.nullable and column.server_default is None:
                raise RuntimeError(f"lead.{column.name} has no default: the import cannot fill it")
            continue
        value = default.arg({}) if default.is_callable else default.arg
        defaults.append(pl.lit(json.dumps(value) if isinstance(value, dict | list) else value).alias(column.name))
    return frame.with_columns(defaults)


def _store_leads(session: Session, plan: _Plan, *, tenant: str) -> None:
    """Write the chunk's leads with their lead.imported events."""
    if plan.rows is None or plan.rows.height == 0:
        return
    if _is_postgresql(session):
        from psycopg.copy import QueuedLibpqWriter

        columns = ", ".join(f'"{name}"' for name in (*plan.rows.columns, "created_at", "updated_at"))
        cursor = session.connection().connection.driver_connection.cursor()
        # psycopg's thread sends the rows while this one (or the planner) goes on.
        with cursor.copy(f"COPY lead ({columns}) FROM STDIN (FORMAT csv)", writer=QueuedLibpqWriter(cursor)) as copy:
            view = memoryview(plan.csv)
            for start in range(0, len(view), 1 << 20):
                copy.write(view[start:start + (1 << 20)])
        if _has_lz4(session):
            # The events are ~150 kB each: lz4 compresses them in a fraction of pglz's time (this transaction only).
            cursor.execute("SET LOCAL default_toast_compression = 'lz4'")
        _copy_rows(session, "crm_outbox", ("id", "event_type", "tenant_id", "body", "created_at"),
                   ("text", "text", "text", "bytea", "timestamptz"),
                   [(envelope.id, envelope.type, tenant, envelope.SerializeToString(deterministic=True), plan.stamp)
                    for envelope in plan.envelopes])
        session.info[OUTBOX_WRITTEN] = True
    else:
        records = plan.rows.to_dicts()
        for record in records:
            record["created_at"] = record["updated_at"] = plan.stamp
            if record["budget"] is not None:
                record["budget"] = Decimal(record["budget"])
        session.connection().execute(insert(Lead.__table__), records)
        for envelope in plan.envelopes:
            emit(session, unpack(envelope, LeadsImported), producer="leads")
    for channel, count in plan.valid.group_by("channel").len().iter_rows():
        LEADS_CREATED.labels(channel).inc(count)


_lz4: dict[str, bool] = {}


def _has_lz4(session: Session) -> bool:
    bind = session.get_bind()
    url = str(getattr(bind, "engine", bind).url)
    if url not in _lz4:
        cursor = session.connection().connection.driver_connection.cursor()
        cursor.execute("SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'")
        row = cursor.fetchone()
        _lz4[url] = bool(row and row[0])
    return _lz4[url]


def _imported_events(rows: pl.DataFrame, *, tenant: str, job_id: str) -> list:
    """lead.imported envelopes, EVENT_LEADS leads each: identity resolves every lead as for a lead.created."""
    columns = ("id", "name", "company", "email", "phone", "channel", "industry", "region")
    envelopes = []
    for start in range(0, rows.height, EVENT_LEADS):
        event = LeadsImported(job_id=job_id)
        add = event.leads.add
        for lead_id, name, company, email, phone, channel, industry, region in (
            rows.slice(start, EVENT_LEADS).select(columns).iter_rows()
        ):
            add(lead_id=lead_id, name=name, company=company, email=email, phone=phone, channel=channel,
                industry=industry, region=region)
        envelopes.append(new_envelope(event, tenant_id=tenant, producer="leads"))
    return envelopes


def _copy_rows(session: Session, table: str, columns: tuple[str, ...], types: tuple[str, ...],
               rows: Iterable[tuple]) -> None:
    """Binary COPY of a few (possibly large) rows in the session's transaction (PostgreSQL)."""
    cursor = session.connection().connection.driver_connection.cursor()
    names = ", ".join(f'"{name}"' for name in columns)
    with cursor.copy(f"COPY {table} ({names}) FROM STDIN (FORMAT BINARY)") as copy:
        copy.set_types(list(types))
        for row in rows:
            copy.write_row(row)


def _store_errors(session: Session, errors: pl.DataFrame, *, job_id: str, tenant: str) -> None:
    if errors.height == 0:
        return
    texts = {}
    for message, arguments in errors.select("message", "arguments").unique().iter_rows():
        texts[(message, arguments)] = str(reason_text(message, json.loads(arguments)))[:500]
    reasons = pl.DataFrame([(m, a, r) for (m, a), r in texts.items()],
                           schema={"message": pl.String, "arguments": pl.String, "reason": pl.String}, orient="row")
    rows = errors.join(reasons, on=["message", "arguments"], how="left").select(
        job_id=pl.lit(job_id), row_no=pl.col("row"), column_name=pl.col("column").str.slice(0, 100),
        reason=pl.col("reason"), message=pl.col("message"), arguments=pl.col("arguments"), tenant_id=pl.lit(tenant),
    ).unique(subset=["row_no", "column_name"], keep="first", maintain_order=True)
    if _is_postgresql(session):
        buffer = io.BytesIO()
        rows.write_csv(buffer, include_header=False)
        cursor = session.connection().connection.driver_connection.cursor()
        names = ", ".join(f'"{name}"' for name in rows.columns)
        with cursor.copy(f"COPY import_row_error ({names}) FROM STDIN (FORMAT csv)") as copy:
            copy.write(buffer.getbuffer())
    else:
        records = rows.to_dicts()
        for record in records:
            record["arguments"] = json.loads(record["arguments"])
        session.connection().execute(insert(ImportRowError.__table__), records)


# --- reading jobs --------------------------------------------------------------------------------------------


def get_job(session: Session, *, caller: Caller, job_id: str) -> ImportJob:
    caller.require_role(*READ_ROLES)
    job = session.get(ImportJob, job_id) if job_id and len(job_id) <= 36 else None
    if job is None:
        raise NotFound(t("import job {id} not found", id=repr(job_id)))
    return job


def list_jobs(session: Session, *, caller: Caller, offset: int = 0, limit: int = 50) -> tuple[list[ImportJob], bool]:
    caller.require_role(*READ_ROLES)
    jobs = list(session.scalars(
        select(ImportJob).order_by(ImportJob.created_at.desc(), ImportJob.id.desc()).offset(offset).limit(limit + 1)
    ))
    return jobs[:limit], len(jobs) > limit


def list_row_errors(session: Session, *, caller: Caller, job_id: str, offset: int = 0,
                    limit: int = 100) -> tuple[list[ImportRowError], bool]:
    get_job(session, caller=caller, job_id=job_id)
    found = list(session.scalars(
        select(ImportRowError).where(ImportRowError.job_id == job_id)
        .order_by(ImportRowError.row_no, ImportRowError.column_name).offset(offset).limit(limit + 1)
    ))
    return found[:limit], len(found) > limit


def localized_reason(error: ImportRowError, locale: str) -> str:
    return reason_text(error.message, error.arguments or {}).localized(locale)


def error_report(session: Session, *, job_id: str, locale: str = "en", bom: bool = False) -> bytes:
    """Every row error of the job as CSV `row,column,reason` (by row), reasons in `locale`."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["row", "column", "reason"])
    table = ImportRowError.__table__
    rows = session.execute(
        select(table.c.row_no, table.c.column_name, table.c.message, table.c.arguments)
        .where(table.c.job_id == job_id, table.c.tenant_id == session.info[TENANT])
        .order_by(table.c.row_no, table.c.column_name)
    )
    texts: dict[tuple[str, str], str] = {}
    for row_no, column_name, message, arguments in rows:
        key = (message, json.dumps(arguments, sort_keys=True))
        if key not in texts:
            texts[key] = reason_text(message, arguments or {}).localized(locale)
        writer.writerow([row_no, column_name, texts[key]])
    return ("\ufeff" if bom else "").encode("utf-8") + out.getvalue().encode("utf-8")


def on_import_timer(session: Session, timer) -> None:  # noqa: ANN001 - services.core.timers.FiredTimer
    """Timer "import" (key: the job id): one chunk, then the next firing right away while chunks remain. The
    chunk commits with the removal of the timer, so a crash runs it again and nothing is stored twice."""
    if run_chunk(session, job_id=timer.key):
        from services.core.timers import schedule

        schedule(session, kind=TIMER_KIND, key=timer.key, due_at=utcnow())
