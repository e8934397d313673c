"""Make a bold paragraph that follows a section number into the heading it stands for.

Before::

    **06**

    **小米MIX Fold 4**

    小米MIX Fold 4 厚度 9.47mm……

After::

    **06**

    ## 小米MIX Fold 4

    小米MIX Fold 4 厚度 9.47mm……

The paragraph must start in bold, be short (``max_chars``), not end like a
sentence, and have something after it. When it runs over a line break, only
the first line becomes the heading; the rest stays as the paragraph under it.
The level is the one its sibling headings (those after section numbers) have.
"""

from __future__ import annotations

import itertools
from collections import Counter
from typing import Any

from pipeline.document import Document
from pipeline.numbering import SENTENCE_END, number_alone
from pipeline.stage import Stage, StageContext
from pipeline.tree import inline_text, trim_inline

Token = dict[str, Any]
_BREAKS = ("linebreak", "softbreak")


def first_line(children: list[Token]) -> tuple[list[Token], list[Token]]:
    for i, k in enumerate(children):
        if k["type"] in _BREAKS:
            return children[:i], children[i + 1 :]
    return children, []


def plain(children: list[Token]) -> list[Token]:
    """Inline children with emphasis unwrapped (a heading is emphasis enough)."""
    out: list[Token] = []
    for k in children:
        if k["type"] in ("strong", "emphasis"):
            out.extend(plain(k.get("children") or []))
        else:
            out.append(k)
    return trim_inline(out)


class PseudoHeadings(Stage):
    """Turn a short bold paragraph after a section number into a heading."""

    name = "pseudo_headings"
    priority = 320
    scope = "tree"
    restructures = frozenset({"bold_paragraph_heading"})  # a bold line after a number is its heading
    defaults = {"max_chars": 40}

    def run(self, doc: Document, ctx: StageContext) -> None:
        tree = doc.tree or []
        level = self._sibling_level(tree)
        out: list[Token] = []
        for i, tok in enumerate(tree):
            prev = tree[i - 1] if i else None
            if prev is not None and number_alone(prev) and i + 1 < len(tree):
                split = self._candidate(tok)
                if split is not None:
                    head, rest = split
                    heading = {
                        "type": "heading",
                        "attrs": {"level": level},
                        "style": "atx",
                        "children": plain(head),
                        "line": tok.get("line"),
                    }
                    ctx.record(
                        "bold_paragraph_heading",
                        tok.get("line"),
                        inline_text(tok.get("children")),
                        inline_text(heading["children"]) + ("\n" + inline_text(rest) if rest else ""),
                    )
                    out.append(heading)
                    if rest:
                        out.append({"type": "paragraph", "children": rest, "line": tok.get("line")})
                    continue
            out.append(tok)
        doc.tree = out

    def _candidate(self, tok: Token) -> tuple[list[Token], list[Token]] | None:
        if tok.get("type") != "paragraph" or number_alone(tok):
            return None  # a second number is not the title of the first
        head, rest = first_line(tok.get("children") or [])
        real = [k for k in head if not (k["type"] == "text" and not k["raw"].strip())]
        if not real or real[0]["type"] != "strong":
            return None
        if any(k["type"] in ("image", "link") for k in head):
            return None
        text = inline_text(head).strip()
        if not text or len(text) > self.options["max_chars"] or text.endswith(SENTENCE_END):
            return None
        return head, rest

    @staticmethod
    def _sibling_level(tree: list[Token]) -> int:
        levels = Counter(
            tok["attrs"]["level"]
            for prev, tok in itertools.pairwise(tree)
            if tok.get("type") == "heading" and number_alone(prev)
        )
        return levels.most_common(1)[0][0] if levels else 2
