"""`flask users tokens ...`: personal API tokens from the command line, for an operator or a deploy script."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from auth.models import User, find_user_by_email
from auth.tokens import DEFAULT_EXPIRES_IN_DAYS, create_token, list_tokens, parse_token_request, revoke_token
from http_plumbing.errors import ApiError

tokens_cli = AppGroup("tokens", help="Create, list and revoke a user's API tokens.")


def _user(email: str) -> User:
    user = find_user_by_email(email)
    if user is None:
        raise click.ClickException(f"no user has the email {email}; `flask users list` shows them")
    return user


@tokens_cli.command("create")
@click.argument("email")
@click.option("--name", required=True, help="What the token is for, shown in the list.")
@click.option("--expires-in-days", type=int, default=DEFAULT_EXPIRES_IN_DAYS, show_default=True)
def create(email: str, name: str, expires_in_days: int) -> None:
    """Create a token for the user with EMAIL and print it (shown this once)."""
    user = _user(email)
    try:
        name, expires_in_days = parse_token_request(name, expires_in_days)
    except ApiError as error:
        raise click.UsageError(error.message.replace("expiresInDays", "--expires-in-days")) from None
    created = create_token(user.id, name, expires_in_days)
    click.echo(f"created token {created.token.id} {name!r}, expires {created.token.to_json()['expiresAt']}", err=True)
    # Alone on standard output, so that `token=$(flask users tokens create ...)` keeps only it.
    click.echo(created.secret)


@tokens_cli.command("list")
@click.argument("email")
def list_command(email: str) -> None:
    """List the tokens of the user with EMAIL: id, name, created, expires, last used (never the secret)."""
    for token in list_tokens(_user(email).id):
        shown = token.to_json()
        click.echo("\t".join(str(shown[key] or "-") for key in ("id", "name", "createdAt", "expiresAt", "lastUsedAt")))


@tokens_cli.command("revoke")
@click.argument("email")
@click.argument("token_id", type=int)
def revoke(email: str, token_id: int) -> None:
    """Revoke the token TOKEN_ID of the user with EMAIL: it stops working at once."""
    if not revoke_token(_user(email).id, token_id):
        raise click.ClickException(f"{email} has no token with id {token_id}")
    click.echo(f"revoked token {token_id}")
