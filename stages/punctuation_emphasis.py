"""Bold or italics around punctuation alone loses its markers.

Before::

    __#__ and **，** and *“*

After::

    \\# and ， and “

Scraped pages bold a lone quotation mark or comma (WeChat quote boxes,
highlighted code); nothing is emphasized by it. That debris comes from Chinese
editors: in a page without CJK text only non-ASCII marks are unwrapped. The emphasis repair does the
same for ``**`` before the parse; this catches every marker kind in the tree.
"""

from __future__ import annotations

import re
from typing import Any

from pipeline.document import Document
from pipeline.stage import Stage, StageContext
from pipeline.textscan import CJK
from pipeline.tree import inline_text, iter_inline_lists, merge_text, walk

Token = dict[str, Any]
_MARKS = ("strong", "emphasis")


def _bare(tok: Token) -> bool:
    kids = tok.get("children") or []
    if any(k["type"] not in ("text", "strong", "emphasis", "inline_html", "softbreak") for k in kids):
        return False
    text = inline_text(kids)
    tags = any(k["type"] == "inline_html" for k in walk(kids))
    if text.strip() and not text.strip(" *_"):
        return False  # emphasis of the markers themselves takes escapes: written on purpose
    return (bool(text.strip()) or tags) and not any(ch.isalnum() for ch in text)


_OPERATOR = re.compile(r"[=+\-*/%<>!&|^~?:.]{1,3}")


def _operator(children: list[Token], k: int) -> bool:
    """``演算子 **=** は``: an operator in bold standing as a word between spaces is the
    author's emphasis of that token, not a scraped quote box."""
    if not _OPERATOR.fullmatch(inline_text(children[k].get("children"))):
        return False
    before = inline_text(children[:k])
    after = inline_text(children[k + 1 :])
    if not (before.strip() or after.strip()):
        return False  # alone in its paragraph: nothing it operates on
    return before[-1:] in ("", " ", "\t", "\n") and after[:1] in ("", " ", "\t", "\n")


class PunctuationEmphasis(Stage):
    """Remove bold or italic markers around punctuation only (**“**, __#__)."""

    name = "punctuation_emphasis"
    priority = 302
    scope = "tree"

    def run(self, doc: Document, ctx: StageContext) -> None:
        # The debris comes from Chinese editors (WeChat's): in a page with no CJK text,
        # only emphasis around non-ASCII marks (“ ” ，) is theirs; ``*-*`` or
        # ``**(:**`` in an English page is the author's markup.
        self._ascii_too = bool(CJK.search(doc.text))
        for block, line in iter_inline_lists(doc.tree or []):
            kids = block.get("children") or []
            new = self._unwrap(kids, ctx, line)
            if new is not kids:
                block["children"] = new

    def _unwrap(self, children: list[Token], ctx: StageContext, line: int | None) -> list[Token]:
        out: list[Token] = []
        touched = False
        for k, tok in enumerate(children):
            if (
                tok["type"] in _MARKS
                and _bare(tok)
                and (self._ascii_too or not inline_text(tok.get("children")).isascii())
                and not _operator(children, k)
            ):
                text = inline_text(tok.get("children"))
                ctx.record("punctuation_only_emphasis", line, text, text)
                out.extend(self._unwrap(list(tok.get("children") or []), ctx, line))
                touched = True
                continue
            if tok.get("children") and tok["type"] not in ("link", "image"):
                inner = self._unwrap(tok["children"], ctx, line)
                if inner is not tok["children"]:
                    tok["children"] = inner
            out.append(tok)
        return merge_text(out) if touched else children
