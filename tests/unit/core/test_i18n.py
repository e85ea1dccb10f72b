"""User-facing text in English and Simplified Chinese (services/core/i18n.py)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from services.core.errors import Validator
from services.core.i18n import SUPPORTED_LOCALES, catalog, negotiate, t

SERVICES = Path(__file__).resolve().parents[3] / "services"


# `{{ _("Log in") }}` in the gateway's Jinja templates (services/gateway/principal.py::gettext).
TEMPLATE_MESSAGE = re.compile(r"""\b_\(\s*(["'])(.+?)\1""")


def _msgids_in_templates() -> set[str]:
    return {match.group(2) for path in SERVICES.rglob("*.html") if "templates" in path.parts
            for match in TEMPLATE_MESSAGE.finditer(path.read_text())}


def _msgids_in_code() -> set[str]:
    found = _msgids_in_templates()
    for path in SERVICES.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "t" and node.args:
                first = node.args[0]
                assert isinstance(first, ast.Constant), f"{path}:{node.lineno}: t() needs a literal msgid"
                found.add(first.value)
    return found


@pytest.mark.parametrize("locale", [locale for locale in SUPPORTED_LOCALES if locale != "en"])
def test_every_message_in_the_code_has_a_translation(locale):
    msgids = _msgids_in_code()
    assert "is required" in msgids  # the scan sees the code
    assert "Log in" in msgids  # ... and the templates
    missing = sorted(msgids - set(catalog(locale)))
    assert missing == [], f"add to services/core/locale/{locale}/LC_MESSAGES/crm.po: {missing}"


def test_translations_keep_every_placeholder():
    for msgid, translation in catalog("zh_CN").items():
        placeholders = {part.split("}")[0] for part in msgid.split("{")[1:]}
        assert placeholders == {part.split("}")[0] for part in translation.split("{")[1:]}, msgid


def test_text_is_its_english_and_translates_with_parameters():
    text = t("must be at most {max} characters", max=200)
    assert text == "must be at most 200 characters"
    assert text.localized("zh_CN") == "最多 200 个字符"
    assert text.localized("en") == "must be at most 200 characters"


@pytest.mark.parametrize(
    ("header", "locale"),
    [
        (None, "en"),
        ("zh-CN,zh;q=0.9,en;q=0.8", "zh_CN"),
        ("en-US,en;q=0.9,zh-CN;q=0.8", "en"),
        ("zh", "zh_CN"),
        ("zh-Hans-CN", "zh_CN"),
        ("zh-TW", "en"),  # Traditional Chinese is not offered: fall back to English, not to Simplified
        ("fr-FR,zh-CN;q=0.5", "zh_CN"),
        ("de", "en"),
        ("garbage;;q=x", "en"),
    ],
)
def test_accept_language_negotiation(header, locale):
    assert negotiate(header) == locale


def test_validator_messages_are_translatable():
    check = Validator()
    check.require("", "name")
    check.require("x" * 300, "company", max_length=200)
    assert [v.description.localized("zh_CN") for v in check.violations] == ["为必填项", "最多 200 个字符"]
