"""`flask documents ...`: put a local file where a user's documents live, for demos and scripts."""

from __future__ import annotations

import html
from pathlib import Path

import click
from flask.cli import AppGroup

from auth.models import find_user_by_email
from documents.names import object_key_for, parse_document_name
from documents.search import DEFAULT_LIMIT, MAX_LIMIT, search_chunks
from documents.storage import get_s3_client, upload_file
from http_plumbing.errors import ApiError
from settings import get_app_settings

documents_cli = AppGroup("documents", help="Work with users' documents in S3.")


@documents_cli.command("upload")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--user", "email", required=True, help="Email of the user who owns the document.")
@click.option("--name", help="documentName to store it under (default: the file's name).")
def upload(file: Path, email: str, name: str | None) -> None:
    """Upload FILE to S3 under the user's folder, ready for POST /api/route."""
    settings = get_app_settings()
    missing = settings.missing_s3_settings()
    if missing:
        raise click.ClickException(f"S3 is not configured: set {' and '.join(missing)}")
    user = find_user_by_email(email)
    if user is None:
        raise click.ClickException(f"no user with email {email}; create one with: flask users create {email}")
    try:
        document_name = parse_document_name(name or file.name, key_prefix=settings.s3_key_prefix, user_id=user.id)
    except ApiError as error:
        raise click.BadParameter(error.message, param_hint="--name") from None
    key = object_key_for(settings.s3_key_prefix, user.id, document_name)
    assert settings.aws_s3_bucket is not None
    upload_file(get_s3_client(), settings.aws_s3_bucket, key, file)
    click.echo(f"uploaded {file} to s3://{settings.aws_s3_bucket}/{key}")
    click.echo(f'process it: POST /api/route {{"documentName": "{document_name}"}}')


@documents_cli.command("search")
@click.argument("query")
@click.option("--user", "email", required=True, help="Email of the user whose documents to search.")
@click.option("--limit", type=click.IntRange(1, MAX_LIMIT), default=DEFAULT_LIMIT, show_default=True)
def search(query: str, email: str, limit: int) -> None:
    """Find QUERY's words in the user's processed documents: score, document#chunk, and the [matches]."""
    user = find_user_by_email(email)
    if user is None:
        raise click.ClickException(f"no user with email {email}; create one with: flask users create {email}")
    try:
        page = search_chunks(user.id, query, limit=str(limit))
    except ApiError as error:
        raise click.BadParameter(error.message, param_hint="QUERY") from None
    if not page.hits:
        click.echo("no matches")
    for hit in page.hits:
        snippet = html.unescape(hit.snippet.replace("<mark>", "[").replace("</mark>", "]"))
        click.echo(f"{hit.score:.3f}\t{hit.document_name}#{hit.position}\t{' '.join(snippet.split())}")
