"""Metadata: the title block at the start, core and custom document properties.

Title block (styles pandoc's DOCX reader also takes as metadata)::

    Title      the title
    Subtitle   meta.extra subtitle, when there is one
    Author     the author
    Date       the date, written the way the language writes dates
    Source     the source URL, as a hyperlink

Core properties: title, creator, subject (``subject``, else ``description``),
keywords (``tags``/``keywords``), language, created = modified = ``fixed_time``.
The source URL is also the ``dc:identifier`` and a custom property ``source``.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from ...document import Document
from ..common import fixed_time, title

DATE_FORMATS = {
    "zh": "{y}年{m}月{d}日", "ja": "{y}年{m}月{d}日", "ko": "{y}년 {m}월 {d}일",
    "de": "{d}. {month} {y}", "fr": "{d} {month} {y}",
}
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")
SOURCE_LABEL = {"zh": "来源：", "ja": "出典：", "ko": "출처: "}


def display_date(value: str | None, lang: str) -> str | None:
    """A date for people: 2024年7月20日, July 20, 2024; the value itself if unparseable."""
    if not value:
        return None
    try:
        d = dt.datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
    except ValueError:
        try:
            d = dt.datetime.fromisoformat(str(value).strip()[:10])
        except ValueError:
            return str(value)
    code = lang.split("-")[0].lower()
    if code in ("zh", "ja", "ko"):
        return DATE_FORMATS[code].format(y=d.year, m=d.month, d=d.day)
    return f"{MONTHS[d.month - 1]} {d.day}, {d.year}"


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, (list, tuple)):
        parts = [str(v).strip() for v in value if v is not None and str(v).strip()]
        return ", ".join(parts) or None
    s = str(value).strip()
    return s or None


def subtitle(doc: Document) -> str | None:
    return _text(doc.meta.extra.get("subtitle"))


def title_block(doc: Document, lang: str) -> list[tuple[str, str, str | None]]:
    """(style, text, link) of each title block paragraph, in order."""
    out: list[tuple[str, str, str | None]] = [("Title", title(doc), None)]
    sub = subtitle(doc)
    if sub:
        out.append(("Subtitle", sub, None))
    author = _text(doc.meta.author)
    if author:
        out.append(("Author", author, None))
    date = display_date(doc.meta.date, lang)
    if date:
        out.append(("Date", date, None))
    if doc.meta.source:
        label = SOURCE_LABEL.get(lang.split("-")[0].lower(), "Source: ")
        out.append(("Source", label + doc.meta.source, doc.meta.source))
    return out


def set_core_properties(document: Any, doc: Document, lang: str) -> None:
    cp = document.core_properties
    when = fixed_time(doc).astimezone(dt.timezone.utc).replace(tzinfo=None)
    extra = doc.meta.extra
    cp.title = title(doc)[:255]
    cp.author = (_text(doc.meta.author) or "")[:255]
    cp.subject = (_text(extra.get("subject")) or _text(extra.get("description")) or "")[:255]
    cp.keywords = (_text(extra.get("keywords")) or _text(extra.get("tags")) or "")[:255]
    cp.comments = (_text(extra.get("description")) or "")[:255]
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
        text = _text(value) if not isinstance(value, dict) else None
        name = str(key).strip()
        if text and name and name not in props and len(props) < 64:
            props[name[:255]] = text[:4000]
    return props
