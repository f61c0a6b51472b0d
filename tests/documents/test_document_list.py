"""GET /api/documents a page at a time: keyset paging both ways, sorts, status and folder filters, counts per
status, what changed since a time, and a 400 that says what to send for every bad parameter."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest

from tests.conftest import AuthActions
from tests.support.document_rows import add_documents, touch
from tests.support.postgres import on_both_databases


def names(answer):
    return [document["name"] for document in answer["documents"]]


def listed(client, **parameters):
    response = client.get(f"/api/documents?{urlencode(parameters)}")
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def every_page(client, **parameters):
    """Each page's names, following nextCursor from the first page to the last."""
    pages = [listed(client, **parameters)]
    while pages[-1]["nextCursor"]:
        pages.append(listed(client, **parameters, cursor=pages[-1]["nextCursor"]))
    return pages


@pytest.fixture
def alice(app, auth):
    auth.login()
    return auth.user_id


@on_both_databases
def test_the_first_page_is_the_fifty_newest_and_older_pages_follow_without_gaps(app, client, alice):
    all_names = [f"doc-{number:03}.txt" for number in range(120)]
    add_documents(app, alice, all_names)
    pages = every_page(client)
    assert [len(page["documents"]) for page in pages] == [50, 50, 20]
    assert [name for page in pages for name in names(page)] == all_names[::-1]
    assert pages[0]["previousCursor"] is None
    assert pages[-1]["nextCursor"] is None
    assert pages[0]["total"] == 120


@on_both_databases
def test_newer_goes_back_to_the_page_before(app, client, alice):
    add_documents(app, alice, [f"doc-{number:03}.txt" for number in range(25)])
    first = listed(client, limit=10)
    second = listed(client, limit=10, cursor=first["nextCursor"])
    third = listed(client, limit=10, cursor=second["nextCursor"])
    back = listed(client, limit=10, cursor=third["previousCursor"])
    assert names(back) == names(second)
    newest = listed(client, limit=10, cursor=back["previousCursor"])
    assert names(newest) == names(first)
    assert newest["previousCursor"] is None
    assert newest["nextCursor"] is not None


def test_a_document_added_while_paging_neither_repeats_nor_hides_a_row(app, client, alice):
    add_documents(app, alice, [f"doc-{number:02}.txt" for number in range(10)])
    first = listed(client, limit=5)
    client.post("/api/route", json={"documentName": "arrived-meanwhile.txt"})
    second = listed(client, limit=5, cursor=first["nextCursor"])
    assert names(first) + names(second) == [f"doc-{number:02}.txt" for number in range(9, -1, -1)]
    assert names(listed(client, limit=5, cursor=second["previousCursor"])) == names(first)


@on_both_databases
def test_each_sort_orders_every_page(app, client, alice):
    add_documents(app, alice, ["b.txt", "c.txt", "a.txt"])
    for sort, expected in [
        ("name", ["a.txt", "b.txt", "c.txt"]),
        ("-name", ["c.txt", "b.txt", "a.txt"]),
        ("created", ["b.txt", "c.txt", "a.txt"]),
        ("-created", ["a.txt", "c.txt", "b.txt"]),
    ]:
        assert [name for page in every_page(client, sort=sort, limit=1) for name in names(page)] == expected, sort


@on_both_databases
def test_sort_by_updated_puts_the_latest_change_first(app, client, alice):
    add_documents(app, alice, ["a.txt", "b.txt", "c.txt"])
    touch(app, alice, ["a.txt"], "failed")
    assert names(listed(client, sort="-updated")) == ["a.txt", "c.txt", "b.txt"]


@on_both_databases
def test_status_filters_and_counts_cover_every_status(app, client, alice):
    statuses = ["processed", "failed", "processing", "queued"]
    add_documents(app, alice, [f"doc-{number}.txt" for number in range(8)], statuses=statuses)
    failed = listed(client, status="failed")
    assert names(failed) == ["doc-5.txt", "doc-1.txt"]
    assert failed["counts"] == {"queued": 2, "processing": 2, "processed": 2, "unchanged": 0, "failed": 2, "trashed": 0}
    assert failed["total"] == 8
    in_flight = listed(client, status="queued,processing")
    assert names(in_flight) == ["doc-7.txt", "doc-6.txt", "doc-3.txt", "doc-2.txt"]


def test_a_status_filter_pages_too(app, client, alice):
    add_documents(app, alice, [f"doc-{number:02}.txt" for number in range(30)], statuses=["failed", "processed"])
    pages = every_page(client, status="failed", limit=4)
    shown = [name for page in pages for name in names(page)]
    assert shown == [f"doc-{number:02}.txt" for number in range(28, -1, -2)]


@on_both_databases
def test_prefix_is_a_folder_taken_literally(app, client, alice):
    add_documents(
        app, alice, ["reports/q1.pdf", "reports/2026/q2.pdf", "Reports/upper.pdf", "reportsX.pdf", "a_b/1.txt",
                     "axb/2.txt", "100%/3.txt", "1000/4.txt", "notes.txt"],
    )  # fmt: skip
    assert names(listed(client, prefix="reports/")) == ["reports/2026/q2.pdf", "reports/q1.pdf"]
    assert names(listed(client, prefix="a_b/")) == ["a_b/1.txt"]
    assert names(listed(client, prefix="100%/")) == ["100%/3.txt"]
    assert listed(client, prefix="reports/")["counts"]["processed"] == 2


def test_another_users_documents_are_neither_listed_nor_counted(app, client, alice, event_api):
    add_documents(app, alice, ["alice.txt"])
    bob_client = app.test_client()
    AuthActions(app, bob_client).login("bob@example.com")
    answer = listed(bob_client)
    assert answer["documents"] == []
    assert answer["total"] == 0


@on_both_databases
def test_updated_since_gives_only_what_changed_after_the_last_answer(app, client, alice):
    add_documents(app, alice, [f"doc-{number}.txt" for number in range(10)], statuses=["processing"])
    first = listed(client)
    assert first["nextUpdatedSince"].endswith("+00:00")
    touch(app, alice, ["doc-2.txt", "doc-7.txt"], "processed")
    changed = listed(client, updatedSince=first["nextUpdatedSince"])
    assert names(changed) == ["doc-7.txt", "doc-2.txt"]
    assert [document["status"] for document in changed["documents"]] == ["processed", "processed"]
    assert changed["counts"]["processed"] == 2


def test_updated_since_takes_any_offset_and_a_plus_sent_unencoded(app, client, alice):
    add_documents(app, alice, ["old.txt"])
    touch(app, alice, ["old.txt"], "failed")
    for since in ["2000-01-01T02:00:00+02:00", "2000-01-01T00:00:00Z"]:
        assert names(listed(client, updatedSince=since)) == ["old.txt"]
    assert names(client.get("/api/documents?updatedSince=2999-01-01T00:00:00+00:00").get_json()) == []


@on_both_databases
def test_a_bad_parameter_is_a_400_json_error_saying_what_to_send(client, alice):
    response = client.get("/api/documents?limit=500")
    assert response.status_code == 400
    assert response.get_json()["error"] == "limit must be a whole number from 1 to 200"


def test_a_cursor_for_another_sort_is_a_400_naming_both(app, client, alice):
    add_documents(app, alice, ["a.txt", "b.txt"])
    cursor = listed(client, limit=1, sort="name")["nextCursor"]
    response = client.get(f"/api/documents?{urlencode({'cursor': cursor})}")
    assert response.status_code == 400
    assert response.get_json()["error"] == (
        "cursor was given for sort='name', not '-created'; send the same sort with it"
    )


@on_both_databases
def test_a_thousand_documents_are_listed_a_page_at_a_time_and_polled_for_changes_only(app, client, alice):
    all_names = [f"folder/doc-{number:04}.txt" for number in range(1000)]
    add_documents(app, alice, all_names, statuses=["processed", "processing"])
    first = listed(client)
    assert len(first["documents"]) == 50
    assert first["counts"]["processing"] == 500
    pages = every_page(client, limit=200)
    assert [len(page["documents"]) for page in pages] == [200] * 5
    assert sorted(name for page in pages for name in names(page)) == all_names

    assert listed(client, updatedSince=first["nextUpdatedSince"])["documents"] == []
    touch(app, alice, ["folder/doc-0001.txt", "folder/doc-0999.txt"], "processed")
    changed = listed(client, updatedSince=first["nextUpdatedSince"])
    assert names(changed) == ["folder/doc-0999.txt", "folder/doc-0001.txt"]
    assert changed["nextCursor"] is None
    assert changed["counts"]["processing"] == 498


def test_newer_from_near_the_top_is_the_whole_first_page(app, client, alice):
    add_documents(app, alice, [f"doc-{number:02}.txt" for number in range(10)])
    first = listed(client, limit=4)
    one_further = listed(client, limit=4, cursor=listed(client, limit=1)["nextCursor"])
    newer = listed(client, limit=4, cursor=one_further["previousCursor"])
    assert names(newer) == names(first)
    assert newer["previousCursor"] is None
