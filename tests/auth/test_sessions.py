"""A session cookie stops working when its user signs out or changes password, is tampered with, or expires."""

from __future__ import annotations

import time

import pytest
from itsdangerous import TimestampSigner, URLSafeTimedSerializer

from tests.conftest import PASSWORD, create_user

NEW_PASSWORD = "a brand new password"


def session_cookie(client):
    return client.get_cookie("session").value


def client_with_cookie(app, value):
    replaying = app.test_client()
    replaying.set_cookie("session", value)
    return replaying


def change_password(client, current=PASSWORD, new=NEW_PASSWORD):
    return client.post("/auth/password", json={"currentPassword": current, "newPassword": new})


def test_cookie_replayed_after_logout_is_401(app, auth, client):
    auth.login()
    captured = session_cookie(client)
    assert client_with_cookie(app, captured).get("/auth/me").status_code == 200
    auth.logout()
    assert client_with_cookie(app, captured).get("/auth/me").status_code == 401


def test_logout_ends_the_accounts_other_sessions_too(app, auth, client):
    auth.login()
    laptop = app.test_client()
    laptop.post("/auth/login", json={"email": "alice@example.com", "password": PASSWORD})
    auth.logout()
    assert laptop.get("/auth/me").status_code == 401


def test_password_change_keeps_this_session_and_ends_the_others(app, auth, client):
    auth.login()
    captured = session_cookie(client)
    response = change_password(client)
    assert response.status_code == 200
    assert response.get_json() == {"status": "password changed"}
    assert client.get("/auth/me").status_code == 200
    assert client_with_cookie(app, session_cookie(client)).get("/auth/me").status_code == 200
    assert client_with_cookie(app, captured).get("/auth/me").status_code == 401


def test_after_a_password_change_only_the_new_password_signs_in(app, auth, client):
    auth.login()
    change_password(client)
    fresh = app.test_client()
    assert fresh.post("/auth/login", json={"email": "alice@example.com", "password": PASSWORD}).status_code == 401
    assert fresh.post("/auth/login", json={"email": "alice@example.com", "password": NEW_PASSWORD}).status_code == 200


def test_wrong_current_password_is_401_and_changes_nothing(app, auth, client):
    auth.login()
    response = change_password(client, current="not the password")
    assert response.status_code == 401
    assert response.get_json()["error"] == "current password is wrong"
    assert client.get("/auth/me").status_code == 200
    fresh = app.test_client()
    assert fresh.post("/auth/login", json={"email": "alice@example.com", "password": PASSWORD}).status_code == 200


def test_password_change_needs_a_session(client):
    response = change_password(client)
    assert response.status_code == 401
    assert "sign in" in response.get_json()["error"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"currentPassword": PASSWORD, "newPassword": "short"}, "at least 8 characters"),
        ({"currentPassword": PASSWORD}, "currentPassword"),
        ({"newPassword": NEW_PASSWORD}, "currentPassword"),
        ({"currentPassword": "", "newPassword": NEW_PASSWORD}, "currentPassword"),
        ({"currentPassword": PASSWORD, "newPassword": 12345678}, "currentPassword"),
    ],
)
def test_password_change_with_a_bad_body_is_400(auth, client, body, message):
    auth.login()
    response = client.post("/auth/password", json=body)
    assert response.status_code == 400
    assert message in response.get_json()["error"]


def signed_with(app, data, *, secret_key=None, signed_at=None):
    """A session cookie holding `data`, signed the way Flask does, optionally with another key or time."""
    flask_serializer = app.session_interface.get_signing_serializer(app)

    class Signer(TimestampSigner):
        def get_timestamp(self) -> int:
            return signed_at if signed_at is not None else super().get_timestamp()

    serializer = URLSafeTimedSerializer(
        secret_key or app.secret_key,
        salt=flask_serializer.salt,
        serializer=flask_serializer.serializer,
        signer=Signer,
        signer_kwargs=flask_serializer.signer_kwargs,
    )
    return serializer.dumps(data)


def logged_in_session_data(app, auth, client):
    auth.login()
    return app.session_interface.get_signing_serializer(app).loads(session_cookie(client))


def test_the_re_signed_cookie_the_next_tests_tamper_with_is_valid(app, auth, client):
    data = logged_in_session_data(app, auth, client)
    assert client_with_cookie(app, signed_with(app, data)).get("/auth/me").status_code == 200


def test_cookie_signed_longer_ago_than_the_session_lifetime_is_401(app, auth, client):
    data = logged_in_session_data(app, auth, client)
    too_old = int(time.time() - app.permanent_session_lifetime.total_seconds()) - 60
    cookie = signed_with(app, data, signed_at=too_old)
    assert client_with_cookie(app, cookie).get("/auth/me").status_code == 401


def test_cookie_signed_with_another_key_is_401(app, auth, client):
    data = logged_in_session_data(app, auth, client)
    cookie = signed_with(app, data, secret_key="a key an attacker guessed")
    assert client_with_cookie(app, cookie).get("/auth/me").status_code == 401


def test_cookie_with_an_altered_byte_is_401(app, auth, client):
    auth.login()
    cookie = session_cookie(client)
    # A byte of the payload (the signature's last character has bits base64 ignores).
    altered = cookie[:3] + ("z" if cookie[3] != "z" else "y") + cookie[4:]
    assert client_with_cookie(app, altered).get("/auth/me").status_code == 401


@pytest.mark.parametrize(
    "user_id",
    [
        "1",  # a session from before session tokens
        "1:",
        "1:not-the-token",
        ":token",
        "x:token",
        "99:token",
        "1" * 40 + ":token",
        "\u0661:token",  # an Arabic-Indic digit one: int() would accept it
    ],
)
def test_a_session_naming_its_user_wrongly_is_anonymous(app, client, user_id):
    create_user(app, "alice@example.com")
    with client.session_transaction() as session:
        session["_user_id"] = user_id
    assert client.get("/auth/me").status_code == 401
