"""Deleting an account (DELETE /auth/me, flask users delete): no more sign-in, every document purged through
purge-document, and the account's row gone with its last document."""

from __future__ import annotations

from typing import Any

from auth.models import User
from documents.models import PurgedDocument
from extensions import db
from tests.conftest import PASSWORD
from tests.support.inngest_executor import PURGE_DOCUMENT, execute

TEXT = b"The zebra crossing is closed on Mondays. " * 20


def deleted_events(event_api) -> list[Any]:
    return [event for event in event_api.received if event["name"] == "documents/document.deleted"]


def test_deleting_the_account_purges_every_document_and_then_the_account(app, client, submit, event_api):
    submit("zebra.txt", TEXT)
    submit("giraffe.txt", TEXT)
    client.delete("/api/documents/giraffe.txt")  # one in the trash already, purged later: brought forward

    response = client.delete("/auth/me", json={"currentPassword": PASSWORD})

    assert response.status_code == 200
    assert response.get_json() == {"status": "account deleted", "documentsPurged": 2}
    assert client.get("/auth/me").status_code == 401
    assert client.post("/auth/login", json={"email": "alice@example.com", "password": PASSWORD}).status_code == 401
    purges = deleted_events(event_api)[1:]
    assert {event["data"]["documentName"] for event in purges} == {"zebra.txt", "giraffe.txt"}
    first = execute(client, PURGE_DOCUMENT, purges[0])
    assert first.output["purged"] is True
    with app.app_context():
        assert db.session.scalar(db.select(User).where(User.email == "alice@example.com")) is not None
    assert execute(client, PURGE_DOCUMENT, purges[1]).output["purged"] is True
    with app.app_context():
        assert db.session.scalar(db.select(User).where(User.email == "alice@example.com")) is None
        assert {tombstone.name for tombstone in db.session.scalars(db.select(PurgedDocument))} == {
            "zebra.txt",
            "giraffe.txt",
        }


def test_an_account_with_no_documents_goes_at_once(app, client, auth):
    auth.login()

    assert client.delete("/auth/me", json={"currentPassword": PASSWORD}).get_json()["documentsPurged"] == 0

    with app.app_context():
        assert db.session.get(User, auth.user_id) is None


def test_a_wrong_or_missing_password_deletes_nothing(app, client, auth):
    auth.login()

    wrong = client.delete("/auth/me", json={"currentPassword": "not the password"})
    missing = client.delete("/auth/me", json={})

    assert (wrong.status_code, missing.status_code) == (401, 400)
    assert wrong.get_json()["error"] == "current password is wrong"
    assert client.get("/auth/me").status_code == 200


def test_the_command_deletes_an_account_and_purges_its_documents(app, client, runner, submit, event_api):
    submit("zebra.txt", TEXT)

    result = runner.invoke(args=["users", "delete", "alice@example.com", "--yes"])

    assert result.exit_code == 0, result.output
    assert result.output.endswith("<alice@example.com>: 1 document(s) being purged\n")
    [purge] = deleted_events(event_api)
    assert execute(client, PURGE_DOCUMENT, purge).output["purged"] is True
    with app.app_context():
        assert db.session.scalar(db.select(User).where(User.email == "alice@example.com")) is None


def test_the_command_names_an_unknown_email(runner):
    result = runner.invoke(args=["users", "delete", "nobody@example.com", "--yes"])

    assert result.exit_code == 1
    assert "no user has email nobody@example.com" in result.output
