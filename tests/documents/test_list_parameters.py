"""GET /api/documents's parameters, checked before any query: each bad one is a 400 that says what to send.
(tests/documents/test_document_list.py shows the same error reaching the caller as JSON.)"""

from __future__ import annotations

import base64
import json
from urllib.parse import parse_qsl

import pytest

from documents.listing import ListQuery
from http_plumbing.errors import ApiError


def refusal(arguments: dict[str, str]) -> ApiError:
    with pytest.raises(ApiError) as refused:
        ListQuery.parse(arguments)
    assert refused.value.status == 400
    return refused.value


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("limit=0", "limit must be a whole number from 1 to 200"),
        ("limit=201", "limit must be a whole number from 1 to 200"),
        ("limit=ten", "limit must be a whole number from 1 to 200"),
        ("limit=%C2%B2", "limit must be a whole number from 1 to 200"),
        ("sort=size", "sort must be one of -created, created, -updated, updated, name, -name"),
        ("status=done", "status 'done' is not one a document can have; use queued, processing"),
        ("status=failed,", "status '' is not one a document can have"),
        ("updatedSince=yesterday", "updatedSince is not an ISO 8601 time"),
        ("updatedSince=2026-12-06T10:00:00", "updatedSince has no UTC offset"),
        ("cursor=not-a-cursor", "cursor is not one this API gave out"),
        ("cursor=" + "a" * 5000, "cursor is not one this API gave out (longer than 4096 characters)"),
        ("page=2", "unknown parameter 'page'; use limit, cursor, status, prefix, sort or updatedSince"),
        ("prefix=" + "a" * 1025, "prefix is longer than 1024 characters"),
    ],
)
def test_a_bad_parameter_says_what_to_send(query, message):
    assert message in refusal(dict(parse_qsl(query))).message


@pytest.mark.parametrize(
    "position",
    [
        {"sort": "-created", "older": ["not a time", 1]},
        {"sort": "-created", "older": ["2026-12-06T10:00:00", 1]},
        {"sort": "-created", "older": ["2026-12-06T10:00:00+00:00", 0]},
        {"sort": "-created", "older": ["2026-12-06T10:00:00+00:00", True]},
        {"sort": "-created", "sideways": ["2026-12-06T10:00:00+00:00", 1]},
        {"sort": "name", "older": [None, 1]},
        [1, 2],
    ],
)
def test_a_forged_cursor_is_refused(position):
    sort = position["sort"] if isinstance(position, dict) else "-created"
    cursor = base64.urlsafe_b64encode(json.dumps(position).encode()).decode().rstrip("=")
    assert "cursor is not one this API gave out" in refusal({"cursor": cursor, "sort": sort}).message


def test_several_statuses_and_a_plus_sent_as_a_space_are_understood():
    query = ListQuery.parse({"status": "queued,processing", "updatedSince": "2026-12-06T12:00:00 02:00"})
    assert query.statuses == ("queued", "processing")
    assert query.updated_since is not None
    assert query.updated_since.isoformat() == "2026-12-06T10:00:00+00:00"
