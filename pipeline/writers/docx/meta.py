"""Metadata: core and custom document properties.

The title block at the start of the document is the one every format shows
(``present.title_block``); each item takes the paragraph style of its kind, which
pandoc's DOCX reader also takes as metadata: ``Title``, ``Subtitle``, ``Author``,
``Date``, ``Source``.

Core properties: title, creator, subject (``subject``, else ``description``),
keywords (``tags``/``keywords``), language, created = modified = ``fixed_time``.
The source URL is also the ``dc:identifier`` and a custom property ``source``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from lxml.etree import SubElement

from ...document import Document
from ..common import fixed_time
from ..present import document_title, plain
from . import opc
from .ooxml import qn

# python-docx's core property names, their elements, in the order they are set
_CORE = (
    ("title", "dc:title"),
    ("author", "dc:creator"),
    ("subject", "dc:subject"),
    ("keywords", "cp:keywords"),
    ("comments", "dc:description"),
    ("category", "cp:category"),
    ("content_status", "cp:contentStatus"),
    ("identifier", "dc:identifier"),
    ("language", "dc:language"),
    ("last_modified_by", "cp:lastModifiedBy"),
    ("version", "cp:version"),
    ("revision", "cp:revision"),
)


def set_core_properties(document: Any, doc: Document, lang: str) -> None:
    when = fixed_time(doc).astimezone(dt.UTC).replace(tzinfo=None)
    extra = doc.meta.extra
    values: dict[str, Any] = {
        "title": document_title(doc)[:255],
        "author": (plain(doc.meta.author) or "")[:255],
        "subject": (plain(extra.get("subject")) or plain(extra.get("description")) or "")[:255],
        "keywords": (plain(extra.get("keywords")) or plain(extra.get("tags")) or "")[:255],
        "comments": (plain(extra.get("description")) or "")[:255],
        "category": "",
        "content_status": "",
        "identifier": (doc.meta.source or "")[:255],
        "language": lang,
        "last_modified_by": "",
        "version": "",
        "revision": 1,
        "created": when,
        "modified": when,
    }
    if isinstance(document, opc.Document):
        _write_core(document.core_element(), values)
        return
    cp = document.core_properties
    for name, value in values.items():
        setattr(cp, name, value)
    for el in list(cp._element):  # no empty elements, no lastPrinted from a template
        if el.tag.endswith("}lastPrinted") or not (el.text or "").strip():
            cp._element.remove(el)


def _write_core(root: Any, values: dict[str, Any]) -> None:
    """The core properties into an empty ``cp:coreProperties``, as python-docx writes them:
    in the order set, none empty, dates W3CDTF in UTC."""
    for name, tag in _CORE:
        text = str(values[name])
        if text.strip():
            SubElement(root, qn(tag)).text = text
    for name in ("created", "modified"):
        el = SubElement(root, qn(f"dcterms:{name}"))
        el.text = values[name].strftime("%Y-%m-%dT%H:%M:%SZ")
        el.set(qn("xsi:type"), "dcterms:W3CDTF")


def custom_properties(doc: Document) -> dict[str, str]:
    """String properties kept in docProps/custom.xml: the source and other metadata."""
    props: dict[str, str] = {}
    if doc.meta.source:
        props["source"] = doc.meta.source
    if doc.meta.date:
        props["date"] = str(doc.meta.date)
    for key, value in doc.meta.extra.items():
        text = plain(value) if not isinstance(value, dict) else None
        name = str(key).strip()
        if text and name and name not in props and len(props) < 64:
            props[name[:255]] = text[:4000]
    return props
