"""Which document names are safe, and where a user's document lives in S3."""

from __future__ import annotations

import unicodedata

from api_errors import ApiError

MAX_KEY_BYTES = 1024  # S3's limit on an object key

# Unicode categories that have no business in a file name: controls, format
# characters (bidi overrides such as U+202E), surrogates, private use, line and
# paragraph separators.
_FORBIDDEN_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}


class InvalidDocumentNameError(ApiError):
    def __init__(self, message: str) -> None:
        super().__init__(400, f"documentName {message}")


def object_key_for(key_prefix: str, user_id: int, name: str) -> str:
    return f"{key_prefix}/{user_id}/{name}"


def parse_document_name(raw: object, *, key_prefix: str, user_id: int) -> str:
    """The normalised name, or InvalidDocumentNameError saying what is wrong with it."""
    if raw is None:
        raise InvalidDocumentNameError('is missing: send {"documentName": "<name of your file in S3>"}')
    if not isinstance(raw, str):
        raise InvalidDocumentNameError("must be a string")
    # NFKC folds look-alikes (full-width dots and slashes) into the characters
    # they imitate, so the checks below see what S3 and people will see.
    name = unicodedata.normalize("NFKC", raw)
    if not name.strip():
        raise InvalidDocumentNameError("is empty")
    if any(unicodedata.category(character) in _FORBIDDEN_CATEGORIES for character in name):
        raise InvalidDocumentNameError("contains control or invisible formatting characters")
    if "\\" in name:
        raise InvalidDocumentNameError("must not contain a backslash; use / between folders")
    if name.startswith("/"):
        raise InvalidDocumentNameError("must not start with /; it is relative to your own folder")
    if any(segment in {"", ".", ".."} for segment in name.split("/")):
        raise InvalidDocumentNameError("must not contain empty, '.' or '..' path segments")
    key = object_key_for(key_prefix, user_id, name)
    if len(key.encode("utf-8")) > MAX_KEY_BYTES:
        raise InvalidDocumentNameError(f"is too long: the object key must fit in {MAX_KEY_BYTES} UTF-8 bytes")
    return name
