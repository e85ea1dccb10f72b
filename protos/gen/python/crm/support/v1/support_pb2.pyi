import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class TicketType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    TICKET_TYPE_UNSPECIFIED: _ClassVar[TicketType]
    TICKET_TYPE_CONSULTATION: _ClassVar[TicketType]
    TICKET_TYPE_COMPLAINT: _ClassVar[TicketType]
    TICKET_TYPE_FAULT: _ClassVar[TicketType]
    TICKET_TYPE_AFTER_SALES: _ClassVar[TicketType]
    TICKET_TYPE_FIELD_SERVICE: _ClassVar[TicketType]
    TICKET_TYPE_CALLBACK: _ClassVar[TicketType]
    TICKET_TYPE_CARE: _ClassVar[TicketType]

class TicketChannel(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    TICKET_CHANNEL_UNSPECIFIED: _ClassVar[TicketChannel]
    TICKET_CHANNEL_PHONE: _ClassVar[TicketChannel]
    TICKET_CHANNEL_EMAIL: _ClassVar[TicketChannel]
    TICKET_CHANNEL_WEB: _ClassVar[TicketChannel]
    TICKET_CHANNEL_CHAT: _ClassVar[TicketChannel]
    TICKET_CHANNEL_IN_PERSON: _ClassVar[TicketChannel]
    TICKET_CHANNEL_PARTNER: _ClassVar[TicketChannel]

class TicketPriority(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    TICKET_PRIORITY_UNSPECIFIED: _ClassVar[TicketPriority]
    TICKET_PRIORITY_P1: _ClassVar[TicketPriority]
    TICKET_PRIORITY_P2: _ClassVar[TicketPriority]
    TICKET_PRIORITY_P3: _ClassVar[TicketPriority]
    TICKET_PRIORITY_P4: _ClassVar[TicketPriority]

class TicketStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    TICKET_STATUS_UNSPECIFIED: _ClassVar[TicketStatus]
    TICKET_STATUS_OPEN: _ClassVar[TicketStatus]
    TICKET_STATUS_IN_PROGRESS: _ClassVar[TicketStatus]
    TICKET_STATUS_RESOLVED: _ClassVar[TicketStatus]
    TICKET_STATUS_CLOSED: _ClassVar[TicketStatus]
TICKET_TYPE_UNSPECIFIED: TicketType
TICKET_TYPE_CONSULTATION: TicketType
TICKET_TYPE_COMPLAINT: TicketType
TICKET_TYPE_FAULT: TicketType
TICKET_TYPE_AFTER_SALES: TicketType
TICKET_TYPE_FIELD_SERVICE: TicketType
TICKET_TYPE_CALLBACK: TicketType
TICKET_TYPE_CARE: TicketType
TICKET_CHANNEL_UNSPECIFIED: TicketChannel
TICKET_CHANNEL_PHONE: TicketChannel
TICKET_CHANNEL_EMAIL: TicketChannel
TICKET_CHANNEL_WEB: TicketChannel
TICKET_CHANNEL_CHAT: TicketChannel
TICKET_CHANNEL_IN_PERSON: TicketChannel
TICKET_CHANNEL_PARTNER: TicketChannel
TICKET_PRIORITY_UNSPECIFIED: TicketPriority
TICKET_PRIORITY_P1: TicketPriority
TICKET_PRIORITY_P2: TicketPriority
TICKET_PRIORITY_P3: TicketPriority
TICKET_PRIORITY_P4: TicketPriority
TICKET_STATUS_UNSPECIFIED: TicketStatus
TICKET_STATUS_OPEN: TicketStatus
TICKET_STATUS_IN_PROGRESS: TicketStatus
TICKET_STATUS_RESOLVED: TicketStatus
TICKET_STATUS_CLOSED: TicketStatus

class Ticket(_message.Message):
    __slots__ = ("id", "customer_id", "type", "channel", "priority", "status", "subject", "description", "assignee_id", "create_time")
    ID_FIELD_NUMBER: _ClassVar[int]
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    PRIORITY_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    ASSIGNEE_ID_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    id: str
    customer_id: str
    type: TicketType
    channel: TicketChannel
    priority: TicketPriority
    status: TicketStatus
    subject: str
    description: str
    assignee_id: str
    create_time: _timestamp_pb2.Timestamp
    def __init__(self, id: _Optional[str] = ..., customer_id: _Optional[str] = ..., type: _Optional[_Union[TicketType, str]] = ..., channel: _Optional[_Union[TicketChannel, str]] = ..., priority: _Optional[_Union[TicketPriority, str]] = ..., status: _Optional[_Union[TicketStatus, str]] = ..., subject: _Optional[str] = ..., description: _Optional[str] = ..., assignee_id: _Optional[str] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class OpenTicketRequest(_message.Message):
    __slots__ = ("customer_id", "type", "channel", "priority", "subject", "description")
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    PRIORITY_FIELD_NUMBER: _ClassVar[int]
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    customer_id: str
    type: TicketType
    channel: TicketChannel
    priority: TicketPriority
    subject: str
    description: str
    def __init__(self, customer_id: _Optional[str] = ..., type: _Optional[_Union[TicketType, str]] = ..., channel: _Optional[_Union[TicketChannel, str]] = ..., priority: _Optional[_Union[TicketPriority, str]] = ..., subject: _Optional[str] = ..., description: _Optional[str] = ...) -> None: ...

class OpenTicketResponse(_message.Message):
    __slots__ = ("ticket",)
    TICKET_FIELD_NUMBER: _ClassVar[int]
    ticket: Ticket
    def __init__(self, ticket: _Optional[_Union[Ticket, _Mapping]] = ...) -> None: ...

class GetTicketRequest(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class GetTicketResponse(_message.Message):
    __slots__ = ("ticket",)
    TICKET_FIELD_NUMBER: _ClassVar[int]
    ticket: Ticket
    def __init__(self, ticket: _Optional[_Union[Ticket, _Mapping]] = ...) -> None: ...
