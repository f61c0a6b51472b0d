"""Requests an attacker would send: deep JSON, odd-cased hosts; and answers a shared cache must not keep."""

from __future__ import annotations

import pytest

from http_plumbing.errors import UNTRUSTED_HOST_MESSAGE

DEEP = "[" * 30000 + "]" * 30000


@pytest.mark.parametrize("path", ["/auth/login", "/api/route", "/api/uploads", "/auth/password"])
def test_deeply_nested_json_is_a_400_that_says_so(auth, client, path):
    if path != "/auth/login":
        auth.login()
    response = client.post(path, data='{"email": ' + DEEP + "}", content_type="application/json")
    assert response.status_code == 400
    assert response.get_json()["error"] == "the JSON body is nested too deeply; send a flat JSON object"


@pytest.mark.parametrize("path", ["/auth/me", "/api/documents", "/api/route"])
def test_json_answers_are_never_stored_by_caches(auth, client, path):
    auth.login()
    response = client.post(path, json={}) if path == "/api/route" else client.get(path)
    assert response.is_json
    assert response.headers["Cache-Control"] == "no-store"


def test_an_unauthenticated_json_error_is_not_stored_either(client):
    response = client.get("/auth/me")
    assert response.status_code == 401
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("host", ["LOCALHOST", "LocalHost:8000", "docs.EXAMPLE.com"])
def test_trusted_host_names_are_matched_without_regard_to_case(app_with, host):
    app = app_with(TRUSTED_HOSTS="localhost,Docs.Example.com")
    response = app.test_client().get("/healthz", headers={"Host": host})
    assert response.status_code == 200


def test_an_untrusted_host_is_told_so_without_naming_ours(app_with):
    app = app_with(TRUSTED_HOSTS="docs.internal.example")
    response = app.test_client().get("/healthz", headers={"Host": "attacker.example"})
    assert response.status_code == 400
    assert response.get_json()["error"] == UNTRUSTED_HOST_MESSAGE
    assert "internal" not in response.get_data(as_text=True)
