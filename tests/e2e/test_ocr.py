"""OCR against the real Inngest dev server: a scan read a few pages a step, found by search on its page, a worker
killed mid-scan redoing only the batch in flight, and a user's small document processed while their scan runs."""

from __future__ import annotations

import re
from typing import Any

from tests.e2e.conftest import running_stack
from tests.support.polling import wait_until
from tests.support.s3_gate import DownloadGate, gated_s3
from tests.support.sample_documents import text_document
from tests.support.scans import png, rasterised_page, scanned_pdf, strips

DPI = 200


def a_word_of(text: str) -> str:
    """A long word of `text`, one search will find in it alone."""
    words: list[str] = re.findall(r"[A-Za-z]{6,}", text)
    return max(words, key=len)


def found_on(client: Any, word: str, name: str) -> list[list[int]]:
    results = client.get("/api/search", params={"q": word}).json()["results"]
    return [result["pages"] for result in results if result["documentName"] == name]


def wait_for_downloads(gate: DownloadGate, count: int, step: str) -> None:
    wait_until(lambda: gate.downloads_waiting == count, f"{step} to start downloading the scan", timeout=120)


def test_a_scanned_png_is_processed_and_its_words_are_found_on_its_page(stack):
    client = stack.user("scan-png@example.com")
    [strip] = strips(rasterised_page(DPI), 6)[:1]
    stack.upload(client, "strip.png", png(strip))
    assert client.post("/api/route", json={"documentName": "strip.png"}).status_code == 200

    document = stack.settled(client, "strip.png", "processed", "failed", timeout=120)
    assert document["status"] == "processed", document["error"]
    assert document["failedPages"] == []
    chunks = client.get("/api/documents/strip.png/chunks").json()["chunks"]
    assert chunks
    assert all(chunk["ocr"] is True and chunk["pages"] == [1, 1] for chunk in chunks)
    found = found_on(client, a_word_of(chunks[0]["text"]), "strip.png")
    assert found
    assert all(pages == [1, 1] for pages in found)


def test_a_worker_killed_mid_scan_redoes_only_the_batch_in_flight_while_a_small_document_goes_by(s3_endpoint, tmp_path):
    pages = strips(rasterised_page(DPI), 5)
    with (
        gated_s3(s3_endpoint) as (gated_endpoint, gate),
        running_stack(s3_endpoint, tmp_path, overrides={"AWS_ENDPOINT_URL": gated_endpoint, "OCR_DPI": DPI}) as stack,
    ):
        client = stack.user("scanner@example.com")
        stack.upload(client, "scan.pdf", scanned_pdf(pages, DPI))
        stack.upload(client, "note.txt", text_document())
        key = stack.key_of(client, "scan.pdf")
        # Every download of the scan waits at the gate until let through: extract-and-store's, then
        # ocr-pages-1-4's; ocr-pages-5-5's is held. A step's next download comes a trip through the server's
        # queue after the one let through, long after the gate closes again.
        gate.hold(stack.bucket, key)
        [event_id] = client.post("/api/route", json={"documentName": "scan.pdf"}).json()["eventIds"]
        for step, arrived in (("extract-and-store", 1), ("ocr-pages-1-4", 2)):
            wait_for_downloads(gate, arrived, step)
            gate.release()
            gate.hold(stack.bucket, key)
        wait_for_downloads(gate, 3, "ocr-pages-5-5")
        scanning = client.get("/api/documents/scan.pdf").json()["document"]
        assert scanning["status"] == "processing"
        assert scanning["progress"] == {"pagesDone": 4, "pagesTotal": 5}

        # The same user's one-page text is processed while the scan holds its run.
        client.post("/api/route", json={"documentName": "note.txt"})
        assert stack.settled(client, "note.txt", "processed", timeout=120)["status"] == "processed"

        [run] = wait_until(lambda: stack.server.runs_of(event_id), "the server to list the scan's run")
        wait_until(lambda: stack.server.call_in_flight(run["run_id"]), "the server's trace to show the call running")
        stack.app.kill()  # SIGKILL to gunicorn and every worker, mid-batch
        gate.release()
        stack.app.start()

        document = stack.settled(client, "scan.pdf", "processed", "failed", timeout=180)
        assert document["status"] == "processed", document["error"]
        assert document["progress"] is None
        run = stack.server.finished_run(event_id, timeout=120)
        steps = {step["name"]: step for step in stack.server.steps_of(run["run_id"])}
        assert [name for name in steps if name.startswith(("ocr-pages", "store"))] == [
            "ocr-pages-1-4",
            "ocr-pages-5-5",
            "store-ocr-text",
        ]
        # The server's trace: the finished batch ran once, the one the kill cut off ran again.
        assert steps["ocr-pages-1-4"]["attempts"] == 0
        assert steps["ocr-pages-5-5"]["attempts"] >= 1
        chunks = client.get("/api/documents/scan.pdf/chunks", params={"limit": 200}).json()["chunks"]
        assert all(chunk["ocr"] for chunk in chunks)
        last_page = [chunk for chunk in chunks if chunk["pages"] == [5, 5]]
        assert last_page
        assert [5, 5] in found_on(client, a_word_of(last_page[0]["text"]), "scan.pdf")
