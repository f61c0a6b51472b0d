"""The API docs page in Chromium: Swagger UI, from this app's own files and within its CSP, renders every operation."""

from __future__ import annotations

import json

from playwright.sync_api import Page, expect

from tests.support.app_server import REPOSITORY
from tests.web.conftest import WebStack, screenshot

DOCS_SCREENSHOT = REPOSITORY / "docs" / "screenshot-api-docs.png"


def test_the_docs_page_renders_every_operation_of_the_description(page: Page, web_stack: WebStack):
    description = json.loads((REPOSITORY / "docs" / "openapi.json").read_text())
    operations = sum(len(methods) for methods in description["paths"].values())

    page.goto(f"{web_stack.server.url}/api/docs")

    # The page's script marks the root once Swagger UI has rendered the description.
    expect(page.locator("#swagger-ui[data-rendered=true]")).to_be_attached()
    expect(page.get_by_role("heading", name="Document processing API")).to_be_visible()
    expect(page.locator("#swagger-ui .opblock").first).to_be_visible()
    assert page.locator("#swagger-ui .opblock").count() >= operations
    screenshot(page, "api-docs")
    page.screenshot(path=str(DOCS_SCREENSHOT))
