"""EPUB books from Apache Tika's and EpubReader's test suites, measured against their chapters' own XHTML."""

from __future__ import annotations

import posixpath
import zipfile

import pytest
from lxml import etree

from processing.blocks import BlockKind
from processing.errors import DocumentRefusedError
from processing.readers import read_blocks
from processing.readers.epub import read_epub
from tests.processing.conftest import CORPUS, recall, words
from tests.support.office_packages import epub_package

BOOKS = CORPUS / "epub"
PACKAGE = "{http://www.idpf.org/2007/opf}"
NOT_TEXT = frozenset({"script", "style"})


def spine(path):
    """The package paths of the chapters the book's spine lists, in its order, from the OPF itself."""
    with zipfile.ZipFile(path) as archive:
        container = etree.fromstring(archive.read("META-INF/container.xml"))
        package_path = next(element.get("full-path") for element in container.iter("{*}rootfile"))
        package = etree.fromstring(archive.read(package_path))
    items = {item.get("id"): item for item in package.iter(f"{PACKAGE}item")}
    base = posixpath.dirname(package_path)
    return [
        posixpath.join(base, items[reference.get("idref")].get("href"))
        for reference in package.iter(f"{PACKAGE}itemref")
        if items[reference.get("idref")].get("media-type") == "application/xhtml+xml"
    ]


def body_text(path, chapter):
    """The text nodes of a chapter's `<body>`, scripts and styles left out."""
    with zipfile.ZipFile(path) as archive:
        root = etree.fromstring(archive.read(chapter), etree.XMLParser(recover=True, resolve_entities=False))
    body = next(element for element in root.iter() if etree.QName(element).localname == "body")
    return " ".join(
        text
        for element in body.iter()
        if isinstance(element.tag, str) and etree.QName(element).localname not in NOT_TEXT
        for text in (element.text or "", element.tail or "")
    )


def blocks(name):
    return list(read_epub(BOOKS / name))


@pytest.mark.parametrize("path", sorted(BOOKS.glob("*.epub")), ids=lambda path: path.name)
def test_every_text_node_of_every_chapter_in_the_spine_is_read(path):
    reference = words("\n".join(body_text(path, chapter) for chapter in spine(path)))
    assert recall(reference, words("\n".join(block.text for block in read_epub(path)))) == 1.0


def test_chapters_are_read_in_spine_order_each_under_its_title():
    read = blocks("testEPUB.epub")
    assert [block.text for block in read if block.kind is BlockKind.HEADING and len(block.section) == 1] == [
        "Cover Page",
        "Table of Contents",
        "Chapter 1",
        "Chapter 2",
    ]
    by_text = {block.text: block for block in read}
    assert by_text["This is the text for chapter One"].section == ("Chapter 1",)
    assert by_text["Table header | Table data"].section == ("Chapter 2", "Subchapter 2.2")
    assert by_text["First item"].kind is BlockKind.LIST_ITEM


def test_a_chapter_title_comes_from_the_table_of_contents_not_the_pages_own_title():
    # Both chapters' <title> is the book's, "1984"; the NCX names them "Part 1" and "Chapter 1".
    read = blocks("testEPUB_xml_ext.epub")
    assert [block.section for block in read if block.kind is BlockKind.HEADING] == [("Part 1",), ("Chapter 1",)]
    assert read[-1].section == ("Chapter 1",)
    assert read[-1].text.startswith("It was a bright cold day in April")


def test_an_epub3_navigation_document_names_the_chapters():
    read = blocks("EpubReader-EPUB3.epub")
    assert [block.section for block in read[-3:]] == [("Chapter 1",), ("Chapter 2",), ("Chapter 3",)]


def test_a_first_heading_repeating_the_chapter_title_is_the_title_itself():
    chapter = [block for block in blocks("testEPUB.epub") if block.section[:1] == ("Chapter 1",)]
    assert [block.text for block in chapter if block.kind is BlockKind.HEADING] == ["Chapter 1"]
    assert {block.section for block in chapter} == {("Chapter 1",)}


def book(path, chapter, encryption=None):
    path.write_bytes(epub_package(chapter, encryption))
    return path


def encryption(algorithm):
    return (
        '<encryption xmlns="urn:oasis:names:tc:opendocument:xmlns:container" '
        'xmlns:enc="http://www.w3.org/2001/04/xmlenc#"><enc:EncryptedData>'
        f'<enc:EncryptionMethod Algorithm="{algorithm}"/>'
        '<enc:CipherData><enc:CipherReference URI="OEBPS/one.xhtml"/></enc:CipherData>'
        "</enc:EncryptedData></encryption>"
    )


def test_a_book_whose_chapters_are_encrypted_is_refused_with_advice(tmp_path):
    path = book(tmp_path / "locked.epub", b"\x8f\x00binary", encryption("http://www.w3.org/2001/04/xmlenc#aes128-cbc"))
    with pytest.raises(DocumentRefusedError) as refused:
        list(read_blocks(path, ".epub"))
    assert str(refused.value) == "the .epub is locked (DRM); upload a copy without it"


def test_fonts_obfuscated_by_the_publisher_do_not_lock_the_book(tmp_path):
    chapter = "<html><body><p>Plain words</p></body></html>"
    path = book(tmp_path / "fonts.epub", chapter, encryption("http://www.idpf.org/2008/embedding"))
    assert [block.text for block in read_blocks(path, ".epub")] == ["Plain words"]


def test_a_container_naming_no_package_is_refused_as_damaged(tmp_path):
    path = tmp_path / "empty.epub"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("META-INF/container.xml", "<container/>")
    with pytest.raises(DocumentRefusedError, match="damaged or not an EPUB book"):
        list(read_blocks(path, ".epub"))
