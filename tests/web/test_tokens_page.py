"""The Tokens page through the test client: the secret is on the answer to the form, and nowhere after."""

from __future__ import annotations

import re

import pytest

from tests.conftest import create_user
from tests.web.test_pages import csrf_token, sign_in

SECRET = re.compile(r'value="(dsk_[A-Za-z0-9_-]{43})"')


@pytest.fixture
def user_id(app):
    return create_user(app, "alice@example.com")


def secret_on(response):
    found = SECRET.search(response.get_data(as_text=True))
    assert found, "no token on the page"
    return found.group(1)


def create_on_the_page(client, name="laptop script", days="7"):
    form = {"name": name, "expires_in_days": days, "csrf_token": csrf_token(client, "/tokens")}
    return client.post("/tokens", data=form)


def test_a_token_made_on_the_page_is_shown_once_and_works(app, client, user_id):
    sign_in(client)
    response = create_on_the_page(client)
    assert response.status_code == 201
    secret = secret_on(response)
    assert response.headers["Cache-Control"] == "no-store"
    later = client.get("/tokens").get_data(as_text=True)
    assert "laptop script" in later
    assert secret not in later
    script = app.test_client()
    assert script.get("/api/documents", headers={"Authorization": f"Bearer {secret}"}).status_code == 200


def test_a_token_revoked_on_the_page_stops_working(app, client, user_id):
    sign_in(client)
    secret = secret_on(create_on_the_page(client))
    token_id = client.get("/api/tokens").get_json()["tokens"][0]["id"]
    response = client.post(f"/tokens/{token_id}/revoke", data={"csrf_token": csrf_token(client, "/tokens")})
    assert response.status_code == 302
    assert "No tokens yet" in client.get("/tokens").get_data(as_text=True)
    assert app.test_client().get("/api/documents", headers={"Authorization": f"Bearer {secret}"}).status_code == 401


def test_a_bad_lifetime_is_said_on_the_page(client, user_id):
    sign_in(client)
    response = create_on_the_page(client, days="1000")
    assert response.status_code == 400
    assert "Expires in days must be from 1 to 365" in response.get_data(as_text=True)


def test_revoking_without_a_csrf_token_is_refused(client, user_id):
    sign_in(client)
    create_on_the_page(client)
    token_id = client.get("/api/tokens").get_json()["tokens"][0]["id"]
    assert client.post(f"/tokens/{token_id}/revoke").status_code == 400
    assert len(client.get("/api/tokens").get_json()["tokens"]) == 1


def test_the_tokens_page_needs_sign_in(client):
    response = client.get("/tokens")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/sign-in")


def test_a_webhook_set_on_the_page_shows_its_secret_once(client, user_id):
    sign_in(client)
    form = {"url": "https://hooks.example.com/in", "csrf_token": csrf_token(client, "/tokens")}
    response = client.post("/webhook", data=form)
    assert response.status_code == 200
    secret = re.search(r'value="(whsec_[A-Za-z0-9+/=]+)"', response.get_data(as_text=True))
    assert secret, "no signing secret on the page"
    later = client.get("/tokens").get_data(as_text=True)
    assert "https://hooks.example.com/in" in later
    assert secret.group(1) not in later
    assert "Nothing sent yet" in later


def test_a_webhook_url_the_guard_refuses_is_said_on_the_page(client, user_id):
    sign_in(client)
    form = {"url": "https://169.254.169.254/latest", "csrf_token": csrf_token(client, "/tokens")}
    response = client.post("/webhook", data=form)
    assert response.status_code == 400
    assert "private, loopback or link-local" in response.get_data(as_text=True)
