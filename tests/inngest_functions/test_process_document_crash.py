"""The app killed (SIGKILL) while a run is between steps: after a restart the run completes, chunks stored once."""

from __future__ import annotations

import httpx

from documents.models import Chunk
from extensions import db
from tests.app_server import app_server
from tests.conftest import PASSWORD, build_app, create_user
from tests.inngest_executor import PROCESS_DOCUMENT, execute
from tests.sample_documents import text_document


def test_a_run_interrupted_by_sigkill_completes_after_restart(settings_overrides, s3, bucket, event_api):
    app = build_app(settings_overrides)
    user_id = create_user(app, "alice@example.com")
    s3.put_object(Bucket=bucket, Key=f"users/{user_id}/notes.txt", Body=text_document())

    with app_server(settings_overrides) as server:
        with server.signed_in_client("alice@example.com", PASSWORD) as client:
            assert client.post("/api/route", json={"documentName": "notes.txt"}).status_code == 200
        [event] = event_api.received
        with httpx.Client(base_url=server.url, timeout=30) as executor:
            run = execute(executor, PROCESS_DOCUMENT, event, stop_after_steps=2)
        server.kill()
    assert run.step_names == ["mark-processing", "look-up-object"]

    with app_server(settings_overrides) as server, httpx.Client(base_url=server.url, timeout=30) as executor:
        run = execute(executor, PROCESS_DOCUMENT, event, run=run)
        # The same event run once more (say, redelivered) finds the work done.
        again = execute(executor, PROCESS_DOCUMENT, event)

    assert run.status == 200
    assert run.output["status"] == "processed"
    assert run.step_names == ["mark-processing", "look-up-object", "compare-etag", "extract-and-store"]
    assert again.output["status"] == "unchanged"
    with app.app_context():
        chunks = db.session.scalar(db.select(db.func.count(Chunk.id)))
    assert chunks == run.output["chunkCount"] > 0
