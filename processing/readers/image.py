"""Images (PNG, JPEG, TIFF, WebP) hold no text of their own: their frames are pages OCR reads (processing/ocr/).
Here an image is opened and its frames given, each checked against the pixel limit before it is decoded."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from PIL import Image, ImageSequence, UnidentifiedImageError

from processing.blocks import Block
from processing.errors import DocumentRefusedError

IMAGE_TYPES = frozenset({".png", ".jpg", ".jpeg", ".tif", ".tiff", ".webp"})

# The most pixels one page may have: a 300 dpi A0 poster is 140 million. Pillow's own guard is set to it
# too, so no path into Pillow decodes more; a PDF page that would render larger is rendered at a lower dpi.
MAX_IMAGE_PIXELS = 150_000_000
Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS

DAMAGED_IMAGE = "the image is damaged or not an image of its type"


def read_image(path: Path) -> Iterator[Block]:
    """No blocks: OCR gives the text. Refused when the image is damaged or a frame is over the pixel limit."""
    with opened_image(path) as image:
        for _ in frames(image):
            pass
    yield from ()


@contextmanager
def opened_image(path: Path) -> Iterator[Image.Image]:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(path)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise DocumentRefusedError(_over_limit(*_declared_size(path))) from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        raise DocumentRefusedError(DAMAGED_IMAGE) from None
    try:
        yield image
    finally:
        image.close()


def _declared_size(path: Path) -> tuple[int, int]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        saved, Image.MAX_IMAGE_PIXELS = Image.MAX_IMAGE_PIXELS, None
        try:
            with Image.open(path) as image:
                return image.size
        finally:
            Image.MAX_IMAGE_PIXELS = saved


def _over_limit(width: int, height: int) -> str:
    return f"the image is too large to read: {width} x {height} pixels, the limit is {MAX_IMAGE_PIXELS:,} pixels a page"


def frame_count(image: Image.Image) -> int:
    return int(getattr(image, "n_frames", 1))


def frames(image: Image.Image) -> Iterator[Image.Image]:
    """Every frame, its declared size checked against the limit before it is decoded."""
    try:
        for frame in ImageSequence.Iterator(image):
            width, height = frame.size
            if width * height > MAX_IMAGE_PIXELS:
                raise DocumentRefusedError(_over_limit(width, height))
            yield frame
    except (OSError, ValueError, SyntaxError, EOFError):
        raise DocumentRefusedError(DAMAGED_IMAGE) from None


def decoded(frame: Image.Image) -> Image.Image:
    """The frame decoded, as greyscale or colour Tesseract takes."""
    try:
        frame.load()
        return frame.convert("RGB") if frame.mode not in ("L", "RGB") else frame.copy()
    except (OSError, ValueError, SyntaxError):
        raise DocumentRefusedError(DAMAGED_IMAGE) from None
