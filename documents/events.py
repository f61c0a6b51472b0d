"""The events this service sends and consumes: one pydantic model per event, the only definition of its wire format."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar, Literal, Self

import inngest
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from pydantic.alias_generators import to_camel


class DocumentEvent(BaseModel):
    """What every event about one document shares: camelCase JSON data, a name, parsing that never retries."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, frozen=True, extra="forbid")

    NAME: ClassVar[str]
    # Whether a run starts for the event, so that the outbox waits to see one before it counts it delivered.
    STARTS_RUN: ClassVar[bool] = True

    document_id: int = Field(description="Our id of the document row the event is about.")

    @classmethod
    def wire_name(cls, field: str) -> str:
        """The name `field` (a Python attribute, `user_id`) has in the event's JSON data (`userId`)."""
        return cls.model_fields[field].alias or field

    @classmethod
    def expression_for(cls, field: str) -> str:
        """The CEL path of `field` in a triggering event (`event.data.userId`), for concurrency keys and the like."""
        return f"event.data.{cls.wire_name(field)}"

    def wire_data(self) -> dict[str, Any]:
        return self.model_dump(mode="json", by_alias=True)

    def to_event(self, *, event_id: str = "") -> inngest.Event:
        return inngest.Event(name=self.NAME, id=event_id, data=self.wire_data())

    @classmethod
    def from_event(cls, event: inngest.Event) -> Self:
        """Parse the event a run was triggered by; a malformed one can never succeed, so no retry."""
        if event.name != cls.NAME:
            raise inngest.NonRetriableError(f"expected event {cls.NAME}, got {event.name}")
        try:
            return cls.model_validate(event.data)
        except ValidationError as error:
            raise inngest.NonRetriableError(
                f"malformed {cls.NAME} event: {error.error_count()} invalid field(s)"
            ) from error


class DocumentUploaded(DocumentEvent):
    """A signed-in user asked for the document at `s3Bucket`/`s3Key` to be processed.

    It carries what the function reads and nothing else. `version` says which shape the data
    has, so that a later shape can be told apart from this one while events of both are in flight.
    """

    NAME: ClassVar[str] = "documents/document.uploaded"
    # Sent by earlier releases in version 1 events, which had no `version`, and never read:
    # such events, still waiting in an outbox or at Inngest, are accepted without them.
    UNVERSIONED_EXTRA_FIELDS: ClassVar[frozenset[str]] = frozenset({"s3Region", "userEmail", "requestedAt"})

    version: Literal[1] = 1
    document_id: int = Field(description="Our id of the document row the run reports to.")
    document_name: str = Field(description="The name the user gave, relative to their folder.")
    s3_bucket: str
    s3_key: str = Field(description="users/<user id>/<documentName>")
    user_id: int
    max_document_bytes: int = Field(gt=0)
    chunk_size: int = Field(gt=0)
    chunk_overlap: int = Field(ge=0)
    # Optional, and sent only when true, so that a function of an earlier release (which forbids
    # fields it does not know) still reads every ordinary event.
    reprocess: bool = Field(default=False, description="Run again even when the content and settings are unchanged.")

    @model_validator(mode="before")
    @classmethod
    def _drop_fields_of_unversioned_events(cls, data: Any) -> Any:
        if isinstance(data, dict) and "version" not in data:
            return {key: value for key, value in data.items() if key not in cls.UNVERSIONED_EXTRA_FIELDS}
        return data

    def wire_data(self) -> dict[str, Any]:
        return self.model_dump(mode="json", by_alias=True, exclude=None if self.reprocess else {"reprocess"})


class DocumentDeleted(DocumentEvent):
    """A user moved a document to the trash: cancels its processing, and purge-document sleeps until `purgeAt`."""

    NAME: ClassVar[str] = "documents/document.deleted"

    version: Literal[1] = 1
    user_id: int
    document_name: str = Field(description="The name the user gave, relative to their folder.")
    purge_at: datetime = Field(description="When the document is purged for good, unless restored before.")


class DocumentRestored(DocumentEvent):
    """A user took a document out of the trash: cancels its purge."""

    NAME: ClassVar[str] = "documents/document.restored"
    # It only cancels the purge: no run starts, so there is none to wait for.
    STARTS_RUN: ClassVar[bool] = False

    version: Literal[1] = 1
    user_id: int
    document_name: str
