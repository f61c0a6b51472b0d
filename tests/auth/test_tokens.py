"""Personal API tokens: created once with a session, shown once, stored as a digest, signing /api/* calls in."""

from __future__ import annotations

import hashlib
import logging
from datetime import timedelta

import pytest
from sqlalchemy import update

from auth.tokens import ApiToken
from extensions import db
from tests.conftest import PASSWORD, create_user
from tests.support.postgres import on_both_databases
from timestamps import utcnow


def create_token(client, name="backup script", expires_in_days=30):
    response = client.post("/api/tokens", json={"name": name, "expiresInDays": expires_in_days})
    assert response.status_code == 201, response.get_json()
    return response.get_json()["token"]


def bearer(secret):
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def token(auth, client):
    auth.login()
    return create_token(client)


@pytest.fixture
def script(app):
    """A client with no cookie: a script that holds only its token."""
    return app.test_client()


def stored_token(app, token_id):
    with app.app_context():
        return db.session.get(ApiToken, token_id)


def set_token_columns(app, token_id, **values):
    with app.app_context():
        db.session.execute(update(ApiToken).where(ApiToken.id == token_id).values(**values))
        db.session.commit()


@on_both_databases
def test_a_new_token_is_shown_once_and_stored_only_as_its_digest(app, client, token):
    assert token["token"].startswith("dsk_")
    assert len(token["token"]) == len("dsk_") + 43  # 256 bits, URL-safe base64
    assert token["name"] == "backup script"
    assert token["lastUsedAt"] is None
    row = stored_token(app, token["id"])
    assert row.token_hash == hashlib.sha256(token["token"].encode()).hexdigest()
    listed = client.get("/api/tokens").get_json()["tokens"]
    assert listed == [{key: value for key, value in token.items() if key != "token"}]


@on_both_databases
def test_a_token_signs_api_calls_in_without_setting_a_cookie(script, token):
    response = script.get("/api/documents", headers=bearer(token["token"]))
    assert response.status_code == 200
    assert response.get_json()["documents"] == []
    assert "Set-Cookie" not in response.headers


@on_both_databases
def test_a_revoked_token_is_refused_at_once(client, script, token):
    assert script.get("/api/documents", headers=bearer(token["token"])).status_code == 200
    assert client.delete(f"/api/tokens/{token['id']}").get_json() == {"status": "revoked"}
    response = script.get("/api/documents", headers=bearer(token["token"]))
    assert response.status_code == 401
    assert "wrong, revoked or expired" in response.get_json()["error"]
    assert client.get("/api/tokens").get_json() == {"tokens": []}


@on_both_databases
def test_an_expired_token_is_refused(app, script, token):
    set_token_columns(app, token["id"], expires_at=utcnow() - timedelta(seconds=1))
    assert script.get("/api/documents", headers=bearer(token["token"])).status_code == 401


def test_a_token_can_revoke_itself(script, token):
    assert script.delete(f"/api/tokens/{token['id']}", headers=bearer(token["token"])).status_code == 200
    assert script.get("/api/tokens", headers=bearer(token["token"])).status_code == 401


def test_nobody_revokes_another_users_token(app, token):
    mallory = app.test_client()
    create_user(app, "mallory@example.com")
    mallory.post("/auth/login", json={"email": "mallory@example.com", "password": PASSWORD})
    response = mallory.delete(f"/api/tokens/{token['id']}")
    assert response.status_code == 404
    assert "no token with id" in response.get_json()["error"]
    assert stored_token(app, token["id"]) is not None


@pytest.mark.parametrize("token_id", ["0", "99999999999999999999"])
def test_revoking_an_id_nobody_has_is_404(client, token, token_id):
    assert client.delete(f"/api/tokens/{token_id}").status_code == 404


@pytest.mark.parametrize(
    ("path", "body", "words"),
    [
        ("/api/tokens", {"name": "another", "expiresInDays": 1}, "cannot create tokens"),
        ("/auth/password", {"currentPassword": PASSWORD, "newPassword": "a new one"}, "cannot change the password"),
    ],
)
def test_a_token_cannot_do_what_needs_the_password(client, token, path, body, words):
    # Even beside a session cookie: the request that carries a token is the token's.
    response = client.post(path, json=body, headers=bearer(token["token"]))
    assert response.status_code == 403
    assert words in response.get_json()["error"]
    assert "sign in with your password" in response.get_json()["error"]


def test_signing_out_everywhere_and_changing_the_password_leave_tokens_working(client, script, token):
    client.post("/auth/password", json={"currentPassword": PASSWORD, "newPassword": "a brand new password"})
    client.post("/auth/logout")
    assert script.get("/api/documents", headers=bearer(token["token"])).status_code == 200


def test_a_wrong_token_beside_a_good_session_is_401(client, token):
    response = client.get("/api/documents", headers=bearer("dsk_" + "A" * 43))
    assert response.status_code == 401


@pytest.mark.parametrize("header", ["Bearer", "Bearer ", "Bearer not-a-token", "Bearer dsk_short", "bearer dsk_\x00x"])
def test_malformed_bearer_credentials_are_401(script, header):
    response = script.get("/api/documents", headers={"Authorization": header})
    assert response.status_code == 401
    assert "wrong, revoked or expired" in response.get_json()["error"]


def test_a_bearer_request_needs_no_same_origin_or_csrf(script, token):
    response = script.post(
        "/api/uploads",
        json={"documentName": "a.txt", "contentType": "text/plain", "size": 5},
        headers={**bearer(token["token"]), "Origin": "https://elsewhere.example", "Sec-Fetch-Site": "cross-site"},
    )
    assert response.status_code == 200, response.get_json()


def test_wrong_tokens_are_throttled_per_address_like_wrong_passwords(script, token):
    for attempt in range(20):
        assert script.get("/api/documents", headers=bearer(f"dsk_{attempt:043d}")).status_code == 401
    refused = script.get("/api/documents", headers=bearer(token["token"]))
    assert refused.status_code == 429
    assert "too many wrong passwords or tokens" in refused.get_json()["error"]
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    other_address = script.get(
        "/api/documents", headers=bearer(token["token"]), environ_base={"REMOTE_ADDR": "198.51.100.9"}
    )
    assert other_address.status_code == 200


def test_wrong_tokens_and_wrong_passwords_share_the_address_counter(app, script, token):
    for attempt in range(19):
        script.get("/api/documents", headers=bearer(f"dsk_{attempt:043d}"))
    assert script.post("/auth/login", json={"email": "x@example.com", "password": "wrong"}).status_code == 401
    assert script.get("/api/documents", headers=bearer(token["token"])).status_code == 429


def test_last_used_is_written_at_most_once_a_minute(app, script, token):
    script.get("/api/documents", headers=bearer(token["token"]))
    first = stored_token(app, token["id"]).last_used_at
    assert first is not None
    script.get("/api/documents", headers=bearer(token["token"]))
    assert stored_token(app, token["id"]).last_used_at == first
    set_token_columns(app, token["id"], last_used_at=utcnow() - timedelta(minutes=2))
    script.get("/api/documents", headers=bearer(token["token"]))
    assert stored_token(app, token["id"]).last_used_at > first


def test_the_log_names_the_token_by_id_never_its_secret(script, token, caplog):
    caplog.set_level(logging.INFO)
    response = script.get("/api/documents", headers={**bearer(token["token"]), "X-Request-Id": "req-42"})
    assert response.status_code == 200
    # The log format adds the request id to this line (http_plumbing.request_ids).
    assert f"with API token {token['id']}" in caplog.text
    assert token["token"] not in caplog.text
    assert token["token"][4:] not in caplog.text


BAD_NAMES = [{}, {"name": ""}, {"name": "   "}, {"name": 5}, {"name": "x" * 101}]
BAD_LIFETIMES = [0, 366, "30", 1.5, True]


def test_a_token_request_with_a_bad_name_or_lifetime_is_400_saying_which(auth, client):
    # One sign-in for the whole family: each costs a password hash.
    auth.login()
    for body in BAD_NAMES:
        response = client.post("/api/tokens", json=body)
        assert (response.status_code, "name must be" in response.get_json()["error"]) == (400, True), body
    for lifetime in BAD_LIFETIMES:
        response = client.post("/api/tokens", json={"name": "ok", "expiresInDays": lifetime})
        assert (response.status_code, "expiresInDays" in response.get_json()["error"]) == (400, True), lifetime
    assert client.get("/api/tokens").get_json() == {"tokens": []}


def test_without_expires_in_days_a_token_lasts_thirty_days(auth, client):
    auth.login()
    created = create_token(client, expires_in_days=None)
    assert created["expiresAt"][:10] == (utcnow() + timedelta(days=30)).date().isoformat()


def test_tokens_need_a_session_to_be_listed_or_created(script):
    assert script.get("/api/tokens").status_code == 401
    assert script.post("/api/tokens", json={"name": "x"}).status_code == 401
