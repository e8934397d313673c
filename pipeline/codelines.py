"""Which source lines are code, wherever the code sits: at the top, in block quotes,
in list items, in Obsidian callouts, nested.

Text stages run before the parse and must never touch code. A fence inside a
quote (``> ```c``) or a list item is code as much as one at the top, and so is an
indented code block. This is a light CommonMark block scanner: it follows block
quotes, list items and footnote definitions (with lazy paragraph continuation) and
finds fenced and indented code in them, line by line, in time linear in the text.
Tables and link definitions are read as paragraphs: none of them holds code. An HTML
block that runs to a blank line holds none either, nor a fence (its lines are its
text); one that closes on its first line ends there; any other is read as a paragraph.
"""

from __future__ import annotations

import bisect
import re

from .memo import LinesMemo
from .textscan import HTML_BLOCK_TAG, HTML_WHOLE_TAG, chunk_end

_QUOTE = re.compile(r" {0,3}>")
_BULLET = re.compile(r" {0,3}([-+*])(?= |$)")
_ORDERED = re.compile(r" {0,3}(\d{1,9})([.)])(?= |$)")
_RULE = re.compile(r" {0,3}([-*_])(?: *\1){2,} *$")
_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})(.*)$")
_ATX = re.compile(r" {0,3}#{1,6}(?: |$)")
# a footnote definition (at the top): a container whose lines are indented by four
_FOOTNOTE = re.compile(r" {0,3}\[\^(?:[^\\\[\]\s]|\\.){1,500}\]:")
# an HTML block that ends on the line it starts on (CommonMark's kinds 1 to 5): what
# follows is no paragraph's continuation (``<!-- x -->`` over ``    code``)
_CLOSED_HTML = re.compile(
    r" {0,3}(?:<(script|pre|style|textarea)(?:\s|>|$).*</(?:script|pre|style|textarea)>"
    r"|<!--.*-->|<\?.*\?>|<![A-Za-z].*>|<!\[CDATA\[.*\]\]>)",
    re.I,
)

FENCED = "fenced"
INDENTED = "indented"
HTML = "html"


def _indent(s: str) -> int:
    return len(s) - len(s.lstrip(" "))


def _starts_block(rest: str, in_paragraph: bool) -> bool:
    """Would this line (inside the open containers) start a block that ends a paragraph?"""
    if not rest.strip():
        return True
    if _indent(rest) >= 4:
        return False
    if _QUOTE.match(rest) or _FENCE.match(rest) or _ATX.match(rest) or _RULE.match(rest):
        return True
    if _CLOSED_HTML.match(rest):
        return True
    return _list_marker(rest, in_paragraph) is not None


def _list_marker(rest: str, in_paragraph: bool) -> tuple[int, int] | None:
    """(marker end, content indent) of a list item starting this line, if one does."""
    m = _BULLET.match(rest) or _ORDERED.match(rest)
    if not m:
        return None
    after = rest[m.end() :]
    empty = not after.strip()
    if in_paragraph and (empty or (m.re is _ORDERED and m.group(1) != "1")):
        return None  # cannot interrupt a paragraph
    if empty:
        return m.end(), m.end() + 1
    spaces = _indent(after)
    return m.end(), m.end() + (spaces if spaces <= 4 else 1)


_KINDS = LinesMemo()


def code_kinds(lines: list[str], starts: set[int] | None = None) -> list[str | None]:
    """For each line: ``"fenced"`` (a fence line or inside one), ``"indented"`` (an
    indented code block's line), or None. With ``starts``, the first line of each
    code block is added to it: two blocks can touch (``    a`` over ``>     b``)."""
    if starts is not None:
        return _code_kinds(lines, starts)
    return _KINDS.list_of(lines, _code_kinds)


def _code_kinds(lines: list[str], starts: set[int] | None = None) -> list[str | None]:
    out: list[str | None] = [None] * len(lines)
    stack: list[int] = []  # open containers: -1 a quote, n >= 0 an item's content indent
    leaf: str | None = None  # None, "paragraph", FENCED, INDENTED
    fence: tuple[str, int] = ("", 0)
    pending_blank: list[int] = []  # blank lines inside an indented block, not yet known to be in it
    empty_item = -1  # the last line that opened a list item with nothing after its marker

    for n, raw in enumerate(lines):
        rest = raw.expandtabs(4) if "\t" in raw else raw
        matched = 0
        for want in stack:
            if want < 0:
                m = _QUOTE.match(rest)
                if not m:
                    break
                rest = rest[m.end() :]
                if rest.startswith(" "):
                    rest = rest[1:]
            elif rest.strip() and _indent(rest) < want:
                break
            else:
                rest = rest[want:] if rest.strip() else ""
            matched += 1

        if matched == len(stack):
            if leaf == FENCED:
                out[n] = FENCED
                m = _FENCE.match(rest)
                if m and m.group(1)[0] == fence[0] and len(m.group(1)) >= fence[1] and not m.group(2).strip():
                    leaf = None
                continue
            if leaf == HTML:
                if rest.strip():
                    continue
                leaf = None
            if leaf == INDENTED:
                if not rest.strip():
                    pending_blank.append(n)
                    continue
                if _indent(rest) >= 4:
                    for k in pending_blank:
                        out[k] = INDENTED
                    pending_blank = []
                    out[n] = INDENTED
                    continue
        else:
            # the paragraph is inside a container this line left: any list item starts
            # here ("2. a" over "3. b"), as it would after that container
            if leaf == "paragraph" and not _starts_block(rest, False):
                continue  # lazy continuation: the containers stay open
            if empty_item == n - 1 and not _starts_block(rest, False):
                # the tree's reader (mistune) takes the line right under an empty item's
                # marker into the item, however little it is indented ("-" over "}")
                leaf = "paragraph"
                continue
            del stack[matched:]
            if leaf == "paragraph":
                leaf = None
        if leaf in (INDENTED, FENCED, HTML):
            leaf = None
        pending_blank = []

        # new blocks on what is left of the line
        while True:
            if not rest.strip():
                if leaf == "paragraph":
                    leaf = None
                break
            if _indent(rest) >= 4:
                if leaf != "paragraph":
                    leaf = INDENTED
                    out[n] = INDENTED
                    if starts is not None:
                        starts.add(n)
                break
            m = _QUOTE.match(rest)
            if m:
                stack.append(-1)
                rest = rest[m.end() :]
                if rest.startswith(" "):
                    rest = rest[1:]
                leaf = None
                continue
            if _RULE.match(rest):
                leaf = None
                break
            m = _FOOTNOTE.match(rest) if not stack else None
            if m:
                stack.append(4)
                rest = rest[m.end() :].lstrip(" ")
                leaf = None
                continue
            marker = _list_marker(rest, leaf == "paragraph")
            if marker is not None:
                end, content = marker
                stack.append(content)
                after = rest[end:]
                if not after.strip():
                    empty_item = n
                rest = (
                    ""
                    if not after.strip()
                    else (after[content - end :] if _indent(after) <= 4 else after[1:])
                )
                leaf = None
                continue
            m = _FENCE.match(rest)
            if m and not (m.group(1)[0] == "`" and "`" in m.group(2)):
                leaf = FENCED
                fence = (m.group(1)[0], len(m.group(1)))
                out[n] = FENCED
                if starts is not None:
                    starts.add(n)
                break
            if _CLOSED_HTML.match(rest) or _ATX.match(rest):
                leaf = None
            elif HTML_BLOCK_TAG.match(rest) or (leaf != "paragraph" and HTML_WHOLE_TAG.match(rest)):
                leaf = HTML
            else:
                leaf = "paragraph"
            break
    return out


_TICKS = re.compile(r"`+")


def code_spans(lines: list[str], code: list[bool]) -> tuple[dict[int, list[tuple[int, int]]], set[int]]:
    """Where the code spans of the paragraphs (lines outside ``code``) are: for each
    line, its ``[start, end)`` character ranges inside a span (backticks included),
    and the lines whose end lies inside a span that a later line closes (their
    trailing spaces are the code's). Linear: each backtick run is looked at once."""
    ranges: dict[int, list[tuple[int, int]]] = {}
    open_ends: set[int] = set()
    i, n = 0, len(lines)
    while i < n:
        if code[i] or not lines[i].strip() or "`" not in lines[i]:
            i += 1
            continue
        # a span never runs into a block that ends the paragraph (a quote, an item)
        j = chunk_end(lines, code, i)
        _spans_in_chunk(lines, i, j, ranges, open_ends)
        i = j
    return ranges, open_ends


def _spans_in_chunk(
    lines: list[str], i: int, j: int, ranges: dict[int, list[tuple[int, int]]], open_ends: set[int]
) -> None:
    text = "\n".join(lines[i:j])
    starts = [0]
    for line in lines[i : j - 1]:
        starts.append(starts[-1] + len(line) + 1)
    runs = [(m.start(), m.end()) for m in _TICKS.finditer(text)]
    by_length: dict[int, list[int]] = {}
    for k, (a, b) in enumerate(runs):
        by_length.setdefault(b - a, []).append(k)
    cursor = dict.fromkeys(by_length, 0)
    k = 0
    while k < len(runs):
        a, b = runs[k]
        size = b - a
        if a and text[a - 1] == "\\" and not (a > 1 and text[a - 2] == "\\"):
            k += 1
            continue  # an escaped backtick opens nothing
        same = by_length[size]
        while cursor[size] < len(same) and same[cursor[size]] <= k:
            cursor[size] += 1
        if cursor[size] == len(same):
            k += 1
            continue  # never closed: literal backticks
        close = same[cursor[size]]
        end = runs[close][1]
        first = bisect.bisect_right(starts, a) - 1
        last = bisect.bisect_right(starts, end - 1) - 1
        for ln in range(first, last + 1):
            lo = max(a, starts[ln]) - starts[ln]
            hi = min(end, starts[ln] + len(lines[i + ln])) - starts[ln]
            ranges.setdefault(i + ln, []).append((lo, hi))
            if ln < last:
                open_ends.add(i + ln)
        k = close + 1
