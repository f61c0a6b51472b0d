"""Who may see a page: signed-out visitors are sent to the sign-in page, and back only to a path of ours."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import ParamSpec, TypeVar
from urllib.parse import urlsplit

from flask import redirect, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

P = ParamSpec("P")
R = TypeVar("R")

MAX_NEXT_LENGTH = 2048


def safe_next_path(value: str | None) -> str | None:
    """`value` when it is a path on this site ("/documents?x=1"), else None.

    Refused: absolute URLs, scheme-relative ones (`//evil.example`), backslashes
    (which browsers read as `/`), and control characters, which could split a header.
    """
    if not value or len(value) > MAX_NEXT_LENGTH or not value.startswith("/"):
        return None
    if (
        value.startswith("//")
        or "\\" in value
        or any(ord(character) < 0x20 or ord(character) == 0x7F for character in value)
    ):
        return None
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return None
    return value


def sign_in_required(view: Callable[P, R]) -> Callable[P, R | Response]:
    """Pages redirect a signed-out visitor to /sign-in (the API answers 401 instead, see auth.login)."""

    @wraps(view)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R | Response:
        if not current_user.is_authenticated:
            return redirect(url_for("web.sign_in", next=request.full_path.removesuffix("?")))
        return view(*args, **kwargs)

    return wrapper
