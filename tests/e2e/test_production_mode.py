"""Production mode end to end, against the self-hosted server (`inngest start`, the same binary):
the server syncs the app itself, signed; the app sends with the event key; the server signs every
call and our endpoint checks it. The first test of our signature handling by someone else's signer."""

from __future__ import annotations

from typing import Any

import httpx

from tests.e2e.conftest import running_stack
from tests.support.inngest_server import InngestServer, server_binary
from tests.support.polling import stays_true, wait_until
from tests.support.sample_documents import SAMPLES

EVENT = "documents/document.uploaded"


def synced_apps(server: InngestServer) -> list[dict[str, Any]]:
    return [app for app in server.apps() if app["functionCount"] >= 1 and not app["error"]]


def test_the_self_hosted_server_syncs_signed_and_runs_documents_signed(s3_endpoint, tmp_path):
    with running_stack(s3_endpoint, tmp_path, mode="start") as stack:
        [app] = wait_until(lambda: synced_apps(stack.server), "the server to sync the app (-u)")
        assert app["url"].endswith(f":{stack.app.port}/api/inngest")

        client = stack.user("production@example.com")
        stack.upload(client, "notes.md", SAMPLES["notes.md"]())
        response = client.post("/api/route", json={"documentName": "notes.md"})
        assert response.status_code == 200, response.text  # sent with the event key
        [event_id] = response.json()["eventIds"]

        assert stack.settled(client, "notes.md", "processed", "failed")["status"] == "processed"
        assert stack.server.finished_run(event_id)["output"]["status"] == "processed"
        assert [event["data"]["documentName"] for event in stack.server.events(EVENT)] == ["notes.md"]


def test_an_unsigned_sync_is_refused_in_production(s3_endpoint, tmp_path):
    with running_stack(s3_endpoint, tmp_path, mode="start") as stack:
        wait_until(lambda: synced_apps(stack.server), "the server to sync the app")
        response = httpx.put(f"{stack.app.url}/api/inngest", timeout=30)
        assert response.status_code == 401, response.text
        assert response.json() == {"message": "Unauthorized"}
        assert len(synced_apps(stack.server)) == 1


def test_a_server_with_another_signing_key_is_refused_and_runs_nothing(s3_endpoint, tmp_path):
    with running_stack(s3_endpoint, tmp_path, mode="start") as stack:
        (tmp_path / "other").mkdir()
        other = InngestServer(
            server_binary(), mode="start", app_urls=(f"{stack.app.url}/api/inngest",),
            state_directory=tmp_path / "other", log_name="inngest-start-other-key.log",
        )  # fmt: skip
        try:
            other.start()
            # Listed once it has tried; its error is what the try came to, which may be recorded a moment later.
            [refused] = wait_until(
                lambda: [app for app in other.apps() if app["error"]], "the other server's sync to be refused"
            )
            assert refused["error"] == "unauthorized"  # our endpoint's 401 to its signature
            assert refused["functionCount"] == 0

            client = stack.user("other-key@example.com")
            stack.upload(client, "notes.txt", SAMPLES["notes.txt"]())
            sent = httpx.post(f"{other.url}/e/{other.event_key}", json={"name": EVENT, "data": {"documentId": 1}})
            [internal_id] = sent.json()["ids"]
            assert stays_true(lambda: other.runs_of(internal_id) == [], seconds=3)
            assert client.get("/api/documents/notes.txt").status_code == 404
        finally:
            other.stop()
