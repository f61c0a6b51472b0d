"""`flask documents ...`: put a local file where a user's documents live, for demos and scripts."""

from __future__ import annotations

import html
import json
import unicodedata
from pathlib import Path

import click
from flask.cli import AppGroup

from auth.models import User, find_user_by_email
from documents.names import DocumentName
from documents.search import DEFAULT_LIMIT, MAX_LIMIT, search_chunks
from documents.service import DocumentNotFoundError, describe_document, list_documents, named_document
from documents.storage import get_s3_client, upload_file
from http_plumbing.errors import ApiError
from settings import S3NotConfiguredError, get_app_settings

documents_cli = AppGroup("documents", help="Work with users' documents in S3.")
user_option = click.option("--user", "email", required=True, help="Email of the user whose documents these are.")


@documents_cli.command("upload")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--user", "email", required=True, help="Email of the user who owns the document.")
@click.option("--name", help="documentName to store it under (default: the file's name).")
def upload(file: Path, email: str, name: str | None) -> None:
    """Upload FILE to S3 under the user's folder, ready for POST /api/route."""
    try:
        s3 = get_app_settings().require_s3()
    except S3NotConfiguredError as error:
        raise click.ClickException(f"S3 is not configured: set {' and '.join(error.missing)}") from None
    user = _user(email)
    try:
        document_name = DocumentName.parse(name or file.name, key_prefix=s3.key_prefix, user_id=user.id)
    except ApiError as error:
        raise click.BadParameter(error.message, param_hint="--name") from None
    upload_file(get_s3_client(), s3.bucket, document_name.key, file)
    click.echo(f"uploaded {file} to s3://{s3.bucket}/{document_name.key}")
    click.echo(f'process it: POST /api/route {{"documentName": "{document_name.name}"}}')


@documents_cli.command("search")
@click.argument("query")
@click.option("--user", "email", required=True, help="Email of the user whose documents to search.")
@click.option("--limit", type=click.IntRange(1, MAX_LIMIT), default=DEFAULT_LIMIT, show_default=True)
def search(query: str, email: str, limit: int) -> None:
    """Find QUERY's words in the user's processed documents: score, document#chunk, and the [matches]."""
    user = _user(email)
    try:
        page = search_chunks(user.id, query, limit=str(limit))
    except ApiError as error:
        raise click.BadParameter(error.message, param_hint="QUERY") from None
    if not page.hits:
        click.echo("no matches")
    for hit in page.hits:
        snippet = html.unescape(hit.snippet.replace("<mark>", "[").replace("</mark>", "]"))
        where = visible(f"{hit.document_name}#{hit.position}{provenance(hit.pages, hit.section)}")
        click.echo(f"{hit.score:.3f}\t{where}\t{visible(' '.join(snippet.split()))}")


@documents_cli.command("list")
@user_option
def list_command(email: str) -> None:
    """The user's documents, newest first, as JSON: what GET /api/documents answers."""
    click.echo(visible_json(list_documents(_user(email).id)))


@documents_cli.command("show")
@click.argument("name")
@user_option
def show_command(name: str, email: str) -> None:
    """The user's document NAME as JSON: what GET /api/documents/NAME answers."""
    user = _user(email)
    try:
        document = named_document(user.id, name, key_prefix=get_app_settings().s3_key_prefix)
    except ApiError as error:
        raise click.BadParameter(error.message, param_hint="NAME") from None
    except DocumentNotFoundError:
        raise click.ClickException(f"{email} has no document named {name!r}") from None
    click.echo(visible_json(describe_document(document)))


# Control characters (C0, DEL, C1: ESC starts ANSI colours and OSC window titles, U+009B is a
# one-character CSI) and invisible formatting (bidirectional overrides, zero widths).
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp"})


def provenance(pages: tuple[int, int] | None, section: str | None) -> str:
    """Where a hit came from, as " (page 41 · Spannbaum)", or "" when nothing is known."""
    parts = [f"page {pages[0]}" if pages and pages[0] == pages[1] else f"pages {pages[0]}-{pages[1]}"] if pages else []
    parts += [section] if section else []
    return f" ({' · '.join(parts)})" if parts else ""


def visible(text: str) -> str:
    """`text` with each control or formatting character written out (`\\x1b`, `\\u202e`), so that what
    a document holds is shown on the terminal rather than obeyed by it, piped or not."""
    return "".join(_written_out(character) if _invisible(character) else character for character in text)


def visible_json(value: object) -> str:
    """`value` as indented JSON whose strings hold no raw control or formatting character.

    json escapes C0 characters itself; the others become `\\uXXXX` too, which reads back the same.
    """
    dumped = json.dumps(value, indent=2, ensure_ascii=False)
    return "".join(
        f"\\u{ord(character):04x}" if _invisible(character) and character != "\n" else character for character in dumped
    )


def _invisible(character: str) -> bool:
    return unicodedata.category(character) in _INVISIBLE_CATEGORIES


def _written_out(character: str) -> str:
    code = ord(character)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def _user(email: str) -> User:
    user = find_user_by_email(email)
    if user is None:
        raise click.ClickException(f"no user with email {email}; create one with: flask users create {email}")
    return user
