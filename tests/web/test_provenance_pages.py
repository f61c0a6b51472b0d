"""A person finds a word of a real 117-page PDF and sees where it stands: its page and section, on the
search page and beside the chunk on the document page."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from playwright.sync_api import Page, expect

from documents.models import Document
from extensions import db
from processing.chunking import SECTION_PATH_SEPARATOR
from processing.storing import replace_chunks
from tests.web.conftest import WebStack, screenshot
from tests.web.test_browser import sign_in

GEOTOPO = Path(__file__).resolve().parent.parent / "corpus" / "pdf" / "GeoTopo-komprimiert.pdf"
# On page 41 alone (pdftotext, page by page), under section 2.3 of chapter 2 in the file's outline.
WORD, PAGE = "Spannbaum", 41
SECTION = SECTION_PATH_SEPARATOR.join(["2 Mannigfaltigkeiten und Simplizialkomplexe", "2.3 Simplizialkomplex"])


def processed(stack: WebStack, path: Path) -> None:
    """The PDF's chunks stored as a run stores them (the readers, the chunker, the one transaction)."""
    with stack.database.app_context():
        document = Document(
            user_id=stack.user_id, name=path.name, s3_bucket=stack.bucket, s3_key=f"users/{stack.user_id}/{path.name}"
        )
        db.session.add(document)
        db.session.flush()
        replace_chunks(
            document,
            path,
            ".pdf",
            etag="etag",
            content_hash=hashlib.sha256(path.read_bytes()).hexdigest(),
            chunk_size=1000,
            chunk_overlap=100,
        )


def test_a_search_hit_and_its_chunk_show_the_page_and_section_they_came_from(page: Page, web_stack: WebStack):
    processed(web_stack, GEOTOPO)
    page.goto(web_stack.server.url)
    sign_in(page, web_stack)
    expect(page).to_have_url(re.compile(r"/documents$"))

    page.get_by_role("searchbox").fill(WORD)
    page.get_by_role("searchbox").press("Enter")
    hits = page.locator("ol.results > li")
    expect(hits).to_have_count(1)
    hit = hits.first
    expect(hit.get_by_role("link", name=GEOTOPO.name)).to_be_visible()
    expect(hit.locator(".provenance")).to_have_text([f"page {PAGE}", SECTION])
    expect(hit.locator("mark")).to_have_text([WORD])
    screenshot(page, "search")

    hit.get_by_role("link", name=GEOTOPO.name).click()
    expect(page.get_by_role("heading", name=GEOTOPO.name)).to_be_visible()
    expect(page.locator("#status")).to_have_text("processed")
    found = page.locator("figure.found")  # the chunk the hit pointed at
    expect(found).to_contain_text(WORD)
    expect(found.locator("figcaption .provenance")).to_have_text([f"page {PAGE}", SECTION])
    screenshot(page, "document-processed")
    found.scroll_into_view_if_needed()
    page.mouse.wheel(0, -120)  # the chunk's caption in view, below the top edge
    screenshot(page, "document-found-chunk", full_page=False)
