"""The documents API: hand a document to processing (POST /api/route), see how it went, read its chunks, search;
delete to the trash, restore, purge, reprocess, download the original."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify, redirect, request
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from documents import search_throttling
from documents.api_models import (
    Accepted,
    ChunkPageJson,
    ChunkParameters,
    DeleteParameters,
    DocumentAnswer,
    DocumentPageJson,
    DocumentsAnswer,
    DownloadJson,
    ListParameters,
    SearchPageJson,
    SearchParameters,
    SubmitRequest,
    UploadAnswer,
    UploadRequest,
)
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
from http_plumbing.api_operations import Answer, Operation, documented
from http_plumbing.errors import ApiError, error_response
from http_plumbing.idempotency import idempotent
from http_plumbing.request_json import json_model, query_model
from settings import get_app_settings

blueprint = Blueprint("documents", __name__, url_prefix="/api")

NOT_FOUND = Answer("You have no document of that name.")
BAD_NAME = Answer("The name is not one a document can have, or a parameter is wrong; the error says which.")
IN_FLIGHT_OR_TRASHED = Answer("The document is in the trash, or a run is in flight; the error says what to do.")
# Where a document's answer leads: the document itself and its chunks, by the name it was given.
_BY_NAME = {"document_name": "$response.body#/document/name"}
DOCUMENT_LINKS = {
    "GetDocument": {"operationId": "documents.show_document", "parameters": _BY_NAME},
    "GetChunks": {"operationId": "documents.list_chunks", "parameters": _BY_NAME},
}
SEARCH_BUSY = Answer("Too many searches, or one still running; wait Retry-After seconds.", retry_after=True)


@blueprint.post("/route")
@documented(
    Operation(
        "Hand a document in S3 to processing",
        body=SubmitRequest,
        idempotency_key=True,
        answers={
            200: Answer("Accepted and handed to Inngest.", Accepted, links=DOCUMENT_LINKS),
            202: Answer("Accepted durably; the relay hands it to Inngest shortly.", Accepted, links=DOCUMENT_LINKS),
            400: BAD_NAME,
            500: Answer("S3 is not configured on this server."),
        },
    )
)
@idempotent
def submit_document() -> Response:
    # The checks run in the order of the original route, so a misconfigured
    # server says so before it asks anyone to sign in.
    settings = get_app_settings()
    s3 = settings.require_s3()
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()  # type: ignore[attr-defined,no-any-return]
    body = json_model(SubmitRequest)
    name = DocumentName.parse(body.documentName, key_prefix=s3.key_prefix, user_id=current_user.id)
    accepted = accept_document(current_user, name, settings, current_app.extensions["inngest"])
    if accepted.delivered:
        return jsonify(status="ok", eventIds=accepted.event.inngest_ids, document=accepted.described)
    # Accepted durably but not yet delivered: the relay will deliver it.
    response = jsonify(status="queued", eventIds=[], document=accepted.described)
    response.status_code = 202
    return response


@blueprint.post("/uploads")
@documented(
    Operation(
        "Get a presigned POST to upload a file to S3",
        body=UploadRequest,
        answers={200: Answer("Where and how to post the file.", UploadAnswer), 400: BAD_NAME},
    )
)
@login_required
def create_upload() -> Response:
    """A presigned POST the browser sends the file to; then it POSTs /api/route."""
    body = json_model(UploadRequest)
    upload = presign_upload(get_app_settings(), current_user.id, body.documentName, body.contentType, body.size)
    return jsonify(upload=upload.to_json())


@blueprint.get("/documents")
@documented(
    Operation(
        "List your documents a page at a time",
        query=ListParameters,
        answers={200: Answer("One page, with counts per status.", DocumentPageJson), 400: BAD_NAME},
    )
)
@login_required
def list_documents() -> Response:
    """The user's documents a page at a time: ?limit=&cursor=&status=&prefix=&sort=, and ?updatedSince= for
    what changed (documents/listing.py says how)."""
    return jsonify(list_page(current_user.id, ListQuery.parse(request.args)).to_json())


@blueprint.get("/documents/<path:document_name>")
@documented(
    Operation(
        "Show a document",
        answers={200: Answer("The document.", DocumentAnswer), 400: BAD_NAME, 404: NOT_FOUND},
    )
)
@login_required
def show_document(document_name: str) -> Response:
    """The document of that name; when it is only in the trash, the one there (status "trashed")."""
    document = document_or_trashed(current_user.id, document_name, key_prefix=get_app_settings().s3_key_prefix)
    return jsonify(document=describe_document(document))


@blueprint.get("/documents/<path:document_name>/chunks")
@documented(
    Operation(
        "Read a document's chunks in order",
        query=ChunkParameters,
        answers={200: Answer("One page of chunks.", ChunkPageJson), 400: BAD_NAME, 404: NOT_FOUND},
    )
)
@login_required
def list_chunks(document_name: str) -> Response:
    """The document's chunks in order, ?limit= at a time from ?cursor=.

    A name ending in "/chunks" always means this route: the document "a/chunks" itself is in
    GET /api/documents, and its chunks are at /api/documents/a/chunks/chunks.
    """
    document = named_document(current_user.id, document_name, key_prefix=get_app_settings().s3_key_prefix)
    arguments = query_model(ChunkParameters)
    return jsonify(document_chunks(document, limit=arguments.limit, cursor=arguments.cursor).to_json())


@blueprint.delete("/documents/<path:document_name>")
@documented(
    Operation(
        "Move a document to the trash",
        query=DeleteParameters,
        answers={
            200: Answer(
                "The document, now in the trash.",
                DocumentAnswer,
                links={
                    "Restore": {
                        "operationId": "documents.restore",
                        "parameters": {"document_name": "$response.body#/document/name"},
                    }
                },
            ),
            400: BAD_NAME,
            404: NOT_FOUND,
        },
    )
)
@login_required
def delete_document(document_name: str) -> Response:
    """Move the document to the trash (?purge=1: and purge it at once); the same answer when it is there already."""
    settings = get_app_settings()
    document = document_or_trashed(current_user.id, document_name, key_prefix=settings.s3_key_prefix)
    purge_now = query_model(DeleteParameters).purge_now
    trash_document(document, settings, current_app.extensions["inngest"], purge_now=purge_now)
    return jsonify(document=describe_document(document))


@blueprint.post("/documents/<path:document_name>/restore")
@documented(
    Operation(
        "Take a document out of the trash",
        answers={
            200: Answer("The document, out of the trash.", DocumentAnswer, links=DOCUMENT_LINKS),
            400: BAD_NAME,
            404: NOT_FOUND,
            409: Answer("A new document has its name, or its purge has begun."),
        },
    )
)
@login_required
def restore(document_name: str) -> Response:
    """Take the document out of the trash, as it was; the same answer when it is not in the trash."""
    settings = get_app_settings()
    document = document_to_restore(current_user.id, document_name, key_prefix=settings.s3_key_prefix)
    restore_document(document, current_user, settings, current_app.extensions["inngest"])
    return jsonify(document=describe_document(document))


@blueprint.post("/documents/<path:document_name>/reprocess")
@documented(
    Operation(
        "Process a document again",
        idempotency_key=True,
        answers={
            200: Answer("Handed to Inngest.", Accepted, links=DOCUMENT_LINKS),
            202: Answer("Accepted durably; the relay hands it to Inngest shortly.", Accepted, links=DOCUMENT_LINKS),
            400: BAD_NAME,
            404: NOT_FOUND,
            409: IN_FLIGHT_OR_TRASHED,
        },
    )
)
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
@documented(
    Operation(
        "Download the original",
        description="A 303 to a presigned GET, or its URL as JSON when the client accepts only application/json.",
        answers={
            200: Answer("The presigned URL (Accept: application/json).", DownloadJson),
            303: Answer(
                "A redirect to the presigned URL, valid for a few minutes.",
                None,
                headers={"Location": "The presigned URL."},
            ),
            400: BAD_NAME,
            404: NOT_FOUND,
            409: IN_FLIGHT_OR_TRASHED,
        },
    )
)
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
@documented(Operation("List the trash", answers={200: Answer("Your trashed documents.", DocumentsAnswer)}))
@login_required
def trash() -> Response:
    """The user's documents in the trash, the latest put there first, each with when it is purged."""
    return jsonify(documents=[describe_document(document) for document in list_trash(current_user.id)])


@blueprint.delete("/trash/<path:document_name>")
@documented(
    Operation(
        "Purge a trashed document now",
        answers={200: Answer("The document, being purged.", DocumentAnswer), 400: BAD_NAME, 404: NOT_FOUND},
    )
)
@login_required
def purge(document_name: str) -> Response:
    """Purge a document in the trash now."""
    settings = get_app_settings()
    document = trashed_document(current_user.id, document_name, key_prefix=settings.s3_key_prefix)
    trash_document(document, settings, current_app.extensions["inngest"], purge_now=True)
    return jsonify(document=describe_document(document))


@blueprint.delete("/trash")
@documented(Operation("Empty the trash", answers={200: Answer("The documents being purged.", DocumentsAnswer)}))
@login_required
def empty() -> Response:
    """Purge everything in the user's trash now."""
    purged = empty_trash(current_user.id, get_app_settings(), current_app.extensions["inngest"])
    return jsonify(documents=[describe_document(document) for document in purged])


@blueprint.get("/search")
@documented(
    Operation(
        "Search your documents' chunks",
        query=SearchParameters,
        answers={200: Answer("One page of results.", SearchPageJson), 400: BAD_NAME, 429: SEARCH_BUSY},
    )
)
@login_required
@search_throttling.per_user
def search() -> Response:
    """The signed-in user's chunks that contain every word of ?q=, best first, ?limit= at a time."""
    arguments = query_model(SearchParameters)
    page = search_chunks(current_user.id, arguments.q, limit=arguments.limit, cursor=arguments.cursor)
    return jsonify(page.to_json())


@blueprint.errorhandler(DocumentNotFoundError)
def no_such_document(error: DocumentNotFoundError) -> Response:
    # Same answer whether the document is someone else's or nobody's.
    return error_response(404, f"you have no document named {error.name!r}; POST it to /api/route first")
