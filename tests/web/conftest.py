"""A real browser (Debian's chromium, driven by Playwright) against the app under gunicorn and S3 in moto.

Playwright never downloads a browser here: it launches /usr/bin/chromium. Without it the
browser tests skip with a one-line reason, unless CI=true, where they fail.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import Browser, ConsoleMessage, Page, expect, sync_playwright

from tests.conftest import build_app, create_user
from tests.support.app_server import REPOSITORY, AppServer, app_server

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = REPOSITORY / "test-artifacts" / "screenshots"
EMAIL = "ada@example.com"
# How long an `expect` waits for the page to reach the state it names. Playwright's 5 s ran out on a
# loaded 2-core machine while two files went to S3 and were handed to processing (a soak run); a
# state that never comes still fails, only later.
expect.set_options(timeout=30_000)
EXPECTED_REFUSAL = re.compile(r"Failed to load resource: the server responded with a status of 40[01] ")


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but {CHROMIUM} is missing: apt-get install chromium (make test does)", pytrace=False)
        pytest.skip(f"no {CHROMIUM}: apt-get install chromium (make test does it as root)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM))
        yield launched
        launched.close()


@dataclass
class WebStack:
    server: AppServer
    database: Flask
    user_id: int
    bucket: str


@pytest.fixture
def web_stack(settings_overrides: dict[str, Any], s3: Any, bucket: str) -> Iterator[WebStack]:
    database = build_app(settings_overrides)
    user_id = create_user(database, EMAIL)
    with app_server(settings_overrides, workers=1, threads=8) as server:
        # Real S3 needs this for a browser to post to it (moto answers CORS for any origin anyway).
        s3.put_bucket_cors(
            Bucket=bucket,
            CORSConfiguration={
                "CORSRules": [
                    {
                        "AllowedOrigins": [server.url],
                        "AllowedMethods": ["POST"],
                        "AllowedHeaders": ["*"],
                        "MaxAgeSeconds": 300,
                    }
                ]
            },
        )
        yield WebStack(server, database, user_id, bucket)


@contextmanager
def watched_page(browser: Browser) -> Iterator[Page]:
    """A page in a fresh browser context; any console error (a CSP violation, a failed script) fails the test.

    Close it before the server it talks to stops: the documents page polls, and a poll cut off by
    the server's stop is logged as ERR_CONNECTION_RESET.
    """
    context = browser.new_context(viewport={"width": 1100, "height": 800})
    opened = context.new_page()
    problems: list[str] = []

    def note(message: ConsoleMessage) -> None:
        # Refusals the tests provoke (a wrong password, a type we cannot read) are logged as failed loads.
        if message.type == "error" and not EXPECTED_REFUSAL.match(message.text):
            problems.append(message.text)

    opened.on("console", note)
    opened.on("pageerror", lambda error: problems.append(str(error)))
    try:
        yield opened
    finally:
        context.close()
    assert problems == [], "the browser reported errors"


@pytest.fixture
def page(browser: Browser, web_stack: WebStack) -> Iterator[Page]:
    """A watched page on web_stack's server, closed before that server stops."""
    with watched_page(browser) as opened:
        yield opened


def tab_to(page: Page, element_id: str, presses: int = 10) -> bool:
    """Press Tab until the element with that id has the focus; whether it got there, as a keyboard user would."""
    for _ in range(presses):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == element_id:
            return True
    return False


def screenshot(page: Page, name: str, *, full_page: bool = True) -> Path:
    """The page as a person sees it, whole or (`full_page=False`) as far as the window shows."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


def choose_files(page: Page, files: object) -> None:
    """Choose `files` in the upload form once the page's script is listening for them (it marks the drop
    zone ready): a file chosen before then is never uploaded."""
    expect(page.locator("#drop-zone[data-ready=true]")).to_be_attached()
    page.get_by_label("Choose files…").set_input_files(files)  # type: ignore[arg-type]
