"""Which document names are safe, and where a user's document lives in S3."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from http_plumbing.errors import ApiError

MAX_KEY_BYTES = 1024  # S3's limit on an object key

# Unicode categories that have no business in a file name: controls, format
# characters (bidi overrides such as U+202E), surrogates, private use, line and
# paragraph separators.
_FORBIDDEN_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}

# Characters that NFKC leaves alone but that look like / or \ (U+2215 DIVISION SLASH
# in "a<U+2215>b.txt" reads as a folder in every list): refused, since a name that looks
# like a path must be one. Full-width and small solidi are already folded by NFKC.
SLASH_LOOK_ALIKES = frozenset(
    "\u2044"  # FRACTION SLASH
    "\u2215"  # DIVISION SLASH
    "\u2216"  # SET MINUS
    "\u29f5"  # REVERSE SOLIDUS OPERATOR
    "\u29f8"  # BIG SOLIDUS
    "\u29f9"  # BIG REVERSE SOLIDUS
    "\u2571"  # BOX DRAWINGS LIGHT DIAGONAL UPPER RIGHT TO LOWER LEFT
    "\u2572"  # BOX DRAWINGS LIGHT DIAGONAL UPPER LEFT TO LOWER RIGHT
    "\u0337"  # COMBINING SHORT SOLIDUS OVERLAY
    "\u0338"  # COMBINING LONG SOLIDUS OVERLAY
)


class InvalidDocumentNameError(ApiError):
    def __init__(self, message: str) -> None:
        super().__init__(400, f"documentName {message}")


def object_key_for(key_prefix: str, user_id: int, name: str) -> str:
    return f"{key_prefix}/{user_id}/{name}"


@dataclass(frozen=True)
class DocumentName:
    """A safe name of one user's document and the S3 key it maps to, both worked out once per request."""

    name: str
    key: str

    @classmethod
    def parse(cls, raw: object, *, key_prefix: str, user_id: int) -> DocumentName:
        """The normalised name and its key, or InvalidDocumentNameError saying what is wrong with the name."""
        name = _normalised_name(raw)
        key = object_key_for(key_prefix, user_id, name)
        if len(key.encode("utf-8")) > MAX_KEY_BYTES:
            raise InvalidDocumentNameError(f"is too long: the object key must fit in {MAX_KEY_BYTES} UTF-8 bytes")
        return cls(name=name, key=key)

    def __str__(self) -> str:
        return self.name


def parse_document_name(raw: object, *, key_prefix: str, user_id: int) -> str:
    """The normalised name alone, for callers that do not need its key (see DocumentName.parse)."""
    return DocumentName.parse(raw, key_prefix=key_prefix, user_id=user_id).name


def _normalised_name(raw: object) -> str:
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
    if any(character in SLASH_LOOK_ALIKES for character in name):
        raise InvalidDocumentNameError("must not contain a character that looks like a slash; use / between folders")
    if name.startswith("/"):
        raise InvalidDocumentNameError("must not start with /; it is relative to your own folder")
    if any(segment in {"", ".", ".."} for segment in name.split("/")):
        raise InvalidDocumentNameError("must not contain empty, '.' or '..' path segments")
    return name
