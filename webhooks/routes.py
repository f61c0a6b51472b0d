"""/api/webhook: the signed-in user's one webhook endpoint, its signing secret, and its recent deliveries."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify
from flask_login import current_user, login_required

from http_plumbing.errors import ApiError
from http_plumbing.request_json import json_object
from settings import get_app_settings
from webhooks.addresses import WebhookUrlError
from webhooks.models import Webhook
from webhooks.service import find_webhook, recent_deliveries, remove_webhook, roll_secret, set_webhook

blueprint = Blueprint("webhook", __name__, url_prefix="/api/webhook")

NO_WEBHOOK = 'you have no webhook; set one with PUT /api/webhook {"url": "https://..."}'


def _users_webhook() -> Webhook:
    webhook = find_webhook(current_user.id)
    if webhook is None:
        raise ApiError(404, NO_WEBHOOK)
    return webhook


@blueprint.get("")
@login_required
def show() -> Response:
    return jsonify(webhook=_users_webhook().to_json())


@blueprint.put("")
@login_required
def put() -> tuple[Response, int]:
    body = json_object()
    try:
        saved = set_webhook(current_user.id, body.get("url"), get_app_settings())
    except WebhookUrlError as error:
        raise ApiError(400, str(error)) from None
    # A new webhook's secret is in this answer only; a changed URL keeps the secret it had.
    return jsonify(webhook=saved.to_json()), 201 if saved.secret else 200


@blueprint.post("/secret")
@login_required
def roll() -> Response:
    return jsonify(webhook=roll_secret(_users_webhook()).to_json())


@blueprint.delete("")
@login_required
def delete() -> Response:
    remove_webhook(_users_webhook())
    return jsonify(status="deleted")


@blueprint.get("/deliveries")
@login_required
def deliveries() -> Response:
    return jsonify(deliveries=[delivery.to_json() for delivery in recent_deliveries(current_user.id)])
