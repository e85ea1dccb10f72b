"""Public web forms (R-LEAD-1): a tenant's form key, a honeypot and a per-client rate limit against spam."""

from __future__ import annotations

import secrets
from datetime import timedelta

from prometheus_client import Counter
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from services.core.auth import Caller
from services.core.db import upsert_insert, utcnow
from services.core.errors import NotFound, PermissionDenied, ResourceExhausted, Validator
from services.core.i18n import t
from services.leads import leads
from services.leads.models import FormSubmissionWindow, Lead, WebForm

FORM_SUBMISSIONS = Counter(
    "crm_leads_form_submissions", "Public form submissions, by outcome.", ["outcome"]
)  # outcome: accepted, spam, rate_limited, invalid

MANAGE_ROLES = ("admin", "marketing")
READ_ROLES = ("admin", "marketing", "manager")
DEFAULT_RATE_PER_MINUTE = 5
MAX_RATE_PER_MINUTE = 600


def create_web_form(session: Session, *, caller: Caller, name: str, channel: str, rate_per_minute: int = 0) -> WebForm:
    caller.require_role(*MANAGE_ROLES)
    check = Validator()
    check.require(name, "name", max_length=200)
    check.require(channel, "channel", max_length=100)
    check.check(0 <= rate_per_minute <= MAX_RATE_PER_MINUTE, "rate_per_minute",
                t("must be between 1 and {max}", max=MAX_RATE_PER_MINUTE))
    check.raise_if_any()
    form = WebForm(key=secrets.token_urlsafe(16), name=name.strip(), channel=channel.strip(),
                   rate_per_minute=rate_per_minute or DEFAULT_RATE_PER_MINUTE)
    session.add(form)
    session.flush()
    return form


def list_web_forms(session: Session, *, caller: Caller) -> list[WebForm]:
    caller.require_role(*READ_ROLES)
    return list(session.scalars(select(WebForm).order_by(WebForm.created_at, WebForm.key)))


def submit_web_form(
    session: Session,
    *,
    caller: Caller,
    form_key: str,
    honeypot: str,
    client_address: str,
    submission_id: str = "",
    **fields: str,
) -> Lead | None:
    """Capture the submission as a lead of the form's channel; None when discarded as spam.

    Raises NotFound for an unknown or inactive form, ResourceExhausted when the client submitted too often,
    InvalidArgument (field violations) for a bad submission.
    """
    if not caller.is_service:
        raise PermissionDenied(t("only the gateway submits public forms"))
    form = session.get(WebForm, form_key) if form_key else None
    if form is None or not form.active:
        raise NotFound(t("form {key} not found", key=repr(form_key)))
    if honeypot.strip():
        FORM_SUBMISSIONS.labels("spam").inc()
        return None
    if not _within_rate(session, form, client_address[:64]):
        FORM_SUBMISSIONS.labels("rate_limited").inc()
        raise ResourceExhausted(t("too many submissions; try again in a minute"))
    try:
        lead = leads.create_lead(
            session, tenant=form.tenant_id, caller=caller, channel=form.channel,
            request_id=f"form:{submission_id}"[:64] if submission_id else "", **fields,
        )
    except Exception:
        FORM_SUBMISSIONS.labels("invalid").inc()
        raise
    FORM_SUBMISSIONS.labels("accepted").inc()
    return lead


def _within_rate(session: Session, form: WebForm, client: str) -> bool:
    """Count this submission in the client's current minute (one statement, shared by every replica)."""
    window = utcnow().replace(second=0, microsecond=0)
    # Earlier minutes of this client are of no use any more.
    session.execute(delete(FormSubmissionWindow).where(
        FormSubmissionWindow.form_key == form.key, FormSubmissionWindow.client == client,
        FormSubmissionWindow.window_start < window - timedelta(minutes=1),
    ))
    insert = upsert_insert(session)(FormSubmissionWindow).values(
        form_key=form.key, client=client, window_start=window, count=1
    )
    count = session.execute(
        insert.on_conflict_do_update(
            index_elements=["form_key", "client", "window_start"],
            set_={"count": FormSubmissionWindow.count + 1},
        ).returning(FormSubmissionWindow.count)
    ).scalar_one()
    return count <= form.rate_per_minute
