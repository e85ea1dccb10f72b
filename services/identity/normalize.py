"""The exact e-mail and phone keys of identity_0001 (the `identity_key` table).

Matching now normalises through services/identity/matching/features.py; these stay, frozen, because the
identity_0002 downgrade rebuilds `identity_key` with exactly the keys the old schema held.
"""

from __future__ import annotations

import re
import unicodedata

_NON_DIGITS = re.compile(r"\D")


def email_key(email: str) -> str:
    """Lower-cased, width-folded e-mail; empty when the value is not an e-mail address."""
    folded = unicodedata.normalize("NFKC", email).strip().casefold()
    return folded if folded.count("@") == 1 and "." in folded.split("@")[1] else ""


def phone_key(phone: str) -> str:
    """Digits only, without the China country code (+86 / 0086 / 86 before an 11-digit mobile)."""
    digits = _NON_DIGITS.sub("", unicodedata.normalize("NFKC", phone))
    for prefix in ("0086", "86"):
        if digits.startswith(prefix) and len(digits) == len(prefix) + 11 and digits[len(prefix)] == "1":
            return digits[len(prefix) :]
    return digits if len(digits) >= 6 else ""
