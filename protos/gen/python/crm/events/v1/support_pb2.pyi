from crm.events.v1 import envelope_pb2 as _envelope_pb2
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Optional as _Optional

DESCRIPTOR: _descriptor.FileDescriptor

class TicketOpened(_message.Message):
    __slots__ = ("ticket_id", "customer_id", "ticket_type", "channel", "priority")
    TICKET_ID_FIELD_NUMBER: _ClassVar[int]
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    TICKET_TYPE_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    PRIORITY_FIELD_NUMBER: _ClassVar[int]
    ticket_id: str
    customer_id: str
    ticket_type: str
    channel: str
    priority: str
    def __init__(self, ticket_id: _Optional[str] = ..., customer_id: _Optional[str] = ..., ticket_type: _Optional[str] = ..., channel: _Optional[str] = ..., priority: _Optional[str] = ...) -> None: ...
