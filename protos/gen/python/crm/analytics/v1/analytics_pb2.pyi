from crm.common.v1 import common_pb2 as _common_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

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
