"""`flask documents ...`: put a local file where a user's documents live, see them, search them, reprocess them."""

from __future__ import annotations

import html
import json
import unicodedata
from collections import Counter
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from auth.models import User, find_user_by_email
from documents.models import Document, DocumentStatus
from documents.names import DocumentName
from documents.pacing import Pace
from documents.reprocessing import (
    DocumentInFlightError,
    OwnedDocument,
    ReprocessingPlan,
    SkipReason,
    ensure_not_in_flight,
    plan_reprocessing,
    reprocess,
)
from documents.search import DEFAULT_LIMIT, MAX_LIMIT, search_chunks
from documents.service import DocumentNotFoundError, describe_document, list_documents, named_document
from documents.storage import get_s3_client, upload_file
from http_plumbing.errors import ApiError
from settings import AppSettings, S3NotConfiguredError, get_app_settings

documents_cli = AppGroup("documents", help="Work with users' documents in S3.")
user_option = click.option("--user", "email", required=True, help="Email of the user whose documents these are.")
# Documents a second `reprocess` sends by default: an upgrade's runs reach Inngest over minutes, not at once.
DEFAULT_RATE = 10.0


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
    """All the user's documents, newest first, as JSON: each as GET /api/documents shows it, unpaged."""
    click.echo(visible_json(list_documents(_user(email).id)))


@documents_cli.command("show")
@click.argument("name")
@user_option
def show_command(name: str, email: str) -> None:
    """The user's document NAME as JSON: what GET /api/documents/NAME answers."""
    click.echo(visible_json(describe_document(_document(_user(email), name))))


@documents_cli.command("reprocess")
@click.argument("name", required=False)
@click.option("--all", "every", is_flag=True, help="Every document whose chunks are stale (only --user's, if given).")
@click.option("--user", "email", help="Email of the user whose documents these are; required with NAME.")
@click.option("--failed", "include_failed", is_flag=True, help="With --all: send failed documents too.")
@click.option(
    "--rate",
    type=click.FloatRange(min=0, min_open=True),
    default=DEFAULT_RATE,
    show_default=True,
    help="Documents sent per second, at most.",
)
@click.option("--dry-run", is_flag=True, help="List what would be sent; send nothing.")
def reprocess_command(
    name: str | None, every: bool, email: str | None, include_failed: bool, rate: float, dry_run: bool
) -> None:
    """Send documents to processing again, after an upgrade of the extractor or a change of CHUNK_SIZE or
    CHUNK_OVERLAP.

    With --all: each processed or unchanged document whose chunks were made by another extractor or with
    other chunk settings. Queued and processing documents are skipped (a run is in flight); failed ones
    are sent only with --failed. With NAME and --user: that document, however current its chunks, unless
    a run is in flight (a run finding its object and chunk settings unchanged only marks it unchanged).

    Events go through the outbox: one the server does not take now, the relay delivers later.
    """
    if (name is None) == (not every):
        raise click.UsageError("give either a document NAME (with --user) or --all")
    if name is not None and email is None:
        raise click.UsageError("NAME needs --user: whose document it is")
    if name is not None and include_failed:
        raise click.UsageError("--failed goes with --all: a named document is sent whatever its status")
    settings = get_app_settings()
    user = _user(email) if email is not None else None
    if user is not None and name is not None:
        plan = ReprocessingPlan([OwnedDocument(_document_not_in_flight(user, name), user)], Counter())
    else:
        plan = plan_reprocessing(settings, user_id=user.id if user else None, include_failed=include_failed)
    if dry_run:
        for owned in plan.to_send:
            click.echo(f"would send\t{_described(owned)}")
        click.echo(f"{len(plan.to_send)} to send, {_skipped(plan.skipped)}")
    else:
        _send_paced(plan, settings, Pace(rate), named=name is not None)


def _send_paced(plan: ReprocessingPlan, settings: AppSettings, pace: Pace, *, named: bool) -> None:
    client = current_app.extensions["inngest"]
    skipped = plan.skipped.copy()
    sent = undelivered = 0
    for owned in plan.to_send:
        pace.wait()
        described = _described(owned)  # before the send marks it queued
        try:
            row = reprocess(owned.document, owned.owner, settings, client)
        except DocumentInFlightError as error:
            if named:
                raise _in_flight(error) from None
            skipped[SkipReason.IN_FLIGHT] += 1  # posted since the plan was made
            continue
        sent += 1
        undelivered += not row.inngest_ids
        click.echo(f"{'sent' if row.inngest_ids else 'in outbox'}\t{described}")
    click.echo(f"{sent} sent, {_skipped(skipped)}")
    if undelivered:
        click.echo(
            f"{undelivered} not delivered yet: their events wait in the outbox for the relay "
            "(see flask outbox status; flask outbox flush delivers them now)"
        )


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


def _document(user: User, name: str) -> Document:
    try:
        return named_document(user.id, name, key_prefix=get_app_settings().s3_key_prefix)
    except ApiError as error:
        raise click.BadParameter(error.message, param_hint="NAME") from None
    except DocumentNotFoundError:
        raise click.ClickException(f"{user.email} has no document named {name!r}") from None


def _document_not_in_flight(user: User, name: str) -> Document:
    document = _document(user, name)
    try:
        ensure_not_in_flight(document)
    except DocumentInFlightError as error:
        raise _in_flight(error) from None
    return document


def _in_flight(error: DocumentInFlightError) -> click.ClickException:
    return click.ClickException(f"{error.name!r} is {error.status}: a run is in flight; reprocess it once it ends")


def _described(owned: OwnedDocument) -> str:
    """Whose document, its name and how its chunks were made, tab-separated, shown safely."""
    document = owned.document
    if document.status == DocumentStatus.FAILED.value:
        state = "failed"
    else:
        state = f"chunked as {document.chunking}" if document.chunking else "never chunked"
    return f"{visible(owned.owner.email)}\t{visible(document.name)}\t{visible(state)}"


def _skipped(skipped: Counter[SkipReason]) -> str:
    """How many a batch left alone, and why: "3 skipped (1 in flight, 2 current)"."""
    labels = {SkipReason.FAILED: "failed: add --failed to send them"}
    reasons = [f"{skipped[reason]} {labels.get(reason, reason.value)}" for reason in SkipReason if skipped[reason]]
    return f"{skipped.total()} skipped" + (f" ({', '.join(reasons)})" if reasons else "")


def _user(email: str) -> User:
    user = find_user_by_email(email)
    if user is None:
        raise click.ClickException(f"no user with email {email}; create one with: flask users create {email}")
    return user
