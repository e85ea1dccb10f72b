from crm.events.v1 import envelope_pb2 as _envelope_pb2
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Optional as _Optional

DESCRIPTOR: _descriptor.FileDescriptor

class ConsentChanged(_message.Message):
    __slots__ = ("customer_id", "channel", "purpose", "granted")
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    PURPOSE_FIELD_NUMBER: _ClassVar[int]
    GRANTED_FIELD_NUMBER: _ClassVar[int]
    customer_id: str
    channel: str
    purpose: str
    granted: bool
    def __init__(self, customer_id: _Optional[str] = ..., channel: _Optional[str] = ..., purpose: _Optional[str] = ..., granted: _Optional[bool] = ...) -> None: ...
