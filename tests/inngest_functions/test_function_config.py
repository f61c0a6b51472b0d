"""The configuration process-document and purge-document register with Inngest: trigger, concurrency, retries,
cancellation, failure handler."""

from __future__ import annotations

from documents.events import DocumentDeleted, DocumentRestored, DocumentUploaded
from inngest_functions import build_functions

SAME_DOCUMENT = "event.data.documentId == async.data.documentId"


def function_configs(app, index: int = 0):
    client = app.extensions["inngest"]
    process_document, purge_document = build_functions(client, app.extensions["settings"])
    config = (process_document, purge_document)[index].get_config("http://localhost:3000/api/inngest")
    return config.main, config.on_failure


def test_triggered_by_the_typed_event(app):
    main, _ = function_configs(app)
    assert [trigger.event for trigger in main.triggers] == [DocumentUploaded.NAME]


def test_concurrency_is_limited_per_user_and_to_one_run_per_document(app):
    main, _ = function_configs(app)
    limits = {limit.key: limit.limit for limit in main.concurrency}
    assert limits == {"event.data.userId": 5, "event.data.s3Key": 1}


def test_retries_come_from_settings(app):
    main, _ = function_configs(app)
    assert main.steps["step"].retries.attempts == 3


def test_failures_are_handled_by_a_registered_on_failure_function(app):
    _, on_failure = function_configs(app)
    assert on_failure.id == "document-service-process-document-failure"
    assert on_failure.triggers[0].event == "inngest/function.failed"


def test_the_endpoint_describes_the_app_to_the_dev_server(client):
    response = client.get("/api/inngest")
    assert response.status_code == 200
    assert response.get_json()["function_count"] == 2
    assert response.get_json()["mode"] == "dev"


def test_a_delete_of_the_same_document_cancels_its_processing(app):
    main, _ = function_configs(app)
    assert [(cancel.event, cancel.if_exp) for cancel in main.cancel or []] == [(DocumentDeleted.NAME, SAME_DOCUMENT)]


def test_the_purge_is_triggered_by_a_delete_and_cancelled_by_a_restore_of_the_same_document(app):
    main, on_failure = function_configs(app, 1)
    assert main.id == "document-service-purge-document"
    assert [trigger.event for trigger in main.triggers] == [DocumentDeleted.NAME]
    assert [(cancel.event, cancel.if_exp) for cancel in main.cancel or []] == [(DocumentRestored.NAME, SAME_DOCUMENT)]
    assert {limit.key: limit.limit for limit in main.concurrency or []} == {"event.data.documentId": 1}
    assert on_failure is None
