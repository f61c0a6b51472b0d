"""Telling a refused sync from a successful one, although the SDK answers 200 to both."""

from __future__ import annotations

import pytest

from inngest_functions.registration import registration_problem


@pytest.mark.parametrize("body", ['{"ok": true}', '{"modified": true}', '{"modified": false, "ok": true}'])
def test_successful_syncs(body):
    assert registration_problem(200, body) is None


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (200, '{"error": "invalid concurrency key expression"}'),
        (200, '{"message": "registration failed"}'),
        (200, "<html>bad gateway</html>"),
        (200, "[]"),
        (200, "{}"),
        (500, '{"ok": true}'),
    ],
)
def test_refusals_are_reported_with_the_servers_words(status, body):
    problem = registration_problem(status, body)
    assert problem == f"HTTP {status}: {body}"
