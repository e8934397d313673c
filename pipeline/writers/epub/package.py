"""The EPUB container around the content documents: OPF, nav, NCX, and the zip itself.

The zip is written here with :mod:`zipfile` rather than by ebooklib: ``mimetype``
first and stored, then the other entries in a fixed order, each with the same
fixed date and permissions, so that the same document gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field

from lxml import etree

from .xhtml import EPUB_TYPE, XML_LANG, Element, document, el, serialize, sub, xml_safe

OPF_NS = "http://www.idpf.org/2007/opf"
DC_NS = "http://purl.org/dc/elements/1.1/"
NCX_NS = "http://www.daisy.org/z3986/2005/ncx/"
CONTAINER_NS = "urn:oasis:names:tc:opendocument:xmlns:container"
ROOT = "EPUB"


@dataclass
class Item:
    """One file of the publication (path relative to the OPF's folder)."""

    id: str
    href: str
    media_type: str
    data: bytes
    properties: str = ""


@dataclass
class NavPoint:
    label: str
    href: str
    children: list[NavPoint] = field(default_factory=list)


@dataclass
class Metadata:
    identifier: str  # urn:uuid:...
    title: str
    lang: str
    modified: dt.datetime
    creator: str | None = None
    date: str | None = None
    source: str | None = None
    #: (name, file-as) of each author; ``creator`` is their names in one line (the NCX's)
    creators: list[tuple[str, str]] = field(default_factory=list)
    description: str | None = None
    subjects: list[str] = field(default_factory=list)
    publisher: str | None = None
    doi: str | None = None
    #: (name, position) of the series the book is an issue of
    series: tuple[str, int] | None = None
    #: the accessibility standard the book claims to meet, and who says so
    conforms_to: str | None = None
    certified_by: str | None = None
    #: the manifest id of the cover image, and the href of the cover page
    cover: str | None = None
    cover_page: str | None = None
    access_modes: list[str] = field(default_factory=lambda: ["textual"])
    sufficient: list[str] = field(default_factory=lambda: ["textual"])
    features: list[str] = field(default_factory=list)
    summary: str = ""


def _xml(root: Element) -> bytes:
    return etree.tostring(root, encoding="utf-8", xml_declaration=True, pretty_print=True)


def container_xml() -> bytes:
    root = etree.Element(f"{{{CONTAINER_NS}}}container", nsmap={None: CONTAINER_NS})
    root.set("version", "1.0")
    files = etree.SubElement(root, f"{{{CONTAINER_NS}}}rootfiles")
    rf = etree.SubElement(files, f"{{{CONTAINER_NS}}}rootfile")
    rf.set("full-path", f"{ROOT}/content.opf")
    rf.set("media-type", "application/oebps-package+xml")
    return _xml(root)


def opf(meta: Metadata, items: list[Item], spine: list[tuple[str, bool]], ncx_id: str) -> bytes:
    o: Callable[[str], str] = lambda tag: f"{{{OPF_NS}}}{tag}"
    d: Callable[[str], str] = lambda tag: f"{{{DC_NS}}}{tag}"
    root = etree.Element(o("package"), nsmap={None: OPF_NS})
    root.set("version", "3.0")
    root.set("unique-identifier", "pub-id")
    root.set(XML_LANG, meta.lang)
    md = etree.SubElement(root, o("metadata"), nsmap={"dc": DC_NS})

    def dc(tag: str, text: str, **attrs: str) -> None:
        node = etree.SubElement(md, d(tag))
        for k, v in attrs.items():
            node.set(k, v)
        node.text = xml_safe(text)

    def prop(name: str, text: str, refines: str | None = None, **attrs: str) -> None:
        node = etree.SubElement(md, o("meta"))
        if refines:
            node.set("refines", "#" + refines)
        node.set("property", name)
        for k, v in attrs.items():
            node.set(k, v)
        node.text = xml_safe(text)

    dc("identifier", meta.identifier, id="pub-id")
    if meta.doi:
        dc("identifier", "urn:doi:" + meta.doi, id="doi")
        prop("identifier-type", "06", "doi", scheme="onix:codelist5")
    dc("title", meta.title, id="title")
    dc("language", meta.lang)
    creators = meta.creators or ([(meta.creator, meta.creator)] if meta.creator else [])
    for i, (name, sort_as) in enumerate(creators, 1):
        cid = "creator" if i == 1 else f"creator-{i}"
        dc("creator", name, id=cid)
        prop("role", "aut", cid, scheme="marc:relators")
        prop("file-as", sort_as, cid)
    if meta.publisher:
        dc("publisher", meta.publisher)
    if meta.date:
        dc("date", meta.date)
    if meta.description:
        dc("description", meta.description)
    for subject in meta.subjects:
        dc("subject", subject)
    if meta.source:
        dc("source", meta.source)
    if meta.series:
        prop("belongs-to-collection", meta.series[0], id="series")
        prop("collection-type", "series", "series")
        prop("group-position", str(meta.series[1]), "series")
    prop("dcterms:modified", meta.modified.strftime("%Y-%m-%dT%H:%M:%SZ"))
    if meta.cover:  # EPUB 2 readers (and Kindle conversions) find the cover here
        node = etree.SubElement(md, o("meta"))
        node.set("name", "cover")
        node.set("content", meta.cover)
    if meta.conforms_to:
        prop("dcterms:conformsTo", meta.conforms_to)
        if meta.certified_by:
            prop("a11y:certifiedBy", meta.certified_by)
    for mode in meta.access_modes:
        prop("schema:accessMode", mode)
    for sufficient in meta.sufficient:
        prop("schema:accessModeSufficient", sufficient)
    for feature in meta.features:
        prop("schema:accessibilityFeature", feature)
    prop("schema:accessibilityHazard", "none")
    prop("schema:accessibilitySummary", meta.summary)

    manifest = etree.SubElement(root, o("manifest"))
    for item in items:
        node = etree.SubElement(manifest, o("item"))
        node.set("id", item.id)
        node.set("href", item.href)
        node.set("media-type", item.media_type)
        if item.properties:
            node.set("properties", item.properties)
    sp = etree.SubElement(root, o("spine"))
    sp.set("toc", ncx_id)
    for idref, linear in spine:
        ref = etree.SubElement(sp, o("itemref"))
        ref.set("idref", idref)
        if not linear:
            ref.set("linear", "no")
    if meta.cover_page:
        guide = etree.SubElement(root, o("guide"))
        ref = etree.SubElement(guide, o("reference"))
        ref.set("type", "cover")
        ref.set("title", "Cover")
        ref.set("href", meta.cover_page)
    return _xml(root)


def nav_xhtml(
    title: str,
    lang: str,
    css: str,
    heading: str,
    toc: list[NavPoint],
    landmarks_label: str,
    landmarks: list[tuple[str, str, str]],
    body_class: str,
) -> bytes:
    """The EPUB 3 navigation document: the nested outline and the landmarks."""
    nav = el("nav", {"id": "toc", "role": "doc-toc"})
    nav.set(EPUB_TYPE, "toc")
    sub(nav, "h1", text=heading)
    _nav_list(nav, toc)
    marks = el("nav", {"id": "landmarks", "hidden": "hidden"})
    marks.set(EPUB_TYPE, "landmarks")
    sub(marks, "h2", text=landmarks_label)
    ol = sub(marks, "ol")
    for kind, href, label in landmarks:
        a = sub(sub(ol, "li"), "a", {"href": href}, label)
        a.set(EPUB_TYPE, kind)
    root = document(heading, lang, css, [nav, marks], body_class=body_class)
    return serialize(root)


def _nav_list(parent: Element, points: list[NavPoint]) -> None:
    ol = sub(parent, "ol")
    for point in points:
        li = sub(ol, "li")
        sub(li, "a", {"href": point.href}, point.label)
        if point.children:
            _nav_list(li, point.children)


def ncx(meta: Metadata, toc: list[NavPoint], base: str = "") -> bytes:
    """The EPUB 2 table of contents, for readers that do not read the nav.

    ``base`` is the folder of the nav's links, seen from the NCX."""
    n: Callable[[str], str] = lambda tag: f"{{{NCX_NS}}}{tag}"
    root = etree.Element(n("ncx"), nsmap={None: NCX_NS})
    root.set("version", "2005-1")
    root.set(XML_LANG, meta.lang)
    head = etree.SubElement(root, n("head"))

    def depth(points: list[NavPoint]) -> int:
        return 1 + max((depth(p.children) for p in points), default=0) if points else 0

    for name, content in (
        ("dtb:uid", meta.identifier),
        ("dtb:depth", str(max(1, depth(toc)))),
        ("dtb:totalPageCount", "0"),
        ("dtb:maxPageNumber", "0"),
    ):
        m = etree.SubElement(head, n("meta"))
        m.set("name", name)
        m.set("content", content)
    etree.SubElement(etree.SubElement(root, n("docTitle")), n("text")).text = xml_safe(meta.title)
    if meta.creator:
        etree.SubElement(etree.SubElement(root, n("docAuthor")), n("text")).text = xml_safe(meta.creator)
    nav_map = etree.SubElement(root, n("navMap"))
    counter = [0]

    def add(parent: Element, points: list[NavPoint]) -> None:
        for point in points:
            counter[0] += 1
            np_ = etree.SubElement(parent, n("navPoint"))
            np_.set("id", f"np-{counter[0]}")
            np_.set("playOrder", str(counter[0]))
            label = etree.SubElement(np_, n("navLabel"))
            etree.SubElement(label, n("text")).text = xml_safe(point.label)
            etree.SubElement(np_, n("content")).set("src", base + point.href)
            add(np_, point.children)

    add(nav_map, toc)
    return _xml(root)


def zip_date(when: dt.datetime) -> tuple[int, int, int, int, int, int]:
    """``when`` as a zip entry date (zip cannot hold dates before 1980 or after 2107)."""
    when = when.astimezone(dt.UTC)
    year = min(max(when.year, 1980), 2107)
    if year != when.year:
        return (year, 1, 1, 0, 0, 0)
    return (when.year, when.month, when.day, when.hour, when.minute, when.second)


def zip_epub(entries: list[tuple[str, bytes]], when: dt.datetime) -> bytes:
    """The EPUB zip: ``mimetype`` first and stored, then ``entries`` in the given order."""
    stamp = zip_date(when)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data, method in [
            ("mimetype", b"application/epub+zip", zipfile.ZIP_STORED),
            *((n, d, zipfile.ZIP_DEFLATED) for n, d in entries),
        ]:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = method
            info.create_system = 3
            info.external_attr = 0o100644 << 16
            z.writestr(info, data, compress_type=method, compresslevel=9 if method else None)
    return buf.getvalue()
