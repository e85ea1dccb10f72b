from crm.common.v1 import common_pb2 as _common_pb2
from crm.events.v1 import envelope_pb2 as _envelope_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class IdentityResolved(_message.Message):
    __slots__ = ("record", "customer_id", "created", "matched_on", "probability")
    RECORD_FIELD_NUMBER: _ClassVar[int]
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    CREATED_FIELD_NUMBER: _ClassVar[int]
    MATCHED_ON_FIELD_NUMBER: _ClassVar[int]
    PROBABILITY_FIELD_NUMBER: _ClassVar[int]
    record: _common_pb2.RecordRef
    customer_id: str
    created: bool
    matched_on: _containers.RepeatedScalarFieldContainer[str]
    probability: float
    def __init__(self, record: _Optional[_Union[_common_pb2.RecordRef, _Mapping]] = ..., customer_id: _Optional[str] = ..., created: _Optional[bool] = ..., matched_on: _Optional[_Iterable[str]] = ..., probability: _Optional[float] = ...) -> None: ...

class IdentityMerged(_message.Message):
    __slots__ = ("merge_id", "survivor_customer_id", "absorbed_customer_id", "records")
    MERGE_ID_FIELD_NUMBER: _ClassVar[int]
    SURVIVOR_CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    ABSORBED_CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    RECORDS_FIELD_NUMBER: _ClassVar[int]
    merge_id: str
    survivor_customer_id: str
    absorbed_customer_id: str
    records: _containers.RepeatedCompositeFieldContainer[_common_pb2.RecordRef]
    def __init__(self, merge_id: _Optional[str] = ..., survivor_customer_id: _Optional[str] = ..., absorbed_customer_id: _Optional[str] = ..., records: _Optional[_Iterable[_Union[_common_pb2.RecordRef, _Mapping]]] = ...) -> None: ...

class IdentityUnmerged(_message.Message):
    __slots__ = ("merge_id", "survivor_customer_id", "restored_customer_id", "records")
    MERGE_ID_FIELD_NUMBER: _ClassVar[int]
    SURVIVOR_CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    RESTORED_CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    RECORDS_FIELD_NUMBER: _ClassVar[int]
    merge_id: str
    survivor_customer_id: str
    restored_customer_id: str
    records: _containers.RepeatedCompositeFieldContainer[_common_pb2.RecordRef]
    def __init__(self, merge_id: _Optional[str] = ..., survivor_customer_id: _Optional[str] = ..., restored_customer_id: _Optional[str] = ..., records: _Optional[_Iterable[_Union[_common_pb2.RecordRef, _Mapping]]] = ...) -> None: ...
