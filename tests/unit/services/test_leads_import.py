"""Batch import of leads (R-LEAD-2, R-LEAD-3): GB/T 4754 reference data, templates, reading CSV (UTF-8, GBK) and
xlsx, every validation reason with its row and column, repeats, chunked jobs that resume without doubling rows,
the timer that drives API jobs, the RPCs and the `crm leads` commands."""

from __future__ import annotations

import csv
import io
import json
import zipfile

import fastexcel
import grpc
import polars as pl
import pytest
import xlsxwriter
from click.testing import CliRunner
from sqlalchemy import func, select

from crm.events.v1.leads_pb2 import LeadsImported
from crm.leads.v1 import leads_pb2, leads_pb2_grpc
from services.core.errors import InvalidArgument
from services.core.i18n import t
from services.core.kernel_models import OutboxMessage
from services.core.timers import fire_due
from services.leads import contacts, importing, industries, leads
from services.leads.commands import COMMANDS
from services.leads.models import ImportFileChunk, ImportJob, ImportRowError, Lead
from services.leads.timers import TIMERS

CSV_HEADER = "客户名称,所属行业,联系人,联系电话,电子邮箱,所在地区,员工人数,预算,渠道"


# --- GB/T 4754-2017 ------------------------------------------------------------------------------------------


def test_the_classification_has_every_section_and_division():
    assert [s.code for s in industries.sections()] == list("ABCDEFGHIJKLMNOPQRST")
    assert [d.code for d in industries.divisions()] == [f"{n:02d}" for n in range(1, 98)]
    by_section = {}
    for item in industries.divisions():
        by_section.setdefault(item.section, []).append(item.code)
    assert by_section["C"] == [f"{n}" for n in range(13, 44)]
    assert by_section["I"] == ["63", "64", "65"]
    assert industries.division("64").name_zh == "互联网和相关服务"
    assert industries.division("65").name_en == "Software and information technology services"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("65", "65"), ("I65", "65"), ("I 65", "65"), ("i-65", "65"), ("Ｉ６５", "65"), ("65.0", "65"), ("5", "05"),
        ("软件和信息技术服务业", "65"), ("SOFTWARE AND INFORMATION TECHNOLOGY SERVICES", "65"),
        ("65 软件和信息技术服务业", "65"), ("I65 Software and information technology services", "65"),
        ("互联网和相关服务", "64"), ("农、林、牧、渔专业及辅助性活动", "05"), ("房地产业", "70"), ("Real estate", "70"),
        ("A65", None), ("65 农业", None), ("98", None), ("00", None), ("制造业", None), ("software", None), ("", None),
    ],
)
def test_resolve_industry(text, code):
    assert industries.resolve_industry(text) == code


# --- reading, validating -------------------------------------------------------------------------------------


def csv_file(*rows: str, header: str = CSV_HEADER, encoding: str = "utf-8") -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode(encoding)


def xlsx_file(rows: list[list[object]], *, first_row: int = 0, header: list[str] | None = None) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet()
    sheet.write_row(first_row, 0, header or CSV_HEADER.split(","))
    for offset, row in enumerate(rows, start=first_row + 1):
        for column, value in enumerate(row):
            if value is not None:
                sheet.write(offset, column, value)
    book.close()
    return buffer.getvalue()


def errors_of(prepared) -> set[tuple[int, str, str]]:
    return {(row, column, str(importing.reason_text(message, json.loads(arguments))))
            for row, column, message, arguments in prepared.errors.select("row", "column", "message", "arguments")
            .iter_rows()}


GOOD = "蓝海科技,65,王芳,13800138000,wang@example.cn,深圳,120,5000.50,Expo"


@pytest.mark.parametrize(
    ("row", "column", "reason"),
    [
        (",65,王芳,13800138000,,,,,", "客户名称", "is required"),
        ("蓝海,,王芳,13800138000,,,,,", "所属行业", "is required"),
        ("蓝海,65,,13800138000,,,,,", "联系人", "is required"),
        ("蓝海,65,王芳,,,,,,", "联系电话", "is required"),
        ("蓝海,99,王芳,13800138000,,,,,", "所属行业", "is not a GB/T 4754 industry division"),
        ("蓝海,65,王芳,1380013800,,,,,", "联系电话", "is not a Chinese mobile or landline number"),
        ("蓝海,65,王芳,12800138000,,,,,", "联系电话", "is not a Chinese mobile or landline number"),
        ("蓝海,65,王芳,call me,,,,,", "联系电话", "is not a Chinese mobile or landline number"),
        ("蓝海,65,王芳,13800138000,wang@,,,,", "电子邮箱", "is not an e-mail address"),
        ("蓝海,65,王芳,13800138000,,,-1,,", "员工人数", "must be a whole number between 0 and 10,000,000"),
        ("蓝海,65,王芳,13800138000,,,3.5,,", "员工人数", "must be a whole number between 0 and 10,000,000"),
        ("蓝海,65,王芳,13800138000,,,10000001,,", "员工人数", "must be a whole number between 0 and 10,000,000"),
        ("蓝海,65,王芳,13800138000,,,,lots,", "预算", "is not a decimal amount"),
        ("蓝海,65,王芳,13800138000,,,,-5,", "预算", "must be an amount of at least 0 with at most two decimals"),
        ("蓝海,65,王芳,13800138000,,,,1.234,", "预算", "must be an amount of at least 0 with at most two decimals"),
        ("蓝海,65," + "名" * 201 + ",13800138000,,,,,", "联系人", "must be at most 200 characters"),
        ("蓝海,65,王芳,13800138000,,,,," + "c" * 101, "渠道", "must be at most 100 characters"),
        ("蓝海,65,王芳,13800138000,," + "区" * 101 + ",,,", "所在地区", "must be at most 100 characters"),
    ],
)
def test_every_bad_value_is_reported_with_its_row_and_column(row, column, reason):
    prepared = importing.prepare(csv_file(GOOD, row), "csv")
    assert errors_of(prepared) == {(3, column, reason)}
    assert prepared.valid["row"].to_list() == [2]


@pytest.mark.parametrize(
    "phone",
    ["13800138000", "+86 138-0013-8000", "0086 13800138000", "(010) 6552 9988", "010-65529988转12",
     "0755-8888 9999 ext. 3", "+86 10 6552 9988", "400-800-1234", "１３８００１３８０００"],
)
def test_chinese_phone_formats_are_accepted(phone):
    prepared = importing.prepare(csv_file(f"蓝海,65,王芳,{phone},,,,,"), "csv")
    assert prepared.errors.height == 0


def test_contact_keys_are_those_of_capture():
    phones = ["+86 138-0013-8000", "13800138000", "0086 13800138000", "8613800138000", "+86 10 6552 9988",
              "010-65529988 转 12", "0755-88889999 ext. 3", "400-800-1234", "  13900139000x5 ",
              "+86 1234567", "0086 12345"]
    emails = [" Wang.Fang@Example.CN ", "a@b.cn", "", "X@Y.Z", "q@q.q"]
    computed = importing.with_contact_keys(pl.DataFrame({"phone": phones, "email": (emails * 3)[:len(phones)]}))
    assert computed["phone_key"].to_list() == [contacts.phone_key(p) for p in phones]
    assert computed["email_key"].to_list() == [contacts.email_key(e) for e in (emails * 3)[:len(phones)]]


def test_gbk_csv_english_header_title_rows_and_blank_rows():
    data = ("线索导入\n\nCustomer name,Industry,Contact,Phone,E-mail\n"
            "蓝海科技,信息传输、软件和信息技术服务业,王芳,13800138000,\n\n"
            "红山制造,C36,李雷,010-65529988,li@hongshan.cn\n"
            "白云,I64,赵六,bad,\n").encode("gbk")
    prepared = importing.prepare(data, "csv")
    # Row numbers as a spreadsheet shows them: title row 1, blank row 2, header row 3.
    assert errors_of(prepared) == {(4, "Industry", "is not a GB/T 4754 industry division"),
                                   (7, "Phone", "is not a Chinese mobile or landline number")}
    assert prepared.valid.select("row", "company", "industry").rows() == [(6, "红山制造", "36")]
    assert prepared.total_rows == 3


def test_utf8_bom_and_semicolons_and_bilingual_header():
    data = "\ufeff客户名称* / Customer name*;Industry;\"联系人\nContact\";手机\n蓝海;65;王芳;13800138000\n".encode()
    prepared = importing.prepare(data, "csv")
    assert prepared.errors.height == 0
    assert prepared.valid.select("company", "name", "phone").rows() == [("蓝海", "王芳", "13800138000")]


def test_xlsx_with_numbers_blank_rows_and_a_header_below_the_top():
    data = xlsx_file([["蓝海科技", 65, "王芳", 13800138000, None, None, 120, 5000.5],
                      [],
                      ["红山", "I64", "李雷", 12345, None, None, 3.5]], first_row=2)
    prepared = importing.prepare(data, "xlsx")
    assert prepared.valid.select("row", "industry", "phone", "employees", "budget").rows() == [
        (4, "65", "13800138000", 120, "5000.5")]
    assert errors_of(prepared) == {(6, "联系电话", "is not a Chinese mobile or landline number"),
                                   (6, "员工人数", "must be a whole number between 0 and 10,000,000")}


@pytest.mark.parametrize(
    ("data", "fmt", "problem"),
    [
        (b"", "csv", "the file is empty"),
        (CSV_HEADER.encode() + b"\n\n,,,\n", "csv", "the file has no data rows"),
        ("客户名称,联系人\n蓝海,王芳\n".encode(), "csv",
         "the header lacks the required columns: 所属行业* / Industry*, 联系电话* / Phone*"),
        (b"\x81\x30\xff\xff,\xfe\n", "csv", "cannot read the file's text encoding: save it as UTF-8 or GBK CSV"),
        (b"not a zip", "xlsx", "cannot read the file as xlsx"),
    ],
)
def test_unusable_files(data, fmt, problem):
    with pytest.raises(importing.UnusableFile) as error:
        importing.prepare(data, fmt)
    assert str(error.value.reason).startswith(problem)


def test_format_comes_from_the_extension():
    assert importing.format_of("a.CSV") == "csv"
    assert importing.format_of("a.xlsx") == "xlsx"
    with pytest.raises(importing.UnusableFile):
        importing.format_of("leads.pdf")


# --- templates -----------------------------------------------------------------------------------------------


def test_xlsx_template_has_bilingual_header_dropdown_and_notes_and_imports_when_filled(leads_db, caller):
    content, name = importing.template("xlsx")
    assert name.endswith(".xlsx")
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
        assert "dataValidation" in sheet and "industries!$A$1:$A$97" in sheet
        assert any(name.startswith("xl/comments") for name in archive.namelist())
    header = fastexcel.read_excel(content).load_sheet(0, header_row=None, dtypes="string").to_polars().row(0)
    assert header[0] == "客户名称*\nCustomer name*"
    filled = xlsx_file([["蓝海科技", "65 软件和信息技术服务业", "王芳", "13800138000", "wang@example.cn", "深圳", 120,
                         "5000", "Expo"]], header=list(header))
    job = run_import(leads_db, caller, filled, "filled.xlsx")
    assert (job.status, job.imported_rows, job.rejected_rows) == ("succeeded", 1, 0)
    with leads_db.session("t1") as session:
        lead = session.scalar(select(Lead))
        assert (lead.company, lead.industry, lead.name, lead.phone, lead.channel, lead.employees, str(lead.budget)) == (
            "蓝海科技", "65", "王芳", "13800138000", "Expo", 120, "5000.00")


def test_csv_template_round_trip(leads_db, caller):
    content, name = importing.template("csv")
    assert name.endswith(".csv") and content.startswith(b"\xef\xbb\xbf")
    job = run_import(leads_db, caller, content + "蓝海,I65,王芳,13800138000,,,,,\r\n".encode(), "t.csv")
    assert (job.imported_rows, job.rejected_rows) == (1, 0)


# --- jobs ----------------------------------------------------------------------------------------------------


def run_import(database, caller, data: bytes, file_name: str = "leads.csv", tenant: str = "t1", **options):
    with database.session(tenant) as session:
        job = importing.start_import(session, caller=caller("manager", tenant=tenant), file_name=file_name,
                                     content=data, schedule_timer=False, **options)
    return importing.run_to_end(database, tenant, job.id)


def count(database, model=Lead) -> int:
    with database.kernel_session() as session:
        return session.scalar(select(func.count()).select_from(model))


def stored_errors(database, job_id) -> list[tuple[int, str, str]]:
    with database.kernel_session() as session:
        return [(e.row_no, e.column_name, e.reason) for e in session.scalars(
            select(ImportRowError).where(ImportRowError.job_id == job_id).order_by(ImportRowError.row_no))]


def test_repeats_in_the_file_and_of_leads_being_worked_on_are_not_stored_again(leads_db, caller):
    with leads_db.session("t1") as session:
        existing = leads.create_lead(session, tenant="t1", caller=caller("manager"), name="老客户", channel="Web",
                                     phone="+86 139-0013-9000", email="old@example.cn")
        existing_id = existing.id
    data = csv_file(
        "A公司,65,甲,13800138000,a@example.cn,,,,",
        "B公司,65,乙,13800138001,A@Example.cn,,,,",  # same e-mail as row 2
        "C公司,65,丙,+86 138 0013 8000,,,,,",  # same phone as row 2
        "D公司,65,丁,13900139000,,,,,",  # the existing lead's phone
        "E公司,65,戊,13700137000,OLD@example.cn,,,,",  # the existing lead's e-mail
        "F公司,xx,己,13600136000,,,,,",  # invalid: does not count as the first of its phone
        "G公司,65,庚,13600136000,,,,,",
    )
    job = run_import(leads_db, caller, data)
    assert (job.total_rows, job.imported_rows, job.rejected_rows) == (7, 2, 5)
    assert stored_errors(leads_db, job.id) == [
        (3, "电子邮箱", "repeats row 2 of this file"),
        (4, "联系电话", "repeats row 2 of this file"),
        (5, "联系电话", f"repeats lead {existing_id}"),
        (6, "电子邮箱", f"repeats lead {existing_id}"),
        (7, "所属行业", "is not a GB/T 4754 industry division"),
    ]
    with leads_db.session("t1") as session:
        assert sorted(session.scalars(select(Lead.company))) == ["", "A公司", "G公司"]
        assert session.scalar(select(Lead).where(Lead.company == "G公司")).phone_key == "13600136000"
    # Another tenant's leads are not repeats.
    other = run_import(leads_db, caller, data, tenant="t2")
    assert other.imported_rows == 4


def test_imported_leads_are_announced_in_batches_with_their_rows_atomic(leads_db, caller, outbox_events,
                                                                       monkeypatch):
    monkeypatch.setattr(importing, "EVENT_LEADS", 2)
    rows = [f"公司{i},65,联系人{i},1380013{i:04d},,,,," for i in range(5)]
    job = run_import(leads_db, caller, csv_file(*rows))
    events = outbox_events(leads_db, LeadsImported)
    assert [len(event.leads) for _, event in events] == [2, 2, 1]
    assert {tenant for tenant, _ in events} == {"t1"} and {event.job_id for _, event in events} == {job.id}
    with leads_db.session("t1") as session:
        stored = {lead.id: (lead.name, lead.phone) for lead in session.scalars(select(Lead))}
    assert {lead.lead_id: (lead.name, lead.phone) for _, event in events for lead in event.leads} == stored
    assert count(leads_db, ImportFileChunk) == 0  # the file is removed once the job has finished


def test_a_chunk_that_fails_is_rolled_back_whole_and_the_job_resumes_without_doubling(leads_db, caller,
                                                                                       monkeypatch):
    monkeypatch.setattr(importing, "CHUNK_ROWS", 3)
    rows = [f"公司{i},65,联系人{i},1380013{i:04d},,,,," for i in range(8)] + ["坏,99,人,13800138000,,,,,"]
    with leads_db.session("t1") as session:
        job_id = importing.start_import(session, caller=caller("admin"), file_name="big.csv",
                                        content=csv_file(*rows), schedule_timer=False).id
    with leads_db.session("t1") as session:
        assert importing.run_chunk(session, job_id=job_id)
    store_errors = importing._store_errors
    monkeypatch.setattr(importing, "_store_errors", lambda *a, **k: (_ for _ in ()).throw(OSError("crash")))
    with pytest.raises(OSError), leads_db.session("t1") as session:
        importing.run_chunk(session, job_id=job_id)
    assert count(leads_db) == 3  # the failed chunk left nothing behind
    monkeypatch.setattr(importing, "_store_errors", store_errors)
    importing.forget_all()  # a restart: the file is read again from the database
    job = importing.run_to_end(leads_db, "t1", job_id)
    assert (job.status, job.total_rows, job.processed_rows, job.imported_rows, job.rejected_rows) == (
        "succeeded", 9, 9, 8, 1)
    assert count(leads_db) == 8
    assert stored_errors(leads_db, job_id) == [(10, "所属行业", "is not a GB/T 4754 industry division")]


def test_the_timer_runs_an_api_job_chunk_by_chunk(leads_db, caller, monkeypatch):
    monkeypatch.setattr(importing, "CHUNK_ROWS", 2)
    rows = [f"公司{i},65,联系人{i},1380013{i:04d},,,,," for i in range(5)]
    with leads_db.session("t1") as session:
        job_id = importing.start_import(session, caller=caller("marketing"), file_name="api.csv",
                                        content=csv_file(*rows)).id
    importing.forget_all()
    assert fire_due(leads_db, TIMERS) == 3
    with leads_db.session("t1") as session:
        job = session.get(ImportJob, job_id)
        assert (job.status, job.imported_rows, job.cursor) == ("succeeded", 5, 5)
    assert fire_due(leads_db, TIMERS) == 0


def test_the_cli_resumes_the_unfinished_job_of_the_same_file(leads_db, caller):
    data = csv_file(GOOD)
    with leads_db.session("t1") as session:
        first = importing.start_import(session, caller=caller("admin"), file_name="x.csv", content=data,
                                       schedule_timer=False)
        again = importing.start_import(session, caller=caller("admin"), file_name="x.csv", content=data,
                                       schedule_timer=False, resume=True)
    assert again.id == first.id


def test_roles_and_unusable_files_at_start(leads_db, caller):
    from services.core.errors import PermissionDenied

    with pytest.raises(PermissionDenied), leads_db.session("t1") as session:
        importing.start_import(session, caller=caller("sales"), file_name="a.csv", content=csv_file(GOOD))
    with pytest.raises(InvalidArgument) as error, leads_db.session("t1") as session:
        importing.start_import(session, caller=caller("admin"), file_name="a.pdf", content=b"x")
    assert error.value.violations[0].field == "file"
    assert count(leads_db, ImportJob) == 0


# --- RPCs ----------------------------------------------------------------------------------------------------


def test_rpcs(grpc_service, monkeypatch):
    service = grpc_service("leads")
    stub = leads_pb2_grpc.LeadsServiceStub(service.channel)
    manager = service.metadata("manager")
    template = stub.GetImportTemplate(leads_pb2.GetImportTemplateRequest(format=leads_pb2.IMPORT_FORMAT_CSV),
                                      metadata=manager)
    assert template.file_name.endswith(".csv")
    data = template.content + "蓝海,65,王芳,13800138000,,,,,\n红山,99,李雷,13900139000,,,,,\n".encode()

    def upload(name, content, piece=7):
        yield leads_pb2.StartImportRequest(header=leads_pb2.ImportFileHeader(file_name=name))
        for start in range(0, len(content), piece):
            yield leads_pb2.StartImportRequest(chunk=content[start:start + piece])

    with pytest.raises(grpc.RpcError) as error:
        stub.StartImport(upload("x.csv", b""), metadata=manager)
    assert error.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    with pytest.raises(grpc.RpcError) as error:
        stub.StartImport(upload("x.csv", data), metadata=service.metadata("sales"))
    assert error.value.code() == grpc.StatusCode.PERMISSION_DENIED
    with pytest.raises(grpc.RpcError) as error:
        stub.StartImport(upload("x.csv", data), metadata=[])
    assert error.value.code() == grpc.StatusCode.UNAUTHENTICATED

    job = stub.StartImport(upload("x.csv", data), metadata=manager).job
    assert job.status == leads_pb2.IMPORT_JOB_STATUS_QUEUED and job.total_rows == 2
    fire_due(service.database, TIMERS)
    job = stub.GetImportJob(leads_pb2.GetImportJobRequest(id=job.id), metadata=manager).job
    assert (job.status, job.imported_rows, job.rejected_rows) == (leads_pb2.IMPORT_JOB_STATUS_SUCCEEDED, 1, 1)
    assert [j.id for j in stub.ListImportJobs(leads_pb2.ListImportJobsRequest(), metadata=manager).jobs] == [job.id]
    chinese = [*manager, ("accept-language", "zh-CN")]
    errors = stub.ListImportRowErrors(leads_pb2.ListImportRowErrorsRequest(job_id=job.id), metadata=chinese).errors
    assert [(e.row, e.column, e.reason) for e in errors] == [
        (3, "所属行业*/Industry*", t("is not a GB/T 4754 industry division").localized("zh_CN"))]
    report = stub.GetImportErrorReport(leads_pb2.GetImportErrorReportRequest(job_id=job.id), metadata=manager)
    assert report.content.decode("utf-8-sig").splitlines() == [
        "row,column,reason", "3,所属行业*/Industry*,is not a GB/T 4754 industry division"]
    industries_list = stub.ListIndustries(leads_pb2.ListIndustriesRequest(), metadata=service.metadata("sales"))
    assert len(industries_list.sections) == 20
    assert [d.code for d in industries_list.sections[8].divisions] == ["63", "64", "65"]
    with pytest.raises(grpc.RpcError) as error:
        stub.GetImportJob(leads_pb2.GetImportJobRequest(id=job.id), metadata=service.metadata("manager", tenant="t2"))
    assert error.value.code() == grpc.StatusCode.NOT_FOUND


# --- the commands --------------------------------------------------------------------------------------------


@pytest.fixture
def cli_env(clean_env, leads_db):
    clean_env.setenv("CRM_DATABASE_URL", leads_db.url)
    return leads_db


def test_cli_exit_codes_and_report(cli_env, tmp_path):
    runner = CliRunner()
    good = tmp_path / "good.csv"
    good.write_bytes(csv_file(GOOD))
    result = runner.invoke(COMMANDS, ["import", str(good), "--tenant", "t1"])
    assert result.exit_code == 0, result.output
    mixed = tmp_path / "mixed.csv"
    mixed.write_bytes(csv_file("红山,65,李雷,13900139000,,,,,", "白云,99,,13700137000,,,,,", GOOD))
    report = tmp_path / "report.csv"
    result = runner.invoke(COMMANDS, ["import", str(mixed), "--tenant", "t1", "--report", str(report)])
    assert result.exit_code == 1, result.output
    rows = list(csv.reader(io.StringIO(report.read_text(encoding="utf-8"))))
    assert rows[0] == ["row", "column", "reason"]
    assert rows[1:3] == [["3", "所属行业", "is not a GB/T 4754 industry division"], ["3", "联系人", "is required"]]
    assert rows[3][:2] == ["4", "联系电话"] and rows[3][2].startswith("repeats lead ")
    assert count(cli_env) == 2


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("leads.pdf", b"%PDF", "unknown file format"),
        ("empty.csv", b"", "the file is empty"),
        ("header.csv", "客户名称,联系人\n蓝海,王芳\n".encode(), "the header lacks the required columns"),
        ("binary.csv", b"\x81\x30\xff\xff,\xfe\n", "cannot read the file's text encoding"),
    ],
)
def test_cli_unusable_file_exits_2(cli_env, tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    result = CliRunner().invoke(COMMANDS, ["import", str(path), "--tenant", "t1"])
    assert result.exit_code == 2
    assert message in result.stderr
    assert count(cli_env, ImportJob) == 0


def test_cli_template(tmp_path, clean_env):
    for fmt in ("xlsx", "csv"):
        output = tmp_path / f"template.{fmt}"
        assert CliRunner().invoke(COMMANDS, ["template", "--format", fmt, "--output", str(output)]).exit_code == 0
        content = output.read_bytes()
        if fmt == "csv":
            assert content == importing.template("csv")[0]
        else:
            assert zipfile.ZipFile(io.BytesIO(content)).read("xl/workbook.xml").count(b"<sheet ") == 2


def test_identity_resolves_every_imported_lead(identity_db):
    from crm.events.v1.leads_pb2 import LeadCreated
    from services.identity.events import on_leads_imported
    from services.identity.models import SourceRecord

    event = LeadsImported(job_id="j", leads=[LeadCreated(lead_id="L1", name="王芳", phone="13800138000"),
                                             LeadCreated(lead_id="L2", name="无名")])
    with identity_db.session("t1") as session:
        on_leads_imported(session, event, envelope=None, tenant="t1")
    with identity_db.session("t1") as session:
        assert [r.record_id for r in session.scalars(select(SourceRecord))] == ["L1"]


def test_outbox_holds_nothing_for_a_file_without_good_rows(leads_db, caller):
    job = run_import(leads_db, caller, csv_file("坏,99,人,13800138000,,,,,"))
    assert (job.imported_rows, job.rejected_rows) == (0, 1)
    assert count(leads_db, OutboxMessage) == 0
