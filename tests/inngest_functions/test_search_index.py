"""The search index stays exactly in step with the chunks through real runs: processed, re-processed with
new content, unchanged, and failed. On SQLite and on PostgreSQL."""

from __future__ import annotations

from tests.documents.test_search import assert_index_matches_chunks, search
from tests.support.inngest_executor import PROCESS_DOCUMENT, execute
from tests.support.postgres import on_both_databases

pytestmark = on_both_databases


def test_runs_keep_the_index_matching_the_chunks(app, client, submit, s3, bucket):
    first = submit("notes.txt", b"The zebra crossing is closed on Mondays. " * 20)
    assert execute(client, PROCESS_DOCUMENT, first.event).output["status"] == "processed"
    assert search(client, "zebra").get_json()["results"]
    assert_index_matches_chunks(app)

    again = submit("notes.txt", b"The giraffe enclosure opens at nine. " * 20)
    assert execute(client, PROCESS_DOCUMENT, again.event).output["status"] == "processed"
    assert search(client, "zebra").get_json()["results"] == []
    assert search(client, "giraffe").get_json()["results"]
    assert_index_matches_chunks(app)

    unchanged = submit("notes.txt", None)
    assert execute(client, PROCESS_DOCUMENT, unchanged.event).output["status"] == "unchanged"
    assert_index_matches_chunks(app)

    s3.put_object(Bucket=bucket, Key=first.key, Body=b"%PDF-1.7 not a text file any more")
    failing = submit("broken.pdf", b"%PDF-1.7 broken")
    assert execute(client, PROCESS_DOCUMENT, failing.event).no_retry
    assert search(client, "giraffe").get_json()["results"]
    assert_index_matches_chunks(app)
