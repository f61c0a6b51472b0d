"""A person in a real browser deletes a document (with a confirmation), finds it in the trash, restores it,
deletes it for good, and downloads an original: forms only, under the pages' CSP."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from documents.models import Chunk, Document, DocumentStatus
from extensions import db
from tests.web.conftest import WebStack, screenshot
from tests.web.test_browser import sign_in

TEXT = b"The zebra crossing is closed on Mondays."


def add_processed(stack: WebStack, s3, name: str) -> None:
    """A processed document of one chunk, its original in S3."""
    key = f"users/{stack.user_id}/{name}"
    s3.put_object(Bucket=stack.bucket, Key=key, Body=TEXT, ContentType="text/plain")
    with stack.database.app_context():
        document = Document(user_id=stack.user_id, name=name, s3_bucket=stack.bucket, s3_key=key,
                            status=DocumentStatus.PROCESSED.value, chunk_count=1, size_bytes=len(TEXT))  # fmt: skip
        db.session.add(document)
        db.session.flush()
        db.session.add(Chunk(document_id=document.id, position=0, text=TEXT.decode()))
        db.session.commit()


def test_a_person_deletes_a_document_restores_it_from_the_trash_then_deletes_it_for_good(
    page: Page, web_stack: WebStack, s3
):
    for name in ["zebra.txt", "minutes/2026-11.txt", "budget.txt"]:
        add_processed(web_stack, s3, name)
    page.goto(f"{web_stack.server.url}/documents/zebra.txt")
    sign_in(page, web_stack)

    page.get_by_role("link", name="Delete…").click()
    expect(page.get_by_role("heading", name="Delete zebra.txt?")).to_be_visible()
    page.get_by_role("button", name="Delete", exact=True).click()
    expect(page).to_have_url(re.compile(r"/trash$"))
    for name in ["minutes/2026-11.txt", "budget.txt"]:
        page.goto(f"{web_stack.server.url}/documents/{name}/delete")
        page.get_by_role("button", name="Delete", exact=True).click()
    rows = page.get_by_role("table").get_by_role("row")
    expect(rows).to_have_count(4)
    screenshot(page, "trash")

    page.goto(f"{web_stack.server.url}/search?q=zebra")
    expect(page.get_by_text("zebra.txt")).to_have_count(0)

    page.get_by_role("link", name="Trash").click()
    page.get_by_role("row").filter(has_text="zebra.txt").get_by_role("button", name="Restore").click()
    expect(page).to_have_url(re.compile(r"/documents/zebra.txt$"))
    expect(page.locator("#status")).to_have_text("processed")
    page.goto(f"{web_stack.server.url}/search?q=zebra")
    expect(page.get_by_role("link", name=re.compile("zebra.txt")).first).to_be_visible()

    page.get_by_role("link", name="Trash").click()
    page.get_by_role("row").filter(has_text="budget.txt").get_by_role("button", name="Delete now").click()
    expect(page).to_have_url(re.compile(r"/trash$"))
    with web_stack.database.app_context():
        trashed_at, purge_at = db.session.execute(
            db.select(Document.trashed_at, Document.purge_at).where(Document.trashed_name == "budget.txt")
        ).one()
    # Brought forward from 30 days to now.
    assert (purge_at - trashed_at).total_seconds() < 60


def test_the_document_page_downloads_the_original(page: Page, web_stack: WebStack, s3):
    add_processed(web_stack, s3, "zebra.txt")
    page.goto(f"{web_stack.server.url}/documents/zebra.txt")
    sign_in(page, web_stack)

    link = page.get_by_role("link", name="Download the original")
    href = link.get_attribute("href")
    assert href == "/api/documents/zebra.txt/download"
    response = page.request.get(f"{web_stack.server.url}{href}")

    assert response.ok
    assert response.url.startswith(web_stack.database.extensions["settings"].aws_endpoint_url)
    assert response.body() == TEXT
