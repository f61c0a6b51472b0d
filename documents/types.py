"""The document types we can process: each extension with the media types it may be stored with, and the one check."""

from __future__ import annotations

from pathlib import PurePosixPath

# Every supported extension and the media types its objects may be stored with, the usual one first.
# processing/readers/ has a reader for each, and only for these.
MEDIA_TYPES: dict[str, tuple[str, ...]] = {
    ".txt": ("text/plain",),
    ".md": ("text/markdown", "text/x-markdown", "text/plain"),
    ".markdown": ("text/markdown", "text/x-markdown", "text/plain"),
    ".html": ("text/html",),
    ".htm": ("text/html",),
    ".pdf": ("application/pdf",),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document",),
    ".pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation",),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",),
    ".odt": ("application/vnd.oasis.opendocument.text",),
    ".ods": ("application/vnd.oasis.opendocument.spreadsheet",),
    ".odp": ("application/vnd.oasis.opendocument.presentation",),
    ".epub": ("application/epub+zip",),
    ".eml": ("message/rfc822",),
    # Windows names a .csv after the program that opens it.
    ".csv": ("text/csv", "application/vnd.ms-excel", "text/plain"),
    ".rtf": ("application/rtf", "text/rtf"),
    # Images: their text is read by OCR.
    ".png": ("image/png",),
    ".jpg": ("image/jpeg",),
    ".jpeg": ("image/jpeg",),
    ".tif": ("image/tiff",),
    ".tiff": ("image/tiff",),
    ".webp": ("image/webp",),
}
SUPPORTED_TYPES = tuple(sorted(MEDIA_TYPES))


class UnsupportedDocumentError(Exception):
    """The document cannot be turned into text; the message is safe to show its owner."""


def document_type(name: str) -> str:
    """The lower-case extension that decides how `name` is read ("" when there is none)."""
    return PurePosixPath(name).suffix.lower()


def ensure_supported(name: str) -> str:
    """The type of the document called `name`; UnsupportedDocumentError when it is not one we can read."""
    kind = document_type(name)
    if kind not in MEDIA_TYPES:
        raise UnsupportedDocumentError(
            f"files of type {kind or '(none)'!r} are not supported; use one of {', '.join(SUPPORTED_TYPES)}"
        )
    return kind
