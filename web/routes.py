"""The web blueprint: server-rendered pages over the JSON API; uploads go from the browser straight to S3."""

from __future__ import annotations

from typing import cast

from flask import Blueprint, Response, redirect, render_template, request, session, url_for
from flask_limiter.errors import RateLimitExceeded
from flask_login import current_user, login_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response as BaseResponse

from auth import accounts, throttling
from auth.accounts import authenticate
from documents import search_throttling
from documents.listing import ListQuery, list_page
from documents.models import DocumentStatus
from documents.search import search_chunks
from documents.service import DocumentNotFoundError, chunks_around, describe_document
from documents.trash import document_or_trashed
from documents.types import SUPPORTED_TYPES
from documents.uploads import upload_origin
from http_plumbing.browser_security import page_security_headers
from http_plumbing.errors import ApiError
from settings import get_app_settings
from timestamps import iso_utc
from web.access import safe_next_path, sign_in_required

blueprint = Blueprint("web", __name__)

FIRST_CHUNKS = 5
IN_FLIGHT = frozenset({DocumentStatus.QUEUED.value, DocumentStatus.PROCESSING.value})
# What the documents page's links carry: the rest of GET /api/documents's parameters keep their defaults.
LIST_PARAMETERS = ("status", "cursor")
DEV_SERVER_URL = "http://localhost:8288"
EXPIRED_FORM = "This form has expired or did not come from this site. Reload the page and try again."


@blueprint.after_request
def add_page_headers(response: Response) -> Response:
    # Set here, before http_plumbing's defaults (which only fill in what is missing).
    response.headers.update(page_security_headers(upload_origin=upload_origin(get_app_settings())))
    response.headers.setdefault("Cache-Control", "no-store")  # pages show one person's documents
    return response


@blueprint.get("/")
def home() -> BaseResponse:
    return redirect(url_for("web.documents" if current_user.is_authenticated else "web.sign_in"))


@blueprint.get("/sign-in")
def sign_in() -> BaseResponse | str:
    next_path = safe_next_path(request.args.get("next"))
    if current_user.is_authenticated:
        return redirect(next_path or url_for("web.documents"))
    return render_template("sign_in.html", email="", next_path=next_path, error=None)


@blueprint.post("/sign-in")
@throttling.per_address
@throttling.per_account_logging_in
def sign_in_submit() -> BaseResponse | tuple[str, int]:
    email, password = request.form.get("email", "").strip(), request.form.get("password", "")
    next_path = safe_next_path(request.form.get("next"))
    if not email or not password:
        return _sign_in_page(email, next_path, "Enter your email and your password.", 400)
    try:
        user = authenticate(email, password)
    except ApiError as error:  # 401, counted by the throttles like the API's
        return _sign_in_page(email, next_path, error.message[:1].upper() + error.message[1:] + ".", error.status)
    # A fresh session on every sign-in, as the API does, so that nothing planted before it survives.
    session.clear()
    login_user(user)
    return redirect(next_path or url_for("web.documents"))


@blueprint.post("/sign-out")
def sign_out() -> BaseResponse:
    accounts.sign_out()
    return redirect(url_for("web.sign_in"))


@blueprint.get("/documents")
@sign_in_required
def documents() -> str:
    """A page of the list, rendered here so that paging and filtering are plain links; the script uploads
    and, while something shown is in flight, asks GET /api/documents for what changed."""
    settings = get_app_settings()
    chosen = {name: request.args[name] for name in LIST_PARAMETERS if request.args.get(name)}
    page = list_page(current_user.id, ListQuery.parse(chosen))
    return render_template(
        "documents.html",
        accepted_types=SUPPORTED_TYPES,
        max_document_bytes=settings.max_document_bytes,
        page=page,
        status=chosen.get("status"),
        newest=chosen.get("cursor") is None,
        updated_since=iso_utc(page.next_updated_since),
        in_flight=sorted(IN_FLIGHT),
    )


@blueprint.get("/documents/<path:document_name>")
@sign_in_required
def document(document_name: str) -> str:
    settings = get_app_settings()
    found = document_or_trashed(current_user.id, document_name, key_prefix=settings.s3_key_prefix)
    # ?chunk=N (a search result) shows the chunks around N; otherwise the first ones.
    wanted = request.args.get("chunk", type=int)
    if wanted is not None and not 0 <= wanted < found.chunk_count:
        wanted = None  # a position the document has not got: its first chunks, as for `chunk=abc`
    chunks = chunks_around(found, wanted, count=FIRST_CHUNKS)
    details = describe_document(found)
    run_url = None
    if settings.inngest_dev and found.run_id:
        run_url = f"{(settings.inngest_base_url or DEV_SERVER_URL).rstrip('/')}/run?runID={found.run_id}"
    return render_template(
        "document.html",
        document=details,
        chunks=chunks,
        wanted_chunk=wanted,
        in_flight=not found.is_trashed and found.status in IN_FLIGHT,
        run_url=run_url,
    )


@blueprint.get("/search")
@sign_in_required
@search_throttling.per_user_page
def search() -> str | tuple[str, int]:
    """Search results as a page: the same search as GET /api/search; a bad query is said on the page."""
    query = request.args.get("q", "")
    try:
        page = search_chunks(current_user.id, query, cursor=request.args.get("cursor"))
    except ApiError as error:
        return render_template("search.html", query=query, page=None, error=error.message), error.status
    return render_template("search.html", query=query, page=page, error=None)


@blueprint.errorhandler(DocumentNotFoundError)
def no_such_document_page(error: DocumentNotFoundError) -> tuple[str, int]:
    return render_template("error.html", status=404, message=f"You have no document named {error.name!r}."), 404


@blueprint.errorhandler(ApiError)
def api_error_page(error: ApiError) -> tuple[str, int, dict[str, str]]:
    return render_template("error.html", status=error.status, message=error.message), error.status, error.headers


@blueprint.errorhandler(HTTPException)
def http_error_page(error: HTTPException) -> tuple[str, int, dict[str, str]] | BaseResponse | tuple[str, int]:
    status = error.code or 500
    if isinstance(error, RateLimitExceeded) and request.endpoint == "web.sign_in_submit":
        retry_after = error.response.headers.get("Retry-After", "60") if error.response is not None else "60"
        message = f"Too many wrong passwords. Try again in {retry_after} seconds."
        page = _sign_in_page(request.form.get("email", ""), safe_next_path(request.form.get("next")), message, 429)
        return page[0], page[1], {"Retry-After": retry_after}
    if isinstance(error, RateLimitExceeded) and error.response is not None:
        return cast(BaseResponse, error.response)  # the search page's, built by documents.search_throttling
    message = EXPIRED_FORM if isinstance(error, CSRFError) else error.description or error.name
    return render_template("error.html", status=status, message=message), status


def _sign_in_page(email: str, next_path: str | None, error: str, status: int) -> tuple[str, int]:
    return render_template("sign_in.html", email=email, next_path=next_path, error=error), status
