"""The Grafana dashboard: valid JSON, expected panels, contract metrics only, PromQL that parses."""

from __future__ import annotations

import json
import re
import subprocess

import yaml
from chart_env import CHART_DIR
from promql_metrics import grafana_variable_expr, metric_names, unknown_metrics

DASHBOARD = CHART_DIR / "files" / "dashboards" / "crm-overview.json"


def _dashboard() -> dict:
    return json.loads(DASHBOARD.read_text())


def _panels(dashboard: dict) -> list[dict]:
    panels = []
    for panel in dashboard["panels"]:
        panels.append(panel)
        panels.extend(panel.get("panels", []))
    return panels


def _exprs(dashboard: dict) -> list[str]:
    exprs = [t["expr"] for p in _panels(dashboard) for t in p.get("targets", []) if t.get("expr")]
    for var in dashboard["templating"]["list"]:
        query = var.get("query")
        if var["type"] == "query":
            exprs.append(grafana_variable_expr(query["query"] if isinstance(query, dict) else query))
    return exprs


def test_dashboard_is_valid_json_with_unique_ids():
    dashboard = _dashboard()
    assert dashboard["uid"] == "crm-overview" and dashboard["title"]
    ids = [p["id"] for p in _panels(dashboard)]
    assert len(ids) == len(set(ids))
    for panel in _panels(dashboard):
        if panel["type"] != "row":
            assert panel["datasource"]["uid"] == "${datasource}"
            assert panel["targets"], panel["title"]


def test_dashboard_covers_the_required_views():
    used = set().union(*(metric_names(e) for e in _exprs(_dashboard())))
    for metric in (
        "grpc_server_handled_total",  # RPC rate and error ratio
        "grpc_server_handling_seconds_bucket",  # p50 / p99 latency
        "crm_outbox_backlog",
        "crm_consumer_lag_seconds_bucket",
        "crm_dead_letter_depth",
        "crm_plugin_errors_total",
    ):
        assert metric in used, metric
    exprs = "\n".join(_exprs(_dashboard()))
    assert "histogram_quantile(0.5," in exprs and "histogram_quantile(0.99," in exprs
    assert "grpc_method" in exprs


def test_dashboard_only_uses_contract_metrics():
    for expr in _exprs(_dashboard()):
        assert metric_names(expr), expr
        assert not unknown_metrics(expr), (expr, unknown_metrics(expr))


def test_dashboard_promql_parses(promtool, tmp_path):
    """Feed every expression (Grafana variables substituted) to promtool as recording rules."""
    rules = []
    for i, expr in enumerate(_exprs(_dashboard())):
        concrete = expr.replace("$__rate_interval", "5m")
        concrete = re.sub(r"\$\{?\w+\}?", ".*", concrete)
        rules.append({"record": f"crm:dashboard_expr_{i}", "expr": concrete})
    rule_file = tmp_path / "dashboard-rules.yaml"
    rule_file.write_text(yaml.safe_dump({"groups": [{"name": "dashboard", "rules": rules}]}))
    result = subprocess.run(
        [promtool, "check", "rules", str(rule_file)], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr
