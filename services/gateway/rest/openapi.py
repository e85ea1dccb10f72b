"""The OpenAPI 3.0 document of the REST API, generated from the protobuf descriptors of the routed RPCs.

The contracts stay in protos/: a field added to a message appears in the document and the API at once. JSON
follows the proto3 JSON mapping with proto field names (64-bit integers as strings, enums by name, Timestamps
as RFC 3339 strings).
"""

from __future__ import annotations

from google.protobuf.descriptor import Descriptor, FieldDescriptor

from services.gateway.rest.routes import ROUTES, Route, method_of

_INT32 = {FieldDescriptor.TYPE_INT32, FieldDescriptor.TYPE_SINT32, FieldDescriptor.TYPE_SFIXED32,
          FieldDescriptor.TYPE_UINT32, FieldDescriptor.TYPE_FIXED32}
_INT64 = {FieldDescriptor.TYPE_INT64, FieldDescriptor.TYPE_SINT64, FieldDescriptor.TYPE_SFIXED64,
          FieldDescriptor.TYPE_UINT64, FieldDescriptor.TYPE_FIXED64}
_WELL_KNOWN = {
    "google.protobuf.Timestamp": {"type": "string", "format": "date-time"},
    "google.protobuf.Duration": {"type": "string", "example": "1.5s"},
    "google.protobuf.Struct": {"type": "object", "additionalProperties": True},
    "google.protobuf.Value": {},
    "google.protobuf.Empty": {"type": "object"},
    "google.protobuf.Any": {"type": "object", "properties": {"@type": {"type": "string"}},
                            "additionalProperties": True},
    "google.protobuf.StringValue": {"type": "string"},
    "google.protobuf.BoolValue": {"type": "boolean"},
    "google.protobuf.Int32Value": {"type": "integer", "format": "int32"},
    "google.protobuf.Int64Value": {"type": "string", "format": "int64"},
    "google.protobuf.DoubleValue": {"type": "number"},
}
PROBLEM = {
    "type": "object",
    "description": "RFC 9457 problem details; `errors` carries the field violations of a bad request.",
    "properties": {
        "type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {"type": "array", "items": {"type": "object", "properties": {
            "field": {"type": "string"}, "message": {"type": "string"}}}},
    },
    "required": ["title", "status"],
}


class _Schemas:
    def __init__(self) -> None:
        self.components: dict[str, dict] = {}

    def ref(self, message: Descriptor) -> dict:
        if message.full_name in _WELL_KNOWN:
            return dict(_WELL_KNOWN[message.full_name])
        name = message.full_name
        if name not in self.components:
            self.components[name] = {}  # placeholder first: messages may refer to themselves
            self.components[name] = {
                "type": "object",
                "properties": {field.name: self.field(field) for field in message.fields},
                "additionalProperties": False,
            }
        return {"$ref": f"#/components/schemas/{name}"}

    def field(self, field: FieldDescriptor) -> dict:
        if field.message_type is not None and field.message_type.GetOptions().map_entry:
            value = field.message_type.fields_by_name["value"]
            return {"type": "object", "additionalProperties": self.scalar(value)}
        schema = self.scalar(field)
        if field.is_repeated:
            return {"type": "array", "items": schema}
        return schema

    def scalar(self, field: FieldDescriptor) -> dict:
        kind = field.type
        if kind == FieldDescriptor.TYPE_MESSAGE:
            return self.ref(field.message_type)
        if kind == FieldDescriptor.TYPE_ENUM:
            return {"type": "string", "enum": [value.name for value in field.enum_type.values]}
        if kind == FieldDescriptor.TYPE_BOOL:
            return {"type": "boolean"}
        if kind in _INT32:
            return {"type": "integer", "format": "int32"}
        if kind in _INT64:
            return {"type": "string", "format": "int64", "pattern": "^-?[0-9]+$"}
        if kind in (FieldDescriptor.TYPE_DOUBLE, FieldDescriptor.TYPE_FLOAT):
            return {"type": "number"}
        if kind == FieldDescriptor.TYPE_BYTES:
            return {"type": "string", "format": "byte"}
        return {"type": "string"}


def _parameters(route: Route, schemas: _Schemas) -> list[dict]:
    request = method_of(route).input_type
    parameters = [{"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
                  for name in route.path_params]
    if route.body:
        return parameters
    for name, field in route.query_fields(request).items():
        schema = schemas.field(field)
        if schema.get("$ref") or (schema.get("type") == "array" and "$ref" in schema.get("items", {})):
            continue
        parameters.append({"name": name, "in": "query", "required": False, "schema": schema,
                           **({"explode": True} if schema.get("type") == "array" else {})})
    return parameters


def document(server_url: str = "/") -> dict:
    schemas = _Schemas()
    paths: dict[str, dict] = {}
    for route in ROUTES:
        method = method_of(route)
        operation = {
            "operationId": f"{route.service}.{route.rpc}",
            "tags": [route.service],
            "summary": route.summary or route.rpc,
            "description": f"gRPC `{method.containing_service.full_name}/{route.rpc}`",
            "parameters": _parameters(route, schemas),
            "responses": {
                str(route.success): {"description": "OK", "content": {
                    "application/json": {"schema": schemas.ref(method.output_type)}}},
                "default": {"description": "An error", "content": {
                    "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}},
            },
        }
        if route.body:
            body_schema = schemas.ref(method.input_type)
            operation["requestBody"] = {"required": True, "content": {"application/json": {"schema": body_schema}}}
            if route.http_method == "POST":
                operation["parameters"].append({
                    "name": "Idempotency-Key", "in": "header", "required": False,
                    "description": "Repeat a create safely: the same key and body replay the first answer.",
                    "schema": {"type": "string", "maxLength": 200}})
        paths.setdefault(route.path, {})[route.http_method.lower()] = operation
    components = {**schemas.components, "Problem": PROBLEM}
    return {
        "openapi": "3.0.3",
        "info": {"title": "CRM platform REST API", "version": "1",
                 "description": "REST over the services' gRPC APIs. Authenticate with an API key "
                                "(`Authorization: Bearer crm_...`) or a console session."},
        "servers": [{"url": server_url}],
        "security": [{"apiKey": []}, {"session": []}],
        "paths": paths,
        "components": {
            "schemas": components,
            "securitySchemes": {
                "apiKey": {"type": "http", "scheme": "bearer", "description": "An API key: crm_<id>_<secret>"},
                "session": {"type": "apiKey", "in": "cookie", "name": "crm_session",
                            "description": "A console session; unsafe methods also need the X-CSRFToken header"},
            },
        },
    }
