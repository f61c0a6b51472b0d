"""Why a run stops for good: each reason's code, carried by the NonRetriableError, and nothing else.

The failure handler receives the error back from the executor, and in development anyone on the
machine can call it with any error. So it trusts only the code at the front of the message, never
the rest: the text a document's owner reads is written onto the row by the step that refused.
"""

from __future__ import annotations

import enum

import inngest


class Refusal(enum.Enum):
    MALFORMED_EVENT = "malformed-event"
    DOCUMENT_GONE = "document-gone"
    DOCUMENT_PURGED = "document-purged"
    EVENT_MISMATCH = "event-mismatch"
    UNSUPPORTED_TYPE = "unsupported-type"
    NOT_FOUND = "not-found"
    TOO_LARGE = "too-large"
    UNREADABLE = "unreadable"
    CONTENT_MISMATCH = "content-mismatch"
    CHECKSUM_MISMATCH = "checksum-mismatch"

    def error(self, text: str) -> inngest.NonRetriableError:
        """The error a step raises: `<code>: <text>`, the text for whoever reads the run's log."""
        return inngest.NonRetriableError(f"{self.value}: {text}")

    @classmethod
    def of(cls, error: object) -> Refusal | None:
        """The refusal a failed run's error (as the executor reports it) names, or None if it names none."""
        if not isinstance(error, dict) or error.get("name") != "NonRetriableError":
            return None
        message = error.get("message")
        if not isinstance(message, str):
            return None
        code = message.split(":", 1)[0]
        return next((refusal for refusal in cls if refusal.value == code), None)
