"""Cap how deep lists and block quotes nest, before the parse.

The parser reads a container's content again at each level (a quote 2,000 levels deep
is read twenty times over) and stops nesting at twenty levels, leaving the deeper
markers as literal text; the writers recurse once per level too. So, just before the
parse, a line nested deeper than ``MAX_DEPTH`` containers (list items and quotes) is
flattened: the levels between the deepest allowed one and the line's own innermost
container are taken out of its prefix. Deeper items become siblings at the deepest
level, deeper quotes merge into it; every letter stays.

Before (``MAX_DEPTH`` 3)::

    - a
      - b
        - c
          - d
            text of d

After::

    - a
      - b
        - c
        - d
          text of d

The document gets one warning, and one change (``nesting/deep_nesting``) per line,
whose ``before`` is the prefix taken out.

The scan is a light reading of CommonMark's container rules (quote markers, list
markers and their content indent, lazy continuation lines, fenced and indented code),
linear in the text; it only has to be right about lines nested deeper than the cap.
"""

from __future__ import annotations

import bisect
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .document import Document

#: lists and quotes nested deeper than this are flattened (the parser's own limit is 20)
MAX_DEPTH = 16

_QUOTE = re.compile(r" {0,3}>[ ]?")
_QUOTE_RUN = re.compile(r"(?: {0,3}> ?)*")
_ITEM = re.compile(r"( {0,3})([-+*]|\d{1,9}[.)])( *)$|( {0,3})([-+*]|\d{1,9}[.)])( +)")
_RULE = re.compile(r" {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")
_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})")
_NOT_PARAGRAPH = re.compile(r" {0,3}(?:#{1,6}(?:[ \t]|$)|<)")
_LEAD = re.compile(r"[ \t>*+\-.)0-9]*")
_INDENTED = re.compile(r" {4}")
_SPACES = re.compile(r" *")
#: reversed line: the longest tail made of one of - * _ and blanks (a rule can only sit there)
_RULE_TAIL = re.compile(r"[ \t]*(?:([-*_])(?:[ \t]*\1)*[ \t]*)?")

QUOTE = 0  # a container is QUOTE or the content width of a list item (> 0)


def _end(pattern: re.Pattern[str], text: str, pos: int = 0) -> int:
    """Where ``pattern``, which matches the empty string too, stops matching from ``pos``."""
    m = pattern.match(text, pos)
    assert m is not None
    return m.end()


def cap_nesting(doc: Document, max_depth: int = MAX_DEPTH) -> None:
    """Flatten lines of ``doc.text`` nested deeper than ``max_depth``; warn and record."""
    text = doc.text
    if not re.search(rf"(?m)^[ \t>*+\-.)0-9]{{{max_depth}}}", text):
        return  # no line has a prefix long enough to nest that deep
    lines = text.split("\n")
    dropped = flatten(lines, max_depth)
    if not dropped:
        return
    from .document import Change

    deepest = max(depth for _, _, depth in dropped)
    for n, prefix, _depth in dropped:
        doc.changes.append(Change("nesting", "deep_nesting", doc.body_line + n, prefix, ""))
    first = doc.body_line + dropped[0][0]
    doc.warn(
        f"nesting: lists and quotes nested {deepest} deep flattened to {max_depth} "
        f"levels on {len(dropped)} lines (from line {first})"
    )
    doc.text = "\n".join(lines)


def flatten(lines: list[str], max_depth: int = MAX_DEPTH) -> list[tuple[int, str, int]]:
    """Flatten ``lines`` in place; (line index, prefix taken out, depth) of each change."""
    stack: list[int] = []  # open containers: QUOTE or an item's content width
    cum: list[int] = [0]  # cum[k]: the item widths of stack[:k] added up
    quotes: list[int] = []  # indexes of the quotes in ``stack``
    items: list[int] = []  # indexes of the list items in ``stack``
    fence: tuple[int, str, int] | None = None  # (level, character, length) of open code
    paragraph = False  # is a paragraph open (lazy lines continue it)?
    out: list[tuple[int, str, int]] = []
    for n, line in enumerate(lines):
        lead = _end(_LEAD, line)
        exp = line[:lead].expandtabs(4) + line[lead:] if "\t" in line[:lead] else line
        end = len(exp.rstrip())
        if not end:
            keep = quotes[0] if quotes else len(stack)
            del stack[keep:], cum[keep + 1 :], quotes[:], items[bisect.bisect_left(items, keep) :]
            if fence and fence[0] > keep:
                fence = None
            paragraph = False
            continue
        # 1. the open containers this line continues; levels are counted, and only the
        # start of the level at the cap and of the last one kept
        levels = _Levels(max_depth)
        pos = i = 0
        while i < len(stack):
            if stack[i] == QUOTE:
                q = bisect.bisect_left(items, i)
                j = items[q] if q < len(items) else len(stack)  # the quotes i..j-1 in a row
                took, pos = levels.quotes(i, j - i, exp, pos)
                if not took:
                    break
                i += took
                if i < j:
                    break
                continue
            q = bisect.bisect_left(quotes, i)
            j = quotes[q] if q < len(quotes) else len(stack)  # the items i..j-1 in a row
            if pos >= end:  # the rest is blank: every item goes on
                levels.run(i, j, pos, cum, blank=True)
                i = j
                continue
            room = _end(_SPACES, exp, pos) - pos
            t = bisect.bisect_right(cum, cum[i] + room, i, j + 1) - 1
            levels.run(i, t, pos, cum)
            pos += cum[t] - cum[i]
            if t < j:
                break
            i = j
        matched = levels.count
        if fence and matched >= fence[0]:
            closing = r" {0,3}" + re.escape(fence[1]) + "{" + str(fence[2]) + r",}[ \t]*$"
            if re.compile(closing).match(exp, pos):
                fence = None
            out += _cut(lines, n, exp, levels, max_depth)
            continue
        fence = None
        # 2. the containers it opens (none on a lazy continuation line)
        opened: list[int] = []
        lazy = paragraph and matched < len(stack) and _lazy(exp, pos)
        rule_from = len(exp) - _end(_RULE_TAIL, exp[::-1]) if not lazy else len(exp)
        while not lazy:
            if _INDENTED.match(exp, pos) and (opened or not paragraph):
                break  # indented code
            took, pos = levels.quotes(matched + len(opened), len(exp), exp, pos)
            if took:
                opened += [QUOTE] * took
                continue
            if pos >= rule_from and _RULE.match(exp, pos):
                break
            m = _ITEM.match(exp, pos)
            if not m:
                break
            if m.group(2) is not None:  # an empty item: the marker ends the line
                width = len(m.group(1)) + len(m.group(2)) + 1
                stop = m.end()
            else:
                spaces = len(m.group(6))
                width = len(m.group(4)) + len(m.group(5)) + (spaces if spaces <= 4 else 1)
                stop = m.start(6) + (spaces if spaces <= 4 else 1)
            levels.add(matched + len(opened), pos)
            opened.append(width)
            pos = stop
        if not lazy:
            del stack[matched:], cum[matched + 1 :]
            while quotes and quotes[-1] >= matched:
                quotes.pop()
            while items and items[-1] >= matched:
                items.pop()
            for kind in opened:
                (quotes if kind == QUOTE else items).append(len(stack))
                stack.append(kind)
                cum.append(cum[-1] + kind)
        f = _FENCE.match(exp, pos)
        if f and not lazy and not (f.group(1)[0] == "`" and "`" in exp[f.end() :]):
            fence = (len(stack), f.group(1)[0], len(f.group(1)))
            paragraph = False
        elif _INDENTED.match(exp, pos) and (opened or not paragraph):
            paragraph = False  # indented code
        else:
            paragraph = pos < end and not _RULE.match(exp, pos) and not _NOT_PARAGRAPH.match(exp, pos)
        out += _cut(lines, n, exp, levels, max_depth)
    return out


class _Levels:
    """The container levels a line's prefix holds: how many, and where the level at
    the cap and the last one start."""

    def __init__(self, max_depth: int):
        self.cap = max_depth - 1
        self.count = 0
        self.at_cap = self.last = 0

    def add(self, index: int, pos: int) -> None:
        if index == self.cap:
            self.at_cap = pos
        self.last = pos
        self.count = index + 1

    def quotes(self, i: int, most: int, exp: str, pos: int) -> tuple[int, int]:
        """Quote markers from ``pos`` as levels i, i+1... (``most`` at most): how many,
        and where the text after them starts."""
        run = exp[pos : _end(_QUOTE_RUN, exp, pos)]
        took = min(run.count(">"), most)
        if not took:
            return 0, pos
        if i <= self.cap < i + took:
            self.at_cap = pos + _after_quotes(run, self.cap - i)
        self.last = pos + _after_quotes(run, took - 1)
        self.count = i + took
        return took, pos + _after_quotes(run, took)

    def run(self, i: int, j: int, pos: int, cum: list[int], blank: bool = False) -> None:
        """Item levels i..j-1 in a row from ``pos`` (taking no room when ``blank``)."""
        if j <= i:
            return
        start = (lambda k: pos) if blank else (lambda k: pos + cum[k] - cum[i])
        if i <= self.cap < j:
            self.at_cap = start(self.cap)
        self.last = start(j - 1)
        self.count = j


def _after_quotes(run: str, k: int) -> int:
    """Where the text after the first ``k`` quote markers of ``run`` starts."""
    if not k:
        return 0
    at = len(">".join(run.split(">", k)[:k]))  # the k-th ">"
    return at + 2 if run.startswith(" ", at + 1) else at + 1


def _lazy(exp: str, pos: int) -> bool:
    """Could this line continue an open paragraph lazily (no block starts on it)?"""
    return not (
        _RULE.match(exp, pos)
        or _FENCE.match(exp, pos)
        or _NOT_PARAGRAPH.match(exp, pos)
        or _QUOTE.match(exp, pos)
        or _ITEM.match(exp, pos)
    )


def _cut(lines: list[str], n: int, exp: str, levels: _Levels, max_depth: int) -> list[tuple[int, str, int]]:
    """Take the levels past the cap (all but the innermost) out of line ``n``'s prefix."""
    if levels.count <= max_depth:
        return []
    a, b = levels.at_cap, levels.last
    if a == b:
        return []  # the deep levels take no room on this line (it is blank past them)
    lines[n] = exp[:a] + exp[b:]
    return [(n, exp[a:b], levels.count)]
