"""POST /api/documents/<name>/reprocess: run again even when nothing changed, answered like POST /api/route."""

from __future__ import annotations

from tests.support.inngest_executor import PROCESS_DOCUMENT, execute

TEXT = b"The zebra crossing is closed on Mondays. " * 20


def test_reprocessing_an_unchanged_document_reads_and_stores_it_again(client, submit, event_api):
    uploaded = submit("zebra.txt", TEXT)
    assert execute(client, PROCESS_DOCUMENT, uploaded.event).output["status"] == "processed"

    response = client.post("/api/documents/zebra.txt/reprocess")

    assert response.status_code == 200
    body = response.get_json()
    assert (body["status"], body["document"]["status"]) == ("ok", "queued")
    event = event_api.received[-1]
    assert event["data"]["reprocess"] is True
    run = execute(client, PROCESS_DOCUMENT, event)
    assert run.output["status"] == "processed"
    assert run.step_names == ["check-object", "extract-and-store"]


def test_posting_an_unchanged_document_again_still_takes_the_short_cut(client, submit, event_api):
    uploaded = submit("zebra.txt", TEXT)
    assert execute(client, PROCESS_DOCUMENT, uploaded.event).output["status"] == "processed"

    again = submit("zebra.txt", None)

    assert "reprocess" not in again.event["data"]
    assert execute(client, PROCESS_DOCUMENT, again.event).output["status"] == "unchanged"


def test_a_repeated_idempotency_key_replays_the_first_answer(client, submit, event_api):
    assert execute(client, PROCESS_DOCUMENT, submit("zebra.txt", TEXT).event).output["status"] == "processed"
    sent = len(event_api.received)

    first = client.post("/api/documents/zebra.txt/reprocess", headers={"Idempotency-Key": "again-1"})
    second = client.post("/api/documents/zebra.txt/reprocess", headers={"Idempotency-Key": "again-1"})

    assert second.get_json() == first.get_json()
    assert second.headers["Idempotent-Replayed"] == "true"
    assert len(event_api.received) == sent + 1


def test_a_document_in_flight_is_not_reprocessed(client, submit):
    submit("zebra.txt", TEXT)

    response = client.post("/api/documents/zebra.txt/reprocess")

    assert response.status_code == 409
    assert "a run is in flight" in response.get_json()["error"]


def test_reprocessing_what_you_have_not_got_is_404(client, auth):
    auth.login()

    response = client.post("/api/documents/nothing.txt/reprocess")

    assert response.status_code == 404
