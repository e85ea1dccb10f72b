"""`crm gateway ...`: tenants, users and API keys, for the first administrator and for scripts."""

from __future__ import annotations

import secrets

import click

from services.core.auth import ROLES
from services.core.errors import DomainError, InvalidArgument
from services.core.settings import load_settings


def _database():  # noqa: ANN202
    from services.core.migrate import upgrade
    from services.gateway.app import gateway_database
    from services.gateway.schema import SCHEMA

    database = gateway_database(load_settings())
    upgrade(SCHEMA, database)
    return database


def _fail(error: DomainError) -> None:
    if isinstance(error, InvalidArgument):
        for violation in error.violations:
            click.echo(f"{violation.field}: {violation.description}", err=True)
    else:
        click.echo(str(error.message), err=True)
    raise SystemExit(1)


@click.group("gateway")
def COMMANDS() -> None:  # noqa: N802 - the name every component's commands module exports
    """Tenants, users and API keys (the gateway's own data)."""


@COMMANDS.command("create-tenant")
@click.argument("tenant_id")
@click.option("--name", required=True, help="The organisation's display name.")
@click.option("--locale", default="en", type=click.Choice(["en", "zh_CN"]), show_default=True)
def create_tenant(tenant_id: str, name: str, locale: str) -> None:
    """Create a tenant (nothing happens if it exists)."""
    from services.gateway import accounts

    try:
        with _database().kernel_session() as session:
            accounts.create_tenant(session, tenant_id=tenant_id, name=name, default_locale=locale)
    except DomainError as error:
        _fail(error)
    click.echo(f"tenant {tenant_id}")


@COMMANDS.command("create-user")
@click.option("--tenant", required=True)
@click.option("--employee-id", required=True, help="Login name, and the user's id in every service.")
@click.option("--name", "display_name", required=True)
@click.option("--role", "roles", multiple=True, required=True, type=click.Choice(ROLES), help="Repeat for several.")
@click.option("--manager", "manager_id", help="The employee id of the user's manager.")
@click.option("--password", help="Initial password (default: a random one, printed). It must be changed at login.")
def create_user(tenant: str, employee_id: str, display_name: str, roles: tuple[str, ...], manager_id: str | None,
                password: str | None) -> None:
    """Create a user who must change the password and enrol 2FA at the first login."""
    from services.gateway import accounts

    initial = password or secrets.token_urlsafe(12)
    try:
        with _database().session(tenant) as session:
            accounts.create_user(session, tenant=tenant, employee_id=employee_id, display_name=display_name,
                                 roles=list(roles), manager_id=manager_id, initial_password=initial)
    except DomainError as error:
        _fail(error)
    click.echo(f"user {employee_id} created" + ("" if password else f"; initial password: {initial}"))


@COMMANDS.command("reset-password")
@click.option("--tenant", required=True)
@click.option("--employee-id", required=True)
def reset_password(tenant: str, employee_id: str) -> None:
    """Give a user a temporary password (printed), end their sessions, force a change at the next login."""
    from services.gateway import accounts

    temporary = secrets.token_urlsafe(12)
    with _database().session(tenant) as session:
        user = accounts.user_by_employee_id(session, employee_id)
        if user is None:
            raise click.BadParameter(f"no user {employee_id} in tenant {tenant}")
        accounts.reset_password(session, user=user, temporary_password=temporary)
    click.echo(f"temporary password: {temporary}")


@COMMANDS.command("reset-2fa")
@click.option("--tenant", required=True)
@click.option("--employee-id", required=True)
def reset_2fa(tenant: str, employee_id: str) -> None:
    """Forget a user's authenticator app (lost phone): the next login enrols a new one."""
    from services.gateway import accounts

    with _database().session(tenant) as session:
        user = accounts.user_by_employee_id(session, employee_id)
        if user is None:
            raise click.BadParameter(f"no user {employee_id} in tenant {tenant}")
        accounts.reset_second_factor(session, user=user)
    click.echo(f"{employee_id} enrols two-factor authentication again at the next login")


@COMMANDS.command("create-api-key")
@click.option("--tenant", required=True)
@click.option("--name", required=True, help="What the key is for, e.g. erp-sync.")
@click.option("--role", "roles", multiple=True, required=True, type=click.Choice(ROLES))
@click.option("--subject", help="The id the services see for this key (default api:<name>).")
def create_api_key(tenant: str, name: str, roles: tuple[str, ...], subject: str | None) -> None:
    """Create an API key for an integration; the key is printed once and never stored."""
    from services.gateway import accounts

    try:
        with _database().session(tenant) as session:
            issued = accounts.create_api_key(session, name=name, roles=list(roles), created_by="cli",
                                             subject=subject)
    except DomainError as error:
        _fail(error)
    click.echo(issued.key)


@COMMANDS.command("revoke-api-key")
@click.option("--tenant", required=True)
@click.argument("key_id")
def revoke_api_key(tenant: str, key_id: str) -> None:
    """Revoke an API key by its id (the part after `crm_`, before the second `_`)."""
    from services.gateway import accounts

    try:
        with _database().session(tenant) as session:
            accounts.revoke_api_key(session, key_id=key_id)
    except DomainError as error:
        _fail(error)
    click.echo(f"revoked {key_id}")
