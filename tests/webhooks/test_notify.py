"""Telling a document's outcome to its owner's webhook: signed, recorded, retried by raising, never redirected."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from standardwebhooks import Webhook

from documents.models import Document, DocumentStatus, PurgedDocument
from documents.service import describe_document
from extensions import db
from settings import get_app_settings
from tests.conftest import create_user, free_port
from tests.support.webhook_receiver import webhook_receiver
from timestamps import utcnow
from webhooks.models import Webhook as WebhookRow
from webhooks.models import WebhookDelivery
from webhooks.service import (
    KEPT_DELIVERIES,
    WebhookDeliveryFailedError,
    notify_outcome,
    notify_purged,
    notify_trashed,
    set_webhook,
)


@pytest.fixture
def receiver():
    with webhook_receiver() as running:
        yield running


@pytest.fixture
def local_app(app_with):
    return app_with(WEBHOOK_ALLOW_PRIVATE=True)


def processed_document(app, receiver, status=DocumentStatus.PROCESSED.value):
    """A user with a webhook at `receiver` and a document that ended `status`: (document id, signing secret)."""
    user_id = create_user(app, "alice@example.com")
    with app.app_context():
        saved = set_webhook(user_id, f"{receiver.url}/hooks", get_app_settings())
        document = Document(user_id=user_id, name="report.txt", s3_bucket="b", s3_key="k", status=status)
        db.session.add(document)
        db.session.commit()
        return document.id, saved.secret


def deliveries(app):
    with app.app_context():
        return [row.to_json() for row in db.session.scalars(db.select(WebhookDelivery).order_by(WebhookDelivery.id))]


@pytest.mark.parametrize("status", ["processed", "unchanged", "failed"])
def test_the_outcome_is_posted_signed_with_the_documents_api_shape(local_app, receiver, status):
    document_id, secret = processed_document(local_app, receiver, status)
    with local_app.app_context():
        result = notify_outcome(document_id, "msg_run1", 0, last_attempt=False)
    assert result["sent"] is True
    [request] = receiver.requests()
    assert request.path == "/hooks"
    payload = Webhook(secret).verify(request.body, request.headers)
    assert payload["type"] == f"document.{status}"
    assert payload["document"]["name"] == "report.txt"
    assert payload["document"]["status"] == status
    assert request.headers["webhook-id"] == "msg_run1"
    assert deliveries(local_app)[0] | {"at": None} == {
        "id": "msg_run1",
        "type": f"document.{status}",
        "documentName": "report.txt",
        "attempt": 0,
        "status": "delivered",
        "statusCode": 204,
        "error": None,
        "at": None,
    }


def test_a_failing_receiver_raises_for_a_retry_and_the_last_attempt_ends_quietly(local_app, receiver):
    receiver.status = 503
    document_id, _ = processed_document(local_app, receiver)
    with local_app.app_context():
        with pytest.raises(WebhookDeliveryFailedError, match="answered 503"):
            notify_outcome(document_id, "msg_run1", 0, last_attempt=False)
        assert notify_outcome(document_id, "msg_run1", 3, last_attempt=True)["status"] == "failed"
    assert [(row["attempt"], row["status"], row["statusCode"]) for row in deliveries(local_app)] == [
        (0, "failed", 503),
        (3, "failed", 503),
    ]
    # The same message id on every attempt, so a receiver can tell a retry from a new message.
    assert {request.headers["webhook-id"] for request in receiver.requests()} == {"msg_run1"}


def test_a_redirect_is_not_followed(local_app, receiver):
    receiver.status = 302
    receiver.location = "http://169.254.169.254/latest/meta-data/"
    document_id, _ = processed_document(local_app, receiver)
    with local_app.app_context():
        result = notify_outcome(document_id, "msg_run1", 3, last_attempt=True)
    assert result["status"] == "failed"
    assert len(receiver.requests()) == 1
    assert "redirects are not followed" in deliveries(local_app)[0]["error"]


def test_a_receiver_on_a_private_address_is_refused_without_a_request(app_with, receiver):
    # Set while private addresses were allowed; delivered by an app that refuses them.
    document_id, _ = processed_document(app_with(WEBHOOK_ALLOW_PRIVATE=True), receiver)
    strict = app_with(WEBHOOK_ALLOW_PRIVATE=False)
    with strict.app_context():
        result = notify_outcome(document_id, "msg_run1", 0, last_attempt=False)
    assert result["status"] == "refused"
    assert receiver.requests() == []
    assert "127.0.0.1" in deliveries(strict)[0]["error"]


def test_a_document_still_in_flight_is_not_told(local_app, receiver):
    document_id, _ = processed_document(local_app, receiver, DocumentStatus.PROCESSING.value)
    with local_app.app_context():
        assert notify_outcome(document_id, "msg_run1", 0, last_attempt=False)["sent"] is False
    assert receiver.requests() == []


def test_only_the_last_twenty_deliveries_are_kept(local_app, receiver):
    document_id, _ = processed_document(local_app, receiver)
    with local_app.app_context():
        for run in range(KEPT_DELIVERIES + 3):
            notify_outcome(document_id, f"msg_run{run}", 0, last_attempt=False)
    kept = deliveries(local_app)
    assert len(kept) == KEPT_DELIVERIES
    assert kept[-1]["id"] == f"msg_run{KEPT_DELIVERIES + 2}"
    assert json.dumps(kept)  # JSON as the API shows it


def test_a_receiver_that_is_not_listening_is_a_failed_delivery(local_app, receiver):
    document_id, _ = processed_document(local_app, receiver)
    with local_app.app_context():
        webhook = db.session.scalar(db.select(WebhookRow))
        webhook.url = f"http://127.0.0.1:{free_port()}/hooks"
        db.session.commit()
        result = notify_outcome(document_id, "msg_run1", 3, last_attempt=True)
    assert result["status"] == "failed"
    assert "could not reach 127.0.0.1" in deliveries(local_app)[0]["error"]


def document_row(document_id: int) -> Document:
    document: Document = db.session.execute(db.select(Document).where(Document.id == document_id)).scalar_one()
    return document


def trashed_document(app, receiver):
    """A user with a webhook at `receiver` and a processed document in their trash: (document id, user id, secret)."""
    document_id, secret = processed_document(app, receiver)
    with app.app_context():
        document = document_row(document_id)
        document.trashed_name, document.name = document.name, Document.trashed_placeholder(document_id)
        document.trashed_at, document.purge_at = utcnow(), utcnow() + timedelta(days=30)
        db.session.commit()
        return document_id, document.user_id, secret


def test_a_document_in_the_trash_is_posted_as_document_trashed_with_its_trash_times(local_app, receiver):
    document_id, user_id, secret = trashed_document(local_app, receiver)
    with local_app.app_context():
        result = notify_trashed(document_id, user_id, 0, last_attempt=False)
        shown = describe_document(document_row(document_id))
    assert result["sent"] is True
    [request] = receiver.requests()
    payload = Webhook(secret).verify(request.body, request.headers)
    assert payload == {"type": "document.trashed", "document": shown}
    assert (shown["name"], shown["status"]) == ("report.txt", "trashed")
    assert shown["trashedAt"] is not None
    assert shown["purgeAt"] is not None
    assert deliveries(local_app)[0]["type"] == "document.trashed"


def test_the_same_trashing_told_twice_has_one_message_id(local_app, receiver):
    document_id, user_id, _ = trashed_document(local_app, receiver)
    with local_app.app_context():
        notify_trashed(document_id, user_id, 0, last_attempt=False)
        notify_trashed(document_id, user_id, 0, last_attempt=False)
    first, second = receiver.requests()
    assert first.headers["webhook-id"] == second.headers["webhook-id"]


@pytest.mark.parametrize("owner_offset", [0, 1], ids=["restored", "someone-elses"])
def test_a_document_out_of_the_trash_or_not_the_users_is_not_told_trashed(local_app, receiver, owner_offset):
    document_id, _ = processed_document(local_app, receiver)
    with local_app.app_context():
        user_id = document_row(document_id).user_id + owner_offset
        assert notify_trashed(document_id, user_id, 0, last_attempt=False)["sent"] is False
    assert receiver.requests() == []


def test_a_purged_document_is_posted_from_its_tombstone_in_the_documents_api_shape(local_app, receiver):
    document_id, user_id, secret = trashed_document(local_app, receiver)
    purge_at = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    with local_app.app_context():
        shown_before = describe_document(document_row(document_id))
        db.session.add(PurgedDocument(document_id=document_id, user_id=user_id, name="report.txt"))
        db.session.delete(document_row(document_id))
        db.session.commit()
        result = notify_purged(document_id, user_id, purge_at.isoformat(), 0, last_attempt=False)
    assert result["sent"] is True
    [request] = receiver.requests()
    payload = Webhook(secret).verify(request.body, request.headers)
    assert payload["type"] == "document.purged"
    assert payload["document"].keys() == shown_before.keys()
    assert payload["document"]["name"] == "report.txt"
    assert payload["document"]["status"] == "purged"
    assert payload["document"]["purgeAt"] == "2026-01-02T03:04:05+00:00"
    assert payload["document"]["updatedAt"] is not None
    assert deliveries(local_app)[0]["documentName"] == "report.txt"


def test_a_document_with_no_tombstone_is_not_told_purged(local_app, receiver):
    document_id, user_id, _ = trashed_document(local_app, receiver)
    with local_app.app_context():
        assert notify_purged(document_id, user_id, utcnow().isoformat(), 0, last_attempt=False)["sent"] is False
    assert receiver.requests() == []
