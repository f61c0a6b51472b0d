"""EPUB, chapter by chapter in the order of the book's spine: each chapter read as the HTML page it is, under
its title from the book's table of contents (the EPUB 3 navigation document, else the EPUB 2 NCX)."""

from __future__ import annotations

import posixpath
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from lxml import etree

from processing.blocks import Block
from processing.errors import DocumentRefusedError
from processing.readers.html_page import html_blocks
from processing.readers.zip_package import check_zip_package

DAMAGED = "the .epub is damaged or not an EPUB book"
LOCKED = "the .epub is locked (DRM); upload a copy without it"

CONTAINER = "{urn:oasis:names:tc:opendocument:xmlns:container}"
PACKAGE = "{http://www.idpf.org/2007/opf}"
NCX = "{http://www.daisy.org/z3986/2005/ncx/}"
XHTML = "{http://www.w3.org/1999/xhtml}"
EPUB_TYPE = "{http://www.idpf.org/2007/ops}type"
ENCRYPTION = "{http://www.w3.org/2001/04/xmlenc#}"
CHAPTER_TYPES = frozenset({"application/xhtml+xml", "text/html"})
NCX_TYPE = "application/x-dtbncx+xml"
# Publishers "encrypt" embedded fonts with these so they cannot be lifted; the text stays readable.
FONT_OBFUSCATION = frozenset({"http://www.idpf.org/2008/embedding", "http://ns.adobe.com/pdf/enc#RC"})


def read_epub(path: Path) -> Iterator[Block]:
    """Blocks of each chapter the spine lists (those out of the reading line too, where they stand), through
    the HTML reader; a chapter the manifest names but the package lacks is passed over."""
    check_zip_package(path, ".epub", DAMAGED)
    with zipfile.ZipFile(path) as archive:
        package_path = _package_path(archive)
        package = _xml(archive, package_path)
        if package is None:
            raise DocumentRefusedError(DAMAGED)
        base = posixpath.dirname(package_path)
        manifest = {item.get("id"): item for item in package.iter(f"{PACKAGE}item")}
        chapters = [
            _resolve(base, manifest[reference.get("idref")].get("href", ""))
            for reference in package.iter(f"{PACKAGE}itemref")
            if reference.get("idref") in manifest
            and manifest[reference.get("idref")].get("media-type") in CHAPTER_TYPES
        ]
        if _encrypted(archive) & set(chapters):
            raise DocumentRefusedError(LOCKED)
        titles = _titles(archive, package, manifest, base)
        for chapter in chapters:
            try:
                markup = archive.read(chapter)
            except KeyError:
                continue
            yield from html_blocks(markup, titles.get(chapter))


def _package_path(archive: zipfile.ZipFile) -> str:
    container = _xml(archive, "META-INF/container.xml")
    rootfile = None if container is None else container.find(f".//{CONTAINER}rootfile")
    if rootfile is None or not rootfile.get("full-path"):
        raise DocumentRefusedError(DAMAGED)
    return str(rootfile.get("full-path"))


def _titles(archive: zipfile.ZipFile, package: Any, manifest: dict[str, Any], base: str) -> dict[str, str]:
    """Each chapter's title in the table of contents: the first entry that points into it."""
    titles: dict[str, str] = {}
    for item in manifest.values():
        if "nav" in item.get("properties", "").split():
            navigation_path = _resolve(base, item.get("href", ""))
            navigation = _xml(archive, navigation_path)
            for toc in [] if navigation is None else navigation.iter(f"{XHTML}nav"):
                if "toc" in toc.get(EPUB_TYPE, "").split():
                    for link in toc.iter(f"{XHTML}a"):
                        _add_title(titles, navigation_path, link.get("href", ""), "".join(link.itertext()))
    spine = package.find(f"{PACKAGE}spine")
    ncx_item = manifest.get(spine.get("toc")) if spine is not None else None
    if ncx_item is None:
        ncx_item = next((item for item in manifest.values() if item.get("media-type") == NCX_TYPE), None)
    if ncx_item is not None:
        ncx_path = _resolve(base, ncx_item.get("href", ""))
        ncx = _xml(archive, ncx_path)
        for point in [] if ncx is None else ncx.iter(f"{NCX}navPoint"):
            label, content = point.find(f"{NCX}navLabel/{NCX}text"), point.find(f"{NCX}content")
            if label is not None and content is not None:
                _add_title(titles, ncx_path, content.get("src", ""), label.text or "")
    return titles


def _add_title(titles: dict[str, str], toc_path: str, href: str, label: str) -> None:
    title = " ".join(label.split())
    target = href.partition("#")[0]
    if title and target:
        titles.setdefault(_resolve(posixpath.dirname(toc_path), target), title)


def _encrypted(archive: zipfile.ZipFile) -> set[str]:
    """The parts encrypted otherwise than by font obfuscation (META-INF/encryption.xml)."""
    encryption = _xml(archive, "META-INF/encryption.xml")
    parts: set[str] = set()
    for data in [] if encryption is None else encryption.iter(f"{ENCRYPTION}EncryptedData"):
        method, reference = data.find(f"{ENCRYPTION}EncryptionMethod"), data.find(f".//{ENCRYPTION}CipherReference")
        if reference is not None and (method is None or method.get("Algorithm") not in FONT_OBFUSCATION):
            parts.add(_resolve("", reference.get("URI", "")))
    return parts


def _resolve(base: str, href: str) -> str:
    """The package path of `href`, relative to the folder `base` (hrefs are URL-encoded)."""
    return posixpath.normpath(posixpath.join(base, unquote(href)))


def _xml(archive: zipfile.ZipFile, name: str) -> Any:
    """The root of the XML part `name`, None when it is missing or no XML."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, recover=True)
    try:
        return etree.fromstring(archive.read(name), parser)
    except (KeyError, zipfile.BadZipFile, etree.LxmlError):
        return None
