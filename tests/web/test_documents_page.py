"""The documents page without a script: its rows, Older/Newer links and status filter are rendered by the server."""

from __future__ import annotations

import re
from html import unescape

from tests.conftest import create_user
from tests.support.document_rows import add_documents
from tests.web.test_pages import sign_in

LINK = re.compile(r'<a class="button secondary" rel="(prev|next)"\s+href="([^"]+)"')
ROW = re.compile(r'<tr data-name="([^"]+)"')


def rendered(client, path):
    response = client.get(path)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    return ROW.findall(html), {rel: unescape(href) for rel, href in LINK.findall(html)}, html


def test_the_page_pages_and_filters_with_links_alone(app, client):
    user_id = create_user(app, "alice@example.com")
    add_documents(app, user_id, [f"doc-{number:03}.txt" for number in range(120)], statuses=["processed", "failed"])
    sign_in(client)
    first, links, html = rendered(client, "/documents")
    assert first == [f"doc-{number:03}.txt" for number in range(119, 69, -1)]
    assert set(links) == {"next"}
    assert '<span class="count" data-count="failed">60</span>' in html

    second, links, _ = rendered(client, links["next"])
    assert second == [f"doc-{number:03}.txt" for number in range(69, 19, -1)]
    assert rendered(client, links["prev"])[0] == first

    failed, links, html = rendered(client, "/documents?status=failed")
    assert failed == [f"doc-{number:03}.txt" for number in range(119, 19, -2)]
    assert 'href="/documents?status=failed" aria-current="page"' in html
    assert "status=failed" in links["next"]


def test_a_bad_filter_in_the_address_is_a_400_page_saying_why(app, client):
    create_user(app, "alice@example.com")
    sign_in(client)
    response = client.get("/documents?status=done")
    assert response.status_code == 400
    assert "is not one a document can have" in unescape(response.get_data(as_text=True))
