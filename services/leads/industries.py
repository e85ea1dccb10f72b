"""GB/T 4754-2017 industrial classification (R-LEAD-3): 20 sections (A..T) and 97 divisions (01..97).

The reference data ships with the package (reference/gbt4754_2017.csv). A lead's industry is a division code;
`resolve_industry` turns what people type or pick ("65", "I65", "I 65", "65 软件和信息技术服务业", the Chinese or
English division name, full-width or not, any case) into that code.
"""

from __future__ import annotations

import csv
import functools
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

REFERENCE = Path(__file__).parent / "reference" / "gbt4754_2017.csv"

# "I65", "I 65", "65", "5" (a spreadsheet drops the leading zero of 05), "65.0" (a numeric cell), optionally followed
# by the division's name: "65 软件和信息技术服务业", "I65-Software and information technology services".
_CODED = re.compile(r"^([a-t])?\s*-?\s*(\d{1,2})(?:\.0+)?(?:\s*[-:.、/|]?\s*(.+))?$")
# What two spellings of one name may differ in: spaces, punctuation, "and"/"&".
_NOISE = re.compile(r"[\s\W_]+|(?<![a-z])and(?![a-z])")


@dataclass(frozen=True)
class Industry:
    code: str  # "I" for a section, "65" for a division
    section: str  # the section letter ("I" for both)
    name_zh: str
    name_en: str

    @property
    def is_section(self) -> bool:
        return self.code.isalpha()


def _fold(text: str) -> str:
    """Width- and case-insensitive form: NFKC (full-width to ASCII), case-folded, outer spaces removed."""
    return unicodedata.normalize("NFKC", text).strip().casefold()


def _name_key(text: str) -> str:
    return _NOISE.sub("", _fold(text).replace("&", " and "))


@functools.cache
def classification() -> tuple[Industry, ...]:
    """Every section and division, in the standard's order (a section precedes its divisions)."""
    with REFERENCE.open(encoding="utf-8", newline="") as handle:
        return tuple(Industry(row["code"], row["section"], row["name_zh"], row["name_en"])
                     for row in csv.DictReader(handle))


def sections() -> list[Industry]:
    return [industry for industry in classification() if industry.is_section]


def divisions() -> list[Industry]:
    return [industry for industry in classification() if not industry.is_section]


@functools.cache
def division(code: str) -> Industry | None:
    return next((d for d in divisions() if d.code == code), None)


@functools.cache
def _by_name() -> dict[str, str]:
    """Normalised division name (Chinese or English) -> code; a section name only when it has one division."""
    names: dict[str, str] = {}
    by_section: dict[str, list[Industry]] = {}
    for item in divisions():
        by_section.setdefault(item.section, []).append(item)
        names[_name_key(item.name_zh)] = item.code
        names[_name_key(item.name_en)] = item.code
    for item in sections():
        members = by_section[item.section]
        if len(members) == 1:  # K 房地产业 = 70, P 教育 = 83, T 国际组织 = 97
            names.setdefault(_name_key(item.name_zh), members[0].code)
            names.setdefault(_name_key(item.name_en), members[0].code)
    return names


@functools.lru_cache(maxsize=4096)
def resolve_industry(text: str) -> str | None:
    """The GB/T 4754-2017 division code ("65") that `text` names, or None when it names none (or a whole section
    of several divisions, which is not precise enough for a lead)."""
    if not text:
        return None
    folded = _fold(text)
    if not folded:
        return None
    coded = _CODED.match(folded)
    if coded:
        letter, number, rest = coded.groups()
        found = division(f"{int(number):02d}") if int(number) else None
        if found is None or (letter and letter.upper() != found.section):
            return None
        if rest and _name_key(rest) not in (_name_key(found.name_zh), _name_key(found.name_en)):
            return None
        return found.code
    return _by_name().get(_name_key(folded))


def label(code: str) -> str:
    """"65 软件和信息技术服务业": how a picker (and the import template's drop-down) shows a division."""
    item = division(code)
    return f"{item.code} {item.name_zh}" if item else code
