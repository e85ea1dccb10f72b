"""`crm identity ...`: batch dedup of a CSV file, runnable by anyone on their own data, no service needed."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from services.core.i18n import t
from services.identity.matching.spec import CRM_FIELDS

# Exit codes, as for every `crm` batch command: 0 done, 2 the input itself is unusable.
UNUSABLE_INPUT = 2


@click.group(name="identity")
def COMMANDS() -> None:  # noqa: N802 - the name the `crm` command looks for
    """Customer identity resolution: batch dedup and data-quality reports."""


@COMMANDS.command()
@click.option(
    "--input",
    "input_path",
    required=True,
    type=click.Path(path_type=Path),
    help="CSV with header record_id,name,company,phone,email,city,address,credit_code.",
)
@click.option(
    "--output",
    "output_path",
    required=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="CSV record_id,cluster_id for every input row.",
)
@click.option(
    "--report",
    "report_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Also write the data-quality report (check,record_id,cluster_id,field,value).",
)
@click.option(
    "--threshold",
    type=click.FloatRange(0.0, 1.0, min_open=True, max_open=True),
    help="Match probability that puts two records in one cluster (default 0.9).",
)
def dedup(input_path: Path, output_path: Path, report_path: Path | None, threshold: float | None) -> None:
    """Cluster duplicate records: probabilistic matching trained on the file itself, no labels needed."""
    import polars as pl
    from tqdm import tqdm

    from services.identity.matching.batch import dedup_frame
    from services.identity.matching.quality import quality_report

    records = _read_records(input_path)
    with tqdm(total=100, unit="%", desc="dedup", disable=None, file=sys.stderr) as bar:
        result = dedup_frame(records, threshold=threshold, progress=lambda done, total: bar.update(done - bar.n))
    result.clusters.write_csv(output_path)
    clusters = result.clusters.filter(pl.col("cluster_id").is_duplicated()).select("cluster_id").n_unique()
    click.echo(
        t(
            "{records} records, {clusters} duplicate clusters, {pairs} candidate pairs compared",
            records=len(records),
            clusters=clusters,
            pairs=result.candidate_pairs,
        ),
        err=True,
    )
    if report_path:
        report = quality_report(records, result.features, result.clusters)
        report.findings.write_csv(report_path)
        click.echo(", ".join(f"{check}: {count}" for check, count in report.counts().items()), err=True)


def _read_records(path: Path):  # noqa: ANN202 - polars is imported lazily
    import polars as pl

    def unusable(message: str) -> None:
        click.echo(t("cannot use {path}: {reason}", path=str(path), reason=message), err=True)
        sys.exit(UNUSABLE_INPUT)

    try:
        records = pl.read_csv(path, infer_schema=False, encoding="utf8-lossy")
    except (OSError, pl.exceptions.PolarsError) as error:
        unusable(str(error).splitlines()[0] if str(error) else type(error).__name__)
    records = records.rename({name: name.strip().lstrip("\ufeff").lower() for name in records.columns})
    if "record_id" not in records.columns:
        unusable(t("the header has no record_id column"))
    records = records.select("record_id", *(name for name in CRM_FIELDS if name in records.columns))
    # Row numbers as a spreadsheet shows them: the header is row 1.
    blank_id = pl.col("record_id").fill_null("").str.strip_chars() == ""
    blank = records.with_row_index("row", offset=2).filter(blank_id)["row"]
    if len(blank):
        unusable(t("record_id is empty on rows {rows}", rows=", ".join(map(str, blank.head(10).to_list()))))
    repeated = records.filter(pl.col("record_id").is_duplicated())["record_id"].unique(maintain_order=True)
    if len(repeated):
        unusable(t("record_id values repeat: {ids}", ids=", ".join(repeated.head(10).to_list())))
    return records
