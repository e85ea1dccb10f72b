import datetime

from crm.common.v1 import common_pb2 as _common_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Account(_message.Message):
    __slots__ = ("id", "name", "customer_id", "industry", "region", "owner_id", "create_time")
    ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    INDUSTRY_FIELD_NUMBER: _ClassVar[int]
    REGION_FIELD_NUMBER: _ClassVar[int]
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    id: str
    name: str
    customer_id: str
    industry: str
    region: str
    owner_id: str
    create_time: _timestamp_pb2.Timestamp
    def __init__(self, id: _Optional[str] = ..., name: _Optional[str] = ..., customer_id: _Optional[str] = ..., industry: _Optional[str] = ..., region: _Optional[str] = ..., owner_id: _Optional[str] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class CreateAccountRequest(_message.Message):
    __slots__ = ("name", "customer_id", "industry", "region", "owner_id")
    NAME_FIELD_NUMBER: _ClassVar[int]
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    INDUSTRY_FIELD_NUMBER: _ClassVar[int]
    REGION_FIELD_NUMBER: _ClassVar[int]
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    name: str
    customer_id: str
    industry: str
    region: str
    owner_id: str
    def __init__(self, name: _Optional[str] = ..., customer_id: _Optional[str] = ..., industry: _Optional[str] = ..., region: _Optional[str] = ..., owner_id: _Optional[str] = ...) -> None: ...

class CreateAccountResponse(_message.Message):
    __slots__ = ("account",)
    ACCOUNT_FIELD_NUMBER: _ClassVar[int]
    account: Account
    def __init__(self, account: _Optional[_Union[Account, _Mapping]] = ...) -> None: ...

class GetAccountRequest(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class GetAccountResponse(_message.Message):
    __slots__ = ("account",)
    ACCOUNT_FIELD_NUMBER: _ClassVar[int]
    account: Account
    def __init__(self, account: _Optional[_Union[Account, _Mapping]] = ...) -> None: ...

class Member(_message.Message):
    __slots__ = ("user_id", "name", "team", "region", "duties")
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    TEAM_FIELD_NUMBER: _ClassVar[int]
    REGION_FIELD_NUMBER: _ClassVar[int]
    DUTIES_FIELD_NUMBER: _ClassVar[int]
    user_id: str
    name: str
    team: str
    region: str
    duties: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, user_id: _Optional[str] = ..., name: _Optional[str] = ..., team: _Optional[str] = ..., region: _Optional[str] = ..., duties: _Optional[_Iterable[str]] = ...) -> None: ...

class UpsertMemberRequest(_message.Message):
    __slots__ = ("member",)
    MEMBER_FIELD_NUMBER: _ClassVar[int]
    member: Member
    def __init__(self, member: _Optional[_Union[Member, _Mapping]] = ...) -> None: ...

class UpsertMemberResponse(_message.Message):
    __slots__ = ("member",)
    MEMBER_FIELD_NUMBER: _ClassVar[int]
    member: Member
    def __init__(self, member: _Optional[_Union[Member, _Mapping]] = ...) -> None: ...

class StageChange(_message.Message):
    __slots__ = ("from_stage", "to_stage", "change_time", "actor", "dwell_seconds", "reason")
    FROM_STAGE_FIELD_NUMBER: _ClassVar[int]
    TO_STAGE_FIELD_NUMBER: _ClassVar[int]
    CHANGE_TIME_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    DWELL_SECONDS_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    from_stage: str
    to_stage: str
    change_time: _timestamp_pb2.Timestamp
    actor: str
    dwell_seconds: int
    reason: str
    def __init__(self, from_stage: _Optional[str] = ..., to_stage: _Optional[str] = ..., change_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., actor: _Optional[str] = ..., dwell_seconds: _Optional[int] = ..., reason: _Optional[str] = ...) -> None: ...

class Opportunity(_message.Message):
    __slots__ = ("id", "name", "account_id", "contact_id", "lead_id", "stage", "probability", "stage_enter_time", "lost_reason", "lost_note", "amount", "close_date", "owner_id", "team", "region", "channel", "create_time", "history")
    ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    CONTACT_ID_FIELD_NUMBER: _ClassVar[int]
    LEAD_ID_FIELD_NUMBER: _ClassVar[int]
    STAGE_FIELD_NUMBER: _ClassVar[int]
    PROBABILITY_FIELD_NUMBER: _ClassVar[int]
    STAGE_ENTER_TIME_FIELD_NUMBER: _ClassVar[int]
    LOST_REASON_FIELD_NUMBER: _ClassVar[int]
    LOST_NOTE_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    CLOSE_DATE_FIELD_NUMBER: _ClassVar[int]
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    TEAM_FIELD_NUMBER: _ClassVar[int]
    REGION_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    HISTORY_FIELD_NUMBER: _ClassVar[int]
    id: str
    name: str
    account_id: str
    contact_id: str
    lead_id: str
    stage: str
    probability: str
    stage_enter_time: _timestamp_pb2.Timestamp
    lost_reason: str
    lost_note: str
    amount: _common_pb2.Money
    close_date: _common_pb2.Date
    owner_id: str
    team: str
    region: str
    channel: str
    create_time: _timestamp_pb2.Timestamp
    history: _containers.RepeatedCompositeFieldContainer[StageChange]
    def __init__(self, id: _Optional[str] = ..., name: _Optional[str] = ..., account_id: _Optional[str] = ..., contact_id: _Optional[str] = ..., lead_id: _Optional[str] = ..., stage: _Optional[str] = ..., probability: _Optional[str] = ..., stage_enter_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., lost_reason: _Optional[str] = ..., lost_note: _Optional[str] = ..., amount: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., close_date: _Optional[_Union[_common_pb2.Date, _Mapping]] = ..., owner_id: _Optional[str] = ..., team: _Optional[str] = ..., region: _Optional[str] = ..., channel: _Optional[str] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., history: _Optional[_Iterable[_Union[StageChange, _Mapping]]] = ...) -> None: ...

class CreateOpportunityRequest(_message.Message):
    __slots__ = ("name", "account_id", "contact_id", "amount", "close_date", "owner_id", "channel")
    NAME_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    CONTACT_ID_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    CLOSE_DATE_FIELD_NUMBER: _ClassVar[int]
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    name: str
    account_id: str
    contact_id: str
    amount: _common_pb2.Money
    close_date: _common_pb2.Date
    owner_id: str
    channel: str
    def __init__(self, name: _Optional[str] = ..., account_id: _Optional[str] = ..., contact_id: _Optional[str] = ..., amount: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., close_date: _Optional[_Union[_common_pb2.Date, _Mapping]] = ..., owner_id: _Optional[str] = ..., channel: _Optional[str] = ...) -> None: ...

class CreateOpportunityResponse(_message.Message):
    __slots__ = ("opportunity",)
    OPPORTUNITY_FIELD_NUMBER: _ClassVar[int]
    opportunity: Opportunity
    def __init__(self, opportunity: _Optional[_Union[Opportunity, _Mapping]] = ...) -> None: ...

class GetOpportunityRequest(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class GetOpportunityResponse(_message.Message):
    __slots__ = ("opportunity",)
    OPPORTUNITY_FIELD_NUMBER: _ClassVar[int]
    opportunity: Opportunity
    def __init__(self, opportunity: _Optional[_Union[Opportunity, _Mapping]] = ...) -> None: ...

class ListOpportunitiesRequest(_message.Message):
    __slots__ = ("stage", "owner_id", "page")
    STAGE_FIELD_NUMBER: _ClassVar[int]
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    stage: str
    owner_id: str
    page: _common_pb2.PageRequest
    def __init__(self, stage: _Optional[str] = ..., owner_id: _Optional[str] = ..., page: _Optional[_Union[_common_pb2.PageRequest, _Mapping]] = ...) -> None: ...

class ListOpportunitiesResponse(_message.Message):
    __slots__ = ("opportunities", "page")
    OPPORTUNITIES_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    opportunities: _containers.RepeatedCompositeFieldContainer[Opportunity]
    page: _common_pb2.PageResponse
    def __init__(self, opportunities: _Optional[_Iterable[_Union[Opportunity, _Mapping]]] = ..., page: _Optional[_Union[_common_pb2.PageResponse, _Mapping]] = ...) -> None: ...

class MoveOpportunityRequest(_message.Message):
    __slots__ = ("id", "stage", "lost_reason", "note")
    ID_FIELD_NUMBER: _ClassVar[int]
    STAGE_FIELD_NUMBER: _ClassVar[int]
    LOST_REASON_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    id: str
    stage: str
    lost_reason: str
    note: str
    def __init__(self, id: _Optional[str] = ..., stage: _Optional[str] = ..., lost_reason: _Optional[str] = ..., note: _Optional[str] = ...) -> None: ...

class MoveOpportunityResponse(_message.Message):
    __slots__ = ("opportunity",)
    OPPORTUNITY_FIELD_NUMBER: _ClassVar[int]
    opportunity: Opportunity
    def __init__(self, opportunity: _Optional[_Union[Opportunity, _Mapping]] = ...) -> None: ...

class FunnelStage(_message.Message):
    __slots__ = ("stage", "reached", "conversion_from_previous", "conversion_from_first", "average_dwell_days", "exits")
    STAGE_FIELD_NUMBER: _ClassVar[int]
    REACHED_FIELD_NUMBER: _ClassVar[int]
    CONVERSION_FROM_PREVIOUS_FIELD_NUMBER: _ClassVar[int]
    CONVERSION_FROM_FIRST_FIELD_NUMBER: _ClassVar[int]
    AVERAGE_DWELL_DAYS_FIELD_NUMBER: _ClassVar[int]
    EXITS_FIELD_NUMBER: _ClassVar[int]
    stage: str
    reached: int
    conversion_from_previous: str
    conversion_from_first: str
    average_dwell_days: str
    exits: int
    def __init__(self, stage: _Optional[str] = ..., reached: _Optional[int] = ..., conversion_from_previous: _Optional[str] = ..., conversion_from_first: _Optional[str] = ..., average_dwell_days: _Optional[str] = ..., exits: _Optional[int] = ...) -> None: ...

class LossReason(_message.Message):
    __slots__ = ("reason", "count")
    REASON_FIELD_NUMBER: _ClassVar[int]
    COUNT_FIELD_NUMBER: _ClassVar[int]
    reason: str
    count: int
    def __init__(self, reason: _Optional[str] = ..., count: _Optional[int] = ...) -> None: ...

class GetFunnelRequest(_message.Message):
    __slots__ = ("start_date", "end_date", "team", "owner_id")
    START_DATE_FIELD_NUMBER: _ClassVar[int]
    END_DATE_FIELD_NUMBER: _ClassVar[int]
    TEAM_FIELD_NUMBER: _ClassVar[int]
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    start_date: _common_pb2.Date
    end_date: _common_pb2.Date
    team: str
    owner_id: str
    def __init__(self, start_date: _Optional[_Union[_common_pb2.Date, _Mapping]] = ..., end_date: _Optional[_Union[_common_pb2.Date, _Mapping]] = ..., team: _Optional[str] = ..., owner_id: _Optional[str] = ...) -> None: ...

class GetFunnelResponse(_message.Message):
    __slots__ = ("stages", "loss_reasons", "lost")
    STAGES_FIELD_NUMBER: _ClassVar[int]
    LOSS_REASONS_FIELD_NUMBER: _ClassVar[int]
    LOST_FIELD_NUMBER: _ClassVar[int]
    stages: _containers.RepeatedCompositeFieldContainer[FunnelStage]
    loss_reasons: _containers.RepeatedCompositeFieldContainer[LossReason]
    lost: int
    def __init__(self, stages: _Optional[_Iterable[_Union[FunnelStage, _Mapping]]] = ..., loss_reasons: _Optional[_Iterable[_Union[LossReason, _Mapping]]] = ..., lost: _Optional[int] = ...) -> None: ...

class ForecastGroup(_message.Message):
    __slots__ = ("key", "opportunities", "pipeline", "weighted", "won")
    KEY_FIELD_NUMBER: _ClassVar[int]
    OPPORTUNITIES_FIELD_NUMBER: _ClassVar[int]
    PIPELINE_FIELD_NUMBER: _ClassVar[int]
    WEIGHTED_FIELD_NUMBER: _ClassVar[int]
    WON_FIELD_NUMBER: _ClassVar[int]
    key: str
    opportunities: int
    pipeline: _common_pb2.Money
    weighted: _common_pb2.Money
    won: _common_pb2.Money
    def __init__(self, key: _Optional[str] = ..., opportunities: _Optional[int] = ..., pipeline: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., weighted: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., won: _Optional[_Union[_common_pb2.Money, _Mapping]] = ...) -> None: ...

class GetForecastRequest(_message.Message):
    __slots__ = ("start_date", "end_date", "group_by", "team", "in_tenant_currency")
    START_DATE_FIELD_NUMBER: _ClassVar[int]
    END_DATE_FIELD_NUMBER: _ClassVar[int]
    GROUP_BY_FIELD_NUMBER: _ClassVar[int]
    TEAM_FIELD_NUMBER: _ClassVar[int]
    IN_TENANT_CURRENCY_FIELD_NUMBER: _ClassVar[int]
    start_date: _common_pb2.Date
    end_date: _common_pb2.Date
    group_by: str
    team: str
    in_tenant_currency: bool
    def __init__(self, start_date: _Optional[_Union[_common_pb2.Date, _Mapping]] = ..., end_date: _Optional[_Union[_common_pb2.Date, _Mapping]] = ..., group_by: _Optional[str] = ..., team: _Optional[str] = ..., in_tenant_currency: _Optional[bool] = ...) -> None: ...

class GetForecastResponse(_message.Message):
    __slots__ = ("groups",)
    GROUPS_FIELD_NUMBER: _ClassVar[int]
    groups: _containers.RepeatedCompositeFieldContainer[ForecastGroup]
    def __init__(self, groups: _Optional[_Iterable[_Union[ForecastGroup, _Mapping]]] = ...) -> None: ...

class GetSalesSettingsRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GetSalesSettingsResponse(_message.Message):
    __slots__ = ("settings_json",)
    SETTINGS_JSON_FIELD_NUMBER: _ClassVar[int]
    settings_json: str
    def __init__(self, settings_json: _Optional[str] = ...) -> None: ...

class UpdateSalesSettingsRequest(_message.Message):
    __slots__ = ("settings_json",)
    SETTINGS_JSON_FIELD_NUMBER: _ClassVar[int]
    settings_json: str
    def __init__(self, settings_json: _Optional[str] = ...) -> None: ...

class UpdateSalesSettingsResponse(_message.Message):
    __slots__ = ("settings_json",)
    SETTINGS_JSON_FIELD_NUMBER: _ClassVar[int]
    settings_json: str
    def __init__(self, settings_json: _Optional[str] = ...) -> None: ...

class Product(_message.Message):
    __slots__ = ("id", "sku", "name", "unit", "tax_rate", "active", "category")
    ID_FIELD_NUMBER: _ClassVar[int]
    SKU_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    UNIT_FIELD_NUMBER: _ClassVar[int]
    TAX_RATE_FIELD_NUMBER: _ClassVar[int]
    ACTIVE_FIELD_NUMBER: _ClassVar[int]
    CATEGORY_FIELD_NUMBER: _ClassVar[int]
    id: str
    sku: str
    name: str
    unit: str
    tax_rate: str
    active: bool
    category: str
    def __init__(self, id: _Optional[str] = ..., sku: _Optional[str] = ..., name: _Optional[str] = ..., unit: _Optional[str] = ..., tax_rate: _Optional[str] = ..., active: _Optional[bool] = ..., category: _Optional[str] = ...) -> None: ...

class CreateProductRequest(_message.Message):
    __slots__ = ("sku", "name", "unit", "tax_rate", "category")
    SKU_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    UNIT_FIELD_NUMBER: _ClassVar[int]
    TAX_RATE_FIELD_NUMBER: _ClassVar[int]
    CATEGORY_FIELD_NUMBER: _ClassVar[int]
    sku: str
    name: str
    unit: str
    tax_rate: str
    category: str
    def __init__(self, sku: _Optional[str] = ..., name: _Optional[str] = ..., unit: _Optional[str] = ..., tax_rate: _Optional[str] = ..., category: _Optional[str] = ...) -> None: ...

class CreateProductResponse(_message.Message):
    __slots__ = ("product",)
    PRODUCT_FIELD_NUMBER: _ClassVar[int]
    product: Product
    def __init__(self, product: _Optional[_Union[Product, _Mapping]] = ...) -> None: ...

class ListProductsRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ListProductsResponse(_message.Message):
    __slots__ = ("products",)
    PRODUCTS_FIELD_NUMBER: _ClassVar[int]
    products: _containers.RepeatedCompositeFieldContainer[Product]
    def __init__(self, products: _Optional[_Iterable[_Union[Product, _Mapping]]] = ...) -> None: ...

class PriceListItem(_message.Message):
    __slots__ = ("product_id", "unit_price")
    PRODUCT_ID_FIELD_NUMBER: _ClassVar[int]
    UNIT_PRICE_FIELD_NUMBER: _ClassVar[int]
    product_id: str
    unit_price: _common_pb2.Money
    def __init__(self, product_id: _Optional[str] = ..., unit_price: _Optional[_Union[_common_pb2.Money, _Mapping]] = ...) -> None: ...

class CreatePriceListRequest(_message.Message):
    __slots__ = ("name", "currency", "items")
    NAME_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    ITEMS_FIELD_NUMBER: _ClassVar[int]
    name: str
    currency: str
    items: _containers.RepeatedCompositeFieldContainer[PriceListItem]
    def __init__(self, name: _Optional[str] = ..., currency: _Optional[str] = ..., items: _Optional[_Iterable[_Union[PriceListItem, _Mapping]]] = ...) -> None: ...

class CreatePriceListResponse(_message.Message):
    __slots__ = ("price_list_id",)
    PRICE_LIST_ID_FIELD_NUMBER: _ClassVar[int]
    price_list_id: str
    def __init__(self, price_list_id: _Optional[str] = ...) -> None: ...

class PriceList(_message.Message):
    __slots__ = ("id", "name", "currency", "create_time")
    ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    id: str
    name: str
    currency: str
    create_time: _timestamp_pb2.Timestamp
    def __init__(self, id: _Optional[str] = ..., name: _Optional[str] = ..., currency: _Optional[str] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ListPriceListsRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ListPriceListsResponse(_message.Message):
    __slots__ = ("price_lists",)
    PRICE_LISTS_FIELD_NUMBER: _ClassVar[int]
    price_lists: _containers.RepeatedCompositeFieldContainer[PriceList]
    def __init__(self, price_lists: _Optional[_Iterable[_Union[PriceList, _Mapping]]] = ...) -> None: ...

class QuoteLineInput(_message.Message):
    __slots__ = ("product_id", "quantity", "discount_percent")
    PRODUCT_ID_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    DISCOUNT_PERCENT_FIELD_NUMBER: _ClassVar[int]
    product_id: str
    quantity: str
    discount_percent: str
    def __init__(self, product_id: _Optional[str] = ..., quantity: _Optional[str] = ..., discount_percent: _Optional[str] = ...) -> None: ...

class QuoteLine(_message.Message):
    __slots__ = ("position", "product_id", "description", "quantity", "unit_price", "discount_percent", "tax_rate", "list_amount", "net_amount", "tax_amount")
    POSITION_FIELD_NUMBER: _ClassVar[int]
    PRODUCT_ID_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    UNIT_PRICE_FIELD_NUMBER: _ClassVar[int]
    DISCOUNT_PERCENT_FIELD_NUMBER: _ClassVar[int]
    TAX_RATE_FIELD_NUMBER: _ClassVar[int]
    LIST_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    NET_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    TAX_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    position: int
    product_id: str
    description: str
    quantity: str
    unit_price: _common_pb2.Money
    discount_percent: str
    tax_rate: str
    list_amount: _common_pb2.Money
    net_amount: _common_pb2.Money
    tax_amount: _common_pb2.Money
    def __init__(self, position: _Optional[int] = ..., product_id: _Optional[str] = ..., description: _Optional[str] = ..., quantity: _Optional[str] = ..., unit_price: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., discount_percent: _Optional[str] = ..., tax_rate: _Optional[str] = ..., list_amount: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., net_amount: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., tax_amount: _Optional[_Union[_common_pb2.Money, _Mapping]] = ...) -> None: ...

class Quote(_message.Message):
    __slots__ = ("id", "opportunity_id", "price_list_id", "lines", "list_total", "discount_total", "net_total", "tax_total", "total", "create_time", "line_count")
    ID_FIELD_NUMBER: _ClassVar[int]
    OPPORTUNITY_ID_FIELD_NUMBER: _ClassVar[int]
    PRICE_LIST_ID_FIELD_NUMBER: _ClassVar[int]
    LINES_FIELD_NUMBER: _ClassVar[int]
    LIST_TOTAL_FIELD_NUMBER: _ClassVar[int]
    DISCOUNT_TOTAL_FIELD_NUMBER: _ClassVar[int]
    NET_TOTAL_FIELD_NUMBER: _ClassVar[int]
    TAX_TOTAL_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    LINE_COUNT_FIELD_NUMBER: _ClassVar[int]
    id: str
    opportunity_id: str
    price_list_id: str
    lines: _containers.RepeatedCompositeFieldContainer[QuoteLine]
    list_total: _common_pb2.Money
    discount_total: _common_pb2.Money
    net_total: _common_pb2.Money
    tax_total: _common_pb2.Money
    total: _common_pb2.Money
    create_time: _timestamp_pb2.Timestamp
    line_count: int
    def __init__(self, id: _Optional[str] = ..., opportunity_id: _Optional[str] = ..., price_list_id: _Optional[str] = ..., lines: _Optional[_Iterable[_Union[QuoteLine, _Mapping]]] = ..., list_total: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., discount_total: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., net_total: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., tax_total: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., total: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., line_count: _Optional[int] = ...) -> None: ...

class CreateQuoteRequest(_message.Message):
    __slots__ = ("opportunity_id", "price_list_id", "lines")
    OPPORTUNITY_ID_FIELD_NUMBER: _ClassVar[int]
    PRICE_LIST_ID_FIELD_NUMBER: _ClassVar[int]
    LINES_FIELD_NUMBER: _ClassVar[int]
    opportunity_id: str
    price_list_id: str
    lines: _containers.RepeatedCompositeFieldContainer[QuoteLineInput]
    def __init__(self, opportunity_id: _Optional[str] = ..., price_list_id: _Optional[str] = ..., lines: _Optional[_Iterable[_Union[QuoteLineInput, _Mapping]]] = ...) -> None: ...

class CreateQuoteResponse(_message.Message):
    __slots__ = ("quote",)
    QUOTE_FIELD_NUMBER: _ClassVar[int]
    quote: Quote
    def __init__(self, quote: _Optional[_Union[Quote, _Mapping]] = ...) -> None: ...

class GetQuoteRequest(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class GetQuoteResponse(_message.Message):
    __slots__ = ("quote",)
    QUOTE_FIELD_NUMBER: _ClassVar[int]
    quote: Quote
    def __init__(self, quote: _Optional[_Union[Quote, _Mapping]] = ...) -> None: ...

class ListQuotesRequest(_message.Message):
    __slots__ = ("opportunity_id", "page")
    OPPORTUNITY_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    opportunity_id: str
    page: _common_pb2.PageRequest
    def __init__(self, opportunity_id: _Optional[str] = ..., page: _Optional[_Union[_common_pb2.PageRequest, _Mapping]] = ...) -> None: ...

class ListQuotesResponse(_message.Message):
    __slots__ = ("quotes", "page")
    QUOTES_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    quotes: _containers.RepeatedCompositeFieldContainer[Quote]
    page: _common_pb2.PageResponse
    def __init__(self, quotes: _Optional[_Iterable[_Union[Quote, _Mapping]]] = ..., page: _Optional[_Union[_common_pb2.PageResponse, _Mapping]] = ...) -> None: ...

class RenderQuotePdfRequest(_message.Message):
    __slots__ = ("quote_id",)
    QUOTE_ID_FIELD_NUMBER: _ClassVar[int]
    quote_id: str
    def __init__(self, quote_id: _Optional[str] = ...) -> None: ...

class RenderQuotePdfResponse(_message.Message):
    __slots__ = ("pdf", "file_name")
    PDF_FIELD_NUMBER: _ClassVar[int]
    FILE_NAME_FIELD_NUMBER: _ClassVar[int]
    pdf: bytes
    file_name: str
    def __init__(self, pdf: _Optional[bytes] = ..., file_name: _Optional[str] = ...) -> None: ...

class RecommendBundlesRequest(_message.Message):
    __slots__ = ("account_id",)
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    account_id: str
    def __init__(self, account_id: _Optional[str] = ...) -> None: ...

class BundleRecommendation(_message.Message):
    __slots__ = ("product_ids", "new_product_ids", "confidence", "lift", "support", "reason")
    PRODUCT_IDS_FIELD_NUMBER: _ClassVar[int]
    NEW_PRODUCT_IDS_FIELD_NUMBER: _ClassVar[int]
    CONFIDENCE_FIELD_NUMBER: _ClassVar[int]
    LIFT_FIELD_NUMBER: _ClassVar[int]
    SUPPORT_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    product_ids: _containers.RepeatedScalarFieldContainer[str]
    new_product_ids: _containers.RepeatedScalarFieldContainer[str]
    confidence: str
    lift: str
    support: str
    reason: str
    def __init__(self, product_ids: _Optional[_Iterable[str]] = ..., new_product_ids: _Optional[_Iterable[str]] = ..., confidence: _Optional[str] = ..., lift: _Optional[str] = ..., support: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class RecommendBundlesResponse(_message.Message):
    __slots__ = ("recommendations", "model")
    RECOMMENDATIONS_FIELD_NUMBER: _ClassVar[int]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    recommendations: _containers.RepeatedCompositeFieldContainer[BundleRecommendation]
    model: str
    def __init__(self, recommendations: _Optional[_Iterable[_Union[BundleRecommendation, _Mapping]]] = ..., model: _Optional[str] = ...) -> None: ...

class SetBundleModelRequest(_message.Message):
    __slots__ = ("plugin", "settings_json")
    PLUGIN_FIELD_NUMBER: _ClassVar[int]
    SETTINGS_JSON_FIELD_NUMBER: _ClassVar[int]
    plugin: str
    settings_json: str
    def __init__(self, plugin: _Optional[str] = ..., settings_json: _Optional[str] = ...) -> None: ...

class SetBundleModelResponse(_message.Message):
    __slots__ = ("plugin",)
    PLUGIN_FIELD_NUMBER: _ClassVar[int]
    plugin: str
    def __init__(self, plugin: _Optional[str] = ...) -> None: ...

class ContractTemplate(_message.Message):
    __slots__ = ("id", "name", "body")
    ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    BODY_FIELD_NUMBER: _ClassVar[int]
    id: str
    name: str
    body: str
    def __init__(self, id: _Optional[str] = ..., name: _Optional[str] = ..., body: _Optional[str] = ...) -> None: ...

class CreateContractTemplateRequest(_message.Message):
    __slots__ = ("name", "body")
    NAME_FIELD_NUMBER: _ClassVar[int]
    BODY_FIELD_NUMBER: _ClassVar[int]
    name: str
    body: str
    def __init__(self, name: _Optional[str] = ..., body: _Optional[str] = ...) -> None: ...

class CreateContractTemplateResponse(_message.Message):
    __slots__ = ("template",)
    TEMPLATE_FIELD_NUMBER: _ClassVar[int]
    template: ContractTemplate
    def __init__(self, template: _Optional[_Union[ContractTemplate, _Mapping]] = ...) -> None: ...

class ListContractTemplatesRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ListContractTemplatesResponse(_message.Message):
    __slots__ = ("templates",)
    TEMPLATES_FIELD_NUMBER: _ClassVar[int]
    templates: _containers.RepeatedCompositeFieldContainer[ContractTemplate]
    def __init__(self, templates: _Optional[_Iterable[_Union[ContractTemplate, _Mapping]]] = ...) -> None: ...

class ApprovalStep(_message.Message):
    __slots__ = ("round", "position", "duty", "condition", "state", "current", "expected_working_days", "start_time", "due_time", "decided_by", "decide_time", "reason", "contract_id")
    ROUND_FIELD_NUMBER: _ClassVar[int]
    POSITION_FIELD_NUMBER: _ClassVar[int]
    DUTY_FIELD_NUMBER: _ClassVar[int]
    CONDITION_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    CURRENT_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_WORKING_DAYS_FIELD_NUMBER: _ClassVar[int]
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    DUE_TIME_FIELD_NUMBER: _ClassVar[int]
    DECIDED_BY_FIELD_NUMBER: _ClassVar[int]
    DECIDE_TIME_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    CONTRACT_ID_FIELD_NUMBER: _ClassVar[int]
    round: int
    position: int
    duty: str
    condition: str
    state: str
    current: bool
    expected_working_days: int
    start_time: _timestamp_pb2.Timestamp
    due_time: _timestamp_pb2.Timestamp
    decided_by: str
    decide_time: _timestamp_pb2.Timestamp
    reason: str
    contract_id: str
    def __init__(self, round: _Optional[int] = ..., position: _Optional[int] = ..., duty: _Optional[str] = ..., condition: _Optional[str] = ..., state: _Optional[str] = ..., current: _Optional[bool] = ..., expected_working_days: _Optional[int] = ..., start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., due_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., decided_by: _Optional[str] = ..., decide_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., reason: _Optional[str] = ..., contract_id: _Optional[str] = ...) -> None: ...

class Contract(_message.Message):
    __slots__ = ("id", "opportunity_id", "quote_id", "template_id", "body", "special_terms", "status", "round", "total", "discount_percent", "rejection_reason", "owner_id", "team", "signed_by", "sign_time", "steps")
    ID_FIELD_NUMBER: _ClassVar[int]
    OPPORTUNITY_ID_FIELD_NUMBER: _ClassVar[int]
    QUOTE_ID_FIELD_NUMBER: _ClassVar[int]
    TEMPLATE_ID_FIELD_NUMBER: _ClassVar[int]
    BODY_FIELD_NUMBER: _ClassVar[int]
    SPECIAL_TERMS_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    ROUND_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    DISCOUNT_PERCENT_FIELD_NUMBER: _ClassVar[int]
    REJECTION_REASON_FIELD_NUMBER: _ClassVar[int]
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    TEAM_FIELD_NUMBER: _ClassVar[int]
    SIGNED_BY_FIELD_NUMBER: _ClassVar[int]
    SIGN_TIME_FIELD_NUMBER: _ClassVar[int]
    STEPS_FIELD_NUMBER: _ClassVar[int]
    id: str
    opportunity_id: str
    quote_id: str
    template_id: str
    body: str
    special_terms: str
    status: str
    round: int
    total: _common_pb2.Money
    discount_percent: str
    rejection_reason: str
    owner_id: str
    team: str
    signed_by: str
    sign_time: _timestamp_pb2.Timestamp
    steps: _containers.RepeatedCompositeFieldContainer[ApprovalStep]
    def __init__(self, id: _Optional[str] = ..., opportunity_id: _Optional[str] = ..., quote_id: _Optional[str] = ..., template_id: _Optional[str] = ..., body: _Optional[str] = ..., special_terms: _Optional[str] = ..., status: _Optional[str] = ..., round: _Optional[int] = ..., total: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., discount_percent: _Optional[str] = ..., rejection_reason: _Optional[str] = ..., owner_id: _Optional[str] = ..., team: _Optional[str] = ..., signed_by: _Optional[str] = ..., sign_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., steps: _Optional[_Iterable[_Union[ApprovalStep, _Mapping]]] = ...) -> None: ...

class CreateContractRequest(_message.Message):
    __slots__ = ("quote_id", "template_id", "special_terms")
    QUOTE_ID_FIELD_NUMBER: _ClassVar[int]
    TEMPLATE_ID_FIELD_NUMBER: _ClassVar[int]
    SPECIAL_TERMS_FIELD_NUMBER: _ClassVar[int]
    quote_id: str
    template_id: str
    special_terms: str
    def __init__(self, quote_id: _Optional[str] = ..., template_id: _Optional[str] = ..., special_terms: _Optional[str] = ...) -> None: ...

class CreateContractResponse(_message.Message):
    __slots__ = ("contract",)
    CONTRACT_FIELD_NUMBER: _ClassVar[int]
    contract: Contract
    def __init__(self, contract: _Optional[_Union[Contract, _Mapping]] = ...) -> None: ...

class SubmitContractRequest(_message.Message):
    __slots__ = ("id", "special_terms")
    ID_FIELD_NUMBER: _ClassVar[int]
    SPECIAL_TERMS_FIELD_NUMBER: _ClassVar[int]
    id: str
    special_terms: str
    def __init__(self, id: _Optional[str] = ..., special_terms: _Optional[str] = ...) -> None: ...

class SubmitContractResponse(_message.Message):
    __slots__ = ("contract",)
    CONTRACT_FIELD_NUMBER: _ClassVar[int]
    contract: Contract
    def __init__(self, contract: _Optional[_Union[Contract, _Mapping]] = ...) -> None: ...

class DecideApprovalRequest(_message.Message):
    __slots__ = ("contract_id", "approve", "reason")
    CONTRACT_ID_FIELD_NUMBER: _ClassVar[int]
    APPROVE_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    contract_id: str
    approve: bool
    reason: str
    def __init__(self, contract_id: _Optional[str] = ..., approve: _Optional[bool] = ..., reason: _Optional[str] = ...) -> None: ...

class DecideApprovalResponse(_message.Message):
    __slots__ = ("contract",)
    CONTRACT_FIELD_NUMBER: _ClassVar[int]
    contract: Contract
    def __init__(self, contract: _Optional[_Union[Contract, _Mapping]] = ...) -> None: ...

class SignContractRequest(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class SignContractResponse(_message.Message):
    __slots__ = ("contract",)
    CONTRACT_FIELD_NUMBER: _ClassVar[int]
    contract: Contract
    def __init__(self, contract: _Optional[_Union[Contract, _Mapping]] = ...) -> None: ...

class GetContractRequest(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class GetContractResponse(_message.Message):
    __slots__ = ("contract",)
    CONTRACT_FIELD_NUMBER: _ClassVar[int]
    contract: Contract
    def __init__(self, contract: _Optional[_Union[Contract, _Mapping]] = ...) -> None: ...

class ListPendingApprovalsRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ListPendingApprovalsResponse(_message.Message):
    __slots__ = ("steps",)
    STEPS_FIELD_NUMBER: _ClassVar[int]
    steps: _containers.RepeatedCompositeFieldContainer[ApprovalStep]
    def __init__(self, steps: _Optional[_Iterable[_Union[ApprovalStep, _Mapping]]] = ...) -> None: ...

class OrderLine(_message.Message):
    __slots__ = ("position", "product_id", "description", "quantity", "unit_price", "discount_percent", "tax_rate", "list_amount", "net_amount", "tax_amount")
    POSITION_FIELD_NUMBER: _ClassVar[int]
    PRODUCT_ID_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    UNIT_PRICE_FIELD_NUMBER: _ClassVar[int]
    DISCOUNT_PERCENT_FIELD_NUMBER: _ClassVar[int]
    TAX_RATE_FIELD_NUMBER: _ClassVar[int]
    LIST_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    NET_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    TAX_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    position: int
    product_id: str
    description: str
    quantity: str
    unit_price: _common_pb2.Money
    discount_percent: str
    tax_rate: str
    list_amount: _common_pb2.Money
    net_amount: _common_pb2.Money
    tax_amount: _common_pb2.Money
    def __init__(self, position: _Optional[int] = ..., product_id: _Optional[str] = ..., description: _Optional[str] = ..., quantity: _Optional[str] = ..., unit_price: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., discount_percent: _Optional[str] = ..., tax_rate: _Optional[str] = ..., list_amount: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., net_amount: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., tax_amount: _Optional[_Union[_common_pb2.Money, _Mapping]] = ...) -> None: ...

class Order(_message.Message):
    __slots__ = ("id", "request_id", "account_id", "opportunity_id", "price_list_id", "status", "list_total", "discount_total", "net_total", "tax_total", "total", "owner_id", "team", "payment_reference", "tracking_number", "refund_reason", "place_time", "pay_time", "ship_time", "receive_time", "refund_time", "lines", "cancel_reason", "cancel_time")
    ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    OPPORTUNITY_ID_FIELD_NUMBER: _ClassVar[int]
    PRICE_LIST_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    LIST_TOTAL_FIELD_NUMBER: _ClassVar[int]
    DISCOUNT_TOTAL_FIELD_NUMBER: _ClassVar[int]
    NET_TOTAL_FIELD_NUMBER: _ClassVar[int]
    TAX_TOTAL_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    TEAM_FIELD_NUMBER: _ClassVar[int]
    PAYMENT_REFERENCE_FIELD_NUMBER: _ClassVar[int]
    TRACKING_NUMBER_FIELD_NUMBER: _ClassVar[int]
    REFUND_REASON_FIELD_NUMBER: _ClassVar[int]
    PLACE_TIME_FIELD_NUMBER: _ClassVar[int]
    PAY_TIME_FIELD_NUMBER: _ClassVar[int]
    SHIP_TIME_FIELD_NUMBER: _ClassVar[int]
    RECEIVE_TIME_FIELD_NUMBER: _ClassVar[int]
    REFUND_TIME_FIELD_NUMBER: _ClassVar[int]
    LINES_FIELD_NUMBER: _ClassVar[int]
    CANCEL_REASON_FIELD_NUMBER: _ClassVar[int]
    CANCEL_TIME_FIELD_NUMBER: _ClassVar[int]
    id: str
    request_id: str
    account_id: str
    opportunity_id: str
    price_list_id: str
    status: str
    list_total: _common_pb2.Money
    discount_total: _common_pb2.Money
    net_total: _common_pb2.Money
    tax_total: _common_pb2.Money
    total: _common_pb2.Money
    owner_id: str
    team: str
    payment_reference: str
    tracking_number: str
    refund_reason: str
    place_time: _timestamp_pb2.Timestamp
    pay_time: _timestamp_pb2.Timestamp
    ship_time: _timestamp_pb2.Timestamp
    receive_time: _timestamp_pb2.Timestamp
    refund_time: _timestamp_pb2.Timestamp
    lines: _containers.RepeatedCompositeFieldContainer[OrderLine]
    cancel_reason: str
    cancel_time: _timestamp_pb2.Timestamp
    def __init__(self, id: _Optional[str] = ..., request_id: _Optional[str] = ..., account_id: _Optional[str] = ..., opportunity_id: _Optional[str] = ..., price_list_id: _Optional[str] = ..., status: _Optional[str] = ..., list_total: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., discount_total: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., net_total: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., tax_total: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., total: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., owner_id: _Optional[str] = ..., team: _Optional[str] = ..., payment_reference: _Optional[str] = ..., tracking_number: _Optional[str] = ..., refund_reason: _Optional[str] = ..., place_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., pay_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., ship_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., receive_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., refund_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., lines: _Optional[_Iterable[_Union[OrderLine, _Mapping]]] = ..., cancel_reason: _Optional[str] = ..., cancel_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class PlaceOrderRequest(_message.Message):
    __slots__ = ("request_id", "account_id", "price_list_id", "lines", "opportunity_id")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    PRICE_LIST_ID_FIELD_NUMBER: _ClassVar[int]
    LINES_FIELD_NUMBER: _ClassVar[int]
    OPPORTUNITY_ID_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    account_id: str
    price_list_id: str
    lines: _containers.RepeatedCompositeFieldContainer[QuoteLineInput]
    opportunity_id: str
    def __init__(self, request_id: _Optional[str] = ..., account_id: _Optional[str] = ..., price_list_id: _Optional[str] = ..., lines: _Optional[_Iterable[_Union[QuoteLineInput, _Mapping]]] = ..., opportunity_id: _Optional[str] = ...) -> None: ...

class PlaceOrderResponse(_message.Message):
    __slots__ = ("order", "replayed")
    ORDER_FIELD_NUMBER: _ClassVar[int]
    REPLAYED_FIELD_NUMBER: _ClassVar[int]
    order: Order
    replayed: bool
    def __init__(self, order: _Optional[_Union[Order, _Mapping]] = ..., replayed: _Optional[bool] = ...) -> None: ...

class GetOrderRequest(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class GetOrderResponse(_message.Message):
    __slots__ = ("order",)
    ORDER_FIELD_NUMBER: _ClassVar[int]
    order: Order
    def __init__(self, order: _Optional[_Union[Order, _Mapping]] = ...) -> None: ...

class PayOrderRequest(_message.Message):
    __slots__ = ("id", "payment_reference")
    ID_FIELD_NUMBER: _ClassVar[int]
    PAYMENT_REFERENCE_FIELD_NUMBER: _ClassVar[int]
    id: str
    payment_reference: str
    def __init__(self, id: _Optional[str] = ..., payment_reference: _Optional[str] = ...) -> None: ...

class PayOrderResponse(_message.Message):
    __slots__ = ("order",)
    ORDER_FIELD_NUMBER: _ClassVar[int]
    order: Order
    def __init__(self, order: _Optional[_Union[Order, _Mapping]] = ...) -> None: ...

class ShipOrderRequest(_message.Message):
    __slots__ = ("id", "tracking_number")
    ID_FIELD_NUMBER: _ClassVar[int]
    TRACKING_NUMBER_FIELD_NUMBER: _ClassVar[int]
    id: str
    tracking_number: str
    def __init__(self, id: _Optional[str] = ..., tracking_number: _Optional[str] = ...) -> None: ...

class ShipOrderResponse(_message.Message):
    __slots__ = ("order",)
    ORDER_FIELD_NUMBER: _ClassVar[int]
    order: Order
    def __init__(self, order: _Optional[_Union[Order, _Mapping]] = ...) -> None: ...

class ReceiveOrderRequest(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class ReceiveOrderResponse(_message.Message):
    __slots__ = ("order",)
    ORDER_FIELD_NUMBER: _ClassVar[int]
    order: Order
    def __init__(self, order: _Optional[_Union[Order, _Mapping]] = ...) -> None: ...

class RefundOrderRequest(_message.Message):
    __slots__ = ("id", "reason")
    ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    id: str
    reason: str
    def __init__(self, id: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class RefundOrderResponse(_message.Message):
    __slots__ = ("order",)
    ORDER_FIELD_NUMBER: _ClassVar[int]
    order: Order
    def __init__(self, order: _Optional[_Union[Order, _Mapping]] = ...) -> None: ...

class CancelOrderRequest(_message.Message):
    __slots__ = ("id", "reason")
    ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    id: str
    reason: str
    def __init__(self, id: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class CancelOrderResponse(_message.Message):
    __slots__ = ("order",)
    ORDER_FIELD_NUMBER: _ClassVar[int]
    order: Order
    def __init__(self, order: _Optional[_Union[Order, _Mapping]] = ...) -> None: ...

class ListOrdersRequest(_message.Message):
    __slots__ = ("status", "account_id", "customer_id", "place_time_start", "place_time_end", "page")
    STATUS_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    PLACE_TIME_START_FIELD_NUMBER: _ClassVar[int]
    PLACE_TIME_END_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    status: str
    account_id: str
    customer_id: str
    place_time_start: _timestamp_pb2.Timestamp
    place_time_end: _timestamp_pb2.Timestamp
    page: _common_pb2.PageRequest
    def __init__(self, status: _Optional[str] = ..., account_id: _Optional[str] = ..., customer_id: _Optional[str] = ..., place_time_start: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., place_time_end: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., page: _Optional[_Union[_common_pb2.PageRequest, _Mapping]] = ...) -> None: ...

class ListOrdersResponse(_message.Message):
    __slots__ = ("orders", "page")
    ORDERS_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    orders: _containers.RepeatedCompositeFieldContainer[Order]
    page: _common_pb2.PageResponse
    def __init__(self, orders: _Optional[_Iterable[_Union[Order, _Mapping]]] = ..., page: _Optional[_Union[_common_pb2.PageResponse, _Mapping]] = ...) -> None: ...

class Commitment(_message.Message):
    __slots__ = ("id", "opportunity_id", "contract_id", "handover_id", "account_id", "description", "due_in_days", "working_days", "due_date", "status", "due_time", "at_risk_time", "owner_id", "created_by", "completed_by", "complete_time", "completion_note")
    ID_FIELD_NUMBER: _ClassVar[int]
    OPPORTUNITY_ID_FIELD_NUMBER: _ClassVar[int]
    CONTRACT_ID_FIELD_NUMBER: _ClassVar[int]
    HANDOVER_ID_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    DUE_IN_DAYS_FIELD_NUMBER: _ClassVar[int]
    WORKING_DAYS_FIELD_NUMBER: _ClassVar[int]
    DUE_DATE_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    DUE_TIME_FIELD_NUMBER: _ClassVar[int]
    AT_RISK_TIME_FIELD_NUMBER: _ClassVar[int]
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    CREATED_BY_FIELD_NUMBER: _ClassVar[int]
    COMPLETED_BY_FIELD_NUMBER: _ClassVar[int]
    COMPLETE_TIME_FIELD_NUMBER: _ClassVar[int]
    COMPLETION_NOTE_FIELD_NUMBER: _ClassVar[int]
    id: str
    opportunity_id: str
    contract_id: str
    handover_id: str
    account_id: str
    description: str
    due_in_days: int
    working_days: bool
    due_date: _common_pb2.Date
    status: str
    due_time: _timestamp_pb2.Timestamp
    at_risk_time: _timestamp_pb2.Timestamp
    owner_id: str
    created_by: str
    completed_by: str
    complete_time: _timestamp_pb2.Timestamp
    completion_note: str
    def __init__(self, id: _Optional[str] = ..., opportunity_id: _Optional[str] = ..., contract_id: _Optional[str] = ..., handover_id: _Optional[str] = ..., account_id: _Optional[str] = ..., description: _Optional[str] = ..., due_in_days: _Optional[int] = ..., working_days: _Optional[bool] = ..., due_date: _Optional[_Union[_common_pb2.Date, _Mapping]] = ..., status: _Optional[str] = ..., due_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., at_risk_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., owner_id: _Optional[str] = ..., created_by: _Optional[str] = ..., completed_by: _Optional[str] = ..., complete_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., completion_note: _Optional[str] = ...) -> None: ...

class AddCommitmentRequest(_message.Message):
    __slots__ = ("opportunity_id", "contract_id", "description", "due_in_days", "working_days", "due_date")
    OPPORTUNITY_ID_FIELD_NUMBER: _ClassVar[int]
    CONTRACT_ID_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    DUE_IN_DAYS_FIELD_NUMBER: _ClassVar[int]
    WORKING_DAYS_FIELD_NUMBER: _ClassVar[int]
    DUE_DATE_FIELD_NUMBER: _ClassVar[int]
    opportunity_id: str
    contract_id: str
    description: str
    due_in_days: int
    working_days: bool
    due_date: _common_pb2.Date
    def __init__(self, opportunity_id: _Optional[str] = ..., contract_id: _Optional[str] = ..., description: _Optional[str] = ..., due_in_days: _Optional[int] = ..., working_days: _Optional[bool] = ..., due_date: _Optional[_Union[_common_pb2.Date, _Mapping]] = ...) -> None: ...

class AddCommitmentResponse(_message.Message):
    __slots__ = ("commitment",)
    COMMITMENT_FIELD_NUMBER: _ClassVar[int]
    commitment: Commitment
    def __init__(self, commitment: _Optional[_Union[Commitment, _Mapping]] = ...) -> None: ...

class ListCommitmentsRequest(_message.Message):
    __slots__ = ("status", "due_before", "handover_id", "opportunity_id", "page")
    STATUS_FIELD_NUMBER: _ClassVar[int]
    DUE_BEFORE_FIELD_NUMBER: _ClassVar[int]
    HANDOVER_ID_FIELD_NUMBER: _ClassVar[int]
    OPPORTUNITY_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    status: str
    due_before: _timestamp_pb2.Timestamp
    handover_id: str
    opportunity_id: str
    page: _common_pb2.PageRequest
    def __init__(self, status: _Optional[str] = ..., due_before: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., handover_id: _Optional[str] = ..., opportunity_id: _Optional[str] = ..., page: _Optional[_Union[_common_pb2.PageRequest, _Mapping]] = ...) -> None: ...

class ListCommitmentsResponse(_message.Message):
    __slots__ = ("commitments", "page")
    COMMITMENTS_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    commitments: _containers.RepeatedCompositeFieldContainer[Commitment]
    page: _common_pb2.PageResponse
    def __init__(self, commitments: _Optional[_Iterable[_Union[Commitment, _Mapping]]] = ..., page: _Optional[_Union[_common_pb2.PageResponse, _Mapping]] = ...) -> None: ...

class CompleteCommitmentRequest(_message.Message):
    __slots__ = ("id", "note")
    ID_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    id: str
    note: str
    def __init__(self, id: _Optional[str] = ..., note: _Optional[str] = ...) -> None: ...

class CompleteCommitmentResponse(_message.Message):
    __slots__ = ("commitment",)
    COMMITMENT_FIELD_NUMBER: _ClassVar[int]
    commitment: Commitment
    def __init__(self, commitment: _Optional[_Union[Commitment, _Mapping]] = ...) -> None: ...

class Contact(_message.Message):
    __slots__ = ("id", "name", "email", "phone", "customer_id", "account_id", "title", "create_time")
    ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    PHONE_FIELD_NUMBER: _ClassVar[int]
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    id: str
    name: str
    email: str
    phone: str
    customer_id: str
    account_id: str
    title: str
    create_time: _timestamp_pb2.Timestamp
    def __init__(self, id: _Optional[str] = ..., name: _Optional[str] = ..., email: _Optional[str] = ..., phone: _Optional[str] = ..., customer_id: _Optional[str] = ..., account_id: _Optional[str] = ..., title: _Optional[str] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class CreateContactRequest(_message.Message):
    __slots__ = ("account_id", "name", "title", "email", "phone", "customer_id")
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    PHONE_FIELD_NUMBER: _ClassVar[int]
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    account_id: str
    name: str
    title: str
    email: str
    phone: str
    customer_id: str
    def __init__(self, account_id: _Optional[str] = ..., name: _Optional[str] = ..., title: _Optional[str] = ..., email: _Optional[str] = ..., phone: _Optional[str] = ..., customer_id: _Optional[str] = ...) -> None: ...

class CreateContactResponse(_message.Message):
    __slots__ = ("contact",)
    CONTACT_FIELD_NUMBER: _ClassVar[int]
    contact: Contact
    def __init__(self, contact: _Optional[_Union[Contact, _Mapping]] = ...) -> None: ...

class UpdateContactRequest(_message.Message):
    __slots__ = ("id", "name", "title", "email", "phone", "customer_id")
    ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    PHONE_FIELD_NUMBER: _ClassVar[int]
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    name: str
    title: str
    email: str
    phone: str
    customer_id: str
    def __init__(self, id: _Optional[str] = ..., name: _Optional[str] = ..., title: _Optional[str] = ..., email: _Optional[str] = ..., phone: _Optional[str] = ..., customer_id: _Optional[str] = ...) -> None: ...

class UpdateContactResponse(_message.Message):
    __slots__ = ("contact",)
    CONTACT_FIELD_NUMBER: _ClassVar[int]
    contact: Contact
    def __init__(self, contact: _Optional[_Union[Contact, _Mapping]] = ...) -> None: ...

class GetContactRequest(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class GetContactResponse(_message.Message):
    __slots__ = ("contact",)
    CONTACT_FIELD_NUMBER: _ClassVar[int]
    contact: Contact
    def __init__(self, contact: _Optional[_Union[Contact, _Mapping]] = ...) -> None: ...

class ListContactsRequest(_message.Message):
    __slots__ = ("account_id", "page")
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    account_id: str
    page: _common_pb2.PageRequest
    def __init__(self, account_id: _Optional[str] = ..., page: _Optional[_Union[_common_pb2.PageRequest, _Mapping]] = ...) -> None: ...

class ListContactsResponse(_message.Message):
    __slots__ = ("contacts", "page")
    CONTACTS_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    contacts: _containers.RepeatedCompositeFieldContainer[Contact]
    page: _common_pb2.PageResponse
    def __init__(self, contacts: _Optional[_Iterable[_Union[Contact, _Mapping]]] = ..., page: _Optional[_Union[_common_pb2.PageResponse, _Mapping]] = ...) -> None: ...

class HandoverPackage(_message.Message):
    __slots__ = ("handover_id", "account", "contacts", "opportunity", "quote", "contract", "approval_history", "commitments", "create_time")
    HANDOVER_ID_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_FIELD_NUMBER: _ClassVar[int]
    CONTACTS_FIELD_NUMBER: _ClassVar[int]
    OPPORTUNITY_FIELD_NUMBER: _ClassVar[int]
    QUOTE_FIELD_NUMBER: _ClassVar[int]
    CONTRACT_FIELD_NUMBER: _ClassVar[int]
    APPROVAL_HISTORY_FIELD_NUMBER: _ClassVar[int]
    COMMITMENTS_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    handover_id: str
    account: Account
    contacts: _containers.RepeatedCompositeFieldContainer[Contact]
    opportunity: Opportunity
    quote: Quote
    contract: Contract
    approval_history: _containers.RepeatedCompositeFieldContainer[ApprovalStep]
    commitments: _containers.RepeatedCompositeFieldContainer[Commitment]
    create_time: _timestamp_pb2.Timestamp
    def __init__(self, handover_id: _Optional[str] = ..., account: _Optional[_Union[Account, _Mapping]] = ..., contacts: _Optional[_Iterable[_Union[Contact, _Mapping]]] = ..., opportunity: _Optional[_Union[Opportunity, _Mapping]] = ..., quote: _Optional[_Union[Quote, _Mapping]] = ..., contract: _Optional[_Union[Contract, _Mapping]] = ..., approval_history: _Optional[_Iterable[_Union[ApprovalStep, _Mapping]]] = ..., commitments: _Optional[_Iterable[_Union[Commitment, _Mapping]]] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class GetHandoverRequest(_message.Message):
    __slots__ = ("id", "contract_id")
    ID_FIELD_NUMBER: _ClassVar[int]
    CONTRACT_ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    contract_id: str
    def __init__(self, id: _Optional[str] = ..., contract_id: _Optional[str] = ...) -> None: ...

class GetHandoverResponse(_message.Message):
    __slots__ = ("handover", "commitments")
    HANDOVER_FIELD_NUMBER: _ClassVar[int]
    COMMITMENTS_FIELD_NUMBER: _ClassVar[int]
    handover: HandoverPackage
    commitments: _containers.RepeatedCompositeFieldContainer[Commitment]
    def __init__(self, handover: _Optional[_Union[HandoverPackage, _Mapping]] = ..., commitments: _Optional[_Iterable[_Union[Commitment, _Mapping]]] = ...) -> None: ...

class Target(_message.Message):
    __slots__ = ("id", "scope", "subject", "period", "start_date", "end_date", "amount")
    ID_FIELD_NUMBER: _ClassVar[int]
    SCOPE_FIELD_NUMBER: _ClassVar[int]
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    PERIOD_FIELD_NUMBER: _ClassVar[int]
    START_DATE_FIELD_NUMBER: _ClassVar[int]
    END_DATE_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    id: str
    scope: str
    subject: str
    period: str
    start_date: _common_pb2.Date
    end_date: _common_pb2.Date
    amount: _common_pb2.Money
    def __init__(self, id: _Optional[str] = ..., scope: _Optional[str] = ..., subject: _Optional[str] = ..., period: _Optional[str] = ..., start_date: _Optional[_Union[_common_pb2.Date, _Mapping]] = ..., end_date: _Optional[_Union[_common_pb2.Date, _Mapping]] = ..., amount: _Optional[_Union[_common_pb2.Money, _Mapping]] = ...) -> None: ...

class SetTargetRequest(_message.Message):
    __slots__ = ("scope", "subject", "period", "amount")
    SCOPE_FIELD_NUMBER: _ClassVar[int]
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    PERIOD_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    scope: str
    subject: str
    period: str
    amount: _common_pb2.Money
    def __init__(self, scope: _Optional[str] = ..., subject: _Optional[str] = ..., period: _Optional[str] = ..., amount: _Optional[_Union[_common_pb2.Money, _Mapping]] = ...) -> None: ...

class SetTargetResponse(_message.Message):
    __slots__ = ("target",)
    TARGET_FIELD_NUMBER: _ClassVar[int]
    target: Target
    def __init__(self, target: _Optional[_Union[Target, _Mapping]] = ...) -> None: ...

class GetAttainmentRequest(_message.Message):
    __slots__ = ("scope", "subject", "period")
    SCOPE_FIELD_NUMBER: _ClassVar[int]
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    PERIOD_FIELD_NUMBER: _ClassVar[int]
    scope: str
    subject: str
    period: str
    def __init__(self, scope: _Optional[str] = ..., subject: _Optional[str] = ..., period: _Optional[str] = ...) -> None: ...

class GetAttainmentResponse(_message.Message):
    __slots__ = ("target", "won", "won_count", "attainment_percent", "open_pipeline", "weighted_pipeline", "open_count", "unconverted_won", "unconverted_open", "start_date", "end_date")
    TARGET_FIELD_NUMBER: _ClassVar[int]
    WON_FIELD_NUMBER: _ClassVar[int]
    WON_COUNT_FIELD_NUMBER: _ClassVar[int]
    ATTAINMENT_PERCENT_FIELD_NUMBER: _ClassVar[int]
    OPEN_PIPELINE_FIELD_NUMBER: _ClassVar[int]
    WEIGHTED_PIPELINE_FIELD_NUMBER: _ClassVar[int]
    OPEN_COUNT_FIELD_NUMBER: _ClassVar[int]
    UNCONVERTED_WON_FIELD_NUMBER: _ClassVar[int]
    UNCONVERTED_OPEN_FIELD_NUMBER: _ClassVar[int]
    START_DATE_FIELD_NUMBER: _ClassVar[int]
    END_DATE_FIELD_NUMBER: _ClassVar[int]
    target: Target
    won: _common_pb2.Money
    won_count: int
    attainment_percent: str
    open_pipeline: _common_pb2.Money
    weighted_pipeline: _common_pb2.Money
    open_count: int
    unconverted_won: _containers.RepeatedCompositeFieldContainer[_common_pb2.Money]
    unconverted_open: _containers.RepeatedCompositeFieldContainer[_common_pb2.Money]
    start_date: _common_pb2.Date
    end_date: _common_pb2.Date
    def __init__(self, target: _Optional[_Union[Target, _Mapping]] = ..., won: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., won_count: _Optional[int] = ..., attainment_percent: _Optional[str] = ..., open_pipeline: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., weighted_pipeline: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., open_count: _Optional[int] = ..., unconverted_won: _Optional[_Iterable[_Union[_common_pb2.Money, _Mapping]]] = ..., unconverted_open: _Optional[_Iterable[_Union[_common_pb2.Money, _Mapping]]] = ..., start_date: _Optional[_Union[_common_pb2.Date, _Mapping]] = ..., end_date: _Optional[_Union[_common_pb2.Date, _Mapping]] = ...) -> None: ...

class SetCommissionPlanRequest(_message.Message):
    __slots__ = ("scope", "subject", "name", "rules_json", "effective_from")
    SCOPE_FIELD_NUMBER: _ClassVar[int]
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    RULES_JSON_FIELD_NUMBER: _ClassVar[int]
    EFFECTIVE_FROM_FIELD_NUMBER: _ClassVar[int]
    scope: str
    subject: str
    name: str
    rules_json: str
    effective_from: _common_pb2.Date
    def __init__(self, scope: _Optional[str] = ..., subject: _Optional[str] = ..., name: _Optional[str] = ..., rules_json: _Optional[str] = ..., effective_from: _Optional[_Union[_common_pb2.Date, _Mapping]] = ...) -> None: ...

class SetCommissionPlanResponse(_message.Message):
    __slots__ = ("scope", "subject", "name", "rules_json", "effective_from")
    SCOPE_FIELD_NUMBER: _ClassVar[int]
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    RULES_JSON_FIELD_NUMBER: _ClassVar[int]
    EFFECTIVE_FROM_FIELD_NUMBER: _ClassVar[int]
    scope: str
    subject: str
    name: str
    rules_json: str
    effective_from: _common_pb2.Date
    def __init__(self, scope: _Optional[str] = ..., subject: _Optional[str] = ..., name: _Optional[str] = ..., rules_json: _Optional[str] = ..., effective_from: _Optional[_Union[_common_pb2.Date, _Mapping]] = ...) -> None: ...

class CommissionPart(_message.Message):
    __slots__ = ("kind", "label", "basis", "rate_percent", "commission")
    KIND_FIELD_NUMBER: _ClassVar[int]
    LABEL_FIELD_NUMBER: _ClassVar[int]
    BASIS_FIELD_NUMBER: _ClassVar[int]
    RATE_PERCENT_FIELD_NUMBER: _ClassVar[int]
    COMMISSION_FIELD_NUMBER: _ClassVar[int]
    kind: str
    label: str
    basis: _common_pb2.Money
    rate_percent: str
    commission: str
    def __init__(self, kind: _Optional[str] = ..., label: _Optional[str] = ..., basis: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., rate_percent: _Optional[str] = ..., commission: _Optional[str] = ...) -> None: ...

class CommissionLine(_message.Message):
    __slots__ = ("opportunity_id", "name", "won_date", "amount", "converted", "parts", "commission", "plan_scope", "plan_name", "plan_effective_from")
    OPPORTUNITY_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    WON_DATE_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    CONVERTED_FIELD_NUMBER: _ClassVar[int]
    PARTS_FIELD_NUMBER: _ClassVar[int]
    COMMISSION_FIELD_NUMBER: _ClassVar[int]
    PLAN_SCOPE_FIELD_NUMBER: _ClassVar[int]
    PLAN_NAME_FIELD_NUMBER: _ClassVar[int]
    PLAN_EFFECTIVE_FROM_FIELD_NUMBER: _ClassVar[int]
    opportunity_id: str
    name: str
    won_date: _common_pb2.Date
    amount: _common_pb2.Money
    converted: _common_pb2.Money
    parts: _containers.RepeatedCompositeFieldContainer[CommissionPart]
    commission: _common_pb2.Money
    plan_scope: str
    plan_name: str
    plan_effective_from: _common_pb2.Date
    def __init__(self, opportunity_id: _Optional[str] = ..., name: _Optional[str] = ..., won_date: _Optional[_Union[_common_pb2.Date, _Mapping]] = ..., amount: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., converted: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., parts: _Optional[_Iterable[_Union[CommissionPart, _Mapping]]] = ..., commission: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., plan_scope: _Optional[str] = ..., plan_name: _Optional[str] = ..., plan_effective_from: _Optional[_Union[_common_pb2.Date, _Mapping]] = ...) -> None: ...

class ComputeCommissionsRequest(_message.Message):
    __slots__ = ("owner_id", "period")
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    PERIOD_FIELD_NUMBER: _ClassVar[int]
    owner_id: str
    period: str
    def __init__(self, owner_id: _Optional[str] = ..., period: _Optional[str] = ...) -> None: ...

class ComputeCommissionsResponse(_message.Message):
    __slots__ = ("owner_id", "period", "plan_scope", "plan_name", "lines", "won", "total", "plan_effective_from")
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    PERIOD_FIELD_NUMBER: _ClassVar[int]
    PLAN_SCOPE_FIELD_NUMBER: _ClassVar[int]
    PLAN_NAME_FIELD_NUMBER: _ClassVar[int]
    LINES_FIELD_NUMBER: _ClassVar[int]
    WON_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    PLAN_EFFECTIVE_FROM_FIELD_NUMBER: _ClassVar[int]
    owner_id: str
    period: str
    plan_scope: str
    plan_name: str
    lines: _containers.RepeatedCompositeFieldContainer[CommissionLine]
    won: _common_pb2.Money
    total: _common_pb2.Money
    plan_effective_from: _common_pb2.Date
    def __init__(self, owner_id: _Optional[str] = ..., period: _Optional[str] = ..., plan_scope: _Optional[str] = ..., plan_name: _Optional[str] = ..., lines: _Optional[_Iterable[_Union[CommissionLine, _Mapping]]] = ..., won: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., total: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., plan_effective_from: _Optional[_Union[_common_pb2.Date, _Mapping]] = ...) -> None: ...

class CommissionPlanVersion(_message.Message):
    __slots__ = ("scope", "subject", "name", "rules_json", "effective_from", "effective_until", "set_by", "update_time")
    SCOPE_FIELD_NUMBER: _ClassVar[int]
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    RULES_JSON_FIELD_NUMBER: _ClassVar[int]
    EFFECTIVE_FROM_FIELD_NUMBER: _ClassVar[int]
    EFFECTIVE_UNTIL_FIELD_NUMBER: _ClassVar[int]
    SET_BY_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    scope: str
    subject: str
    name: str
    rules_json: str
    effective_from: _common_pb2.Date
    effective_until: _common_pb2.Date
    set_by: str
    update_time: _timestamp_pb2.Timestamp
    def __init__(self, scope: _Optional[str] = ..., subject: _Optional[str] = ..., name: _Optional[str] = ..., rules_json: _Optional[str] = ..., effective_from: _Optional[_Union[_common_pb2.Date, _Mapping]] = ..., effective_until: _Optional[_Union[_common_pb2.Date, _Mapping]] = ..., set_by: _Optional[str] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ListCommissionPlansRequest(_message.Message):
    __slots__ = ("scope", "subject", "page")
    SCOPE_FIELD_NUMBER: _ClassVar[int]
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    scope: str
    subject: str
    page: _common_pb2.PageRequest
    def __init__(self, scope: _Optional[str] = ..., subject: _Optional[str] = ..., page: _Optional[_Union[_common_pb2.PageRequest, _Mapping]] = ...) -> None: ...

class ListCommissionPlansResponse(_message.Message):
    __slots__ = ("plans", "page")
    PLANS_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    plans: _containers.RepeatedCompositeFieldContainer[CommissionPlanVersion]
    page: _common_pb2.PageResponse
    def __init__(self, plans: _Optional[_Iterable[_Union[CommissionPlanVersion, _Mapping]]] = ..., page: _Optional[_Union[_common_pb2.PageResponse, _Mapping]] = ...) -> None: ...

class Territory(_message.Message):
    __slots__ = ("id", "name", "regions", "industries", "manager_id", "rep_ids")
    ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    REGIONS_FIELD_NUMBER: _ClassVar[int]
    INDUSTRIES_FIELD_NUMBER: _ClassVar[int]
    MANAGER_ID_FIELD_NUMBER: _ClassVar[int]
    REP_IDS_FIELD_NUMBER: _ClassVar[int]
    id: str
    name: str
    regions: _containers.RepeatedScalarFieldContainer[str]
    industries: _containers.RepeatedScalarFieldContainer[str]
    manager_id: str
    rep_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, id: _Optional[str] = ..., name: _Optional[str] = ..., regions: _Optional[_Iterable[str]] = ..., industries: _Optional[_Iterable[str]] = ..., manager_id: _Optional[str] = ..., rep_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class UpsertTerritoryRequest(_message.Message):
    __slots__ = ("territory",)
    TERRITORY_FIELD_NUMBER: _ClassVar[int]
    territory: Territory
    def __init__(self, territory: _Optional[_Union[Territory, _Mapping]] = ...) -> None: ...

class UpsertTerritoryResponse(_message.Message):
    __slots__ = ("territory",)
    TERRITORY_FIELD_NUMBER: _ClassVar[int]
    territory: Territory
    def __init__(self, territory: _Optional[_Union[Territory, _Mapping]] = ...) -> None: ...

class ListTerritoriesRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ListTerritoriesResponse(_message.Message):
    __slots__ = ("territories",)
    TERRITORIES_FIELD_NUMBER: _ClassVar[int]
    territories: _containers.RepeatedCompositeFieldContainer[Territory]
    def __init__(self, territories: _Optional[_Iterable[_Union[Territory, _Mapping]]] = ...) -> None: ...

class SetExchangeRateRequest(_message.Message):
    __slots__ = ("base_currency", "quote_currency", "day", "rate")
    BASE_CURRENCY_FIELD_NUMBER: _ClassVar[int]
    QUOTE_CURRENCY_FIELD_NUMBER: _ClassVar[int]
    DAY_FIELD_NUMBER: _ClassVar[int]
    RATE_FIELD_NUMBER: _ClassVar[int]
    base_currency: str
    quote_currency: str
    day: _common_pb2.Date
    rate: str
    def __init__(self, base_currency: _Optional[str] = ..., quote_currency: _Optional[str] = ..., day: _Optional[_Union[_common_pb2.Date, _Mapping]] = ..., rate: _Optional[str] = ...) -> None: ...

class SetExchangeRateResponse(_message.Message):
    __slots__ = ("base_currency", "quote_currency", "day", "rate")
    BASE_CURRENCY_FIELD_NUMBER: _ClassVar[int]
    QUOTE_CURRENCY_FIELD_NUMBER: _ClassVar[int]
    DAY_FIELD_NUMBER: _ClassVar[int]
    RATE_FIELD_NUMBER: _ClassVar[int]
    base_currency: str
    quote_currency: str
    day: _common_pb2.Date
    rate: str
    def __init__(self, base_currency: _Optional[str] = ..., quote_currency: _Optional[str] = ..., day: _Optional[_Union[_common_pb2.Date, _Mapping]] = ..., rate: _Optional[str] = ...) -> None: ...

class Activity(_message.Message):
    __slots__ = ("id", "kind", "record_kind", "record_id", "account_id", "user_id", "logged_by", "subject", "notes", "outcome", "occur_time", "end_time", "location", "attendee_ids", "owner_id", "team", "create_time")
    ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    RECORD_KIND_FIELD_NUMBER: _ClassVar[int]
    RECORD_ID_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    LOGGED_BY_FIELD_NUMBER: _ClassVar[int]
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    NOTES_FIELD_NUMBER: _ClassVar[int]
    OUTCOME_FIELD_NUMBER: _ClassVar[int]
    OCCUR_TIME_FIELD_NUMBER: _ClassVar[int]
    END_TIME_FIELD_NUMBER: _ClassVar[int]
    LOCATION_FIELD_NUMBER: _ClassVar[int]
    ATTENDEE_IDS_FIELD_NUMBER: _ClassVar[int]
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    TEAM_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    id: str
    kind: str
    record_kind: str
    record_id: str
    account_id: str
    user_id: str
    logged_by: str
    subject: str
    notes: str
    outcome: str
    occur_time: _timestamp_pb2.Timestamp
    end_time: _timestamp_pb2.Timestamp
    location: str
    attendee_ids: _containers.RepeatedScalarFieldContainer[str]
    owner_id: str
    team: str
    create_time: _timestamp_pb2.Timestamp
    def __init__(self, id: _Optional[str] = ..., kind: _Optional[str] = ..., record_kind: _Optional[str] = ..., record_id: _Optional[str] = ..., account_id: _Optional[str] = ..., user_id: _Optional[str] = ..., logged_by: _Optional[str] = ..., subject: _Optional[str] = ..., notes: _Optional[str] = ..., outcome: _Optional[str] = ..., occur_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., location: _Optional[str] = ..., attendee_ids: _Optional[_Iterable[str]] = ..., owner_id: _Optional[str] = ..., team: _Optional[str] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class LogActivityRequest(_message.Message):
    __slots__ = ("kind", "account_id", "contact_id", "opportunity_id", "user_id", "subject", "notes", "outcome", "occur_time", "end_time", "location", "attendee_ids")
    KIND_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    CONTACT_ID_FIELD_NUMBER: _ClassVar[int]
    OPPORTUNITY_ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    NOTES_FIELD_NUMBER: _ClassVar[int]
    OUTCOME_FIELD_NUMBER: _ClassVar[int]
    OCCUR_TIME_FIELD_NUMBER: _ClassVar[int]
    END_TIME_FIELD_NUMBER: _ClassVar[int]
    LOCATION_FIELD_NUMBER: _ClassVar[int]
    ATTENDEE_IDS_FIELD_NUMBER: _ClassVar[int]
    kind: str
    account_id: str
    contact_id: str
    opportunity_id: str
    user_id: str
    subject: str
    notes: str
    outcome: str
    occur_time: _timestamp_pb2.Timestamp
    end_time: _timestamp_pb2.Timestamp
    location: str
    attendee_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, kind: _Optional[str] = ..., account_id: _Optional[str] = ..., contact_id: _Optional[str] = ..., opportunity_id: _Optional[str] = ..., user_id: _Optional[str] = ..., subject: _Optional[str] = ..., notes: _Optional[str] = ..., outcome: _Optional[str] = ..., occur_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., location: _Optional[str] = ..., attendee_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class LogActivityResponse(_message.Message):
    __slots__ = ("activity",)
    ACTIVITY_FIELD_NUMBER: _ClassVar[int]
    activity: Activity
    def __init__(self, activity: _Optional[_Union[Activity, _Mapping]] = ...) -> None: ...

class ListActivitiesRequest(_message.Message):
    __slots__ = ("account_id", "contact_id", "opportunity_id", "kind", "page")
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    CONTACT_ID_FIELD_NUMBER: _ClassVar[int]
    OPPORTUNITY_ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    account_id: str
    contact_id: str
    opportunity_id: str
    kind: str
    page: _common_pb2.PageRequest
    def __init__(self, account_id: _Optional[str] = ..., contact_id: _Optional[str] = ..., opportunity_id: _Optional[str] = ..., kind: _Optional[str] = ..., page: _Optional[_Union[_common_pb2.PageRequest, _Mapping]] = ...) -> None: ...

class ListActivitiesResponse(_message.Message):
    __slots__ = ("activities", "page")
    ACTIVITIES_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    activities: _containers.RepeatedCompositeFieldContainer[Activity]
    page: _common_pb2.PageResponse
    def __init__(self, activities: _Optional[_Iterable[_Union[Activity, _Mapping]]] = ..., page: _Optional[_Union[_common_pb2.PageResponse, _Mapping]] = ...) -> None: ...

class Attendees(_message.Message):
    __slots__ = ("user_ids",)
    USER_IDS_FIELD_NUMBER: _ClassVar[int]
    user_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, user_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class UpdateActivityRequest(_message.Message):
    __slots__ = ("id", "subject", "notes", "outcome", "occur_time", "end_time", "location", "attendees")
    ID_FIELD_NUMBER: _ClassVar[int]
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    NOTES_FIELD_NUMBER: _ClassVar[int]
    OUTCOME_FIELD_NUMBER: _ClassVar[int]
    OCCUR_TIME_FIELD_NUMBER: _ClassVar[int]
    END_TIME_FIELD_NUMBER: _ClassVar[int]
    LOCATION_FIELD_NUMBER: _ClassVar[int]
    ATTENDEES_FIELD_NUMBER: _ClassVar[int]
    id: str
    subject: str
    notes: str
    outcome: str
    occur_time: _timestamp_pb2.Timestamp
    end_time: _timestamp_pb2.Timestamp
    location: str
    attendees: Attendees
    def __init__(self, id: _Optional[str] = ..., subject: _Optional[str] = ..., notes: _Optional[str] = ..., outcome: _Optional[str] = ..., occur_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., location: _Optional[str] = ..., attendees: _Optional[_Union[Attendees, _Mapping]] = ...) -> None: ...

class UpdateActivityResponse(_message.Message):
    __slots__ = ("activity",)
    ACTIVITY_FIELD_NUMBER: _ClassVar[int]
    activity: Activity
    def __init__(self, activity: _Optional[_Union[Activity, _Mapping]] = ...) -> None: ...

class Task(_message.Message):
    __slots__ = ("id", "title", "notes", "record_kind", "record_id", "account_id", "assignee_id", "team", "priority", "status", "due_time", "remind_time", "reminded_time", "overdue", "created_by", "create_time", "closed_by", "close_time", "close_note")
    ID_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    NOTES_FIELD_NUMBER: _ClassVar[int]
    RECORD_KIND_FIELD_NUMBER: _ClassVar[int]
    RECORD_ID_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    ASSIGNEE_ID_FIELD_NUMBER: _ClassVar[int]
    TEAM_FIELD_NUMBER: _ClassVar[int]
    PRIORITY_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    DUE_TIME_FIELD_NUMBER: _ClassVar[int]
    REMIND_TIME_FIELD_NUMBER: _ClassVar[int]
    REMINDED_TIME_FIELD_NUMBER: _ClassVar[int]
    OVERDUE_FIELD_NUMBER: _ClassVar[int]
    CREATED_BY_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    CLOSED_BY_FIELD_NUMBER: _ClassVar[int]
    CLOSE_TIME_FIELD_NUMBER: _ClassVar[int]
    CLOSE_NOTE_FIELD_NUMBER: _ClassVar[int]
    id: str
    title: str
    notes: str
    record_kind: str
    record_id: str
    account_id: str
    assignee_id: str
    team: str
    priority: str
    status: str
    due_time: _timestamp_pb2.Timestamp
    remind_time: _timestamp_pb2.Timestamp
    reminded_time: _timestamp_pb2.Timestamp
    overdue: bool
    created_by: str
    create_time: _timestamp_pb2.Timestamp
    closed_by: str
    close_time: _timestamp_pb2.Timestamp
    close_note: str
    def __init__(self, id: _Optional[str] = ..., title: _Optional[str] = ..., notes: _Optional[str] = ..., record_kind: _Optional[str] = ..., record_id: _Optional[str] = ..., account_id: _Optional[str] = ..., assignee_id: _Optional[str] = ..., team: _Optional[str] = ..., priority: _Optional[str] = ..., status: _Optional[str] = ..., due_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., remind_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., reminded_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., overdue: _Optional[bool] = ..., created_by: _Optional[str] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., closed_by: _Optional[str] = ..., close_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., close_note: _Optional[str] = ...) -> None: ...

class CreateTaskRequest(_message.Message):
    __slots__ = ("title", "notes", "account_id", "contact_id", "opportunity_id", "assignee_id", "due_time", "remind_time", "priority")
    TITLE_FIELD_NUMBER: _ClassVar[int]
    NOTES_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    CONTACT_ID_FIELD_NUMBER: _ClassVar[int]
    OPPORTUNITY_ID_FIELD_NUMBER: _ClassVar[int]
    ASSIGNEE_ID_FIELD_NUMBER: _ClassVar[int]
    DUE_TIME_FIELD_NUMBER: _ClassVar[int]
    REMIND_TIME_FIELD_NUMBER: _ClassVar[int]
    PRIORITY_FIELD_NUMBER: _ClassVar[int]
    title: str
    notes: str
    account_id: str
    contact_id: str
    opportunity_id: str
    assignee_id: str
    due_time: _timestamp_pb2.Timestamp
    remind_time: _timestamp_pb2.Timestamp
    priority: str
    def __init__(self, title: _Optional[str] = ..., notes: _Optional[str] = ..., account_id: _Optional[str] = ..., contact_id: _Optional[str] = ..., opportunity_id: _Optional[str] = ..., assignee_id: _Optional[str] = ..., due_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., remind_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., priority: _Optional[str] = ...) -> None: ...

class CreateTaskResponse(_message.Message):
    __slots__ = ("task",)
    TASK_FIELD_NUMBER: _ClassVar[int]
    task: Task
    def __init__(self, task: _Optional[_Union[Task, _Mapping]] = ...) -> None: ...

class GetTaskRequest(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class GetTaskResponse(_message.Message):
    __slots__ = ("task",)
    TASK_FIELD_NUMBER: _ClassVar[int]
    task: Task
    def __init__(self, task: _Optional[_Union[Task, _Mapping]] = ...) -> None: ...

class UpdateTaskRequest(_message.Message):
    __slots__ = ("id", "title", "notes", "priority", "assignee_id", "due_time", "remind_time")
    ID_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    NOTES_FIELD_NUMBER: _ClassVar[int]
    PRIORITY_FIELD_NUMBER: _ClassVar[int]
    ASSIGNEE_ID_FIELD_NUMBER: _ClassVar[int]
    DUE_TIME_FIELD_NUMBER: _ClassVar[int]
    REMIND_TIME_FIELD_NUMBER: _ClassVar[int]
    id: str
    title: str
    notes: str
    priority: str
    assignee_id: str
    due_time: _timestamp_pb2.Timestamp
    remind_time: _timestamp_pb2.Timestamp
    def __init__(self, id: _Optional[str] = ..., title: _Optional[str] = ..., notes: _Optional[str] = ..., priority: _Optional[str] = ..., assignee_id: _Optional[str] = ..., due_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., remind_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class UpdateTaskResponse(_message.Message):
    __slots__ = ("task",)
    TASK_FIELD_NUMBER: _ClassVar[int]
    task: Task
    def __init__(self, task: _Optional[_Union[Task, _Mapping]] = ...) -> None: ...

class ListTasksRequest(_message.Message):
    __slots__ = ("assignee_id", "team", "status", "overdue", "account_id", "contact_id", "opportunity_id", "page")
    ASSIGNEE_ID_FIELD_NUMBER: _ClassVar[int]
    TEAM_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    OVERDUE_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    CONTACT_ID_FIELD_NUMBER: _ClassVar[int]
    OPPORTUNITY_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    assignee_id: str
    team: str
    status: str
    overdue: bool
    account_id: str
    contact_id: str
    opportunity_id: str
    page: _common_pb2.PageRequest
    def __init__(self, assignee_id: _Optional[str] = ..., team: _Optional[str] = ..., status: _Optional[str] = ..., overdue: _Optional[bool] = ..., account_id: _Optional[str] = ..., contact_id: _Optional[str] = ..., opportunity_id: _Optional[str] = ..., page: _Optional[_Union[_common_pb2.PageRequest, _Mapping]] = ...) -> None: ...

class ListTasksResponse(_message.Message):
    __slots__ = ("tasks", "page")
    TASKS_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    tasks: _containers.RepeatedCompositeFieldContainer[Task]
    page: _common_pb2.PageResponse
    def __init__(self, tasks: _Optional[_Iterable[_Union[Task, _Mapping]]] = ..., page: _Optional[_Union[_common_pb2.PageResponse, _Mapping]] = ...) -> None: ...

class CompleteTaskRequest(_message.Message):
    __slots__ = ("id", "note")
    ID_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    id: str
    note: str
    def __init__(self, id: _Optional[str] = ..., note: _Optional[str] = ...) -> None: ...

class CompleteTaskResponse(_message.Message):
    __slots__ = ("task",)
    TASK_FIELD_NUMBER: _ClassVar[int]
    task: Task
    def __init__(self, task: _Optional[_Union[Task, _Mapping]] = ...) -> None: ...

class CancelTaskRequest(_message.Message):
    __slots__ = ("id", "reason")
    ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    id: str
    reason: str
    def __init__(self, id: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class CancelTaskResponse(_message.Message):
    __slots__ = ("task",)
    TASK_FIELD_NUMBER: _ClassVar[int]
    task: Task
    def __init__(self, task: _Optional[_Union[Task, _Mapping]] = ...) -> None: ...

class CalendarEntry(_message.Message):
    __slots__ = ("kind", "id", "title", "start_time", "end_time", "location", "user_ids", "record_kind", "record_id", "account_id", "status", "priority")
    KIND_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    END_TIME_FIELD_NUMBER: _ClassVar[int]
    LOCATION_FIELD_NUMBER: _ClassVar[int]
    USER_IDS_FIELD_NUMBER: _ClassVar[int]
    RECORD_KIND_FIELD_NUMBER: _ClassVar[int]
    RECORD_ID_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    PRIORITY_FIELD_NUMBER: _ClassVar[int]
    kind: str
    id: str
    title: str
    start_time: _timestamp_pb2.Timestamp
    end_time: _timestamp_pb2.Timestamp
    location: str
    user_ids: _containers.RepeatedScalarFieldContainer[str]
    record_kind: str
    record_id: str
    account_id: str
    status: str
    priority: str
    def __init__(self, kind: _Optional[str] = ..., id: _Optional[str] = ..., title: _Optional[str] = ..., start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., location: _Optional[str] = ..., user_ids: _Optional[_Iterable[str]] = ..., record_kind: _Optional[str] = ..., record_id: _Optional[str] = ..., account_id: _Optional[str] = ..., status: _Optional[str] = ..., priority: _Optional[str] = ...) -> None: ...

class ListCalendarRequest(_message.Message):
    __slots__ = ("start_time", "end_time", "user_id", "team")
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    END_TIME_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    TEAM_FIELD_NUMBER: _ClassVar[int]
    start_time: _timestamp_pb2.Timestamp
    end_time: _timestamp_pb2.Timestamp
    user_id: str
    team: str
    def __init__(self, start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., user_id: _Optional[str] = ..., team: _Optional[str] = ...) -> None: ...

class ListCalendarResponse(_message.Message):
    __slots__ = ("entries", "truncated")
    ENTRIES_FIELD_NUMBER: _ClassVar[int]
    TRUNCATED_FIELD_NUMBER: _ClassVar[int]
    entries: _containers.RepeatedCompositeFieldContainer[CalendarEntry]
    truncated: bool
    def __init__(self, entries: _Optional[_Iterable[_Union[CalendarEntry, _Mapping]]] = ..., truncated: _Optional[bool] = ...) -> None: ...

class ExportCalendarRequest(_message.Message):
    __slots__ = ("start_time", "end_time", "user_id", "team")
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    END_TIME_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    TEAM_FIELD_NUMBER: _ClassVar[int]
    start_time: _timestamp_pb2.Timestamp
    end_time: _timestamp_pb2.Timestamp
    user_id: str
    team: str
    def __init__(self, start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., user_id: _Optional[str] = ..., team: _Optional[str] = ...) -> None: ...

class ExportCalendarResponse(_message.Message):
    __slots__ = ("ics", "file_name")
    ICS_FIELD_NUMBER: _ClassVar[int]
    FILE_NAME_FIELD_NUMBER: _ClassVar[int]
    ics: bytes
    file_name: str
    def __init__(self, ics: _Optional[bytes] = ..., file_name: _Optional[str] = ...) -> None: ...
