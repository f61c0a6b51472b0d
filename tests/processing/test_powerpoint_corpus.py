"""PowerPoint files from Apache Tika's test suite, measured against their own slide XML."""

from __future__ import annotations

import posixpath
import re
import zipfile

import pytest
from lxml import etree

from processing.blocks import BlockKind
from processing.errors import DocumentRefusedError
from processing.readers import read_blocks
from processing.readers.powerpoint import read_pptx
from tests.processing.conftest import PRESENTATIONS, recall, words, xml_paragraphs

DRAWING = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
PRESENTATION = "{http://schemas.openxmlformats.org/presentationml/2006/main}"
RELATIONSHIP_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
PROTECTED = "testPPT_protected_passtika.pptx"
READABLE = sorted(path for path in PRESENTATIONS.glob("*.pptx") if path.name != PROTECTED)


def slide_parts(path):
    """The slides' part names in the order the presentation shows them (its `p:sldIdLst`)."""
    with zipfile.ZipFile(path) as archive:
        presentation = etree.fromstring(archive.read("ppt/presentation.xml"))
        relationships = etree.fromstring(archive.read("ppt/_rels/presentation.xml.rels"))
    targets = {relation.get("Id"): relation.get("Target") for relation in relationships}
    return [
        posixpath.normpath(posixpath.join("ppt", targets[slide.get(RELATIONSHIP_ID)]))
        for slide in presentation.iter(f"{PRESENTATION}sldId")
    ]


def slide_text(path, part):
    return "\n".join(xml_paragraphs(path, re.escape(part), f"{DRAWING}p", f"{DRAWING}t"))


def blocks(name):
    return list(read_pptx(PRESENTATIONS / name))


@pytest.mark.parametrize("path", READABLE, ids=lambda path: path.name)
def test_every_text_node_of_every_slide_is_read(path):
    reference = words("\n".join(slide_text(path, part) for part in slide_parts(path)))
    found = words("\n".join(block.text for block in read_pptx(path)))
    assert recall(reference, found) == 1.0


@pytest.mark.parametrize("path", READABLE, ids=lambda path: path.name)
def test_each_slides_text_is_on_the_page_of_its_number(path):
    read = list(read_pptx(path))
    for number, part in enumerate(slide_parts(path), start=1):
        on_page = words("\n".join(block.text for block in read if block.page == number))
        assert recall(words(slide_text(path, part)), on_page) == 1.0, part
    assert {block.page for block in read} <= set(range(1, len(slide_parts(path)) + 1))


def test_a_slide_title_is_a_heading_and_the_section_of_its_slide():
    read = blocks("testPPT_various2.pptx")
    assert [(block.page, block.text) for block in read if block.kind is BlockKind.HEADING] == [
        (1, "This is some content"),
        (2, "Slide2Header"),
        (3, "Slide3Header"),
    ]
    assert {block.section for block in read if block.page == 2} == {("Slide2Header",)}
    assert {block.section for block in read if block.page == 9} == {()}  # a slide without a title


def test_speaker_notes_are_notes_on_their_slides_page_under_its_title():
    read = blocks("testPPT_various2.pptx")
    assert [(block.page, block.section, block.text) for block in read if block.kind is BlockKind.NOTE] == [
        (2, ("Slide2Header",), "NotesForSlide2"),
        (3, ("Slide3Header",), "Notes for slide3"),
    ]
    assert read.index(next(block for block in read if block.text == "NotesForSlide2")) == max(
        index for index, block in enumerate(read) if block.page == 2
    )


def test_a_table_row_stays_on_one_line():
    rows = [block.text for block in blocks("testPPT_various.pptx") if block.kind is BlockKind.TABLE]
    assert rows == ["Row 1 Col 1 | Row 1 Col 2 | Row 1 Col 3", "Row 2 Col 1 | Row 2 Col 2 | Row 2 Col 3"]


def test_shapes_in_nested_groups_are_read_in_place():
    read = [block for block in blocks("testPPT_groups.pptx") if block.kind is BlockKind.PARAGRAPH]
    assert [block.text for block in read] == [
        "Text box3",
        "Text box1",
        "Text box2",
        "Text box4",
        "Text box5 tika link",
        "WordArt1",
        "WordArt2",
        "Ungrouped text box",
    ]
    assert {(block.page, block.section) for block in read} == {(2, ("MyTitle",))}


def test_dates_and_footers_are_header_footer_and_slide_numbers_are_left_to_the_page():
    read = blocks("testPPT_various2.pptx")
    assert [block.text for block in read if block.page == 10] == ["12/16/2016", "MASTERFOOTERMSG"]
    assert {block.kind for block in read if block.page == 10} == {BlockKind.HEADER_FOOTER}


def test_a_password_protected_pptx_is_refused_with_advice():
    with pytest.raises(DocumentRefusedError) as refused:
        list(read_blocks(PRESENTATIONS / PROTECTED, ".pptx"))
    assert str(refused.value) == "the .pptx is password-protected; upload an unprotected copy"
