"""The gateway shell: liveness, readiness (every service's gRPC health), metrics and the public lead forms.

The REST API, login and the console arrive with the gateway issue; this is the process they will live in.
"""

from __future__ import annotations

from flask import Flask, jsonify

from services.core.client import health_of
from services.core.settings import SERVICE_NAMES, Settings
from services.gateway.forms import public_forms


def service_health(settings: Settings, timeout: float = 1.0) -> dict[str, str]:
    """Each service's overall gRPC health: SERVING, NOT_SERVING or UNREACHABLE."""
    return {name: health_of(settings.addr_of(name), timeout).split(" ", 1)[0] for name in SERVICE_NAMES}


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

    app.register_blueprint(public_forms(settings))

    @app.after_request
    def secure_headers(response):  # noqa: ANN001, ANN202
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return response

    return app
