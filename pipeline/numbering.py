"""Section numbers as scraped articles write them (shared by the heading stages).

``01``, ``1.1``, ``2.``, ``3、``, ``第4章``, ``五、``, ``Part 2``: a number that
stands for a section, alone in its paragraph or at the start of a heading.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from pipeline.tree import inline_text

_CN_DIGITS = "一二三四五六七八九十百零〇"
NUMBER = (
    r"(?:第\s*[0-9" + _CN_DIGITS + r"]{1,4}\s*[章节部分篇讲回]"
    r"|[0-9]{1,3}(?:\.[0-9]{1,3}){0,3}\.?|[" + _CN_DIGITS + r"]{1,3}"
    r"|(?:part|chapter|section)\s+[0-9ivx]{1,4})"
)
# (blanks taken possessively: "1", a long run of spaces and a word is not retried per space)
_ALONE = re.compile(r"^\s*(" + NUMBER + r")\s*+[、.:：)）]?\s*+$", re.I)
# "1.2 标题", "4.1标题" (dotted numbers may touch the text), "3、标题", "10 标题"
_LEADING = re.compile(
    r"^\s*(?:([0-9]{1,3}(?:\.[0-9]{1,3}){1,3})\.?\s*"
    r"|([0-9]{1,3})(?:[.、)）]\s*|\s+))(?=\S)"
)
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


@dataclass(frozen=True)
class SectionNumber:
    """A heading's leading number: its parts (``2.1`` is ``(2, 1)``) and how it is written.

    Two numbers are written alike when they have the same depth and delimiter
    (``1.`` / ``1、`` / ``1)`` / ``1 ``) and compatible padding (``01`` and ``1`` are
    not; ``10`` goes with either): only numbers written alike count as one family.
    """

    parts: tuple[int, ...]
    delimiter: str
    padding: str  # "zero" (01), "none" (1), "any" (10)

    @property
    def depth(self) -> int:
        return len(self.parts)

    def written_like(self, other: SectionNumber) -> bool:
        return (
            self.depth == other.depth
            and self.delimiter == other.delimiter
            and (self.padding == other.padding or "any" in (self.padding, other.padding))
        )

    def follows(self, other: SectionNumber) -> bool:
        """A later number of the same list: same parent, greater last part (``1.3`` after ``1.2``)."""
        return (
            self.written_like(other)
            and self.parts[:-1] == other.parts[:-1]
            and self.parts[-1] > other.parts[-1]
        )


_HEADING_NUMBER = re.compile(
    r"^\s*(?:([0-9]{1,3}(?:\.[0-9]{1,3}){1,3})(\.?)\s*|([0-9]{1,3})([.、)）]|\s)\s*)(?=\S)"
)


def heading_number(text: str) -> SectionNumber | None:
    """The section number a heading starts with (``2.1 安装``, ``01 破釜沉舟``, ``3、结论``)."""
    m = _HEADING_NUMBER.match(unicodedata.normalize("NFKC", text))
    if not m:
        return None
    digits = m.group(1) or m.group(3)
    delimiter = m.group(2) if m.group(1) else m.group(4)
    delimiter = "" if delimiter.isspace() else delimiter.replace("）", ")")
    first = digits.split(".")[0]
    padding = "zero" if len(first) > 1 and first[0] == "0" else "none" if len(first) == 1 else "any"
    return SectionNumber(tuple(int(p) for p in digits.split(".")), delimiter, padding)


_PREFIX = re.compile(r"^\s*(?:[0-9]{1,3}(?:\.[0-9]{1,3}){0,3}|[" + _CN_DIGITS + r"]{1,3})[.、)）:：]?\s*$")


def is_number_prefix(text: str) -> bool:
    """``1、`` or ``3.1`` written before a heading's text."""
    return bool(_PREFIX.match(unicodedata.normalize("NFKC", text)))
