"""The OpenAPI 3.1 document of the REST API, generated from the protobuf descriptors of the routed RPCs.

The contracts stay in protos/: a field added to a message appears in the document and in the API at once.
Each request and reply message is a schema under components/schemas, named by its full proto name; JSON follows
the proto3 JSON mapping with proto field names (64-bit integers as strings, enums by name, Timestamps as RFC 3339
strings). Only the gateway's own admin endpoints (admin.py) are described by hand.
"""

from __future__ import annotations

import functools

from google.protobuf.descriptor import Descriptor, FieldDescriptor

from services.gateway.rest import admin
from services.gateway.rest.routes import ROUTES, TAGS, Route
from services.gateway.rest.transcode import PAGE_RESPONSE, query_fields

_INT32 = {FieldDescriptor.TYPE_INT32: (-(2**31), 2**31 - 1), FieldDescriptor.TYPE_SINT32: (-(2**31), 2**31 - 1),
          FieldDescriptor.TYPE_SFIXED32: (-(2**31), 2**31 - 1), FieldDescriptor.TYPE_UINT32: (0, 2**32 - 1),
          FieldDescriptor.TYPE_FIXED32: (0, 2**32 - 1)}
_INT64 = {FieldDescriptor.TYPE_INT64: "^-?[0-9]+$", FieldDescriptor.TYPE_SINT64: "^-?[0-9]+$",
          FieldDescriptor.TYPE_SFIXED64: "^-?[0-9]+$", FieldDescriptor.TYPE_UINT64: "^[0-9]+$",
          FieldDescriptor.TYPE_FIXED64: "^[0-9]+$"}
_WELL_KNOWN = {
    "google.protobuf.Timestamp": {"type": "string", "format": "date-time"},
    "google.protobuf.Duration": {"type": "string", "pattern": "^-?[0-9]+(\\.[0-9]{1,9})?s$", "examples": ["1.5s"]},
    "google.protobuf.FieldMask": {"type": "string", "description": "Comma-separated field paths"},
    "google.protobuf.Struct": {"type": "object"},
    "google.protobuf.Value": {},
    "google.protobuf.ListValue": {"type": "array"},
    "google.protobuf.Empty": {"type": "object", "additionalProperties": False},
    "google.protobuf.Any": {"type": "object", "properties": {"@type": {"type": "string"}}, "required": ["@type"]},
    "google.protobuf.StringValue": {"type": "string"},
    "google.protobuf.BytesValue": {"type": "string", "contentEncoding": "base64"},
    "google.protobuf.BoolValue": {"type": "boolean"},
    "google.protobuf.Int32Value": {"type": "integer", "format": "int32"},
    "google.protobuf.UInt32Value": {"type": "integer", "format": "int32", "minimum": 0},
    "google.protobuf.Int64Value": {"type": "string", "format": "int64", "pattern": "^-?[0-9]+$"},
    "google.protobuf.UInt64Value": {"type": "string", "format": "int64", "pattern": "^[0-9]+$"},
    "google.protobuf.DoubleValue": {"type": "number"},
    "google.protobuf.FloatValue": {"type": "number"},
}
PROBLEM = {
    "type": "object",
    "description": "RFC 9457 problem details. `errors` lists the field violations of a bad request.",
    "properties": {
        "type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
        "detail": {"type": "string"}, "instance": {"type": "string"},
        "code": {"type": "string", "description": "The gRPC status of a service's refusal, e.g. NOT_FOUND"},
        "errors": {"type": "array", "items": {"type": "object", "properties": {
            "field": {"type": "string"}, "message": {"type": "string"}}, "required": ["field", "message"]}},
    },
    "required": ["type", "title", "status"],
}
# Reusable error answers (components/responses), by status.
ERRORS = {
    400: ("BadRequest", "The request is malformed or breaks a rule; `errors` names the fields."),
    401: ("Unauthenticated", "No valid API key or session."),
    403: ("Forbidden", "The caller's roles or ownership do not allow this (or a browser session sent no CSRF "
                       "token)."),
    404: ("NotFound", "No such resource, or not in the caller's tenant."),
    409: ("Conflict", "The resource's state does not allow this now, or the same Idempotency-Key is in flight."),
    413: ("ContentTooLarge", "The request body is too large."),
    415: ("UnsupportedMediaType", "The body must be application/json."),
    422: ("UnprocessableContent", "The Idempotency-Key was used with a different request."),
    429: ("TooManyRequests", "The caller's rate limit is used up; see Retry-After."),
}
_READ_ERRORS = (400, 401, 403, 404, 429)
_WRITE_ERRORS = (400, 401, 403, 404, 409, 413, 415, 422, 429)


class _Schemas:
    """components/schemas, filled as messages are met."""

    def __init__(self) -> None:
        self.components: dict[str, dict] = {}

    def ref(self, message: Descriptor, without: tuple[str, ...] = ()) -> dict:
        """A $ref to `message`'s schema; `without` names fields left out (a body's path parameters)."""
        if message.full_name in _WELL_KNOWN:
            return dict(_WELL_KNOWN[message.full_name])
        name = message.full_name + (".Body" if without else "")
        if name not in self.components:
            self.components[name] = {}  # a placeholder first: messages may refer to themselves
            self.components[name] = {
                "type": "object",
                "properties": {f.name: self.field(f) for f in message.fields if f.name not in without},
                "additionalProperties": False,
            }
        return {"$ref": f"#/components/schemas/{name}"}

    def field(self, field: FieldDescriptor) -> dict:
        if field.message_type is not None and field.message_type.GetOptions().map_entry:
            return {"type": "object", "additionalProperties": self.single(field.message_type.fields_by_name["value"])}
        schema = self.single(field)
        return {"type": "array", "items": schema} if field.is_repeated else schema

    def single(self, field: FieldDescriptor) -> dict:
        kind = field.type
        if kind == FieldDescriptor.TYPE_MESSAGE:
            return self.ref(field.message_type)
        if kind == FieldDescriptor.TYPE_ENUM:
            return {"type": "string", "enum": [value.name for value in field.enum_type.values]}
        if kind == FieldDescriptor.TYPE_BOOL:
            return {"type": "boolean"}
        if kind in _INT32:
            low, high = _INT32[kind]
            return {"type": "integer", "format": "int32" if low else "int64", "minimum": low, "maximum": high}
        if kind in _INT64:
            return {"type": "string", "format": "int64", "pattern": _INT64[kind]}
        if kind in (FieldDescriptor.TYPE_DOUBLE, FieldDescriptor.TYPE_FLOAT):
            return {"type": "number"}
        if kind == FieldDescriptor.TYPE_BYTES:
            return {"type": "string", "contentEncoding": "base64"}
        return {"type": "string"}


def _parameters(route: Route, schemas: _Schemas) -> list[dict]:
    request = route.method.input_type
    parameters = [{"name": name, "in": "path", "required": True,
                   "schema": {**schemas.field(request.fields_by_name[name]), "minLength": 1}}
                  for name in route.path_params]
    if route.body is None:
        for name, (_, field) in query_fields(route).items():
            schema = schemas.field(field)
            parameters.append({"name": name, "in": "query", "required": False, "schema": schema,
                               **({"style": "form", "explode": True} if field.is_repeated else {})})
    if route.http_method == "POST":
        parameters.append(_IDEMPOTENCY_KEY)
    return parameters


_IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key", "in": "header", "required": False,
    "description": "Repeat a POST safely: the same key and request replay the first answer (with "
                   "`Idempotent-Replayed: true`) for 24 hours; another request with the key gets 422.",
    "schema": {"type": "string", "minLength": 1, "maxLength": 200, "pattern": "^[\\x21-\\x7e]+$"},
}
_LINK = {"Link": {"description": "RFC 8288 link to the next page: `<url>; rel=\"next\"`",
                  "schema": {"type": "string"}}}


def _responses(status: int, reply: dict, errors: tuple[int, ...], paged: bool = False) -> dict:
    success = {"description": "OK" if status == 200 else "Created",
               "content": {"application/json": {"schema": reply}}}
    if paged:
        success["headers"] = _LINK
    return {str(status): success,
            **{str(code): {"$ref": f"#/components/responses/{ERRORS[code][0]}"} for code in errors},
            "default": {"$ref": "#/components/responses/Error"}}


def _rpc_operation(route: Route, schemas: _Schemas) -> dict:
    method = route.method
    paged = any(f.message_type is not None and f.message_type.full_name == PAGE_RESPONSE
                for f in method.output_type.fields)
    operation = {
        "operationId": route.operation_id,
        "tags": [route.service],
        "summary": route.summary,
        "description": f"gRPC `{method.containing_service.full_name}/{route.rpc}`.",
        "parameters": _parameters(route, schemas),
        "responses": _responses(route.status, schemas.ref(method.output_type),
                                _WRITE_ERRORS if route.body else _READ_ERRORS, paged),
    }
    if route.body:
        body = schemas.ref(method.input_type, without=tuple(route.path_params))
        operation["requestBody"] = {"required": False, "content": {"application/json": {"schema": body}}}
    return operation


@functools.cache
def document() -> dict:
    schemas = _Schemas()
    paths: dict[str, dict] = {}
    for route in ROUTES:
        paths.setdefault(route.path, {})[route.http_method.lower()] = _rpc_operation(route, schemas)
    for method, path, fields, body, status, reply in admin.openapi_operations():
        operation = {**fields, "responses": _responses(status, reply, _WRITE_ERRORS if body else _READ_ERRORS)}
        if body is not None:
            operation["requestBody"] = {"required": True, "content": {"application/json": {"schema": body}}}
        paths.setdefault(path, {})[method] = operation
    problem = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    responses = {name: {"description": description, "content": problem} for name, description in ERRORS.values()}
    responses[ERRORS[429][0]]["headers"] = {"Retry-After": {"description": "Seconds until the limit resets",
                                                            "schema": {"type": "integer"}}}
    responses["Error"] = {"description": "Another error (503: a service is unavailable, 504: it timed out)",
                          "content": problem}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "CRM platform REST API", "version": "1",
            "description": (
                "JSON over the services' gRPC APIs, transcoded from their protobuf contracts. "
                "Authenticate with an API key (`Authorization: Bearer crm_...` or `X-API-Key`) or a console "
                "session (unsafe methods then need the `X-CSRFToken` header). Field names are the proto field "
                "names; 64-bit integers are strings and enums their names (proto3 JSON mapping). Errors are "
                "RFC 9457 problem details. Lists take `page_size` and `page_token` and answer "
                "`page.next_page_token` and a `Link: rel=\"next\"` header. POSTs take an `Idempotency-Key`."),
        },
        "servers": [{"url": "/"}],
        "tags": [{"name": name, "description": description} for name, description in TAGS.items()]
        + [{"name": "admin", "description": "The tenant's API keys and console users (role admin)."}],
        "security": [{"apiKey": []}, {"session": []}],
        "paths": paths,
        "components": {
            "schemas": {**schemas.components, **admin.SCHEMAS, "Problem": PROBLEM},
            "responses": responses,
            "securitySchemes": {
                "apiKey": {"type": "http", "scheme": "bearer",
                           "description": "An API key, `crm_<id>_<secret>` (also accepted as `X-API-Key`)"},
                "session": {"type": "apiKey", "in": "cookie", "name": "crm_session",
                            "description": "A console session; unsafe methods also need the X-CSRFToken header"},
            },
        },
    }
