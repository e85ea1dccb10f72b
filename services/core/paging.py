"""Pages of a list (crm.common.v1.PageRequest / PageResponse): opaque tokens that are offsets into the list's order.

Every service's List RPCs use these, so a page size or a bad token is refused with the same field violation
everywhere.
"""

from __future__ import annotations

import base64

from crm.common.v1.common_pb2 import PageRequest, PageResponse
from services.core.errors import Validator
from services.core.i18n import t

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 500
_TOKEN_PREFIX = "o:"


def page_window(page: PageRequest) -> tuple[int, int]:
    """(offset, size) of a page request: size 0 means the default; InvalidArgument for a bad size or token."""
    check = Validator()
    check.check(0 <= page.page_size <= MAX_PAGE_SIZE, "page.page_size",
                t("must be between {min} and {max}", min=0, max=MAX_PAGE_SIZE))
    offset = 0
    if page.page_token:
        try:
            decoded = base64.urlsafe_b64decode(page.page_token.encode("ascii")).decode("ascii")
            offset = int(decoded.removeprefix(_TOKEN_PREFIX)) if decoded.startswith(_TOKEN_PREFIX) else -1
        except (ValueError, UnicodeError):
            offset = -1
        check.check(offset >= 0, "page.page_token", t("is not a page token of this list"))
    check.raise_if_any()
    return offset, page.page_size or DEFAULT_PAGE_SIZE


def next_page(offset: int, size: int, more: bool) -> PageResponse:
    """The PageResponse after the page at `offset` of `size` items; `more`: whether items follow it."""
    if not more:
        return PageResponse()
    token = base64.urlsafe_b64encode(f"{_TOKEN_PREFIX}{offset + size}".encode("ascii")).decode("ascii")
    return PageResponse(next_page_token=token)
