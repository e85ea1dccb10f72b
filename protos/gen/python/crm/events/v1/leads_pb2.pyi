import datetime

from crm.events.v1 import envelope_pb2 as _envelope_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class LeadCreated(_message.Message):
    __slots__ = ("lead_id", "name", "company", "email", "phone", "channel", "owner_id", "industry", "region")
    LEAD_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    COMPANY_FIELD_NUMBER: _ClassVar[int]
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    PHONE_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    INDUSTRY_FIELD_NUMBER: _ClassVar[int]
    REGION_FIELD_NUMBER: _ClassVar[int]
    lead_id: str
    name: str
    company: str
    email: str
    phone: str
    channel: str
    owner_id: str
    industry: str
    region: str
    def __init__(self, lead_id: _Optional[str] = ..., name: _Optional[str] = ..., company: _Optional[str] = ..., email: _Optional[str] = ..., phone: _Optional[str] = ..., channel: _Optional[str] = ..., owner_id: _Optional[str] = ..., industry: _Optional[str] = ..., region: _Optional[str] = ...) -> None: ...

class LeadRepeated(_message.Message):
    __slots__ = ("lead_id", "repeat_lead_id", "channel", "owner_id", "matched_by")
    LEAD_ID_FIELD_NUMBER: _ClassVar[int]
    REPEAT_LEAD_ID_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    MATCHED_BY_FIELD_NUMBER: _ClassVar[int]
    lead_id: str
    repeat_lead_id: str
    channel: str
    owner_id: str
    matched_by: str
    def __init__(self, lead_id: _Optional[str] = ..., repeat_lead_id: _Optional[str] = ..., channel: _Optional[str] = ..., owner_id: _Optional[str] = ..., matched_by: _Optional[str] = ...) -> None: ...

class LeadsImported(_message.Message):
    __slots__ = ("job_id", "leads")
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    LEADS_FIELD_NUMBER: _ClassVar[int]
    job_id: str
    leads: _containers.RepeatedCompositeFieldContainer[LeadCreated]
    def __init__(self, job_id: _Optional[str] = ..., leads: _Optional[_Iterable[_Union[LeadCreated, _Mapping]]] = ...) -> None: ...

class LeadBehaviourObserved(_message.Message):
    __slots__ = ("lead_id", "email", "phone", "kind", "occurred_at", "source", "detail", "event_key")
    LEAD_ID_FIELD_NUMBER: _ClassVar[int]
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    PHONE_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    OCCURRED_AT_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    DETAIL_FIELD_NUMBER: _ClassVar[int]
    EVENT_KEY_FIELD_NUMBER: _ClassVar[int]
    lead_id: str
    email: str
    phone: str
    kind: str
    occurred_at: _timestamp_pb2.Timestamp
    source: str
    detail: str
    event_key: str
    def __init__(self, lead_id: _Optional[str] = ..., email: _Optional[str] = ..., phone: _Optional[str] = ..., kind: _Optional[str] = ..., occurred_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., source: _Optional[str] = ..., detail: _Optional[str] = ..., event_key: _Optional[str] = ...) -> None: ...

class LeadQualified(_message.Message):
    __slots__ = ("lead_id", "name", "company", "email", "phone", "channel", "owner_id", "customer_id", "score", "threshold", "model", "industry", "region")
    LEAD_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    COMPANY_FIELD_NUMBER: _ClassVar[int]
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    PHONE_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    INDUSTRY_FIELD_NUMBER: _ClassVar[int]
    REGION_FIELD_NUMBER: _ClassVar[int]
    lead_id: str
    name: str
    company: str
    email: str
    phone: str
    channel: str
    owner_id: str
    customer_id: str
    score: float
    threshold: float
    model: str
    industry: str
    region: str
    def __init__(self, lead_id: _Optional[str] = ..., name: _Optional[str] = ..., company: _Optional[str] = ..., email: _Optional[str] = ..., phone: _Optional[str] = ..., channel: _Optional[str] = ..., owner_id: _Optional[str] = ..., customer_id: _Optional[str] = ..., score: _Optional[float] = ..., threshold: _Optional[float] = ..., model: _Optional[str] = ..., industry: _Optional[str] = ..., region: _Optional[str] = ...) -> None: ...

class LeadFirstContactOverdue(_message.Message):
    __slots__ = ("lead_id", "name", "company", "owner_id", "hot_since", "due_at", "score")
    LEAD_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    COMPANY_FIELD_NUMBER: _ClassVar[int]
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    HOT_SINCE_FIELD_NUMBER: _ClassVar[int]
    DUE_AT_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    lead_id: str
    name: str
    company: str
    owner_id: str
    hot_since: _timestamp_pb2.Timestamp
    due_at: _timestamp_pb2.Timestamp
    score: float
    def __init__(self, lead_id: _Optional[str] = ..., name: _Optional[str] = ..., company: _Optional[str] = ..., owner_id: _Optional[str] = ..., hot_since: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., due_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., score: _Optional[float] = ...) -> None: ...

class LeadNurture(_message.Message):
    __slots__ = ("lead_id", "name", "company", "email", "phone", "channel", "customer_id", "owner_id", "industry", "region", "score", "previous_temperature")
    LEAD_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    COMPANY_FIELD_NUMBER: _ClassVar[int]
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    PHONE_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    INDUSTRY_FIELD_NUMBER: _ClassVar[int]
    REGION_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    PREVIOUS_TEMPERATURE_FIELD_NUMBER: _ClassVar[int]
    lead_id: str
    name: str
    company: str
    email: str
    phone: str
    channel: str
    customer_id: str
    owner_id: str
    industry: str
    region: str
    score: float
    previous_temperature: str
    def __init__(self, lead_id: _Optional[str] = ..., name: _Optional[str] = ..., company: _Optional[str] = ..., email: _Optional[str] = ..., phone: _Optional[str] = ..., channel: _Optional[str] = ..., customer_id: _Optional[str] = ..., owner_id: _Optional[str] = ..., industry: _Optional[str] = ..., region: _Optional[str] = ..., score: _Optional[float] = ..., previous_temperature: _Optional[str] = ...) -> None: ...

class LeadAssigned(_message.Message):
    __slots__ = ("lead_id", "owner_id", "previous_owner_id", "reason", "actor", "note", "assign_time", "follow_up_due_time", "conversion_due_time", "name", "company")
    LEAD_ID_FIELD_NUMBER: _ClassVar[int]
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    PREVIOUS_OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    ASSIGN_TIME_FIELD_NUMBER: _ClassVar[int]
    FOLLOW_UP_DUE_TIME_FIELD_NUMBER: _ClassVar[int]
    CONVERSION_DUE_TIME_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    COMPANY_FIELD_NUMBER: _ClassVar[int]
    lead_id: str
    owner_id: str
    previous_owner_id: str
    reason: str
    actor: str
    note: str
    assign_time: _timestamp_pb2.Timestamp
    follow_up_due_time: _timestamp_pb2.Timestamp
    conversion_due_time: _timestamp_pb2.Timestamp
    name: str
    company: str
    def __init__(self, lead_id: _Optional[str] = ..., owner_id: _Optional[str] = ..., previous_owner_id: _Optional[str] = ..., reason: _Optional[str] = ..., actor: _Optional[str] = ..., note: _Optional[str] = ..., assign_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., follow_up_due_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., conversion_due_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., name: _Optional[str] = ..., company: _Optional[str] = ...) -> None: ...

class LeadAssignmentFailed(_message.Message):
    __slots__ = ("lead_id", "reason", "explanation")
    LEAD_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    EXPLANATION_FIELD_NUMBER: _ClassVar[int]
    lead_id: str
    reason: str
    explanation: str
    def __init__(self, lead_id: _Optional[str] = ..., reason: _Optional[str] = ..., explanation: _Optional[str] = ...) -> None: ...

class LeadReclaimWarning(_message.Message):
    __slots__ = ("lead_id", "owner_id", "clock", "reclaim_time", "name", "company")
    LEAD_ID_FIELD_NUMBER: _ClassVar[int]
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    CLOCK_FIELD_NUMBER: _ClassVar[int]
    RECLAIM_TIME_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    COMPANY_FIELD_NUMBER: _ClassVar[int]
    lead_id: str
    owner_id: str
    clock: str
    reclaim_time: _timestamp_pb2.Timestamp
    name: str
    company: str
    def __init__(self, lead_id: _Optional[str] = ..., owner_id: _Optional[str] = ..., clock: _Optional[str] = ..., reclaim_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., name: _Optional[str] = ..., company: _Optional[str] = ...) -> None: ...

class LeadReclaimed(_message.Message):
    __slots__ = ("lead_id", "previous_owner_id", "clock", "reclaim_time")
    LEAD_ID_FIELD_NUMBER: _ClassVar[int]
    PREVIOUS_OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    CLOCK_FIELD_NUMBER: _ClassVar[int]
    RECLAIM_TIME_FIELD_NUMBER: _ClassVar[int]
    lead_id: str
    previous_owner_id: str
    clock: str
    reclaim_time: _timestamp_pb2.Timestamp
    def __init__(self, lead_id: _Optional[str] = ..., previous_owner_id: _Optional[str] = ..., clock: _Optional[str] = ..., reclaim_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class LeadReleased(_message.Message):
    __slots__ = ("lead_id", "previous_owner_id", "actor", "note")
    LEAD_ID_FIELD_NUMBER: _ClassVar[int]
    PREVIOUS_OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    lead_id: str
    previous_owner_id: str
    actor: str
    note: str
    def __init__(self, lead_id: _Optional[str] = ..., previous_owner_id: _Optional[str] = ..., actor: _Optional[str] = ..., note: _Optional[str] = ...) -> None: ...

class LeadReminderDue(_message.Message):
    __slots__ = ("reminder_id", "lead_id", "recipient_id", "remind_at", "note", "follow_up_id", "next_step", "lead_name", "company", "owner_id")
    REMINDER_ID_FIELD_NUMBER: _ClassVar[int]
    LEAD_ID_FIELD_NUMBER: _ClassVar[int]
    RECIPIENT_ID_FIELD_NUMBER: _ClassVar[int]
    REMIND_AT_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    FOLLOW_UP_ID_FIELD_NUMBER: _ClassVar[int]
    NEXT_STEP_FIELD_NUMBER: _ClassVar[int]
    LEAD_NAME_FIELD_NUMBER: _ClassVar[int]
    COMPANY_FIELD_NUMBER: _ClassVar[int]
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    reminder_id: str
    lead_id: str
    recipient_id: str
    remind_at: _timestamp_pb2.Timestamp
    note: str
    follow_up_id: str
    next_step: str
    lead_name: str
    company: str
    owner_id: str
    def __init__(self, reminder_id: _Optional[str] = ..., lead_id: _Optional[str] = ..., recipient_id: _Optional[str] = ..., remind_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., note: _Optional[str] = ..., follow_up_id: _Optional[str] = ..., next_step: _Optional[str] = ..., lead_name: _Optional[str] = ..., company: _Optional[str] = ..., owner_id: _Optional[str] = ...) -> None: ...
