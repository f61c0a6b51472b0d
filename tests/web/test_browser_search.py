"""In a real browser: search from My documents with the keyboard, read highlighted snippets, open the document
at the chunk that matched."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from documents.models import Chunk, Document
from extensions import db
from tests.web.conftest import WebStack, screenshot, tab_to
from tests.web.test_browser import sign_in


def add_processed(stack: WebStack, name: str, chunks: list[str]) -> None:
    with stack.database.app_context():
        document = Document(user_id=stack.user_id, name=name, s3_bucket=stack.bucket, s3_key=f"k/{name}",
                            status="processed", chunk_count=len(chunks), size_bytes=2048)  # fmt: skip
        db.session.add(document)
        db.session.flush()
        db.session.add_all(Chunk(document_id=document.id, position=i, text=text) for i, text in enumerate(chunks))
        db.session.commit()


def test_a_person_searches_with_the_keyboard_and_opens_the_matching_chunk(page: Page, web_stack: WebStack):
    filler = [f"Section {number}: nothing to see in this part of the report." for number in range(12)]
    add_processed(
        web_stack, "reports/q3.pdf", [*filler[:8], "Revenue from the Zebra product line grew 40 %.", *filler[8:]]
    )
    add_processed(web_stack, "notes.md", ["Ask <b>Ana</b> about the zebra crossing & the café."])
    page.goto(f"{web_stack.server.url}/sign-in")
    sign_in(page, web_stack)
    expect(page.get_by_role("heading", name="My documents")).to_be_visible()

    assert tab_to(page, "search-query")
    page.keyboard.type("zebra")
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(r"/search\?q=zebra$"))
    results = page.get_by_role("listitem")
    expect(results).to_have_count(2)
    expect(page.locator(".snippet mark").first).to_have_text(re.compile("zebra", re.IGNORECASE))
    expect(page.get_by_text("Ask <b>Ana</b> about the")).to_be_visible()  # shown as text, not markup
    screenshot(page, "search-results")

    page.get_by_role("link", name="reports/q3.pdf").click()
    expect(page).to_have_url(re.compile(r"/documents/reports/q3.pdf\?chunk=8#chunk-8$"))
    found = page.locator("#chunk-8")
    expect(found).to_have_class(re.compile(r"\bfound\b"))
    expect(found).to_contain_text("Zebra product line")
    expect(found).to_be_in_viewport()


def test_a_query_with_no_words_is_explained_on_the_page(page: Page, web_stack: WebStack):
    page.goto(f"{web_stack.server.url}/sign-in")
    sign_in(page, web_stack)
    page.goto(f"{web_stack.server.url}/search?q=%2A%2A%2A")
    expect(page.get_by_role("alert")).to_have_text("q has no words to search for, only punctuation")
    expect(page.get_by_label("Search my documents")).to_have_value("***")
