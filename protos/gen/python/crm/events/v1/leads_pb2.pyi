from crm.events.v1 import envelope_pb2 as _envelope_pb2
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Optional as _Optional

DESCRIPTOR: _descriptor.FileDescriptor

class LeadCreated(_message.Message):
    __slots__ = ("lead_id", "name", "company", "email", "phone", "channel", "owner_id")
    LEAD_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    COMPANY_FIELD_NUMBER: _ClassVar[int]
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    PHONE_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    lead_id: str
    name: str
    company: str
    email: str
    phone: str
    channel: str
    owner_id: str
    def __init__(self, lead_id: _Optional[str] = ..., name: _Optional[str] = ..., company: _Optional[str] = ..., email: _Optional[str] = ..., phone: _Optional[str] = ..., channel: _Optional[str] = ..., owner_id: _Optional[str] = ...) -> None: ...
