"""What each JSON route promises, recorded beside it with `@documented(...)`: its body and query models, who may
call it, and every answer it gives. api_description/ assembles these into the OpenAPI description.

Only the answers a route itself gives are listed; those every route shares (500, 503 when the database is down,
401 and 429 for a wrong token, 403 for a cross-site write, 413 and 415 for a body) are added by the assembler
from `access` and `body`, so that no route can forget one.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field

View = TypeVar("View", bound=Callable[..., Any])

_ATTRIBUTE = "api_operation"


class ErrorBody(BaseModel):
    """The one shape of every error (http_plumbing/errors.py)."""

    model_config = ConfigDict(title="Error")

    error: str = Field(description="What went wrong, in words the caller can act on.")
    requestId: str = Field(description="This request's id, also in the X-Request-Id header; quote it to us.")  # noqa: N815


class StatusAnswer(BaseModel):
    """What a route that changes something and has nothing else to show answers: `{"status": "revoked"}`."""

    status: str


class Access(enum.Enum):
    """Who may call a route."""

    ANYONE = enum.auto()
    # The /auth routes, which no token signs in on.
    SESSION = enum.auto()
    # The /api routes: the session cookie, or `Authorization: Bearer dsk_...`.
    SESSION_OR_TOKEN = enum.auto()
    # What only a session signed in with the password may do: a token gets 403.
    PASSWORD_SESSION = enum.auto()


@dataclass(frozen=True)
class Answer:
    """One status a route answers with: what it means and its body's model (`ErrorBody` unless said)."""

    description: str
    model: type[BaseModel] | None = ErrorBody
    retry_after: bool = False
    # OpenAPI links from this answer to the operations it makes possible, by name: {"operationId", "parameters"}.
    links: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    media_type: str = "application/json"
    # Headers the answer always carries besides X-Request-Id (and Retry-After, above): name → meaning.
    headers: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Operation:
    summary: str
    answers: Mapping[int, Answer]
    access: Access = Access.SESSION_OR_TOKEN
    body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    # Takes an `Idempotency-Key` header (http_plumbing/idempotency.py): adds its 400, 409 and 422.
    idempotency_key: bool = False
    description: str | None = None


def documented(operation: Operation) -> Callable[[View], View]:
    """Record `operation` on the view; put it right under the route decorator, over every other."""

    def record(view: View) -> View:
        setattr(view, _ATTRIBUTE, operation)
        return view

    return record


def operation_of(view: Callable[..., Any]) -> Operation | None:
    found = getattr(view, _ATTRIBUTE, None)
    return found if isinstance(found, Operation) else None
