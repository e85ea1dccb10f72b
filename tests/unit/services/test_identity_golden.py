"""The golden record (R-ID-3): per-field survivorship over a customer's records, and the tenant's rules."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from services.core.errors import InvalidArgument, PermissionDenied
from services.identity import golden
from services.identity.golden import RecordValues, Rules, golden_record
from tests.unit.services.identity_support import MANAGER, caller


def at(day: int) -> datetime:
    return datetime(2024, 5, day, tzinfo=UTC)


def rec(day: int, service: str = "leads", order: int = 0, flags: dict | None = None, **values) -> RecordValues:
    return RecordValues(values=values, service=service, observed_at=at(day), order=order or day,
                        flags={name: "1" for name in ("email", "phone", "credit_code") if values.get(name)}
                        | (flags or {}))


def test_no_records_no_values():
    assert golden_record([]) == dict.fromkeys(golden.GOLDEN_FIELDS, "")


def test_one_record_is_its_own_golden_record():
    values = {"name": "王芳", "company": "华为技术有限公司", "email": "wf@example.cn", "phone": "13800138000",
              "city": "深圳", "address": "坂田华为基地", "credit_code": "914403001922038216"}
    assert golden_record([rec(1, **values)]) == values


def test_email_and_phone_are_the_most_recent_valid_values():
    records = [
        rec(1, email="old@example.com", phone="13800000001"),
        rec(3, email="new@example.com"),  # no phone here: an empty value never wins
        rec(2, phone="13800000002"),
    ]
    result = golden_record(records)
    assert (result["email"], result["phone"]) == ("new@example.com", "13800000002")


def test_an_invalid_value_loses_to_an_older_valid_one_but_beats_nothing():
    records = [rec(1, email="valid@example.com"), rec(5, email="not-an-email", flags={"email": "0"})]
    assert golden_record(records)["email"] == "valid@example.com"
    only_invalid = [rec(5, email="not-an-email", flags={"email": "0"})]
    assert golden_record(only_invalid)["email"] == "not-an-email"  # kept, and the quality report flags it


def test_name_is_the_most_frequent_then_the_most_recent():
    records = [rec(1, name="Ann Lee"), rec(2, name="ann  lee"), rec(3, name="Annie Lee")]
    assert golden_record(records)["name"] == "ann  lee".strip()  # two agree (case/space-folded); newest of them
    tie = [rec(1, name="Ann Lee"), rec(2, name="Annie Lee")]
    assert golden_record(tie)["name"] == "Annie Lee"


def test_company_and_address_are_the_most_complete():
    records = [rec(3, company="华为"), rec(1, company="华为技术有限公司"), rec(2, company="华为技术")]
    assert golden_record(records)["company"] == "华为技术有限公司"
    assert golden_record([rec(1, address="Bantian"), rec(2, address="Bantian, Longgang")])["address"] == \
        "Bantian, Longgang"


def test_credit_code_follows_source_priority_then_recency():
    records = [
        rec(5, service="marketing", credit_code="91110000600037341L"),
        rec(1, service="sales", credit_code="914403001922038216"),
        rec(4, service="leads", credit_code="91330100MA2CD1234E"),
    ]
    assert golden_record(records)["credit_code"] == "914403001922038216"  # sales outranks leads and marketing
    custom = Rules(source_priority=("marketing", "sales"))
    assert golden_record(records, custom)["credit_code"] == "91110000600037341L"
    unknown = [rec(1, service="erp", credit_code="914403001922038216"),
               rec(2, service="partner", credit_code="91110000600037341L")]
    assert golden_record(unknown)["credit_code"] == "91110000600037341L"  # unlisted sources tie: most recent


def test_equal_observation_times_are_broken_by_link_order():
    records = [rec(1, order=7, city="Beijing"), rec(1, order=9, city="Shanghai")]
    assert golden_record(records)["city"] == "Shanghai"


def test_rules_can_be_changed_per_field():
    records = [rec(1, name="Ann Lee"), rec(2, name="Ann Lee"), rec(3, name="Ann B. Lee-Smith")]
    assert golden_record(records)["name"] == "Ann Lee"
    assert golden_record(records, Rules(by_field={"name": golden.MOST_RECENT}))["name"] == "Ann B. Lee-Smith"
    assert golden_record(records, Rules(by_field={"name": golden.MOST_COMPLETE}))["name"] == "Ann B. Lee-Smith"
    by_source = Rules(by_field={"city": golden.SOURCE_PRIORITY})
    assert golden_record([rec(1, service="sales", city="Beijing"), rec(2, service="leads", city="Tianjin")],
                         by_source)["city"] == "Beijing"


def test_values_are_trimmed():
    assert golden_record([rec(1, name="  Ann  ")])["name"] == "Ann"


def test_diff_lists_changed_fields_only():
    before = {"name": "Ann", "email": "a@example.com"}
    after = {"name": "Ann", "email": "b@example.com", "city": "Beijing"}
    assert golden.diff(before, after) == [("email", "a@example.com", "b@example.com"), ("city", "", "Beijing")]


# -- the tenant's rules --------------------------------------------------------------------------------------


@pytest.fixture
def database(migrated_database):
    return migrated_database("identity")


def test_rules_default_until_a_manager_sets_them(database):
    with database.session("t1") as session:
        assert golden.load_rules(session) == Rules()
        saved = golden.save_rules(session, caller=MANAGER, by_field={"name": golden.MOST_RECENT},
                                  source_priority=["support", "sales"])
    with database.session("t1") as session:
        rules = golden.load_rules(session)
    assert rules == saved
    assert rules.rule_for("name") == golden.MOST_RECENT and rules.rule_for("company") == golden.MOST_COMPLETE
    assert tuple(rules.source_priority) == ("support", "sales")
    with database.session("t2") as session:
        assert golden.load_rules(session) == Rules()  # per tenant


def test_rules_are_validated_and_guarded(database):
    with database.session("t1") as session, pytest.raises(InvalidArgument) as error:
        golden.save_rules(session, caller=MANAGER, by_field={"age": golden.MOST_RECENT, "name": "newest"},
                          source_priority=["sales", "sales", ""])
    assert {v.field for v in error.value.violations} == {"rules.age", "rules.name", "source_priority",
                                                        "source_priority[2]"}
    for role in ("sales", "auditor", "marketing"):
        with database.session("t1") as session, pytest.raises(PermissionDenied):
            golden.save_rules(session, caller=caller(role), by_field={}, source_priority=[])
