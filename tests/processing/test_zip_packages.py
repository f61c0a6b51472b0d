"""Every zip-based format is refused, with its reason, before a parser opens it: a zip bomb, a file that is
no zip or a truncated one, a zip of something else."""

from __future__ import annotations

import shutil
import zipfile

import pytest

from processing.errors import DocumentRefusedError
from processing.readers import read_blocks
from processing.readers.zip_package import MAX_UNPACKED_BYTES

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
    assert path.stat().st_size < 2 * 1024 * 1024
    with pytest.raises(DocumentRefusedError) as refused:
        list(read_blocks(path, kind))
    assert str(refused.value) == f"the {kind} unpacks to more than we accept (possible zip bomb)"


@pytest.mark.parametrize("content", [b"not a zip at all", b"PK\x03\x04 truncated"], ids=["not-a-zip", "truncated"])
@pytest.mark.parametrize("kind", sorted(ZIP_FORMATS))
def test_a_file_that_is_no_zip_is_refused_as_damaged(tmp_path, kind, content):
    path = tmp_path / f"broken{kind}"
    path.write_bytes(content)
    with pytest.raises(DocumentRefusedError, match=ZIP_FORMATS[kind][1]):
        list(read_blocks(path, kind))


@pytest.mark.parametrize("kind", sorted(ZIP_FORMATS))
def test_a_package_with_a_damaged_first_part_is_refused_as_damaged(tmp_path, kind):
    path = tmp_path / f"damaged{kind}"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(ZIP_FORMATS[kind][0], "<unclosed")
    with pytest.raises(DocumentRefusedError, match=ZIP_FORMATS[kind][1]):
        list(read_blocks(path, kind))
