"""Asking a server whether it is up yet: the readiness probe every stack waits on."""

from __future__ import annotations

from collections.abc import Mapping

import httpx


def responds(url: str, *, require_ok: bool = False, headers: Mapping[str, str] | None = None) -> bool:
    try:
        response = httpx.get(url, timeout=2.0, headers=headers)
    except httpx.HTTPError:
        return False
    return response.status_code == 200 or not require_ok
