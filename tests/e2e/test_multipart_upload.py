"""An object uploaded in parts, as boto3's managed transfer and the AWS CLI send anything over 8 MB, is processed."""

from __future__ import annotations

import hashlib
import io

import boto3

from tests.conftest import REGION
from tests.support.sample_documents import MARKER, padded_docx_document


def test_a_20_mb_object_uploaded_in_parts_is_processed_end_to_end(stack):
    client = stack.user("multipart@example.com")
    user_id = client.get("/auth/me").json()["user"]["id"]
    content = padded_docx_document(20 * 1024 * 1024)
    key = f"users/{user_id}/big.docx"
    s3 = boto3.client("s3", region_name=REGION, endpoint_url=stack.s3_endpoint)
    s3.upload_fileobj(io.BytesIO(content), stack.bucket, key)  # boto3's defaults: 8 MB parts
    assert s3.head_object(Bucket=stack.bucket, Key=key)["ETag"].strip('"').endswith("-3")
    s3.close()

    response = client.post("/api/route", json={"documentName": "big.docx"})
    assert response.status_code == 200, response.text

    document = stack.settled(client, "big.docx", "processed", "failed")
    assert document["status"] == "processed", document["error"]
    assert document["contentHash"] == hashlib.sha256(content).hexdigest()
    assert MARKER in "\n".join(text for _, text in stack.chunks("big.docx"))
