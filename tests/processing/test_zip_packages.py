"""Every zip-based format is refused, with its reason: a zip bomb before a parser opens it, a file that starts
as a zip but is truncated, a package whose first part is damaged. (A file that is no zip at all, or a zip of
something else, is refused by content sniffing: tests/processing/test_sniffing.py.)"""

from __future__ import annotations

import shutil
import zipfile

import pytest

from processing.errors import DocumentRefusedError
from processing.readers import read_blocks
from processing.readers.zip_package import MAX_UNPACKED_BYTES
from tests.support.office_packages import PACKAGE_MARKERS

# Each zip-based type, with the part its parser reads first and the words of its "damaged" message.
ZIP_FORMATS = {
    ".docx": ("word/document.xml", "damaged or not a Word document"),
    ".pptx": ("ppt/presentation.xml", "damaged or not a PowerPoint presentation"),
    ".xlsx": ("xl/workbook.xml", "damaged or not an Excel workbook"),
    ".odt": ("content.xml", "damaged or not an OpenDocument text"),
    ".ods": ("content.xml", "damaged or not an OpenDocument spreadsheet"),
    ".odp": ("content.xml", "damaged or not an OpenDocument presentation"),
    ".epub": ("META-INF/container.xml", "damaged or not an EPUB book"),
}


def add_markers(path, kind):
    """Let the zip at `path` declare itself a `kind` package, so that its content passes for its type."""
    with zipfile.ZipFile(path, "a") as archive:
        for name, content in PACKAGE_MARKERS[kind].items():
            archive.writestr(name, content)


@pytest.fixture(scope="module")
def zip_bomb(tmp_path_factory):
    """A zip of about 200 KB whose one member inflates to a mebibyte past MAX_UNPACKED_BYTES."""
    path = tmp_path_factory.mktemp("bomb") / "bomb.zip"
    zeros = bytes(1024 * 1024)
    with (
        zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as archive,
        archive.open("content.xml", "w", force_zip64=True) as member,
    ):
        for _ in range(MAX_UNPACKED_BYTES // len(zeros) + 1):
            member.write(zeros)
    return path


@pytest.mark.parametrize("kind", sorted(ZIP_FORMATS))
def test_a_zip_bomb_is_refused_before_parsing(tmp_path, zip_bomb, kind):
    path = tmp_path / f"bomb{kind}"
    shutil.copy(zip_bomb, path)
    add_markers(path, kind)
    assert path.stat().st_size < 2 * 1024 * 1024
    with pytest.raises(DocumentRefusedError) as refused:
        list(read_blocks(path, kind))
    assert str(refused.value) == f"the {kind} unpacks to more than we accept (possible zip bomb)"


@pytest.mark.parametrize("kind", sorted(ZIP_FORMATS))
def test_a_file_that_starts_as_a_zip_but_is_truncated_is_refused_as_damaged(tmp_path, kind):
    path = tmp_path / f"broken{kind}"
    path.write_bytes(b"PK\x03\x04 truncated")
    with pytest.raises(DocumentRefusedError, match=ZIP_FORMATS[kind][1]):
        list(read_blocks(path, kind))


@pytest.mark.parametrize("kind", sorted(ZIP_FORMATS))
def test_a_package_with_a_damaged_first_part_is_refused_as_damaged(tmp_path, kind):
    path = tmp_path / f"damaged{kind}"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(ZIP_FORMATS[kind][0], "<unclosed")
    add_markers(path, kind)
    with pytest.raises(DocumentRefusedError, match=ZIP_FORMATS[kind][1]):
        list(read_blocks(path, kind))
