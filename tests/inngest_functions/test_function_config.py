"""The configuration process-document registers with Inngest: trigger, concurrency, retries, failure handler."""

from __future__ import annotations

from documents.events import DocumentUploaded
from inngest_functions import build_functions


def function_configs(app):
    client = app.extensions["inngest"]
    [function] = build_functions(client, app.extensions["settings"])
    config = function.get_config("http://localhost:3000/api/inngest")
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
    assert response.get_json()["function_count"] == 1
    assert response.get_json()["mode"] == "dev"
