from crm.events.v1 import envelope_pb2 as _envelope_pb2
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Optional as _Optional

DESCRIPTOR: _descriptor.FileDescriptor

class AccountCreated(_message.Message):
    __slots__ = ("account_id", "name", "customer_id", "owner_id")
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    account_id: str
    name: str
    customer_id: str
    owner_id: str
    def __init__(self, account_id: _Optional[str] = ..., name: _Optional[str] = ..., customer_id: _Optional[str] = ..., owner_id: _Optional[str] = ...) -> None: ...
