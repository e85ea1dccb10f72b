"""Normalisation of CRM records into comparable features (R-ID-2) and data-quality flags (R-ID-4).

Each feature is declared once, as a list of steps (fold, replace, strip), and run by two executors: polars for
batches (a million rows at native speed) and the `regex` module for one record at intake (polars pays
milliseconds of set-up per call, too much for a 10 ms match). A test runs both over generated and random data
and requires identical output, so intake and batch dedup can never disagree on what "the same phone" means.

Every value is NFKC-folded and lower-cased first: full-width letters, digits and brackets become half-width.
String similarity later counts characters (Python str, Arrow UTF-8), never bytes.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache

import numpy as np
import polars as pl
import regex

from services.identity.matching.spec import CRM_FIELDS


@dataclass(frozen=True)
class Replace:
    """Regex replacement; `$1` refers to a group. Patterns use the syntax both Rust regex and `regex` accept."""

    pattern: str
    replacement: str = ""
    every: bool = True  # False: the first match only


@dataclass(frozen=True)
class Strip:
    chars: str | None = None  # None: whitespace


@dataclass(frozen=True)
class Upper:
    pass


@dataclass(frozen=True)
class SortWords:
    """Words in code-point order: "Xu Linda" and "Linda Xu" are one name (both executors sort alike)."""


@dataclass(frozen=True)
class Feature:
    steps: tuple[Replace | Strip | Upper | SortWords, ...]
    min_length: int = 1  # shorter results are missing


# Province-level divisions and big cities that open company names ("深圳市腾讯计算机系统有限公司") without
# telling companies apart; the city is compared as its own field.
_PLACES = (
    "北京|天津|上海|重庆|河北|山西|辽宁|吉林|黑龙江|江苏|浙江|安徽|福建|江西|山东|河南|湖北|湖南|广东|海南|四川|"
    "贵州|云南|陕西|甘肃|青海|台湾|内蒙古|广西|西藏|宁夏|新疆|香港|澳门|深圳|广州|杭州|南京|苏州|武汉|成都|"
    "西安|厦门|青岛|大连|宁波|无锡|长沙|郑州|济南|沈阳|合肥|福州|东莞|佛山|珠海|昆明|哈尔滨|长春|石家庄|太原"
)
# Leading places go only when two characters or more are left: "北京有限公司" stays "北京".
_PLACE_SUFFIX = "(?:省|市|壮族自治区|回族自治区|维吾尔自治区|自治区|特别行政区)?"
_PLACE_PREFIX = Replace(rf"^(?:中国)?(?:(?:{_PLACES}){_PLACE_SUFFIX})+(.{{2,}})$", "$1", every=False)
# Legal forms at the end of a company name, applied twice ("集团股份有限公司", "xx group co., ltd.").
_LEGAL_SUFFIX = Replace(
    r"(?:(?:集团)?(?:股份)?有限(?:责任)?公司|集团公司|总公司|分公司|集团|公司"
    r"|[\s,.]*(?:co\.?,?\s*ltd\.?|company\s+limited|limited|ltd\.?|inc\.?|incorporated|corp\.?|corporation"
    r"|llc|gmbh|group|co\.?))[\s,.]*$",
    every=False,
)
_BRACKETED = Replace(r"\([^)]*\)|\[[^\]]*\]|【[^】]*】|〔[^〕]*〕")
_NO_PUNCTUATION = Replace(r"[\s\p{P}\p{S}]+")

FEATURES: dict[str, Feature] = {
    # Person names: honorifics off; punctuation to spaces; Chinese characters lose the spaces after them
    # (王 小明 = 王小明, 阿依·买买提 = 阿依买买提) while Latin names keep one space between words, in sorted
    # order (XU Linda = Linda Xu).
    "name": Feature(
        (
            Replace(r"(?:先生|女士|小姐|老师|经理)$", every=False),
            Replace(r"^(?:mr|mrs|ms|miss|dr|prof)\.?\s+", every=False),
            Replace(r"[^\p{L}\p{N}\s'-]+", " "),
            Strip(),
            Replace(r"(\p{Han})\s+", "$1"),
            Replace(r"\s+", " "),
            SortWords(),
        )
    ),
    "company": Feature((_BRACKETED, Strip(), _LEGAL_SUFFIX, _LEGAL_SUFFIX, _PLACE_PREFIX, _NO_PUNCTUATION)),
    # National phone number: extension off, digits only, +86 / 0086 / 86 off, landlines keep their leading 0.
    "phone": Feature(
        (
            Replace(r"(?:转|分机|ext\.?|x|#).*$", every=False),
            Replace(r"[^0-9]+"),
            Replace(r"^00", every=False),
            Replace(r"^86(1[3-9][0-9]{9})$", "$1", every=False),
            Replace(r"^86([1-9][0-9]{8,10})$", "0$1", every=False),
        ),
        min_length=6,
    ),
    # Mailbox without a sub-address: a+news@x.com is a@x.com.
    "email": Feature((Replace(r"\s+"), Replace(r"\+[^@]*@", "@", every=False))),
    # 江苏省南京市 = 南京市 = 南京: the province goes when a city follows, then the administrative suffix.
    "city": Feature((_NO_PUNCTUATION, _PLACE_PREFIX, Replace(r"(?:市|省|地区|自治州|区|县|city)$", every=False))),
    "address": Feature((_BRACKETED, _NO_PUNCTUATION)),
    "credit_code": Feature((Upper(), Replace(r"[^0-9A-Z]+"))),
}
assert tuple(FEATURES) == CRM_FIELDS

_MOBILE = r"^1[3-9][0-9]{9}$"
_LANDLINE = r"^0[1-9][0-9]{8,10}$"
_EMAIL = r"^[a-z0-9][a-z0-9._%'-]*@[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}$"
# Unified social credit code (GB 32100-2015): 18 characters from this alphabet, the last a check character.
_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_SHAPE = r"^[0-9A-HJ-NP-RTUWXY]{2}[0-9]{6}[0-9A-HJ-NP-RTUWXY]{10}$"
_USCC_WEIGHTS = np.array([pow(3, i, 31) for i in range(17)], dtype=np.int64)
_USCC_VALUES = np.full(256, 0, dtype=np.int64)
_USCC_VALUES[[ord(char) for char in _USCC_ALPHABET]] = np.arange(len(_USCC_ALPHABET))

# Flags: "1" valid, "0" present but invalid, "" missing.
FLAGS = ("phone_valid", "email_valid", "credit_code_valid")


# --- polars executor (batches) --------------------------------------------------------------------------------
def _polars_feature(column: str, feature: Feature) -> pl.Expr:
    expr = pl.col(column).fill_null("").str.normalize("NFKC").str.to_lowercase().str.strip_chars()
    for step in feature.steps:
        if isinstance(step, Replace):
            replace = expr.str.replace_all if step.every else expr.str.replace
            expr = replace(step.pattern, step.replacement)
        elif isinstance(step, Strip):
            expr = expr.str.strip_chars(step.chars)
        elif isinstance(step, SortWords):
            expr = expr.str.split(" ").list.sort().list.join(" ")
        else:
            expr = expr.str.to_uppercase()
    return pl.when(expr.str.len_chars() >= feature.min_length).then(expr).otherwise(None).alias(column)


def _flag(field: str, valid: pl.Expr) -> pl.Expr:
    given = pl.col(f"_{field}_given")
    return pl.when(~given).then(pl.lit("")).when(valid).then(pl.lit("1")).otherwise(pl.lit("0")).alias(f"{field}_valid")


def crm_features(frame: pl.DataFrame) -> pl.DataFrame:
    """Features and validity flags of CRM records (other columns kept); missing input columns count as empty."""
    absent = [pl.lit(None, dtype=pl.String).alias(name) for name in CRM_FIELDS if name not in frame.columns]
    given = [
        pl.col(name).fill_null("").str.strip_chars().str.len_chars().gt(0).alias(f"_{name}_given")
        for name in ("phone", "email", "credit_code")
    ]
    features = (
        frame.with_columns(absent)
        .with_columns(given)
        .with_columns(_polars_feature(name, feature) for name, feature in FEATURES.items())
    )
    phone, email, code = pl.col("phone"), pl.col("email"), pl.col("credit_code")
    features = features.with_columns(
        _flag("phone", phone.str.contains(_MOBILE) | phone.str.contains(_LANDLINE)),
        _flag("email", email.str.contains(_EMAIL)),
        _flag("credit_code", _uscc_valid(features["credit_code"])),
    ).drop(given_column.meta.output_name() for given_column in given)
    # An invalid credit code identifies nothing: compared as missing, still reported by data quality.
    return features.with_columns(credit_code=pl.when(pl.col("credit_code_valid") == "1").then(code).otherwise(None))


def uscc_check_ok(codes: list[str]) -> np.ndarray:
    """Check characters of well-shaped unified social credit codes, vectorised (tested against python-stdnum)."""
    if not codes:
        return np.zeros(0, dtype=bool)
    values = _USCC_VALUES[np.frombuffer("".join(codes).encode("ascii"), dtype=np.uint8).reshape(-1, 18)]
    return (31 - (values[:, :17] @ _USCC_WEIGHTS) % 31) % 31 == values[:, 17]


def _uscc_valid(codes: pl.Series) -> pl.Series:
    shaped = codes.fill_null("").str.contains(_USCC_SHAPE)
    valid = np.zeros(len(codes), dtype=bool)
    valid[shaped.to_numpy()] = uscc_check_ok(codes.filter(shaped).to_list())
    return pl.Series(valid)


# --- regex executor (one record) ------------------------------------------------------------------------------
@cache
def _compiled(pattern: str) -> regex.Pattern:
    return regex.compile(pattern)


@cache
def _python_replacement(replacement: str) -> str:
    return regex.sub(r"\$(\d+)", r"\\g<\1>", replacement)


def _python_feature(value: str, feature: Feature) -> str:
    if not value:
        return _empty_feature(feature)  # most fields of a record are empty: worked out once
    return _feature_of(value, feature)


@cache
def _empty_feature(feature: Feature) -> str:
    return _feature_of("", feature)


def _feature_of(value: str, feature: Feature) -> str:
    text = unicodedata.normalize("NFKC", value).lower().strip()
    for step in feature.steps:
        if isinstance(step, Replace):
            replacement = _python_replacement(step.replacement)
            text = _compiled(step.pattern).sub(replacement, text, count=0 if step.every else 1)
        elif isinstance(step, Strip):
            text = text.strip(step.chars)
        elif isinstance(step, SortWords):
            text = " ".join(sorted(text.split(" ")))
        else:
            text = text.upper()
    return text if len(text) >= feature.min_length else ""


def features_of(record: Mapping[str, str]) -> dict[str, str]:
    """Features and flags of one CRM record, as strings ("" for missing), equal to crm_features' row."""
    raw = {name: str(record.get(name) or "") for name in CRM_FIELDS}
    features = {name: _python_feature(raw[name], feature) for name, feature in FEATURES.items()}
    phone, email, code = features["phone"], features["email"], features["credit_code"]
    phone_ok = bool(_compiled(_MOBILE).match(phone) or _compiled(_LANDLINE).match(phone))
    features["phone_valid"] = _text_flag(raw["phone"], phone_ok)
    features["email_valid"] = _text_flag(raw["email"], bool(_compiled(_EMAIL).match(email)))
    code_ok = bool(_compiled(_USCC_SHAPE).match(code)) and bool(uscc_check_ok([code])[0])
    features["credit_code_valid"] = _text_flag(raw["credit_code"], code_ok)
    if features["credit_code_valid"] != "1":
        features["credit_code"] = ""
    return features


def _text_flag(raw: str, valid: bool) -> str:
    return "" if not raw.strip() else "1" if valid else "0"


def frame_of(records: Iterable[Mapping[str, str]], id_column: str = "record_id") -> pl.DataFrame:
    rows = list(records)
    columns = (id_column, *CRM_FIELDS)
    return pl.DataFrame(
        {column: [str(row.get(column) or "") for row in rows] for column in columns},
        schema=dict.fromkeys(columns, pl.String),
    )
