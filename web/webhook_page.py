"""The webhook section of the Tokens page: set its URL, roll its secret (shown once), remove it."""

from __future__ import annotations

from flask import redirect, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse

from settings import get_app_settings
from web.access import sign_in_required
from web.routes import blueprint
from web.tokens import render_api_page
from webhooks.addresses import WebhookUrlError
from webhooks.service import find_webhook, remove_webhook, roll_secret, set_webhook

NO_WEBHOOK = "You have no webhook; set its URL first."


@blueprint.post("/webhook")
@sign_in_required
def set_webhook_submit() -> tuple[str, int]:
    try:
        saved = set_webhook(current_user.id, request.form.get("url"), get_app_settings())
    except WebhookUrlError as error:
        return render_api_page(error=f"Webhook: {error}.", status=400)
    return render_api_page(webhook_secret=saved.secret)


@blueprint.post("/webhook/secret")
@sign_in_required
def roll_webhook_secret() -> tuple[str, int]:
    webhook = find_webhook(current_user.id)
    if webhook is None:
        return render_api_page(error=NO_WEBHOOK, status=404)
    return render_api_page(webhook_secret=roll_secret(webhook).secret)


@blueprint.post("/webhook/delete")
@sign_in_required
def delete_webhook() -> BaseResponse | tuple[str, int]:
    webhook = find_webhook(current_user.id)
    if webhook is None:
        return render_api_page(error=NO_WEBHOOK, status=404)
    remove_webhook(webhook)
    return redirect(url_for("web.tokens"))
