"""Gateway-owned resources for tenant administrators: API keys and console users (services/gateway/accounts.py).

Everything is scoped to the caller's tenant; only the `admin` role gets in. A new key's secret and a new or
reset user's temporary password are shown in the answer once and never stored in clear.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, current_app, jsonify, request
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.core.errors import DomainError, NotFound
from services.core.i18n import SUPPORTED_LOCALES, t
from services.gateway import accounts
from services.gateway.models import ApiKey, User
from services.gateway.principal import current_principal
from services.gateway.rest.problems import Problem, domain_problem
from services.gateway.rest.transcode import body_data

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 500


def _time(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z") if value is not None else None


def api_key_json(record: ApiKey) -> dict:
    return {"id": record.id, "name": record.name, "roles": list(record.roles), "subject": record.subject,
            "created_by": record.created_by, "created_at": _time(record.created_at),
            "revoked_at": _time(record.revoked_at), "last_used_at": _time(record.last_used_at)}


def user_json(user: User) -> dict:
    return {"id": user.id, "employee_id": user.employee_id, "display_name": user.display_name,
            "roles": list(user.roles), "manager_id": user.manager_id, "locale": user.locale, "active": user.active,
            "must_change_password": user.must_change_password, "totp_enrolled": user.totp_enrolled_at is not None,
            "locked_until": _time(user.locked_until), "created_at": _time(user.created_at),
            "last_login_at": _time(user.last_login_at)}


def _fields(data: dict, allowed: dict[str, type]) -> dict:
    """The body's fields, each of the expected JSON type; anything else is a 400 with field violations."""
    errors = [(name, t("is not a field of this resource")) for name in data if name not in allowed]
    for name, kind in allowed.items():
        value = data.get(name)
        if value is None:
            continue
        if kind is list and not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
            errors.append((name, t("must be a list of strings")))
        elif kind is str and not isinstance(value, str):
            errors.append((name, t("must be a string")))
    if errors:
        raise Problem(400, t("the request does not match the schema"), errors)
    return data


def _page(session: Session, model: type, order) -> tuple[list, str]:  # noqa: ANN001
    """Keyset paging by the time-ordered id: (rows, next_page_token)."""
    try:
        raw = request.args.get("page_size")
        size = DEFAULT_PAGE_SIZE if raw is None else int(raw)  # "page_size=" is a mistake, not the default
    except ValueError:
        raise Problem(400, t("invalid query parameter {name}", name="page_size"),
                      [("page_size", t("must be a number"))]) from None
    if not 0 < size <= MAX_PAGE_SIZE:
        raise Problem(400, t("invalid query parameter {name}", name="page_size"),
                      [("page_size", t("must be between 1 and {max}", max=MAX_PAGE_SIZE))])
    unknown = set(request.args) - {"page_size", "page_token"}
    if unknown:
        name = sorted(unknown)[0]
        raise Problem(400, t("unknown query parameter {name}", name=name),
                      [(name, t("is not a parameter of this resource"))])
    query = select(model).order_by(order).limit(size + 1)
    token = request.args.get("page_token", "")
    if token:
        query = query.where(order > token)
    rows = list(session.scalars(query))
    return rows[:size], (rows[size - 1].id if len(rows) > size else "")


def _session():  # noqa: ANN202
    return current_app.extensions["crm.database"].session(current_principal().tenant_id)


def admin_blueprint() -> Blueprint:
    admin = Blueprint("rest_admin", __name__)

    @admin.before_request
    def require_admin():  # noqa: ANN202
        principal = current_principal()
        if principal is not None and not principal.has_any_role("admin"):
            raise Problem(403, t("this needs the admin role"))

    @admin.errorhandler(DomainError)
    def domain_errors(error: DomainError):  # noqa: ANN202
        return domain_problem(error)

    @admin.get("/api/v1/api-keys")
    def list_api_keys():  # noqa: ANN202
        with _session() as session:
            keys, token = _page(session, ApiKey, ApiKey.id)
            return jsonify(api_keys=[api_key_json(k) for k in keys], page={"next_page_token": token})

    @admin.post("/api/v1/api-keys")
    def create_api_key():  # noqa: ANN202
        data = _fields(body_data(), {"name": str, "roles": list, "subject": str})
        with _session() as session:
            issued = accounts.create_api_key(session, name=data.get("name") or "", roles=data.get("roles") or [],
                                             created_by=current_principal().subject, subject=data.get("subject"))
            body = {"api_key": api_key_json(issued.record), "key": issued.key}
        return jsonify(body), 201

    @admin.post("/api/v1/api-keys/<key_id>/revoke")
    def revoke_api_key(key_id: str):  # noqa: ANN202
        with _session() as session:
            accounts.revoke_api_key(session, key_id=key_id)  # NotFound for another tenant's key
            return jsonify(api_key=api_key_json(session.get(ApiKey, key_id)))

    @admin.get("/api/v1/users")
    def list_users():  # noqa: ANN202
        with _session() as session:
            users, token = _page(session, User, User.id)
            return jsonify(users=[user_json(u) for u in users], page={"next_page_token": token})

    @admin.post("/api/v1/users")
    def create_user():  # noqa: ANN202
        data = _fields(body_data(), {"employee_id": str, "display_name": str, "roles": list, "manager_id": str,
                                      "locale": str})
        if data.get("locale") not in (None, "", *SUPPORTED_LOCALES):
            raise Problem(400, t("the request does not match the schema"),
                          [("locale", t("must be one of {values}", values=", ".join(SUPPORTED_LOCALES)))])
        password = accounts.temporary_password()
        with _session() as session:
            user = accounts.create_user(
                session, tenant=current_principal().tenant_id, employee_id=data.get("employee_id") or "",
                display_name=data.get("display_name") or "", roles=data.get("roles") or [],
                initial_password=password, manager_id=data.get("manager_id") or None,
                locale=data.get("locale") or None)
            body = {"user": user_json(user), "temporary_password": password}
        return jsonify(body), 201

    @admin.post("/api/v1/users/<user_id>/reset-password")
    def reset_password(user_id: str):  # noqa: ANN202
        password = accounts.temporary_password()
        with _session() as session:
            user = session.get(User, user_id)
            if user is None:
                raise NotFound(t("no user {id}", id=user_id))
            accounts.reset_password(session, user=user, temporary_password=password)
            body = {"user": user_json(user), "temporary_password": password}
        return jsonify(body)

    return admin


# The admin endpoints' part of /openapi.json (hand-written: they are the gateway's own, not a service's RPCs).
_TIME = {"type": ["string", "null"], "format": "date-time"}
_ROLES = {"type": "array", "items": {"type": "string", "enum": ["sales", "service_agent", "marketing", "manager",
                                                                 "admin", "auditor"]}}
_PAGE = {"type": "object", "properties": {"next_page_token": {"type": "string"}}, "additionalProperties": False}
SCHEMAS = {
    "gateway.ApiKey": {"type": "object", "additionalProperties": False, "properties": {
        "id": {"type": "string"}, "name": {"type": "string"}, "roles": _ROLES, "subject": {"type": "string"},
        "created_by": {"type": "string"}, "created_at": _TIME, "revoked_at": _TIME, "last_used_at": _TIME}},
    "gateway.User": {"type": "object", "additionalProperties": False, "properties": {
        "id": {"type": "string"}, "employee_id": {"type": "string"}, "display_name": {"type": "string"},
        "roles": _ROLES, "manager_id": {"type": ["string", "null"]}, "locale": {"type": ["string", "null"]},
        "active": {"type": "boolean"}, "must_change_password": {"type": "boolean"},
        "totp_enrolled": {"type": "boolean"}, "locked_until": _TIME, "created_at": _TIME, "last_login_at": _TIME}},
}


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict) -> dict:
    return {"content": {"application/json": {"schema": schema}}}


def _object(**properties: dict) -> dict:
    return {"type": "object", "additionalProperties": False, "properties": properties}


_PAGING = [{"name": "page_size", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE}},
           {"name": "page_token", "in": "query", "schema": {"type": "string"}}]
_ID = {"in": "path", "required": True, "schema": {"type": "string", "minLength": 1}}
OPERATIONS = [
    ("get", "/api/v1/api-keys", "gateway.ListApiKeys", "API keys of the tenant", _PAGING, None,
     200, _object(api_keys={"type": "array", "items": _ref("gateway.ApiKey")}, page=_PAGE)),
    ("post", "/api/v1/api-keys", "gateway.CreateApiKey", "Issue an API key (its secret is shown once)", [],
     {**_object(name={"type": "string"}, roles=_ROLES, subject={"type": "string"}), "required": ["name", "roles"]},
     201, _object(api_key=_ref("gateway.ApiKey"), key={"type": "string"})),
    ("post", "/api/v1/api-keys/{key_id}/revoke", "gateway.RevokeApiKey", "Revoke an API key",
     [{"name": "key_id", **_ID}], None, 200, _object(api_key=_ref("gateway.ApiKey"))),
    ("get", "/api/v1/users", "gateway.ListUsers", "Console users of the tenant", _PAGING, None,
     200, _object(users={"type": "array", "items": _ref("gateway.User")}, page=_PAGE)),
    ("post", "/api/v1/users", "gateway.CreateUser", "Create a user with a temporary password (shown once)", [],
     {**_object(employee_id={"type": "string"}, display_name={"type": "string"}, roles=_ROLES,
                manager_id={"type": "string"}, locale={"type": "string", "enum": ["en", "zh_CN"]}),
      "required": ["employee_id", "display_name", "roles"]},
     201, _object(user=_ref("gateway.User"), temporary_password={"type": "string"})),
    ("post", "/api/v1/users/{user_id}/reset-password", "gateway.ResetPassword",
     "Reset a user's password to a temporary one (shown once); ends their sessions",
     [{"name": "user_id", **_ID}], None, 200,
     _object(user=_ref("gateway.User"), temporary_password={"type": "string"})),
]


def openapi_operations() -> list[tuple[str, str, dict, dict | None, int, dict]]:
    """(method, path, operation fields, request body schema, success status, reply schema) of each endpoint."""
    return [(method, path, {"operationId": operation_id, "tags": ["admin"], "summary": summary,
                            "parameters": parameters}, body, status, reply)
            for method, path, operation_id, summary, parameters, body, status, reply in OPERATIONS]
