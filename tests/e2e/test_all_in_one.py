"""`crm up` from nothing (issue #2, "How good"): all six services SERVING within 30 s on SQLite and the
in-process bus; a client that knows nothing but gRPC reflection calls CreateLead; a real Prometheus server
scraping the process sees grpc_server_handled_total for those calls.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

import grpc
from google.protobuf import descriptor_pool, message_factory
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha.proto_reflection_descriptor_database import ProtoReflectionDescriptorDatabase

from tests.integration.conftest import free_port


def _serving(port: int) -> bool:
    with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
        try:
            reply = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=0.5)
        except grpc.RpcError:
            return False
    return reply.status == health_pb2.HealthCheckResponse.SERVING


def _call_by_reflection(port: int, token: str, full_method: str, fields: dict) -> object:
    """Call a unary method knowing only its name: every type comes from the server's reflection service."""
    service_name, method_name = full_method.rsplit("/", 1)
    with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
        pool = descriptor_pool.DescriptorPool(ProtoReflectionDescriptorDatabase(channel))
        method = pool.FindServiceByName(service_name).FindMethodByName(method_name)
        request_class = message_factory.GetMessageClass(method.input_type)
        response_class = message_factory.GetMessageClass(method.output_type)
        call = channel.unary_unary(f"/{service_name}/{method_name}",
                                   request_serializer=request_class.SerializeToString,
                                   response_deserializer=response_class.FromString)
        return call(request_class(**fields), metadata=[("authorization", f"Bearer {token}")], timeout=10)


def test_crm_up_serves_everything_and_prometheus_sees_it(crm_up, tmp_path):
    ports = crm_up["ports"]
    deadline = crm_up["started"] + 30
    while not all(_serving(port) for port in ports.values()):
        assert crm_up["process"].poll() is None, crm_up["log"].read_text()
        assert time.monotonic() < deadline, "not all services SERVING within 30 s:\n" + crm_up["log"].read_text()
        time.sleep(0.2)

    token = subprocess.run(
        [sys.executable, "-m", "services.core.cli", "token", "--tenant", "demo", "--subject", "rep-1",
         "--role", "sales"], env=crm_up["env"], cwd=tmp_path, capture_output=True, text=True, check=True,
    ).stdout.strip()
    for index in range(3):
        reply = _call_by_reflection(ports["leads"], token, "crm.leads.v1.LeadsService/CreateLead",
                                    {"name": f"Reflected {index}", "email": f"r{index}@reflect.test",
                                     "channel": "API"})
        assert reply.lead.id and reply.lead.owner_id == "rep-1"

    # The gateway shell reports every service ready (it starts listening after the services).
    deadline = crm_up["started"] + 30
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{crm_up['http']}/readyz", timeout=5) as response:
                assert json.load(response)["ready"] is True
                break
        except urllib.error.URLError:
            assert time.monotonic() < deadline, "the gateway did not listen within 30 s:\n" + crm_up["log"].read_text()
            time.sleep(0.2)

    prometheus_port = free_port()
    config = tmp_path / "prometheus.yml"
    config.write_text(
        "global: {scrape_interval: 1s}\n"
        "scrape_configs:\n"
        f"  - job_name: crm\n    static_configs: [{{targets: ['127.0.0.1:{crm_up['metrics']}']}}]\n"
    )
    prometheus = subprocess.Popen(
        ["prometheus", f"--config.file={config}", f"--storage.tsdb.path={tmp_path / 'tsdb'}",
         f"--web.listen-address=127.0.0.1:{prometheus_port}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        query = urllib.parse.quote('grpc_server_handled_total{grpc_method="CreateLead",grpc_code="OK"}')
        deadline = time.monotonic() + 30
        value = None
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{prometheus_port}/api/v1/query?query={query}",
                                            timeout=2) as response:
                    result = json.load(response)["data"]["result"]
                if result:
                    value = float(result[0]["value"][1])
                    if value >= 3:
                        break
            except OSError:
                pass
            time.sleep(0.5)
        assert value == 3, f"Prometheus saw {value!r} CreateLead calls"
        assert result[0]["metric"]["grpc_service"] == "crm.leads.v1.LeadsService"
    finally:
        prometheus.terminate()
        prometheus.wait(timeout=10)
