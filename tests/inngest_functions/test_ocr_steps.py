"""A scan's run: read four pages a step, each step storing its pages and returning counts, a step run again
reading none of its pages twice, and a scan over OCR_MAX_PAGES refused at once."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from documents.models import Chunk, DocumentPage
from extensions import db
from processing.ocr.engine import PageReader, PageReading
from processing.readers.image import DAMAGED_IMAGE, MAX_IMAGE_PIXELS
from tests.support.inngest_executor import PROCESS_DOCUMENT, execute
from tests.support.scans import rasterised_page, strips

MAX_PAGES = 5


@pytest.fixture
def settings_overrides(settings_overrides):
    return {**settings_overrides, "OCR_MAX_PAGES": MAX_PAGES}


def tiff(frames: list[Image.Image]) -> bytes:
    buffer = io.BytesIO()
    frames[0].save(buffer, "TIFF", save_all=True, append_images=frames[1:])
    return buffer.getvalue()


@pytest.fixture(scope="module")
def five_lines_of_text() -> bytes:
    """Five pages, each a strip of a few lines of a corpus page as poppler renders it at 150 dpi."""
    return tiff(strips(rasterised_page(150), 10)[:MAX_PAGES])


def test_a_scan_is_read_four_pages_a_step_and_each_step_returns_only_counts(
    app, client, submit, stored, five_lines_of_text
):
    run = execute(client, PROCESS_DOCUMENT, submit("scan.tiff", five_lines_of_text).event)

    assert run.output["status"] == "processed"
    assert run.step_names == ["check-object", "extract-and-store", "ocr-pages-1-4", "ocr-pages-5-5", "store-ocr-text"]
    outputs = [step["data"] for step in run.steps.values()]
    assert outputs[1] == {"ocrPages": [1, 2, 3, 4, 5], "pageCount": 5}
    assert outputs[2:4] == [{"pagesRead": 4, "pagesFailed": 0}, {"pagesRead": 1, "pagesFailed": 0}]
    document, texts = stored("scan.tiff")
    assert document["chunkCount"] == len(texts) > 0
    with app.app_context():
        chunks = db.session.scalars(db.select(Chunk).order_by(Chunk.position)).all()
        assert all(chunk.ocr for chunk in chunks)
        assert {chunk.page_first for chunk in chunks} == {1, 2, 3, 4, 5}
        # The page texts went with the transaction that stored the chunks.
        assert db.session.scalars(db.select(DocumentPage)).all() == []


def test_a_batch_run_again_reads_none_of_the_pages_it_already_stored(
    app, client, submit, five_lines_of_text, monkeypatch
):
    submission = submit("scan.tiff", five_lines_of_text)
    run = execute(client, PROCESS_DOCUMENT, submission.event, stop_after_steps=3)
    assert run.step_names[-1] == "ocr-pages-1-4"
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(DocumentPage)) == 4
    progress = client.get("/api/documents/scan.tiff").get_json()["document"]["progress"]
    assert progress == {"pagesDone": 4, "pagesTotal": 5}

    # The executor loses ocr-pages-1-4's answer (its worker died as it replied) and calls the step again.
    read: list[int] = []
    real_read = PageReader.read

    def counted_read(reader: PageReader, page: int, image: Image.Image) -> PageReading:
        read.append(page)
        return real_read(reader, page, image)

    monkeypatch.setattr(PageReader, "read", counted_read)
    run.steps.popitem()
    run.stack.pop()
    run.step_names.pop()
    run = execute(client, PROCESS_DOCUMENT, submission.event, run=run)

    assert run.output["status"] == "processed"
    assert read == [5]


def test_a_scan_over_ocr_max_pages_fails_at_once_naming_the_limit(client, submit, stored):
    frames = [Image.new("L", (64, 64), 255) for _ in range(MAX_PAGES + 1)]
    run = execute(client, PROCESS_DOCUMENT, submit("long.tiff", tiff(frames)).event)

    assert run.no_retry
    document, _ = stored("long.tiff")
    assert document["status"] == "failed"
    assert document["error"] == f"too many pages to read: {MAX_PAGES + 1}, the limit is {MAX_PAGES} (OCR_MAX_PAGES)"


def png_over_the_pixel_limit() -> bytes:
    side = int((MAX_IMAGE_PIXELS * 1.1) ** 0.5)
    buffer = io.BytesIO()
    Image.new("1", (side, side), 1).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("make_content", "reason"),
    [
        (lambda: b"\x89PNG\r\n\x1a\n" + b"cut off after its signature", DAMAGED_IMAGE),
        (lambda: b"<html>not a picture</html>", "the file's content is not a PNG image (it looks like an HTML page)"),
        (png_over_the_pixel_limit, "the image is too large to read: "),
    ],
    ids=["damaged", "not-an-image", "pixel-bomb"],
)
def test_a_damaged_image_an_html_page_named_png_or_a_pixel_bomb_fails_at_once_with_its_reason(
    client, submit, stored, make_content, reason
):
    run = execute(client, PROCESS_DOCUMENT, submit("photo.png", make_content()).event)

    assert run.no_retry
    document, _ = stored("photo.png")
    assert document["status"] == "failed"
    assert document["error"].startswith(reason)
