"""DocumentUploaded: the one definition of the event's wire format."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import inngest
import pytest

from documents.events import DocumentDeleted, DocumentRestored, DocumentUploaded

EXAMPLE = DocumentUploaded(
    document_id=7,
    document_name="reports/q1.pdf",
    s3_bucket="documents",
    s3_key="users/3/reports/q1.pdf",
    user_id=3,
    max_document_bytes=1024,
    chunk_size=1000,
    chunk_overlap=100,
)


def test_to_event_uses_camel_case_json_data_and_the_given_id():
    event = EXAMPLE.to_event(event_id="evt-1")
    assert event.name == "documents/document.uploaded"
    assert event.id == "evt-1"
    assert event.data == {
        "version": 1,
        "documentId": 7,
        "documentName": "reports/q1.pdf",
        "s3Bucket": "documents",
        "s3Key": "users/3/reports/q1.pdf",
        "userId": 3,
        "maxDocumentBytes": 1024,
        "chunkSize": 1000,
        "chunkOverlap": 100,
    }


def test_from_event_round_trips():
    assert DocumentUploaded.from_event(EXAMPLE.to_event()) == EXAMPLE


@pytest.mark.parametrize(
    "data",
    [{}, {**EXAMPLE.to_event().data, "userId": "three"}, {**EXAMPLE.to_event().data, "surprise": 1}],
)
def test_malformed_data_is_non_retriable(data):
    with pytest.raises(inngest.NonRetriableError, match=r"malformed documents/document\.uploaded event"):
        DocumentUploaded.from_event(inngest.Event(name=DocumentUploaded.NAME, data=data))


def test_another_event_name_is_non_retriable():
    with pytest.raises(inngest.NonRetriableError, match=r"expected event documents/document\.uploaded"):
        DocumentUploaded.from_event(inngest.Event(name="something/else", data=EXAMPLE.to_event().data))


# As releases before the version field sent it: such events may still wait in an outbox or at Inngest.
UNVERSIONED_DATA: dict[str, Any] = {
    "documentId": 7,
    "documentName": "reports/q1.pdf",
    "s3Bucket": "documents",
    "s3Region": "eu-west-1",
    "s3Key": "users/3/reports/q1.pdf",
    "userId": 3,
    "userEmail": "alice@example.com",
    "requestedAt": "2026-11-23T12:00:00Z",
    "maxDocumentBytes": 1024,
    "chunkSize": 1000,
    "chunkOverlap": 100,
}


def test_an_event_of_the_shape_before_versions_is_read_as_version_1():
    assert DocumentUploaded.from_event(inngest.Event(name=DocumentUploaded.NAME, data=UNVERSIONED_DATA)) == EXAMPLE


@pytest.mark.parametrize(
    "data",
    [
        {**EXAMPLE.to_event().data, "s3Region": "eu-west-1"},  # a versioned event has no room for the old fields
        {**EXAMPLE.to_event().data, "version": 2},  # a shape this release does not know
        {**UNVERSIONED_DATA, "surprise": 1},  # only the old fields are forgiven
    ],
)
def test_versioned_events_are_held_to_their_shape(data):
    with pytest.raises(inngest.NonRetriableError, match=r"malformed documents/document\.uploaded event"):
        DocumentUploaded.from_event(inngest.Event(name=DocumentUploaded.NAME, data=data))


def test_concurrency_keys_are_the_fields_wire_names():
    assert DocumentUploaded.expression_for("user_id") == "event.data.userId"
    assert DocumentUploaded.expression_for("s3_key") == "event.data.s3Key"


def test_reprocess_is_sent_only_when_true_so_earlier_releases_still_read_every_other_event():
    asked = EXAMPLE.model_copy(update={"reprocess": True})

    assert "reprocess" not in EXAMPLE.to_event().data
    assert asked.to_event().data["reprocess"] is True
    assert DocumentUploaded.from_event(asked.to_event()) == asked


def test_the_trash_events_round_trip_with_camel_case_data():
    deleted = DocumentDeleted(
        document_id=7, user_id=3, document_name="q1.pdf", purge_at=datetime(2027, 1, 5, 12, 0, tzinfo=UTC)
    )
    restored = DocumentRestored(document_id=7, user_id=3, document_name="q1.pdf")

    assert deleted.to_event().data == {
        "version": 1,
        "documentId": 7,
        "userId": 3,
        "documentName": "q1.pdf",
        "purgeAt": "2027-01-05T12:00:00Z",
    }
    assert DocumentDeleted.from_event(deleted.to_event()) == deleted
    assert DocumentRestored.from_event(restored.to_event()) == restored
    assert restored.to_event().name == "documents/document.restored"
