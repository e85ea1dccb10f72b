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

class MatchLevel(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    MATCH_LEVEL_UNSPECIFIED: _ClassVar[MatchLevel]
    MATCH_LEVEL_EXACT: _ClassVar[MatchLevel]
    MATCH_LEVEL_CLOSE: _ClassVar[MatchLevel]
    MATCH_LEVEL_FUZZY: _ClassVar[MatchLevel]
    MATCH_LEVEL_DISAGREE: _ClassVar[MatchLevel]
    MATCH_LEVEL_MISSING: _ClassVar[MatchLevel]

class MatchDecision(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    MATCH_DECISION_UNSPECIFIED: _ClassVar[MatchDecision]
    MATCH_DECISION_LINK: _ClassVar[MatchDecision]
    MATCH_DECISION_REVIEW: _ClassVar[MatchDecision]
    MATCH_DECISION_NONE: _ClassVar[MatchDecision]

class LinkAction(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    LINK_ACTION_UNSPECIFIED: _ClassVar[LinkAction]
    LINK_ACTION_LINK: _ClassVar[LinkAction]
    LINK_ACTION_MERGE: _ClassVar[LinkAction]
    LINK_ACTION_UNMERGE: _ClassVar[LinkAction]
    LINK_ACTION_RELINK: _ClassVar[LinkAction]

class ReviewStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    REVIEW_STATUS_UNSPECIFIED: _ClassVar[ReviewStatus]
    REVIEW_STATUS_OPEN: _ClassVar[ReviewStatus]
    REVIEW_STATUS_ACCEPTED: _ClassVar[ReviewStatus]
    REVIEW_STATUS_REJECTED: _ClassVar[ReviewStatus]
    REVIEW_STATUS_SUPERSEDED: _ClassVar[ReviewStatus]

class ReviewDecision(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    REVIEW_DECISION_UNSPECIFIED: _ClassVar[ReviewDecision]
    REVIEW_DECISION_ACCEPT: _ClassVar[ReviewDecision]
    REVIEW_DECISION_REJECT: _ClassVar[ReviewDecision]

class DedupJobState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    DEDUP_JOB_STATE_UNSPECIFIED: _ClassVar[DedupJobState]
    DEDUP_JOB_STATE_QUEUED: _ClassVar[DedupJobState]
    DEDUP_JOB_STATE_RUNNING: _ClassVar[DedupJobState]
    DEDUP_JOB_STATE_SUCCEEDED: _ClassVar[DedupJobState]
    DEDUP_JOB_STATE_FAILED: _ClassVar[DedupJobState]

class DataIssue(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    DATA_ISSUE_UNSPECIFIED: _ClassVar[DataIssue]
    DATA_ISSUE_INVALID_PHONE: _ClassVar[DataIssue]
    DATA_ISSUE_INVALID_EMAIL: _ClassVar[DataIssue]
    DATA_ISSUE_INVALID_CREDIT_CODE: _ClassVar[DataIssue]
    DATA_ISSUE_MISSING_NAME: _ClassVar[DataIssue]
    DATA_ISSUE_MISSING_CONTACT: _ClassVar[DataIssue]

class SurvivorshipRule(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SURVIVORSHIP_RULE_UNSPECIFIED: _ClassVar[SurvivorshipRule]
    SURVIVORSHIP_RULE_MOST_RECENT: _ClassVar[SurvivorshipRule]
    SURVIVORSHIP_RULE_MOST_FREQUENT: _ClassVar[SurvivorshipRule]
    SURVIVORSHIP_RULE_MOST_COMPLETE: _ClassVar[SurvivorshipRule]
    SURVIVORSHIP_RULE_SOURCE_PRIORITY: _ClassVar[SurvivorshipRule]

class PrivacyRequestKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PRIVACY_REQUEST_KIND_UNSPECIFIED: _ClassVar[PrivacyRequestKind]
    PRIVACY_REQUEST_KIND_EXPORT: _ClassVar[PrivacyRequestKind]
    PRIVACY_REQUEST_KIND_ERASE: _ClassVar[PrivacyRequestKind]

class PrivacyRequestStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PRIVACY_REQUEST_STATUS_UNSPECIFIED: _ClassVar[PrivacyRequestStatus]
    PRIVACY_REQUEST_STATUS_PENDING: _ClassVar[PrivacyRequestStatus]
    PRIVACY_REQUEST_STATUS_RUNNING: _ClassVar[PrivacyRequestStatus]
    PRIVACY_REQUEST_STATUS_COMPLETED: _ClassVar[PrivacyRequestStatus]
    PRIVACY_REQUEST_STATUS_FAILED: _ClassVar[PrivacyRequestStatus]

class PrivacyStepStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PRIVACY_STEP_STATUS_UNSPECIFIED: _ClassVar[PrivacyStepStatus]
    PRIVACY_STEP_STATUS_PENDING: _ClassVar[PrivacyStepStatus]
    PRIVACY_STEP_STATUS_COMPLETED: _ClassVar[PrivacyStepStatus]
    PRIVACY_STEP_STATUS_FAILED: _ClassVar[PrivacyStepStatus]
    PRIVACY_STEP_STATUS_SKIPPED: _ClassVar[PrivacyStepStatus]
MATCH_LEVEL_UNSPECIFIED: MatchLevel
MATCH_LEVEL_EXACT: MatchLevel
MATCH_LEVEL_CLOSE: MatchLevel
MATCH_LEVEL_FUZZY: MatchLevel
MATCH_LEVEL_DISAGREE: MatchLevel
MATCH_LEVEL_MISSING: MatchLevel
MATCH_DECISION_UNSPECIFIED: MatchDecision
MATCH_DECISION_LINK: MatchDecision
MATCH_DECISION_REVIEW: MatchDecision
MATCH_DECISION_NONE: MatchDecision
LINK_ACTION_UNSPECIFIED: LinkAction
LINK_ACTION_LINK: LinkAction
LINK_ACTION_MERGE: LinkAction
LINK_ACTION_UNMERGE: LinkAction
LINK_ACTION_RELINK: LinkAction
REVIEW_STATUS_UNSPECIFIED: ReviewStatus
REVIEW_STATUS_OPEN: ReviewStatus
REVIEW_STATUS_ACCEPTED: ReviewStatus
REVIEW_STATUS_REJECTED: ReviewStatus
REVIEW_STATUS_SUPERSEDED: ReviewStatus
REVIEW_DECISION_UNSPECIFIED: ReviewDecision
REVIEW_DECISION_ACCEPT: ReviewDecision
REVIEW_DECISION_REJECT: ReviewDecision
DEDUP_JOB_STATE_UNSPECIFIED: DedupJobState
DEDUP_JOB_STATE_QUEUED: DedupJobState
DEDUP_JOB_STATE_RUNNING: DedupJobState
DEDUP_JOB_STATE_SUCCEEDED: DedupJobState
DEDUP_JOB_STATE_FAILED: DedupJobState
DATA_ISSUE_UNSPECIFIED: DataIssue
DATA_ISSUE_INVALID_PHONE: DataIssue
DATA_ISSUE_INVALID_EMAIL: DataIssue
DATA_ISSUE_INVALID_CREDIT_CODE: DataIssue
DATA_ISSUE_MISSING_NAME: DataIssue
DATA_ISSUE_MISSING_CONTACT: DataIssue
SURVIVORSHIP_RULE_UNSPECIFIED: SurvivorshipRule
SURVIVORSHIP_RULE_MOST_RECENT: SurvivorshipRule
SURVIVORSHIP_RULE_MOST_FREQUENT: SurvivorshipRule
SURVIVORSHIP_RULE_MOST_COMPLETE: SurvivorshipRule
SURVIVORSHIP_RULE_SOURCE_PRIORITY: SurvivorshipRule
PRIVACY_REQUEST_KIND_UNSPECIFIED: PrivacyRequestKind
PRIVACY_REQUEST_KIND_EXPORT: PrivacyRequestKind
PRIVACY_REQUEST_KIND_ERASE: PrivacyRequestKind
PRIVACY_REQUEST_STATUS_UNSPECIFIED: PrivacyRequestStatus
PRIVACY_REQUEST_STATUS_PENDING: PrivacyRequestStatus
PRIVACY_REQUEST_STATUS_RUNNING: PrivacyRequestStatus
PRIVACY_REQUEST_STATUS_COMPLETED: PrivacyRequestStatus
PRIVACY_REQUEST_STATUS_FAILED: PrivacyRequestStatus
PRIVACY_STEP_STATUS_UNSPECIFIED: PrivacyStepStatus
PRIVACY_STEP_STATUS_PENDING: PrivacyStepStatus
PRIVACY_STEP_STATUS_COMPLETED: PrivacyStepStatus
PRIVACY_STEP_STATUS_FAILED: PrivacyStepStatus
PRIVACY_STEP_STATUS_SKIPPED: PrivacyStepStatus

class Customer(_message.Message):
    __slots__ = ("id", "name", "company", "email", "phone", "records", "create_time", "city", "address", "credit_code")
    ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    COMPANY_FIELD_NUMBER: _ClassVar[int]
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    PHONE_FIELD_NUMBER: _ClassVar[int]
    RECORDS_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    CITY_FIELD_NUMBER: _ClassVar[int]
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    CREDIT_CODE_FIELD_NUMBER: _ClassVar[int]
    id: str
    name: str
    company: str
    email: str
    phone: str
    records: _containers.RepeatedCompositeFieldContainer[_common_pb2.RecordRef]
    create_time: _timestamp_pb2.Timestamp
    city: str
    address: str
    credit_code: str
    def __init__(self, id: _Optional[str] = ..., name: _Optional[str] = ..., company: _Optional[str] = ..., email: _Optional[str] = ..., phone: _Optional[str] = ..., records: _Optional[_Iterable[_Union[_common_pb2.RecordRef, _Mapping]]] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., city: _Optional[str] = ..., address: _Optional[str] = ..., credit_code: _Optional[str] = ...) -> None: ...

class FieldEvidence(_message.Message):
    __slots__ = ("field", "level", "similarity", "weight")
    FIELD_FIELD_NUMBER: _ClassVar[int]
    LEVEL_FIELD_NUMBER: _ClassVar[int]
    SIMILARITY_FIELD_NUMBER: _ClassVar[int]
    WEIGHT_FIELD_NUMBER: _ClassVar[int]
    field: str
    level: MatchLevel
    similarity: float
    weight: float
    def __init__(self, field: _Optional[str] = ..., level: _Optional[_Union[MatchLevel, str]] = ..., similarity: _Optional[float] = ..., weight: _Optional[float] = ...) -> None: ...

class MatchCandidate(_message.Message):
    __slots__ = ("customer_id", "probability", "match_weight", "fields", "decision")
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    PROBABILITY_FIELD_NUMBER: _ClassVar[int]
    MATCH_WEIGHT_FIELD_NUMBER: _ClassVar[int]
    FIELDS_FIELD_NUMBER: _ClassVar[int]
    DECISION_FIELD_NUMBER: _ClassVar[int]
    customer_id: str
    probability: float
    match_weight: float
    fields: _containers.RepeatedCompositeFieldContainer[FieldEvidence]
    decision: MatchDecision
    def __init__(self, customer_id: _Optional[str] = ..., probability: _Optional[float] = ..., match_weight: _Optional[float] = ..., fields: _Optional[_Iterable[_Union[FieldEvidence, _Mapping]]] = ..., decision: _Optional[_Union[MatchDecision, str]] = ...) -> None: ...

class ResolveRecordRequest(_message.Message):
    __slots__ = ("record", "name", "company", "email", "phone", "owner_id", "city", "address", "credit_code", "observe_time")
    RECORD_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    COMPANY_FIELD_NUMBER: _ClassVar[int]
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    PHONE_FIELD_NUMBER: _ClassVar[int]
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    CITY_FIELD_NUMBER: _ClassVar[int]
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    CREDIT_CODE_FIELD_NUMBER: _ClassVar[int]
    OBSERVE_TIME_FIELD_NUMBER: _ClassVar[int]
    record: _common_pb2.RecordRef
    name: str
    company: str
    email: str
    phone: str
    owner_id: str
    city: str
    address: str
    credit_code: str
    observe_time: _timestamp_pb2.Timestamp
    def __init__(self, record: _Optional[_Union[_common_pb2.RecordRef, _Mapping]] = ..., name: _Optional[str] = ..., company: _Optional[str] = ..., email: _Optional[str] = ..., phone: _Optional[str] = ..., owner_id: _Optional[str] = ..., city: _Optional[str] = ..., address: _Optional[str] = ..., credit_code: _Optional[str] = ..., observe_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ResolveRecordResponse(_message.Message):
    __slots__ = ("customer_id", "created", "matched_on", "probability", "candidates", "review_pair_id")
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    CREATED_FIELD_NUMBER: _ClassVar[int]
    MATCHED_ON_FIELD_NUMBER: _ClassVar[int]
    PROBABILITY_FIELD_NUMBER: _ClassVar[int]
    CANDIDATES_FIELD_NUMBER: _ClassVar[int]
    REVIEW_PAIR_ID_FIELD_NUMBER: _ClassVar[int]
    customer_id: str
    created: bool
    matched_on: _containers.RepeatedScalarFieldContainer[str]
    probability: float
    candidates: _containers.RepeatedCompositeFieldContainer[MatchCandidate]
    review_pair_id: str
    def __init__(self, customer_id: _Optional[str] = ..., created: _Optional[bool] = ..., matched_on: _Optional[_Iterable[str]] = ..., probability: _Optional[float] = ..., candidates: _Optional[_Iterable[_Union[MatchCandidate, _Mapping]]] = ..., review_pair_id: _Optional[str] = ...) -> None: ...

class MatchRecordRequest(_message.Message):
    __slots__ = ("record", "name", "company", "email", "phone", "city", "address", "credit_code", "limit")
    RECORD_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    COMPANY_FIELD_NUMBER: _ClassVar[int]
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    PHONE_FIELD_NUMBER: _ClassVar[int]
    CITY_FIELD_NUMBER: _ClassVar[int]
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    CREDIT_CODE_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    record: _common_pb2.RecordRef
    name: str
    company: str
    email: str
    phone: str
    city: str
    address: str
    credit_code: str
    limit: int
    def __init__(self, record: _Optional[_Union[_common_pb2.RecordRef, _Mapping]] = ..., name: _Optional[str] = ..., company: _Optional[str] = ..., email: _Optional[str] = ..., phone: _Optional[str] = ..., city: _Optional[str] = ..., address: _Optional[str] = ..., credit_code: _Optional[str] = ..., limit: _Optional[int] = ...) -> None: ...

class MatchRecordResponse(_message.Message):
    __slots__ = ("candidates", "auto_link_threshold", "review_threshold")
    CANDIDATES_FIELD_NUMBER: _ClassVar[int]
    AUTO_LINK_THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    REVIEW_THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    candidates: _containers.RepeatedCompositeFieldContainer[MatchCandidate]
    auto_link_threshold: float
    review_threshold: float
    def __init__(self, candidates: _Optional[_Iterable[_Union[MatchCandidate, _Mapping]]] = ..., auto_link_threshold: _Optional[float] = ..., review_threshold: _Optional[float] = ...) -> None: ...

class GetCustomerRequest(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class GetCustomerResponse(_message.Message):
    __slots__ = ("customer", "merged_id")
    CUSTOMER_FIELD_NUMBER: _ClassVar[int]
    MERGED_ID_FIELD_NUMBER: _ClassVar[int]
    customer: Customer
    merged_id: str
    def __init__(self, customer: _Optional[_Union[Customer, _Mapping]] = ..., merged_id: _Optional[str] = ...) -> None: ...

class FieldChange(_message.Message):
    __slots__ = ("field", "before", "after")
    FIELD_FIELD_NUMBER: _ClassVar[int]
    BEFORE_FIELD_NUMBER: _ClassVar[int]
    AFTER_FIELD_NUMBER: _ClassVar[int]
    field: str
    before: str
    after: str
    def __init__(self, field: _Optional[str] = ..., before: _Optional[str] = ..., after: _Optional[str] = ...) -> None: ...

class MergeCustomersRequest(_message.Message):
    __slots__ = ("survivor_id", "absorbed_id", "dry_run", "reason")
    SURVIVOR_ID_FIELD_NUMBER: _ClassVar[int]
    ABSORBED_ID_FIELD_NUMBER: _ClassVar[int]
    DRY_RUN_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    survivor_id: str
    absorbed_id: str
    dry_run: bool
    reason: str
    def __init__(self, survivor_id: _Optional[str] = ..., absorbed_id: _Optional[str] = ..., dry_run: _Optional[bool] = ..., reason: _Optional[str] = ...) -> None: ...

class MergeCustomersResponse(_message.Message):
    __slots__ = ("merge_id", "changes", "records", "survivor")
    MERGE_ID_FIELD_NUMBER: _ClassVar[int]
    CHANGES_FIELD_NUMBER: _ClassVar[int]
    RECORDS_FIELD_NUMBER: _ClassVar[int]
    SURVIVOR_FIELD_NUMBER: _ClassVar[int]
    merge_id: str
    changes: _containers.RepeatedCompositeFieldContainer[FieldChange]
    records: _containers.RepeatedCompositeFieldContainer[_common_pb2.RecordRef]
    survivor: Customer
    def __init__(self, merge_id: _Optional[str] = ..., changes: _Optional[_Iterable[_Union[FieldChange, _Mapping]]] = ..., records: _Optional[_Iterable[_Union[_common_pb2.RecordRef, _Mapping]]] = ..., survivor: _Optional[_Union[Customer, _Mapping]] = ...) -> None: ...

class UnmergeCustomersRequest(_message.Message):
    __slots__ = ("merge_id", "dry_run", "reason")
    MERGE_ID_FIELD_NUMBER: _ClassVar[int]
    DRY_RUN_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    merge_id: str
    dry_run: bool
    reason: str
    def __init__(self, merge_id: _Optional[str] = ..., dry_run: _Optional[bool] = ..., reason: _Optional[str] = ...) -> None: ...

class UnmergeCustomersResponse(_message.Message):
    __slots__ = ("merge_id", "survivor_changes", "records", "survivor", "restored")
    MERGE_ID_FIELD_NUMBER: _ClassVar[int]
    SURVIVOR_CHANGES_FIELD_NUMBER: _ClassVar[int]
    RECORDS_FIELD_NUMBER: _ClassVar[int]
    SURVIVOR_FIELD_NUMBER: _ClassVar[int]
    RESTORED_FIELD_NUMBER: _ClassVar[int]
    merge_id: str
    survivor_changes: _containers.RepeatedCompositeFieldContainer[FieldChange]
    records: _containers.RepeatedCompositeFieldContainer[_common_pb2.RecordRef]
    survivor: Customer
    restored: Customer
    def __init__(self, merge_id: _Optional[str] = ..., survivor_changes: _Optional[_Iterable[_Union[FieldChange, _Mapping]]] = ..., records: _Optional[_Iterable[_Union[_common_pb2.RecordRef, _Mapping]]] = ..., survivor: _Optional[_Union[Customer, _Mapping]] = ..., restored: _Optional[_Union[Customer, _Mapping]] = ...) -> None: ...

class LinkChange(_message.Message):
    __slots__ = ("action", "record", "from_customer_id", "to_customer_id", "merge_id", "actor", "reason", "change_time")
    ACTION_FIELD_NUMBER: _ClassVar[int]
    RECORD_FIELD_NUMBER: _ClassVar[int]
    FROM_CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    TO_CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    MERGE_ID_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    CHANGE_TIME_FIELD_NUMBER: _ClassVar[int]
    action: LinkAction
    record: _common_pb2.RecordRef
    from_customer_id: str
    to_customer_id: str
    merge_id: str
    actor: str
    reason: str
    change_time: _timestamp_pb2.Timestamp
    def __init__(self, action: _Optional[_Union[LinkAction, str]] = ..., record: _Optional[_Union[_common_pb2.RecordRef, _Mapping]] = ..., from_customer_id: _Optional[str] = ..., to_customer_id: _Optional[str] = ..., merge_id: _Optional[str] = ..., actor: _Optional[str] = ..., reason: _Optional[str] = ..., change_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ListLinkChangesRequest(_message.Message):
    __slots__ = ("customer_id", "merge_id", "page")
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    MERGE_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    customer_id: str
    merge_id: str
    page: _common_pb2.PageRequest
    def __init__(self, customer_id: _Optional[str] = ..., merge_id: _Optional[str] = ..., page: _Optional[_Union[_common_pb2.PageRequest, _Mapping]] = ...) -> None: ...

class ListLinkChangesResponse(_message.Message):
    __slots__ = ("changes", "page")
    CHANGES_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    changes: _containers.RepeatedCompositeFieldContainer[LinkChange]
    page: _common_pb2.PageResponse
    def __init__(self, changes: _Optional[_Iterable[_Union[LinkChange, _Mapping]]] = ..., page: _Optional[_Union[_common_pb2.PageResponse, _Mapping]] = ...) -> None: ...

class ReviewPair(_message.Message):
    __slots__ = ("id", "record", "record_customer_id", "candidate_customer_id", "probability", "match_weight", "fields", "status", "origin", "decided_by", "decide_time", "merge_id", "create_time")
    ID_FIELD_NUMBER: _ClassVar[int]
    RECORD_FIELD_NUMBER: _ClassVar[int]
    RECORD_CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    CANDIDATE_CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    PROBABILITY_FIELD_NUMBER: _ClassVar[int]
    MATCH_WEIGHT_FIELD_NUMBER: _ClassVar[int]
    FIELDS_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    ORIGIN_FIELD_NUMBER: _ClassVar[int]
    DECIDED_BY_FIELD_NUMBER: _ClassVar[int]
    DECIDE_TIME_FIELD_NUMBER: _ClassVar[int]
    MERGE_ID_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    id: str
    record: _common_pb2.RecordRef
    record_customer_id: str
    candidate_customer_id: str
    probability: float
    match_weight: float
    fields: _containers.RepeatedCompositeFieldContainer[FieldEvidence]
    status: ReviewStatus
    origin: str
    decided_by: str
    decide_time: _timestamp_pb2.Timestamp
    merge_id: str
    create_time: _timestamp_pb2.Timestamp
    def __init__(self, id: _Optional[str] = ..., record: _Optional[_Union[_common_pb2.RecordRef, _Mapping]] = ..., record_customer_id: _Optional[str] = ..., candidate_customer_id: _Optional[str] = ..., probability: _Optional[float] = ..., match_weight: _Optional[float] = ..., fields: _Optional[_Iterable[_Union[FieldEvidence, _Mapping]]] = ..., status: _Optional[_Union[ReviewStatus, str]] = ..., origin: _Optional[str] = ..., decided_by: _Optional[str] = ..., decide_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., merge_id: _Optional[str] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ListReviewPairsRequest(_message.Message):
    __slots__ = ("status", "page")
    STATUS_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    status: ReviewStatus
    page: _common_pb2.PageRequest
    def __init__(self, status: _Optional[_Union[ReviewStatus, str]] = ..., page: _Optional[_Union[_common_pb2.PageRequest, _Mapping]] = ...) -> None: ...

class ListReviewPairsResponse(_message.Message):
    __slots__ = ("pairs", "page")
    PAIRS_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    pairs: _containers.RepeatedCompositeFieldContainer[ReviewPair]
    page: _common_pb2.PageResponse
    def __init__(self, pairs: _Optional[_Iterable[_Union[ReviewPair, _Mapping]]] = ..., page: _Optional[_Union[_common_pb2.PageResponse, _Mapping]] = ...) -> None: ...

class DecideReviewPairRequest(_message.Message):
    __slots__ = ("id", "decision", "reason")
    ID_FIELD_NUMBER: _ClassVar[int]
    DECISION_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    id: str
    decision: ReviewDecision
    reason: str
    def __init__(self, id: _Optional[str] = ..., decision: _Optional[_Union[ReviewDecision, str]] = ..., reason: _Optional[str] = ...) -> None: ...

class DecideReviewPairResponse(_message.Message):
    __slots__ = ("pair", "merge_id")
    PAIR_FIELD_NUMBER: _ClassVar[int]
    MERGE_ID_FIELD_NUMBER: _ClassVar[int]
    pair: ReviewPair
    merge_id: str
    def __init__(self, pair: _Optional[_Union[ReviewPair, _Mapping]] = ..., merge_id: _Optional[str] = ...) -> None: ...

class DedupJob(_message.Message):
    __slots__ = ("id", "state", "done", "total", "records", "pairs_scored", "duplicate_clusters", "duplicate_records", "review_pairs_opened", "merges", "auto_merge", "error", "requested_by", "create_time", "start_time", "finish_time")
    ID_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    DONE_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    RECORDS_FIELD_NUMBER: _ClassVar[int]
    PAIRS_SCORED_FIELD_NUMBER: _ClassVar[int]
    DUPLICATE_CLUSTERS_FIELD_NUMBER: _ClassVar[int]
    DUPLICATE_RECORDS_FIELD_NUMBER: _ClassVar[int]
    REVIEW_PAIRS_OPENED_FIELD_NUMBER: _ClassVar[int]
    MERGES_FIELD_NUMBER: _ClassVar[int]
    AUTO_MERGE_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    REQUESTED_BY_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    FINISH_TIME_FIELD_NUMBER: _ClassVar[int]
    id: str
    state: DedupJobState
    done: int
    total: int
    records: int
    pairs_scored: int
    duplicate_clusters: int
    duplicate_records: int
    review_pairs_opened: int
    merges: int
    auto_merge: bool
    error: str
    requested_by: str
    create_time: _timestamp_pb2.Timestamp
    start_time: _timestamp_pb2.Timestamp
    finish_time: _timestamp_pb2.Timestamp
    def __init__(self, id: _Optional[str] = ..., state: _Optional[_Union[DedupJobState, str]] = ..., done: _Optional[int] = ..., total: _Optional[int] = ..., records: _Optional[int] = ..., pairs_scored: _Optional[int] = ..., duplicate_clusters: _Optional[int] = ..., duplicate_records: _Optional[int] = ..., review_pairs_opened: _Optional[int] = ..., merges: _Optional[int] = ..., auto_merge: _Optional[bool] = ..., error: _Optional[str] = ..., requested_by: _Optional[str] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., finish_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class StartDedupJobRequest(_message.Message):
    __slots__ = ("auto_merge",)
    AUTO_MERGE_FIELD_NUMBER: _ClassVar[int]
    auto_merge: bool
    def __init__(self, auto_merge: _Optional[bool] = ...) -> None: ...

class StartDedupJobResponse(_message.Message):
    __slots__ = ("job",)
    JOB_FIELD_NUMBER: _ClassVar[int]
    job: DedupJob
    def __init__(self, job: _Optional[_Union[DedupJob, _Mapping]] = ...) -> None: ...

class GetDedupJobRequest(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class GetDedupJobResponse(_message.Message):
    __slots__ = ("job",)
    JOB_FIELD_NUMBER: _ClassVar[int]
    job: DedupJob
    def __init__(self, job: _Optional[_Union[DedupJob, _Mapping]] = ...) -> None: ...

class ListDedupJobsRequest(_message.Message):
    __slots__ = ("page",)
    PAGE_FIELD_NUMBER: _ClassVar[int]
    page: _common_pb2.PageRequest
    def __init__(self, page: _Optional[_Union[_common_pb2.PageRequest, _Mapping]] = ...) -> None: ...

class ListDedupJobsResponse(_message.Message):
    __slots__ = ("jobs", "page")
    JOBS_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    jobs: _containers.RepeatedCompositeFieldContainer[DedupJob]
    page: _common_pb2.PageResponse
    def __init__(self, jobs: _Optional[_Iterable[_Union[DedupJob, _Mapping]]] = ..., page: _Optional[_Union[_common_pb2.PageResponse, _Mapping]] = ...) -> None: ...

class RecordIssues(_message.Message):
    __slots__ = ("record", "customer_id", "issues")
    RECORD_FIELD_NUMBER: _ClassVar[int]
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    ISSUES_FIELD_NUMBER: _ClassVar[int]
    record: _common_pb2.RecordRef
    customer_id: str
    issues: _containers.RepeatedScalarFieldContainer[DataIssue]
    def __init__(self, record: _Optional[_Union[_common_pb2.RecordRef, _Mapping]] = ..., customer_id: _Optional[str] = ..., issues: _Optional[_Iterable[_Union[DataIssue, str]]] = ...) -> None: ...

class IssueCount(_message.Message):
    __slots__ = ("issue", "records")
    ISSUE_FIELD_NUMBER: _ClassVar[int]
    RECORDS_FIELD_NUMBER: _ClassVar[int]
    issue: DataIssue
    records: int
    def __init__(self, issue: _Optional[_Union[DataIssue, str]] = ..., records: _Optional[int] = ...) -> None: ...

class DuplicateCluster(_message.Message):
    __slots__ = ("customer_ids", "records")
    CUSTOMER_IDS_FIELD_NUMBER: _ClassVar[int]
    RECORDS_FIELD_NUMBER: _ClassVar[int]
    customer_ids: _containers.RepeatedScalarFieldContainer[str]
    records: int
    def __init__(self, customer_ids: _Optional[_Iterable[str]] = ..., records: _Optional[int] = ...) -> None: ...

class GetDataQualityReportRequest(_message.Message):
    __slots__ = ("max_examples",)
    MAX_EXAMPLES_FIELD_NUMBER: _ClassVar[int]
    max_examples: int
    def __init__(self, max_examples: _Optional[int] = ...) -> None: ...

class GetDataQualityReportResponse(_message.Message):
    __slots__ = ("generate_time", "records", "customers", "records_with_issues", "issue_counts", "records_with_issue", "dedup_job", "duplicate_clusters")
    GENERATE_TIME_FIELD_NUMBER: _ClassVar[int]
    RECORDS_FIELD_NUMBER: _ClassVar[int]
    CUSTOMERS_FIELD_NUMBER: _ClassVar[int]
    RECORDS_WITH_ISSUES_FIELD_NUMBER: _ClassVar[int]
    ISSUE_COUNTS_FIELD_NUMBER: _ClassVar[int]
    RECORDS_WITH_ISSUE_FIELD_NUMBER: _ClassVar[int]
    DEDUP_JOB_FIELD_NUMBER: _ClassVar[int]
    DUPLICATE_CLUSTERS_FIELD_NUMBER: _ClassVar[int]
    generate_time: _timestamp_pb2.Timestamp
    records: int
    customers: int
    records_with_issues: int
    issue_counts: _containers.RepeatedCompositeFieldContainer[IssueCount]
    records_with_issue: _containers.RepeatedCompositeFieldContainer[RecordIssues]
    dedup_job: DedupJob
    duplicate_clusters: _containers.RepeatedCompositeFieldContainer[DuplicateCluster]
    def __init__(self, generate_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., records: _Optional[int] = ..., customers: _Optional[int] = ..., records_with_issues: _Optional[int] = ..., issue_counts: _Optional[_Iterable[_Union[IssueCount, _Mapping]]] = ..., records_with_issue: _Optional[_Iterable[_Union[RecordIssues, _Mapping]]] = ..., dedup_job: _Optional[_Union[DedupJob, _Mapping]] = ..., duplicate_clusters: _Optional[_Iterable[_Union[DuplicateCluster, _Mapping]]] = ...) -> None: ...

class FieldRule(_message.Message):
    __slots__ = ("field", "rule")
    FIELD_FIELD_NUMBER: _ClassVar[int]
    RULE_FIELD_NUMBER: _ClassVar[int]
    field: str
    rule: SurvivorshipRule
    def __init__(self, field: _Optional[str] = ..., rule: _Optional[_Union[SurvivorshipRule, str]] = ...) -> None: ...

class GetSurvivorshipRulesRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GetSurvivorshipRulesResponse(_message.Message):
    __slots__ = ("rules", "source_priority")
    RULES_FIELD_NUMBER: _ClassVar[int]
    SOURCE_PRIORITY_FIELD_NUMBER: _ClassVar[int]
    rules: _containers.RepeatedCompositeFieldContainer[FieldRule]
    source_priority: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, rules: _Optional[_Iterable[_Union[FieldRule, _Mapping]]] = ..., source_priority: _Optional[_Iterable[str]] = ...) -> None: ...

class UpdateSurvivorshipRulesRequest(_message.Message):
    __slots__ = ("rules", "source_priority")
    RULES_FIELD_NUMBER: _ClassVar[int]
    SOURCE_PRIORITY_FIELD_NUMBER: _ClassVar[int]
    rules: _containers.RepeatedCompositeFieldContainer[FieldRule]
    source_priority: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, rules: _Optional[_Iterable[_Union[FieldRule, _Mapping]]] = ..., source_priority: _Optional[_Iterable[str]] = ...) -> None: ...

class UpdateSurvivorshipRulesResponse(_message.Message):
    __slots__ = ("rules", "source_priority")
    RULES_FIELD_NUMBER: _ClassVar[int]
    SOURCE_PRIORITY_FIELD_NUMBER: _ClassVar[int]
    rules: _containers.RepeatedCompositeFieldContainer[FieldRule]
    source_priority: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, rules: _Optional[_Iterable[_Union[FieldRule, _Mapping]]] = ..., source_priority: _Optional[_Iterable[str]] = ...) -> None: ...

class PrivacyStep(_message.Message):
    __slots__ = ("service", "status", "item_count", "error", "finish_time")
    SERVICE_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    ITEM_COUNT_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    FINISH_TIME_FIELD_NUMBER: _ClassVar[int]
    service: str
    status: PrivacyStepStatus
    item_count: int
    error: str
    finish_time: _timestamp_pb2.Timestamp
    def __init__(self, service: _Optional[str] = ..., status: _Optional[_Union[PrivacyStepStatus, str]] = ..., item_count: _Optional[int] = ..., error: _Optional[str] = ..., finish_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class PrivacyRequest(_message.Message):
    __slots__ = ("id", "customer_id", "kind", "reason", "requested_by", "status", "steps", "create_time", "complete_time", "request_id")
    ID_FIELD_NUMBER: _ClassVar[int]
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    REQUESTED_BY_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    STEPS_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    COMPLETE_TIME_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    customer_id: str
    kind: PrivacyRequestKind
    reason: str
    requested_by: str
    status: PrivacyRequestStatus
    steps: _containers.RepeatedCompositeFieldContainer[PrivacyStep]
    create_time: _timestamp_pb2.Timestamp
    complete_time: _timestamp_pb2.Timestamp
    request_id: str
    def __init__(self, id: _Optional[str] = ..., customer_id: _Optional[str] = ..., kind: _Optional[_Union[PrivacyRequestKind, str]] = ..., reason: _Optional[str] = ..., requested_by: _Optional[str] = ..., status: _Optional[_Union[PrivacyRequestStatus, str]] = ..., steps: _Optional[_Iterable[_Union[PrivacyStep, _Mapping]]] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., complete_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., request_id: _Optional[str] = ...) -> None: ...

class StartPrivacyRequestRequest(_message.Message):
    __slots__ = ("customer_id", "kind", "reason", "request_id")
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    customer_id: str
    kind: PrivacyRequestKind
    reason: str
    request_id: str
    def __init__(self, customer_id: _Optional[str] = ..., kind: _Optional[_Union[PrivacyRequestKind, str]] = ..., reason: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class StartPrivacyRequestResponse(_message.Message):
    __slots__ = ("request",)
    REQUEST_FIELD_NUMBER: _ClassVar[int]
    request: PrivacyRequest
    def __init__(self, request: _Optional[_Union[PrivacyRequest, _Mapping]] = ...) -> None: ...

class GetPrivacyRequestRequest(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class GetPrivacyRequestResponse(_message.Message):
    __slots__ = ("request", "export_json")
    REQUEST_FIELD_NUMBER: _ClassVar[int]
    EXPORT_JSON_FIELD_NUMBER: _ClassVar[int]
    request: PrivacyRequest
    export_json: str
    def __init__(self, request: _Optional[_Union[PrivacyRequest, _Mapping]] = ..., export_json: _Optional[str] = ...) -> None: ...

class ListPrivacyRequestsRequest(_message.Message):
    __slots__ = ("customer_id", "page")
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    customer_id: str
    page: _common_pb2.PageRequest
    def __init__(self, customer_id: _Optional[str] = ..., page: _Optional[_Union[_common_pb2.PageRequest, _Mapping]] = ...) -> None: ...

class ListPrivacyRequestsResponse(_message.Message):
    __slots__ = ("requests", "page")
    REQUESTS_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    requests: _containers.RepeatedCompositeFieldContainer[PrivacyRequest]
    page: _common_pb2.PageResponse
    def __init__(self, requests: _Optional[_Iterable[_Union[PrivacyRequest, _Mapping]]] = ..., page: _Optional[_Union[_common_pb2.PageResponse, _Mapping]] = ...) -> None: ...
