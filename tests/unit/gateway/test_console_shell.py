"""The console shell: pages need a full login; the menu and language follow the person."""

from __future__ import annotations

from tests.unit.gateway.conftest import logged_in


def test_console_pages_send_strangers_to_the_login_page(services_gateway):
    answer = services_gateway.test_client().get("/console")
    assert answer.status_code == 302 and answer.headers["Location"].startswith("/login?next=/console")


def test_a_logged_in_rep_lands_in_the_console(services_gateway, make_user):
    client = services_gateway.test_client()
    logged_in(services_gateway, client, make_user("rep-1", ("sales",)))
    answer = client.get("/console")
    assert answer.status_code == 302
    assert answer.headers["Cache-Control"] == "no-store"
