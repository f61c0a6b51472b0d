"""/api/tokens: a signed-in user creates, lists and revokes their personal API tokens."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify
from flask_login import current_user, login_required

from auth.bearer import password_session_required
from auth.tokens import create_token, list_tokens, parse_token_request, revoke_token
from http_plumbing.errors import ApiError
from http_plumbing.request_json import json_object

blueprint = Blueprint("tokens", __name__, url_prefix="/api/tokens")


@blueprint.post("")
@password_session_required("create tokens")
@login_required
def create() -> tuple[Response, int]:
    body = json_object()
    name, expires_in_days = parse_token_request(body.get("name"), body.get("expiresInDays"))
    created = create_token(current_user.id, name, expires_in_days)
    # The only time the secret is shown: only its digest is kept.
    return jsonify(token=created.to_json()), 201


@blueprint.get("")
@login_required
def index() -> Response:
    return jsonify(tokens=[token.to_json() for token in list_tokens(current_user.id)])


@blueprint.delete("/<int:token_id>")
@login_required
def revoke(token_id: int) -> Response:
    if not revoke_token(current_user.id, token_id):
        raise ApiError(404, f"you have no token with id {token_id}; GET /api/tokens lists yours")
    return jsonify(status="revoked")
