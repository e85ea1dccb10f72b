import datetime

from crm.common.v1 import common_pb2 as _common_pb2
from crm.events.v1 import envelope_pb2 as _envelope_pb2
from crm.sales.v1 import sales_pb2 as _sales_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
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

class OrderPlaced(_message.Message):
    __slots__ = ("order_id", "account_id", "customer_id", "opportunity_id", "owner_id", "net_total", "tax_total", "total", "product_ids", "request_id", "place_time")
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    OPPORTUNITY_ID_FIELD_NUMBER: _ClassVar[int]
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    NET_TOTAL_FIELD_NUMBER: _ClassVar[int]
    TAX_TOTAL_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    PRODUCT_IDS_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    PLACE_TIME_FIELD_NUMBER: _ClassVar[int]
    order_id: str
    account_id: str
    customer_id: str
    opportunity_id: str
    owner_id: str
    net_total: _common_pb2.Money
    tax_total: _common_pb2.Money
    total: _common_pb2.Money
    product_ids: _containers.RepeatedScalarFieldContainer[str]
    request_id: str
    place_time: _timestamp_pb2.Timestamp
    def __init__(self, order_id: _Optional[str] = ..., account_id: _Optional[str] = ..., customer_id: _Optional[str] = ..., opportunity_id: _Optional[str] = ..., owner_id: _Optional[str] = ..., net_total: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., tax_total: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., total: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., product_ids: _Optional[_Iterable[str]] = ..., request_id: _Optional[str] = ..., place_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class OrderPaid(_message.Message):
    __slots__ = ("order_id", "account_id", "customer_id", "owner_id", "total", "payment_reference", "pay_time")
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    PAYMENT_REFERENCE_FIELD_NUMBER: _ClassVar[int]
    PAY_TIME_FIELD_NUMBER: _ClassVar[int]
    order_id: str
    account_id: str
    customer_id: str
    owner_id: str
    total: _common_pb2.Money
    payment_reference: str
    pay_time: _timestamp_pb2.Timestamp
    def __init__(self, order_id: _Optional[str] = ..., account_id: _Optional[str] = ..., customer_id: _Optional[str] = ..., owner_id: _Optional[str] = ..., total: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., payment_reference: _Optional[str] = ..., pay_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class OrderShipped(_message.Message):
    __slots__ = ("order_id", "account_id", "customer_id", "owner_id", "total", "tracking_number", "ship_time")
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    TRACKING_NUMBER_FIELD_NUMBER: _ClassVar[int]
    SHIP_TIME_FIELD_NUMBER: _ClassVar[int]
    order_id: str
    account_id: str
    customer_id: str
    owner_id: str
    total: _common_pb2.Money
    tracking_number: str
    ship_time: _timestamp_pb2.Timestamp
    def __init__(self, order_id: _Optional[str] = ..., account_id: _Optional[str] = ..., customer_id: _Optional[str] = ..., owner_id: _Optional[str] = ..., total: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., tracking_number: _Optional[str] = ..., ship_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class OrderReceived(_message.Message):
    __slots__ = ("order_id", "account_id", "customer_id", "owner_id", "total", "receive_time")
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    RECEIVE_TIME_FIELD_NUMBER: _ClassVar[int]
    order_id: str
    account_id: str
    customer_id: str
    owner_id: str
    total: _common_pb2.Money
    receive_time: _timestamp_pb2.Timestamp
    def __init__(self, order_id: _Optional[str] = ..., account_id: _Optional[str] = ..., customer_id: _Optional[str] = ..., owner_id: _Optional[str] = ..., total: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., receive_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class OrderRefunded(_message.Message):
    __slots__ = ("order_id", "account_id", "customer_id", "owner_id", "amount", "reason", "from_status", "refund_time")
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    FROM_STATUS_FIELD_NUMBER: _ClassVar[int]
    REFUND_TIME_FIELD_NUMBER: _ClassVar[int]
    order_id: str
    account_id: str
    customer_id: str
    owner_id: str
    amount: _common_pb2.Money
    reason: str
    from_status: str
    refund_time: _timestamp_pb2.Timestamp
    def __init__(self, order_id: _Optional[str] = ..., account_id: _Optional[str] = ..., customer_id: _Optional[str] = ..., owner_id: _Optional[str] = ..., amount: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., reason: _Optional[str] = ..., from_status: _Optional[str] = ..., refund_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class OrderCancelled(_message.Message):
    __slots__ = ("order_id", "account_id", "customer_id", "owner_id", "total", "reason", "request_id", "cancel_time")
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    CANCEL_TIME_FIELD_NUMBER: _ClassVar[int]
    order_id: str
    account_id: str
    customer_id: str
    owner_id: str
    total: _common_pb2.Money
    reason: str
    request_id: str
    cancel_time: _timestamp_pb2.Timestamp
    def __init__(self, order_id: _Optional[str] = ..., account_id: _Optional[str] = ..., customer_id: _Optional[str] = ..., owner_id: _Optional[str] = ..., total: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., reason: _Optional[str] = ..., request_id: _Optional[str] = ..., cancel_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class HandoverCreated(_message.Message):
    __slots__ = ("handover_id", "contract_id", "account_id", "owner_id", "package")
    HANDOVER_ID_FIELD_NUMBER: _ClassVar[int]
    CONTRACT_ID_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    PACKAGE_FIELD_NUMBER: _ClassVar[int]
    handover_id: str
    contract_id: str
    account_id: str
    owner_id: str
    package: _sales_pb2.HandoverPackage
    def __init__(self, handover_id: _Optional[str] = ..., contract_id: _Optional[str] = ..., account_id: _Optional[str] = ..., owner_id: _Optional[str] = ..., package: _Optional[_Union[_sales_pb2.HandoverPackage, _Mapping]] = ...) -> None: ...

class CommitmentAtRisk(_message.Message):
    __slots__ = ("commitment_id", "handover_id", "contract_id", "opportunity_id", "account_id", "owner_id", "team", "description", "due_time")
    COMMITMENT_ID_FIELD_NUMBER: _ClassVar[int]
    HANDOVER_ID_FIELD_NUMBER: _ClassVar[int]
    CONTRACT_ID_FIELD_NUMBER: _ClassVar[int]
    OPPORTUNITY_ID_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    TEAM_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    DUE_TIME_FIELD_NUMBER: _ClassVar[int]
    commitment_id: str
    handover_id: str
    contract_id: str
    opportunity_id: str
    account_id: str
    owner_id: str
    team: str
    description: str
    due_time: _timestamp_pb2.Timestamp
    def __init__(self, commitment_id: _Optional[str] = ..., handover_id: _Optional[str] = ..., contract_id: _Optional[str] = ..., opportunity_id: _Optional[str] = ..., account_id: _Optional[str] = ..., owner_id: _Optional[str] = ..., team: _Optional[str] = ..., description: _Optional[str] = ..., due_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class CommitmentOverdue(_message.Message):
    __slots__ = ("commitment_id", "handover_id", "contract_id", "opportunity_id", "account_id", "owner_id", "team", "description", "due_time")
    COMMITMENT_ID_FIELD_NUMBER: _ClassVar[int]
    HANDOVER_ID_FIELD_NUMBER: _ClassVar[int]
    CONTRACT_ID_FIELD_NUMBER: _ClassVar[int]
    OPPORTUNITY_ID_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    TEAM_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    DUE_TIME_FIELD_NUMBER: _ClassVar[int]
    commitment_id: str
    handover_id: str
    contract_id: str
    opportunity_id: str
    account_id: str
    owner_id: str
    team: str
    description: str
    due_time: _timestamp_pb2.Timestamp
    def __init__(self, commitment_id: _Optional[str] = ..., handover_id: _Optional[str] = ..., contract_id: _Optional[str] = ..., opportunity_id: _Optional[str] = ..., account_id: _Optional[str] = ..., owner_id: _Optional[str] = ..., team: _Optional[str] = ..., description: _Optional[str] = ..., due_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class TaskDue(_message.Message):
    __slots__ = ("task_id", "title", "assignee_id", "team", "priority", "due_time", "remind_time", "record_kind", "record_id", "account_id", "created_by")
    TASK_ID_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    ASSIGNEE_ID_FIELD_NUMBER: _ClassVar[int]
    TEAM_FIELD_NUMBER: _ClassVar[int]
    PRIORITY_FIELD_NUMBER: _ClassVar[int]
    DUE_TIME_FIELD_NUMBER: _ClassVar[int]
    REMIND_TIME_FIELD_NUMBER: _ClassVar[int]
    RECORD_KIND_FIELD_NUMBER: _ClassVar[int]
    RECORD_ID_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    CREATED_BY_FIELD_NUMBER: _ClassVar[int]
    task_id: str
    title: str
    assignee_id: str
    team: str
    priority: str
    due_time: _timestamp_pb2.Timestamp
    remind_time: _timestamp_pb2.Timestamp
    record_kind: str
    record_id: str
    account_id: str
    created_by: str
    def __init__(self, task_id: _Optional[str] = ..., title: _Optional[str] = ..., assignee_id: _Optional[str] = ..., team: _Optional[str] = ..., priority: _Optional[str] = ..., due_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., remind_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., record_kind: _Optional[str] = ..., record_id: _Optional[str] = ..., account_id: _Optional[str] = ..., created_by: _Optional[str] = ...) -> None: ...

class TerritoryUpdated(_message.Message):
    __slots__ = ("territory_id", "name", "regions", "industries", "manager_id", "rep_ids", "revision")
    TERRITORY_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    REGIONS_FIELD_NUMBER: _ClassVar[int]
    INDUSTRIES_FIELD_NUMBER: _ClassVar[int]
    MANAGER_ID_FIELD_NUMBER: _ClassVar[int]
    REP_IDS_FIELD_NUMBER: _ClassVar[int]
    REVISION_FIELD_NUMBER: _ClassVar[int]
    territory_id: str
    name: str
    regions: _containers.RepeatedScalarFieldContainer[str]
    industries: _containers.RepeatedScalarFieldContainer[str]
    manager_id: str
    rep_ids: _containers.RepeatedScalarFieldContainer[str]
    revision: int
    def __init__(self, territory_id: _Optional[str] = ..., name: _Optional[str] = ..., regions: _Optional[_Iterable[str]] = ..., industries: _Optional[_Iterable[str]] = ..., manager_id: _Optional[str] = ..., rep_ids: _Optional[_Iterable[str]] = ..., revision: _Optional[int] = ...) -> None: ...

class ContactCreated(_message.Message):
    __slots__ = ("contact_id", "account_id", "name", "company", "email", "phone", "owner_id", "customer_id")
    CONTACT_ID_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    COMPANY_FIELD_NUMBER: _ClassVar[int]
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    PHONE_FIELD_NUMBER: _ClassVar[int]
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    contact_id: str
    account_id: str
    name: str
    company: str
    email: str
    phone: str
    owner_id: str
    customer_id: str
    def __init__(self, contact_id: _Optional[str] = ..., account_id: _Optional[str] = ..., name: _Optional[str] = ..., company: _Optional[str] = ..., email: _Optional[str] = ..., phone: _Optional[str] = ..., owner_id: _Optional[str] = ..., customer_id: _Optional[str] = ...) -> None: ...

class ContactUpdated(_message.Message):
    __slots__ = ("contact_id", "account_id", "name", "company", "email", "phone", "owner_id", "customer_id")
    CONTACT_ID_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    COMPANY_FIELD_NUMBER: _ClassVar[int]
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    PHONE_FIELD_NUMBER: _ClassVar[int]
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    contact_id: str
    account_id: str
    name: str
    company: str
    email: str
    phone: str
    owner_id: str
    customer_id: str
    def __init__(self, contact_id: _Optional[str] = ..., account_id: _Optional[str] = ..., name: _Optional[str] = ..., company: _Optional[str] = ..., email: _Optional[str] = ..., phone: _Optional[str] = ..., owner_id: _Optional[str] = ..., customer_id: _Optional[str] = ...) -> None: ...
