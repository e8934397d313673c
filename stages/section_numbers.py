"""Merge a section-number paragraph into the heading that follows it.

Before::

    **01**

    ### 破釜沉舟

After::

    ### 01 破釜沉舟

A heading that already starts with a number keeps it, and the paragraph stays.
"""

from __future__ import annotations

from pipeline.document import Document
from pipeline.numbering import leading_number, number_alone
from pipeline.stage import Stage, StageContext
from pipeline.tree import inline_text, merge_text


class SectionNumbers(Stage):
    """Merge a paragraph holding only a section number (**01**) into the next heading."""

    name = "section_numbers"
    priority = 325
    scope = "tree"
    restructures = frozenset({"section_number_merged"})  # the number joins its heading

    def run(self, doc: Document, ctx: StageContext) -> None:
        tree = doc.tree or []
        out = []
        i = 0
        while i < len(tree):
            tok = tree[i]
            number = number_alone(tok)
            nxt = tree[i + 1] if i + 1 < len(tree) else None
            if number and nxt is not None and nxt.get("type") == "heading":
                kids = nxt.get("children") or []
                before = inline_text(kids)
                # A heading that has its number already keeps it: a second number
                # paragraph before it is not its number (and merging it would make
                # cleaning the output merge again: "## 8 1 结").
                if not leading_number(before):
                    nxt["children"] = merge_text([{"type": "text", "raw": number + " "}, *kids])
                    ctx.record(
                        "section_number_merged",
                        tok.get("line"),
                        number + "\n" + before,
                        inline_text(nxt["children"]),
                    )
                    i += 1
                    continue
            out.append(tok)
            i += 1
        doc.tree = out
