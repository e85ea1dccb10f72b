"""Platform: identity and leads in one process on SQLite and the in-process bus, the whole thin slice."""

from __future__ import annotations

import re

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from crm.identity.v1 import identity_pb2
from crm.identity.v1.identity_pb2_grpc import IdentityServiceStub
from crm.leads.v1 import leads_pb2
from crm.leads.v1.leads_pb2_grpc import LeadsServiceStub
from services.core.client import connect
from services.core.devcluster import free_port
from services.core.runtime import Platform
from services.core.settings import load_settings
from tests.unit.conftest import TOKEN_KEY, token, wait_for

SERVICES = ["identity", "leads"]


@pytest.fixture
def platform(clean_env, tmp_path):
    for name in SERVICES:
        clean_env.setenv(f"CRM_{name.upper()}_ADDR", f"127.0.0.1:{free_port()}")
    clean_env.setenv("CRM_DATA_DIR", str(tmp_path / "data"))
    clean_env.setenv("CRM_TOKEN_KEY", TOKEN_KEY)
    clean_env.setenv("CRM_RETRY_DELAYS", "0.05,0.1")
    settings = load_settings()
    platform = Platform(settings, SERVICES, migrate=True)
    platform.start()
    yield platform
    if not platform._stopping.is_set():
        platform.stop(grace=1)


def _health(address: str, service: str = "") -> int:
    with grpc.insecure_channel(address) as channel:
        return health_pb2_grpc.HealthStub(channel).Check(
            health_pb2.HealthCheckRequest(service=service), timeout=2
        ).status


def test_platform_serves_the_thin_slice_and_stops_cleanly(platform):
    settings = platform.settings
    assert platform.wait_until_serving(15)
    for name, grpc_service in (("identity", "crm.identity.v1.IdentityService"),
                               ("leads", "crm.leads.v1.LeadsService")):
        assert _health(settings.addr_of(name)) == health_pb2.HealthCheckResponse.SERVING
        assert _health(settings.addr_of(name), grpc_service) == health_pb2.HealthCheckResponse.SERVING

    rep = token("sales", tenant="t1", subject="rep-1")
    leads = connect("leads", LeadsServiceStub, settings, token=rep)
    lead = leads.CreateLead(leads_pb2.CreateLeadRequest(name="Ann Lee", channel="web", email="Ann@Example.com")).lead
    assert lead.customer_id == ""

    # lead.created -> identity resolves -> identity.resolved -> the lead learns its customer id.
    resolved = wait_for(lambda: leads.GetLead(leads_pb2.GetLeadRequest(id=lead.id)).lead.customer_id, timeout=15)
    assert re.fullmatch(r"C\d{8}\d{3,}", resolved)

    identity = connect("identity", IdentityServiceStub, settings, token=rep)
    customer = identity.GetCustomer(identity_pb2.GetCustomerRequest(id=resolved)).customer
    assert customer.email == "Ann@Example.com"
    assert [(r.service, r.kind, r.id) for r in customer.records] == [("leads", "lead", lead.id)]

    # A second lead with the same e-mail in another case resolves to the same customer.
    second = leads.CreateLead(leads_pb2.CreateLeadRequest(name="Ann Lee", channel="fair", email="ann@example.com")).lead
    assert wait_for(lambda: leads.GetLead(leads_pb2.GetLeadRequest(id=second.id)).lead.customer_id,
                    timeout=15) == resolved

    platform.stop(grace=1)

    for runtime in platform.runtimes:
        assert not runtime.relay._thread.is_alive()
        assert not runtime.serving
    platform._health_thread.join(2)
    assert not platform._health_thread.is_alive()
    with pytest.raises(ConnectionError):
        platform.bus.check()
    with pytest.raises(grpc.RpcError) as error:
        _health(settings.addr_of("leads"))
    assert error.value.code() == grpc.StatusCode.UNAVAILABLE


def test_unknown_service_is_rejected(clean_env, tmp_path):
    clean_env.setenv("CRM_DATA_DIR", str(tmp_path))
    with pytest.raises(ValueError, match="billing"):
        Platform(load_settings(), ["billing"])


def test_a_service_stays_alive_but_not_ready_while_a_dependency_is_down(platform):
    from services.core.grpc_server import LIVENESS

    address = platform.settings.addr_of("leads")
    assert platform.wait_until_serving(15)
    platform.bus.stop()  # the broker goes away: the health loop's next probe fails
    assert wait_for(lambda: _health(address) == health_pb2.HealthCheckResponse.NOT_SERVING, timeout=10)
    # Not ready (no traffic), but alive: a liveness probe must not restart it for its broker's outage.
    assert _health(address, LIVENESS) == health_pb2.HealthCheckResponse.SERVING


def test_a_probe_that_keeps_failing_the_same_way_is_logged_once_a_minute(clean_env, tmp_path, caplog, monkeypatch):
    import time

    import services.core.runtime as runtime

    clean_env.setenv("CRM_DATA_DIR", str(tmp_path / "data"))
    clean_env.setenv("CRM_TOKEN_KEY", TOKEN_KEY)
    platform = Platform(load_settings(), ["leads"])  # not started: only its logging is under test
    monkeypatch.setattr(runtime, "WARNING_INTERVAL_SECONDS", 0.3)  # "a minute"
    with caplog.at_level("WARNING", logger="crm.runtime"):
        for _ in range(10):
            platform._warn("leads", "leads database unreachable: refused")
        platform._warn("leads", "leads database unreachable: timeout")  # another failure: logged at once
        platform._warn("bus", "bus unreachable: refused")  # another subject too
        time.sleep(0.35)
        platform._warn("leads", "leads database unreachable: timeout")  # still failing "a minute" later
    assert [record.getMessage() for record in caplog.records] == [
        "leads database unreachable: refused", "leads database unreachable: timeout", "bus unreachable: refused",
        "leads database unreachable: timeout",
    ]
