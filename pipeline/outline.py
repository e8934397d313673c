"""The outline of a document as a list of heading levels, and how to repair it.

Shared by the heading stages: ``heading_levels`` applies the plan, and
``heading_subtitles`` asks it where two headings will end up. Each heading
relates to the one before it (deeper, same level, shallower); the plan keeps
that relation except where the outline is broken (see ``plan_levels``).

Section numbers are passed in as objects with ``depth``, ``parts``,
``written_like(other)`` and ``follows(other)`` (or None for an unnumbered heading).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

MAX_ROUNDS = 4


class Number(Protocol):
    parts: tuple[int, ...]

    @property
    def depth(self) -> int: ...

    def written_like(self, other: Any) -> bool: ...

    def follows(self, other: Any) -> bool: ...


@dataclass
class Plan:
    """New levels, and each round of the repair: the levels it started from, what
    numbering asked for, and what closing up made of that."""

    levels: list[int]
    rounds: list[tuple[list[int], list[int], list[int]]]

    def why(self, j: int) -> str | None:
        """What changed the relation of heading ``j`` to the one before it:
        "numbering", "top" (it rose above the outline's first level), "skip", or None."""
        if not 0 < j < len(self.levels):
            return None
        steps = [
            step for start, aligned, closed in self.rounds for step in ((start, aligned), (aligned, closed))
        ]
        moved = [(a, b) for a, b in steps if sign(a[j] - a[j - 1]) != sign(b[j] - b[j - 1])]
        if not moved:
            return None
        if any(a is start for a, _b in moved for start, _al, _cl in self.rounds):
            return "numbering"
        if any(a[j] < min(a[:j]) for a, _b in moved):
            return "top"
        return "skip"


def plan_levels(levels: Sequence[int], numbers: Sequence[Number | None], top: int = 2) -> Plan:
    """Repair an outline: numbered families aligned, then closed up from ``top``.

    Numbering is read on levels the previous round closed up, until they hold
    still: the result is then a fixed point, and planning it again changes nothing.
    """
    new, rounds = list(levels), []
    for _round in range(MAX_ROUNDS):
        planned = list(new)
        align_families(planned, numbers)
        closed = close_levels(planned, top)
        rounds.append((new, planned, closed))
        if closed == new:
            break
        new = closed
    return Plan(new, rounds)


def sign(d: int) -> int:
    return (d > 0) - (d < 0)


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


def align_families(levels: list[int], numbers: Sequence[Number | None]) -> set[int]:
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


def _siblings_on_one_level(
    levels: list[int], numbers: Sequence[Number | None], d: int, moved: set[int]
) -> None:
    number = {i: n for i, n in enumerate(numbers) if n and n.depth == d}
    members = list(number)
    chains: list[list[int]] = []
    chain_of: dict[int, list[int]] = {}
    for n, i in enumerate(members):
        prev = next((j for j in reversed(members[:n]) if number[j].written_like(number[i])), None)
        if (
            prev is not None
            and number[i].follows(number[prev])
            and _only_subsections_between(levels, prev, i)
        ):
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


def _children_below_parents(
    levels: list[int], numbers: Sequence[Number | None], d: int, moved: set[int]
) -> None:
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
        delta = levels[p] + 1 - level
        if max(levels[kids[0] : end]) + delta > 6:
            continue  # Markdown has no level to put their deepest subsections on
        _shift(levels, kids[0], end, delta, moved)


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
