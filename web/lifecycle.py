"""The pages' side of a document's life: delete (with a confirmation), the trash, restore, purge, reprocess.

Plain forms with CSRF tokens, so every action works under the pages' CSP without a line of script.
"""

from __future__ import annotations

from flask import current_app, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse

from documents.models import DocumentStatus
from documents.reprocessing import DocumentInFlightError, ensure_not_in_flight
from documents.service import describe_document, named_document, requeue_document
from documents.trash import (
    document_or_trashed,
    document_to_restore,
    empty_trash,
    list_trash,
    restore_document,
    trash_document,
    trashed_document,
)
from http_plumbing.errors import ApiError
from settings import get_app_settings
from web.access import sign_in_required
from web.routes import blueprint


@blueprint.get("/documents/<path:document_name>/delete")
@sign_in_required
def confirm_delete(document_name: str) -> str:
    found = named_document(current_user.id, document_name, key_prefix=get_app_settings().s3_key_prefix)
    return render_template(
        "delete.html", document=describe_document(found), retention_days=get_app_settings().trash_retention_days
    )


@blueprint.post("/documents/<path:document_name>/delete")
@sign_in_required
def delete(document_name: str) -> BaseResponse:
    settings = get_app_settings()
    found = named_document(current_user.id, document_name, key_prefix=settings.s3_key_prefix)
    trash_document(found, settings, current_app.extensions["inngest"])
    return redirect(url_for("web.trash"))


@blueprint.post("/documents/<path:document_name>/restore")
@sign_in_required
def restore(document_name: str) -> BaseResponse:
    settings = get_app_settings()
    found = document_to_restore(current_user.id, document_name, key_prefix=settings.s3_key_prefix)
    restore_document(found, current_user, settings, current_app.extensions["inngest"])
    return redirect(url_for("web.document", document_name=found.display_name))


@blueprint.post("/documents/<path:document_name>/reprocess")
@sign_in_required
def reprocess(document_name: str) -> BaseResponse:
    settings = get_app_settings()
    found = document_or_trashed(current_user.id, document_name, key_prefix=settings.s3_key_prefix)
    if found.is_trashed:
        raise ApiError(409, f"{found.display_name!r} is in the trash: restore it first, then reprocess it")
    try:
        ensure_not_in_flight(found)
    except DocumentInFlightError as error:
        raise ApiError(409, f"{error.name!r} is {error.status}: reprocess it once its run ends") from None
    requeue_document(found, current_user, settings, current_app.extensions["inngest"], reprocess=True)
    return redirect(url_for("web.document", document_name=found.display_name))


@blueprint.get("/trash")
@sign_in_required
def trash() -> str:
    documents = [
        {**describe_document(document), "purging": document.status == DocumentStatus.PURGING.value}
        for document in list_trash(current_user.id)
    ]
    return render_template("trash.html", documents=documents)


@blueprint.post("/trash/<path:document_name>/purge")
@sign_in_required
def purge(document_name: str) -> BaseResponse:
    settings = get_app_settings()
    found = trashed_document(current_user.id, document_name, key_prefix=settings.s3_key_prefix)
    trash_document(found, settings, current_app.extensions["inngest"], purge_now=True)
    return redirect(url_for("web.trash"))


@blueprint.post("/trash/empty")
@sign_in_required
def empty() -> BaseResponse:
    empty_trash(current_user.id, get_app_settings(), current_app.extensions["inngest"])
    return redirect(url_for("web.trash"))
