"""An event is only as trustworthy as whoever holds the event key: the function believes the document's row,
and refuses for good an event whose fields disagree with it (issue 13, finding 2)."""

from __future__ import annotations

import copy

import pytest

from inngest_functions.process_document import EVENT_MISMATCH
from tests.conftest import AuthActions
from tests.support.inngest_executor import PROCESS_DOCUMENT, PROCESS_DOCUMENT_FAILURE, execute, failure_event
from tests.support.sample_documents import text_document


@pytest.fixture
def two_accounts(app, client, s3, bucket, submit, stored):
    """demo's processed-ready document and eve's own, each POSTed for real."""
    demo = submit("secret.txt", text_document())
    eve_client = app.test_client()
    eve = AuthActions(app, eve_client)
    eve.login("eve@example.com")
    s3.put_object(Bucket=bucket, Key=f"users/{eve.user_id}/notes.txt", Body=b"eve's own words")
    assert eve_client.post("/api/route", json={"documentName": "notes.txt"}).status_code == 200
    return demo, eve, eve_client


@pytest.mark.parametrize(
    ("field", "forged"),
    [("s3Key", "demo's key"), ("s3Bucket", "another-bucket"), ("documentName", "secret.txt"), ("userId", 1)],
)
def test_an_event_that_disagrees_with_the_document_row_is_refused_and_stores_nothing(
    app, client, event_api, two_accounts, field, forged, caplog
):
    demo, _, eve_client = two_accounts
    event = copy.deepcopy(event_api.received[-1])  # eve's own event, then one field forged
    event["data"][field] = demo.key if forged == "demo's key" else forged

    run = execute(client, PROCESS_DOCUMENT, event)

    assert run.no_retry
    assert run.output["message"] == EVENT_MISMATCH
    assert f"its {field} differ from the record" in caplog.text
    document = eve_client.get("/api/documents/notes.txt").get_json()["document"]
    assert document["status"] == "queued"  # untouched: no text of demo's, no status from the forger
    assert document["chunkCount"] == 0


def test_the_forged_events_failure_handler_leaves_the_row_alone(app, client, event_api, two_accounts):
    demo, _, eve_client = two_accounts
    event = copy.deepcopy(event_api.received[-1])
    event["data"]["s3Key"] = demo.key
    run = execute(client, PROCESS_DOCUMENT, event)

    execute(client, PROCESS_DOCUMENT_FAILURE, failure_event(event, run))

    assert eve_client.get("/api/documents/notes.txt").get_json()["document"]["status"] == "queued"


def test_an_event_that_matches_its_row_is_processed(client, event_api, two_accounts):
    _, _, eve_client = two_accounts
    run = execute(client, PROCESS_DOCUMENT, event_api.received[-1])
    assert run.output["status"] == "processed"
    assert eve_client.get("/api/documents/notes.txt").get_json()["document"]["textChars"] == len("eve's own words")
