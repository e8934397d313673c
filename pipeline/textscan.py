"""Helpers for text stages: where fenced code is, where paragraphs are, what is literal.

Text stages run before the parse, so they need a light view of block structure:
fenced code (never touched), blank-line separated chunks, and the inline spans
whose characters are not markup (code spans, link destinations, HTML tags).
"""
from __future__ import annotations

import re
from typing import Iterator

_FENCE_OPEN = re.compile(r"^ {0,3}(`{3,}|~{3,})(.*)$")


def fenced_ranges(lines: list[str]) -> list[tuple[int, int]]:
    """Line ranges [start, end) of fenced code blocks, fences included.

    An unclosed fence runs to the end of the text, as CommonMark reads it.
    """
    out: list[tuple[int, int]] = []
    i, n = 0, len(lines)
    while i < n:
        m = _FENCE_OPEN.match(lines[i])
        if m and not (m.group(1)[0] == "`" and "`" in m.group(2)):
            char, size = m.group(1)[0], len(m.group(1))
            close = re.compile(r"^ {0,3}" + re.escape(char) + "{" + str(size) + r",}[ \t]*$")
            j = i + 1
            while j < n and not close.match(lines[j]):
                j += 1
            out.append((i, min(j + 1, n)))
            i = j + 1
            continue
        i += 1
    return out


def code_line_mask(lines: list[str]) -> list[bool]:
    mask = [False] * len(lines)
    for a, b in fenced_ranges(lines):
        for k in range(a, b):
            mask[k] = True
    return mask


def chunks(lines: list[str]) -> Iterator[tuple[int, int]]:
    """Line ranges [start, end) of blank-line separated chunks outside fenced code."""
    mask = code_line_mask(lines)
    i, n = 0, len(lines)
    while i < n:
        if mask[i] or not lines[i].strip():
            i += 1
            continue
        j = i
        while j < n and not mask[j] and lines[j].strip():
            j += 1
        yield i, j
        i = j


_PROTECTED = re.compile(
    r"(?<!`)(?P<ticks>`+)(?!`).*?(?<!`)(?P=ticks)(?!`)"                # code span
    + r"|\]\((?:[^()\s]|\([^()\s]*\))*(?:\s+\"[^\"\n]*\")?\)"      # link destination
    + r"|<[A-Za-z][A-Za-z0-9.+-]{1,31}:[^<>\s]*>"                  # autolink
    + r"|</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>"                 # HTML tag
    + r"|\\.",                                                      # backslash escape
    re.S,
)


def protected_spans(text: str) -> list[tuple[int, int]]:
    """Character ranges whose content is literal (not emphasis markup)."""
    return [m.span() for m in _PROTECTED.finditer(text)]


def in_spans(pos: int, spans: list[tuple[int, int]]) -> bool:
    for a, b in spans:
        if a <= pos < b:
            return True
        if a > pos:
            return False
    return False


_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]")
_CODE_CHARS = re.compile(r"[{};=<>$]|^\s*(?://|#include|def |class |return\b)", re.M)


def is_cjk_prose(text: str) -> bool:
    """Mostly CJK and nothing that looks like code: prose, even when indented."""
    letters = [ch for ch in text if not ch.isspace()]
    if not letters:
        return False
    return len(_CJK.findall(text)) / len(letters) >= 0.3 and not _CODE_CHARS.search(text)
