"""/api/webhook: set (secret shown once), read, roll, delete, and the recent deliveries."""

from __future__ import annotations

import pytest

from tests.conftest import PASSWORD, create_user

URL = "https://hooks.example.com/documents"


@pytest.fixture
def signed_in(auth, client):
    auth.login()
    return client


def test_a_new_webhook_answers_its_secret_once(signed_in):
    created = signed_in.put("/api/webhook", json={"url": URL})
    assert created.status_code == 201
    webhook = created.get_json()["webhook"]
    assert webhook["url"] == URL
    assert webhook["secret"].startswith("whsec_")
    shown = signed_in.get("/api/webhook").get_json()["webhook"]
    assert "secret" not in shown
    assert shown["url"] == URL


def test_changing_the_url_keeps_the_secret_and_does_not_show_it(signed_in):
    signed_in.put("/api/webhook", json={"url": URL})
    changed = signed_in.put("/api/webhook", json={"url": "https://other.example.com/in"})
    assert changed.status_code == 200
    assert changed.get_json()["webhook"] == {
        **signed_in.get("/api/webhook").get_json()["webhook"],
        "url": "https://other.example.com/in",
    }


def test_rolling_gives_a_new_secret(signed_in):
    first = signed_in.put("/api/webhook", json={"url": URL}).get_json()["webhook"]["secret"]
    rolled = signed_in.post("/api/webhook/secret")
    assert rolled.status_code == 200
    assert rolled.get_json()["webhook"]["secret"].startswith("whsec_")
    assert rolled.get_json()["webhook"]["secret"] != first


def test_a_deleted_webhook_is_gone(signed_in):
    signed_in.put("/api/webhook", json={"url": URL})
    assert signed_in.delete("/api/webhook").get_json() == {"status": "deleted"}
    missing = signed_in.get("/api/webhook")
    assert missing.status_code == 404
    assert "PUT /api/webhook" in missing.get_json()["error"]


@pytest.mark.parametrize(("method", "path"), [("get", ""), ("delete", ""), ("post", "/secret")])
def test_without_a_webhook_reading_rolling_or_deleting_is_404(signed_in, method, path):
    assert getattr(signed_in, method)(f"/api/webhook{path}").status_code == 404


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("http://hooks.example.com/", "must use https://"),
        ("https://127.0.0.1/", "private, loopback or link-local"),
        ("https://[::1]/", "private, loopback or link-local"),
        ("https://169.254.169.254/latest/meta-data/", "private, loopback or link-local"),
        ("file:///etc/passwd", "must start with https://"),
        (42, "send {"),
    ],
)
def test_a_url_deliveries_may_not_reach_is_400_saying_why(app_with, url, words):
    client = app_with(INNGEST_DEV=False, INNGEST_SIGNING_KEY="signkey-prod-00").test_client()
    create_user(client.application, "alice@example.com")
    client.post("/auth/login", json={"email": "alice@example.com", "password": PASSWORD})
    response = client.put("/api/webhook", json={"url": url})
    assert response.status_code == 400
    assert words in response.get_json()["error"]


def test_a_token_can_manage_the_webhook(app, signed_in):
    secret = signed_in.post("/api/tokens", json={"name": "ci"}).get_json()["token"]["token"]
    script = app.test_client()
    response = script.put("/api/webhook", json={"url": URL}, headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 201
    assert "Set-Cookie" not in response.headers


def test_deliveries_start_empty(signed_in):
    assert signed_in.get("/api/webhook/deliveries").get_json() == {"deliveries": []}


def test_the_webhook_needs_sign_in(client):
    assert client.put("/api/webhook", json={"url": URL}).status_code == 401
