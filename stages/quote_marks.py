"""Put a quotation mark left alone in its own paragraph back onto the text it quotes.

Before::

    “

    大家好！今天是我的第5次年度演讲，欢迎大家！

    ……谢谢大家！

    ”

After::

    “大家好！今天是我的第5次年度演讲，欢迎大家！

    ……谢谢大家！”

WeChat's quote boxes print the opening and closing marks as paragraphs of their
own (often in bold, which the emphasis repair already took off). An opening mark
joins the start of the next paragraph, a closing mark the end of the previous one,
inside block quotes too. In a block quote whose marks frame a list or code, the
marks are the box's decoration, which the quote already shows: they go.
"""

from __future__ import annotations

from typing import Any

from pipeline.document import Document
from pipeline.stage import Stage, StageContext
from pipeline.tree import CONTAINERS, inline_text, merge_text

Token = dict[str, Any]
OPENING = set("“‘「『《")
CLOSING = set("”’」』》")
_PARAGRAPHS = ("paragraph", "block_text")


def _lone_mark(tok: Token) -> str | None:
    if tok.get("type") not in _PARAGRAPHS:
        return None
    kids = tok.get("children") or []
    # (a line break at the paragraph's edge is nothing a reader sees)
    if any(k["type"] not in ("text", "strong", "emphasis", "linebreak", "softbreak") for k in kids):
        return None
    text = inline_text(kids).strip()
    return text if len(text) == 1 and text in OPENING | CLOSING else None


def _has_text(tok: Token) -> bool:
    return tok.get("type") in _PARAGRAPHS and bool(inline_text(tok.get("children")).strip())


class QuoteMarks(Stage):
    """Join a quotation mark that stands alone in a paragraph to the text it opens or closes."""

    name = "quote_marks"
    # after the stages that turn headings into paragraphs (subtitles) or remove them (the title)
    priority = 347
    scope = "tree"
    removes = frozenset({"quote_box_mark"})

    def run(self, doc: Document, ctx: StageContext) -> None:
        doc.tree = self.fix(doc.tree or [], ctx, None, in_quote=False)

    def fix(self, tokens: list[Token], ctx: StageContext, line: int | None, in_quote: bool) -> list[Token]:
        out: list[Token] = []
        pending: tuple[str, int | None] | None = None

        def leave_alone(mark: str, at: int | None) -> None:
            # in a block quote the box's marks are decoration the quote already shows
            if in_quote:
                ctx.record("quote_box_mark", at, mark, "")
            else:
                out.append({"type": "paragraph", "children": [{"type": "text", "raw": mark}], "line": at})

        for tok in tokens:
            at = tok.get("line", line)
            if tok.get("type") in CONTAINERS and tok.get("children"):
                tok["children"] = self.fix(
                    tok["children"], ctx, at, in_quote or tok.get("type") == "block_quote"
                )
            mark = _lone_mark(tok)
            if mark in OPENING and pending is None:
                pending = (mark, at)
                continue
            if mark in CLOSING and pending is None:
                if out and _has_text(out[-1]):
                    prev = out[-1]
                    prev["children"] = merge_text([*prev["children"], {"type": "text", "raw": mark}])
                    ctx.record("closing_quote_joined", at, mark, mark)
                    continue
                if in_quote and tok is tokens[-1]:
                    leave_alone(mark, at)
                    continue
            if pending is not None:
                if _has_text(tok):
                    tok["children"] = merge_text([{"type": "text", "raw": pending[0]}, *tok["children"]])
                    ctx.record("opening_quote_joined", pending[1], pending[0], pending[0])
                else:
                    leave_alone(*pending)
                pending = None
            out.append(tok)
        if pending is not None:
            leave_alone(*pending)
        return out
