"""A thousand documents in Chromium: the page shows fifty, pages with Older and Newer, filters by status, and
asks GET /api/documents only for what changed, and only while a document it shows is in flight.

The page runs on Playwright's clock: each 2-second poll is let through by moving that clock on, never by
waiting. That no poll was sent is shown by a request sent after it, which any poll would have preceded."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import parse_qs, urlparse

from playwright.sync_api import Page, Response, expect

from tests.support.document_rows import add_documents, touch
from tests.web.conftest import WebStack
from tests.web.test_browser import sign_in
from timestamps import utcnow

POLL_MILLISECONDS = 2000


def is_list_call(response: Response) -> bool:
    return urlparse(response.url).path == "/api/documents"


def poll(page: Page) -> Response:
    """Move the page's clock past its poll interval; the poll it sends, answered."""
    with page.expect_response(is_list_call) as answered:
        page.clock.run_for(POLL_MILLISECONDS)
    return answered.value


def requests_after_the_clock_moves(page: Page, seen: list[str]) -> list[str]:
    """Paths requested while the clock runs 10 s on, up to a marker request sent after it."""
    before = len(seen)
    page.clock.run_for(5 * POLL_MILLISECONDS)
    with page.expect_response(lambda response: response.url.endswith("/healthz")):
        page.evaluate("fetch('/healthz')")
    return seen[before:]


def rows(page: Page):
    return page.locator("#documents tbody tr")


def status_of(page: Page, name: str):
    return rows(page).filter(has=page.get_by_role("link", name=name, exact=True)).locator(".status")


def test_a_thousand_documents_are_paged_and_only_their_changes_are_polled_for(page: Page, web_stack: WebStack):
    names = [f"doc-{number:04}.txt" for number in range(1000)]
    every_tenth_failed = ["processed"] * 9 + ["failed"]
    add_documents(web_stack.database, web_stack.user_id, names[:998], statuses=every_tenth_failed,
                  newest=utcnow() - timedelta(minutes=1))  # fmt: skip
    add_documents(web_stack.database, web_stack.user_id, names[998:], statuses=["processing"])
    seen: list[str] = []
    page.on("request", lambda request: seen.append(urlparse(request.url).path))
    page.clock.install()
    page.goto(f"{web_stack.server.url}/sign-in")
    sign_in(page, web_stack)

    expect(page).to_have_url(re.compile(r"/documents$"))
    expect(rows(page)).to_have_count(50)
    expect(rows(page).first.get_by_role("link")).to_have_text("doc-0999.txt")
    expect(page.locator("[data-count=all]")).to_have_text("1000")
    expect(page.locator("[data-count=processing]")).to_have_text("2")
    assert "/api/documents" not in seen, "the first page comes with the page itself"

    quiet = poll(page)
    assert set(parse_qs(urlparse(quiet.url).query)) == {"updatedSince", "limit"}
    assert quiet.json()["documents"] == []

    touch(web_stack.database, web_stack.user_id, ["doc-0999.txt"], "processed")
    assert [document["name"] for document in poll(page).json()["documents"]] == ["doc-0999.txt"]
    expect(status_of(page, "doc-0999.txt")).to_have_text("processed")
    expect(page.locator("[data-count=processing]")).to_have_text("1")

    touch(web_stack.database, web_stack.user_id, ["doc-0998.txt"], "failed")
    # What changed in the last few seconds may come again (the overlap that covers a slow commit): never more.
    again = [document["name"] for document in poll(page).json()["documents"]]
    assert "doc-0998.txt" in again
    assert set(again) <= {"doc-0998.txt", "doc-0999.txt"}
    expect(status_of(page, "doc-0998.txt")).to_have_text("failed")
    expect(page.locator("#list-state")).to_contain_text("Up to date")
    expect(rows(page)).to_have_count(50)
    assert requests_after_the_clock_moves(page, seen) == ["/healthz"], "nothing in flight: no more polls"

    page.get_by_role("link", name="Older →").click()
    expect(page).to_have_url(re.compile(r"/documents\?cursor="))
    expect(rows(page).first.get_by_role("link")).to_have_text("doc-0949.txt")
    expect(rows(page).last.get_by_role("link")).to_have_text("doc-0900.txt")
    assert requests_after_the_clock_moves(page, seen) == ["/healthz"]

    page.get_by_role("link", name="← Newer").click()
    expect(rows(page).first.get_by_role("link")).to_have_text("doc-0999.txt")
    expect(page.get_by_role("link", name="← Newer")).to_have_count(0)

    filters = page.get_by_role("navigation", name="Filter by status")
    expect(filters.get_by_role("link", name="failed")).to_have_text(re.compile(r"failed\s+100"))
    filters.get_by_role("link", name="failed").click()
    expect(page).to_have_url(re.compile(r"/documents\?status=failed$"))
    expect(page.locator("#documents .status")).to_have_text(["failed"] * 50)
    expect(filters.get_by_role("link", name="failed")).to_have_attribute("aria-current", "page")
    page.get_by_role("link", name="Older →").click()
    expect(page).to_have_url(re.compile(r"/documents\?status=failed&cursor="))
    expect(page.locator("#documents .status")).to_have_text(["failed"] * 50)
    expect(page.get_by_role("link", name="Older →")).to_have_count(0)
