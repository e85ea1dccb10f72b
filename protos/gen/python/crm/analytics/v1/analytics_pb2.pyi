import datetime

from crm.common.v1 import common_pb2 as _common_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class AuditAction(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    AUDIT_ACTION_UNSPECIFIED: _ClassVar[AuditAction]
    AUDIT_ACTION_CREATED: _ClassVar[AuditAction]
    AUDIT_ACTION_UPDATED: _ClassVar[AuditAction]
    AUDIT_ACTION_DELETED: _ClassVar[AuditAction]

class AuditExportFormat(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    AUDIT_EXPORT_FORMAT_UNSPECIFIED: _ClassVar[AuditExportFormat]
    AUDIT_EXPORT_FORMAT_CSV: _ClassVar[AuditExportFormat]
    AUDIT_EXPORT_FORMAT_JSON_LINES: _ClassVar[AuditExportFormat]
AUDIT_ACTION_UNSPECIFIED: AuditAction
AUDIT_ACTION_CREATED: AuditAction
AUDIT_ACTION_UPDATED: AuditAction
AUDIT_ACTION_DELETED: AuditAction
AUDIT_EXPORT_FORMAT_UNSPECIFIED: AuditExportFormat
AUDIT_EXPORT_FORMAT_CSV: AuditExportFormat
AUDIT_EXPORT_FORMAT_JSON_LINES: AuditExportFormat

class GetLeadIntakeRequest(_message.Message):
    __slots__ = ("start_date", "end_date")
    START_DATE_FIELD_NUMBER: _ClassVar[int]
    END_DATE_FIELD_NUMBER: _ClassVar[int]
    start_date: _common_pb2.Date
    end_date: _common_pb2.Date
    def __init__(self, start_date: _Optional[_Union[_common_pb2.Date, _Mapping]] = ..., end_date: _Optional[_Union[_common_pb2.Date, _Mapping]] = ...) -> None: ...

class LeadIntakeRow(_message.Message):
    __slots__ = ("day", "channel", "leads")
    DAY_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    LEADS_FIELD_NUMBER: _ClassVar[int]
    day: _common_pb2.Date
    channel: str
    leads: int
    def __init__(self, day: _Optional[_Union[_common_pb2.Date, _Mapping]] = ..., channel: _Optional[str] = ..., leads: _Optional[int] = ...) -> None: ...

class GetLeadIntakeResponse(_message.Message):
    __slots__ = ("rows", "total")
    ROWS_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    rows: _containers.RepeatedCompositeFieldContainer[LeadIntakeRow]
    total: int
    def __init__(self, rows: _Optional[_Iterable[_Union[LeadIntakeRow, _Mapping]]] = ..., total: _Optional[int] = ...) -> None: ...

class AuditLogFilter(_message.Message):
    __slots__ = ("service", "entity", "record_id", "actor", "action", "start_time", "end_time")
    SERVICE_FIELD_NUMBER: _ClassVar[int]
    ENTITY_FIELD_NUMBER: _ClassVar[int]
    RECORD_ID_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    ACTION_FIELD_NUMBER: _ClassVar[int]
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    END_TIME_FIELD_NUMBER: _ClassVar[int]
    service: str
    entity: str
    record_id: str
    actor: str
    action: AuditAction
    start_time: _timestamp_pb2.Timestamp
    end_time: _timestamp_pb2.Timestamp
    def __init__(self, service: _Optional[str] = ..., entity: _Optional[str] = ..., record_id: _Optional[str] = ..., actor: _Optional[str] = ..., action: _Optional[_Union[AuditAction, str]] = ..., start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class AuditFieldChange(_message.Message):
    __slots__ = ("field", "old_value", "new_value")
    FIELD_FIELD_NUMBER: _ClassVar[int]
    OLD_VALUE_FIELD_NUMBER: _ClassVar[int]
    NEW_VALUE_FIELD_NUMBER: _ClassVar[int]
    field: str
    old_value: str
    new_value: str
    def __init__(self, field: _Optional[str] = ..., old_value: _Optional[str] = ..., new_value: _Optional[str] = ...) -> None: ...

class AuditEntry(_message.Message):
    __slots__ = ("event_id", "occur_time", "actor", "actor_kind", "service", "entity", "record_id", "action", "changes", "correlation_id")
    EVENT_ID_FIELD_NUMBER: _ClassVar[int]
    OCCUR_TIME_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    ACTOR_KIND_FIELD_NUMBER: _ClassVar[int]
    SERVICE_FIELD_NUMBER: _ClassVar[int]
    ENTITY_FIELD_NUMBER: _ClassVar[int]
    RECORD_ID_FIELD_NUMBER: _ClassVar[int]
    ACTION_FIELD_NUMBER: _ClassVar[int]
    CHANGES_FIELD_NUMBER: _ClassVar[int]
    CORRELATION_ID_FIELD_NUMBER: _ClassVar[int]
    event_id: str
    occur_time: _timestamp_pb2.Timestamp
    actor: str
    actor_kind: str
    service: str
    entity: str
    record_id: str
    action: AuditAction
    changes: _containers.RepeatedCompositeFieldContainer[AuditFieldChange]
    correlation_id: str
    def __init__(self, event_id: _Optional[str] = ..., occur_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., actor: _Optional[str] = ..., actor_kind: _Optional[str] = ..., service: _Optional[str] = ..., entity: _Optional[str] = ..., record_id: _Optional[str] = ..., action: _Optional[_Union[AuditAction, str]] = ..., changes: _Optional[_Iterable[_Union[AuditFieldChange, _Mapping]]] = ..., correlation_id: _Optional[str] = ...) -> None: ...

class SearchAuditLogRequest(_message.Message):
    __slots__ = ("filter", "page")
    FILTER_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    filter: AuditLogFilter
    page: _common_pb2.PageRequest
    def __init__(self, filter: _Optional[_Union[AuditLogFilter, _Mapping]] = ..., page: _Optional[_Union[_common_pb2.PageRequest, _Mapping]] = ...) -> None: ...

class SearchAuditLogResponse(_message.Message):
    __slots__ = ("entries", "page")
    ENTRIES_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    entries: _containers.RepeatedCompositeFieldContainer[AuditEntry]
    page: _common_pb2.PageResponse
    def __init__(self, entries: _Optional[_Iterable[_Union[AuditEntry, _Mapping]]] = ..., page: _Optional[_Union[_common_pb2.PageResponse, _Mapping]] = ...) -> None: ...

class ExportAuditLogRequest(_message.Message):
    __slots__ = ("filter", "format")
    FILTER_FIELD_NUMBER: _ClassVar[int]
    FORMAT_FIELD_NUMBER: _ClassVar[int]
    filter: AuditLogFilter
    format: AuditExportFormat
    def __init__(self, filter: _Optional[_Union[AuditLogFilter, _Mapping]] = ..., format: _Optional[_Union[AuditExportFormat, str]] = ...) -> None: ...

class ExportAuditLogResponse(_message.Message):
    __slots__ = ("chunk",)
    CHUNK_FIELD_NUMBER: _ClassVar[int]
    chunk: bytes
    def __init__(self, chunk: _Optional[bytes] = ...) -> None: ...
