"""Small, in-place corrections of the PDF LibreOffice writes, none moving a byte.

LibreOffice gives the document (the catalog's ``/Lang``) the language of its Latin
text: a Chinese document, whose Latin runs are English (see ``docx.styles.languages``),
would be announced as English. The catalog's entry is rewritten in place, padded with
spaces, so that no offset of the cross-reference table changes.
"""

from __future__ import annotations

import re

_LANG = re.compile(rb"/Lang\(([A-Za-z0-9-]*)\)")


def set_language(pdf: bytes, tag: str) -> bytes:
    """``pdf`` with the catalog's ``/Lang`` set to ``tag``, when it fits in place."""
    start = pdf.find(b"/Type/Catalog")
    if start < 0:
        return pdf
    end = pdf.find(b"endobj", start)
    if end < 0:
        return pdf
    m = _LANG.search(pdf, start, end)
    new = tag.encode("ascii", "ignore")
    if m is None or not re.fullmatch(rb"[A-Za-z0-9-]+", new) or len(new) > len(m.group(1)):
        return pdf
    entry = b"/Lang(" + new + b")" + b" " * (len(m.group(1)) - len(new))
    return pdf[: m.start()] + entry + pdf[m.end() :]
