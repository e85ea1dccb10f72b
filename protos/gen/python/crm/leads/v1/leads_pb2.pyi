import datetime

from crm.common.v1 import common_pb2 as _common_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Lead(_message.Message):
    __slots__ = ("id", "name", "company", "email", "phone", "channel", "owner_id", "customer_id", "create_time", "industry", "region", "employees", "budget", "status", "duplicate_of", "in_pool", "assign_time", "last_follow_up_time", "score", "temperature", "first_contact_due_time", "contact_masked")
    ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    COMPANY_FIELD_NUMBER: _ClassVar[int]
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    PHONE_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    INDUSTRY_FIELD_NUMBER: _ClassVar[int]
    REGION_FIELD_NUMBER: _ClassVar[int]
    EMPLOYEES_FIELD_NUMBER: _ClassVar[int]
    BUDGET_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    DUPLICATE_OF_FIELD_NUMBER: _ClassVar[int]
    IN_POOL_FIELD_NUMBER: _ClassVar[int]
    ASSIGN_TIME_FIELD_NUMBER: _ClassVar[int]
    LAST_FOLLOW_UP_TIME_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    TEMPERATURE_FIELD_NUMBER: _ClassVar[int]
    FIRST_CONTACT_DUE_TIME_FIELD_NUMBER: _ClassVar[int]
    CONTACT_MASKED_FIELD_NUMBER: _ClassVar[int]
    id: str
    name: str
    company: str
    email: str
    phone: str
    channel: str
    owner_id: str
    customer_id: str
    create_time: _timestamp_pb2.Timestamp
    industry: str
    region: str
    employees: int
    budget: _common_pb2.Money
    status: str
    duplicate_of: str
    in_pool: bool
    assign_time: _timestamp_pb2.Timestamp
    last_follow_up_time: _timestamp_pb2.Timestamp
    score: float
    temperature: str
    first_contact_due_time: _timestamp_pb2.Timestamp
    contact_masked: bool
    def __init__(self, id: _Optional[str] = ..., name: _Optional[str] = ..., company: _Optional[str] = ..., email: _Optional[str] = ..., phone: _Optional[str] = ..., channel: _Optional[str] = ..., owner_id: _Optional[str] = ..., customer_id: _Optional[str] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., industry: _Optional[str] = ..., region: _Optional[str] = ..., employees: _Optional[int] = ..., budget: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., status: _Optional[str] = ..., duplicate_of: _Optional[str] = ..., in_pool: _Optional[bool] = ..., assign_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., last_follow_up_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., score: _Optional[float] = ..., temperature: _Optional[str] = ..., first_contact_due_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., contact_masked: _Optional[bool] = ...) -> None: ...

class CreateLeadRequest(_message.Message):
    __slots__ = ("name", "company", "email", "phone", "channel", "owner_id", "request_id")
    NAME_FIELD_NUMBER: _ClassVar[int]
    COMPANY_FIELD_NUMBER: _ClassVar[int]
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    PHONE_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    name: str
    company: str
    email: str
    phone: str
    channel: str
    owner_id: str
    request_id: str
    def __init__(self, name: _Optional[str] = ..., company: _Optional[str] = ..., email: _Optional[str] = ..., phone: _Optional[str] = ..., channel: _Optional[str] = ..., owner_id: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class CreateLeadResponse(_message.Message):
    __slots__ = ("lead",)
    LEAD_FIELD_NUMBER: _ClassVar[int]
    lead: Lead
    def __init__(self, lead: _Optional[_Union[Lead, _Mapping]] = ...) -> None: ...

class GetLeadRequest(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class GetLeadResponse(_message.Message):
    __slots__ = ("lead",)
    LEAD_FIELD_NUMBER: _ClassVar[int]
    lead: Lead
    def __init__(self, lead: _Optional[_Union[Lead, _Mapping]] = ...) -> None: ...
