"""/api/tokens: a signed-in user creates, lists and revokes their personal API tokens."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify
from flask_login import current_user, login_required

from auth.api_models import CreatedTokenAnswer, TokenList, TokenRequest
from auth.bearer import password_session_required
from auth.tokens import create_token, list_tokens, parse_token_request, revoke_token
from http_plumbing.api_operations import Access, Answer, Operation, StatusAnswer, documented
from http_plumbing.errors import ApiError
from http_plumbing.request_json import json_model

blueprint = Blueprint("tokens", __name__, url_prefix="/api/tokens")


@blueprint.post("")
@documented(
    Operation(
        "Create an API token",
        access=Access.PASSWORD_SESSION,
        body=TokenRequest,
        answers={
            201: Answer(
                "The token, with its secret shown this once.",
                CreatedTokenAnswer,
                links={
                    "Revoke": {"operationId": "tokens.revoke", "parameters": {"token_id": "$response.body#/token/id"}}
                },
            ),
            400: Answer("The name or lifetime is wrong; the error says which."),
        },
    )
)
@password_session_required("create tokens")
@login_required
def create() -> tuple[Response, int]:
    body = json_model(TokenRequest)
    name, expires_in_days = parse_token_request(body.name, body.expiresInDays)
    created = create_token(current_user.id, name, expires_in_days)
    # The only time the secret is shown: only its digest is kept.
    return jsonify(token=created.to_json()), 201


@blueprint.get("")
@documented(Operation("List your API tokens", answers={200: Answer("Your tokens, never their secrets.", TokenList)}))
@login_required
def index() -> Response:
    return jsonify(tokens=[token.to_json() for token in list_tokens(current_user.id)])


@blueprint.delete("/<int:token_id>")
@documented(
    Operation(
        "Revoke an API token",
        answers={200: Answer("Revoked.", StatusAnswer), 404: Answer("You have no token with that id.")},
    )
)
@login_required
def revoke(token_id: int) -> Response:
    if not revoke_token(current_user.id, token_id):
        raise ApiError(404, f"you have no token with id {token_id}; GET /api/tokens lists yours")
    return jsonify(status="revoked")
