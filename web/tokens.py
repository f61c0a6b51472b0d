"""The Tokens page: create a personal API token (its secret shown once), see them, revoke one; the webhook's
section (web/webhook_page.py) shares the page."""

from __future__ import annotations

from flask import redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse

from auth.tokens import DEFAULT_EXPIRES_IN_DAYS, MAX_EXPIRES_IN_DAYS, create_token, list_tokens, parse_token_request
from auth.tokens import revoke_token as revoke_users_token
from http_plumbing.errors import ApiError
from web.access import sign_in_required
from web.routes import blueprint
from webhooks.service import find_webhook, recent_deliveries


def render_api_page(
    *,
    created: dict[str, object] | None = None,
    webhook_secret: str | None = None,
    error: str | None = None,
    status: int = 200,
) -> tuple[str, int]:
    """The page, with a just-made token or webhook secret shown (this once) and an error said, if any."""
    webhook = find_webhook(current_user.id)
    page = render_template(
        "tokens.html",
        tokens=[token.to_json() for token in list_tokens(current_user.id)],
        created=created,
        error=error,
        default_days=DEFAULT_EXPIRES_IN_DAYS,
        max_days=MAX_EXPIRES_IN_DAYS,
        webhook=webhook.to_json() if webhook else None,
        webhook_secret=webhook_secret,
        deliveries=[delivery.to_json() for delivery in recent_deliveries(current_user.id)],
    )
    return page, status


@blueprint.get("/tokens")
@sign_in_required
def tokens() -> tuple[str, int]:
    return render_api_page()


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
        return render_api_page(error=message, status=400)
    # Answered with the page itself, not a redirect: the secret is in this answer only (no-store).
    return render_api_page(created=create_token(current_user.id, name, expires_in_days).to_json(), status=201)


@blueprint.post("/tokens/<int:token_id>/revoke")
@sign_in_required
def revoke_token(token_id: int) -> BaseResponse | tuple[str, int]:
    if not revoke_users_token(current_user.id, token_id):
        return render_api_page(error="You have no such token; it may have been revoked already.", status=404)
    return redirect(url_for("web.tokens"))
