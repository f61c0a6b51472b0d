"""A person in Chromium makes an API token on the Tokens page, a script uses it, the person revokes it,
then sets a webhook, rolls its secret and removes it."""

from __future__ import annotations

import re

import httpx
from playwright.sync_api import Page, expect

from tests.web.conftest import WebStack, screenshot
from tests.web.test_browser import sign_in


def test_a_person_manages_a_token_a_script_uses_and_a_webhook(page: Page, web_stack: WebStack):
    page.goto(web_stack.server.url)
    sign_in(page, web_stack)
    page.get_by_role("link", name="Tokens").click()
    expect(page.get_by_role("heading", name="Tokens and webhook")).to_be_visible()
    expect(page.get_by_text("No tokens yet.")).to_be_visible()

    page.get_by_label("Name").fill("nightly backup")
    page.get_by_label("Expires in days").fill("7")
    page.get_by_role("button", name="Create token").click()
    secret_box = page.get_by_role("textbox", name="New token")
    expect(secret_box).to_have_value(re.compile(r"^dsk_[A-Za-z0-9_-]{43}$"))
    secret = secret_box.input_value()
    expect(page.get_by_role("table").get_by_role("cell", name="nightly backup", exact=True)).to_be_visible()
    screenshot(page, "tokens-created")

    script = {"Authorization": f"Bearer {secret}"}
    assert httpx.get(f"{web_stack.server.url}/api/documents", headers=script).status_code == 200

    page.goto(f"{web_stack.server.url}/tokens")
    expect(page.get_by_role("textbox", name="New token")).to_have_count(0)
    page.get_by_role("button", name="Revoke nightly backup").click()
    expect(page.get_by_text("No tokens yet.")).to_be_visible()
    assert httpx.get(f"{web_stack.server.url}/api/documents", headers=script).status_code == 401

    # One browser session for the webhook section too: each stack costs seconds to start.
    page.get_by_label("Webhook URL").fill("https://hooks.example.com/documents")
    page.get_by_role("button", name="Set webhook").click()
    expect(page.get_by_role("textbox", name="Signing secret")).to_have_value(re.compile(r"^whsec_"))
    expect(page.get_by_text("Nothing sent yet.")).to_be_visible()
    screenshot(page, "webhook-set")
    page.get_by_role("button", name="Roll secret").click()
    expect(page.get_by_role("textbox", name="Signing secret")).to_have_value(re.compile(r"^whsec_"))
    page.get_by_role("button", name="Remove webhook").click()
    expect(page.get_by_role("button", name="Set webhook")).to_be_visible()
