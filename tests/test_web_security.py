"""Cross-site writes to the browser-facing blueprints are refused; every response carries security headers."""

from __future__ import annotations

import pytest

from http_plumbing.browser_security import CROSS_SITE_MESSAGE
from settings import SettingsError, load_settings

SIGNING_KEY = "signkey-test-0123456789abcdef"


@pytest.mark.parametrize(
    ("headers", "allowed"),
    [
        ({}, True),  # curl, servers, the test client: no browser, no cookie to abuse
        ({"Sec-Fetch-Site": "same-origin"}, True),
        ({"Sec-Fetch-Site": "same-site"}, True),
        ({"Sec-Fetch-Site": "none"}, True),
        ({"Sec-Fetch-Site": "cross-site"}, False),
        ({"Sec-Fetch-Site": "Cross-Site"}, False),
        ({"Origin": "http://localhost"}, True),
        ({"Origin": "HTTP://LocalHost:80"}, True),
        ({"Origin": "https://localhost"}, False),
        ({"Origin": "http://localhost:5000"}, False),
        ({"Origin": "http://evil.example"}, False),
        ({"Origin": "http://localhost.evil.example"}, False),
        ({"Origin": "http://localhost/path"}, False),
        ({"Origin": "null"}, False),
        ({"Origin": "http://localhost", "Sec-Fetch-Site": "cross-site"}, False),
        ({"Origin": "http://evil.example", "Sec-Fetch-Site": "same-origin"}, False),
    ],
)
def test_state_changing_requests_must_come_from_our_own_origin(client, headers, allowed):
    response = client.post("/auth/logout", headers=headers)
    if allowed:
        assert response.status_code == 200
    else:
        assert response.status_code == 403
        assert response.get_json()["error"] == CROSS_SITE_MESSAGE


def test_cross_site_login_is_refused_before_the_password_is_checked(client):
    response = client.post(
        "/auth/login",
        json={"email": "alice@example.com", "password": "whatever"},
        headers={"Sec-Fetch-Site": "cross-site"},
    )
    assert response.status_code == 403


def test_the_documents_api_refuses_cross_site_writes(auth, client):
    auth.login()
    response = client.post("/api/route", json={"documentName": "a.pdf"}, headers={"Origin": "http://evil.example"})
    assert response.status_code == 403
    assert response.get_json()["error"] == CROSS_SITE_MESSAGE


@pytest.mark.parametrize("path", ["/auth/me", "/healthz", "/api/documents"])
def test_reads_are_not_checked(client, path):
    response = client.get(path, headers={"Origin": "http://evil.example", "Sec-Fetch-Site": "cross-site"})
    assert response.status_code != 403


def test_the_inngest_endpoint_is_not_checked(client):
    # Server to server and signed: whatever it answers, a browser's headers change nothing.
    url = "/api/inngest?fnId=nope&stepId=step"
    plain = client.post(url, json={})
    cross_site = client.post(url, json={}, headers={"Origin": "http://evil.example", "Sec-Fetch-Site": "cross-site"})
    assert cross_site.status_code == plain.status_code
    assert CROSS_SITE_MESSAGE not in cross_site.get_data(as_text=True)


def test_app_origin_replaces_the_requests_own_origin(app_with):
    client = app_with(APP_ORIGIN="https://docs.example.com").test_client()
    assert client.post("/auth/logout", headers={"Origin": "https://docs.example.com"}).status_code == 200
    assert client.post("/auth/logout", headers={"Origin": "http://localhost"}).status_code == 403


@pytest.mark.parametrize("origin", ["docs.example.com", "https://docs.example.com/", "https://docs.example.com/app"])
def test_app_origin_must_be_a_bare_origin(origin):
    with pytest.raises(SettingsError, match="APP_ORIGIN"):
        load_settings({"INNGEST_DEV": True, "APP_ORIGIN": origin}, env_file=None)


SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}
HSTS = "max-age=31536000; includeSubDomains"


@pytest.mark.parametrize("path", ["/healthz", "/auth/me", "/no/such/page"])
def test_development_responses_carry_security_headers_but_no_hsts(client, path):
    response = client.get(path)
    for name, value in SECURITY_HEADERS.items():
        assert response.headers[name] == value
    assert "Strict-Transport-Security" not in response.headers


@pytest.mark.parametrize("path", ["/healthz", "/auth/me", "/no/such/page"])
def test_production_responses_carry_security_headers_and_hsts(app_with, path):
    production = app_with(INNGEST_DEV=False, INNGEST_SIGNING_KEY=SIGNING_KEY)
    response = production.test_client().get(path, base_url="https://localhost")
    for name, value in SECURITY_HEADERS.items():
        assert response.headers[name] == value
    assert response.headers["Strict-Transport-Security"] == HSTS
