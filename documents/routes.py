"""The documents API: hand a document to processing (POST /api/route), see how it went, read its chunks, search;
delete to the trash, restore, purge, reprocess, download the original."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify, redirect, request
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from documents import search_throttling
from documents.chunks import document_chunks
from documents.downloads import presign_download
from documents.listing import ListQuery, list_page
from documents.names import DocumentName
from documents.reprocessing import DocumentInFlightError, ensure_not_in_flight
from documents.search import search_chunks
from documents.service import (
    DocumentNotFoundError,
    accept_document,
    describe_document,
    named_document,
    requeue_document,
)
from documents.trash import (
    document_or_trashed,
    document_to_restore,
    empty_trash,
    list_trash,
    restore_document,
    trash_document,
    trashed_document,
)
from documents.uploads import presign_upload
from http_plumbing.errors import ApiError, error_response
from http_plumbing.idempotency import idempotent
from http_plumbing.request_json import json_object
from settings import get_app_settings

blueprint = Blueprint("documents", __name__, url_prefix="/api")


@blueprint.post("/route")
@idempotent
def submit_document() -> Response:
    # The checks run in the order of the original route, so a misconfigured
    # server says so before it asks anyone to sign in.
    settings = get_app_settings()
    s3 = settings.require_s3()
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()  # type: ignore[attr-defined,no-any-return]
    body = json_object()
    name = DocumentName.parse(body.get("documentName"), key_prefix=s3.key_prefix, user_id=current_user.id)
    accepted = accept_document(current_user, name, settings, current_app.extensions["inngest"])
    if accepted.delivered:
        return jsonify(status="ok", eventIds=accepted.event.inngest_ids, document=accepted.described)
    # Accepted durably but not yet delivered: the relay will deliver it.
    response = jsonify(status="queued", eventIds=[], document=accepted.described)
    response.status_code = 202
    return response


@blueprint.post("/uploads")
@login_required
def create_upload() -> Response:
    """A presigned POST the browser sends the file to; then it POSTs /api/route."""
    body = json_object()
    upload = presign_upload(
        get_app_settings(), current_user.id, body.get("documentName"), body.get("contentType"), body.get("size")
    )
    return jsonify(upload=upload.to_json())


@blueprint.get("/documents")
@login_required
def list_documents() -> Response:
    """The user's documents a page at a time: ?limit=&cursor=&status=&prefix=&sort=, and ?updatedSince= for
    what changed (documents/listing.py says how)."""
    return jsonify(list_page(current_user.id, ListQuery.parse(request.args)).to_json())


@blueprint.get("/documents/<path:document_name>")
@login_required
def show_document(document_name: str) -> Response:
    """The document of that name; when it is only in the trash, the one there (status "trashed")."""
    document = document_or_trashed(current_user.id, document_name, key_prefix=get_app_settings().s3_key_prefix)
    return jsonify(document=describe_document(document))


@blueprint.get("/documents/<path:document_name>/chunks")
@login_required
def list_chunks(document_name: str) -> Response:
    """The document's chunks in order, ?limit= at a time from ?cursor=.

    A name ending in "/chunks" always means this route: the document "a/chunks" itself is in
    GET /api/documents, and its chunks are at /api/documents/a/chunks/chunks.
    """
    document = named_document(current_user.id, document_name, key_prefix=get_app_settings().s3_key_prefix)
    arguments = request.args
    return jsonify(document_chunks(document, limit=arguments.get("limit"), cursor=arguments.get("cursor")).to_json())


@blueprint.delete("/documents/<path:document_name>")
@login_required
def delete_document(document_name: str) -> Response:
    """Move the document to the trash (?purge=1: and purge it at once); the same answer when it is there already."""
    settings = get_app_settings()
    document = document_or_trashed(current_user.id, document_name, key_prefix=settings.s3_key_prefix)
    purge_now = request.args.get("purge") in {"1", "true"}
    trash_document(document, settings, current_app.extensions["inngest"], purge_now=purge_now)
    return jsonify(document=describe_document(document))


@blueprint.post("/documents/<path:document_name>/restore")
@login_required
def restore(document_name: str) -> Response:
    """Take the document out of the trash, as it was; the same answer when it is not in the trash."""
    settings = get_app_settings()
    document = document_to_restore(current_user.id, document_name, key_prefix=settings.s3_key_prefix)
    restore_document(document, current_user, settings, current_app.extensions["inngest"])
    return jsonify(document=describe_document(document))


@blueprint.post("/documents/<path:document_name>/reprocess")
@idempotent
@login_required
def reprocess(document_name: str) -> Response:
    """Process the document again, even when its content and the settings are unchanged: answered like POST /route."""
    settings = get_app_settings()
    document = document_or_trashed(current_user.id, document_name, key_prefix=settings.s3_key_prefix)
    if document.is_trashed:
        raise ApiError(409, f"{document.display_name!r} is in the trash: restore it first, then reprocess it")
    try:
        ensure_not_in_flight(document)
    except DocumentInFlightError as error:
        raise ApiError(
            409, f"{error.name!r} is {error.status}: a run is in flight; reprocess it once it ends"
        ) from None
    event = requeue_document(document, current_user, settings, current_app.extensions["inngest"], reprocess=True)
    described = describe_document(document)
    if event.inngest_ids:
        return jsonify(status="ok", eventIds=event.inngest_ids, document=described)
    response = jsonify(status="queued", eventIds=[], document=described)
    response.status_code = 202
    return response


@blueprint.get("/documents/<path:document_name>/download")
@login_required
def download(document_name: str) -> ResponseReturnValue:
    """A redirect to a presigned GET of the original (or {"url": ...} when the client accepts JSON only)."""
    settings = get_app_settings()
    document = document_or_trashed(current_user.id, document_name, key_prefix=settings.s3_key_prefix)
    url = presign_download(document)
    if request.accept_mimetypes.best_match(["text/html", "application/json"]) == "application/json":
        return jsonify(url=url)
    response = redirect(url, code=303)
    response.headers["Cache-Control"] = "no-store"  # the URL is a credential for a few minutes
    return response


@blueprint.get("/trash")
@login_required
def trash() -> Response:
    """The user's documents in the trash, the latest put there first, each with when it is purged."""
    return jsonify(documents=[describe_document(document) for document in list_trash(current_user.id)])


@blueprint.delete("/trash/<path:document_name>")
@login_required
def purge(document_name: str) -> Response:
    """Purge a document in the trash now."""
    settings = get_app_settings()
    document = trashed_document(current_user.id, document_name, key_prefix=settings.s3_key_prefix)
    trash_document(document, settings, current_app.extensions["inngest"], purge_now=True)
    return jsonify(document=describe_document(document))


@blueprint.delete("/trash")
@login_required
def empty() -> Response:
    """Purge everything in the user's trash now."""
    purged = empty_trash(current_user.id, get_app_settings(), current_app.extensions["inngest"])
    return jsonify(documents=[describe_document(document) for document in purged])


@blueprint.get("/search")
@login_required
@search_throttling.per_user
def search() -> Response:
    """The signed-in user's chunks that contain every word of ?q=, best first, ?limit= at a time."""
    arguments = request.args
    page = search_chunks(
        current_user.id, arguments.get("q"), limit=arguments.get("limit"), cursor=arguments.get("cursor")
    )
    return jsonify(page.to_json())


@blueprint.errorhandler(DocumentNotFoundError)
def no_such_document(error: DocumentNotFoundError) -> Response:
    # Same answer whether the document is someone else's or nobody's.
    return error_response(404, f"you have no document named {error.name!r}; POST it to /api/route first")
