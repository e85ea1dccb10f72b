"""HTTP <-> protobuf for one route: path, query string and JSON body become the request message, the reply
becomes proto3 JSON (google.protobuf.json_format).

JSON names are the proto field names (`owner_id`, not `ownerId`); requests may use either. Fields at their
default value are always present in replies, so every reply of a kind has the same shape. 64-bit integers are
strings and enums are their names, as the proto3 JSON mapping says (a JavaScript number cannot hold every
int64).

Query parameters (GET): each scalar, enum or repeated scalar field of the request, nested fields by dotted name
(`start_date.year=2026`), a repeated field by repeating the parameter (`status=open&status=lost`); the
request's `page` (crm.common.v1.PageRequest) by `page_size` and `page_token`.
"""

from __future__ import annotations

import json
from urllib.parse import urlencode

from flask import request
from google.protobuf import json_format
from google.protobuf.descriptor import Descriptor, FieldDescriptor
from google.protobuf.message import Message

from services.core.i18n import t
from services.gateway.rest.problems import Problem
from services.gateway.rest.routes import Route

PAGE_REQUEST = "crm.common.v1.PageRequest"
PAGE_RESPONSE = "crm.common.v1.PageResponse"
PAGE_ALIASES = {"page_size": "page_size", "page_token": "page_token"}
# Well-known types whose JSON form is one string (or number, or bool): one query parameter each.
SCALAR_MESSAGES = {
    "google.protobuf.Timestamp", "google.protobuf.Duration", "google.protobuf.FieldMask",
    "google.protobuf.StringValue", "google.protobuf.BoolValue", "google.protobuf.Int32Value",
    "google.protobuf.UInt32Value", "google.protobuf.Int64Value", "google.protobuf.UInt64Value",
    "google.protobuf.DoubleValue", "google.protobuf.FloatValue", "google.protobuf.BytesValue",
}
_INT32 = (FieldDescriptor.CPPTYPE_INT32, FieldDescriptor.CPPTYPE_UINT32)
_FLOAT = (FieldDescriptor.CPPTYPE_DOUBLE, FieldDescriptor.CPPTYPE_FLOAT)
_BOOLEANS = {"true": True, "1": True, "false": False, "0": False}
MAX_QUERY_DEPTH = 3


def query_fields(route: Route) -> dict[str, tuple[str, FieldDescriptor]]:
    """Query parameter -> (dotted path in the request's JSON form, the leaf field) for a GET route."""
    found: dict[str, tuple[str, FieldDescriptor]] = {}
    _collect(route.method.input_type, "", set(route.path_params), found, 0)
    return found


def _collect(message: Descriptor, prefix: str, skip: set[str], found: dict, depth: int) -> None:
    for field in message.fields:
        name = prefix + field.name
        if name in skip:
            continue
        kind = field.message_type
        if kind is None or kind.full_name in SCALAR_MESSAGES:
            found[name] = (name, field)
        elif kind.GetOptions().map_entry or field.is_repeated or depth >= MAX_QUERY_DEPTH:
            continue  # maps and lists of messages only travel in bodies
        elif kind.full_name == PAGE_REQUEST and not prefix:
            for alias, inner in PAGE_ALIASES.items():
                found[alias] = (f"{name}.{inner}", kind.fields_by_name[inner])
        else:
            _collect(kind, name + ".", skip, found, depth + 1)


def _coerce(name: str, field: FieldDescriptor, raw: str) -> object:
    """A query-string value as the JSON value json_format expects for `field`."""
    if field.type == FieldDescriptor.TYPE_BOOL:
        if raw.lower() not in _BOOLEANS:
            raise Problem(400, t("invalid query parameter {name}", name=name), [(name, t("must be true or false"))])
        return _BOOLEANS[raw.lower()]
    if field.type == FieldDescriptor.TYPE_ENUM and raw not in field.enum_type.values_by_name:
        raise Problem(400, t("invalid query parameter {name}", name=name),
                      [(name, t("must be one of {values}", values=", ".join(field.enum_type.values_by_name)))])
    try:
        if field.cpp_type in _INT32:
            return int(raw)
        if field.cpp_type in _FLOAT:
            return float(raw)
    except ValueError:
        raise Problem(400, t("invalid query parameter {name}", name=name), [(name, t("must be a number"))]) from None
    return raw  # strings, enum names, 64-bit integers and Timestamps (strings in proto3 JSON)


def _set(data: dict, dotted: str, value: object) -> None:
    *parents, leaf = dotted.split(".")
    for part in parents:
        data = data.setdefault(part, {})
    data[leaf] = value


def _query_data(route: Route) -> dict:
    fields = query_fields(route)
    data: dict = {}
    for name in request.args:
        if name not in fields:
            raise Problem(400, t("unknown query parameter {name}", name=name),
                          [(name, t("is not a parameter of this resource"))])
        dotted, field = fields[name]
        values = [_coerce(name, field, raw) for raw in request.args.getlist(name)]
        _set(data, dotted, values if field.is_repeated else values[-1])
    return data


def body_data() -> dict:
    if not request.content_length and not request.data:
        return {}
    if request.mimetype != "application/json":
        raise Problem(415, t("send the request body as application/json"))
    try:
        data = json.loads(request.get_data())
    except ValueError:
        raise Problem(400, t("the request body is not valid JSON")) from None
    if not isinstance(data, dict):
        raise Problem(400, t("the request body must be a JSON object"))
    return data


def request_message(route: Route, path_values: dict[str, str], message_class: type[Message]) -> Message:
    data = body_data() if route.body == "*" else _query_data(route)
    for name, value in path_values.items():
        if name in data and data[name] != value:
            raise Problem(400, t("{name} in the body differs from the path", name=name),
                          [(name, t("must match the path"))])
        data[name] = value
    try:
        return json_format.ParseDict(data, message_class(), ignore_unknown_fields=False)
    except json_format.ParseError as error:
        # The first line names the field ('... has no field named "colour" ...', 'Failed to parse owner_id ...').
        raise Problem(400, t("the request does not match the schema: {reason}",
                             reason=str(error).splitlines()[0])) from None


def reply_json(reply: Message) -> dict:
    return json_format.MessageToDict(reply, preserving_proto_field_name=True,
                                     always_print_fields_with_no_presence=True)


def next_link(reply: Message) -> str | None:
    """RFC 8288 `Link: <...>; rel="next"` of a page that has a successor: the same query, the next token."""
    for field in reply.DESCRIPTOR.fields:
        if field.message_type is not None and field.message_type.full_name == PAGE_RESPONSE:
            token = getattr(reply, field.name).next_page_token
            if token:
                query = [(k, v) for k, v in request.args.items(multi=True) if k != "page_token"]
                return f'<{request.base_url}?{urlencode([*query, ("page_token", token)])}>; rel="next"'
    return None
