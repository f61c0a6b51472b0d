"""The answers every route of a kind can give, whatever it does: added to each operation from its `access`,
its method and its body, so that none is forgotten."""

from __future__ import annotations

from http_plumbing.api_operations import Access, Answer, Operation

STATE_CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def common_answers(method: str, operation: Operation, *, takes_path_parameters: bool) -> dict[int, Answer]:
    answers = {
        500: Answer("Internal error (logged; quote the requestId), or S3 is not configured on this server."),
        503: Answer("The database is unavailable for a moment; retry after Retry-After seconds.", retry_after=True),
    }
    if operation.access is not Access.ANYONE:
        answers[401] = Answer("Not signed in, or the API token is wrong, revoked or expired.")
    if operation.access is Access.SESSION_OR_TOKEN:
        answers[429] = Answer(
            "Too many wrong passwords or tokens from this address; wait Retry-After seconds.", retry_after=True
        )
    forbidden = []
    if method in STATE_CHANGING:
        forbidden.append("a browser's cross-site request (Origin or Sec-Fetch-Site) may not change anything")
    if operation.access is Access.PASSWORD_SESSION:
        forbidden.append("an API token may not do this; sign in with the password")
    if forbidden:
        answers[403] = Answer("Refused: " + "; ".join(forbidden) + ".")
    if takes_path_parameters or operation.query is not None:
        answers[400] = Answer("A value the database cannot store (a NUL character, say).")
    if operation.body is not None:
        answers[400] = Answer(
            "The body is not valid JSON, not a JSON object, or holds a value the database cannot store."
        )
        answers[413] = Answer("The body is too large.")
        answers[415] = Answer("The body is not sent as application/json.")
    if operation.idempotency_key:
        answers[400] = Answer("The body or the Idempotency-Key is malformed.")
        answers[409] = Answer("A request with this Idempotency-Key is still being processed; retry shortly.")
        answers[422] = Answer("This Idempotency-Key was used with a different request.")
    return answers
