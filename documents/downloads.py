"""Downloading the original: a presigned GET, valid a few minutes, that saves the file under its own name."""

from __future__ import annotations

import posixpath
import re
import urllib.parse
from datetime import timedelta

from documents.models import Document
from documents.uploads import get_presigning_client
from http_plumbing.errors import ApiError

DOWNLOAD_LIFETIME = timedelta(minutes=5)
# What may stand in the plain `filename="..."` of a Content-Disposition: printable ASCII but the quote and backslash.
_NOT_PLAIN = re.compile(r'[^\x20-\x7e]|["\\\\]')


def content_disposition(name: str) -> str:
    """`attachment` with the file's own name: plain ASCII for old clients, RFC 5987 UTF-8 for the rest.

    The name is the last part of the document's name (no folders); nothing in it can end the header
    or add a parameter, since the UTF-8 form is percent-encoded and the plain one holds no quote or backslash.
    """
    filename = posixpath.basename(name) or "document"
    fallback = _NOT_PLAIN.sub("_", filename)
    encoded = urllib.parse.quote(filename, safe="")
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}"


def presign_download(document: Document) -> str:
    """A URL that GETs the document's object for DOWNLOAD_LIFETIME, saved as an attachment; a 409 when trashed.

    S3 serves the object with the Content-Type it was stored with, which the upload held to one that fits the
    file's extension (documents/uploads.py).
    """
    if document.is_trashed:
        raise ApiError(409, f"{document.display_name!r} is in the trash: restore it (POST …/restore) to download it")
    url: str = get_presigning_client().generate_presigned_url(
        "get_object",
        Params={
            "Bucket": document.s3_bucket,
            "Key": document.s3_key,
            "ResponseContentDisposition": content_disposition(document.display_name),
        },
        ExpiresIn=int(DOWNLOAD_LIFETIME.total_seconds()),
    )
    return url
