"""process-document through the SDK's own mock runner (`inngest.experimental.mocked`).

The mock runner does not JSON-round-trip step outputs, retries NonRetriableError and never
runs on_failure: those are covered over HTTP in test_process_document_http.py.
"""

from __future__ import annotations

import inngest
from inngest.experimental import mocked

from inngest_functions.process_document import build_process_document
from settings import get_app_settings
from tests.support.sample_documents import SAMPLES


def run_mocked(app, event):
    with app.app_context():
        client = mocked.Inngest(app_id="document-service", is_production=False)
        function = build_process_document(client, get_app_settings())
        return mocked.trigger(function, inngest.Event(**event), client)


def test_mocked_run_completes_and_stores_chunks(app, submit, stored):
    submission = submit("notes.md", SAMPLES["notes.md"]())

    result = run_mocked(app, submission.event)

    assert result.status is mocked.Status.COMPLETED
    document, chunks = stored("notes.md")
    assert result.output["status"] == "processed"
    assert result.output["chunkCount"] == len(chunks) == document["chunkCount"]


def test_mocked_run_of_a_missing_document_fails_with_the_reason(app, submit):
    submission = submit("absent.txt", None)

    result = run_mocked(app, submission.event)

    assert result.status is mocked.Status.FAILED
    assert isinstance(result.error, inngest.NonRetriableError)
    assert "document not found" in str(result.error)
