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

A clipper's stray fence (a bare ``` right after another fence) pairs every later
fence wrongly: prose shows as code and code as prose. Where dropping one such
line puts clearly more code inside the fences and more prose outside them
(``pipeline.codelike``), it goes.
"""

from __future__ import annotations

import re

from pipeline.codelike import code_likeness
from pipeline.codelines import FENCED, code_kinds
from pipeline.document import Document
from pipeline.stage import Stage, StageContext
from pipeline.textscan import fenced_ranges

_GLUED = re.compile(r"^( {0,3})(?:\*{2,}|_{2,})[ \t]*(?=`{3,}|~{3,})")
_FENCE = re.compile(r"^ {0,3}(?:`{3,}|~{3,})")
_BARE_FENCE = re.compile(r"^ {0,3}(?:`{3,}|~{3,})[ \t]*$")
#: a stray fence is taken out only when that moves this much code-likeness
_MARGIN = 2.0
_MAX_CANDIDATES = 16


class CodeFences(Stage):
    """Repair fences: markers glued before ```, stray fences that pair the rest wrongly, empty blocks."""

    name = "code_fences"
    priority = 205
    scope = "text"
    removes = frozenset({"empty_code_block"})
    # a fence that could not open pairs every later fence wrongly: repairing it
    # changes what is code below it, on purpose
    restructures = frozenset({"glued_fence_marker", "stray_fence"})

    def run(self, doc: Document, ctx: StageContext) -> None:
        if "```" not in doc.text and "~~~" not in doc.text:
            return
        lines = doc.text.split("\n")
        base = doc.body_line
        for i, line in enumerate(lines):
            m = _GLUED.match(line)
            if m:
                lines[i] = m.group(1) + line[m.end() :]
                ctx.record("glued_fence_marker", base + i, line, lines[i])
        for _ in range(3):  # one stray fence after another: each is taken out on its own evidence
            stray = _stray_fence(lines)
            if stray is None:
                break
            ctx.record("stray_fence", base + stray, lines[stray], "")
            del lines[stray]  # a blank line there would be one more line of the code
        drop: set[int] = set()
        for start, end, closed in _fenced_blocks(lines):
            inside = lines[start + 1 : end - 1] if closed else lines[start + 1 : end]
            if not any(ln.strip() for ln in inside):
                ctx.record("empty_code_block", base + start, "\n".join(lines[start:end]), "")
                drop.update(range(start, end))
        for k in drop:  # blank, not deleted: later line numbers stay those of the source
            lines[k] = ""
        new = "\n".join(lines)
        if new != doc.text:
            doc.text = new


def _reader_blocks(lines: list[str]) -> list[tuple[int, int, bool]]:
    """The fenced blocks as a reader reads them, in quotes and list items too: (start,
    end, closed), ``end`` where the block's lines end (after its closing fence, or at
    the end of its container or of the text)."""
    starts: set[int] = set()
    kinds = code_kinds(lines, starts)
    out: list[tuple[int, int, bool]] = []
    for start in sorted(starts):
        m = _MARKER.search(lines[start])
        if kinds[start] != FENCED or not m:
            continue
        end = start + 1
        while end < len(lines) and kinds[end] == FENCED and end not in starts:
            end += 1
        last = _CLOSING.match(lines[end - 1]) if end - start >= 2 else None
        fence = m.group(0)
        closed = last is not None and last.group(1)[0] == fence[0] and len(last.group(1)) >= len(fence)
        out.append((start, end, closed))
    return out


def _fenced_blocks(lines: list[str]) -> list[tuple[int, int, bool]]:
    """The reader's fenced blocks whose fence lines hold nothing else: a block opened
    or closed on a line with a container's marker (a quote's ``>``, an item's ``-``)
    is left out, as that line cannot go."""
    return [
        (start, end, closed)
        for start, end, closed in _reader_blocks(lines)
        if _OWN_FENCE.match(lines[start]) and (not closed or _OWN_FENCE.match(lines[end - 1]))
    ]


def _fence_lines(lines: list[str]) -> set[int]:
    """The lines a reader takes as fences, opening or closing a block (a fence line
    inside a longer fence's block is the block's text)."""
    out: set[int] = set()
    for start, end, closed in _reader_blocks(lines):
        out.add(start)
        if closed:
            out.add(end - 1)
    return out


#: a fence line with nothing but blanks before its marker
_OWN_FENCE = re.compile(r"^[ \t]*(`{3,}|~{3,})(.*)$")
_MARKER = re.compile(r"`{3,}|~{3,}")
_CLOSING = re.compile(r"^[ \t>]*(`{3,}|~{3,})[ \t]*$")


def _partition_score(lines: list[str], scores: list[float], skip: int | None) -> float:
    """Code-likeness inside the fences minus code-likeness outside them, the line
    ``skip`` taken out (``scores``: each line's code-likeness, 0 for a fence)."""
    kept = lines if skip is None else [*lines[:skip], "", *lines[skip + 1 :]]
    total = sum(scores) - (scores[skip] if skip is not None else 0.0)
    inside = 0.0
    for start, end in fenced_ranges(kept):
        inside += sum(scores[k] for k in range(start + 1, end) if k != skip)
    return 2 * inside - total


def _stray_fence(lines: list[str]) -> int | None:
    """The bare fence line next to another fence whose removal pairs the fences as
    the blocks' contents say (None when no removal wins by the margin)."""
    candidates: list[int] = []
    # the reader's fences only: a bare fence inside a longer fence's block is its text
    fences = _fence_lines(lines)
    for i, line in enumerate(lines):
        before = i > 0 and _FENCE.match(lines[i - 1]) and i - 1 in fences
        after = i + 1 < len(lines) and _FENCE.match(lines[i + 1]) and i + 1 in fences
        if _BARE_FENCE.match(line) and i in fences and (before or after):
            candidates.append(i)
            if len(candidates) >= _MAX_CANDIDATES:
                break
    if not candidates:
        return None
    scores = [0.0 if _FENCE.match(line) else code_likeness(line) for line in lines]
    base = _partition_score(lines, scores, None)
    best, best_gain = None, _MARGIN
    for i in reversed(candidates):  # of two, the later: the earlier may carry the language
        gain = _partition_score(lines, scores, i) - base
        if gain > best_gain:
            best, best_gain = i, gain
    return best
