"""In a real browser, with the real Inngest dev server: a dropped file goes queued → processing → processed,
and the document page's link opens that run in the dev server's UI."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, expect

from tests.conftest import PASSWORD
from tests.e2e.conftest import running_stack
from tests.support.sample_documents import MARKER, pdf_document
from tests.web.conftest import SCREENSHOTS, choose_files, screenshot, watched_page


def test_a_dropped_file_is_followed_to_processed_and_its_run_opens_in_the_dev_server(
    browser: Browser, s3, s3_endpoint, tmp_path
):
    with running_stack(s3_endpoint, tmp_path) as stack, watched_page(browser) as page:
        s3.put_bucket_cors(
            Bucket=stack.bucket,
            CORSConfiguration={"CORSRules": [{"AllowedOrigins": [stack.app.url], "AllowedMethods": ["POST"],
                                              "AllowedHeaders": ["*"]}]},
        )  # fmt: skip
        stack.user("grace@example.com")
        page.goto(f"{stack.app.url}/sign-in")
        page.get_by_label("Email").fill("grace@example.com")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("heading", name="My documents")).to_be_visible()

        choose_files(page, {"name": "report.pdf", "mimeType": "application/pdf", "buffer": pdf_document()})
        row = page.get_by_role("table").get_by_role("row").filter(has=page.get_by_role("link", name="report.pdf"))
        expect(row.locator(".status")).to_have_text("processed", timeout=60_000)
        screenshot(page, "documents-processed")

        page.get_by_role("link", name="report.pdf", exact=True).click()
        expect(page.locator("#status")).to_have_text("processed")
        expect(page.get_by_text(MARKER).first).to_be_visible()
        screenshot(page, "document-processed")

        run_link = page.get_by_role("link", name="open in the Inngest dev server")
        expect(run_link).to_have_attribute("href", re.compile(rf"^{re.escape(stack.server.url)}/run\?runID=\w+$"))
        # The dev server's own UI, in a page of its own: it asks the internet for fonts and the like,
        # which these machines refuse, so its console is not ours to check.
        dev_server_ui = browser.new_page(viewport={"width": 1400, "height": 900})
        dev_server_ui.goto(str(run_link.get_attribute("href")))
        expect(dev_server_ui.get_by_text("Process document", exact=True).first).to_be_visible(timeout=30_000)
        expect(dev_server_ui.get_by_text("Completed").first).to_be_visible(timeout=30_000)
        expect(dev_server_ui.get_by_text("extract-and-store").first).to_be_visible()
        dev_server_ui.screenshot(path=str(SCREENSHOTS / "dev-server-run.png"))  # the one in docs/
        dev_server_ui.close()
