"""The data-quality report (R-ID-4): duplicate clusters, invalid phones, e-mails and credit codes, missing
required fields. One row per finding, so it can be filtered, counted and handed to whoever cleans the data."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

ID = "record_id"
REPORT_COLUMNS = ("check", "record_id", "cluster_id", "field", "value")
# Required of every customer record: a name and a way to reach them.
CHECKS = (
    "duplicate",
    "invalid_phone",
    "invalid_email",
    "invalid_credit_code",
    "missing_name",
    "missing_contact",
)


@dataclass(frozen=True)
class QualityReport:
    findings: pl.DataFrame  # REPORT_COLUMNS, one row per finding
    records: int
    duplicate_clusters: int

    def counts(self) -> dict[str, int]:
        found = dict(self.findings.group_by("check").len().iter_rows())
        return {check: found.get(check, 0) for check in CHECKS}


def quality_report(raw: pl.DataFrame, features: pl.DataFrame, clusters: pl.DataFrame) -> QualityReport:
    """`raw` and `features` are the same records in the same order; `clusters` maps each to its cluster."""
    sizes = clusters.group_by("cluster_id").len()
    duplicates = (
        clusters.join(sizes.filter(pl.col("len") > 1), on="cluster_id", how="semi")
        .sort("cluster_id", ID)
        .select(
            pl.lit("duplicate").alias("check"), ID, "cluster_id", pl.lit("").alias("field"), pl.lit("").alias("value")
        )
    )
    both = raw.select(ID, *(pl.col(name).alias(f"raw_{name}") for name in ("phone", "email", "credit_code"))).hstack(
        features.select("name", "phone", "email", "phone_valid", "email_valid", "credit_code_valid")
    )
    findings = [duplicates]
    for field in ("phone", "email", "credit_code"):
        check = f"invalid_{field}"
        invalid = both.filter(pl.col(f"{field}_valid") == "0")
        findings.append(_finding(invalid, check, field, pl.col(f"raw_{field}")))
    findings.append(_finding(both.filter(pl.col("name").is_null()), "missing_name", "name", pl.lit("")))
    no_contact = both.filter(pl.col("phone").is_null() & pl.col("email").is_null())
    findings.append(_finding(no_contact, "missing_contact", "phone,email", pl.lit("")))
    return QualityReport(
        findings=pl.concat(findings),
        records=len(raw),
        duplicate_clusters=sizes.filter(pl.col("len") > 1).height,
    )


def _finding(rows: pl.DataFrame, check: str, field: str, value: pl.Expr) -> pl.DataFrame:
    return rows.select(
        pl.lit(check).alias("check"),
        ID,
        pl.lit("").alias("cluster_id"),
        pl.lit(field).alias("field"),
        value.fill_null("").alias("value"),
    )
