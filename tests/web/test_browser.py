"""A person in a real browser: signs in, uploads with the file picker, watches the list, opens a document, signs out."""

from __future__ import annotations

import re

from playwright.sync_api import FilePayload, Page, expect

from documents.models import Document, DocumentPage, DocumentStatus
from extensions import db
from tests.conftest import PASSWORD
from tests.support.sample_documents import docx_document, pdf_document
from tests.web.conftest import EMAIL, WebStack, choose_files, screenshot, tab_to

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def sign_in(page: Page, stack: WebStack, password: str = PASSWORD) -> None:
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_a_person_uploads_two_documents_sees_them_listed_opens_one_and_signs_out(page: Page, web_stack: WebStack, s3):
    page.goto(web_stack.server.url)
    expect(page).to_have_url(re.compile(r"/sign-in$"))
    screenshot(page, "sign-in")
    sign_in(page, web_stack)
    expect(page).to_have_url(re.compile(r"/documents$"))
    expect(page.get_by_role("heading", name="My documents")).to_be_visible()
    expect(page.get_by_text("No documents yet")).to_be_visible()
    screenshot(page, "documents-empty")

    pdf, docx = pdf_document(), docx_document()
    files: list[FilePayload] = [
        {"name": "notes.pdf", "mimeType": "application/pdf", "buffer": pdf},
        {"name": "notes.docx", "mimeType": DOCX, "buffer": docx},
    ]
    choose_files(page, files)
    uploads = page.get_by_role("list", name="Uploads in progress")
    expect(uploads.locator(".upload.done")).to_have_count(2)
    table = page.get_by_role("table")
    for name in ["notes.pdf", "notes.docx"]:
        row = table.get_by_role("row").filter(has=page.get_by_role("link", name=name, exact=True))
        expect(row.locator(".status")).to_have_text("queued")
    screenshot(page, "documents")

    for name, content, content_type in [("notes.pdf", pdf, "application/pdf"), ("notes.docx", docx, DOCX)]:
        stored = s3.get_object(Bucket=web_stack.bucket, Key=f"users/{web_stack.user_id}/{name}")
        assert stored["Body"].read() == content
        assert stored["ContentType"] == content_type
    with web_stack.database.app_context():
        names = set(db.session.scalars(db.select(Document.name).where(Document.user_id == web_stack.user_id)))
    assert names == {"notes.pdf", "notes.docx"}

    page.get_by_role("link", name="notes.pdf", exact=True).click()
    expect(page.get_by_role("heading", name="notes.pdf")).to_be_visible()
    expect(page.locator("#status")).to_have_text("queued")
    screenshot(page, "document-queued")

    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/sign-in$"))
    page.goto(f"{web_stack.server.url}/documents")
    expect(page).to_have_url(re.compile(r"/sign-in\?next=/documents$"))


def test_a_failed_document_shows_why_in_the_list_and_on_its_page(page: Page, web_stack: WebStack):
    reason = "files of type '.exe' are not supported; use one of .docx, .pdf, .txt"
    with web_stack.database.app_context():
        db.session.add(
            Document(
                user_id=web_stack.user_id,
                name="setup.exe",
                s3_bucket=web_stack.bucket,
                s3_key=f"users/{web_stack.user_id}/setup.exe",
                status=DocumentStatus.FAILED.value,
                error=reason,
                size_bytes=48213,
                run_id="01JRUNEXAMPLE",
            )
        )
        db.session.commit()
    page.goto(f"{web_stack.server.url}/documents/setup.exe")
    sign_in(page, web_stack)
    expect(page).to_have_url(re.compile(r"/documents/setup.exe$"))
    expect(page.get_by_role("alert")).to_contain_text(reason)
    expect(page.locator("#status")).to_have_text("failed")
    screenshot(page, "document-failed")
    page.get_by_role("link", name="← My documents").click()
    expect(page.locator(".reason")).to_have_text(reason)


def test_a_file_of_a_type_we_cannot_read_is_refused_before_it_is_uploaded(page: Page, web_stack: WebStack, s3):
    page.goto(f"{web_stack.server.url}/sign-in")
    sign_in(page, web_stack)
    choose_files(page, {"name": "tool.exe", "mimeType": "application/octet-stream", "buffer": b"MZ not a document"})
    expect(page.locator(".upload.failed")).to_contain_text("files of type '.exe' are not supported")
    assert s3.list_objects_v2(Bucket=web_stack.bucket).get("KeyCount") == 0


def test_the_file_picker_is_reachable_from_the_keyboard(page: Page, web_stack: WebStack):
    page.goto(f"{web_stack.server.url}/sign-in")
    sign_in(page, web_stack)
    expect(page.get_by_role("heading", name="My documents")).to_be_visible()
    assert tab_to(page, "file-input")
    outline = page.locator("label[for=file-input]").evaluate("element => getComputedStyle(element).outlineStyle")
    assert outline == "solid"


def test_wrong_password_is_shown_on_the_form(page: Page, web_stack: WebStack):
    page.goto(f"{web_stack.server.url}/sign-in")
    sign_in(page, web_stack, password="not the password")
    expect(page.get_by_role("alert")).to_have_text("Email or password is wrong.")
    expect(page.get_by_label("Email")).to_have_value(EMAIL)
    screenshot(page, "sign-in-wrong-password")


def test_documents_page_fits_a_phone(browser, web_stack: WebStack):
    context = browser.new_context(viewport={"width": 375, "height": 740}, device_scale_factor=2)
    page = context.new_page()
    with web_stack.database.app_context():
        for name, status, error in [
            ("reports/2026/q1-results.pdf", "processed", None),
            ("notes.docx", "processing", None),
            ("scan.pdf", "failed", "no text could be extracted (a scanned PDF needs OCR first)"),
        ]:
            db.session.add(
                Document(
                    user_id=web_stack.user_id, name=name, s3_bucket=web_stack.bucket, s3_key=f"k/{name}",
                    status=status, error=error, size_bytes=120_000, chunk_count=12 if status == "processed" else 0,
                )
            )  # fmt: skip
        db.session.commit()
    page.goto(f"{web_stack.server.url}/sign-in")
    sign_in(page, web_stack)
    expect(page.get_by_role("link", name="scan.pdf")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    screenshot(page, "documents-phone")
    wide = browser.new_context(viewport={"width": 1000, "height": 640}, storage_state=context.storage_state())
    context.close()
    page = wide.new_page()
    page.goto(f"{web_stack.server.url}/documents")
    expect(page.get_by_role("link", name="scan.pdf")).to_be_visible()
    screenshot(page, "documents-statuses")
    wide.close()


def test_a_scan_being_read_shows_a_bar_of_its_pages_on_the_list_and_its_page(page: Page, web_stack: WebStack):
    with web_stack.database.app_context():
        scan = Document(user_id=web_stack.user_id, name="archive/scan-1998.pdf", s3_bucket=web_stack.bucket,
                        s3_key="k/scan-1998.pdf", status=DocumentStatus.PROCESSING.value, size_bytes=9_400_000,
                        ocr_pages_total=40)  # fmt: skip
        db.session.add(scan)
        db.session.add(Document(user_id=web_stack.user_id, name="letter.txt", s3_bucket=web_stack.bucket,
                                s3_key="k/letter.txt", status=DocumentStatus.PROCESSED.value, size_bytes=2_100,
                                chunk_count=2))  # fmt: skip
        db.session.flush()
        db.session.add_all(
            DocumentPage(document_id=scan.id, page=page_number, content_hash="h", text="read")
            for page_number in range(1, 13)
        )
        db.session.commit()
    page.goto(f"{web_stack.server.url}/sign-in")
    sign_in(page, web_stack)
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name="archive/scan-1998.pdf"))
    bar = row.get_by_role("progressbar", name="Pages read by OCR")
    expect(bar).to_have_attribute("value", "12")
    expect(bar).to_have_attribute("max", "40")
    expect(row.get_by_text("OCR: 12 of 40 pages")).to_be_visible()
    screenshot(page, "documents-ocr-progress")

    row.get_by_role("link", name="archive/scan-1998.pdf").click()
    expect(page.get_by_role("progressbar", name="Pages read by OCR")).to_have_attribute("value", "12")
    expect(page.get_by_text("OCR: 12 of 40 pages read")).to_be_visible()
    screenshot(page, "document-ocr-progress")
