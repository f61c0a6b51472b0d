"""Every response carries X-Request-Id, every error body its requestId, every log line made in a request its id."""

from __future__ import annotations

import io
import logging
import re

import pytest

from http_plumbing.request_ids import HEADER, LOG_FORMAT, RequestIdFilter

GENERATED = re.compile(r"[0-9a-f]{32}")


def test_every_response_carries_a_generated_request_id(client):
    first, second = client.get("/healthz"), client.get("/healthz")
    assert GENERATED.fullmatch(first.headers[HEADER])
    assert first.headers[HEADER] != second.headers[HEADER]


@pytest.mark.parametrize("incoming", ["abc-123_X.y", "a" * 64, "0f8fad5b-d9cb-469f-a165-70867728950e"])
def test_a_sane_incoming_request_id_is_kept(client, incoming):
    assert client.get("/healthz", headers={HEADER: incoming}).headers[HEADER] == incoming


@pytest.mark.parametrize("incoming", ["", "a" * 65, "has space", "a;b", "<script>", "caf\u00e9"])
def test_other_incoming_request_ids_are_replaced(client, incoming):
    assert GENERATED.fullmatch(client.get("/healthz", headers={HEADER: incoming}).headers[HEADER])


@pytest.fixture
def explode(app, monkeypatch):
    def fail(*args, **kwargs):
        raise RuntimeError("secret internal detail at db.internal:5432")

    monkeypatch.setattr("auth.routes.authenticate", fail)
    app.config["PROPAGATE_EXCEPTIONS"] = False


ERROR_REQUESTS = {
    400: lambda client: client.post("/auth/login", json={}),
    401: lambda client: client.get("/auth/me"),
    403: lambda client: client.post("/auth/logout", headers={"Sec-Fetch-Site": "cross-site"}),
    404: lambda client: client.get("/no/such/page"),
    405: lambda client: client.get("/auth/login"),
    413: lambda client: client.post("/auth/login", json={"email": "a" * 100_000, "password": "x"}),
    415: lambda client: client.post("/auth/login", data="email=a"),
    500: lambda client: client.post("/auth/login", json={"email": "a@example.com", "password": "x"}),
}


@pytest.mark.parametrize("status", list(ERROR_REQUESTS))
def test_every_error_body_carries_the_request_id_of_its_header(client, explode, status):
    response = ERROR_REQUESTS[status](client)
    assert response.status_code == status
    body = response.get_json()
    assert set(body) == {"error", "requestId"}
    assert GENERATED.fullmatch(body["requestId"])
    assert body["requestId"] == response.headers[HEADER]


@pytest.fixture
def log_output():
    """What a handler set up like the app's (_configure_logging) writes."""
    output = io.StringIO()
    handler = logging.StreamHandler(output)
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    handler.addFilter(RequestIdFilter())
    logging.getLogger().addHandler(handler)
    yield output
    logging.getLogger().removeHandler(handler)


def test_unhandled_errors_are_logged_with_traceback_and_request_id(client, explode, log_output):
    response = client.post(
        "/auth/login", json={"email": "a@example.com", "password": "x"}, headers={HEADER: "trace-me-42"}
    )
    assert response.status_code == 500
    assert "db.internal" not in response.get_data(as_text=True)
    logged = log_output.getvalue()
    assert "[trace-me-42]: unhandled error in POST /auth/login" in logged
    assert "Traceback" in logged
    assert "RuntimeError: secret internal detail" in logged


def test_log_lines_outside_a_request_show_a_dash(log_output):
    logging.getLogger("tests.request_ids").warning("no request here")
    assert "[-]: no request here" in log_output.getvalue()


def test_the_apps_own_log_handler_adds_request_ids(monkeypatch):
    from app import _configure_logging

    root = logging.getLogger()
    monkeypatch.setattr(root, "handlers", [])
    monkeypatch.setattr(root, "level", root.level)
    _configure_logging()
    [handler] = root.handlers
    record = logging.LogRecord("tests", logging.INFO, __file__, 1, "hello", None, None)
    assert handler.filter(record)
    assert handler.format(record).endswith("[-]: hello")
