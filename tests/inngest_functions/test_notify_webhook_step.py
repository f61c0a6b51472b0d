"""The webhook steps, driven as the executor drives them: retried alone, never re-running the extraction
or the purge."""

from __future__ import annotations

import pytest
from standardwebhooks import Webhook

from inngest_functions.webhook_steps import failure_webhook_backoff
from tests.support.inngest_executor import (
    PROCESS_DOCUMENT,
    PROCESS_DOCUMENT_FAILURE,
    PURGE_DOCUMENT,
    execute,
    failure_event,
)
from tests.support.sample_documents import text_document
from tests.support.webhook_receiver import webhook_receiver


@pytest.fixture
def settings_overrides(settings_overrides):
    return {**settings_overrides, "WEBHOOK_ALLOW_PRIVATE": True}


@pytest.fixture
def receiver():
    with webhook_receiver() as running:
        yield running


def webhook_secret(client, receiver):
    response = client.put("/api/webhook", json={"url": f"{receiver.url}/hooks"})
    assert response.status_code == 201
    return response.get_json()["webhook"]["secret"]


def test_a_failed_delivery_is_retried_by_itself_with_the_same_message_id(client, submit, receiver):
    submission = submit("notes.txt", text_document())
    secret = webhook_secret(client, receiver)
    receiver.answers = [503, 503]

    run = execute(client, PROCESS_DOCUMENT, submission.event)

    assert run.status == 200
    assert run.step_names == ["check-object", "extract-and-store", "notify-webhook"]
    requests = receiver.requests()
    assert len(requests) == 3
    assert {request.headers["webhook-id"] for request in requests} == {f"msg_{run.run_id}"}
    assert Webhook(secret).verify(requests[-1].body, requests[-1].headers)["type"] == "document.processed"
    deliveries = client.get("/api/webhook/deliveries").get_json()["deliveries"]
    assert [(row["attempt"], row["status"]) for row in deliveries] == [(2, "delivered"), (1, "failed"), (0, "failed")]


def step_outputs(run):
    return {name: run.steps[step_id]["data"] for name, step_id in zip(run.step_names, run.stack, strict=True)}


@pytest.mark.parametrize("with_webhook", [True, False])
def test_check_object_decides_once_whether_the_run_tells_a_webhook(client, submit, receiver, with_webhook):
    submission = submit("notes.txt", text_document())
    if with_webhook:
        webhook_secret(client, receiver)

    run = execute(client, PROCESS_DOCUMENT, submission.event)

    assert step_outputs(run)["check-object"]["webhook"] is with_webhook
    assert ("notify-webhook" in run.step_names) is with_webhook
    assert len(receiver.requests()) == int(with_webhook)


def test_a_receiver_that_never_answers_2xx_does_not_fail_the_document(client, submit, stored, receiver):
    submission = submit("notes.txt", text_document())
    webhook_secret(client, receiver)
    receiver.status = 500

    run = execute(client, PROCESS_DOCUMENT, submission.event)

    assert run.status == 200
    assert run.output["status"] == "processed"
    assert stored("notes.txt")[0]["status"] == "processed"
    assert len(receiver.requests()) == 4  # the first attempt and FUNCTION_RETRIES (3) retries
    assert client.get("/api/webhook/deliveries").get_json()["deliveries"][0]["status"] == "failed"


def test_the_failure_handler_retries_document_failed_after_a_backoff(client, submit, stored, receiver):
    submission = submit("missing.pdf", None)
    secret = webhook_secret(client, receiver)
    receiver.answers = [503]

    run = execute(client, PROCESS_DOCUMENT, submission.event)
    handled = execute(client, PROCESS_DOCUMENT_FAILURE, failure_event(submission.event, run))

    assert handled.status == 200
    assert handled.step_names == ["notify-webhook", "webhook-backoff-1", "notify-webhook-retry-1"]
    delivered = receiver.requests()[-1]
    assert Webhook(secret).verify(delivered.body, delivered.headers)["type"] == "document.failed"
    assert {request.headers["webhook-id"] for request in receiver.requests()} == {f"msg_{run.run_id}"}
    deliveries = client.get("/api/webhook/deliveries").get_json()["deliveries"]
    assert [(row["attempt"], row["status"]) for row in deliveries] == [(1, "delivered"), (0, "failed")]


def test_a_purge_tells_trashed_before_its_sleep_and_purged_after_the_row_each_retried_alone(
    client, submit, event_api, receiver
):
    submission = submit("notes.txt", text_document())
    execute(client, PROCESS_DOCUMENT, submission.event)
    secret = webhook_secret(client, receiver)
    receiver.answers = [503, 204, 503]
    assert client.delete("/api/documents/notes.txt?purge=1").status_code == 200
    deleted = [event for event in event_api.received if event["name"] == "documents/document.deleted"][-1]

    run = execute(client, PURGE_DOCUMENT, deleted)

    assert run.output["purged"] is True
    assert run.step_names.index("notify-trashed") < run.step_names.index("wait-for-retention")
    assert run.step_names.index("delete-row") < run.step_names.index("notify-purged")
    assert run.step_names.count("delete-row") == 1
    requests = receiver.requests()
    payloads = [Webhook(secret).verify(request.body, request.headers) for request in requests]
    assert [payload["type"] for payload in payloads] == [
        "document.trashed",
        "document.trashed",
        "document.purged",
        "document.purged",
    ]
    assert [payload["document"]["status"] for payload in payloads[1:3]] == ["trashed", "purged"]
    assert len({request.headers["webhook-id"] for request in requests}) == 2
    deliveries = client.get("/api/webhook/deliveries").get_json()["deliveries"]
    assert [(row["type"], row["attempt"], row["status"]) for row in deliveries] == [
        ("document.purged", 1, "delivered"),
        ("document.purged", 0, "failed"),
        ("document.trashed", 1, "delivered"),
        ("document.trashed", 0, "failed"),
    ]


def test_a_purge_without_a_webhook_posts_nothing_and_still_purges(client, submit, event_api, receiver):
    submission = submit("notes.txt", text_document())
    execute(client, PROCESS_DOCUMENT, submission.event)
    assert client.delete("/api/documents/notes.txt?purge=1").status_code == 200
    deleted = [event for event in event_api.received if event["name"] == "documents/document.deleted"][-1]

    run = execute(client, PURGE_DOCUMENT, deleted)

    assert run.output["purged"] is True
    outputs = step_outputs(run)
    assert outputs["notify-trashed"] == outputs["notify-purged"] == {"sent": False, "reason": "no webhook"}
    assert receiver.requests() == []


def test_the_failure_backoff_grows_and_stops_at_an_hour():
    assert [failure_webhook_backoff(attempt).total_seconds() for attempt in range(5)] == [15, 60, 240, 960, 3600]
