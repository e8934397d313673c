"""Small helpers every packaged writer (EPUB, DOCX) shares: identity, time, language."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import uuid

from ..document import Document

# A fixed instant for documents with no date and no SOURCE_DATE_EPOCH, so that the
# same input always gives the same bytes.
FALLBACK_TIME = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
NAMESPACE = uuid.UUID("6f1c2d6e-8a35-5b1e-9d2f-6a6c6c657970")  # galley's own UUID namespace


def fixed_time(doc: Document) -> dt.datetime:
    """The timestamp written into packages: SOURCE_DATE_EPOCH, else the document date, else a constant."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.strip().isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC)
    if doc.meta.date:
        try:
            value = dt.datetime.fromisoformat(doc.meta.date)
        except ValueError:
            value = None
        if value is not None:
            if value.tzinfo is None:
                value = value.replace(tzinfo=dt.UTC)
            return value.astimezone(dt.UTC)
    return FALLBACK_TIME


def document_id(doc: Document) -> str:
    """A stable identifier: UUID v5 of the source URL, or, when there is none, of the
    title and the bytes the document was read from (of its tree, for a document made
    in memory). It does not depend on how galley cleans or renders: converting the
    same article again, with another version, makes the same book for a library."""
    if doc.meta.source:
        return str(uuid.uuid5(NAMESPACE, doc.meta.source))
    content = doc.raw or json.dumps(doc.tree or [], ensure_ascii=False, sort_keys=True, default=str).encode(
        "utf-8"
    )
    digest = hashlib.sha256((doc.meta.title or "").encode("utf-8") + b"\n" + content).hexdigest()
    return str(uuid.uuid5(NAMESPACE, digest))


def language(doc: Document) -> str:
    return doc.meta.lang or "en"


def is_cjk(lang: str | None) -> bool:
    return lang is not None and lang.split("-")[0].lower() in ("zh", "ja", "ko")
