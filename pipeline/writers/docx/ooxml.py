"""Open XML names: namespaces, ``qn``, content types and relationship types.

The constants the DOCX writer needs, kept here so that writing a document does not
import python-docx (its import alone cost more than the rest of a small conversion).
The values are the ones of ECMA-376 (and python-docx's ``docx.opc.constants``).
"""

from __future__ import annotations

from lxml import etree

NS = {
    "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
    "cp": "http://schemas.openxmlformats.org/package/2006/metadata/core-properties",
    "dc": "http://purl.org/dc/elements/1.1/",
    "dcmitype": "http://purl.org/dc/dcmitype/",
    "dcterms": "http://purl.org/dc/terms/",
    "m": "http://schemas.openxmlformats.org/officeDocument/2006/math",
    "pic": "http://schemas.openxmlformats.org/drawingml/2006/picture",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "sl": "http://schemas.openxmlformats.org/schemaLibrary/2006/main",
    "w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    "w14": "http://schemas.microsoft.com/office/word/2010/wordml",
    "wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
    "xml": "http://www.w3.org/XML/1998/namespace",
    "xsi": "http://www.w3.org/2001/XMLSchema-instance",
    "ct": "http://schemas.openxmlformats.org/package/2006/content-types",
    "pr": "http://schemas.openxmlformats.org/package/2006/relationships",
}

_QN: dict[str, str] = {}


def qn(tag: str) -> str:
    """``"w:p"`` as lxml names it: ``"{http://...wordprocessingml/2006/main}p"``."""
    name = _QN.get(tag)
    if name is None:
        prefix, local = tag.split(":")
        name = _QN[tag] = f"{{{NS[prefix]}}}{local}"
    return name


# python-docx parses without the whitespace between elements; so do we.
PARSER = etree.XMLParser(remove_blank_text=True, resolve_entities=False)


def parse_xml(xml: str | bytes) -> etree._Element:
    return etree.fromstring(xml, PARSER)


def serialize(element: etree._Element) -> bytes:
    """A part's bytes: the XML declaration (standalone) and the element, as python-docx writes them."""
    return etree.tostring(element, encoding="UTF-8", standalone=True)


_OD = "application/vnd.openxmlformats-officedocument"
_WML = f"{_OD}.wordprocessingml"


class CT:
    """Content types."""

    WML_DOCUMENT_MAIN = f"{_WML}.document.main+xml"
    WML_STYLES = f"{_WML}.styles+xml"
    WML_SETTINGS = f"{_WML}.settings+xml"
    WML_FONT_TABLE = f"{_WML}.fontTable+xml"
    WML_NUMBERING = f"{_WML}.numbering+xml"
    WML_FOOTNOTES = f"{_WML}.footnotes+xml"
    WML_FOOTER = f"{_WML}.footer+xml"
    OPC_CORE_PROPERTIES = "application/vnd.openxmlformats-package.core-properties+xml"
    OPC_RELATIONSHIPS = "application/vnd.openxmlformats-package.relationships+xml"
    OFC_EXTENDED_PROPERTIES = f"{_OD}.extended-properties+xml"
    OFC_CUSTOM_PROPERTIES = f"{_OD}.custom-properties+xml"
    THEME = f"{_OD}.theme+xml"
    XML = "application/xml"


_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


class RT:
    """Relationship types."""

    OFFICE_DOCUMENT = f"{_R}/officeDocument"
    CORE_PROPERTIES = "http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties"
    EXTENDED_PROPERTIES = f"{_R}/extended-properties"
    CUSTOM_PROPERTIES = f"{_R}/custom-properties"
    THUMBNAIL = "http://schemas.openxmlformats.org/package/2006/relationships/metadata/thumbnail"
    STYLES = f"{_R}/styles"
    SETTINGS = f"{_R}/settings"
    FONT_TABLE = f"{_R}/fontTable"
    NUMBERING = f"{_R}/numbering"
    FOOTNOTES = f"{_R}/footnotes"
    FOOTER = f"{_R}/footer"
    THEME = f"{_R}/theme"
    IMAGE = f"{_R}/image"
    HYPERLINK = f"{_R}/hyperlink"
