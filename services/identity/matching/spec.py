"""What a linkage compares and how it blocks: the data-set-specific half of the engine (like Splink's settings).

The CRM uses CRM_SPEC; benches on other data (FEBRL) build their own LinkageSpec from the same parts.
"""

from __future__ import annotations

from dataclasses import dataclass

# Comparison levels, from no evidence to the strongest agreement. A field's level is an index into LEVELS with
# MISSING stored as -1 (one side empty: no evidence either way, weight 0).
MISSING = -1
DISAGREE, FUZZY, CLOSE, EXACT = 0, 1, 2, 3
LEVELS = ("disagree", "fuzzy", "close", "exact")
LEVEL_NAMES = {MISSING: "missing", **dict(enumerate(LEVELS))}


@dataclass(frozen=True)
class FieldComparison:
    """How one feature column is compared.

    kind:
      "text"  exact / close (Jaro-Winkler >= close or one edit) / fuzzy (Jaro-Winkler >= fuzzy) / disagree;
      "code"  exact / close (one edit: a typo in an id, a phone, a date) / fuzzy (two edits) / disagree;
      "email" exact / close (one edit) / fuzzy (same mailbox name at another domain) / disagree;
      "exact" exact / disagree.
    tf_adjust: an exact agreement on a rare value counts for more than on a common one (term frequency).
    """

    field: str
    kind: str = "text"
    close: float = 0.92
    fuzzy: float = 0.80
    tf_adjust: bool = False


@dataclass(frozen=True)
class BlockingRule:
    """Pairs are compared only when they agree exactly on every column of at least one rule."""

    name: str
    columns: tuple[str, ...]


@dataclass(frozen=True)
class LinkageSpec:
    comparisons: tuple[FieldComparison, ...]
    blocking: tuple[BlockingRule, ...]
    # A blocking key shared by more records than this is too common to say anything (a shared switchboard
    # number, "张伟" in Beijing); its pairs are left to the other rules instead of exploding quadratically.
    max_block: int = 200

    @property
    def fields(self) -> tuple[str, ...]:
        return tuple(comparison.field for comparison in self.comparisons)


# The CRM record: what `crm identity dedup` reads and what the service stores per source record.
CRM_FIELDS = ("name", "company", "phone", "email", "city", "address", "credit_code")

CRM_SPEC = LinkageSpec(
    comparisons=(
        # fuzzy 0.75: one character of a three-character Chinese name (王小明 / 王晓明) scores 0.8.
        FieldComparison("name", "text", close=0.92, fuzzy=0.75, tf_adjust=True),
        FieldComparison("company", "text", close=0.94, fuzzy=0.85, tf_adjust=True),
        # A switchboard or a shared hr@ mailbox on many records is weak evidence: term frequencies say so.
        FieldComparison("phone", "code", tf_adjust=True),
        FieldComparison("email", "email", tf_adjust=True),
        FieldComparison("city", "exact", tf_adjust=True),
        FieldComparison("address", "text", close=0.92, fuzzy=0.80),
        FieldComparison("credit_code", "code"),
    ),
    blocking=(
        BlockingRule("phone", ("phone",)),
        BlockingRule("email", ("email",)),
        BlockingRule("credit_code", ("credit_code",)),
        BlockingRule("name_company", ("name", "company")),
        BlockingRule("name_city", ("name", "city")),
        BlockingRule("company_city", ("company", "city")),
        BlockingRule("address", ("address",)),
    ),
)
