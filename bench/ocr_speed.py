"""OCR's cost: seconds per page at OCR_DPI for each Python binding of Tesseract on the same page images
(tesserocr, its C API in process, against pytesseract, a `tesseract` process per page), run alternately, the
median of several repetitions; then a 20-page scan read the way a run's steps read it (PDFium renders each page
at OCR_DPI, the orientation is told, the page read), in this process.

.venv-bench/bin/python -m bench.ocr_speed            # two corpus pages, 3 repetitions, and the 20-page scan
.venv-bench/bin/python -m bench.ocr_speed --quick    # one page once and a 2-page scan: proves it works
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from functools import partial
from pathlib import Path
from typing import Any

import httpx
import pytesseract
import tesserocr  # type: ignore[import-untyped]
from PIL import Image

from bench.processing import TERMINAL, statuses
from processing.ocr.engine import OcrOptions, page_reader
from processing.ocr.scan import page_images, plan_ocr
from settings import DEBIAN_TESSDATA_DIR
from tests.support.polling import wait_until
from tests.support.scans import rasterised_page, scanned_pdf

RESULTS = Path(__file__).resolve().parent / "results"
DPI = 300
REPETITIONS = 3
SCAN_PAGES = 20


def options(dpi: int) -> OcrOptions:
    return OcrOptions(
        languages="eng", tessdata_dir=DEBIAN_TESSDATA_DIR, dpi=dpi, page_timeout_seconds=600, max_pages=200
    )


def bindings(pages: list[Image.Image], repetitions: int) -> dict[str, Any]:
    """Seconds per page for each binding, reading the text only (no orientation), as alike as they can be."""
    timings: dict[str, list[float]] = {"tesserocr": [], "pytesseract": []}
    words: dict[str, int] = {}
    # The engine a run reads with, loaded once, without the orientation pass both would share.
    with tesserocr.PyTessBaseAPI(path=str(DEBIAN_TESSDATA_DIR), lang="eng") as api:
        for repetition in range(repetitions):
            for index, image in enumerate(pages):
                order = ("tesserocr", "pytesseract") if (repetition + index) % 2 == 0 else ("pytesseract", "tesserocr")
                for binding in order:
                    started = time.perf_counter()
                    if binding == "tesserocr":
                        api.SetImage(image)
                        text = api.GetUTF8Text()
                    else:
                        text = pytesseract.image_to_string(image, lang="eng")
                    timings[binding].append(time.perf_counter() - started)
                    words[binding] = words.get(binding, 0) + len(text.split())
            print(f"ocr speed: repetition {repetition + 1} of {repetitions} done")
    tesserocr_seconds = statistics.median(timings["tesserocr"])
    pytesseract_seconds = statistics.median(timings["pytesseract"])
    return {
        "dpi": DPI,
        "pages": len(pages),
        "repetitions": repetitions,
        "tesserocr s/page": round(tesserocr_seconds, 2),
        "pytesseract s/page": round(pytesseract_seconds, 2),
        "pytesseract / tesserocr": round(pytesseract_seconds / tesserocr_seconds, 2),
        "words read (tesserocr, pytesseract)": [words["tesserocr"], words["pytesseract"]],
    }


def scan(pages: int, dpi: int) -> dict[str, Any]:
    """A scanned PDF of `pages` pages read as a run's steps read it: rendered, set upright, read."""
    source = [rasterised_page(dpi, page=1 + index % 4) for index in range(pages)]
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "scan.pdf"
        path.write_bytes(scanned_pdf(source, dpi))
        started = time.perf_counter()
        plan = plan_ocr(path, ".pdf", 200)
        with page_reader(options(dpi)) as reader:
            characters = sum(
                len(reader.read(page, image).text) for page, image in page_images(path, ".pdf", plan.pages, dpi)
            )
        seconds = time.perf_counter() - started
    return {
        "pages": len(plan.pages),
        "dpi": dpi,
        "seconds": round(seconds, 1),
        "s/page": round(seconds / len(plan.pages), 2),
        "characters": characters,
    }


def write_scan(path: Path, pages: int, dpi: int) -> Path:
    """A scanned PDF of `pages` pages (the corpus PDF's four pages in turn, rasterised at `dpi`) at `path`."""
    path.write_bytes(scanned_pdf([rasterised_page(dpi, page=1 + index % 4) for index in range(pages)], dpi))
    return path


def end_to_end(database_app: Any, app: Any, cookie: str, name: str, path: Path, dpi: int) -> dict[str, Any]:
    """The scan at `path`, already in S3 as `name`, posted and followed to a final status through the Inngest
    server; then the same file read in this process as the steps read it, for the ratio of the two."""
    with httpx.Client(base_url=app.url, headers={"Cookie": cookie}, timeout=60) as client:
        started = time.perf_counter()
        response = client.post("/api/route", json={"documentName": name})
        assert response.status_code in (200, 202), response.text
        wait_until(partial(_terminal, database_app, name), f"{name} processed", timeout=3600, interval=0.05)
        seconds = time.perf_counter() - started
    row = statuses(database_app, [name])[name]
    alone = _read_in_process(path, dpi)
    pages = alone["pages"]
    return {
        "pages": pages,
        "dpi": dpi,
        "status": row.status,
        "end to end s": round(seconds, 1),
        "end to end s/page": round(seconds / pages, 2),
        "in process s": alone["seconds"],
        "end to end / in process": round(seconds / alone["seconds"], 2),
    }


def _terminal(database_app: Any, name: str) -> bool:
    row = statuses(database_app, [name]).get(name)
    return row is not None and row.status in TERMINAL


def _read_in_process(path: Path, dpi: int) -> dict[str, Any]:
    started = time.perf_counter()
    plan = plan_ocr(path, ".pdf", 200)
    with page_reader(options(dpi)) as reader:
        read = [reader.read(page, image) for page, image in page_images(path, ".pdf", plan.pages, dpi)]
    seconds = time.perf_counter() - started
    return {
        "pages": len(plan.pages),
        "dpi": dpi,
        "seconds": round(seconds, 1),
        "s/page": round(seconds / len(plan.pages), 2),
        "characters": sum(len(reading.text) for reading in read),
    }


def measure(quick: bool) -> dict[str, Any]:
    pages = [rasterised_page(DPI, page) for page in ((1,) if quick else (1, 2))]
    return {
        "ocr_bindings": bindings(pages, 1 if quick else REPETITIONS),
        "ocr_scan": scan(2 if quick else SCAN_PAGES, DPI),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="a tiny configuration: proves the bench works")
    parser.add_argument("--results", type=Path, default=RESULTS, help="where ocr-speed.json goes")
    arguments = parser.parse_args()
    results = measure(arguments.quick)
    arguments.results.mkdir(parents=True, exist_ok=True)
    name = "ocr-speed-quick.json" if arguments.quick else "ocr-speed.json"
    (arguments.results / name).write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
