"""The plugin host: per-tenant choice, isolation of failures and time-outs, entry-point discovery."""

from __future__ import annotations

import itertools
import threading

import pytest

from services.core import builtin_plugins
from services.core.hookspecs import Comparison, hookimpl
from services.core.plugins import BUILTIN, Choice, NoImplementation, PluginHost, choice_for, choose
from tests.unit.conftest import sample

_names = itertools.count()


def unique(name: str) -> str:
    """Plugin names unique per test, so error counters start at zero."""
    return f"{name}-{next(_names)}-{id(object())}"


def errors(hook: str, plugin: str, reason: str) -> float:
    return sample("crm_plugin_errors_total", hook=hook, plugin=plugin, reason=reason)


class FixedComparator:
    def __init__(self):
        self.calls = []

    @hookimpl
    def crm_compare(self, field_name, left, right, settings):
        self.calls.append((field_name, left, right, dict(settings)))
        return Comparison(level=settings.get("level", 9), similarity=0.5)


class RaisingComparator:
    @hookimpl
    def crm_compare(self, field_name, left, right, settings):
        raise ZeroDivisionError("plugin bug")


class HangingComparator:
    def __init__(self):
        self.release = threading.Event()

    @hookimpl
    def crm_compare(self, field_name, left, right, settings):
        self.release.wait(10)
        return Comparison(level=99, similarity=1.0)


@pytest.fixture
def host():
    host = PluginHost(load_entry_points=False, timeout_seconds=0.2)
    yield host
    host.close()


def compare(host, choice, left="ACME", right="acme"):
    return host.call("crm_compare", choice, field_name="company", left=left, right=right)


def test_builtin_comparator_leaves_the_field_to_the_matching_engine():
    assert builtin_plugins.crm_compare("email", "ann@example.com", "ann@example.com", {}) is None


def test_tenant_choice_selects_the_plugin_with_its_settings(host, leads_db):
    plugin, name = FixedComparator(), unique("fixed")
    host.register(plugin, name)
    with leads_db.session("t1") as session:
        choose(session, "crm_compare", name, {"level": 7})
    with leads_db.session("t1") as session:
        t1_choice = choice_for(session, "crm_compare")
    with leads_db.session("t2") as session:
        t2_choice = choice_for(session, "crm_compare")

    assert t1_choice == Choice(name, {"level": 7})
    assert t2_choice == Choice(BUILTIN, {})
    assert compare(host, t1_choice) == Comparison(level=7, similarity=0.5)
    assert plugin.calls == [("company", "ACME", "acme", {"level": 7})]
    assert compare(host, t2_choice) is None  # the built-in: the engine's own comparators decide
    assert len(plugin.calls) == 1


def test_choice_can_be_changed(host, leads_db):
    with leads_db.session("t1") as session:
        choose(session, "crm_compare", "first", {"a": 1})
    with leads_db.session("t1") as session:
        choose(session, "crm_compare", "second", None)
    with leads_db.session("t1") as session:
        assert choice_for(session, "crm_compare") == Choice("second", {})


def test_raising_plugin_falls_back_to_the_builtin(host):
    name = unique("raising")
    host.register(RaisingComparator(), name)

    assert compare(host, Choice(name, {"x": 1})) is None
    assert errors("crm_compare", name, "exception") == 1


def test_hanging_plugin_times_out_and_falls_back(host):
    plugin, name = HangingComparator(), unique("hanging")
    host.register(plugin, name)
    try:
        assert compare(host, Choice(name), left="a", right="b") is None
        assert errors("crm_compare", name, "timeout") == 1
    finally:
        plugin.release.set()


def test_missing_plugin_falls_back(host):
    name = unique("not-installed")
    assert compare(host, Choice(name)) is None
    assert errors("crm_compare", name, "missing") == 1


def test_hook_without_builtin_raises(host):
    name = unique("missing-scorer")
    with pytest.raises(NoImplementation):
        host.call("crm_score_lead", Choice(name), lead={}, behaviour=[])


def test_broadcast_calls_enabled_plugins_and_isolates_failures(host):
    received = []

    class Listener:
        def __init__(self, tag):
            self.tag = tag

        @hookimpl
        def crm_on_event(self, event_type, tenant_id, event, settings):
            received.append((self.tag, event_type, tenant_id, dict(settings)))

    class Broken:
        @hookimpl
        def crm_on_event(self, event_type, tenant_id, event, settings):
            raise RuntimeError("listener bug")

    first, broken, disabled = unique("first"), unique("broken"), unique("disabled")
    host.register(Listener("first"), first)
    host.register(Broken(), broken)
    host.register(Listener("disabled"), disabled)

    host.broadcast("crm_on_event", {first: {"k": "v"}, broken: {}}, event_type="lead.created", tenant_id="t1",
                   event={"lead_id": "L1"})

    assert received == [("first", "lead.created", "t1", {"k": "v"})]
    assert errors("crm_on_event", broken, "exception") == 1


def test_builtin_is_discovered_through_the_crm_entry_point():
    host = PluginHost()
    try:
        assert host.manager.get_plugin(BUILTIN) is builtin_plugins
        registered = {dist.project_name for plugin, dist in host.manager.list_plugin_distinfo()
                      if plugin is builtin_plugins}
        assert registered == {"crm-platform"}
        assert BUILTIN in host.implementations("crm_compare")
    finally:
        host.close()


def test_builtin_is_registered_even_without_entry_points(host):
    assert host.manager.get_plugin(BUILTIN) is builtin_plugins
