"""An event is only as trustworthy as whoever holds the event key: the function believes the document's row,
and refuses for good an event whose fields disagree with it."""

from __future__ import annotations

import copy
import hashlib
from typing import Any

import pytest

from inngest_functions.process_document import EVENT_MISMATCH, GENERIC_FAILURE
from inngest_functions.refusals import Refusal
from tests.conftest import AuthActions
from tests.support.inngest_executor import PROCESS_DOCUMENT, PROCESS_DOCUMENT_FAILURE, Run, execute, failure_event
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


def memoised(**outputs: Any) -> Run:
    """A run whose executor claims the steps named (`check_object=...`) already ran with these outputs."""
    run = Run(run_id="forged-run")
    for name, output in outputs.items():
        step_id = hashlib.sha1(name.replace("_", "-").encode(), usedforsecurity=False).hexdigest()
        run.steps[step_id] = {"data": output}
        run.stack.append(step_id)
    return run


SKIP_TO_EXTRACT = {"check_object": {"unchanged": False, "size": 10, "etag": "forged-etag"}}


def test_a_forged_call_that_skips_to_extract_and_store_cannot_read_another_users_object(
    client, event_api, two_accounts, caplog
):
    demo, _, eve_client = two_accounts
    event = copy.deepcopy(event_api.received[-1])
    event["data"]["s3Key"] = demo.key  # the first step, which checks the event, claims to have run

    run = execute(client, PROCESS_DOCUMENT, event, run=memoised(**SKIP_TO_EXTRACT))

    assert run.no_retry
    assert run.output["message"] == EVENT_MISMATCH
    assert "its s3Key differ from the record" in caplog.text
    document = eve_client.get("/api/documents/notes.txt").get_json()["document"]
    assert (document["status"], document["chunkCount"], document["textChars"]) == ("queued", 0, None)


def test_forged_outputs_of_earlier_steps_put_nothing_of_theirs_on_the_row(client, event_api, two_accounts):
    _, _, eve_client = two_accounts
    event = event_api.received[-1]  # eve's own event, matching her row

    run = execute(client, PROCESS_DOCUMENT, event, run=memoised(**SKIP_TO_EXTRACT))

    assert run.output["status"] == "processed"
    document = eve_client.get("/api/documents/notes.txt").get_json()["document"]
    assert document["etag"] not in (None, "forged-etag")  # the ETag of the bytes read, not the claimed one
    assert document["sizeBytes"] == len("eve's own words")


def test_a_forged_unchanged_claim_marks_nothing_unchanged(client, s3, bucket, event_api, two_accounts):
    _, eve, eve_client = two_accounts
    event = event_api.received[-1]
    assert execute(client, PROCESS_DOCUMENT, event).output["status"] == "processed"
    s3.put_object(Bucket=bucket, Key=f"users/{eve.user_id}/notes.txt", Body=b"eve's new words")
    before = eve_client.get("/api/documents/notes.txt").get_json()["document"]

    run = execute(client, PROCESS_DOCUMENT, event, run=memoised(check_object={"unchanged": True}))

    # The ETag is compared and `unchanged` written inside the one step, so a claimed output writes nothing.
    assert run.step_names == []
    after = eve_client.get("/api/documents/notes.txt").get_json()["document"]
    assert after == before
    assert after["status"] == "processed"


PHISHING = "your account is locked: sign in again at http://documents.example.net/verify"


@pytest.mark.parametrize(
    "error",
    [
        {"name": "NonRetriableError", "message": PHISHING},
        {"name": "NonRetriableError", "message": f"{Refusal.NOT_FOUND.value}: {PHISHING}"},
        {"name": "Error", "message": PHISHING},
        {"name": "NonRetriableError", "message": {"text": PHISHING}},
    ],
    ids=["non-retriable", "with-a-refusal-code", "retriable", "not-a-string"],
)
def test_a_forged_failure_call_never_writes_the_message_it_carries(client, event_api, two_accounts, error):
    _, _, eve_client = two_accounts
    event = event_api.received[-1]  # matches eve's row: only the error is forged

    handled = execute(client, PROCESS_DOCUMENT_FAILURE, failure_event(event, Run(run_id="forged-run", output=error)))

    assert handled.status == 200
    document = eve_client.get("/api/documents/notes.txt").get_json()["document"]
    assert document["error"] in (None, GENERIC_FAILURE)
