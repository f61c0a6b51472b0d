"""The Tokens page: create a personal API token (its secret shown once), see them, revoke one."""

from __future__ import annotations

from flask import redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse

from auth.tokens import DEFAULT_EXPIRES_IN_DAYS, MAX_EXPIRES_IN_DAYS, create_token, list_tokens, parse_token_request
from auth.tokens import revoke_token as revoke_users_token
from http_plumbing.errors import ApiError
from web.access import sign_in_required
from web.routes import blueprint


def _page(*, created: dict[str, object] | None = None, error: str | None = None, status: int = 200) -> tuple[str, int]:
    tokens = [token.to_json() for token in list_tokens(current_user.id)]
    page = render_template(
        "tokens.html",
        tokens=tokens,
        created=created,
        error=error,
        default_days=DEFAULT_EXPIRES_IN_DAYS,
        max_days=MAX_EXPIRES_IN_DAYS,
    )
    return page, status


@blueprint.get("/tokens")
@sign_in_required
def tokens() -> tuple[str, int]:
    return _page()


@blueprint.post("/tokens")
@sign_in_required
def create_token_submit() -> tuple[str, int]:
    raw_days = request.form.get("expires_in_days", "").strip()
    try:
        days: object = int(raw_days) if raw_days else None
    except ValueError:
        days = raw_days
    try:
        name, expires_in_days = parse_token_request(request.form.get("name"), days)
    except ApiError as error:
        message = error.message.replace("expiresInDays", "Expires in days").replace("name must", "Name must")
        return _page(error=message, status=400)
    # Answered with the page itself, not a redirect: the secret is in this answer only (no-store).
    return _page(created=create_token(current_user.id, name, expires_in_days).to_json(), status=201)


@blueprint.post("/tokens/<int:token_id>/revoke")
@sign_in_required
def revoke_token(token_id: int) -> BaseResponse | tuple[str, int]:
    if not revoke_users_token(current_user.id, token_id):
        return _page(error="You have no such token; it may have been revoked already.", status=404)
    return redirect(url_for("web.tokens"))
