"""GET /api/documents and GET /api/documents/<name>: a user sees their own documents, and only those."""

from __future__ import annotations

from tests.conftest import AuthActions
from tests.support.postgres import on_both_databases

pytestmark = on_both_databases


def test_list_is_the_users_documents_newest_first(auth, client, event_api):
    auth.login()
    for name in ["first.pdf", "second.pdf", "third.pdf"]:
        client.post("/api/route", json={"documentName": name})
    response = client.get("/api/documents")
    assert response.status_code == 200
    assert [document["name"] for document in response.get_json()["documents"]] == [
        "third.pdf",
        "second.pdf",
        "first.pdf",
    ]


def test_show_reports_status_and_details(auth, client, event_api):
    auth.login()
    client.post("/api/route", json={"documentName": "folder/report.pdf"})
    response = client.get("/api/documents/folder/report.pdf")
    assert response.status_code == 200
    document = response.get_json()["document"]
    assert document["status"] == "queued"
    assert document["eventIds"] == ["evt-1-0"]
    assert document["chunkCount"] == 0
    assert document["createdAt"].endswith("+00:00")


def test_unknown_document_is_404_json(auth, client):
    auth.login()
    response = client.get("/api/documents/never-posted.pdf")
    assert response.status_code == 404
    assert "no document named" in response.get_json()["error"]


def test_another_users_document_is_404_and_not_listed(app, client, event_api):
    alice = AuthActions(app, client)
    alice.login("alice@example.com")
    client.post("/api/route", json={"documentName": "alice-only.pdf"})
    alice.logout()

    bob_client = app.test_client()
    AuthActions(app, bob_client).login("bob@example.com")
    assert bob_client.get("/api/documents/alice-only.pdf").status_code == 404
    listed = bob_client.get("/api/documents").get_json()
    assert listed["documents"] == []
    assert listed["total"] == 0


def test_same_name_for_two_users_is_two_documents_in_two_folders(app, event_api):
    keys = []
    for email in ["alice@example.com", "bob@example.com"]:
        client = app.test_client()
        actions = AuthActions(app, client)
        actions.login(email)
        document = client.post("/api/route", json={"documentName": "shared-name.pdf"}).get_json()["document"]
        keys.append(document["s3Key"])
    assert keys[0] != keys[1]
    assert all(key.endswith("/shared-name.pdf") for key in keys)


def test_status_api_needs_a_session(client):
    assert client.get("/api/documents").status_code == 401
    assert client.get("/api/documents/a.pdf").status_code == 401


def test_bad_name_in_path_is_400(auth, client):
    auth.login()
    response = client.get("/api/documents/a/%2E%2E/b.pdf")
    assert response.status_code == 400
