"""The smallest packages of the zip-based formats we read but cannot write with a library we depend on: an Excel
workbook, an OpenDocument file, an EPUB book, each built by hand around the XML a test gives."""

from __future__ import annotations

import io
import zipfile

SPREADSHEET = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE = "http://schemas.openxmlformats.org/package/2006"
WORKSHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
WORKBOOK_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
OPEN_DOCUMENT_NAMESPACES = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" '
    'xmlns:presentation="urn:oasis:names:tc:opendocument:xmlns:presentation:1.0"'
)


def _office_markers(main_part_type: str) -> dict[str, str]:
    return {
        "[Content_Types].xml": f'<Types xmlns="{PACKAGE}/content-types">'
        f'<Override PartName="/main.xml" ContentType="{main_part_type}"/></Types>'
    }


# The least a zip holds to declare itself one of the zip-based types, as processing/sniffing.py reads it: the
# main part's content type of an Office package, the `mimetype` entry of an OpenDocument file or an EPUB.
PACKAGE_MARKERS: dict[str, dict[str, str]] = {
    ".docx": _office_markers("application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"),
    ".pptx": _office_markers("application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"),
    ".xlsx": _office_markers(WORKBOOK_TYPE),
    ".odt": {"mimetype": "application/vnd.oasis.opendocument.text"},
    ".ods": {"mimetype": "application/vnd.oasis.opendocument.spreadsheet"},
    ".odp": {"mimetype": "application/vnd.oasis.opendocument.presentation"},
    ".epub": {"mimetype": "application/epub+zip"},
}


def workbook_package(*sheet_data: str) -> bytes:
    """An .xlsx with one sheet, named S1, S2, ..., for each `<sheetData>` content given."""
    numbers = range(1, len(sheet_data) + 1)
    parts = {
        "[Content_Types].xml": f'<Types xmlns="{PACKAGE}/content-types">'
        f'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{WORKBOOK_TYPE}"/>'
        + "".join(f'<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="{WORKSHEET_TYPE}"/>' for n in numbers)
        + "</Types>",
        "_rels/.rels": f'<Relationships xmlns="{PACKAGE}/relationships"><Relationship Id="rId1" '
        f'Type="{RELATIONSHIPS}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'<workbook xmlns="{SPREADSHEET}" xmlns:r="{RELATIONSHIPS}"><sheets>'
        + "".join(f'<sheet name="S{n}" sheetId="{n}" r:id="rId{n}"/>' for n in numbers)
        + "</sheets></workbook>",
        "xl/_rels/workbook.xml.rels": f'<Relationships xmlns="{PACKAGE}/relationships">'
        + "".join(
            f'<Relationship Id="rId{n}" Type="{RELATIONSHIPS}/worksheet" Target="worksheets/sheet{n}.xml"/>'
            for n in numbers
        )
        + "</Relationships>",
    }
    for n, data in zip(numbers, sheet_data, strict=True):
        parts[f"xl/worksheets/sheet{n}.xml"] = (
            f'<worksheet xmlns="{SPREADSHEET}"><sheetData>{data}</sheetData></worksheet>'
        )
    return _zip(parts)


def open_document_package(body: str) -> bytes:
    """An OpenDocument package holding only a content.xml with `body` inside `office:body`."""
    content = f"<office:body>{body}</office:body>"
    return _zip(
        {"content.xml": f"<office:document-content {OPEN_DOCUMENT_NAMESPACES}>{content}</office:document-content>"}
    )


def epub_package(chapter: str | bytes, encryption: str | None = None) -> bytes:
    """An EPUB of one chapter, with `encryption` as its META-INF/encryption.xml when given."""
    parts: dict[str, str | bytes] = {
        "mimetype": "application/epub+zip",
        "META-INF/container.xml": '<container xmlns="urn:oasis:names:tc:opendocument:xmlns:container" version="1.0">'
        '<rootfiles><rootfile full-path="OEBPS/book.opf" media-type="application/oebps-package+xml"/></rootfiles>'
        "</container>",
        "OEBPS/book.opf": '<package xmlns="http://www.idpf.org/2007/opf" version="3.0"><manifest>'
        '<item id="one" href="one.xhtml" media-type="application/xhtml+xml"/></manifest>'
        '<spine><itemref idref="one"/></spine></package>',
        "OEBPS/one.xhtml": chapter,
    }
    if encryption is not None:
        parts["META-INF/encryption.xml"] = encryption
    return _zip(parts)


def _zip(parts: dict[str, str] | dict[str, str | bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return buffer.getvalue()
