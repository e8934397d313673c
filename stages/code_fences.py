"""Repair code fences that scraping broke, before anything reads the block structure.

Before::

    ****```
    sudo apt update
    ```

    ```
    ```

After::

    ```
    sudo apt update
    ```

Markers glued in front of a fence (``****```` ``) stop it from opening, which
turns every later fence inside out; they go. Fenced blocks with nothing inside
(empty ``` pairs that WeChat exports leave) go too.
"""
from __future__ import annotations

import re

from pipeline.codelines import FENCED, code_kinds
from pipeline.document import Document
from pipeline.stage import Stage, StageContext
from pipeline.textscan import fenced_ranges

_GLUED = re.compile(r"^( {0,3})(?:\*{2,}|_{2,})[ \t]*(?=`{3,}|~{3,})")


class CodeFences(Stage):
    """Repair fences: strip markers glued before ``` and drop empty fenced blocks."""

    name = "code_fences"
    priority = 205
    scope = "text"
    removes = frozenset({"empty_code_block"})
    # a fence that could not open pairs every later fence wrongly: repairing it
    # changes what is code below it, on purpose
    restructures = frozenset({"glued_fence_marker"})

    def run(self, doc: Document, ctx: StageContext) -> None:
        if "```" not in doc.text and "~~~" not in doc.text:
            return
        lines = doc.text.split("\n")
        base = doc.body_line
        for i, line in enumerate(lines):
            m = _GLUED.match(line)
            if m:
                lines[i] = m.group(1) + line[m.end():]
                ctx.record("glued_fence_marker", base + i, line, lines[i])
        drop: set[int] = set()
        kinds = code_kinds(lines)
        for start, end in fenced_ranges(lines):
            inside = start > 0 and kinds[start - 1] == FENCED and \
                not lines[start - 1].strip().startswith(("```", "~~~"))
            if inside or any(kinds[k] != FENCED for k in range(start, end)):
                # the fence closes a block of a list item (whose next block may open right
                # below), or the pairs read at the top are out of step: no empty block
                continue
            closed = end - start >= 2 and lines[end - 1].strip().startswith(lines[start].strip()[:3])
            inside = lines[start + 1:end - 1] if closed else lines[start + 1:end]
            if not any(ln.strip() for ln in inside):
                ctx.record("empty_code_block", base + start, "\n".join(lines[start:end]), "")
                drop.update(range(start, end))
        for k in drop:  # blank, not deleted: later line numbers stay those of the source
            lines[k] = ""
        new = "\n".join(lines)
        if new != doc.text:
            doc.text = new
