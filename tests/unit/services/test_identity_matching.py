"""The matching engine: normalisation, comparison levels, EM, term frequencies, batch dedup and its command."""

from __future__ import annotations

import csv
import random

import numpy as np
import polars as pl
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.cn import uscc

from services.core.cli import main as crm
from services.identity.matching.batch import dedup_frame
from services.identity.matching.compare import compare
from services.identity.matching.features import crm_features, features_of, frame_of
from services.identity.matching.model import Model, collapse, em
from services.identity.matching.spec import CLOSE, CRM_FIELDS, DISAGREE, EXACT, FUZZY, MISSING, FieldComparison
from tests.unit.services.identity_records import pairwise_f1, records


def same_feature(field: str, left: str, right: str) -> bool:
    return features_of({field: left})[field] == features_of({field: right})[field] != ""


@pytest.mark.parametrize(
    ("left", "right"),
    [
        ("深圳市华为技术有限公司", "华为技术"),
        ("华为技术（深圳）有限公司", "华为技术有限责任公司"),
        ("广东省深圳市华为技术股份有限公司", "华为技术集团"),
        ("ＡＢＣ科技有限公司", "abc科技"),
        ("Acme Co., Ltd.", "ACME Inc."),
    ],
)
def test_company_variants_share_one_core(left, right):
    assert same_feature("company", left, right)


def test_company_core_keeps_what_tells_companies_apart():
    assert not same_feature("company", "华为技术有限公司", "华为终端有限公司")
    assert features_of({"company": "北京有限公司"})["company"] == "北京"  # nothing but a place: the place stays


@pytest.mark.parametrize(
    "variant",
    [
        "+86 138 0013 8000",
        "0086-13800138000",
        "138-0013-8000",
        "86 13800138000",
        "１３８００１３８０００",
        "13800138000 ext. 12",
    ],
)
def test_mobile_formats_are_one_number(variant):
    assert features_of({"phone": variant})["phone"] == "13800138000"


def test_landlines_keep_area_code_and_lose_extension():
    assert features_of({"phone": "010-12345678 转 801"})["phone"] == "01012345678"
    assert features_of({"phone": "+86 10 1234 5678"})["phone"] == "01012345678"
    assert features_of({"phone": "010-12345678"})["phone_valid"] == "1"
    assert features_of({"phone": "12345"})["phone_valid"] == "0"
    assert features_of({"phone": ""})["phone_valid"] == ""


def test_email_case_and_sub_address():
    assert features_of({"email": " Li.Lei+CRM@Example.COM "})["email"] == "li.lei@example.com"
    assert features_of({"email": "li.lei@example"})["email_valid"] == "0"


def test_person_names_lose_spaces_dots_and_honorifics():
    assert same_feature("name", "王 小明先生", "王小明")
    assert same_feature("name", "阿依·买买提", "阿依买买提")
    assert features_of({"name": "Mr. John  Smith"})["name"] == "john smith"


def test_credit_code_check_character_agrees_with_stdnum():
    rng = random.Random(5)
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    for _ in range(300):
        body = (
            rng.choice("159")
            + rng.choice("123")
            + "".join(rng.choice("0123456789") for _ in range(6))
            + "".join(rng.choice(alphabet) for _ in range(9))
        )
        valid = body + uscc.calc_check_digit(body)
        wrong = body + rng.choice([c for c in alphabet if c != valid[-1]])
        for code in (valid, wrong):
            flag = features_of({"credit_code": code})["credit_code_valid"]
            assert flag == ("1" if uscc.is_valid(code) else "0"), code
    # An invalid code identifies nothing: it is not a feature, only a finding.
    assert features_of({"credit_code": "91110000600037341X"})["credit_code"] == ""


TRICKY_CHARACTERS = "王小明华为（）()有限公司 .,+-@#转ext01386ＡＢａｂ" + "深圳市北京集团Co.Ltd·"
TRICKY = st.text(alphabet=st.sampled_from(list(TRICKY_CHARACTERS)), max_size=24)


@settings(max_examples=150, deadline=None)
@given(st.fixed_dictionaries({field: TRICKY for field in CRM_FIELDS}))
def test_batch_and_single_record_normalisation_agree(record):
    batch = crm_features(frame_of([{"record_id": "1", **record}])).row(0, named=True)
    single = features_of(record)
    assert {key: value or "" for key, value in batch.items() if key != "record_id"} == single


def test_generated_records_normalise_the_same_in_batch_and_alone():
    rows, _ = records(entities=80)
    batch = crm_features(frame_of(rows)).to_dicts()
    for row, features in zip(rows, batch, strict=True):
        assert {key: value or "" for key, value in features.items() if key != "record_id"} == features_of(row)


def levels_of(kind: str, pairs: list[tuple[str | None, str | None]]) -> list[int]:
    left, right = (pl.Series([pair[i] for pair in pairs], dtype=pl.String) for i in (0, 1))
    return compare(FieldComparison("f", kind), left, right)[0].tolist()


def test_comparison_levels_per_kind():
    text_pairs = [("王小明", "王小明"), ("王小明", None), ("星河科技", "星河软件科技"), ("王小明", "李娜")]
    assert levels_of("text", text_pairs) == [EXACT, MISSING, FUZZY, DISAGREE]
    assert levels_of(
        "code", [("13800138000", "13800138001"), ("13800138000", "13800138011"), ("13800138000", "13912345678")]
    ) == [CLOSE, FUZZY, DISAGREE]
    assert levels_of("email", [("lilei@qq.com", "lilei@163.com"), ("lilei@qq.com", "lilai@qq.com")]) == [FUZZY, CLOSE]
    assert levels_of("exact", [("深圳", "深圳"), ("深圳", "广州")]) == [EXACT, DISAGREE]


def test_similarity_counts_characters_not_bytes():
    # One substitution in four characters is the same edit in Chinese (3 bytes each in UTF-8) as in Latin.
    chinese = compare(FieldComparison("f", "text"), pl.Series(["华为技术"]), pl.Series(["华为科术"]))[1]
    latin = compare(FieldComparison("f", "text"), pl.Series(["abcd"]), pl.Series(["abxd"]))[1]
    assert chinese[0] == pytest.approx(latin[0])


def test_em_recovers_m_and_prior_without_labels():
    rng = np.random.default_rng(1)
    true_m = np.array([[0.05, 0.05, 0.1, 0.8], [0.1, 0.1, 0.1, 0.7], [0.2, 0.0, 0.0, 0.8]])
    u = np.array([[0.9, 0.06, 0.03, 0.01], [0.85, 0.1, 0.04, 0.01], [0.7, 0.0, 0.0, 0.3]])
    matches = rng.random(60_000) < 0.3
    levels = np.stack(
        [
            np.where(matches, rng.choice(4, size=matches.size, p=true_m[f]), rng.choice(4, size=matches.size, p=u[f]))
            for f in range(3)
        ],
        axis=1,
    ).astype(np.int8)
    m, prior, _ = em(*collapse(levels), np.full((3, 4), 0.25), u, 0.5, iterations=200)
    assert prior == pytest.approx(0.3, abs=0.01)
    assert np.abs(m - true_m).max() < 0.03


def test_rare_values_weigh_more_than_common_ones():
    model = Model()
    levels = np.full((2, len(model.spec.fields)), MISSING, dtype=np.int8)
    levels[:, 0] = EXACT  # names agree exactly
    shares = {"name": np.array([0.05, 0.00001])}  # "张伟" vs "欧阳娜娜"
    common, rare = model.match_weight(levels, shares)[0]
    assert rare - common == pytest.approx(np.log2(0.05 / 0.00001))


def test_rejected_decisions_lower_the_weight_of_what_they_agreed_on():
    model = Model()
    pattern = np.array([EXACT, EXACT, DISAGREE, MISSING, EXACT, MISSING, MISSING], dtype=np.int8)
    before = model.match_weight(pattern[None, :])[0][0]
    for _ in range(5):
        model.learn_from_decision(pattern, is_match=False)
    after = model.match_weight(pattern[None, :])[0][0]
    assert after < before - 1
    restored = Model.from_parameters(model.to_parameters())
    assert restored.match_weight(pattern[None, :])[0][0] == pytest.approx(after)


def test_batch_dedup_finds_the_duplicates():
    rows, truth = records(entities=400)
    result = dedup_frame(frame_of(rows))
    clusters = dict(result.clusters.iter_rows())
    precision, recall, f1 = pairwise_f1(clusters, truth)
    assert len(clusters) == len(rows)
    assert f1 >= 0.95, (precision, recall)
    assert result.model.trained_pairs == result.candidate_pairs > 0
    # Every cluster is named after one of its members; singletons after themselves.
    assert all(clusters[cluster] == cluster for cluster in clusters.values())


def write_csv(path, rows, header=("record_id", *CRM_FIELDS)):
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=header, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)


def run_dedup(tmp_path, *extra: str):
    """`crm identity dedup` on tmp_path/in.csv into tmp_path/out.csv."""
    arguments = ["identity", "dedup", "--input", str(tmp_path / "in.csv"), "--output", str(tmp_path / "out.csv")]
    return CliRunner().invoke(crm, [*arguments, *extra])


def test_dedup_command_contract(tmp_path):
    rows, truth = records(entities=150)
    write_csv(tmp_path / "in.csv", rows)
    result = run_dedup(tmp_path, "--report", str(tmp_path / "report.csv"))
    assert result.exit_code == 0, result.output
    with open(tmp_path / "out.csv", encoding="utf-8") as handle:
        output = list(csv.DictReader(handle))
    assert list(output[0]) == ["record_id", "cluster_id"]
    assert [row["record_id"] for row in output] == [row["record_id"] for row in rows]  # every row, in order
    assert pairwise_f1({row["record_id"]: row["cluster_id"] for row in output}, truth)[2] >= 0.95
    with open(tmp_path / "report.csv", encoding="utf-8") as handle:
        findings = list(csv.DictReader(handle))
    duplicates = {row["record_id"] for row in findings if row["check"] == "duplicate"}
    assert duplicates == {
        row["record_id"] for row in output if sum(other["cluster_id"] == row["cluster_id"] for other in output) > 1
    }


def test_dedup_report_lists_invalid_and_missing_fields(tmp_path):
    rows = [
        {"record_id": "a", "name": "王小明", "phone": "12345", "email": "bad@", "credit_code": "91110000600037341X"},
        {"record_id": "b", "name": "", "company": "华为"},
    ]
    write_csv(tmp_path / "in.csv", rows)
    result = run_dedup(tmp_path, "--report", str(tmp_path / "report.csv"))
    assert result.exit_code == 0, result.output
    with open(tmp_path / "report.csv", encoding="utf-8") as handle:
        findings = {(row["check"], row["record_id"], row["value"]) for row in csv.DictReader(handle)}
    assert findings == {
        ("invalid_phone", "a", "12345"),
        ("invalid_email", "a", "bad@"),
        ("invalid_credit_code", "a", "91110000600037341X"),
        ("missing_name", "b", ""),
        ("missing_contact", "b", ""),
    }


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("name,phone\n王小明,13800138000\n", "record_id"),
        ("record_id,name\n1,a\n1,b\n", "repeat"),
        ("record_id,name\n1,a\n,b\n", "rows 3"),
    ],
)
def test_dedup_command_rejects_unusable_input_with_exit_2(tmp_path, content, reason):
    (tmp_path / "in.csv").write_text(content, encoding="utf-8")
    result = run_dedup(tmp_path)
    assert result.exit_code == 2
    assert reason in result.output
    assert not (tmp_path / "out.csv").exists()


def test_dedup_command_accepts_missing_optional_columns_and_singletons(tmp_path):
    (tmp_path / "in.csv").write_text("record_id,name\n1,王小明\n2,李娜\n", encoding="utf-8")
    result = run_dedup(tmp_path)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out.csv").read_text(encoding="utf-8").split() == ["record_id,cluster_id", "1,1", "2,2"]
