"""The lifecycle pages through the Flask test client: each action is a form with a CSRF token, no script."""

from __future__ import annotations

from tests.conftest import Submission
from tests.support.inngest_executor import PROCESS_DOCUMENT, execute
from tests.web.test_pages import csrf_token

TEXT = b"The zebra crossing is closed on Mondays. " * 20


def processed(client, submit) -> None:
    uploaded: Submission = submit("zebra.txt", TEXT)
    assert execute(client, PROCESS_DOCUMENT, uploaded.event).output["status"] == "processed"


def test_the_delete_form_asks_first_then_moves_the_document_to_the_trash(client, submit):
    processed(client, submit)
    token = csrf_token(client, "/documents/zebra.txt/delete")

    response = client.post("/documents/zebra.txt/delete", data={"csrf_token": token})

    assert response.status_code == 302
    assert response.headers["Location"] == "/trash"
    assert client.get("/api/documents/zebra.txt").get_json()["document"]["status"] == "trashed"
    page = client.get("/trash").get_data(as_text=True)
    assert "zebra.txt" in page
    assert "Restore" in page


def test_the_forms_refuse_a_post_without_a_csrf_token(client, submit):
    processed(client, submit)

    for path in ["/documents/zebra.txt/delete", "/documents/zebra.txt/reprocess", "/trash/empty"]:
        assert client.post(path).status_code == 400
    assert client.get("/api/documents/zebra.txt").get_json()["document"]["status"] == "processed"


def test_the_reprocess_button_sends_the_document_to_run_again(client, submit, event_api):
    processed(client, submit)
    token = csrf_token(client, "/documents/zebra.txt")

    response = client.post("/documents/zebra.txt/reprocess", data={"csrf_token": token})

    assert response.status_code == 302
    assert event_api.received[-1]["data"]["reprocess"] is True
    assert client.get("/api/documents/zebra.txt").get_json()["document"]["status"] == "queued"


def test_a_trashed_documents_page_offers_restore_instead_of_the_actions(client, submit):
    processed(client, submit)
    client.delete("/api/documents/zebra.txt")

    page = client.get("/documents/zebra.txt").get_data(as_text=True)

    assert "This document is in the trash." in page
    assert "Download the original" not in page
    assert 'action="/documents/zebra.txt/restore"' in page
