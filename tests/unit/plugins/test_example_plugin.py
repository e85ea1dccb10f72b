"""The example plugin package (plugins/crm-plugin-example), installed like a partner's: by entry point."""

from __future__ import annotations

from services.core.hookspecs import LeadScore
from services.core.plugins import Choice, PluginHost


def test_example_plugin_is_discovered_by_entry_point():
    host = PluginHost()
    assert "example_engagement" in host.implementations("crm_score_lead")
    assert {"builtin", "example_engagement"} <= set(host.implementations("crm_compare"))


def test_tenant_settings_change_the_example_model():
    host = PluginHost()
    behaviour = [{"kind": "demo_attended"}, {"kind": "page_view"}, {"kind": "page_view"}]
    default = host.call("crm_score_lead", Choice("example_engagement"), lead={}, behaviour=behaviour)
    tuned = host.call("crm_score_lead", Choice("example_engagement", {"weights": {"demo_attended": 90}}),
                      lead={}, behaviour=behaviour)
    assert isinstance(default, LeadScore)
    assert default.score == 35 + 2 * 2
    assert tuned.score == 94
    assert [f.name for f in tuned.factors] == ["demo_attended", "page_view"]


def test_example_comparator_knows_mailbox_variants_the_builtin_does_not():
    host = PluginHost()
    args = {"field_name": "email", "left": "li.lei@example.com", "right": "lilei@example.com"}
    assert host.call("crm_compare", Choice("example_engagement"), **args).level == 2
    assert host.call("crm_compare", Choice(), **args) is None  # the built-in leaves it to the engine
    assert host.call("crm_compare", Choice("example_engagement"), **{**args, "field_name": "name"}) is None
