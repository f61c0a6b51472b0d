"""A user's documents a page at a time (GET /api/documents): filtered, sorted, keyset-paged both ways,
with the counts per status and what changed since a time.

Paging is by keyset, as search's is: a cursor holds the sort and the (sort key, id) of the row a page
ends (or starts) at, so a page costs the same however deep it is, and rows added or changed elsewhere
in the list never shift a page by a row.

What changed: every answer carries `nextUpdatedSince`, the server's clock when it began reading, less
CHANGES_OVERLAP. Passed back as `updatedSince`, it gives the documents whose `updatedAt` is at or after
it. The overlap covers a change stamped on one clock and committed a moment later, or stamped by a
process whose clock is a little behind this one's: such a change is seen on the next poll, never lost.
The price is that a document may come back twice; a client applies what it gets as updates. A client
never sends a time from its own clock, which may be anything.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Integer, and_, case, func, literal, or_, tuple_
from sqlalchemy.orm import InstrumentedAttribute

from documents.models import TRASHED, Document, DocumentStatus
from documents.service import describe_documents
from extensions import db
from http_plumbing.errors import ApiError
from timestamps import iso_utc, utcnow

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
CHANGES_OVERLAP = timedelta(seconds=5)
MAX_PREFIX_CHARS = 1024
_MAX_CURSOR_CHARS = 4096
_MAX_ID = 2**31 - 1
# A `+` typed into a URL arrives as a space: "…:49+00:00" read as "…:49 00:00".
_SPACED_OFFSET = re.compile(r" (\d\d:?\d\d)$")


@dataclass(frozen=True)
class Sort:
    """One order the list can be in: by a column, then by id in the same direction, so no two rows tie."""

    column: InstrumentedAttribute[Any]
    descending: bool

    def key_json(self, document: Document) -> object:
        value = getattr(document, self.column.key)
        return iso_utc(value) if isinstance(value, datetime) else value

    def key_from_json(self, value: object) -> object | None:
        """The cursor's sort key as the column holds it; None when it is not one."""
        if self.column.key == "name":
            return value if isinstance(value, str) and 0 < len(value) <= 1024 else None
        if not isinstance(value, str):
            return None
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return None
        return moment.astimezone(UTC) if moment.tzinfo else None


# Newest first by default, as the list always was: by when each document was first handed in.
SORTS = {
    "-created": Sort(Document.created_at, descending=True),
    "created": Sort(Document.created_at, descending=False),
    "-updated": Sort(Document.updated_at, descending=True),
    "updated": Sort(Document.updated_at, descending=False),
    "name": Sort(Document.name, descending=False),
    "-name": Sort(Document.name, descending=True),
}
DEFAULT_SORT = "-created"
# Every parameter the list takes (documents.api_models.ListParameters describes them); any other is refused.
PARAMETERS = ("limit", "cursor", "status", "prefix", "sort", "updatedSince")


@dataclass(frozen=True)
class Position:
    """Where a page ends or starts: the (sort key, id) of a row already shown, and which way to go from it."""

    key: object
    id: int
    # "older": the rows after it in the list's order (the next page); "newer": those before it.
    toward: str


@dataclass(frozen=True)
class ListQuery:
    """What GET /api/documents was asked for, checked: every bad value is an ApiError (400) saying what to send."""

    limit: int = DEFAULT_LIMIT
    sort: str = DEFAULT_SORT
    statuses: tuple[str, ...] = ()
    prefix: str = ""
    updated_since: datetime | None = None
    position: Position | None = None

    @classmethod
    def parse(cls, arguments: Mapping[str, str]) -> ListQuery:
        unknown = sorted(set(arguments) - set(PARAMETERS))
        if unknown:
            raise ApiError(
                400, f"unknown parameter {unknown[0]!r}; use limit, cursor, status, prefix, sort or updatedSince"
            )
        sort = arguments.get("sort", DEFAULT_SORT)
        if sort not in SORTS:
            raise ApiError(400, f"sort must be one of {', '.join(SORTS)} (a leading - means descending)")
        return cls(
            limit=_limit(arguments.get("limit")),
            sort=sort,
            statuses=_statuses(arguments.get("status")),
            prefix=_prefix(arguments.get("prefix")),
            updated_since=_updated_since(arguments.get("updatedSince")),
            position=_decode_cursor(arguments.get("cursor"), sort),
        )


@dataclass(frozen=True)
class DocumentPage:
    documents: list[dict[str, object]]
    next_cursor: str | None
    previous_cursor: str | None
    counts: dict[str, int]
    next_updated_since: datetime

    def to_json(self) -> dict[str, object]:
        return {
            "documents": self.documents,
            "nextCursor": self.next_cursor,
            "previousCursor": self.previous_cursor,
            "counts": self.counts,
            "total": sum(self.counts.values()),
            "nextUpdatedSince": iso_utc(self.next_updated_since),
        }


# A trashed document keeps the status it had in its column; it is shown, filtered and counted as trashed,
# under the name it had.
SHOWN_STATUS = case((Document.trashed_at.is_not(None), TRASHED), else_=Document.status)
SHOWN_NAME = func.coalesce(Document.trashed_name, Document.name)
# `purging` is a trashed document's column only, never shown.
KNOWN_STATUSES = (*(status.value for status in DocumentStatus if status is not DocumentStatus.PURGING), TRASHED)


def list_page(user_id: int, query: ListQuery) -> DocumentPage:
    """One page of the user's documents as `query` asks, the counts per status in its folder, and the time
    to ask for changes from next."""
    read_from = utcnow() - CHANGES_OVERLAP
    sort = SORTS[query.sort]
    position = query.position
    # A page toward newer rows is read the other way round, from the cursor, then turned back.
    backward = position is not None and position.toward == "newer"
    descending = sort.descending != backward
    sort_key = tuple_(sort.column, Document.id)
    statement = db.select(Document).where(*_filters(user_id, query.prefix))
    if query.statuses:
        statement = statement.where(_shown_in(query.statuses))
    elif query.updated_since is None:
        # The trash is seen by asking for it (status=trashed); changes include what went there.
        statement = statement.where(Document.trashed_at.is_(None))
    if query.updated_since is not None:
        statement = statement.where(Document.updated_at >= query.updated_since)
    if position is not None:
        bound = tuple_(literal(position.key, sort.column.type), literal(position.id, Integer()))
        statement = statement.where(sort_key < bound if descending else sort_key > bound)
    order = (sort.column.desc(), Document.id.desc()) if descending else (sort.column.asc(), Document.id.asc())
    rows = list(db.session.scalars(statement.order_by(*order).limit(query.limit + 1)))
    shown = rows[: query.limit]
    more = len(rows) > query.limit
    if backward and not more:
        # Nothing newer beyond it: this is the first page, and it is answered as one, full.
        return list_page(user_id, replace(query, position=None))
    if backward:
        shown.reverse()
    # Beyond the page in its direction: `more`; behind it: whatever the cursor came from.
    older, newer = (position is not None, more) if backward else (more, position is not None)
    return DocumentPage(
        documents=describe_documents(shown),
        next_cursor=_encode_cursor(query.sort, sort, shown[-1], "older") if older and shown else None,
        previous_cursor=_encode_cursor(query.sort, sort, shown[0], "newer") if newer and shown else None,
        counts=status_counts(user_id, query.prefix),
        next_updated_since=read_from,
    )


def status_counts(user_id: int, prefix: str = "") -> dict[str, int]:
    """How many of the user's documents (in the folder `prefix`) are in each status, every status named."""
    counted = db.session.execute(
        db.select(SHOWN_STATUS, func.count()).where(*_filters(user_id, prefix)).group_by(SHOWN_STATUS)
    )
    counts = dict.fromkeys(KNOWN_STATUSES, 0)
    counts.update({status: count for status, count in counted})
    return counts


def _shown_in(statuses: tuple[str, ...]) -> ColumnElement[bool]:
    """Documents shown in one of `statuses`: on the status column (which its index serves) out of the trash,
    or in the trash when that is asked for."""
    kept = [status for status in statuses if status != TRASHED]
    conditions = [and_(Document.status.in_(kept), Document.trashed_at.is_(None))] if kept else []
    if TRASHED in statuses:
        conditions.append(Document.trashed_at.is_not(None))
    return or_(*conditions)


def _filters(user_id: int, prefix: str) -> list[ColumnElement[bool]]:
    filters: list[ColumnElement[bool]] = [Document.user_id == user_id]
    if prefix:
        # LIKE with the wildcards escaped finds the folder; SQLite's LIKE ignores case, and names do
        # not, so the first characters are compared exactly as well.
        filters.append(SHOWN_NAME.startswith(prefix, autoescape=True))
        filters.append(func.substr(SHOWN_NAME, 1, len(prefix)) == prefix)
    return filters


def _limit(limit: str | None) -> int:
    if limit is None:
        return DEFAULT_LIMIT
    # isdecimal, never isdigit: "²" is a digit int() cannot read. The length bound keeps int() cheap.
    if not limit.isascii() or not limit.isdecimal() or len(limit) > 4 or not 1 <= int(limit) <= MAX_LIMIT:
        raise ApiError(400, f"limit must be a whole number from 1 to {MAX_LIMIT}")
    return int(limit)


def _statuses(status: str | None) -> tuple[str, ...]:
    if status is None:
        return ()
    known = KNOWN_STATUSES
    wanted = tuple(dict.fromkeys(part.strip() for part in status.split(",")))
    for part in wanted:
        if part not in known:
            raise ApiError(400, f"status {part!r} is not one a document can have; use {', '.join(known)}, or several")
    return wanted


def _prefix(prefix: str | None) -> str:
    if prefix is None:
        return ""
    if len(prefix) > MAX_PREFIX_CHARS:
        raise ApiError(400, f"prefix is longer than {MAX_PREFIX_CHARS} characters; no document name is")
    return prefix


def _updated_since(value: str | None) -> datetime | None:
    if value is None:
        return None
    example = "use the nextUpdatedSince of an earlier answer, as in 2026-12-06T10:31:49.123456+00:00"
    try:
        moment = datetime.fromisoformat(_SPACED_OFFSET.sub(r"+\1", value))
    except ValueError:
        raise ApiError(400, f"updatedSince is not an ISO 8601 time; {example}") from None
    if moment.tzinfo is None:
        raise ApiError(400, f"updatedSince has no UTC offset; {example}")
    # SQLite compares times as text, in UTC: one with another offset would be compared wrong.
    return moment.astimezone(UTC)


def _encode_cursor(sort_name: str, sort: Sort, document: Document, toward: str) -> str:
    position = json.dumps(
        {"sort": sort_name, toward: [sort.key_json(document), document.id]}, separators=(",", ":"), ensure_ascii=False
    )
    return base64.urlsafe_b64encode(position.encode()).decode().rstrip("=")


def _decode_cursor(cursor: str | None, sort_name: str) -> Position | None:
    """Where the page goes on from: anything but a cursor this API gave out for this sort is a 400."""
    if cursor is None:
        return None
    if len(cursor) > _MAX_CURSOR_CHARS:
        raise _bad_cursor(f"longer than {_MAX_CURSOR_CHARS} characters")
    try:
        decoded = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except RecursionError:
        raise _bad_cursor("nested too deep") from None
    except (ValueError, binascii.Error):  # not base64, not UTF-8, not JSON
        raise _bad_cursor("not the encoding this API uses") from None
    if not isinstance(decoded, dict) or len(decoded) != 2 or "sort" not in decoded:
        raise _bad_cursor("not the fields this API puts in one")
    if decoded["sort"] != sort_name:
        raise ApiError(
            400, f"cursor was given for sort={decoded['sort']!r}, not {sort_name!r}; send the same sort with it"
        )
    toward = next((direction for direction in ("older", "newer") if direction in decoded), None)
    where = decoded.get(toward) if toward else None
    if not isinstance(where, list) or len(where) != 2:
        raise _bad_cursor("not the fields this API puts in one")
    key, row_id = SORTS[sort_name].key_from_json(where[0]), where[1]
    if key is None:
        raise _bad_cursor("its sort key is not one a document can have")
    if type(row_id) is not int or not 0 < row_id <= _MAX_ID:
        raise _bad_cursor("its id is not one a document can have")
    assert toward is not None
    return Position(key, row_id, toward)


def _bad_cursor(reason: str) -> ApiError:
    return ApiError(400, f"cursor is not one this API gave out ({reason}); start again without it")
