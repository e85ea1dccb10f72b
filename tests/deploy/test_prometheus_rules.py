"""The alert rules: promtool syntax check, promtool unit tests, metric names of the contract."""

from __future__ import annotations

import subprocess

import yaml
from chart_env import CHART_DIR, REPO
from promql_metrics import unknown_metrics

ALERTS = CHART_DIR / "files" / "alerts.yaml"
ALERTS_TEST = REPO / "tests" / "deploy" / "alerts_test.yaml"
REQUIRED_ALERTS = {
    "CrmGrpcHighErrorRate",
    "CrmGrpcHighLatencyP99",
    "CrmOutboxBacklogHigh",
    "CrmOutboxBacklogGrowing",
    "CrmDeadLetterQueueGrowing",
    "CrmConsumerLagHigh",
}


def _rules() -> list[dict]:
    return [rule for group in yaml.safe_load(ALERTS.read_text())["groups"] for rule in group["rules"]]


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=REPO, capture_output=True, text=True, timeout=120)


def test_promtool_check_rules(promtool):
    result = _run(promtool, "check", "rules", str(ALERTS.relative_to(REPO)))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout


def test_promtool_unit_tests(promtool):
    result = _run(promtool, "test", "rules", str(ALERTS_TEST.relative_to(REPO)))
    assert result.returncode == 0, result.stdout + result.stderr


def test_unit_tests_cover_firing_and_quiet_cases():
    tests = yaml.safe_load(ALERTS_TEST.read_text())["tests"]
    cases = [case for test in tests for case in test.get("alert_rule_test", [])]
    fired = {c["alertname"] for c in cases if c.get("exp_alerts")}
    quiet = {c["alertname"] for c in cases if not c.get("exp_alerts")}
    assert len(fired) >= 2 and len(fired & quiet) >= 2, (fired, quiet)


def test_required_alerts_exist_and_are_annotated():
    rules = _rules()
    names = {r["alert"] for r in rules}
    assert names >= REQUIRED_ALERTS
    for rule in rules:
        assert rule["labels"]["severity"] in {"info", "warning", "critical"}, rule["alert"]
        annotations = rule["annotations"]
        assert annotations["summary"] and annotations["description"], rule["alert"]
        assert rule["alert"] in annotations["runbook"], rule["alert"]


def test_alerts_only_use_contract_metrics():
    for rule in _rules():
        assert not unknown_metrics(rule["expr"]), (rule["alert"], unknown_metrics(rule["expr"]))


def test_error_rate_excludes_client_errors():
    (rule,) = [r for r in _rules() if r["alert"] == "CrmGrpcHighErrorRate"]
    for code in (
        "InvalidArgument",
        "NotFound",
        "AlreadyExists",
        "FailedPrecondition",
        "PermissionDenied",
        "Unauthenticated",
        "INVALID_ARGUMENT",
        "NOT_FOUND",
        "PERMISSION_DENIED",
        "UNAUTHENTICATED",
    ):
        assert code in rule["expr"]
