"""POST /api/uploads: a presigned POST straight to S3 for one of the user's documents, or a 400 saying why not."""

from __future__ import annotations

import base64
import json
from datetime import datetime
from urllib.parse import urlsplit

import httpx
import pytest

from documents.types import MEDIA_TYPES
from documents.uploads import UPLOAD_LIFETIME, create_presigning_client, upload_origin
from processing.readers import READERS
from settings import load_settings
from tests.support.sample_documents import pdf_document
from timestamps import utcnow

PDF = "application/pdf"


def ask_for_upload(client, name="report.pdf", content_type=PDF, size=1000):
    return client.post("/api/uploads", json={"documentName": name, "contentType": content_type, "size": size})


def post_to_s3(upload, content, content_type=PDF):
    fields = upload["fields"]
    return httpx.post(upload["url"], data=fields, files={"file": ("ignored", content, content_type)}, timeout=10)


def signed_policy(upload):
    return json.loads(base64.b64decode(upload["fields"]["policy"]))


def test_no_session_user_is_401(client):
    response = ask_for_upload(client)
    assert response.status_code == 401
    assert "sign in" in response.get_json()["error"]


def test_upload_is_presigned_for_the_users_own_folder(auth, client, bucket):
    auth.login()
    response = ask_for_upload(client, "reports/q1.pdf")
    assert response.status_code == 200
    upload = response.get_json()["upload"]
    assert upload["documentName"] == "reports/q1.pdf"
    assert upload["s3Key"] == f"users/{auth.user_id}/reports/q1.pdf"
    assert upload["fields"]["key"] == upload["s3Key"]
    assert upload["fields"]["Content-Type"] == PDF
    assert upload["url"].endswith(f"/{bucket}")


def test_signed_policy_binds_key_type_size_range_and_five_minutes(app, auth, client, bucket):
    auth.login()
    upload = ask_for_upload(client).get_json()["upload"]
    policy = signed_policy(upload)
    conditions = policy["conditions"]
    assert {"bucket": bucket} in conditions
    assert {"key": upload["s3Key"]} in conditions
    assert {"Content-Type": PDF} in conditions
    assert ["content-length-range", 1, app.extensions["settings"].max_document_bytes] in conditions
    expires = policy["expiration"]
    remaining = (datetime.fromisoformat(expires.replace("Z", "+00:00")) - utcnow()).total_seconds()
    assert UPLOAD_LIFETIME.total_seconds() - 60 < remaining <= UPLOAD_LIFETIME.total_seconds()


def test_the_browser_can_post_the_file_to_s3_without_flask(auth, client, s3, bucket):
    auth.login()
    content = pdf_document()
    upload = ask_for_upload(client, "q1.pdf", size=len(content)).get_json()["upload"]
    response = post_to_s3(upload, content)
    assert response.status_code == 204, response.text
    stored = s3.get_object(Bucket=bucket, Key=f"users/{auth.user_id}/q1.pdf")
    assert stored["Body"].read() == content
    assert stored["ContentType"] == PDF


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"contentType": PDF, "size": 10}, "documentName is missing"),
        ({"documentName": "", "contentType": PDF, "size": 10}, "documentName is empty"),
        ({"documentName": 5, "contentType": PDF, "size": 10}, "documentName must be a string"),
        ({"documentName": "../x.pdf", "contentType": PDF, "size": 10}, "'..' path segments"),
        ({"documentName": "/x.pdf", "contentType": PDF, "size": 10}, "must not start with /"),
        ({"documentName": "a\\b.pdf", "contentType": PDF, "size": 10}, "backslash"),
        ({"documentName": "x\u202e.pdf", "contentType": PDF, "size": 10}, "invisible formatting"),
        ({"documentName": "x" * 1100 + ".pdf", "contentType": PDF, "size": 10}, "too long"),
        ({"documentName": "virus.exe", "contentType": PDF, "size": 10}, "files of type '.exe' are not supported"),
        ({"documentName": "README", "contentType": PDF, "size": 10}, "files of type '(none)' are not supported"),
        ({"documentName": "x.pdf", "size": 10}, "contentType must be a media type"),
        ({"documentName": "x.pdf", "contentType": "", "size": 10}, "contentType must be a media type"),
        ({"documentName": "x.pdf", "contentType": "pdf", "size": 10}, "contentType must be a media type"),
        ({"documentName": "x.pdf", "contentType": "text/plain; charset=utf-8", "size": 10}, "no parameters"),
        ({"documentName": "x.pdf", "contentType": "text/plain\r\nX: y", "size": 10}, "contentType must be"),
        ({"documentName": "x.pdf", "contentType": PDF}, "size must be the file's size in bytes"),
        ({"documentName": "x.pdf", "contentType": PDF, "size": "10"}, "size must be the file's size in bytes"),
        ({"documentName": "x.pdf", "contentType": PDF, "size": 10.5}, "size must be the file's size in bytes"),
        ({"documentName": "x.pdf", "contentType": PDF, "size": True}, "size must be the file's size in bytes"),
        ({"documentName": "x.pdf", "contentType": PDF, "size": 0}, "the file is empty"),
        ({"documentName": "x.pdf", "contentType": PDF, "size": -1}, "the file is empty"),
        ({"documentName": "x.pdf", "contentType": PDF, "size": 50 * 1024 * 1024 + 1}, "the largest document"),
    ],
)
def test_refused_upload_is_400_saying_why(auth, client, body, message):
    auth.login()
    response = client.post("/api/uploads", json=body)
    assert response.status_code == 400
    assert message in response.get_json()["error"]


@pytest.mark.parametrize(
    ("kwargs", "status"),
    [({"data": "not json", "content_type": "text/plain"}, 415), ({"json": ["a list"]}, 400)],
)
def test_body_must_be_a_json_object(auth, client, kwargs, status):
    auth.login()
    assert client.post("/api/uploads", **kwargs).status_code == status


def test_missing_s3_settings_is_500_naming_them(app_with, auth):
    app = app_with(AWS_S3_BUCKET=None)
    client = app.test_client()
    type(auth)(app, client).login()
    response = ask_for_upload(client)
    assert response.status_code == 500
    assert response.get_json()["error"] == "the server is not configured for S3: set AWS_S3_BUCKET"


def test_cross_site_request_for_an_upload_is_403(auth, client):
    auth.login()
    response = client.post(
        "/api/uploads",
        json={"documentName": "x.pdf", "contentType": PDF, "size": 10},
        headers={"Origin": "http://evil.example"},
    )
    assert response.status_code == 403


def test_upload_origin_is_where_presigned_posts_go_with_an_endpoint(s3_endpoint):
    settings = load_settings(
        {"INNGEST_DEV": True, "AWS_S3_REGION": "us-east-1", "AWS_S3_BUCKET": "docs", "AWS_ENDPOINT_URL": s3_endpoint},
        env_file=None,
    )
    assert upload_origin(settings) == s3_endpoint
    assert upload_origin(settings) == origin_of_a_presigned_post(settings)


@pytest.mark.parametrize("region", ["us-east-1", "eu-west-1", "ap-southeast-2"])
def test_upload_origin_on_aws_is_the_regional_bucket_host(region):
    settings = load_settings(
        {"INNGEST_DEV": True, "AWS_S3_REGION": region, "AWS_S3_BUCKET": "docs", "AWS_ENDPOINT_URL": None},
        env_file=None,
    )
    assert upload_origin(settings) == f"https://docs.s3.{region}.amazonaws.com"
    assert upload_origin(settings) == origin_of_a_presigned_post(settings)


def origin_of_a_presigned_post(settings):
    client = create_presigning_client(settings)
    url = client.generate_presigned_post(settings.aws_s3_bucket, "users/1/x.pdf")["url"]
    client.close()
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


@pytest.mark.parametrize(
    ("name", "content_type"),
    [
        ("a.txt", "text/html"),
        ("notes.md", "application/pdf"),
        ("report.pdf", "text/html"),
        ("page.html", "image/svg+xml"),
    ],
)
def test_a_content_type_that_does_not_fit_the_extension_is_refused(auth, client, name, content_type):
    auth.login()
    response = ask_for_upload(client, name, content_type)
    assert response.status_code == 400
    assert f"contentType {content_type} does not fit a" in response.get_json()["error"]


def test_an_unknown_type_from_the_browser_becomes_the_extensions_own(auth, client):
    auth.login()
    upload = ask_for_upload(client, "notes.md", "application/octet-stream").get_json()["upload"]
    assert upload["fields"]["Content-Type"] == "text/markdown"


def test_every_supported_extension_has_its_media_types():
    assert set(MEDIA_TYPES) == set(READERS)


def test_presigned_posts_are_signed_with_sigv4_in_us_east_1(auth, client):
    auth.login()
    fields = ask_for_upload(client).get_json()["upload"]["fields"]
    assert fields["x-amz-algorithm"] == "AWS4-HMAC-SHA256"
    assert "/us-east-1/s3/aws4_request" in fields["x-amz-credential"]
    assert "AWSAccessKeyId" not in fields
