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

from ...document import Document
from ..common import fixed_time
from ..present import document_title, plain


def set_core_properties(document: Any, doc: Document, lang: str) -> None:
    cp = document.core_properties
    when = fixed_time(doc).astimezone(dt.UTC).replace(tzinfo=None)
    extra = doc.meta.extra
    cp.title = document_title(doc)[:255]
    cp.author = (plain(doc.meta.author) or "")[:255]
    cp.subject = (plain(extra.get("subject")) or plain(extra.get("description")) or "")[:255]
    cp.keywords = (plain(extra.get("keywords")) or plain(extra.get("tags")) or "")[:255]
    cp.comments = (plain(extra.get("description")) or "")[:255]
    cp.category = ""
    cp.content_status = ""
    cp.identifier = (doc.meta.source or "")[:255]
    cp.language = lang
    cp.last_modified_by = ""
    cp.version = ""
    cp.revision = 1
    cp.created = when
    cp.modified = when
    for el in list(cp._element):  # no empty elements, no lastPrinted from a template
        if el.tag.endswith("}lastPrinted") or not (el.text or "").strip():
            cp._element.remove(el)


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
