import datetime

from crm.common.v1 import common_pb2 as _common_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Customer(_message.Message):
    __slots__ = ("id", "name", "company", "email", "phone", "records", "create_time")
    ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    COMPANY_FIELD_NUMBER: _ClassVar[int]
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    PHONE_FIELD_NUMBER: _ClassVar[int]
    RECORDS_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    id: str
    name: str
    company: str
    email: str
    phone: str
    records: _containers.RepeatedCompositeFieldContainer[_common_pb2.RecordRef]
    create_time: _timestamp_pb2.Timestamp
    def __init__(self, id: _Optional[str] = ..., name: _Optional[str] = ..., company: _Optional[str] = ..., email: _Optional[str] = ..., phone: _Optional[str] = ..., records: _Optional[_Iterable[_Union[_common_pb2.RecordRef, _Mapping]]] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ResolveRecordRequest(_message.Message):
    __slots__ = ("record", "name", "company", "email", "phone", "owner_id")
    RECORD_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    COMPANY_FIELD_NUMBER: _ClassVar[int]
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    PHONE_FIELD_NUMBER: _ClassVar[int]
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    record: _common_pb2.RecordRef
    name: str
    company: str
    email: str
    phone: str
    owner_id: str
    def __init__(self, record: _Optional[_Union[_common_pb2.RecordRef, _Mapping]] = ..., name: _Optional[str] = ..., company: _Optional[str] = ..., email: _Optional[str] = ..., phone: _Optional[str] = ..., owner_id: _Optional[str] = ...) -> None: ...

class ResolveRecordResponse(_message.Message):
    __slots__ = ("customer_id", "created", "matched_on")
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    CREATED_FIELD_NUMBER: _ClassVar[int]
    MATCHED_ON_FIELD_NUMBER: _ClassVar[int]
    customer_id: str
    created: bool
    matched_on: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, customer_id: _Optional[str] = ..., created: _Optional[bool] = ..., matched_on: _Optional[_Iterable[str]] = ...) -> None: ...

class GetCustomerRequest(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class GetCustomerResponse(_message.Message):
    __slots__ = ("customer",)
    CUSTOMER_FIELD_NUMBER: _ClassVar[int]
    customer: Customer
    def __init__(self, customer: _Optional[_Union[Customer, _Mapping]] = ...) -> None: ...
