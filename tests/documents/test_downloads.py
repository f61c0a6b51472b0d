"""GET /api/documents/<name>/download: a presigned GET of the original, saved under its own name."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from documents.downloads import content_disposition

TEXT = b"The zebra crossing is closed on Mondays. " * 20


@pytest.mark.parametrize(
    ("name", "header"),
    [
        ("report.txt", "attachment; filename=\"report.txt\"; filename*=UTF-8''report.txt"),
        ("reports/q1.pdf", "attachment; filename=\"q1.pdf\"; filename*=UTF-8''q1.pdf"),
        ("Café menu.txt", "attachment; filename=\"Caf_ menu.txt\"; filename*=UTF-8''Caf%C3%A9%20menu.txt"),
        ('a"b\\c;d.txt', "attachment; filename=\"a_b_c;d.txt\"; filename*=UTF-8''a%22b%5Cc%3Bd.txt"),
    ],
)
def test_the_file_name_is_encoded_so_nothing_in_it_can_change_the_header(name, header):
    assert content_disposition(name) == header


def test_a_download_redirects_to_a_presigned_get_of_the_stored_object(client, s3, bucket, submit):
    uploaded = submit("Café menu.txt", None)
    s3.put_object(Bucket=bucket, Key=uploaded.key, Body=TEXT, ContentType="text/plain")

    response = client.get("/api/documents/Café menu.txt/download")

    assert response.status_code == 303
    assert response.headers["Cache-Control"] == "no-store"
    url = response.headers["Location"]
    query = parse_qs(urlsplit(url).query)
    assert query["X-Amz-Expires"] == ["300"]
    # Signed with the URL, so S3 answers with it (the local S3 does not act on it; AWS does).
    assert query["response-content-disposition"] == [content_disposition("Café menu.txt")]
    fetched = httpx.get(url)
    assert fetched.status_code == 200
    assert fetched.content == TEXT
    assert fetched.headers["Content-Type"] == "text/plain"


def test_a_client_that_accepts_json_gets_the_url(client, submit):
    submit("zebra.txt", TEXT)

    response = client.get("/api/documents/zebra.txt/download", headers={"Accept": "application/json"})

    assert response.status_code == 200
    assert httpx.get(response.get_json()["url"]).content == TEXT


def test_downloading_what_you_have_not_got_is_404(client, auth):
    auth.login()

    assert client.get("/api/documents/nothing.txt/download").status_code == 404
