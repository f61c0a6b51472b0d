"""/api/webhook: the signed-in user's one webhook endpoint, its signing secret, and its recent deliveries."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify
from flask_login import current_user, login_required

from http_plumbing.api_operations import Answer, Operation, StatusAnswer, documented
from http_plumbing.errors import ApiError
from http_plumbing.request_json import json_model
from settings import get_app_settings
from webhooks.addresses import WebhookUrlError
from webhooks.api_models import DeliveryList, WebhookAnswer, WebhookRequest
from webhooks.models import Webhook
from webhooks.service import find_webhook, recent_deliveries, remove_webhook, roll_secret, set_webhook

blueprint = Blueprint("webhook", __name__, url_prefix="/api/webhook")

# What a webhook once set makes possible: the user has one, so these need no parameter.
WEBHOOK_LINKS = {
    "GetWebhook": {"operationId": "webhook.show"},
    "RollSecret": {"operationId": "webhook.roll"},
    "Deliveries": {"operationId": "webhook.deliveries"},
    "DeleteWebhook": {"operationId": "webhook.delete"},
}
NO_WEBHOOK = 'you have no webhook; set one with PUT /api/webhook {"url": "https://..."}'
NOT_SET = Answer("You have no webhook.")


def _users_webhook() -> Webhook:
    webhook = find_webhook(current_user.id)
    if webhook is None:
        raise ApiError(404, NO_WEBHOOK)
    return webhook


@blueprint.get("")
@documented(
    Operation(
        "Show your webhook", answers={200: Answer("Your webhook, without its secret.", WebhookAnswer), 404: NOT_SET}
    )
)
@login_required
def show() -> Response:
    return jsonify(webhook=_users_webhook().to_json())


@blueprint.put("")
@documented(
    Operation(
        "Set your webhook's URL",
        body=WebhookRequest,
        answers={
            200: Answer("The URL changed; the secret is kept (and not shown).", WebhookAnswer, links=WEBHOOK_LINKS),
            201: Answer("Created, with its signing secret shown this once.", WebhookAnswer, links=WEBHOOK_LINKS),
            400: Answer("The URL is not one webhooks may be sent to; the error says why."),
        },
    )
)
@login_required
def put() -> tuple[Response, int]:
    body = json_model(WebhookRequest)
    try:
        saved = set_webhook(current_user.id, body.url, get_app_settings())
    except WebhookUrlError as error:
        raise ApiError(400, str(error)) from None
    # A new webhook's secret is in this answer only; a changed URL keeps the secret it had.
    return jsonify(webhook=saved.to_json()), 201 if saved.secret else 200


@blueprint.post("/secret")
@documented(
    Operation(
        "Roll your webhook's signing secret",
        answers={200: Answer("The webhook with its new secret, shown this once.", WebhookAnswer), 404: NOT_SET},
    )
)
@login_required
def roll() -> Response:
    return jsonify(webhook=roll_secret(_users_webhook()).to_json())


@blueprint.delete("")
@documented(Operation("Remove your webhook", answers={200: Answer("Removed.", StatusAnswer), 404: NOT_SET}))
@login_required
def delete() -> Response:
    remove_webhook(_users_webhook())
    return jsonify(status="deleted")


@blueprint.get("/deliveries")
@documented(Operation("Your webhook's recent deliveries", answers={200: Answer("Newest first.", DeliveryList)}))
@login_required
def deliveries() -> Response:
    return jsonify(deliveries=[delivery.to_json() for delivery in recent_deliveries(current_user.id)])
