"""Ideographic spaces (U+3000) that indent a paragraph go; runs inside a line become one space.

Before (``　`` is U+3000)::

    　　网络 IO 的发展过程是随着 linux 的内核演变而变化。　　阻塞 IO……

After::

    网络 IO 的发展过程是随着 linux 的内核演变而变化。 阻塞 IO……

Chinese typing indents paragraphs with two ideographic spaces; the writers indent
CJK paragraphs themselves. A single U+3000 between two characters is left alone.
This runs after the emphasis repair, which may bring two such spaces together.
"""
from __future__ import annotations

import re

from pipeline.document import Document
from pipeline.stage import Stage, StageContext
from pipeline.textscan import code_line_mask, keep_block_role

_INDENT = re.compile(r"^([ \t]*)\u3000[ \t\u3000]*")
# (a run of blanks is tried from its first one only: a long run stays linear)
_RUN = re.compile(r"(?<![ \t])[ \t]*\u3000(?:[ \t]*\u3000)+[ \t]*|(?<![ \t])[ \t]+\u3000[ \t]*|\u3000[ \t]+")


class IdeographicSpaces(Stage):
    """Remove U+3000 paragraph indents; turn runs of them inside a line into one space."""

    name = "ideographic_spaces"
    priority = 225
    scope = "text"

    def run(self, doc: Document, ctx: StageContext) -> None:
        if "\u3000" not in doc.text:
            return
        lines = doc.text.split("\n")
        code = code_line_mask(lines)
        for i, line in enumerate(lines):
            if code[i] or "\u3000" not in line:
                continue
            new = keep_block_role(line, _RUN.sub(" ", _INDENT.sub(lambda m: m.group(1), line)))
            if new != line:
                ctx.record("ideographic_space", doc.body_line + i, line, new)
                lines[i] = new
        doc.text = "\n".join(lines)
