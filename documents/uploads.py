"""Direct-to-S3 uploads: a presigned POST for one of the user's documents, so the bytes never pass through Flask."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import boto3
from botocore.config import Config
from flask import current_app

from documents.names import DocumentName
from documents.storage import SIGNATURE_VERSION, S3Client
from documents.types import MEDIA_TYPES, UnsupportedDocumentError, ensure_supported
from http_plumbing.errors import ApiError
from settings import AppSettings, get_app_settings
from timestamps import utcnow

UPLOAD_LIFETIME = timedelta(minutes=5)
# type/subtype without parameters, as a browser's File.type gives it (RFC 6838 names).
_CONTENT_TYPE = re.compile(r"[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,63}/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}")
UNKNOWN_MEDIA_TYPE = "application/octet-stream"


@dataclass(frozen=True)
class PresignedUpload:
    """Where and how the browser posts the file: a multipart form of `fields` plus `file`, to `url`."""

    document_name: str
    key: str
    url: str
    fields: dict[str, str]
    max_bytes: int
    expires_at: datetime

    def to_json(self) -> dict[str, object]:
        return {
            "documentName": self.document_name,
            "s3Key": self.key,
            "url": self.url,
            "fields": self.fields,
            "maxBytes": self.max_bytes,
            "expiresAt": self.expires_at.isoformat(),
        }


def presign_upload(
    settings: AppSettings, user_id: int, document_name: object, content_type: object, size: object
) -> PresignedUpload:
    """A presigned POST for `users/<user_id>/<document_name>`, or an ApiError saying what is wrong with the request.

    S3 itself enforces the policy: the key, the Content-Type and a body of 1 to
    MAX_DOCUMENT_BYTES bytes, for UPLOAD_LIFETIME.
    """
    s3 = settings.require_s3()
    name = DocumentName.parse(document_name, key_prefix=s3.key_prefix, user_id=user_id)
    try:
        kind = ensure_supported(name.name)
    except UnsupportedDocumentError as error:
        raise ApiError(400, str(error)) from None
    checked_type = _checked_content_type(content_type, kind)
    _check_size(size, settings.max_document_bytes)
    expires_at = utcnow() + UPLOAD_LIFETIME
    post = get_presigning_client().generate_presigned_post(
        Bucket=s3.bucket,
        Key=name.key,
        Fields={"Content-Type": checked_type},
        Conditions=[{"Content-Type": checked_type}, ["content-length-range", 1, settings.max_document_bytes]],
        ExpiresIn=int(UPLOAD_LIFETIME.total_seconds()),
    )
    return PresignedUpload(name.name, name.key, post["url"], post["fields"], settings.max_document_bytes, expires_at)


def _checked_content_type(content_type: object, kind: str) -> str:
    """The Content-Type the object is stored with: one that fits its extension, never the caller's whim.

    S3 serves an object with the type it was uploaded with, so `text/html` on a `.txt`
    would make a page of it. A browser that does not know the type says
    application/octet-stream; then the extension's own type is used.
    """
    if not isinstance(content_type, str) or not _CONTENT_TYPE.fullmatch(content_type):
        raise ApiError(400, 'contentType must be a media type such as "application/pdf" (no parameters)')
    allowed = MEDIA_TYPES[kind]
    if content_type.lower() in allowed:
        return content_type.lower()
    if content_type.lower() == UNKNOWN_MEDIA_TYPE:
        return allowed[0]
    raise ApiError(400, f"contentType {content_type} does not fit a {kind} file; send {' or '.join(allowed)}")


def _check_size(size: object, max_bytes: int) -> None:
    # bool is an int in Python; true is not a size.
    if not isinstance(size, int) or isinstance(size, bool):
        raise ApiError(400, "size must be the file's size in bytes, a whole number")
    if size < 1:
        raise ApiError(400, "the file is empty; choose a file with something in it")
    if size > max_bytes:
        raise ApiError(400, f"the file is {size} bytes; the largest document we accept is {max_bytes} bytes")


def upload_endpoint(settings: AppSettings) -> tuple[str | None, Config]:
    """The endpoint and addressing the presigned POSTs use, so that browsers post to a predictable origin.

    On AWS, the regional virtual-hosted endpoint: the global one answers a POST for a
    bucket in another region with a redirect, which a presigned POST cannot follow.
    """
    if settings.aws_endpoint_url:
        return settings.aws_endpoint_url, Config(signature_version=SIGNATURE_VERSION)
    if settings.aws_s3_region is None:
        return None, Config(signature_version=SIGNATURE_VERSION)
    virtual = Config(s3={"addressing_style": "virtual"}, signature_version=SIGNATURE_VERSION)
    return f"https://s3.{settings.aws_s3_region}.amazonaws.com", virtual


def upload_origin(settings: AppSettings) -> str | None:
    """The origin browsers send uploads to (for the pages' connect-src), or None when S3 is not configured."""
    endpoint, _ = upload_endpoint(settings)
    if endpoint is None or settings.aws_s3_bucket is None:
        return None
    parts = urlsplit(endpoint)
    if settings.aws_endpoint_url:
        return f"{parts.scheme}://{parts.netloc}"
    return f"{parts.scheme}://{settings.aws_s3_bucket}.{parts.netloc}"


def create_presigning_client(settings: AppSettings) -> S3Client:
    endpoint, config = upload_endpoint(settings)
    return boto3.client("s3", region_name=settings.aws_s3_region, endpoint_url=endpoint, config=config)


def get_presigning_client() -> S3Client:
    """The current app's client for presigning; signing is local, so it never opens a connection."""
    client: Any = current_app.extensions.get("s3_presigning")
    if client is None:
        client = current_app.extensions["s3_presigning"] = create_presigning_client(get_app_settings())
    return client
