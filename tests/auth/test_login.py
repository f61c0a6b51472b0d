"""POST /auth/login, /auth/logout, GET /auth/me: JSON in, JSON out, sessions that behave."""

from __future__ import annotations

import pytest

from tests.conftest import PASSWORD, create_user


def test_login_returns_the_user_and_a_session_cookie(app, client):
    user_id = create_user(app, "alice@example.com")
    response = client.post("/auth/login", json={"email": "alice@example.com", "password": PASSWORD})
    assert response.status_code == 200
    assert response.get_json() == {"user": {"id": user_id, "email": "alice@example.com"}}
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_login_email_is_case_insensitive(app, client):
    create_user(app, "alice@example.com")
    response = client.post("/auth/login", json={"email": "  Alice@Example.COM ", "password": PASSWORD})
    assert response.status_code == 200


def test_me_after_login_is_the_user(auth, client):
    auth.login()
    response = client.get("/auth/me")
    assert response.status_code == 200
    assert response.get_json()["user"]["email"] == "alice@example.com"


def test_me_without_session_is_json_401_not_a_redirect(client):
    response = client.get("/auth/me")
    assert response.status_code == 401
    assert response.is_json
    assert "sign in" in response.get_json()["error"]
    assert "Location" not in response.headers


def test_wrong_password_and_unknown_user_get_the_same_401(app, client):
    create_user(app, "alice@example.com")
    wrong = client.post("/auth/login", json={"email": "alice@example.com", "password": "not the password"})
    unknown = client.post("/auth/login", json={"email": "nobody@example.com", "password": PASSWORD})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.get_json()["error"] == unknown.get_json()["error"] == "email or password is wrong"


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"email": "alice@example.com"},
        {"password": PASSWORD},
        {"email": 1, "password": PASSWORD},
        {"email": "alice@example.com", "password": ["x"]},
        {"email": "  ", "password": PASSWORD},
    ],
)
def test_login_with_missing_or_mistyped_fields_is_400(client, body):
    response = client.post("/auth/login", json=body)
    assert response.status_code == 400
    assert "email" in response.get_json()["error"]


def test_login_with_form_body_is_415_json(client):
    response = client.post("/auth/login", data={"email": "a@example.com", "password": PASSWORD})
    assert response.status_code == 415
    assert "application/json" in response.get_json()["error"]


def test_login_with_broken_json_is_400_json(client):
    response = client.post("/auth/login", data="{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.get_json()["error"] == "the body is not valid JSON"


def test_logout_ends_the_session(auth, client):
    auth.login()
    assert auth.logout().status_code == 200
    assert client.get("/auth/me").status_code == 401


def test_login_clears_whatever_the_session_held_before(app, auth, client):
    with client.session_transaction() as session:
        session["planted"] = "by someone else"
    auth.login()
    with client.session_transaction() as session:
        assert "planted" not in session


def test_session_cookie_is_secure_outside_development(settings_overrides):
    from app import create_app

    settings_overrides.update(INNGEST_DEV=False, INNGEST_SIGNING_KEY="signkey-test-0123456789abcdef")
    production = create_app(settings_overrides, env_file=None)
    assert production.config["SESSION_COOKIE_SECURE"] is True


def test_passwords_are_stored_as_argon2id_hashes(app, auth):
    from auth.models import User
    from extensions import db

    auth.login()
    with app.app_context():
        stored = db.session.scalar(db.select(User)).password_hash
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in stored
