"""A quote as a PDF (R-SALES-2): reportlab, Chinese through its built-in CID font STSong-Light (Adobe's Asian font
pack is a PDF viewer's, so no font file ships or is embedded), A4 landscape, every amount printed exactly as stored
(services/sales/money.text: the same decimal strings as the API, never a float), labels in the caller's language.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Sequence

from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas
from sqlalchemy.orm import Session

from services.core.auth import Caller
from services.core.i18n import localize, t
from services.sales import quotes, settings
from services.sales.models import Account, Opportunity, QuoteLine
from services.sales.money import text

FONT = "STSong-Light"
PAGE = landscape(A4)
MARGIN = 40
LINE = 16
SIZE = 9


@functools.cache
def _font() -> str:
    pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    return FONT


def _fit(value: str, width: float) -> str:
    """The text cut (with "...") to `width` points."""
    if pdfmetrics.stringWidth(value, FONT, SIZE) <= width:
        return value
    while value and pdfmetrics.stringWidth(value + "...", FONT, SIZE) > width:
        value = value[:-1]
    return value + "..."


# (label, x, right-aligned): x is the left edge, or the right edge of a right-aligned column.
def _columns(locale: str) -> list[tuple[str, float, bool]]:
    return [
        ("#", MARGIN, False),
        (localize(t("Product"), locale), MARGIN + 25, False),
        (localize(t("Quantity"), locale), 330, True),
        (localize(t("Unit price"), locale), 420, True),
        (localize(t("Discount %"), locale), 480, True),
        (localize(t("VAT rate"), locale), 530, True),
        (localize(t("List amount"), locale), 625, True),
        (localize(t("Net amount"), locale), 715, True),
        (localize(t("Tax"), locale), PAGE[0] - MARGIN, True),
    ]


def _row(page: canvas.Canvas, columns: Sequence[tuple[str, float, bool]], values: Sequence[str], y: float) -> None:
    for (_, x, right), value in zip(columns, values, strict=True):
        if right:
            page.drawRightString(x, y, value)
        else:
            page.drawString(x, y, value)


def render(session: Session, *, caller: Caller, quote_id: str, locale: str = "en") -> bytes:
    """The PDF of a quote the caller may read (NOT_FOUND otherwise)."""
    view = quotes.readable_quote(session, caller=caller, quote_id=quote_id)
    quote = view.quote
    opportunity = session.get(Opportunity, quote.opportunity_id)
    account = session.get(Account, opportunity.account_id) if opportunity is not None else None
    zone = settings.load(session).calendar.zone
    font = _font()
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=PAGE, invariant=True)
    page.setTitle(f"{localize(t('Quotation'), locale)} {quote.id}")
    page.setAuthor("crm")
    columns = _columns(locale)
    width, height = PAGE

    def header() -> float:
        page.setFont(font, 16)
        page.drawString(MARGIN, height - MARGIN, localize(t("Quotation"), locale))
        page.setFont(font, 10)
        facts = [
            (t("Quote number"), quote.id),
            (t("Customer"), account.name if account is not None else ""),
            (t("Opportunity"), opportunity.name if opportunity is not None else ""),
            (t("Date"), quote.created_at.astimezone(zone).date().isoformat()),
            (t("Currency"), quote.currency),
        ]
        y = height - MARGIN - 24
        for label, value in facts:
            page.drawString(MARGIN, y, f"{localize(label, locale)}: {value}")
            y -= 14
        y -= 6
        page.setFont(font, SIZE)
        _row(page, [(label, x, right) for label, x, right in columns], [label for label, _, _ in columns], y)
        page.line(MARGIN, y - 4, width - MARGIN, y - 4)
        return y - LINE

    y = header()
    product_width = columns[2][1] - pdfmetrics.stringWidth("9999999.0000", FONT, SIZE) - columns[1][1] - 10
    line: QuoteLine
    for line in view.lines:
        if y < MARGIN + LINE * 7:
            page.showPage()
            y = header()
        _row(page, columns, [
            str(line.position), _fit(line.description, product_width), text(line.quantity), text(line.unit_price),
            text(line.discount_percent), text(line.tax_rate), text(line.list_amount), text(line.net_amount),
            text(line.tax_amount),
        ], y)
        y -= LINE
    page.line(MARGIN, y + LINE - 4, width - MARGIN, y + LINE - 4)
    y -= 4
    page.setFont(font, 10)
    for label, amount in ((t("List total"), quote.list_total), (t("Discount total"), quote.discount_total),
                          (t("Net total"), quote.net_total), (t("Tax total"), quote.tax_total),
                          (t("Total"), quote.total)):
        page.drawRightString(width - MARGIN - 140, y, localize(label, locale))
        page.drawRightString(width - MARGIN, y, f"{text(amount)} {quote.currency}")
        y -= 14
    page.showPage()
    page.save()
    return buffer.getvalue()
