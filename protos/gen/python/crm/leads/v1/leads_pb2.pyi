import datetime

from crm.common.v1 import common_pb2 as _common_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ImportFormat(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    IMPORT_FORMAT_UNSPECIFIED: _ClassVar[ImportFormat]
    IMPORT_FORMAT_CSV: _ClassVar[ImportFormat]
    IMPORT_FORMAT_XLSX: _ClassVar[ImportFormat]

class ImportJobStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    IMPORT_JOB_STATUS_UNSPECIFIED: _ClassVar[ImportJobStatus]
    IMPORT_JOB_STATUS_QUEUED: _ClassVar[ImportJobStatus]
    IMPORT_JOB_STATUS_RUNNING: _ClassVar[ImportJobStatus]
    IMPORT_JOB_STATUS_SUCCEEDED: _ClassVar[ImportJobStatus]
    IMPORT_JOB_STATUS_FAILED: _ClassVar[ImportJobStatus]

class AssignmentRuleKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ASSIGNMENT_RULE_KIND_UNSPECIFIED: _ClassVar[AssignmentRuleKind]
    ASSIGNMENT_RULE_KIND_AVAILABILITY: _ClassVar[AssignmentRuleKind]
    ASSIGNMENT_RULE_KIND_TERRITORY: _ClassVar[AssignmentRuleKind]
    ASSIGNMENT_RULE_KIND_INDUSTRY: _ClassVar[AssignmentRuleKind]
    ASSIGNMENT_RULE_KIND_CAPACITY: _ClassVar[AssignmentRuleKind]
    ASSIGNMENT_RULE_KIND_CONVERSION: _ClassVar[AssignmentRuleKind]

class PoolFilter(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    POOL_FILTER_UNSPECIFIED: _ClassVar[PoolFilter]
    POOL_FILTER_IN_POOL: _ClassVar[PoolFilter]
    POOL_FILTER_NOT_IN_POOL: _ClassVar[PoolFilter]

class LeadOrder(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    LEAD_ORDER_UNSPECIFIED: _ClassVar[LeadOrder]
    LEAD_ORDER_CREATE_TIME_DESC: _ClassVar[LeadOrder]
    LEAD_ORDER_CREATE_TIME_ASC: _ClassVar[LeadOrder]
    LEAD_ORDER_SCORE_DESC: _ClassVar[LeadOrder]
    LEAD_ORDER_ASSIGN_TIME_DESC: _ClassVar[LeadOrder]
    LEAD_ORDER_POOL_TIME_ASC: _ClassVar[LeadOrder]
IMPORT_FORMAT_UNSPECIFIED: ImportFormat
IMPORT_FORMAT_CSV: ImportFormat
IMPORT_FORMAT_XLSX: ImportFormat
IMPORT_JOB_STATUS_UNSPECIFIED: ImportJobStatus
IMPORT_JOB_STATUS_QUEUED: ImportJobStatus
IMPORT_JOB_STATUS_RUNNING: ImportJobStatus
IMPORT_JOB_STATUS_SUCCEEDED: ImportJobStatus
IMPORT_JOB_STATUS_FAILED: ImportJobStatus
ASSIGNMENT_RULE_KIND_UNSPECIFIED: AssignmentRuleKind
ASSIGNMENT_RULE_KIND_AVAILABILITY: AssignmentRuleKind
ASSIGNMENT_RULE_KIND_TERRITORY: AssignmentRuleKind
ASSIGNMENT_RULE_KIND_INDUSTRY: AssignmentRuleKind
ASSIGNMENT_RULE_KIND_CAPACITY: AssignmentRuleKind
ASSIGNMENT_RULE_KIND_CONVERSION: AssignmentRuleKind
POOL_FILTER_UNSPECIFIED: PoolFilter
POOL_FILTER_IN_POOL: PoolFilter
POOL_FILTER_NOT_IN_POOL: PoolFilter
LEAD_ORDER_UNSPECIFIED: LeadOrder
LEAD_ORDER_CREATE_TIME_DESC: LeadOrder
LEAD_ORDER_CREATE_TIME_ASC: LeadOrder
LEAD_ORDER_SCORE_DESC: LeadOrder
LEAD_ORDER_ASSIGN_TIME_DESC: LeadOrder
LEAD_ORDER_POOL_TIME_ASC: LeadOrder

class Lead(_message.Message):
    __slots__ = ("id", "name", "company", "email", "phone", "channel", "owner_id", "customer_id", "create_time", "industry", "region", "employees", "budget", "status", "duplicate_of", "in_pool", "assign_time", "last_follow_up_time", "score", "temperature", "first_contact_due_time", "contact_masked", "claim_blocked_until_time")
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
    CLAIM_BLOCKED_UNTIL_TIME_FIELD_NUMBER: _ClassVar[int]
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
    claim_blocked_until_time: _timestamp_pb2.Timestamp
    def __init__(self, id: _Optional[str] = ..., name: _Optional[str] = ..., company: _Optional[str] = ..., email: _Optional[str] = ..., phone: _Optional[str] = ..., channel: _Optional[str] = ..., owner_id: _Optional[str] = ..., customer_id: _Optional[str] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., industry: _Optional[str] = ..., region: _Optional[str] = ..., employees: _Optional[int] = ..., budget: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., status: _Optional[str] = ..., duplicate_of: _Optional[str] = ..., in_pool: _Optional[bool] = ..., assign_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., last_follow_up_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., score: _Optional[float] = ..., temperature: _Optional[str] = ..., first_contact_due_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., contact_masked: _Optional[bool] = ..., claim_blocked_until_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class CreateLeadRequest(_message.Message):
    __slots__ = ("name", "company", "email", "phone", "channel", "owner_id", "request_id", "industry", "region", "employees", "budget")
    NAME_FIELD_NUMBER: _ClassVar[int]
    COMPANY_FIELD_NUMBER: _ClassVar[int]
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    PHONE_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    INDUSTRY_FIELD_NUMBER: _ClassVar[int]
    REGION_FIELD_NUMBER: _ClassVar[int]
    EMPLOYEES_FIELD_NUMBER: _ClassVar[int]
    BUDGET_FIELD_NUMBER: _ClassVar[int]
    name: str
    company: str
    email: str
    phone: str
    channel: str
    owner_id: str
    request_id: str
    industry: str
    region: str
    employees: int
    budget: _common_pb2.Money
    def __init__(self, name: _Optional[str] = ..., company: _Optional[str] = ..., email: _Optional[str] = ..., phone: _Optional[str] = ..., channel: _Optional[str] = ..., owner_id: _Optional[str] = ..., request_id: _Optional[str] = ..., industry: _Optional[str] = ..., region: _Optional[str] = ..., employees: _Optional[int] = ..., budget: _Optional[_Union[_common_pb2.Money, _Mapping]] = ...) -> None: ...

class CreateLeadResponse(_message.Message):
    __slots__ = ("lead", "repeat")
    LEAD_FIELD_NUMBER: _ClassVar[int]
    REPEAT_FIELD_NUMBER: _ClassVar[int]
    lead: Lead
    repeat: bool
    def __init__(self, lead: _Optional[_Union[Lead, _Mapping]] = ..., repeat: _Optional[bool] = ...) -> None: ...

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

class WebForm(_message.Message):
    __slots__ = ("key", "name", "channel", "rate_per_minute", "active", "create_time")
    KEY_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    RATE_PER_MINUTE_FIELD_NUMBER: _ClassVar[int]
    ACTIVE_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    key: str
    name: str
    channel: str
    rate_per_minute: int
    active: bool
    create_time: _timestamp_pb2.Timestamp
    def __init__(self, key: _Optional[str] = ..., name: _Optional[str] = ..., channel: _Optional[str] = ..., rate_per_minute: _Optional[int] = ..., active: _Optional[bool] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class CreateWebFormRequest(_message.Message):
    __slots__ = ("name", "channel", "rate_per_minute")
    NAME_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    RATE_PER_MINUTE_FIELD_NUMBER: _ClassVar[int]
    name: str
    channel: str
    rate_per_minute: int
    def __init__(self, name: _Optional[str] = ..., channel: _Optional[str] = ..., rate_per_minute: _Optional[int] = ...) -> None: ...

class CreateWebFormResponse(_message.Message):
    __slots__ = ("form",)
    FORM_FIELD_NUMBER: _ClassVar[int]
    form: WebForm
    def __init__(self, form: _Optional[_Union[WebForm, _Mapping]] = ...) -> None: ...

class ListWebFormsRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ListWebFormsResponse(_message.Message):
    __slots__ = ("forms",)
    FORMS_FIELD_NUMBER: _ClassVar[int]
    forms: _containers.RepeatedCompositeFieldContainer[WebForm]
    def __init__(self, forms: _Optional[_Iterable[_Union[WebForm, _Mapping]]] = ...) -> None: ...

class SubmitWebFormRequest(_message.Message):
    __slots__ = ("form_key", "name", "company", "email", "phone", "region", "industry", "honeypot", "client_address", "submission_id")
    FORM_KEY_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    COMPANY_FIELD_NUMBER: _ClassVar[int]
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    PHONE_FIELD_NUMBER: _ClassVar[int]
    REGION_FIELD_NUMBER: _ClassVar[int]
    INDUSTRY_FIELD_NUMBER: _ClassVar[int]
    HONEYPOT_FIELD_NUMBER: _ClassVar[int]
    CLIENT_ADDRESS_FIELD_NUMBER: _ClassVar[int]
    SUBMISSION_ID_FIELD_NUMBER: _ClassVar[int]
    form_key: str
    name: str
    company: str
    email: str
    phone: str
    region: str
    industry: str
    honeypot: str
    client_address: str
    submission_id: str
    def __init__(self, form_key: _Optional[str] = ..., name: _Optional[str] = ..., company: _Optional[str] = ..., email: _Optional[str] = ..., phone: _Optional[str] = ..., region: _Optional[str] = ..., industry: _Optional[str] = ..., honeypot: _Optional[str] = ..., client_address: _Optional[str] = ..., submission_id: _Optional[str] = ...) -> None: ...

class SubmitWebFormResponse(_message.Message):
    __slots__ = ("accepted", "lead_id")
    ACCEPTED_FIELD_NUMBER: _ClassVar[int]
    LEAD_ID_FIELD_NUMBER: _ClassVar[int]
    accepted: bool
    lead_id: str
    def __init__(self, accepted: _Optional[bool] = ..., lead_id: _Optional[str] = ...) -> None: ...

class GetImportTemplateRequest(_message.Message):
    __slots__ = ("format",)
    FORMAT_FIELD_NUMBER: _ClassVar[int]
    format: ImportFormat
    def __init__(self, format: _Optional[_Union[ImportFormat, str]] = ...) -> None: ...

class GetImportTemplateResponse(_message.Message):
    __slots__ = ("content", "file_name", "content_type")
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    FILE_NAME_FIELD_NUMBER: _ClassVar[int]
    CONTENT_TYPE_FIELD_NUMBER: _ClassVar[int]
    content: bytes
    file_name: str
    content_type: str
    def __init__(self, content: _Optional[bytes] = ..., file_name: _Optional[str] = ..., content_type: _Optional[str] = ...) -> None: ...

class StartImportRequest(_message.Message):
    __slots__ = ("header", "chunk")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    CHUNK_FIELD_NUMBER: _ClassVar[int]
    header: ImportFileHeader
    chunk: bytes
    def __init__(self, header: _Optional[_Union[ImportFileHeader, _Mapping]] = ..., chunk: _Optional[bytes] = ...) -> None: ...

class ImportFileHeader(_message.Message):
    __slots__ = ("file_name", "format", "default_channel")
    FILE_NAME_FIELD_NUMBER: _ClassVar[int]
    FORMAT_FIELD_NUMBER: _ClassVar[int]
    DEFAULT_CHANNEL_FIELD_NUMBER: _ClassVar[int]
    file_name: str
    format: ImportFormat
    default_channel: str
    def __init__(self, file_name: _Optional[str] = ..., format: _Optional[_Union[ImportFormat, str]] = ..., default_channel: _Optional[str] = ...) -> None: ...

class StartImportResponse(_message.Message):
    __slots__ = ("job",)
    JOB_FIELD_NUMBER: _ClassVar[int]
    job: ImportJob
    def __init__(self, job: _Optional[_Union[ImportJob, _Mapping]] = ...) -> None: ...

class ImportJob(_message.Message):
    __slots__ = ("id", "status", "file_name", "format", "total_rows", "processed_rows", "imported_rows", "rejected_rows", "error", "requested_by", "create_time", "start_time", "finish_time")
    ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    FILE_NAME_FIELD_NUMBER: _ClassVar[int]
    FORMAT_FIELD_NUMBER: _ClassVar[int]
    TOTAL_ROWS_FIELD_NUMBER: _ClassVar[int]
    PROCESSED_ROWS_FIELD_NUMBER: _ClassVar[int]
    IMPORTED_ROWS_FIELD_NUMBER: _ClassVar[int]
    REJECTED_ROWS_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    REQUESTED_BY_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    FINISH_TIME_FIELD_NUMBER: _ClassVar[int]
    id: str
    status: ImportJobStatus
    file_name: str
    format: ImportFormat
    total_rows: int
    processed_rows: int
    imported_rows: int
    rejected_rows: int
    error: str
    requested_by: str
    create_time: _timestamp_pb2.Timestamp
    start_time: _timestamp_pb2.Timestamp
    finish_time: _timestamp_pb2.Timestamp
    def __init__(self, id: _Optional[str] = ..., status: _Optional[_Union[ImportJobStatus, str]] = ..., file_name: _Optional[str] = ..., format: _Optional[_Union[ImportFormat, str]] = ..., total_rows: _Optional[int] = ..., processed_rows: _Optional[int] = ..., imported_rows: _Optional[int] = ..., rejected_rows: _Optional[int] = ..., error: _Optional[str] = ..., requested_by: _Optional[str] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., finish_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class GetImportJobRequest(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class GetImportJobResponse(_message.Message):
    __slots__ = ("job",)
    JOB_FIELD_NUMBER: _ClassVar[int]
    job: ImportJob
    def __init__(self, job: _Optional[_Union[ImportJob, _Mapping]] = ...) -> None: ...

class ListImportJobsRequest(_message.Message):
    __slots__ = ("page",)
    PAGE_FIELD_NUMBER: _ClassVar[int]
    page: _common_pb2.PageRequest
    def __init__(self, page: _Optional[_Union[_common_pb2.PageRequest, _Mapping]] = ...) -> None: ...

class ListImportJobsResponse(_message.Message):
    __slots__ = ("jobs", "page")
    JOBS_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    jobs: _containers.RepeatedCompositeFieldContainer[ImportJob]
    page: _common_pb2.PageResponse
    def __init__(self, jobs: _Optional[_Iterable[_Union[ImportJob, _Mapping]]] = ..., page: _Optional[_Union[_common_pb2.PageResponse, _Mapping]] = ...) -> None: ...

class ImportRowError(_message.Message):
    __slots__ = ("row", "column", "reason")
    ROW_FIELD_NUMBER: _ClassVar[int]
    COLUMN_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    row: int
    column: str
    reason: str
    def __init__(self, row: _Optional[int] = ..., column: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class ListImportRowErrorsRequest(_message.Message):
    __slots__ = ("job_id", "page")
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    job_id: str
    page: _common_pb2.PageRequest
    def __init__(self, job_id: _Optional[str] = ..., page: _Optional[_Union[_common_pb2.PageRequest, _Mapping]] = ...) -> None: ...

class ListImportRowErrorsResponse(_message.Message):
    __slots__ = ("errors", "page")
    ERRORS_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    errors: _containers.RepeatedCompositeFieldContainer[ImportRowError]
    page: _common_pb2.PageResponse
    def __init__(self, errors: _Optional[_Iterable[_Union[ImportRowError, _Mapping]]] = ..., page: _Optional[_Union[_common_pb2.PageResponse, _Mapping]] = ...) -> None: ...

class GetImportErrorReportRequest(_message.Message):
    __slots__ = ("job_id",)
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    job_id: str
    def __init__(self, job_id: _Optional[str] = ...) -> None: ...

class GetImportErrorReportResponse(_message.Message):
    __slots__ = ("content", "file_name")
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    FILE_NAME_FIELD_NUMBER: _ClassVar[int]
    content: bytes
    file_name: str
    def __init__(self, content: _Optional[bytes] = ..., file_name: _Optional[str] = ...) -> None: ...

class Industry(_message.Message):
    __slots__ = ("code", "name_zh", "name_en")
    CODE_FIELD_NUMBER: _ClassVar[int]
    NAME_ZH_FIELD_NUMBER: _ClassVar[int]
    NAME_EN_FIELD_NUMBER: _ClassVar[int]
    code: str
    name_zh: str
    name_en: str
    def __init__(self, code: _Optional[str] = ..., name_zh: _Optional[str] = ..., name_en: _Optional[str] = ...) -> None: ...

class IndustrySection(_message.Message):
    __slots__ = ("section", "divisions")
    SECTION_FIELD_NUMBER: _ClassVar[int]
    DIVISIONS_FIELD_NUMBER: _ClassVar[int]
    section: Industry
    divisions: _containers.RepeatedCompositeFieldContainer[Industry]
    def __init__(self, section: _Optional[_Union[Industry, _Mapping]] = ..., divisions: _Optional[_Iterable[_Union[Industry, _Mapping]]] = ...) -> None: ...

class ListIndustriesRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ListIndustriesResponse(_message.Message):
    __slots__ = ("sections",)
    SECTIONS_FIELD_NUMBER: _ClassVar[int]
    sections: _containers.RepeatedCompositeFieldContainer[IndustrySection]
    def __init__(self, sections: _Optional[_Iterable[_Union[IndustrySection, _Mapping]]] = ...) -> None: ...

class RecordBehaviourRequest(_message.Message):
    __slots__ = ("lead_id", "email", "phone", "kind", "occurred_time", "source", "detail", "event_key")
    LEAD_ID_FIELD_NUMBER: _ClassVar[int]
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    PHONE_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    OCCURRED_TIME_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    DETAIL_FIELD_NUMBER: _ClassVar[int]
    EVENT_KEY_FIELD_NUMBER: _ClassVar[int]
    lead_id: str
    email: str
    phone: str
    kind: str
    occurred_time: _timestamp_pb2.Timestamp
    source: str
    detail: str
    event_key: str
    def __init__(self, lead_id: _Optional[str] = ..., email: _Optional[str] = ..., phone: _Optional[str] = ..., kind: _Optional[str] = ..., occurred_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., source: _Optional[str] = ..., detail: _Optional[str] = ..., event_key: _Optional[str] = ...) -> None: ...

class RecordBehaviourResponse(_message.Message):
    __slots__ = ("lead_id", "duplicate", "score", "status")
    LEAD_ID_FIELD_NUMBER: _ClassVar[int]
    DUPLICATE_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    lead_id: str
    duplicate: bool
    score: LeadScore
    status: str
    def __init__(self, lead_id: _Optional[str] = ..., duplicate: _Optional[bool] = ..., score: _Optional[_Union[LeadScore, _Mapping]] = ..., status: _Optional[str] = ...) -> None: ...

class ScoreFactor(_message.Message):
    __slots__ = ("name", "contribution", "detail")
    NAME_FIELD_NUMBER: _ClassVar[int]
    CONTRIBUTION_FIELD_NUMBER: _ClassVar[int]
    DETAIL_FIELD_NUMBER: _ClassVar[int]
    name: str
    contribution: float
    detail: str
    def __init__(self, name: _Optional[str] = ..., contribution: _Optional[float] = ..., detail: _Optional[str] = ...) -> None: ...

class LeadScore(_message.Message):
    __slots__ = ("lead_id", "score", "temperature", "model", "factors", "score_time")
    LEAD_ID_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    TEMPERATURE_FIELD_NUMBER: _ClassVar[int]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    FACTORS_FIELD_NUMBER: _ClassVar[int]
    SCORE_TIME_FIELD_NUMBER: _ClassVar[int]
    lead_id: str
    score: float
    temperature: str
    model: str
    factors: _containers.RepeatedCompositeFieldContainer[ScoreFactor]
    score_time: _timestamp_pb2.Timestamp
    def __init__(self, lead_id: _Optional[str] = ..., score: _Optional[float] = ..., temperature: _Optional[str] = ..., model: _Optional[str] = ..., factors: _Optional[_Iterable[_Union[ScoreFactor, _Mapping]]] = ..., score_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class GetLeadScoreRequest(_message.Message):
    __slots__ = ("lead_id",)
    LEAD_ID_FIELD_NUMBER: _ClassVar[int]
    lead_id: str
    def __init__(self, lead_id: _Optional[str] = ...) -> None: ...

class GetLeadScoreResponse(_message.Message):
    __slots__ = ("score", "behaviour_counts")
    class BehaviourCountsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: int
        def __init__(self, key: _Optional[str] = ..., value: _Optional[int] = ...) -> None: ...
    SCORE_FIELD_NUMBER: _ClassVar[int]
    BEHAVIOUR_COUNTS_FIELD_NUMBER: _ClassVar[int]
    score: LeadScore
    behaviour_counts: _containers.ScalarMap[str, int]
    def __init__(self, score: _Optional[_Union[LeadScore, _Mapping]] = ..., behaviour_counts: _Optional[_Mapping[str, int]] = ...) -> None: ...

class ListScoreHistoryRequest(_message.Message):
    __slots__ = ("lead_id", "page")
    LEAD_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    lead_id: str
    page: _common_pb2.PageRequest
    def __init__(self, lead_id: _Optional[str] = ..., page: _Optional[_Union[_common_pb2.PageRequest, _Mapping]] = ...) -> None: ...

class ListScoreHistoryResponse(_message.Message):
    __slots__ = ("scores", "page")
    SCORES_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    scores: _containers.RepeatedCompositeFieldContainer[LeadScore]
    page: _common_pb2.PageResponse
    def __init__(self, scores: _Optional[_Iterable[_Union[LeadScore, _Mapping]]] = ..., page: _Optional[_Union[_common_pb2.PageResponse, _Mapping]] = ...) -> None: ...

class ScoringWeights(_message.Message):
    __slots__ = ("frequency", "depth", "industry", "region", "size", "budget")
    FREQUENCY_FIELD_NUMBER: _ClassVar[int]
    DEPTH_FIELD_NUMBER: _ClassVar[int]
    INDUSTRY_FIELD_NUMBER: _ClassVar[int]
    REGION_FIELD_NUMBER: _ClassVar[int]
    SIZE_FIELD_NUMBER: _ClassVar[int]
    BUDGET_FIELD_NUMBER: _ClassVar[int]
    frequency: float
    depth: float
    industry: float
    region: float
    size: float
    budget: float
    def __init__(self, frequency: _Optional[float] = ..., depth: _Optional[float] = ..., industry: _Optional[float] = ..., region: _Optional[float] = ..., size: _Optional[float] = ..., budget: _Optional[float] = ...) -> None: ...

class ScoringSettings(_message.Message):
    __slots__ = ("weights", "behaviour_depth", "frequency_scale", "target_industries", "target_regions", "employees_min", "employees_max", "budget_min", "budget_max", "qualify_threshold", "hot_from", "warm_from", "first_contact_hours", "nurture_interval_days")
    class BehaviourDepthEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: float
        def __init__(self, key: _Optional[str] = ..., value: _Optional[float] = ...) -> None: ...
    WEIGHTS_FIELD_NUMBER: _ClassVar[int]
    BEHAVIOUR_DEPTH_FIELD_NUMBER: _ClassVar[int]
    FREQUENCY_SCALE_FIELD_NUMBER: _ClassVar[int]
    TARGET_INDUSTRIES_FIELD_NUMBER: _ClassVar[int]
    TARGET_REGIONS_FIELD_NUMBER: _ClassVar[int]
    EMPLOYEES_MIN_FIELD_NUMBER: _ClassVar[int]
    EMPLOYEES_MAX_FIELD_NUMBER: _ClassVar[int]
    BUDGET_MIN_FIELD_NUMBER: _ClassVar[int]
    BUDGET_MAX_FIELD_NUMBER: _ClassVar[int]
    QUALIFY_THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    HOT_FROM_FIELD_NUMBER: _ClassVar[int]
    WARM_FROM_FIELD_NUMBER: _ClassVar[int]
    FIRST_CONTACT_HOURS_FIELD_NUMBER: _ClassVar[int]
    NURTURE_INTERVAL_DAYS_FIELD_NUMBER: _ClassVar[int]
    weights: ScoringWeights
    behaviour_depth: _containers.ScalarMap[str, float]
    frequency_scale: float
    target_industries: _containers.RepeatedScalarFieldContainer[str]
    target_regions: _containers.RepeatedScalarFieldContainer[str]
    employees_min: int
    employees_max: int
    budget_min: _common_pb2.Money
    budget_max: _common_pb2.Money
    qualify_threshold: float
    hot_from: float
    warm_from: float
    first_contact_hours: int
    nurture_interval_days: int
    def __init__(self, weights: _Optional[_Union[ScoringWeights, _Mapping]] = ..., behaviour_depth: _Optional[_Mapping[str, float]] = ..., frequency_scale: _Optional[float] = ..., target_industries: _Optional[_Iterable[str]] = ..., target_regions: _Optional[_Iterable[str]] = ..., employees_min: _Optional[int] = ..., employees_max: _Optional[int] = ..., budget_min: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., budget_max: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., qualify_threshold: _Optional[float] = ..., hot_from: _Optional[float] = ..., warm_from: _Optional[float] = ..., first_contact_hours: _Optional[int] = ..., nurture_interval_days: _Optional[int] = ...) -> None: ...

class GetScoringSettingsRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GetScoringSettingsResponse(_message.Message):
    __slots__ = ("settings",)
    SETTINGS_FIELD_NUMBER: _ClassVar[int]
    settings: ScoringSettings
    def __init__(self, settings: _Optional[_Union[ScoringSettings, _Mapping]] = ...) -> None: ...

class UpdateScoringSettingsRequest(_message.Message):
    __slots__ = ("settings", "update_mask")
    SETTINGS_FIELD_NUMBER: _ClassVar[int]
    UPDATE_MASK_FIELD_NUMBER: _ClassVar[int]
    settings: ScoringSettings
    update_mask: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, settings: _Optional[_Union[ScoringSettings, _Mapping]] = ..., update_mask: _Optional[_Iterable[str]] = ...) -> None: ...

class UpdateScoringSettingsResponse(_message.Message):
    __slots__ = ("settings",)
    SETTINGS_FIELD_NUMBER: _ClassVar[int]
    settings: ScoringSettings
    def __init__(self, settings: _Optional[_Union[ScoringSettings, _Mapping]] = ...) -> None: ...

class GetScoringModelRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GetScoringModelResponse(_message.Message):
    __slots__ = ("plugin", "settings_json", "available")
    PLUGIN_FIELD_NUMBER: _ClassVar[int]
    SETTINGS_JSON_FIELD_NUMBER: _ClassVar[int]
    AVAILABLE_FIELD_NUMBER: _ClassVar[int]
    plugin: str
    settings_json: str
    available: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, plugin: _Optional[str] = ..., settings_json: _Optional[str] = ..., available: _Optional[_Iterable[str]] = ...) -> None: ...

class SetScoringModelRequest(_message.Message):
    __slots__ = ("plugin", "settings_json")
    PLUGIN_FIELD_NUMBER: _ClassVar[int]
    SETTINGS_JSON_FIELD_NUMBER: _ClassVar[int]
    plugin: str
    settings_json: str
    def __init__(self, plugin: _Optional[str] = ..., settings_json: _Optional[str] = ...) -> None: ...

class SetScoringModelResponse(_message.Message):
    __slots__ = ("plugin",)
    PLUGIN_FIELD_NUMBER: _ClassVar[int]
    plugin: str
    def __init__(self, plugin: _Optional[str] = ...) -> None: ...

class RescoreLeadsRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class RescoreLeadsResponse(_message.Message):
    __slots__ = ("leads", "changed", "qualified", "turned_hot", "nurtured", "model")
    LEADS_FIELD_NUMBER: _ClassVar[int]
    CHANGED_FIELD_NUMBER: _ClassVar[int]
    QUALIFIED_FIELD_NUMBER: _ClassVar[int]
    TURNED_HOT_FIELD_NUMBER: _ClassVar[int]
    NURTURED_FIELD_NUMBER: _ClassVar[int]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    leads: int
    changed: int
    qualified: int
    turned_hot: int
    nurtured: int
    model: str
    def __init__(self, leads: _Optional[int] = ..., changed: _Optional[int] = ..., qualified: _Optional[int] = ..., turned_hot: _Optional[int] = ..., nurtured: _Optional[int] = ..., model: _Optional[str] = ...) -> None: ...

class Rep(_message.Message):
    __slots__ = ("user_id", "name", "team", "takes_leads", "active", "absence_start_time", "absence_end_time", "regions", "industries", "daily_cap", "holding_limit", "last_assign_time", "absent", "open_leads", "assigned_today", "claimed_today", "territories")
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    TEAM_FIELD_NUMBER: _ClassVar[int]
    TAKES_LEADS_FIELD_NUMBER: _ClassVar[int]
    ACTIVE_FIELD_NUMBER: _ClassVar[int]
    ABSENCE_START_TIME_FIELD_NUMBER: _ClassVar[int]
    ABSENCE_END_TIME_FIELD_NUMBER: _ClassVar[int]
    REGIONS_FIELD_NUMBER: _ClassVar[int]
    INDUSTRIES_FIELD_NUMBER: _ClassVar[int]
    DAILY_CAP_FIELD_NUMBER: _ClassVar[int]
    HOLDING_LIMIT_FIELD_NUMBER: _ClassVar[int]
    LAST_ASSIGN_TIME_FIELD_NUMBER: _ClassVar[int]
    ABSENT_FIELD_NUMBER: _ClassVar[int]
    OPEN_LEADS_FIELD_NUMBER: _ClassVar[int]
    ASSIGNED_TODAY_FIELD_NUMBER: _ClassVar[int]
    CLAIMED_TODAY_FIELD_NUMBER: _ClassVar[int]
    TERRITORIES_FIELD_NUMBER: _ClassVar[int]
    user_id: str
    name: str
    team: str
    takes_leads: bool
    active: bool
    absence_start_time: _timestamp_pb2.Timestamp
    absence_end_time: _timestamp_pb2.Timestamp
    regions: _containers.RepeatedScalarFieldContainer[str]
    industries: _containers.RepeatedScalarFieldContainer[str]
    daily_cap: int
    holding_limit: int
    last_assign_time: _timestamp_pb2.Timestamp
    absent: bool
    open_leads: int
    assigned_today: int
    claimed_today: int
    territories: _containers.RepeatedCompositeFieldContainer[RepTerritory]
    def __init__(self, user_id: _Optional[str] = ..., name: _Optional[str] = ..., team: _Optional[str] = ..., takes_leads: _Optional[bool] = ..., active: _Optional[bool] = ..., absence_start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., absence_end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., regions: _Optional[_Iterable[str]] = ..., industries: _Optional[_Iterable[str]] = ..., daily_cap: _Optional[int] = ..., holding_limit: _Optional[int] = ..., last_assign_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., absent: _Optional[bool] = ..., open_leads: _Optional[int] = ..., assigned_today: _Optional[int] = ..., claimed_today: _Optional[int] = ..., territories: _Optional[_Iterable[_Union[RepTerritory, _Mapping]]] = ...) -> None: ...

class RepTerritory(_message.Message):
    __slots__ = ("territory_id", "name", "regions", "industries")
    TERRITORY_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    REGIONS_FIELD_NUMBER: _ClassVar[int]
    INDUSTRIES_FIELD_NUMBER: _ClassVar[int]
    territory_id: str
    name: str
    regions: _containers.RepeatedScalarFieldContainer[str]
    industries: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, territory_id: _Optional[str] = ..., name: _Optional[str] = ..., regions: _Optional[_Iterable[str]] = ..., industries: _Optional[_Iterable[str]] = ...) -> None: ...

class UpsertRepRequest(_message.Message):
    __slots__ = ("user_id", "name", "team", "takes_leads", "active", "regions", "industries", "daily_cap", "holding_limit")
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    TEAM_FIELD_NUMBER: _ClassVar[int]
    TAKES_LEADS_FIELD_NUMBER: _ClassVar[int]
    ACTIVE_FIELD_NUMBER: _ClassVar[int]
    REGIONS_FIELD_NUMBER: _ClassVar[int]
    INDUSTRIES_FIELD_NUMBER: _ClassVar[int]
    DAILY_CAP_FIELD_NUMBER: _ClassVar[int]
    HOLDING_LIMIT_FIELD_NUMBER: _ClassVar[int]
    user_id: str
    name: str
    team: str
    takes_leads: bool
    active: bool
    regions: _containers.RepeatedScalarFieldContainer[str]
    industries: _containers.RepeatedScalarFieldContainer[str]
    daily_cap: int
    holding_limit: int
    def __init__(self, user_id: _Optional[str] = ..., name: _Optional[str] = ..., team: _Optional[str] = ..., takes_leads: _Optional[bool] = ..., active: _Optional[bool] = ..., regions: _Optional[_Iterable[str]] = ..., industries: _Optional[_Iterable[str]] = ..., daily_cap: _Optional[int] = ..., holding_limit: _Optional[int] = ...) -> None: ...

class UpsertRepResponse(_message.Message):
    __slots__ = ("rep", "created")
    REP_FIELD_NUMBER: _ClassVar[int]
    CREATED_FIELD_NUMBER: _ClassVar[int]
    rep: Rep
    created: bool
    def __init__(self, rep: _Optional[_Union[Rep, _Mapping]] = ..., created: _Optional[bool] = ...) -> None: ...

class ListRepsRequest(_message.Message):
    __slots__ = ("team", "page")
    TEAM_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    team: str
    page: _common_pb2.PageRequest
    def __init__(self, team: _Optional[str] = ..., page: _Optional[_Union[_common_pb2.PageRequest, _Mapping]] = ...) -> None: ...

class ListRepsResponse(_message.Message):
    __slots__ = ("reps", "page")
    REPS_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    reps: _containers.RepeatedCompositeFieldContainer[Rep]
    page: _common_pb2.PageResponse
    def __init__(self, reps: _Optional[_Iterable[_Union[Rep, _Mapping]]] = ..., page: _Optional[_Union[_common_pb2.PageResponse, _Mapping]] = ...) -> None: ...

class SetRepAbsenceRequest(_message.Message):
    __slots__ = ("user_id", "absence_start_time", "absence_end_time")
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    ABSENCE_START_TIME_FIELD_NUMBER: _ClassVar[int]
    ABSENCE_END_TIME_FIELD_NUMBER: _ClassVar[int]
    user_id: str
    absence_start_time: _timestamp_pb2.Timestamp
    absence_end_time: _timestamp_pb2.Timestamp
    def __init__(self, user_id: _Optional[str] = ..., absence_start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., absence_end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class SetRepAbsenceResponse(_message.Message):
    __slots__ = ("rep",)
    REP_FIELD_NUMBER: _ClassVar[int]
    rep: Rep
    def __init__(self, rep: _Optional[_Union[Rep, _Mapping]] = ...) -> None: ...

class AssignmentRule(_message.Message):
    __slots__ = ("kind", "window_days", "similar_by", "prior_leads", "tolerance_points")
    KIND_FIELD_NUMBER: _ClassVar[int]
    WINDOW_DAYS_FIELD_NUMBER: _ClassVar[int]
    SIMILAR_BY_FIELD_NUMBER: _ClassVar[int]
    PRIOR_LEADS_FIELD_NUMBER: _ClassVar[int]
    TOLERANCE_POINTS_FIELD_NUMBER: _ClassVar[int]
    kind: AssignmentRuleKind
    window_days: int
    similar_by: _containers.RepeatedScalarFieldContainer[str]
    prior_leads: int
    tolerance_points: int
    def __init__(self, kind: _Optional[_Union[AssignmentRuleKind, str]] = ..., window_days: _Optional[int] = ..., similar_by: _Optional[_Iterable[str]] = ..., prior_leads: _Optional[int] = ..., tolerance_points: _Optional[int] = ...) -> None: ...

class GetAssignmentRulesRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GetAssignmentRulesResponse(_message.Message):
    __slots__ = ("rules", "auto_assign_new_leads")
    RULES_FIELD_NUMBER: _ClassVar[int]
    AUTO_ASSIGN_NEW_LEADS_FIELD_NUMBER: _ClassVar[int]
    rules: _containers.RepeatedCompositeFieldContainer[AssignmentRule]
    auto_assign_new_leads: bool
    def __init__(self, rules: _Optional[_Iterable[_Union[AssignmentRule, _Mapping]]] = ..., auto_assign_new_leads: _Optional[bool] = ...) -> None: ...

class UpdateAssignmentRulesRequest(_message.Message):
    __slots__ = ("rules", "auto_assign_new_leads")
    RULES_FIELD_NUMBER: _ClassVar[int]
    AUTO_ASSIGN_NEW_LEADS_FIELD_NUMBER: _ClassVar[int]
    rules: _containers.RepeatedCompositeFieldContainer[AssignmentRule]
    auto_assign_new_leads: bool
    def __init__(self, rules: _Optional[_Iterable[_Union[AssignmentRule, _Mapping]]] = ..., auto_assign_new_leads: _Optional[bool] = ...) -> None: ...

class UpdateAssignmentRulesResponse(_message.Message):
    __slots__ = ("rules", "auto_assign_new_leads")
    RULES_FIELD_NUMBER: _ClassVar[int]
    AUTO_ASSIGN_NEW_LEADS_FIELD_NUMBER: _ClassVar[int]
    rules: _containers.RepeatedCompositeFieldContainer[AssignmentRule]
    auto_assign_new_leads: bool
    def __init__(self, rules: _Optional[_Iterable[_Union[AssignmentRule, _Mapping]]] = ..., auto_assign_new_leads: _Optional[bool] = ...) -> None: ...

class PoolSettings(_message.Message):
    __slots__ = ("follow_up_hours", "follow_up_warning_hours", "follow_up_temperatures", "conversion_days", "conversion_warning_days", "reassign_on_reclaim", "claims_per_day", "claim_cooldown_days", "time_zone")
    FOLLOW_UP_HOURS_FIELD_NUMBER: _ClassVar[int]
    FOLLOW_UP_WARNING_HOURS_FIELD_NUMBER: _ClassVar[int]
    FOLLOW_UP_TEMPERATURES_FIELD_NUMBER: _ClassVar[int]
    CONVERSION_DAYS_FIELD_NUMBER: _ClassVar[int]
    CONVERSION_WARNING_DAYS_FIELD_NUMBER: _ClassVar[int]
    REASSIGN_ON_RECLAIM_FIELD_NUMBER: _ClassVar[int]
    CLAIMS_PER_DAY_FIELD_NUMBER: _ClassVar[int]
    CLAIM_COOLDOWN_DAYS_FIELD_NUMBER: _ClassVar[int]
    TIME_ZONE_FIELD_NUMBER: _ClassVar[int]
    follow_up_hours: int
    follow_up_warning_hours: int
    follow_up_temperatures: _containers.RepeatedScalarFieldContainer[str]
    conversion_days: int
    conversion_warning_days: int
    reassign_on_reclaim: bool
    claims_per_day: int
    claim_cooldown_days: int
    time_zone: str
    def __init__(self, follow_up_hours: _Optional[int] = ..., follow_up_warning_hours: _Optional[int] = ..., follow_up_temperatures: _Optional[_Iterable[str]] = ..., conversion_days: _Optional[int] = ..., conversion_warning_days: _Optional[int] = ..., reassign_on_reclaim: _Optional[bool] = ..., claims_per_day: _Optional[int] = ..., claim_cooldown_days: _Optional[int] = ..., time_zone: _Optional[str] = ...) -> None: ...

class GetPoolSettingsRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GetPoolSettingsResponse(_message.Message):
    __slots__ = ("settings",)
    SETTINGS_FIELD_NUMBER: _ClassVar[int]
    settings: PoolSettings
    def __init__(self, settings: _Optional[_Union[PoolSettings, _Mapping]] = ...) -> None: ...

class UpdatePoolSettingsRequest(_message.Message):
    __slots__ = ("settings", "update_fields")
    SETTINGS_FIELD_NUMBER: _ClassVar[int]
    UPDATE_FIELDS_FIELD_NUMBER: _ClassVar[int]
    settings: PoolSettings
    update_fields: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, settings: _Optional[_Union[PoolSettings, _Mapping]] = ..., update_fields: _Optional[_Iterable[str]] = ...) -> None: ...

class UpdatePoolSettingsResponse(_message.Message):
    __slots__ = ("settings",)
    SETTINGS_FIELD_NUMBER: _ClassVar[int]
    settings: PoolSettings
    def __init__(self, settings: _Optional[_Union[PoolSettings, _Mapping]] = ...) -> None: ...

class RuleStep(_message.Message):
    __slots__ = ("rule", "candidates_before", "candidates_after", "applied")
    RULE_FIELD_NUMBER: _ClassVar[int]
    CANDIDATES_BEFORE_FIELD_NUMBER: _ClassVar[int]
    CANDIDATES_AFTER_FIELD_NUMBER: _ClassVar[int]
    APPLIED_FIELD_NUMBER: _ClassVar[int]
    rule: str
    candidates_before: int
    candidates_after: int
    applied: bool
    def __init__(self, rule: _Optional[str] = ..., candidates_before: _Optional[int] = ..., candidates_after: _Optional[int] = ..., applied: _Optional[bool] = ...) -> None: ...

class AssignmentOutcome(_message.Message):
    __slots__ = ("assigned", "owner_id", "reason", "explanation", "steps", "plugin")
    ASSIGNED_FIELD_NUMBER: _ClassVar[int]
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    EXPLANATION_FIELD_NUMBER: _ClassVar[int]
    STEPS_FIELD_NUMBER: _ClassVar[int]
    PLUGIN_FIELD_NUMBER: _ClassVar[int]
    assigned: bool
    owner_id: str
    reason: str
    explanation: str
    steps: _containers.RepeatedCompositeFieldContainer[RuleStep]
    plugin: str
    def __init__(self, assigned: _Optional[bool] = ..., owner_id: _Optional[str] = ..., reason: _Optional[str] = ..., explanation: _Optional[str] = ..., steps: _Optional[_Iterable[_Union[RuleStep, _Mapping]]] = ..., plugin: _Optional[str] = ...) -> None: ...

class AssignLeadRequest(_message.Message):
    __slots__ = ("lead_id", "owner_id", "note")
    LEAD_ID_FIELD_NUMBER: _ClassVar[int]
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    lead_id: str
    owner_id: str
    note: str
    def __init__(self, lead_id: _Optional[str] = ..., owner_id: _Optional[str] = ..., note: _Optional[str] = ...) -> None: ...

class AssignLeadResponse(_message.Message):
    __slots__ = ("lead", "outcome")
    LEAD_FIELD_NUMBER: _ClassVar[int]
    OUTCOME_FIELD_NUMBER: _ClassVar[int]
    lead: Lead
    outcome: AssignmentOutcome
    def __init__(self, lead: _Optional[_Union[Lead, _Mapping]] = ..., outcome: _Optional[_Union[AssignmentOutcome, _Mapping]] = ...) -> None: ...

class BulkReassignRequest(_message.Message):
    __slots__ = ("lead_ids", "owner_id", "note")
    LEAD_IDS_FIELD_NUMBER: _ClassVar[int]
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    lead_ids: _containers.RepeatedScalarFieldContainer[str]
    owner_id: str
    note: str
    def __init__(self, lead_ids: _Optional[_Iterable[str]] = ..., owner_id: _Optional[str] = ..., note: _Optional[str] = ...) -> None: ...

class ReassignResult(_message.Message):
    __slots__ = ("lead_id", "ok", "changed", "owner_id", "error_code", "error")
    LEAD_ID_FIELD_NUMBER: _ClassVar[int]
    OK_FIELD_NUMBER: _ClassVar[int]
    CHANGED_FIELD_NUMBER: _ClassVar[int]
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    ERROR_CODE_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    lead_id: str
    ok: bool
    changed: bool
    owner_id: str
    error_code: str
    error: str
    def __init__(self, lead_id: _Optional[str] = ..., ok: _Optional[bool] = ..., changed: _Optional[bool] = ..., owner_id: _Optional[str] = ..., error_code: _Optional[str] = ..., error: _Optional[str] = ...) -> None: ...

class BulkReassignResponse(_message.Message):
    __slots__ = ("results",)
    RESULTS_FIELD_NUMBER: _ClassVar[int]
    results: _containers.RepeatedCompositeFieldContainer[ReassignResult]
    def __init__(self, results: _Optional[_Iterable[_Union[ReassignResult, _Mapping]]] = ...) -> None: ...

class ClaimLeadRequest(_message.Message):
    __slots__ = ("lead_id",)
    LEAD_ID_FIELD_NUMBER: _ClassVar[int]
    lead_id: str
    def __init__(self, lead_id: _Optional[str] = ...) -> None: ...

class ClaimLeadResponse(_message.Message):
    __slots__ = ("lead",)
    LEAD_FIELD_NUMBER: _ClassVar[int]
    lead: Lead
    def __init__(self, lead: _Optional[_Union[Lead, _Mapping]] = ...) -> None: ...

class ReleaseLeadRequest(_message.Message):
    __slots__ = ("lead_id", "note")
    LEAD_ID_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    lead_id: str
    note: str
    def __init__(self, lead_id: _Optional[str] = ..., note: _Optional[str] = ...) -> None: ...

class ReleaseLeadResponse(_message.Message):
    __slots__ = ("lead",)
    LEAD_FIELD_NUMBER: _ClassVar[int]
    lead: Lead
    def __init__(self, lead: _Optional[_Union[Lead, _Mapping]] = ...) -> None: ...

class OwnershipChange(_message.Message):
    __slots__ = ("lead_id", "from_owner_id", "to_owner_id", "reason", "actor", "note", "change_time")
    LEAD_ID_FIELD_NUMBER: _ClassVar[int]
    FROM_OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    TO_OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    CHANGE_TIME_FIELD_NUMBER: _ClassVar[int]
    lead_id: str
    from_owner_id: str
    to_owner_id: str
    reason: str
    actor: str
    note: str
    change_time: _timestamp_pb2.Timestamp
    def __init__(self, lead_id: _Optional[str] = ..., from_owner_id: _Optional[str] = ..., to_owner_id: _Optional[str] = ..., reason: _Optional[str] = ..., actor: _Optional[str] = ..., note: _Optional[str] = ..., change_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ListLeadOwnershipRequest(_message.Message):
    __slots__ = ("lead_id", "page")
    LEAD_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    lead_id: str
    page: _common_pb2.PageRequest
    def __init__(self, lead_id: _Optional[str] = ..., page: _Optional[_Union[_common_pb2.PageRequest, _Mapping]] = ...) -> None: ...

class ListLeadOwnershipResponse(_message.Message):
    __slots__ = ("changes", "page")
    CHANGES_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    changes: _containers.RepeatedCompositeFieldContainer[OwnershipChange]
    page: _common_pb2.PageResponse
    def __init__(self, changes: _Optional[_Iterable[_Union[OwnershipChange, _Mapping]]] = ..., page: _Optional[_Union[_common_pb2.PageResponse, _Mapping]] = ...) -> None: ...

class ListLeadsRequest(_message.Message):
    __slots__ = ("status", "pool", "owner_id", "temperature", "channel", "order", "page")
    STATUS_FIELD_NUMBER: _ClassVar[int]
    POOL_FIELD_NUMBER: _ClassVar[int]
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    TEMPERATURE_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    ORDER_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    status: str
    pool: PoolFilter
    owner_id: str
    temperature: str
    channel: str
    order: LeadOrder
    page: _common_pb2.PageRequest
    def __init__(self, status: _Optional[str] = ..., pool: _Optional[_Union[PoolFilter, str]] = ..., owner_id: _Optional[str] = ..., temperature: _Optional[str] = ..., channel: _Optional[str] = ..., order: _Optional[_Union[LeadOrder, str]] = ..., page: _Optional[_Union[_common_pb2.PageRequest, _Mapping]] = ...) -> None: ...

class ListLeadsResponse(_message.Message):
    __slots__ = ("leads", "page")
    LEADS_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    leads: _containers.RepeatedCompositeFieldContainer[Lead]
    page: _common_pb2.PageResponse
    def __init__(self, leads: _Optional[_Iterable[_Union[Lead, _Mapping]]] = ..., page: _Optional[_Union[_common_pb2.PageResponse, _Mapping]] = ...) -> None: ...

class FollowUp(_message.Message):
    __slots__ = ("id", "lead_id", "kind", "content", "objection", "budget_cycle", "next_step", "occur_time", "author_id", "create_time")
    ID_FIELD_NUMBER: _ClassVar[int]
    LEAD_ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    OBJECTION_FIELD_NUMBER: _ClassVar[int]
    BUDGET_CYCLE_FIELD_NUMBER: _ClassVar[int]
    NEXT_STEP_FIELD_NUMBER: _ClassVar[int]
    OCCUR_TIME_FIELD_NUMBER: _ClassVar[int]
    AUTHOR_ID_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    id: str
    lead_id: str
    kind: str
    content: str
    objection: str
    budget_cycle: str
    next_step: str
    occur_time: _timestamp_pb2.Timestamp
    author_id: str
    create_time: _timestamp_pb2.Timestamp
    def __init__(self, id: _Optional[str] = ..., lead_id: _Optional[str] = ..., kind: _Optional[str] = ..., content: _Optional[str] = ..., objection: _Optional[str] = ..., budget_cycle: _Optional[str] = ..., next_step: _Optional[str] = ..., occur_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., author_id: _Optional[str] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ReminderTime(_message.Message):
    __slots__ = ("at", "anchor", "quarter", "year", "month", "count")
    AT_FIELD_NUMBER: _ClassVar[int]
    ANCHOR_FIELD_NUMBER: _ClassVar[int]
    QUARTER_FIELD_NUMBER: _ClassVar[int]
    YEAR_FIELD_NUMBER: _ClassVar[int]
    MONTH_FIELD_NUMBER: _ClassVar[int]
    COUNT_FIELD_NUMBER: _ClassVar[int]
    at: _timestamp_pb2.Timestamp
    anchor: str
    quarter: int
    year: int
    month: int
    count: int
    def __init__(self, at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., anchor: _Optional[str] = ..., quarter: _Optional[int] = ..., year: _Optional[int] = ..., month: _Optional[int] = ..., count: _Optional[int] = ...) -> None: ...

class Reminder(_message.Message):
    __slots__ = ("id", "lead_id", "follow_up_id", "recipient_id", "remind_time", "note", "status", "fire_time", "cancel_time", "created_by", "create_time", "anchor")
    ID_FIELD_NUMBER: _ClassVar[int]
    LEAD_ID_FIELD_NUMBER: _ClassVar[int]
    FOLLOW_UP_ID_FIELD_NUMBER: _ClassVar[int]
    RECIPIENT_ID_FIELD_NUMBER: _ClassVar[int]
    REMIND_TIME_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    FIRE_TIME_FIELD_NUMBER: _ClassVar[int]
    CANCEL_TIME_FIELD_NUMBER: _ClassVar[int]
    CREATED_BY_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    ANCHOR_FIELD_NUMBER: _ClassVar[int]
    id: str
    lead_id: str
    follow_up_id: str
    recipient_id: str
    remind_time: _timestamp_pb2.Timestamp
    note: str
    status: str
    fire_time: _timestamp_pb2.Timestamp
    cancel_time: _timestamp_pb2.Timestamp
    created_by: str
    create_time: _timestamp_pb2.Timestamp
    anchor: str
    def __init__(self, id: _Optional[str] = ..., lead_id: _Optional[str] = ..., follow_up_id: _Optional[str] = ..., recipient_id: _Optional[str] = ..., remind_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., note: _Optional[str] = ..., status: _Optional[str] = ..., fire_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., cancel_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., created_by: _Optional[str] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., anchor: _Optional[str] = ...) -> None: ...

class ReminderRequest(_message.Message):
    __slots__ = ("when", "note", "recipient_id")
    WHEN_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    RECIPIENT_ID_FIELD_NUMBER: _ClassVar[int]
    when: ReminderTime
    note: str
    recipient_id: str
    def __init__(self, when: _Optional[_Union[ReminderTime, _Mapping]] = ..., note: _Optional[str] = ..., recipient_id: _Optional[str] = ...) -> None: ...

class AddFollowUpRequest(_message.Message):
    __slots__ = ("lead_id", "kind", "content", "objection", "budget_cycle", "next_step", "occur_time", "reminder")
    LEAD_ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    OBJECTION_FIELD_NUMBER: _ClassVar[int]
    BUDGET_CYCLE_FIELD_NUMBER: _ClassVar[int]
    NEXT_STEP_FIELD_NUMBER: _ClassVar[int]
    OCCUR_TIME_FIELD_NUMBER: _ClassVar[int]
    REMINDER_FIELD_NUMBER: _ClassVar[int]
    lead_id: str
    kind: str
    content: str
    objection: str
    budget_cycle: str
    next_step: str
    occur_time: _timestamp_pb2.Timestamp
    reminder: ReminderRequest
    def __init__(self, lead_id: _Optional[str] = ..., kind: _Optional[str] = ..., content: _Optional[str] = ..., objection: _Optional[str] = ..., budget_cycle: _Optional[str] = ..., next_step: _Optional[str] = ..., occur_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., reminder: _Optional[_Union[ReminderRequest, _Mapping]] = ...) -> None: ...

class AddFollowUpResponse(_message.Message):
    __slots__ = ("follow_up", "reminder")
    FOLLOW_UP_FIELD_NUMBER: _ClassVar[int]
    REMINDER_FIELD_NUMBER: _ClassVar[int]
    follow_up: FollowUp
    reminder: Reminder
    def __init__(self, follow_up: _Optional[_Union[FollowUp, _Mapping]] = ..., reminder: _Optional[_Union[Reminder, _Mapping]] = ...) -> None: ...

class ListFollowUpsRequest(_message.Message):
    __slots__ = ("lead_id", "page")
    LEAD_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    lead_id: str
    page: _common_pb2.PageRequest
    def __init__(self, lead_id: _Optional[str] = ..., page: _Optional[_Union[_common_pb2.PageRequest, _Mapping]] = ...) -> None: ...

class ListFollowUpsResponse(_message.Message):
    __slots__ = ("follow_ups", "page")
    FOLLOW_UPS_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    follow_ups: _containers.RepeatedCompositeFieldContainer[FollowUp]
    page: _common_pb2.PageResponse
    def __init__(self, follow_ups: _Optional[_Iterable[_Union[FollowUp, _Mapping]]] = ..., page: _Optional[_Union[_common_pb2.PageResponse, _Mapping]] = ...) -> None: ...

class ScheduleReminderRequest(_message.Message):
    __slots__ = ("lead_id", "when", "note", "recipient_id", "follow_up_id")
    LEAD_ID_FIELD_NUMBER: _ClassVar[int]
    WHEN_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    RECIPIENT_ID_FIELD_NUMBER: _ClassVar[int]
    FOLLOW_UP_ID_FIELD_NUMBER: _ClassVar[int]
    lead_id: str
    when: ReminderTime
    note: str
    recipient_id: str
    follow_up_id: str
    def __init__(self, lead_id: _Optional[str] = ..., when: _Optional[_Union[ReminderTime, _Mapping]] = ..., note: _Optional[str] = ..., recipient_id: _Optional[str] = ..., follow_up_id: _Optional[str] = ...) -> None: ...

class ScheduleReminderResponse(_message.Message):
    __slots__ = ("reminder",)
    REMINDER_FIELD_NUMBER: _ClassVar[int]
    reminder: Reminder
    def __init__(self, reminder: _Optional[_Union[Reminder, _Mapping]] = ...) -> None: ...

class CancelReminderRequest(_message.Message):
    __slots__ = ("reminder_id",)
    REMINDER_ID_FIELD_NUMBER: _ClassVar[int]
    reminder_id: str
    def __init__(self, reminder_id: _Optional[str] = ...) -> None: ...

class CancelReminderResponse(_message.Message):
    __slots__ = ("reminder",)
    REMINDER_FIELD_NUMBER: _ClassVar[int]
    reminder: Reminder
    def __init__(self, reminder: _Optional[_Union[Reminder, _Mapping]] = ...) -> None: ...

class ListRemindersRequest(_message.Message):
    __slots__ = ("status", "lead_id", "page")
    STATUS_FIELD_NUMBER: _ClassVar[int]
    LEAD_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    status: str
    lead_id: str
    page: _common_pb2.PageRequest
    def __init__(self, status: _Optional[str] = ..., lead_id: _Optional[str] = ..., page: _Optional[_Union[_common_pb2.PageRequest, _Mapping]] = ...) -> None: ...

class ListRemindersResponse(_message.Message):
    __slots__ = ("reminders", "page")
    REMINDERS_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    reminders: _containers.RepeatedCompositeFieldContainer[Reminder]
    page: _common_pb2.PageResponse
    def __init__(self, reminders: _Optional[_Iterable[_Union[Reminder, _Mapping]]] = ..., page: _Optional[_Union[_common_pb2.PageResponse, _Mapping]] = ...) -> None: ...
