"""Results remembered for the text they were worked out from."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

#: texts remembered (the text stages ask about the same lines several times a round:
#: the repairs, the heading and link stages, the line repair)
MEMO_TEXTS = 4
#: a text of more lines than this is not remembered (its lines would be kept alive)
MEMO_MAX_LINES = 1 << 17


class LinesMemo:
    """The last few results of a function of a list of lines, by the lines' values."""

    def __init__(self) -> None:
        self.results: dict[tuple[str, ...], tuple[object, ...]] = {}

    def key(self, lines: list[str]) -> tuple[str, ...] | None:
        return tuple(lines) if len(lines) <= MEMO_MAX_LINES else None

    def get(self, key: tuple[str, ...] | None) -> tuple[object, ...] | None:
        return self.results.get(key) if key is not None else None

    def put(self, key: tuple[str, ...] | None, result: tuple[object, ...]) -> None:
        if key is None:
            return
        while len(self.results) >= MEMO_TEXTS:
            self.results.pop(next(iter(self.results)), None)
        self.results[key] = result

    def list_of(self, lines: list[str], compute: Callable[[list[str]], Iterable[Any]]) -> list[Any]:
        """``compute(lines)`` as a new list (the caller may change it), worked out once
        for the last few texts."""
        key = self.key(lines)
        known = self.get(key)
        if known is None:
            known = tuple(compute(lines))
            self.put(key, known)
        return list(known)
