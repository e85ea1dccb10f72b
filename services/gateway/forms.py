"""Public lead-capture forms (R-LEAD-1): /t/<tenant>/forms/<key>, embeddable in a tenant's website.

GET renders the form; POST (an HTML form post or JSON) hands the submission to the leads service with a service
token for the tenant. Spam defences live in the leads service (honeypot, per-client rate limit) so that they hold
across gateway replicas; a discarded submission gets the same answer as a real one.
"""

from __future__ import annotations

import uuid

import grpc
from flask import Blueprint, Response, jsonify, render_template, request

from crm.leads.v1 import leads_pb2, leads_pb2_grpc
from services.core.auth import mint_token
from services.core.client import connect
from services.core.i18n import localize, negotiate, t
from services.core.settings import Settings
from services.gateway.problems import field_violations, http_status_of, message_of, problem_response, rpc_problem

FIELDS = ("name", "company", "email", "phone", "region", "industry")
HONEYPOT = "website"  # a field people never see; bots fill every field they find
SERVICE_SUBJECT = "gateway-forms"


def form_texts(locale: str) -> dict[str, str]:
    texts = {
        "title": t("Contact us"), "name": t("Name"), "company": t("Company"), "email": t("E-mail"),
        "phone": t("Phone"), "region": t("Region"), "industry": t("Industry"), "submit": t("Send"),
        "honeypot": t("Leave this field empty"), "thanks": t("Thank you! We will be in touch soon."),
        "contact_hint": t("Please give an e-mail address or a phone number."),
    }
    return {key: localize(text, locale) for key, text in texts.items()}


def public_forms(settings: Settings) -> Blueprint:
    blueprint = Blueprint("public_forms", __name__, template_folder="templates")

    def leads_for(tenant: str) -> leads_pb2_grpc.LeadsServiceStub:
        token = mint_token(settings.token_key, tenant_id=tenant, subject=SERVICE_SUBJECT, kind="service",
                           ttl_seconds=60)
        return connect("leads", leads_pb2_grpc.LeadsServiceStub, settings, token=token)

    def page(tenant: str, key: str, locale: str, *, values=None, errors=None, status: int = 200,  # noqa: ANN001
             sent: bool = False) -> tuple[str, int]:
        html = render_template(
            "public_form.html", texts=form_texts(locale), lang=locale.replace("_", "-"), action=request.path,
            values=values or {}, errors=errors or {}, honeypot=HONEYPOT, sent=sent,
            submission_id=str(uuid.uuid4()),
        )
        return html, status

    @blueprint.get("/t/<tenant>/forms/<key>")
    def show(tenant: str, key: str):  # noqa: ANN202
        return page(tenant, key, negotiate(request.headers.get("Accept-Language")))

    @blueprint.post("/t/<tenant>/forms/<key>")
    def submit(tenant: str, key: str) -> Response | tuple[str, int]:
        locale = negotiate(request.headers.get("Accept-Language"))
        wants_json = request.is_json
        data = request.get_json(silent=True) if wants_json else request.form
        if not isinstance(data, dict) and not hasattr(data, "get"):
            return problem_response(400, t("the body must be a JSON object or a form post"))
        values = {name: str(data.get(name, "") or "")[:1000] for name in FIELDS}
        try:
            leads_for(tenant).SubmitWebForm(
                leads_pb2.SubmitWebFormRequest(
                    form_key=key, honeypot=str(data.get(HONEYPOT, "") or ""),
                    client_address=request.remote_addr or "", submission_id=str(data.get("submission_id", ""))[:36],
                    **values,
                ),
                metadata=[("accept-language", locale.replace("_", "-"))],
            )
        except grpc.RpcError as error:
            if wants_json:
                return rpc_problem(error)
            errors = {v["field"]: v["message"] for v in field_violations(error)} or {"": message_of(error)}
            return page(tenant, key, locale, values=values, errors=errors, status=http_status_of(error))
        if wants_json:
            return jsonify(status="received"), 201
        return page(tenant, key, locale, sent=True, status=201)

    return blueprint
