"""Real-time matching against stored records: candidates by blocking key, scores, evidence, plugins, tenancy."""

from __future__ import annotations

import math

import pytest

from services.core.hookspecs import Comparison, hookimpl
from services.core.plugins import PluginHost, choose
from services.identity.matching.features import features_of
from services.identity.matching.realtime import find_candidates, load_model, match_keys, save_model
from services.identity.models import MatchKey, SourceRecord

STORED = {
    "C1": {"name": "王小明", "company": "深圳市华为技术有限公司", "phone": "13800138000", "email": "wxm@huawei.com",
           "city": "深圳"},
    "C2": {"name": "王小明", "company": "腾讯科技", "phone": "13912345678", "email": "xiaoming@qq.com", "city": "北京"},
    "C3": {"name": "李娜", "company": "阿里巴巴网络技术", "phone": "0571-85022088", "city": "杭州"},
}


def store(session, tenant: str, customer_id: str, record: dict[str, str]) -> int:
    features = features_of(record)
    row = SourceRecord(tenant_id=tenant, service="sales", kind="contact", record_id=customer_id,
                       customer_id=customer_id, features=features, **record)
    session.add(row)
    session.flush()
    session.add_all(MatchKey(tenant_id=tenant, kind=kind, value=value, source_record_id=row.id)
                    for kind, value in match_keys(features))
    return row.id


@pytest.fixture
def database(migrated_database):
    database = migrated_database("identity")
    with database.session("t1") as session:
        for customer_id, record in STORED.items():
            store(session, "t1", customer_id, record)
    return database


def test_a_variant_of_a_known_person_is_the_top_candidate_with_evidence(database):
    incoming = features_of({"name": "王 小明", "company": "华为技术（深圳）有限公司", "phone": "+86 138-0013-8000",
                            "email": "WXM+crm@Huawei.com", "city": "深圳市"})
    with database.session("t1") as session:
        model = load_model(session)
        candidates = find_candidates(session, features=incoming, model=model)
    assert [candidate.customer_id for candidate in candidates][:1] == ["C1"]
    best = candidates[0]
    assert best.probability > 0.99
    evidence = {field.field: field.level for field in best.fields}
    assert evidence == {"name": "exact", "company": "exact", "phone": "exact", "email": "exact", "city": "exact",
                        "address": "missing", "credit_code": "missing"}
    # The explanation adds up: the fields' weights plus the prior are the score.
    prior = math.log2(model.prior / (1 - model.prior))
    assert best.match_weight == pytest.approx(sum(field.weight for field in best.fields) + prior, abs=0.01)
    if len(candidates) > 1:  # the namesake in Beijing may be found by name, but far less likely
        assert candidates[1].customer_id == "C2" and candidates[1].probability < 0.5


def test_a_namesake_elsewhere_is_not_a_match(database):
    incoming = features_of({"name": "王小明", "phone": "18600000000", "email": "wang@163.com", "city": "上海"})
    with database.session("t1") as session:
        candidates = find_candidates(session, features=incoming, model=load_model(session))
    assert all(candidate.probability < 0.5 for candidate in candidates)


def test_a_record_without_keys_has_no_candidates(database):
    with database.session("t1") as session:
        assert find_candidates(session, features=features_of({"city": "深圳"}), model=load_model(session)) == []


def test_other_tenants_records_are_never_candidates(database):
    incoming = features_of({"name": "王小明", "phone": "13800138000", "email": "wxm@huawei.com"})
    with database.session("t2") as session:
        assert find_candidates(session, features=incoming, model=load_model(session)) == []


def test_the_tenants_model_is_saved_and_loaded(database):
    with database.session("t1") as session:
        model = load_model(session)
        model.auto_link, model.review = 0.99, 0.7
        save_model(session, model)
    with database.session("t1") as session:
        loaded = load_model(session)
    with database.session("t2") as session:
        other = load_model(session)
    assert (loaded.auto_link, loaded.review) == (0.99, 0.7)
    assert (other.auto_link, other.review) == (0.95, 0.5)


class SameFirstCharacterNames:
    """A tenant's comparator: names agree when they share a surname (too lax, but easy to observe)."""

    @hookimpl
    def crm_compare(self, field_name, left, right, settings):
        if field_name != "name":
            return None
        return Comparison(level=3 if left[0] == right[0] else 0, similarity=1.0)


def test_a_tenants_comparator_plugin_decides_the_fields_it_knows(database):
    plugins = PluginHost(load_entry_points=False)
    plugins.register(SameFirstCharacterNames(), "surname-only")
    incoming = features_of({"name": "王大明", "phone": "13800138000"})
    try:
        with database.session("t1") as session:
            before = find_candidates(session, features=incoming, model=load_model(session), plugins=plugins)
            choose(session, "crm_compare", "surname-only")
        with database.session("t1") as session:
            after = find_candidates(session, features=incoming, model=load_model(session), plugins=plugins)
    finally:
        plugins.close()
    assert {f.field: f.level for f in before[0].fields}["name"] != "exact"
    assert {f.field: f.level for f in after[0].fields}["name"] == "exact"
    assert after[0].probability > before[0].probability
