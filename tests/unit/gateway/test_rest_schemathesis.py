"""schemathesis against the live gateway app and its own /openapi.json (issue #6: no 5xx, no reply that breaks
the schema): every GET endpoint and the lead create, with valid and invalid inputs, as a manager's API key.
Derandomized, so a run is repeatable; a few examples per operation keep it to seconds."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from tests.unit.gateway.conftest import api_key_headers
from tests.unit.gateway.test_rest_api import LEAD

CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance, status_code_conformance,
          negative_data_rejection]
EXAMPLES_PER_MODE = 8


def test_schemathesis_finds_no_server_error_and_no_reply_outside_the_schema(services_gateway):
    services_gateway.config["API_RATE_LIMIT"] = "100000 per minute"
    headers = api_key_headers(services_gateway, "m-1", roles=("manager", "sales", "admin"))
    lead = services_gateway.test_client().post("/api/v1/leads", json=LEAD, headers=headers)
    lead_id = lead.get_json()["lead"]["id"]  # something to find, besides the generated ids that find nothing
    schema = schemathesis.openapi.from_wsgi("/openapi.json", services_gateway)
    calls = []

    def run(subset, mode):  # noqa: ANN001, ANN202
        @given(case=subset.as_strategy(generation_mode=mode))
        @settings(max_examples=EXAMPLES_PER_MODE * len(list(subset.get_all_operations())), deadline=None,
                  database=None, derandomize=True, suppress_health_check=list(HealthCheck))
        def check(case):  # noqa: ANN001, ANN202
            real = mode == GenerationMode.POSITIVE and len(calls) % 2 and case.operation.path.startswith(
                "/api/v1/leads/{")
            if real:
                case.path_parameters = {name: lead_id for name in case.path_parameters}
            calls.append(case.call_and_validate(headers=headers, checks=CHECKS).status_code)

        check()

    for subset in (schema.include(method="GET"), schema.include(operation_id="leads.CreateLead")):
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            run(subset, mode)
    assert len(calls) > 100 and 200 in calls and 400 in calls and 404 in calls
