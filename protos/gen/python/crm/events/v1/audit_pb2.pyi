from crm.events.v1 import envelope_pb2 as _envelope_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class AuditRecorded(_message.Message):
    __slots__ = ("actor", "actor_kind", "records")
    class FieldChange(_message.Message):
        __slots__ = ("field", "old_value", "new_value")
        FIELD_FIELD_NUMBER: _ClassVar[int]
        OLD_VALUE_FIELD_NUMBER: _ClassVar[int]
        NEW_VALUE_FIELD_NUMBER: _ClassVar[int]
        field: str
        old_value: str
        new_value: str
        def __init__(self, field: _Optional[str] = ..., old_value: _Optional[str] = ..., new_value: _Optional[str] = ...) -> None: ...
    class RecordChange(_message.Message):
        __slots__ = ("entity", "record_id", "action", "changes")
        ENTITY_FIELD_NUMBER: _ClassVar[int]
        RECORD_ID_FIELD_NUMBER: _ClassVar[int]
        ACTION_FIELD_NUMBER: _ClassVar[int]
        CHANGES_FIELD_NUMBER: _ClassVar[int]
        entity: str
        record_id: str
        action: str
        changes: _containers.RepeatedCompositeFieldContainer[AuditRecorded.FieldChange]
        def __init__(self, entity: _Optional[str] = ..., record_id: _Optional[str] = ..., action: _Optional[str] = ..., changes: _Optional[_Iterable[_Union[AuditRecorded.FieldChange, _Mapping]]] = ...) -> None: ...
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    ACTOR_KIND_FIELD_NUMBER: _ClassVar[int]
    RECORDS_FIELD_NUMBER: _ClassVar[int]
    actor: str
    actor_kind: str
    records: _containers.RepeatedCompositeFieldContainer[AuditRecorded.RecordChange]
    def __init__(self, actor: _Optional[str] = ..., actor_kind: _Optional[str] = ..., records: _Optional[_Iterable[_Union[AuditRecorded.RecordChange, _Mapping]]] = ...) -> None: ...
