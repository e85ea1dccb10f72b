from crm.common.v1 import common_pb2 as _common_pb2
from crm.events.v1 import envelope_pb2 as _envelope_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class PrivacyRequested(_message.Message):
    __slots__ = ("request_id", "kind", "customer_id", "customer_ids", "records", "emails", "phones", "reason", "requested_by")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    CUSTOMER_IDS_FIELD_NUMBER: _ClassVar[int]
    RECORDS_FIELD_NUMBER: _ClassVar[int]
    EMAILS_FIELD_NUMBER: _ClassVar[int]
    PHONES_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    REQUESTED_BY_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    kind: str
    customer_id: str
    customer_ids: _containers.RepeatedScalarFieldContainer[str]
    records: _containers.RepeatedCompositeFieldContainer[_common_pb2.RecordRef]
    emails: _containers.RepeatedScalarFieldContainer[str]
    phones: _containers.RepeatedScalarFieldContainer[str]
    reason: str
    requested_by: str
    def __init__(self, request_id: _Optional[str] = ..., kind: _Optional[str] = ..., customer_id: _Optional[str] = ..., customer_ids: _Optional[_Iterable[str]] = ..., records: _Optional[_Iterable[_Union[_common_pb2.RecordRef, _Mapping]]] = ..., emails: _Optional[_Iterable[str]] = ..., phones: _Optional[_Iterable[str]] = ..., reason: _Optional[str] = ..., requested_by: _Optional[str] = ...) -> None: ...

class PrivacyStepCompleted(_message.Message):
    __slots__ = ("request_id", "service", "status", "item_count", "export_json", "error")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    SERVICE_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    ITEM_COUNT_FIELD_NUMBER: _ClassVar[int]
    EXPORT_JSON_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    service: str
    status: str
    item_count: int
    export_json: bytes
    error: str
    def __init__(self, request_id: _Optional[str] = ..., service: _Optional[str] = ..., status: _Optional[str] = ..., item_count: _Optional[int] = ..., export_json: _Optional[bytes] = ..., error: _Optional[str] = ...) -> None: ...
