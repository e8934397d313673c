"""Body headings start at level 2 (the title is level 1) and never skip a level.

Before::

    ### 01 破釜沉舟
    #### 1.1 造车的起点
    #### 07 小米MIX Flip

After::

    ## 01 破釜沉舟
    ### 1.1 造车的起点
    ## 07 小米MIX Flip

The outline is repaired only where it is broken, and the relation of each
heading to the one before it (deeper, same, shallower) is kept otherwise:

- the whole outline moves so that its first heading is at level 2 (H1s used as
  sections, or a document that starts at ``###``): every relation is kept;
- a heading more than one level below its parent comes one level below it
  (``# Intro`` / ``#### A`` / ``#### B``: A and B stay siblings, at ``##``);
- numbered headings written alike (``01``, ``02``… or ``1.1``, ``1.2``…) that
  follow each other with only their own subsections between them are siblings:
  scraping that put them on different levels is undone, each moving with its
  subsections; ``2.1`` at the level of ``02`` (or above it) goes below it.

Numbers that restart under another heading (``## 一、free`` / ``### 1. 语法``
after ``## 0. 引言``) are not one family. Each change is recorded:
``heading_level`` when the heading keeps its relation to the previous one,
``skipped_level`` when a skip is closed, ``numbered_family`` when numbering
decided the level.
"""
from __future__ import annotations

from typing import Any

from pipeline.document import Document
from pipeline.stage import Stage, StageContext
from pipeline.tree import inline_text

from ._numbering import SectionNumber, heading_number

Token = dict[str, Any]
MAX_ROUNDS = 4


def _subtree_end(levels: list[int], i: int, stop: int) -> int:
    """Index after the subsections of heading ``i`` (deeper headings right after it)."""
    j = i + 1
    while j < stop and levels[j] > levels[i]:
        j += 1
    return j


def _shift(levels: list[int], start: int, end: int, delta: int, moved: set[int]) -> None:
    for k in range(start, end):
        levels[k] += delta
        moved.add(k)


def align_families(levels: list[int], numbers: list[SectionNumber | None]) -> set[int]:
    """Put numbered siblings on one level, and ``x.y`` below ``x``; returns what moved.

    ``levels`` is changed in place (levels may leave 1..6 here: they are closed
    up afterwards).
    """
    moved: set[int] = set()
    depths = sorted({n.depth for n in numbers if n})
    for d in depths:
        if d > 1:
            _children_below_parents(levels, numbers, d, moved)
        _siblings_on_one_level(levels, numbers, d, moved)
    return moved


def _siblings_on_one_level(levels, numbers, d, moved) -> None:
    members = [i for i, n in enumerate(numbers) if n and n.depth == d]
    chains: list[list[int]] = []
    chain_of: dict[int, list[int]] = {}
    for n, i in enumerate(members):
        prev = next((j for j in reversed(members[:n]) if numbers[j].written_like(numbers[i])), None)
        if prev is not None and numbers[i].follows(numbers[prev]) and _only_subsections_between(levels, prev, i):
            chain = chain_of[prev]
            chain.append(i)
        else:
            chain = [i]
            chains.append(chain)
        chain_of[i] = chain
    for chain in chains:
        top = min(levels[i] for i in chain)
        for n, i in enumerate(chain):
            if levels[i] != top:
                stop = chain[n + 1] if n + 1 < len(chain) else len(levels)
                _shift(levels, i, _subtree_end(levels, i, stop), top - levels[i], moved)


def _only_subsections_between(levels: list[int], a: int, b: int) -> bool:
    """Nothing between headings ``a`` and ``b`` at their level or above: no other
    section separates them."""
    floor = min(levels[a], levels[b])
    return all(levels[k] > floor for k in range(a + 1, b))


def _children_below_parents(levels, numbers, d, moved) -> None:
    """``2.1``, ``2.2``… written at the level of ``02`` (or above) go one level below it."""
    for p, parent in enumerate(numbers):
        if not parent or parent.depth != d - 1:
            continue
        kids: list[int] = []
        for k in range(p + 1, len(numbers)):
            n = numbers[k]
            if n and n.depth < d:
                break
            if n and n.depth == d and n.parts[:-1] == parent.parts:
                kids.append(k)
        if not kids or any(levels[k] <= levels[p] for k in range(p + 1, kids[0])):
            continue  # none, or another section comes between the parent and them
        level = levels[kids[0]]
        if level > levels[p] or any(levels[k] != level for k in kids):
            continue
        end = _subtree_end(levels, kids[-1], len(levels))
        if any(levels[k] < level for k in range(kids[0], end)):
            continue  # another section sits among them: not ours to move
        _shift(levels, kids[0], end, levels[p] + 1 - level, moved)


def close_levels(levels: list[int], top: int, deepest: int = 6) -> list[int]:
    """The first heading at ``top``, each heading one below its parent.

    A heading's parent is the nearest heading before it that is shallower; a
    sibling (same level) takes its sibling's new level. Where the input has no
    skip, this only moves the whole outline; a skip (``##`` then ``####``) closes
    to one level, and a heading above the first one (it has no parent) comes to
    ``top``. Markdown has six levels: below a title at 1, a sixth nested level
    stays at ``deepest``.
    """
    out: list[int] = []
    stack: list[tuple[int, int]] = []  # (level in, level out) of the open sections
    for lvl in levels:
        while stack and stack[-1][0] > lvl:
            stack.pop()
        if stack and stack[-1][0] == lvl:
            new = stack[-1][1]
            stack[-1] = (lvl, new)
        else:
            new = min(stack[-1][1] + 1, deepest) if stack else top
            stack.append((lvl, new))
        out.append(new)
    return out


def _sign(d: int) -> int:
    return (d > 0) - (d < 0)


class HeadingLevels(Stage):
    """Start body headings at level 2, close skipped levels, align numbered families."""

    name = "heading_levels"
    priority = 350
    scope = "tree"
    defaults = {"top": 2}

    def run(self, doc: Document, ctx: StageContext) -> None:
        heads = [t for t in doc.tree or [] if t.get("type") == "heading"]
        if not heads:
            return
        old = [h["attrs"]["level"] for h in heads]
        numbers = [heading_number(inline_text(h.get("children"))) for h in heads]
        # Numbering is read on levels the previous round closed up, until they hold
        # still: the output is then a fixed point, and cleaning it changes nothing.
        new, numbered, aligned = list(old), set(), None
        for _round in range(MAX_ROUNDS):
            planned = list(new)
            moved = align_families(planned, numbers)
            closed = close_levels(planned, self.options["top"])
            numbered |= {i for i in moved if closed[i] != new[i]}
            aligned = aligned or planned  # what numbering asked for, before closing up
            if closed == new:
                break
            new = closed
        for i, (h, a, b) in enumerate(zip(heads, old, new)):
            if a == b:
                continue
            if i in numbered:
                kind = "numbered_family"
            elif any(_sign(aligned[j] - aligned[j - 1]) != _sign(new[j] - new[j - 1])
                     for j in (i, i + 1) if 0 < j < len(new)):
                kind = "skipped_level"  # closing the skip changed how it relates to a neighbour
            else:
                kind = "heading_level"
            text = inline_text(h.get("children"))
            ctx.record(kind, h.get("line"), "#" * a + " " + text, "#" * b + " " + text)
            h["attrs"]["level"] = b
