"""The gateway shell: liveness, readiness (every service's gRPC health) and metrics.

The REST API, login and the console arrive with the gateway issue; this is the process they will live in.
"""

from __future__ import annotations

from flask import Flask, jsonify
from grpc_health.v1 import health_pb2, health_pb2_grpc

from services.core.client import open_channel
from services.core.settings import SERVICE_NAMES, Settings


def service_health(settings: Settings, timeout: float = 1.0) -> dict[str, str]:
    """Each service's overall gRPC health: SERVING, NOT_SERVING or UNREACHABLE."""
    statuses = {}
    for name in SERVICE_NAMES:
        with open_channel(settings.addr_of(name)) as channel:
            try:
                reply = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=timeout)
                statuses[name] = health_pb2.HealthCheckResponse.ServingStatus.Name(reply.status)
            except Exception:  # noqa: BLE001 - any failure means not reachable for readiness
                statuses[name] = "UNREACHABLE"
    return statuses


def create_app(settings: Settings) -> Flask:
    app = Flask("crm.gateway")

    @app.get("/healthz")
    def healthz():  # noqa: ANN202
        return jsonify(status="ok")

    @app.get("/readyz")
    def readyz():  # noqa: ANN202
        statuses = service_health(settings)
        ready = all(status == "SERVING" for status in statuses.values())
        return jsonify(ready=ready, services=statuses), 200 if ready else 503

    @app.after_request
    def secure_headers(response):  # noqa: ANN001, ANN202
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return response

    return app
