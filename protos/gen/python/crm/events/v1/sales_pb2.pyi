import datetime

from crm.common.v1 import common_pb2 as _common_pb2
from crm.events.v1 import envelope_pb2 as _envelope_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

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

class OpportunityCreated(_message.Message):
    __slots__ = ("opportunity_id", "lead_id", "account_id", "name", "owner_id", "team", "stage", "amount", "channel")
    OPPORTUNITY_ID_FIELD_NUMBER: _ClassVar[int]
    LEAD_ID_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    TEAM_FIELD_NUMBER: _ClassVar[int]
    STAGE_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    opportunity_id: str
    lead_id: str
    account_id: str
    name: str
    owner_id: str
    team: str
    stage: str
    amount: _common_pb2.Money
    channel: str
    def __init__(self, opportunity_id: _Optional[str] = ..., lead_id: _Optional[str] = ..., account_id: _Optional[str] = ..., name: _Optional[str] = ..., owner_id: _Optional[str] = ..., team: _Optional[str] = ..., stage: _Optional[str] = ..., amount: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., channel: _Optional[str] = ...) -> None: ...

class OpportunityStageChanged(_message.Message):
    __slots__ = ("opportunity_id", "lead_id", "from_stage", "to_stage", "actor", "change_time", "dwell_seconds", "owner_id", "team")
    OPPORTUNITY_ID_FIELD_NUMBER: _ClassVar[int]
    LEAD_ID_FIELD_NUMBER: _ClassVar[int]
    FROM_STAGE_FIELD_NUMBER: _ClassVar[int]
    TO_STAGE_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    CHANGE_TIME_FIELD_NUMBER: _ClassVar[int]
    DWELL_SECONDS_FIELD_NUMBER: _ClassVar[int]
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    TEAM_FIELD_NUMBER: _ClassVar[int]
    opportunity_id: str
    lead_id: str
    from_stage: str
    to_stage: str
    actor: str
    change_time: _timestamp_pb2.Timestamp
    dwell_seconds: int
    owner_id: str
    team: str
    def __init__(self, opportunity_id: _Optional[str] = ..., lead_id: _Optional[str] = ..., from_stage: _Optional[str] = ..., to_stage: _Optional[str] = ..., actor: _Optional[str] = ..., change_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., dwell_seconds: _Optional[int] = ..., owner_id: _Optional[str] = ..., team: _Optional[str] = ...) -> None: ...

class OpportunityWon(_message.Message):
    __slots__ = ("opportunity_id", "lead_id", "account_id", "amount", "owner_id", "won_time")
    OPPORTUNITY_ID_FIELD_NUMBER: _ClassVar[int]
    LEAD_ID_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    WON_TIME_FIELD_NUMBER: _ClassVar[int]
    opportunity_id: str
    lead_id: str
    account_id: str
    amount: _common_pb2.Money
    owner_id: str
    won_time: _timestamp_pb2.Timestamp
    def __init__(self, opportunity_id: _Optional[str] = ..., lead_id: _Optional[str] = ..., account_id: _Optional[str] = ..., amount: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., owner_id: _Optional[str] = ..., won_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class OpportunityLost(_message.Message):
    __slots__ = ("opportunity_id", "lead_id", "account_id", "reason", "note", "owner_id", "from_stage")
    OPPORTUNITY_ID_FIELD_NUMBER: _ClassVar[int]
    LEAD_ID_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    FROM_STAGE_FIELD_NUMBER: _ClassVar[int]
    opportunity_id: str
    lead_id: str
    account_id: str
    reason: str
    note: str
    owner_id: str
    from_stage: str
    def __init__(self, opportunity_id: _Optional[str] = ..., lead_id: _Optional[str] = ..., account_id: _Optional[str] = ..., reason: _Optional[str] = ..., note: _Optional[str] = ..., owner_id: _Optional[str] = ..., from_stage: _Optional[str] = ...) -> None: ...

class ContractApprovalRequested(_message.Message):
    __slots__ = ("contract_id", "duty", "team", "due_time", "owner_id")
    CONTRACT_ID_FIELD_NUMBER: _ClassVar[int]
    DUTY_FIELD_NUMBER: _ClassVar[int]
    TEAM_FIELD_NUMBER: _ClassVar[int]
    DUE_TIME_FIELD_NUMBER: _ClassVar[int]
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    contract_id: str
    duty: str
    team: str
    due_time: _timestamp_pb2.Timestamp
    owner_id: str
    def __init__(self, contract_id: _Optional[str] = ..., duty: _Optional[str] = ..., team: _Optional[str] = ..., due_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., owner_id: _Optional[str] = ...) -> None: ...

class ContractRejected(_message.Message):
    __slots__ = ("contract_id", "owner_id", "duty", "rejected_by", "reason")
    CONTRACT_ID_FIELD_NUMBER: _ClassVar[int]
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    DUTY_FIELD_NUMBER: _ClassVar[int]
    REJECTED_BY_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    contract_id: str
    owner_id: str
    duty: str
    rejected_by: str
    reason: str
    def __init__(self, contract_id: _Optional[str] = ..., owner_id: _Optional[str] = ..., duty: _Optional[str] = ..., rejected_by: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class ContractSigned(_message.Message):
    __slots__ = ("contract_id", "opportunity_id", "account_id", "lead_id", "total", "special_terms", "owner_id", "signed_by", "sign_time", "quote_id")
    CONTRACT_ID_FIELD_NUMBER: _ClassVar[int]
    OPPORTUNITY_ID_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    LEAD_ID_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    SPECIAL_TERMS_FIELD_NUMBER: _ClassVar[int]
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    SIGNED_BY_FIELD_NUMBER: _ClassVar[int]
    SIGN_TIME_FIELD_NUMBER: _ClassVar[int]
    QUOTE_ID_FIELD_NUMBER: _ClassVar[int]
    contract_id: str
    opportunity_id: str
    account_id: str
    lead_id: str
    total: _common_pb2.Money
    special_terms: str
    owner_id: str
    signed_by: str
    sign_time: _timestamp_pb2.Timestamp
    quote_id: str
    def __init__(self, contract_id: _Optional[str] = ..., opportunity_id: _Optional[str] = ..., account_id: _Optional[str] = ..., lead_id: _Optional[str] = ..., total: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., special_terms: _Optional[str] = ..., owner_id: _Optional[str] = ..., signed_by: _Optional[str] = ..., sign_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., quote_id: _Optional[str] = ...) -> None: ...
