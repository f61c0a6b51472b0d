"""What gunicorn itself refuses, before the app sees the request, is answered in the app's JSON error shape."""

from __future__ import annotations

import httpx

from tests.e2e.conftest import Stack

# gunicorn's default limit on the request line is 4094 bytes.
OVER_THE_REQUEST_LINE_LIMIT = "x" * 5000


def test_a_request_line_over_the_servers_limit_is_a_json_400(stack: Stack):
    response = httpx.get(f"{stack.app_url}/api/documents", params={"prefix": OVER_THE_REQUEST_LINE_LIMIT}, timeout=30)

    assert response.status_code == 400
    assert response.headers["Content-Type"] == "application/json"
    assert "Request Line is too large" in response.json()["error"]
    assert response.json()["requestId"] == response.headers["X-Request-Id"]


def test_headers_over_the_servers_limit_are_a_json_431(stack: Stack):
    headers = {f"X-Filler-{number}": "x" for number in range(120)}

    response = httpx.get(f"{stack.app_url}/healthz", headers=headers, timeout=30)

    assert response.status_code == 431
    assert response.headers["Content-Type"] == "application/json"
    assert set(response.json()) == {"error", "requestId"}
