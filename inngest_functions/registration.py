"""Reading the answer to a sync (`PUT /api/inngest`), which the SDK gives as 200 even when registration failed."""

from __future__ import annotations

import json


def registration_problem(status_code: int, body: str) -> str | None:
    """Why the sync failed, or None if the app's functions are registered.

    The SDK (0.5.x) passes the Inngest server's answer through with status 200,
    refusals included, so the body decides: an `error` or `message` means a
    refusal; a fresh registration says `modified`, an unchanged one `ok: true`.
    """
    described = f"HTTP {status_code}: {body.strip()}"
    try:
        answer = json.loads(body)
    except ValueError:
        return described
    if status_code >= 400 or not isinstance(answer, dict):
        return described
    if answer.get("error") or answer.get("message"):
        return described
    if "modified" not in answer and answer.get("ok") is not True:
        return described
    return None
