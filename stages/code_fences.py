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
(``pipeline.codelike``), it goes. Code pasted without fences, lines that start
with a tab or a zero-width space right under a paragraph and read as code
(``​	callback->cb_fn = cb;``), is fenced, its Markdown escapes (``\\#``) undone.
"""
from __future__ import annotations

import re

from pipeline.codelike import code_likeness
from pipeline.codelines import FENCED, code_kinds
from pipeline.document import Document
from pipeline.stage import Stage, StageContext
from pipeline.textscan import code_line_mask, fenced_ranges

_GLUED = re.compile(r"^( {0,3})(?:\*{2,}|_{2,})[ \t]*(?=`{3,}|~{3,})")
_FENCE = re.compile(r"^ {0,3}(?:`{3,}|~{3,})")
_BARE_FENCE = re.compile(r"^ {0,3}(?:`{3,}|~{3,})[ \t]*$")
_TAB_CODE = re.compile(r"^[\u200b\u2060\ufeff]*\t|^[\u200b\u2060\ufeff]+ {2,}")
_INVISIBLE = re.compile(r"^[\u200b\u2060\ufeff]+")
_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
_LIST_OR_QUOTE = re.compile(r"^ {0,3}(?:[-+*]|\d{1,9}[.)])[ \t]|^ {0,3}>")
#: a stray fence is taken out only when that moves this much code-likeness
_MARGIN = 2.0
_MAX_CANDIDATES = 16


class CodeFences(Stage):
    """Repair fences: strip markers glued before ``` and drop empty fenced blocks."""

    name = "code_fences"
    priority = 205
    scope = "text"
    removes = frozenset({"empty_code_block"})
    # a fence that could not open pairs every later fence wrongly: repairing it
    # changes what is code below it, on purpose
    restructures = frozenset({"glued_fence_marker", "stray_fence", "unfenced_code"})

    def run(self, doc: Document, ctx: StageContext) -> None:
        if "\t" in doc.text or "\u200b" in doc.text:
            self._fence_pasted_code(doc, ctx)
        if "```" not in doc.text and "~~~" not in doc.text:
            return
        lines = doc.text.split("\n")
        base = doc.body_line
        for i, line in enumerate(lines):
            m = _GLUED.match(line)
            if m:
                lines[i] = m.group(1) + line[m.end():]
                ctx.record("glued_fence_marker", base + i, line, lines[i])
        for _ in range(3):  # one stray fence after another: each is taken out on its own evidence
            stray = _stray_fence(lines)
            if stray is None:
                break
            ctx.record("stray_fence", base + stray, lines[stray], "")
            del lines[stray]  # a blank line there would be one more line of the code
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

    @staticmethod
    def _fence_pasted_code(doc: Document, ctx: StageContext) -> None:
        """Lines that start with a tab (or a zero-width space) right under a paragraph
        line and read as code: a block of code the page lost its fences for."""
        lines = doc.text.split("\n")
        code = code_line_mask(lines)
        out: list[str] = []
        i, n = 0, len(lines)
        changed = False
        while i < n:
            j = i
            while j < n and not code[j] and _TAB_CODE.match(lines[j]):
                j += 1
            prev = out[-1] if out else ""
            run = lines[i:j]
            if j - i >= 2 and prev.strip() and not _LIST_OR_QUOTE.match(prev) and not prev.startswith(
                    (" ", "\t")) and _reads_as_code(run):
                body = [_ESCAPE.sub(r"\1", _INVISIBLE.sub("", ln)[1:] if _INVISIBLE.sub("", ln)[:1] == "\t"
                                    else _INVISIBLE.sub("", ln).strip()) for ln in run]
                block = ["", "```", *body, "```", ""]
                ctx.record("unfenced_code", doc.body_line + i, "\n".join(run), "\n".join(block).strip("\n"))
                out.extend(block)
                i = j
                changed = True
                continue
            out.append(lines[i])
            i += 1
        if changed:
            doc.text = "\n".join(out)


def _reads_as_code(run: list[str]) -> bool:
    scores = [code_likeness(_INVISIBLE.sub("", ln).lstrip()) for ln in run]
    return sum(1 for s in scores if s > 0.3) * 3 >= len(scores) * 2 and not any(s < -0.3 for s in scores)


def _partition_score(lines: list[str], scores: list[float], skip: int | None) -> float:
    """Code-likeness inside the fences minus code-likeness outside them, the line
    ``skip`` taken out (``scores``: each line's code-likeness, 0 for a fence)."""
    kept = lines if skip is None else lines[:skip] + [""] + lines[skip + 1:]
    total = sum(scores) - (scores[skip] if skip is not None else 0.0)
    inside = 0.0
    for start, end in fenced_ranges(kept):
        inside += sum(scores[k] for k in range(start + 1, end) if k != skip)
    return 2 * inside - total


def _stray_fence(lines: list[str]) -> int | None:
    """The bare fence line next to another fence whose removal pairs the fences as
    the blocks' contents say (None when no removal wins by the margin)."""
    candidates: list[int] = []
    for i, line in enumerate(lines):
        if _BARE_FENCE.match(line) and (
                i > 0 and _FENCE.match(lines[i - 1]) or i + 1 < len(lines) and _FENCE.match(lines[i + 1])):
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
