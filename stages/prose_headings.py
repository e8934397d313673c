"""A "heading" that is a whole sentence of prose goes back to being a paragraph.

Before (a paragraph followed by a ``---`` line reads as a setext heading)::

    **声明：** 该公众号大部分文章来自作者日常学习笔记，……与文章作者和本公众号无关。
    ---

After::

    **声明：** 该公众号大部分文章来自作者日常学习笔记，……与文章作者和本公众号无关。

    ---

Only a setext heading underlined with ``---`` is read this way: longer than
``max_chars`` and ending like a sentence (。！？.!?), it is prose, and the line was
meant as a separator, which stays as a thematic break. A heading written with
``#`` marks, or one that starts with a section number (``3.2.2 rule_delete…``),
is a heading the author meant, however long.
"""
from __future__ import annotations

from pipeline.document import Document
from pipeline.numbering import leading_number
from pipeline.stage import Stage, StageContext
from pipeline.tree import inline_text

_SENTENCE_END = tuple("。！？!?.…")


class ProseHeadings(Stage):
    """Turn a long sentence over a --- line (read as a heading) back into a paragraph and rule."""

    name = "prose_headings"
    priority = 312
    scope = "tree"
    restructures = frozenset({"prose_heading"})  # a sentence over a --- line was never a heading
    defaults = {"max_chars": 60}

    def run(self, doc: Document, ctx: StageContext) -> None:
        out = []
        for tok in doc.tree or []:
            if self._prose(tok):
                text = inline_text(tok.get("children")).strip()
                ctx.record("prose_heading", tok.get("line"), text, text)
                out.append({"type": "paragraph", "children": tok.get("children") or [],
                            "line": tok.get("line")})
                out.append({"type": "thematic_break", "line": tok.get("line")})
                continue
            out.append(tok)
        doc.tree = out

    def _prose(self, tok) -> bool:
        if tok.get("type") != "heading" or tok.get("style") != "setext" or tok["attrs"]["level"] != 2:
            return False
        text = inline_text(tok.get("children")).strip()
        return (len(text) > self.options["max_chars"] and text.endswith(_SENTENCE_END)
                and not leading_number(text))
