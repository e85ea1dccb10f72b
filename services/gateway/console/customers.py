"""Console pages: the customer 360 (R-ID-3, R-SEC-3) — a customer's golden record, the records linked to it by
source, the audited link changes, and merge / unmerge with the golden-record diff.

Everything goes through the identity service as the logged-in person (common.backend): it decides who may read a
customer (managers, service agents, marketing, auditors, admins; a rep who owns a linked record), who may merge
(managers, admins) and who may read the link audit (managers, admins, auditors). A merge is previewed with the
service's dry run next to both golden records before anyone confirms it; an unmerge shows what changed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import grpc
from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for

from crm.common.v1 import common_pb2
from crm.identity.v1 import identity_pb2 as pb
from services.core.i18n import t
from services.gateway.app import add_nav
from services.gateway.console.common import backend, flash_error, labels, say
from services.gateway.principal import current_principal, login_required
from services.gateway.problems import http_status_of, message_of

blueprint = Blueprint("customers", __name__, template_folder="../templates")

add_nav("customers.index", t("Customers"))

FIELDS = {"name": t("Name"), "company": t("Company"), "email": t("E-mail"), "phone": t("Phone"), "city": t("City"),
          "address": t("Address"), "credit_code": t("Credit code")}
SOURCES = {"leads": t("Leads"), "sales": t("Sales"), "support": t("Support"), "marketing": t("Marketing")}
KINDS = {"lead": t("Lead"), "contact": t("Contact"), "account": t("Account"), "ticket": t("Ticket")}
ACTIONS = {pb.LINK_ACTION_LINK: t("Linked"), pb.LINK_ACTION_MERGE: t("Merged"),
           pb.LINK_ACTION_UNMERGE: t("Unmerged"), pb.LINK_ACTION_RELINK: t("Relinked")}
CUSTOMER_ID = re.compile(r"C\d{6,}")  # "C20240501001" (R-ID-5)
PHONE = re.compile(r"\+?[\d\s\-()]{5,}")
CREDIT_CODE = re.compile(r"[0-9A-Z]{18}")
SEARCH_LIMIT = 10
HISTORY_PAGE = 100
MERGE_ROLES = ("manager", "admin")


def _page(size: int) -> common_pb2.PageRequest:
    return common_pb2.PageRequest(page_size=size)


LAST_UNMERGE = "last_unmerge"  # Flask session key: the diff of the browser's latest unmerge


def golden_rows(*customers: pb.Customer | None) -> list[tuple[str, str, list[str]]]:
    """(field, label, [value in each customer]) for the golden-record fields."""
    return [(name, say(label), [getattr(customer, name) if customer is not None else "" for customer in customers])
            for name, label in FIELDS.items()]


def record_link(ref: common_pb2.RecordRef) -> str:
    """The console page of a linked record, when the console has one."""
    if ref.service == "leads" and ref.kind == "lead" and "leads.detail" in current_app.view_functions:
        return url_for("leads.detail", lead_id=ref.id)
    return ""


def by_source(records) -> list[tuple[str, list]]:  # noqa: ANN001 - repeated RecordRef
    groups: dict[str, list] = {}
    for ref in records:
        groups.setdefault(ref.service, []).append(ref)
    order = list(SOURCES)
    return sorted(groups.items(), key=lambda item: (order.index(item[0]) if item[0] in order else len(order),
                                                    item[0]))


@dataclass(frozen=True)
class ActiveMerge:
    merge_id: str
    absorbed_id: str
    change: pb.LinkChange
    records: int


def active_merges(customer_id: str, changes: list[pb.LinkChange]) -> list[ActiveMerge]:
    """The merges into this customer that were not undone (from the newest changes the page read)."""
    undone = {change.merge_id for change in changes if change.action == pb.LINK_ACTION_UNMERGE}
    found: dict[str, ActiveMerge] = {}
    for change in changes:
        if (change.action == pb.LINK_ACTION_MERGE and change.merge_id and change.merge_id not in undone
                and change.to_customer_id == customer_id):
            seen = found.get(change.merge_id)
            found[change.merge_id] = ActiveMerge(change.merge_id, change.from_customer_id, seen.change if seen
                                                 else change, (seen.records if seen else 0) + 1)
    return list(found.values())


def _helpers() -> dict:
    return {"sources": labels(SOURCES), "kinds": labels(KINDS), "record_link": record_link,
            "may_merge": current_principal().has_any_role(*MERGE_ROLES)}


# --- search -------------------------------------------------------------------------------------------------------


def _match_request(text: str) -> pb.MatchRecordRequest:
    if "@" in text:
        return pb.MatchRecordRequest(email=text, limit=SEARCH_LIMIT)
    if CREDIT_CODE.fullmatch(text.upper()):
        return pb.MatchRecordRequest(credit_code=text.upper(), limit=SEARCH_LIMIT)
    if PHONE.fullmatch(text):
        return pb.MatchRecordRequest(phone=text, limit=SEARCH_LIMIT)
    return pb.MatchRecordRequest(name=text, limit=SEARCH_LIMIT)  # the service explains what it needs


@blueprint.get("/console/customers")
@login_required
def index():  # noqa: ANN201
    """Find a customer by id, e-mail, phone or credit code (identity's matching engine, nothing stored)."""
    text = request.args.get("q", "").strip()[:200]
    if CUSTOMER_ID.fullmatch(text.upper()):
        return redirect(url_for("customers.show", customer_id=text.upper()))
    results, hidden, status = [], 0, 200
    if text:
        stub = backend("identity")
        try:
            candidates = list(stub.MatchRecord(_match_request(text)).candidates)
        except grpc.RpcError as error:
            status, candidates = flash_error(error), []
        calls = [(candidate, stub.GetCustomer.future(pb.GetCustomerRequest(id=candidate.customer_id)))
                 for candidate in candidates]
        for candidate, call in calls:
            try:
                results.append((candidate, call.result().customer))
            except grpc.RpcError:
                hidden += 1  # a customer the person may not open: not listed
    return render_template("console/customer_search.html", q=text, results=results, hidden=hidden,
                           searched=bool(text)), status


# --- the 360 page -------------------------------------------------------------------------------------------------


@blueprint.get("/console/customers/<customer_id>")
@login_required
def show(customer_id: str):  # noqa: ANN201
    stub = backend("identity")
    history_call = stub.ListLinkChanges.future(pb.ListLinkChangesRequest(customer_id=customer_id,
                                                                         page=_page(HISTORY_PAGE)))
    try:
        reply = stub.GetCustomer(pb.GetCustomerRequest(id=customer_id))
    except grpc.RpcError as error:
        history_call.cancel()
        status = flash_error(error)
        return render_template("console/customer.html", customer=None, asked=customer_id, **_helpers()), status
    customer = reply.customer
    if reply.merged_id and customer.id != customer_id:
        history_call.cancel()
        flash(say(t("{absorbed} was merged into {survivor}.", absorbed=reply.merged_id, survivor=customer.id)))
        return redirect(url_for("customers.show", customer_id=customer.id))
    history_note = ""
    try:
        changes = list(history_call.result().changes)
    except grpc.RpcError as error:
        changes = []
        history_note = (say(t("Your role does not include the link history.")) if http_status_of(error) == 403
                        else message_of(error))
    return render_template(
        "console/customer.html", customer=customer, golden=golden_rows(customer), groups=by_source(customer.records),
        changes=changes, history_note=history_note, actions=labels(ACTIONS),
        merges=active_merges(customer.id, changes), **_helpers())


@blueprint.get("/console/customers/<customer_id>/merge")
@login_required
def merge_preview(customer_id: str):  # noqa: ANN201
    """Both golden records side by side with the service's dry-run diff, before anyone confirms the merge."""
    other = request.args.get("other", "").strip().upper()
    if not other:
        flash(say(t("Enter the id of the customer to merge into this one.")), "error")
        return redirect(url_for("customers.show", customer_id=customer_id))
    stub = backend("identity")
    calls = {
        "survivor": stub.GetCustomer.future(pb.GetCustomerRequest(id=customer_id)),
        "absorbed": stub.GetCustomer.future(pb.GetCustomerRequest(id=other)),
        "dry_run": stub.MergeCustomers.future(pb.MergeCustomersRequest(survivor_id=customer_id, absorbed_id=other,
                                                                       dry_run=True)),
    }
    answers = {}
    for name, call in calls.items():
        try:
            answers[name] = call.result()
        except grpc.RpcError as error:
            for rest in calls.values():
                rest.cancel()
            flash_error(error)
            return redirect(url_for("customers.show", customer_id=customer_id))
    survivor, absorbed, dry = answers["survivor"].customer, answers["absorbed"].customer, answers["dry_run"]
    changed = {change.field: change for change in dry.changes}
    return render_template(
        "console/customer_merge.html", survivor=survivor, absorbed=absorbed, after=dry.survivor, changed=changed,
        rows=golden_rows(survivor, absorbed, dry.survivor), moving=by_source(dry.records),
        moving_count=len(dry.records), **_helpers())


@blueprint.post("/console/customers/<customer_id>/merge")
@login_required
def merge(customer_id: str):  # noqa: ANN201
    other = request.form.get("other", "").strip().upper()
    reason = request.form.get("reason", "").strip()
    try:
        done = backend("identity").MergeCustomers(pb.MergeCustomersRequest(
            survivor_id=customer_id, absorbed_id=other, reason=reason))
    except grpc.RpcError as error:
        flash_error(error)
        return redirect(url_for("customers.merge_preview", customer_id=customer_id, other=other))
    flash(say(t("{absorbed} merged into {survivor}; records moved: {count}.", absorbed=other,
                survivor=done.survivor.id or customer_id, count=len(done.records))))
    return redirect(url_for("customers.show", customer_id=done.survivor.id or customer_id))


@blueprint.post("/console/customers/<customer_id>/unmerge")
@login_required
def unmerge(customer_id: str):  # noqa: ANN201
    """Undo a merge exactly, then show what changed: the survivor's golden record and the customer restored."""
    merge_id = request.form.get("merge_id", "").strip()
    reason = request.form.get("reason", "").strip()
    try:
        done = backend("identity").UnmergeCustomers(pb.UnmergeCustomersRequest(merge_id=merge_id, reason=reason))
    except grpc.RpcError as error:
        flash_error(error)
        return redirect(url_for("customers.show", customer_id=customer_id))
    flash(say(t("Merge undone; records moved back to {restored}: {count}.", count=len(done.records),
                restored=done.restored.id)))
    # Post/redirect/get: a refresh re-reads the result instead of posting the unmerge again. The golden-record diff
    # exists only in this answer, so the browser's session keeps the latest one for the result page.
    session[LAST_UNMERGE] = {"merge_id": done.merge_id, "changes": [
        [change.field, change.before, change.after] for change in done.survivor_changes]}
    return redirect(url_for("customers.unmerged", customer_id=done.survivor.id, merge_id=done.merge_id))


@blueprint.get("/console/customers/<customer_id>/unmerged/<merge_id>")
@login_required
def unmerged(customer_id: str, merge_id: str):  # noqa: ANN201
    """What an unmerge changed: the records that went back, both golden records now and (in the browser that did
    it) the survivor's golden-record diff."""
    stub = backend("identity")
    try:
        undone = [change for change in stub.ListLinkChanges(pb.ListLinkChangesRequest(
            merge_id=merge_id, page=_page(HISTORY_PAGE))).changes if change.action == pb.LINK_ACTION_UNMERGE]
        if not undone:
            flash(say(t("Merge {id} has not been undone.", id=merge_id)), "error")
            return redirect(url_for("customers.show", customer_id=customer_id))
        survivor = stub.GetCustomer(pb.GetCustomerRequest(id=customer_id)).customer
        restored = stub.GetCustomer(pb.GetCustomerRequest(id=undone[0].to_customer_id)).customer
    except grpc.RpcError as error:
        flash_error(error)
        return redirect(url_for("customers.show", customer_id=customer_id))
    remembered = session.get(LAST_UNMERGE) or {}
    changes = [pb.FieldChange(field=field, before=before, after=after)
               for field, before, after in remembered.get("changes", [])] \
        if remembered.get("merge_id") == merge_id else None
    records = [change.record for change in undone]
    return render_template(
        "console/customer_unmerged.html", survivor=survivor, restored=restored,
        changes=None if changes is None else [(say(FIELDS.get(c.field, c.field)), c) for c in changes],
        rows=golden_rows(survivor, restored), moved=by_source(records), moved_count=len(records), **_helpers())
