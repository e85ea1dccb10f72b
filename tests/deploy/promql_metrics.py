"""Extract the metric names a PromQL expression references, and the application's metric contract."""

from __future__ import annotations

import re

# Metric names exported by every CRM component (the application contract).
COUNTERS_AND_GAUGES = {
    "grpc_server_started_total",
    "grpc_server_handled_total",
    "crm_outbox_backlog",
    "crm_outbox_published_total",
    "crm_events_consumed_total",
    "crm_queue_depth",
    "crm_dead_letter_depth",
    "crm_consumer_waiting_for_database",
    "crm_grpc_abandoned_total",
    "crm_plugin_errors_total",
    "crm_leads_created_total",
}
HISTOGRAMS = {"grpc_server_handling_seconds", "crm_consumer_lag_seconds"}
ALLOWED_METRICS = COUNTERS_AND_GAUGES | {h + s for h in HISTOGRAMS for s in ("_bucket", "_sum", "_count")}

_KEYWORDS = {
    "by",
    "without",
    "on",
    "ignoring",
    "group_left",
    "group_right",
    "and",
    "or",
    "unless",
    "bool",
    "offset",
    "inf",
    "nan",
    "atan2",
}
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'|`[^`]*`')
_MATCHERS = re.compile(r"\{[^{}]*\}")
_RANGE = re.compile(r"\[[^\]]*\]")
_GROUPING = re.compile(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)")
_IDENT = re.compile(r"(?<![\w$.])([a-zA-Z_:][a-zA-Z0-9_:]*)(\s*\()?")


def metric_names(expr: str) -> set[str]:
    """Names of the metrics an expression selects (functions, keywords, labels and literals dropped)."""
    text = _STRING.sub('""', expr)
    text = _MATCHERS.sub(" ", text)
    text = _RANGE.sub(" ", text)
    text = _GROUPING.sub(" ", text)
    text = re.sub(r"\$\{?\w+\}?", " ", text)  # Grafana variables
    names = set()
    for match in _IDENT.finditer(text):
        name, call = match.group(1), match.group(2)
        if call or name.lower() in _KEYWORDS or re.fullmatch(r"\d.*|e\d*", name):
            continue
        names.add(name)
    return names


def unknown_metrics(expr: str) -> set[str]:
    return metric_names(expr) - ALLOWED_METRICS


_LABEL_VALUES = re.compile(r"^\s*label_values\((.*),\s*[a-zA-Z_][a-zA-Z0-9_]*\s*\)\s*$", re.S)


def grafana_variable_expr(query: str) -> str:
    """The PromQL part of a Grafana variable query such as label_values(metric{...}, label)."""
    match = _LABEL_VALUES.match(query)
    return match.group(1) if match else query
