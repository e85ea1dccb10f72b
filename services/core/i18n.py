"""User-facing text in English and Simplified Chinese.

Code writes `t("must be at most {max} characters", max=200)`: a Text that prints as English (logs, the gRPC
status message) and is translated for a caller who asked for another language (gRPC metadata
`accept-language`, which the gateway sets from the user's choice). Catalogs are gettext .po files under
services/core/locale/<locale>/LC_MESSAGES/crm.po, read with Babel at first use (nothing compiled is committed);
a unit test fails when a message has no translation.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from babel import Locale, UnknownLocaleError
from babel.messages.pofile import read_po

LOCALE_DIR = Path(__file__).parent / "locale"
DEFAULT_LOCALE = "en"
SUPPORTED_LOCALES = ("en", "zh_CN")
DOMAIN = "crm"


class Text(str):
    """A translatable message: it *is* its English text (so it compares, logs and formats as a plain string)
    and remembers its msgid and parameters for translation."""

    msgid: str
    params: Mapping[str, Any]

    def __new__(cls, msgid: str, params: Mapping[str, Any] | None = None) -> Text:
        params = dict(params or {})
        text = super().__new__(cls, msgid.format(**params))
        text.msgid, text.params = msgid, params
        return text

    def localized(self, locale: str) -> str:
        template = catalog(locale).get(self.msgid) or self.msgid
        return template.format(**self.params)


def t(msgid: str, **params: Any) -> Text:
    return Text(msgid, params)


def localize(text: Text | str, locale: str) -> str:
    return text.localized(locale) if isinstance(text, Text) else str(text)


@functools.cache
def catalog(locale: str) -> dict[str, str]:
    """msgid -> translation for `locale`; empty for English and for untranslated entries."""
    path = LOCALE_DIR / locale / "LC_MESSAGES" / f"{DOMAIN}.po"
    if locale == DEFAULT_LOCALE or not path.exists():
        return {}
    with path.open("rb") as handle:
        po = read_po(handle, locale=locale)
    return {message.id: message.string for message in po if message.id and message.string}


def negotiate(accept_language: str | None) -> str:
    """The supported locale that best fits an Accept-Language value ("zh-CN,zh;q=0.9,en;q=0.8")."""
    if not accept_language:
        return DEFAULT_LOCALE
    weighted = []
    for position, part in enumerate(accept_language.split(",")):
        tag, _, quality = part.strip().partition(";q=")
        try:
            weight = float(quality) if quality else 1.0
        except ValueError:
            continue
        weighted.append((-weight, position, tag.strip()))
    preferred = [tag for _, _, tag in sorted(weighted) if tag and tag != "*"]
    available = [locale.replace("_", "-") for locale in SUPPORTED_LOCALES]
    for tag in preferred:
        try:
            parsed = Locale.parse(tag, sep="-")
        except (ValueError, UnknownLocaleError):
            continue
        if parsed.language == "zh" and parsed.script in (None, "Hans") and parsed.territory in (None, "CN", "SG"):
            return "zh_CN"
        if parsed.language == "en":
            return "en"
        if f"{parsed.language}-{parsed.territory}" in available:
            return f"{parsed.language}_{parsed.territory}"
    return DEFAULT_LOCALE
