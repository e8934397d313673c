"""Section numbers as scraped articles write them (shared by the heading stages).

``01``, ``1.1``, ``2.``, ``3、``, ``第4章``, ``五、``, ``Part 2``: a number that
stands for a section, alone in its paragraph or at the start of a heading.
"""
from __future__ import annotations

import re
import unicodedata
from typing import Any

from pipeline.tree import inline_text

_CN_DIGITS = "一二三四五六七八九十百零〇"
NUMBER = (r"(?:第\s*[0-9" + _CN_DIGITS + r"]{1,4}\s*[章节部分篇讲回]"
          r"|[0-9]{1,3}(?:\.[0-9]{1,3}){0,3}\.?|[" + _CN_DIGITS + r"]{1,3}"
          r"|(?:part|chapter|section)\s+[0-9ivx]{1,4})")
# (blanks taken possessively: "1", a long run of spaces and a word is not retried per space)
_ALONE = re.compile(r"^\s*(" + NUMBER + r")\s*+[、.:：)）]?\s*+$", re.I)
# "1.2 标题", "4.1标题" (dotted numbers may touch the text), "3、标题", "10 标题"
_LEADING = re.compile(r"^\s*(?:([0-9]{1,3}(?:\.[0-9]{1,3}){1,3})\.?\s*|([0-9]{1,3})(?:[.、)）]\s*|\s+))(?=\S)")
SENTENCE_END = tuple("。！？!?；;，,：:…")


def number_alone(block: dict[str, Any]) -> str | None:
    """The number when a paragraph holds nothing but a section number.

    ``1.`` alone reads as an empty ordered list; that counts too.
    """
    if block.get("type") == "list" and (block.get("attrs") or {}).get("ordered"):
        items = block.get("children") or []
        if len(items) == 1 and not items[0].get("children"):
            delim = block.get("bullet") if block.get("bullet") in (".", ")") else "."
            return f"{(block.get('attrs') or {}).get('start', 1)}{delim}"
        return None
    if block.get("type") not in ("paragraph", "block_text"):
        return None
    kids = block.get("children") or []
    if any(k["type"] in ("image", "link", "codespan") for k in kids):
        return None
    text = unicodedata.normalize("NFKC", inline_text(kids)).strip()
    m = _ALONE.match(text)
    return m.group(1) if m else None


def leading_number(text: str) -> str | None:
    """``1.2`` in ``1.2 特种兵调研``; None when the text does not start with a number."""
    m = _LEADING.match(unicodedata.normalize("NFKC", text))
    return (m.group(1) or m.group(2)) if m else None


def depth(number: str) -> int:
    return number.rstrip(".").count(".") + 1


_PREFIX = re.compile(r"^\s*(?:[0-9]{1,3}(?:\.[0-9]{1,3}){0,3}|[" + _CN_DIGITS + r"]{1,3})[.、)）:：]?\s*$")


def is_number_prefix(text: str) -> bool:
    """``1、`` or ``3.1`` written before a heading's text."""
    return bool(_PREFIX.match(unicodedata.normalize("NFKC", text)))
