"""Contact keys: one spelling of an e-mail address or phone number, to spot a repeat of an open lead.

Deliberately exact (no fuzzy matching): a key match is certain enough to record a repeat at capture without a
round trip. Fuzzy matches are the identity service's job; leads hears of them through identity.resolved.
"""

from __future__ import annotations

import re

_EXTENSION = re.compile(r"(?:ext\.?|extension|x|转|分机|#).*$", re.IGNORECASE)
_NOT_DIGIT = re.compile(r"\D")


def email_key(email: str) -> str:
    return email.strip().lower()


def phone_key(phone: str) -> str:
    """Digits only, without the +86 / 0086 country prefix or an extension; a landline keeps its leading 0.

    "+86 138-0013-8000" and "13800138000" give "13800138000"; "+86 10 6552 9988" and "010-65529988 转 12" give
    "01065529988".
    """
    text = _EXTENSION.sub("", phone.strip())
    digits = _NOT_DIGIT.sub("", text)
    international = False
    if digits.startswith("0086"):
        digits, international = digits[4:], True
    elif text.startswith("+86") or (digits.startswith("86") and len(digits) == 13):
        digits, international = digits[2:], True
    if international and digits and not (len(digits) == 11 and digits.startswith("1")) and not digits.startswith("0"):
        digits = "0" + digits  # a landline dialled from abroad drops its trunk 0
    return digits
