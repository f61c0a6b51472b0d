"""`flask users ...`: manage accounts from the command line."""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup
from sqlalchemy.exc import IntegrityError

from auth.closing import close_account
from auth.models import User, find_user_by_email, normalise_email
from auth.passwords import MIN_PASSWORD_LENGTH, hash_password
from extensions import db

users_cli = AppGroup("users", help="Create, list and delete user accounts.")


@users_cli.command("create")
@click.argument("email")
@click.option("--password", help="The password (prefer the prompt or --password-stdin: this ends up in shell history).")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of standard input.")
def create_user(email: str, password: str | None, password_stdin: bool) -> None:
    """Create a user who can sign in with EMAIL."""
    email = normalise_email(email)
    if "@" not in email:
        raise click.BadParameter("that does not look like an email address", param_hint="EMAIL")
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    elif password is None:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    if len(password) < MIN_PASSWORD_LENGTH:
        raise click.BadParameter(f"must be at least {MIN_PASSWORD_LENGTH} characters", param_hint="password")
    if find_user_by_email(email) is not None:
        raise click.ClickException(f"a user with email {email} already exists")
    user = User(email=email, password_hash=hash_password(password))
    db.session.add(user)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise click.ClickException(f"a user with email {email} already exists") from None
    click.echo(f"created user {user.id} <{user.email}>")


@users_cli.command("list")
def list_users() -> None:
    """List every user: id, email, created."""
    for user in db.session.scalars(db.select(User).order_by(User.id)):
        click.echo(f"{user.id}\t{user.email}\t{user.created_at:%Y-%m-%d %H:%M}")


@users_cli.command("delete")
@click.argument("email")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def delete_user(email: str, yes: bool) -> None:
    """Delete the account of EMAIL: it can no longer sign in, and every document of it is purged for good."""
    user = find_user_by_email(email)
    if user is None:
        raise click.ClickException(f"no user has email {normalise_email(email)}")
    if not yes:
        click.confirm(f"Delete {user.email} and purge all of their documents for good?", abort=True)
    user_id, user_email = user.id, user.email  # the row itself goes at once when there is nothing to purge
    purged = close_account(user)
    click.echo(f"deleted user {user_id} <{user_email}>: {purged} document(s) being purged")
