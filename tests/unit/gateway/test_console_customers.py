"""Console pages for the customer 360: search, golden record and linked records, link history, merge with the
diff before confirming, unmerge with the diff after — as the identity service allows each person."""

from __future__ import annotations

import re

import pytest

from crm.common.v1.common_pb2 import RecordRef
from crm.identity.v1 import identity_pb2, identity_pb2_grpc
from tests.unit.gateway.conftest import TENANT, logged_in

ANN = {"name": "Ann Lee", "company": "Acme Trading", "email": "ann@example.com", "city": "Beijing"}
ANNIE = {"name": "Annie Lee", "company": "Acme Trading Co", "email": "annie.lee@corp.example",
         "phone": "13800138000", "address": "1 Chang'an Avenue"}


@pytest.fixture
def app(services_gateway):
    services_gateway.config["WTF_CSRF_ENABLED"] = False
    return services_gateway


def resolve(app, record_id: str, owner: str, **fields: str) -> str:
    """A lead record resolved by identity as `owner` (a rep reads the customers of the records they own)."""
    service = app.extensions["crm.services"]["identity"]
    stub = identity_pb2_grpc.IdentityServiceStub(service.channel)
    reply = stub.ResolveRecord(identity_pb2.ResolveRecordRequest(
        record=RecordRef(service="leads", kind="lead", id=record_id), **fields),
        metadata=service.metadata("sales", tenant=TENANT, subject=owner), timeout=10)
    assert reply.created
    return reply.customer_id


def client_of(app, make_user, employee_id: str, roles=("manager",)):  # noqa: ANN001, ANN201
    client = app.test_client()
    logged_in(app, client, make_user(employee_id, roles))
    return client


def text_of(answer) -> str:  # noqa: ANN001
    return answer.get_data(as_text=True)


def test_the_customer_page_shows_the_golden_record_and_linked_records_by_source(app, make_user):
    ann = resolve(app, "L1", "rep-1", **ANN)
    manager = client_of(app, make_user, "m-1")
    page = manager.get(f"/console/customers/{ann}")
    assert page.status_code == 200
    html = text_of(page)
    golden = re.search(r'<dl class="facts golden">.*?</dl>', html, re.S).group(0)
    assert "<dd>Ann Lee</dd>" in golden and "<dd>ann@example.com</dd>" in golden and "<dd>Beijing</dd>" in golden
    assert "<h3>Leads" in html and ">L1<" in html
    history = re.search(r"<h2>Link history</h2>.*?</section>", html, re.S).group(0)
    assert ">Linked<" in history and "L1" in history and "rep-1" in history
    assert f"/console/customers/{ann}/merge" in html  # a manager may merge

    # The rep who owns the lead reads the customer, without the audit or merging; another rep reads nothing.
    owner = text_of(client_of(app, make_user, "rep-1", ("sales",)).get(f"/console/customers/{ann}"))
    assert "ann@example.com" in owner and "Your role does not include the link history." in owner
    assert "/merge" not in owner
    stranger = client_of(app, make_user, "rep-2", ("sales",)).get(f"/console/customers/{ann}")
    assert stranger.status_code == 404 and "ann@example.com" not in text_of(stranger)


def test_finding_a_customer_by_id_or_email(app, make_user):
    ann = resolve(app, "L1", "rep-1", **ANN)
    manager = client_of(app, make_user, "m-1")
    by_id = manager.get(f"/console/customers?q={ann.lower()}")
    assert by_id.status_code == 302 and by_id.headers["Location"] == f"/console/customers/{ann}"
    found = text_of(manager.get("/console/customers?q=ann@example.com"))
    assert f'href="/console/customers/{ann}"' in found and "Ann Lee" in found
    assert "No customer matches." in text_of(manager.get("/console/customers?q=nobody@nowhere.example"))
    assert "Customer id, e-mail, phone or credit code" in text_of(manager.get("/console/customers"))


def test_merge_shows_the_diff_before_confirming_and_unmerge_restores(app, make_user):
    ann = resolve(app, "L1", "rep-1", **ANN)
    annie = resolve(app, "L2", "rep-1", **ANNIE)
    assert ann != annie
    manager = client_of(app, make_user, "m-1")

    preview = manager.get(f"/console/customers/{ann}/merge?other={annie}")
    assert preview.status_code == 200
    html = text_of(preview)
    assert f"Merge {annie} into {ann}?" in html
    found = re.findall(r'<tr class="(changed|)">\s*<th scope="row">([^<]+)</th>', html)
    rows = {label: state for state, label in found}
    assert len(rows) == 7
    assert rows["Phone"] == "changed" and rows["Address"] == "changed"  # only the absorbed customer has them
    assert "13800138000" in html and "annie.lee@corp.example" in html and "ann@example.com" in html
    assert ">L2<" in html  # the record that moves
    # Nothing changed yet.
    assert "L2" not in text_of(manager.get(f"/console/customers/{ann}")).split("Link history")[0]

    merged = manager.post(f"/console/customers/{ann}/merge", data={"other": annie, "reason": "same person"})
    assert merged.status_code == 302 and merged.headers["Location"] == f"/console/customers/{ann}"
    page = text_of(manager.get(f"/console/customers/{ann}"))
    assert f"{annie} merged into {ann}; records moved: 1." in page
    assert ">L1<" in page and ">L2<" in page and "<dd>13800138000</dd>" in page
    # The absorbed id leads to the survivor.
    absorbed = manager.get(f"/console/customers/{annie}")
    assert absorbed.status_code == 302 and absorbed.headers["Location"] == f"/console/customers/{ann}"

    merge_id = re.search(r'name="merge_id" value="([^"]+)"', page).group(1)
    undone = manager.post(f"/console/customers/{ann}/unmerge", data={"merge_id": merge_id, "reason": "not her"})
    # Post/redirect/get: refreshing the result page reads it again instead of posting the unmerge twice.
    assert undone.status_code == 302
    assert undone.headers["Location"] == f"/console/customers/{ann}/unmerged/{merge_id}"
    html = text_of(manager.get(undone.headers["Location"]))
    assert "Merge undone" in html and f"records moved back to {annie}: 1" in html
    diff = re.search(r"What changed on .*?</table>", html, re.S).group(0)
    assert "<del>13800138000</del>" in diff
    again = text_of(manager.get(undone.headers["Location"]))
    assert "<del>13800138000</del>" in again and ">L2<" in again and "records moved back" not in again
    # Another manager's browser has no diff to show, but the moved records and both golden records.
    other = text_of(client_of(app, make_user, "m-2").get(undone.headers["Location"]))
    assert "<del>" not in other and "shown only right after the unmerge" in other and ">L2<" in other
    assert "annie.lee@corp.example" in other
    restored = text_of(manager.get(f"/console/customers/{annie}"))
    assert "<dd>annie.lee@corp.example</dd>" in restored and ">L2<" in restored
    survivor = text_of(manager.get(f"/console/customers/{ann}"))
    assert ">L2<" not in survivor.split("Link history")[0] and "No merge into this customer is in effect." in survivor
    history = survivor.split("Link history")[1]
    assert ">Merged<" in history and ">Unmerged<" in history and "not her" in history


def test_merge_refusals_show_as_messages(app, make_user):
    ann = resolve(app, "L1", "rep-1", **ANN)
    annie = resolve(app, "L2", "rep-1", **ANNIE)
    manager = client_of(app, make_user, "m-1")
    same = manager.get(f"/console/customers/{ann}/merge?other={ann}", follow_redirects=True)
    assert 'class="flash error"' in text_of(same) and "Traceback" not in text_of(same)
    rep = client_of(app, make_user, "rep-1", ("sales",))
    refused = rep.post(f"/console/customers/{ann}/merge", data={"other": annie}, follow_redirects=True)
    assert 'class="flash error"' in text_of(refused)
    assert ">L2<" not in text_of(manager.get(f"/console/customers/{ann}")).split("Link history")[0]


def test_the_customer_page_speaks_chinese(app, make_user):
    ann = resolve(app, "L1", "rep-1", **ANN)
    manager = client_of(app, make_user, "m-1")
    manager.set_cookie("crm_lang", "zh_CN")
    html = text_of(manager.get(f"/console/customers/{ann}"))
    for heading in ("黄金记录", "关联记录", "关联历史", "将重复客户合并到此客户"):
        assert f"<h2>{heading}" in html, heading
