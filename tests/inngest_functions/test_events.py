"""DocumentUploaded: the one definition of the event's wire format."""

from __future__ import annotations

from datetime import UTC, datetime

import inngest
import pytest

from inngest_functions.events import DocumentUploaded

EXAMPLE = DocumentUploaded(
    document_id=7,
    document_name="reports/q1.pdf",
    s3_bucket="documents",
    s3_region="eu-west-1",
    s3_key="users/3/reports/q1.pdf",
    user_id=3,
    user_email="alice@example.com",
    requested_at=datetime(2026, 11, 23, 12, 0, tzinfo=UTC),
    max_document_bytes=1024,
    chunk_size=1000,
    chunk_overlap=100,
)


def test_to_event_uses_camel_case_json_data_and_the_given_id():
    event = EXAMPLE.to_event(event_id="evt-1")
    assert event.name == "documents/document.uploaded"
    assert event.id == "evt-1"
    assert event.data == {
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
