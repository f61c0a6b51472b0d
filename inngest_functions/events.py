"""The events this service sends and consumes: one pydantic model per event, the only definition of its wire format."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar, Self

import inngest
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pydantic.alias_generators import to_camel


class DocumentUploaded(BaseModel):
    """A signed-in user asked for the document at `s3Bucket`/`s3Key` to be processed."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, frozen=True, extra="forbid")

    NAME: ClassVar[str] = "documents/document.uploaded"

    document_id: int = Field(description="Our id of the document row the run reports to.")
    document_name: str = Field(description="The name the user gave, relative to their folder.")
    s3_bucket: str
    s3_region: str
    s3_key: str = Field(description="users/<user id>/<documentName>")
    user_id: int
    user_email: str
    requested_at: datetime
    max_document_bytes: int = Field(gt=0)
    chunk_size: int = Field(gt=0)
    chunk_overlap: int = Field(ge=0)

    def to_event(self, *, event_id: str = "") -> inngest.Event:
        return inngest.Event(name=self.NAME, id=event_id, data=self.model_dump(mode="json", by_alias=True))

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
