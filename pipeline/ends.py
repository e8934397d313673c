"""Where two sequences differ: how far they agree from the start and from the end.

Comparing the common ends first keeps a comparison of two long documents with one
change linear; only what lies between is looked at closely.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def common_ends(a: Sequence[Any], b: Sequence[Any]) -> tuple[int, int]:
    """(items equal at the start, items equal at the end after those), of ``a`` and ``b``."""
    n = min(len(a), len(b))
    head = 0
    while head < n and a[head] == b[head]:
        head += 1
    tail = 0
    while tail < n - head and a[-1 - tail] == b[-1 - tail]:
        tail += 1
    return head, tail
