"""Tesseract through tesserocr (its C API in process): a page image set upright, then read, in bounded time."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import tesserocr  # type: ignore[import-untyped]
from PIL import Image

# Orientation is told on a copy no larger than this on its long side: enough glyphs for the script detector,
# in a fraction of the time a 300 dpi page takes.
ORIENTATION_MAX_SIDE = 2000
# Below this confidence the detector is guessing (a page of figures, a few words): the page is read as it is.
ORIENTATION_MIN_CONFIDENCE = 2.0


@dataclass(frozen=True)
class OcrOptions:
    """How pages are read: Tesseract's languages (`eng+deu`), where their data is, the resolution a PDF page
    is rendered at, how long one page may take, and how many pages a document may have."""

    languages: str
    tessdata_dir: Path
    dpi: int
    page_timeout_seconds: float
    max_pages: int


@dataclass(frozen=True)
class PageReading:
    """What OCR made of one page: its text, or why it has none (`failure`)."""

    page: int
    text: str
    failure: str | None = None


class PageReader:
    """One Tesseract engine, loaded once, reading page after page."""

    def __init__(self, options: OcrOptions) -> None:
        self._options = options
        self._api = tesserocr.PyTessBaseAPI(path=str(options.tessdata_dir), lang=options.languages)
        self._orientation = tesserocr.PyTessBaseAPI(
            path=str(options.tessdata_dir), lang="osd", psm=tesserocr.PSM.OSD_ONLY
        )

    def close(self) -> None:
        self._api.End()
        self._orientation.End()

    def read(self, page: int, image: Image.Image) -> PageReading:
        """The page's text, upright first; a page not read within the timeout fails alone."""
        image = self.upright(image)
        self._api.SetImage(image)
        timeout_ms = max(1, int(self._options.page_timeout_seconds * 1000))
        if not self._api.Recognize(timeout=timeout_ms):
            self._api.Clear()
            return PageReading(
                page, "", f"Tesseract did not read it within {self._options.page_timeout_seconds:g} seconds"
            )
        text = self._api.GetUTF8Text()
        self._api.Clear()
        return PageReading(page, normalise(text))

    def upright(self, image: Image.Image) -> Image.Image:
        """`image` turned the way its text reads, as Tesseract's orientation detection tells it."""
        sample = image.copy()
        sample.thumbnail((ORIENTATION_MAX_SIDE, ORIENTATION_MAX_SIDE))
        self._orientation.SetImage(sample)
        try:
            found = self._orientation.DetectOrientationScript()
        except RuntimeError:
            found = None  # too little text to tell
        finally:
            self._orientation.Clear()
        if not found or found["orient_conf"] < ORIENTATION_MIN_CONFIDENCE or not found["orient_deg"]:
            return image
        # Tesseract gives the clockwise turn the page has been given; Pillow turns anticlockwise.
        return image.rotate(found["orient_deg"], expand=True)


@contextmanager
def page_reader(options: OcrOptions) -> Iterator[PageReader]:
    reader = PageReader(options)
    try:
        yield reader
    finally:
        reader.close()


def normalise(text: str) -> str:
    """Tesseract's text as lines of words: NFKC, runs of spaces collapsed, empty lines dropped."""
    text = unicodedata.normalize("NFKC", text)
    return "\n".join(" ".join(line.split()) for line in text.splitlines() if line.strip())
