"""The marketing service's part of personal data requests (R-SEC-5; the saga: services/identity/privacy.py).

Export: the person's consent answers, each with its channel, purpose, source and time, and whether their contacts
are suppressed. Erase: every consent of theirs becomes a refusal (source "privacy-erasure"; consent.changed tells
the others about each one that was granted), and their e-mails and phones join the suppression list as hashes, so
the tenant never contacts them again, even if the address comes back on a new lead, without keeping it.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm.events.v1.marketing_pb2 import ConsentChanged
from services.core import privacy
from services.core.db import upsert_insert, utcnow
from services.core.events import emit
from services.core.privacy import Step, Subject
from services.marketing.models import Consent, Suppression

SERVICE = "marketing"
ERASURE_SOURCE = "privacy-erasure"


def _consents(session: Session, subject: Subject) -> list[Consent]:
    return list(session.scalars(select(Consent).where(Consent.customer_id.in_(subject.customer_ids))
                                .order_by(Consent.customer_id, Consent.channel, Consent.purpose)))


def _hashes(tenant: str, subject: Subject) -> dict[str, str]:
    """{hash: kind} of the person's contacts."""
    found = {}
    for kind, values in (("email", subject.emails), ("phone", subject.phones)):
        for value in values:
            if digest := privacy.contact_hash(tenant, kind, value):
                found[digest] = kind
    return found


def is_suppressed(session: Session, *, tenant: str, kind: str, value: str) -> bool:
    """Whether an e-mail ("email") or phone ("phone") belongs to an erased person: never market to it."""
    digest = privacy.contact_hash(tenant, kind, value)
    return bool(digest) and session.get(Suppression, (tenant, digest)) is not None


def export(session: Session, subject: Subject) -> Step:
    consents = _consents(session, subject)
    tenant = session.info["crm_tenant"]
    suppressed = sorted({kind for digest, kind in _hashes(tenant, subject).items()
                         if session.get(Suppression, (tenant, digest)) is not None})
    section = {"consents": privacy.rows(consents, without=("tenant_id", "id")), "suppressed_contacts": suppressed}
    return Step(len(consents), section)


def erase(session: Session, subject: Subject) -> Step:
    tenant = session.info["crm_tenant"]
    consents = _consents(session, subject)
    granted = [consent for consent in consents if consent.granted]
    count = privacy.erase_rows(session, Consent, [consent.id for consent in consents],
                               {"granted": False, "source": ERASURE_SOURCE, "updated_at": utcnow()},
                               producer=SERVICE)
    for consent in granted:
        emit(session, ConsentChanged(customer_id=consent.customer_id, channel=consent.channel,
                                     purpose=consent.purpose, granted=False), producer=SERVICE)
    hashes = _hashes(tenant, subject)
    if hashes:
        statement = upsert_insert(session)(Suppression.__table__).on_conflict_do_nothing()
        session.connection().execute(statement, [
            {"tenant_id": tenant, "key_hash": digest, "kind": kind, "request_id": subject.request_id,
             "created_at": utcnow()}
            for digest, kind in hashes.items()
        ])
    session.expire_all()  # Core updates: loaded rows would show the old values
    return Step(count + len(hashes))


CONSUMER = privacy.consumer(SERVICE, export=export, erase=erase)
