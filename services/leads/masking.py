"""Contact details of a pool lead are masked until a rep claims it (R-LEAD-10)."""

from __future__ import annotations


def mask_phone(phone: str) -> str:
    """Keep the first three and last four digits, e.g. "138****5678"; short numbers keep only the last two."""
    digits = [c for c in phone if c.isdigit()]
    if len(digits) >= 11:
        return "".join(digits[:3]) + "****" + "".join(digits[-4:])
    if len(digits) >= 4:
        return "*" * (len(digits) - 2) + "".join(digits[-2:])
    return "*" * len(digits)


def mask_email(email: str) -> str:
    """Keep the first character of the mailbox and the domain, e.g. "z***@example.com"."""
    if "@" not in email:
        return "*" * len(email)
    local, domain = email.rsplit("@", 1)
    return (local[:1] + "***" if local else "***") + "@" + domain
