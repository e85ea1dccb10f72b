"""The predictive scoring plugin (plugins/crm-plugin-predictive-scoring), installed like a partner's: trained on a
won/lost history, parameters as JSON in the tenant's settings, scored through the crm_score_lead hook, the
train/backtest commands, and the leads service falling back to its default model while it is untrained."""

from __future__ import annotations

import csv
import json
import math
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from crm_plugin_predictive_scoring import cli
from crm_plugin_predictive_scoring.features import KINDS, features, history_lead
from crm_plugin_predictive_scoring.hooks import crm_score_lead
from crm_plugin_predictive_scoring.model import NotTrained, predict, to_score, train

from services.core.hookspecs import LeadScore
from services.core.plugins import Choice, NoImplementation, PluginHost
from services.leads import rescoring, scoring
from services.leads.models import Lead
from tests.unit.conftest import sample
from tests.unit.services.conftest import make_caller

BENCH = Path(__file__).resolve().parents[3] / "bench"
HOOK = "crm_score_lead"
NAME = "predictive_scoring"


def history_rows(count: int = 1500, seed: int = 3) -> list[dict]:
    """A small synthetic history where referrals, demos and budgets win (bench/gen_lead_history.py is the big one)."""
    sys.path.insert(0, str(BENCH))
    try:
        from gen_lead_history import generate
    finally:
        sys.path.remove(str(BENCH))
    return generate(count, seed)


@pytest.fixture(scope="module")
def rows() -> list[dict]:
    return history_rows()


@pytest.fixture(scope="module")
def params(rows) -> dict:
    return train([history_lead(row) for row in rows], [row["outcome"] == "won" for row in rows])


@pytest.fixture(scope="module")
def host():
    plugins = PluginHost()
    yield plugins
    plugins.close()


def test_the_plugin_is_discovered_by_entry_point(host):
    assert NAME in host.implementations(HOOK)
    assert NAME in scoring.installed_models(host)


def test_parameters_are_json_and_score_the_same_after_a_round_trip(params, rows, host):
    stored = json.loads(json.dumps({"model": params}))
    lead = {**history_lead(rows[0]), "channel": rows[0]["channel"]}
    first = host.call(HOOK, Choice(NAME, stored), lead=lead, behaviour=[])
    other_replica = PluginHost()
    try:
        second = other_replica.call(HOOK, Choice(NAME, json.loads(json.dumps(stored))), lead=lead, behaviour=[])
    finally:
        other_replica.close()
    assert isinstance(first, LeadScore) and first == second
    assert 0 <= first.score <= 100 and 1 <= len(first.factors) <= 4
    assert [f.contribution for f in first.factors] == sorted((f.contribution for f in first.factors), reverse=True)


def test_the_model_learned_what_wins(params):
    base = {"industry": "65", "region": "上海", "employees": 200, "budget": 300000, "channel": "Website",
            "behaviour_counts": dict.fromkeys(KINDS, 0), "interactions": 1.0}
    engaged = {**base, "behaviour_counts": {**base["behaviour_counts"], "demo_attended": 1, "page_view": 8,
                                            "contract_template_viewed": 1}, "interactions": 8.0}
    referral = {**base, "channel": "Referral"}
    cold_call = {**base, "channel": "Cold call"}
    [plain, hot, referred, called] = predict(params, [base, engaged, referral, cold_call])
    assert hot > plain and referred > plain > called
    assert to_score(params, hot) > to_score(params, plain)
    assert 0 <= to_score(params, plain, "probability") <= 100


def test_behaviour_events_stand_in_for_missing_counts():
    now = datetime(2026, 11, 24, tzinfo=UTC)
    events = [{"kind": "demo_attended", "at": now.isoformat()},
              {"kind": "page_view", "at": (now - timedelta(days=7)).isoformat()}]
    numeric, categorical = features({"industry": "65", "channel": " Referral "}, events, now=now)
    assert numeric["demo_attended_seen"] == 1.0 and numeric["page_view_log"] == pytest.approx(0.6931, abs=1e-4)
    assert numeric["interactions_log"] == pytest.approx(math.log1p(1.5), abs=1e-9)  # 1 now + 1/2 a week ago
    assert categorical == {"industry": "65", "section": "I", "region": "", "channel": "referral"}


def test_without_trained_parameters_the_hook_raises_and_the_host_counts_it(host):
    with pytest.raises(NotTrained):
        crm_score_lead(lead={}, behaviour=[], settings={})
    before = sample("crm_plugin_errors_total", hook=HOOK, plugin=NAME, reason="exception")
    with pytest.raises(NoImplementation):  # no kernel built-in scores leads: the leads service does (below)
        host.call(HOOK, Choice(NAME, {}), lead={}, behaviour=[])
    assert sample("crm_plugin_errors_total", hook=HOOK, plugin=NAME, reason="exception") == before + 1


def test_the_leads_service_uses_the_trained_plugin_and_its_default_model_until_then(leads_db, params, host):
    admin = make_caller("admin")
    service = make_caller(kind="service", subject="tracking")
    with leads_db.session("t1") as session:
        scoring.set_model(session, caller=admin, plugin=NAME, settings={}, plugins=host)
        lead = Lead(name="Li", channel="Referral", industry="65", region="上海", employees=120)
        session.add(lead)
        session.flush()
        untrained = scoring.record_behaviour(session, caller=service, kind="demo_attended", lead_id=lead.id,
                                             plugins=host)
        assert untrained.model == "builtin"
        scoring.set_model(session, caller=admin, plugin=NAME, settings={"model": params}, plugins=host)
        trained = scoring.record_behaviour(session, caller=service, kind="page_view", lead_id=lead.id, plugins=host)
        assert trained.model == NAME and trained.score.factors
    assert rescoring.rescore_tenant(leads_db, "t1", plugins=host).model == NAME


def write_history(path: Path, rows: list[dict]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_backtest_prints_both_aucs_on_the_later_part(tmp_path, rows):
    path = write_history(tmp_path / "history.csv", rows)
    settings = tmp_path / "settings.json"
    settings.write_text(json.dumps({"target_industries": ["I", "C"]}), encoding="utf-8")
    result = CliRunner().invoke(cli.main, ["backtest", "--history", str(path), "--scoring-settings", str(settings)])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert "trained on the 1125 created before" in lines[0] and "tested on the 375 after" in lines[0]
    predictive, default = (float(part.split()[-1]) for part in lines[1].split(":")[1].split(","))
    assert 0.5 < predictive <= 1 and 0.5 < default <= 1


def test_train_writes_the_settings_to_install(tmp_path, rows):
    path = write_history(tmp_path / "history.csv", rows)
    result = CliRunner().invoke(cli.main, ["train", "--history", str(path), "--output", str(tmp_path / "p.json")])
    assert result.exit_code == 0, result.output
    settings = json.loads((tmp_path / "p.json").read_text(encoding="utf-8"))
    assert settings["model"]["rows"] == len(rows) and len(settings["model"]["quantiles"]) == 101


def test_an_unusable_history_exits_2(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("lead_id,outcome\nx,won\n", encoding="utf-8")
    assert CliRunner().invoke(cli.main, ["backtest", "--history", str(bad)]).exit_code == 2
    one_sided = write_history(tmp_path / "won.csv", [{**row, "outcome": "won"} for row in history_rows(100)])
    assert CliRunner().invoke(cli.main, ["backtest", "--history", str(one_sided)]).exit_code == 2
