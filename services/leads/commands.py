"""`crm leads ...`: batch import of leads from a file, and the import template.

Exit codes of `crm leads import`: 0 every row was imported, 1 some rows were rejected (the report lists them),
2 the file itself is unusable (nothing was imported).
"""

from __future__ import annotations

import getpass
import os
import sys
from pathlib import Path

import click

from services.core.i18n import localize, negotiate, t

ALL_IMPORTED, SOME_REJECTED, UNUSABLE_INPUT = 0, 1, 2


def _locale() -> str:
    """The terminal's language (LC_ALL, LC_MESSAGES, LANG: "zh_CN.UTF-8" gives Chinese)."""
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name)
        if value:
            return negotiate(value.split(".")[0].replace("_", "-"))
    return "en"


@click.group(name="leads")
def COMMANDS() -> None:  # noqa: N802 - the name the `crm` command looks for
    """Leads: batch import from CSV or xlsx files and its template; scoring (rescore, history, model)."""


@COMMANDS.command(name="import")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--tenant", required=True, help="Tenant the leads belong to.")
@click.option("--report", "report_path", type=click.Path(path_type=Path, dir_okay=False),
              help="Write the rejected rows as CSV row,column,reason.")
@click.option("--channel", default="", help="Channel tag of rows whose channel column is empty (default: import).")
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx"]), help="Default: from the file's extension.")
def import_(file: Path, tenant: str, report_path: Path | None, channel: str, fmt: str | None) -> None:
    """Import FILE (the template's columns; CSV in UTF-8 or GBK, or xlsx) into the configured database.

    Rows are stored in chunks, each in one transaction; running the same command again after an interruption
    resumes the unfinished job of the same file without storing any row twice.
    """
    from tqdm import tqdm

    from services.core.auth import Caller
    from services.core.db import Database
    from services.core.errors import InvalidArgument
    from services.core.settings import load_settings
    from services.leads import importing

    locale = _locale()

    def unusable(reason: str) -> None:
        click.echo(t("cannot import {path}: {reason}", path=str(file), reason=reason).localized(locale), err=True)
        sys.exit(UNUSABLE_INPUT)

    try:
        content = file.read_bytes()
    except OSError as error:
        unusable(error.strerror or type(error).__name__)
    settings = load_settings()
    database = Database("leads", settings.database_url_for("leads"))
    caller = Caller(subject=f"cli:{getpass.getuser()}", tenant_id=tenant, roles=frozenset({"admin"}), kind="service")
    try:
        try:
            with database.session(tenant) as session:
                job = importing.start_import(session, caller=caller, file_name=file.name, content=content,
                                             fmt=fmt or "", default_channel=channel, schedule_timer=False,
                                             store_file=False, resume=True)
                job_id, total, done = job.id, job.total_rows, job.processed_rows
        except InvalidArgument as error:
            unusable("; ".join(localize(violation.description, locale) for violation in error.violations))
        with tqdm(total=total, initial=done, unit="rows", desc=file.name, disable=None, file=sys.stderr) as bar:
            job = importing.run_to_end(database, tenant, job_id,
                                       progress=lambda current: bar.update(current.processed_rows - bar.n))
        if report_path is not None:
            with database.session(tenant) as session:
                report_path.write_bytes(importing.error_report(session, job_id=job_id, locale=locale))
    finally:
        database.dispose()
    if job.status == importing.FAILED:
        unusable(job.error)
    click.echo(t("{imported} of {total} rows imported, {rejected} rejected (job {id})", imported=job.imported_rows,
                 total=job.total_rows, rejected=job.rejected_rows, id=job.id).localized(locale), err=True)
    sys.exit(SOME_REJECTED if job.rejected_rows else ALL_IMPORTED)


@COMMANDS.command()
@click.option("--format", "fmt", type=click.Choice(["xlsx", "csv"]), default="xlsx", show_default=True)
@click.option("--output", required=True, type=click.Path(path_type=Path, dir_okay=False))
def template(fmt: str, output: Path) -> None:
    """Write the import template (bilingual header; xlsx with an industry drop-down)."""
    from services.leads import importing

    content, _ = importing.template(fmt)
    output.write_bytes(content)
    click.echo(str(output), err=True)


# --- scoring and behaviour ---------------------------------------------------------------------------------------


def _leads_database():  # noqa: ANN202
    from services.core.db import Database
    from services.core.settings import load_settings

    return Database("leads", load_settings().database_url_for("leads"))


@COMMANDS.command()
@click.option("--tenant", required=True, help="Tenant whose leads are rescored.")
def rescore(tenant: str) -> None:
    """Rescore every lead of TENANT now with its scoring model (the default model in one vectorised pass), with
    what each new score sets off: history, qualification, first-contact deadlines, nurturing."""
    from services.leads import rescoring

    database = _leads_database()
    try:
        result = rescoring.rescore_tenant(database, tenant)
    finally:
        database.dispose()
    click.echo(t("{leads} leads rescored with {model} in {seconds} s ({rate} leads/s): {changed} changed, "
                 "{qualified} qualified, {hot} turned hot, {nurtured} sent to nurturing",
                 leads=result.leads, model=result.model, seconds=f"{result.seconds:.1f}",
                 rate=f"{result.leads / max(result.seconds, 1e-9):,.0f}", changed=result.changed,
                 qualified=result.qualified, hot=result.turned_hot, nurtured=result.nurtured).localized(_locale()),
               err=True)


@COMMANDS.command(name="export-history")
@click.option("--tenant", required=True)
@click.option("--output", required=True, type=click.Path(path_type=Path, dir_okay=False),
              help="CSV of decided leads (converted = won, lost = lost) with their attributes and behaviour.")
def export_history(tenant: str, output: Path) -> None:
    """Write TENANT's won/lost lead history, the training data of predictive scoring models."""
    from services.leads import rescoring

    database = _leads_database()
    try:
        rows = rescoring.export_history(database, tenant, output)
    finally:
        database.dispose()
    click.echo(t("{rows} decided leads written to {path}", rows=rows, path=str(output)).localized(_locale()),
               err=True)


@COMMANDS.command(name="scoring-model")
@click.option("--tenant", required=True)
@click.option("--plugin", help="\"builtin\" (the default model) or an installed plugin's name; omit to show.")
@click.option("--settings", "settings_path", type=click.Path(path_type=Path, dir_okay=False, exists=True),
              help="JSON file of the plugin's settings (e.g. trained parameters from crm-predictive-scoring train).")
def scoring_model(tenant: str, plugin: str | None, settings_path: Path | None) -> None:
    """Show or choose TENANT's lead-scoring model."""
    import json

    from services.core.auth import Caller
    from services.core.errors import DomainError
    from services.leads import scoring

    caller = Caller(subject=f"cli:{getpass.getuser()}", tenant_id=tenant, roles=frozenset({"admin"}), kind="service")
    database = _leads_database()
    try:
        with database.session(tenant) as session:
            if plugin:
                settings = json.loads(settings_path.read_text(encoding="utf-8")) if settings_path else {}
                scoring.set_model(session, caller=caller, plugin=plugin, settings=settings)
            choice = scoring.get_model(session, caller=caller)
    except (DomainError, ValueError) as error:
        click.echo(str(getattr(error, "message", error)), err=True)
        sys.exit(UNUSABLE_INPUT)
    finally:
        database.dispose()
    click.echo(f"{choice.plugin} (installed: {', '.join(scoring.installed_models())})")
