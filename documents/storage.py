"""S3 access: one client per app, the few object operations the service needs."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError, FlexibleChecksumError
from flask import current_app

from settings import AppSettings, get_app_settings

if TYPE_CHECKING:
    S3Client = Any
else:
    S3Client = object

_DOWNLOAD_BLOCK = 1024 * 1024


@dataclass(frozen=True)
class ObjectInfo:
    size: int
    etag: str


class ObjectTooLargeError(Exception):
    pass


class ObjectMissingError(Exception):
    """There is no object at that key (never uploaded, or deleted since)."""


class ObjectChecksumError(Exception):
    """The bytes received do not match the checksum S3 sent with them."""


@dataclass(frozen=True)
class DownloadedObject:
    sha256: str
    etag: str
    size: int


# What S3 (and moto) call a missing object: HEAD answers a bare 404, GET names it.
_MISSING_CODES = frozenset({"404", "NoSuchKey", "NotFound"})


# Signature Version 4 everywhere: AWS requires it in every region opened since 2014 and for
# every new bucket, and boto3 would otherwise presign POSTs for us-east-1 with legacy SigV2.
SIGNATURE_VERSION = "s3v4"


def create_s3_client(settings: AppSettings) -> S3Client:
    return boto3.client(
        "s3",
        region_name=settings.aws_s3_region,
        endpoint_url=settings.aws_endpoint_url,
        config=Config(
            connect_timeout=5,
            read_timeout=30,
            retries={"max_attempts": 3, "mode": "standard"},
            signature_version=SIGNATURE_VERSION,
            # botocore checks a GET's bytes against the checksum S3 sends whenever there is one.
            # moto (the local S3) sends a multipart object's checksum-of-part-checksums without
            # the "-<parts>" suffix that tells botocore to skip it, so every object uploaded in
            # parts failed the check. We hash every byte with SHA-256 ourselves; the check is
            # kept for the operations that require it, and uploads still send their checksums.
            response_checksum_validation="when_required",
        ),
    )


def get_s3_client() -> S3Client:
    """The current app's client; boto3 clients are thread-safe and costly to build."""
    client = current_app.extensions.get("s3")
    if client is None:
        client = current_app.extensions["s3"] = create_s3_client(get_app_settings())
    return client


def head_object(client: S3Client, bucket: str, key: str) -> ObjectInfo:
    """Size and ETag of the object; ObjectMissingError when there is no such object."""
    try:
        head = client.head_object(Bucket=bucket, Key=key)
    except ClientError as error:
        _raise_if_missing(error)
        raise
    return ObjectInfo(size=int(head["ContentLength"]), etag=head["ETag"].strip('"'))


def download_object(client: S3Client, bucket: str, key: str, destination: Path, *, max_bytes: int) -> DownloadedObject:
    """Stream the object to `destination` (never all in memory); its SHA-256, and the ETag of what was read.

    Raises ObjectTooLargeError as soon as more than `max_bytes` arrive, in case the
    object grew after it was checked, ObjectMissingError when it is gone, and
    ObjectChecksumError when the bytes disagree with a checksum S3 sent and botocore checked.
    """
    try:
        response = client.get_object(Bucket=bucket, Key=key)
    except ClientError as error:
        _raise_if_missing(error)
        raise
    body = response["Body"]
    digest = hashlib.sha256()
    received = 0
    try:
        with destination.open("wb") as file:
            for block in body.iter_chunks(_DOWNLOAD_BLOCK):
                received += len(block)
                if received > max_bytes:
                    body.close()
                    raise ObjectTooLargeError(received)
                digest.update(block)
                file.write(block)
    except FlexibleChecksumError as error:
        raise ObjectChecksumError(str(error)) from None
    return DownloadedObject(sha256=digest.hexdigest(), etag=response["ETag"].strip('"'), size=received)


def _raise_if_missing(error: ClientError) -> None:
    if error.response.get("Error", {}).get("Code") in _MISSING_CODES:
        raise ObjectMissingError(str(error)) from None


def upload_file(client: S3Client, bucket: str, key: str, source: Path) -> None:
    client.upload_file(str(source), bucket, key)


def delete_object_versions(client: S3Client, bucket: str, key: str, *, only_etag: str | None = None) -> int:
    """Delete every version of the object at `key` (delete markers too); how many were deleted.

    A bucket without versioning keeps one version (id "null"), so this is the same call there.
    With `only_etag`, only the earlier versions with that ETag go, never the current one: another
    document now owns the key, and what it holds is not ours to delete. Safe to repeat.
    """
    deleted = 0
    for page in client.get_paginator("list_object_versions").paginate(Bucket=bucket, Prefix=key):
        versions = [
            version
            for version in page.get("Versions", [])
            if version["Key"] == key
            and (only_etag is None or (not version["IsLatest"] and version["ETag"].strip('"') == only_etag))
        ]
        markers = [marker for marker in page.get("DeleteMarkers", []) if marker["Key"] == key] if not only_etag else []
        targets = [{"Key": key, "VersionId": entry["VersionId"]} for entry in versions + markers]
        if not targets:
            continue
        answer = client.delete_objects(Bucket=bucket, Delete={"Objects": targets, "Quiet": True})
        errors = answer.get("Errors", [])
        if errors:
            first = errors[0]
            raise RuntimeError(f"S3 did not delete {len(errors)} version(s) of {key!r}: {first.get('Code')}")
        deleted += len(targets)
    return deleted
