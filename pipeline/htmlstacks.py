"""The two lists html5lib's tree builder keeps, answering its questions without walking.

html5lib finds out whether a ``<p>`` is "in button scope" (asked at every block start
tag), whether an element is open, which insertion mode to return to, and which
formatting elements match a new one, by walking its stack of open elements or its
list of active formatting elements. A page of nested ``<div>``s, ``<span>``s or
``<b class=…>``s thus took time in the square of its depth. These lists keep, as
entries are pushed and popped at their ends, where each name, element and scope
boundary stands, and answer the same questions in constant time. Any other change
(the adoption agency moving entries about) has the positions found again on the
next question, at the cost of one walk, which that change already spent.
"""

from __future__ import annotations

import bisect
from typing import Any

from html5lib.constants import namespaces
from html5lib.treebuilders.base import ActiveFormattingElements, Marker, listElementsMap

HTML = namespaces["html"]
_TOP_DOWN = slice(None, None, -1)
#: the insertion mode the parser returns to after the element of that name
#: (html5lib's ``resetInsertionMode``)
RESET_MODES = {
    "select": "inSelect",
    "td": "inCell",
    "th": "inCell",
    "tr": "inRow",
    "tbody": "inTableBody",
    "thead": "inTableBody",
    "tfoot": "inTableBody",
    "caption": "inCaption",
    "colgroup": "inColumnGroup",
    "table": "inTable",
    "head": "inBody",
    "body": "inBody",
    "frameset": "inFrameset",
    "html": "beforeHead",
}
RESET_NAMES = tuple((HTML, name) for name in RESET_MODES)


class _Indexed(list[Any]):
    """A list that notes entries pushed and popped at its end; any other change
    marks the notes stale, to be made again when next asked."""

    _stale = False

    def _rebuild(self) -> None:
        raise NotImplementedError

    def _fresh(self) -> None:
        if self._stale:
            self._rebuild()

    def remove(self, value: Any) -> None:
        self._stale = True
        super().remove(value)

    def insert(self, index: Any, value: Any) -> None:
        self._stale = True
        super().insert(index, value)

    def __setitem__(self, index: Any, value: Any) -> None:
        self._stale = True
        super().__setitem__(index, value)

    def __delitem__(self, index: Any) -> None:
        self._stale = True
        super().__delitem__(index)

    def extend(self, values: Any) -> None:
        self._stale = True
        super().extend(values)

    def clear(self) -> None:
        self._stale = True
        super().clear()

    def __iadd__(self, values: Any) -> Any:  # type: ignore[misc]
        self._stale = True
        return super().__iadd__(values)

    def __getitem__(self, index: Any) -> Any:
        # html5lib walks its lists down from the top as ``for x in stack[::-1]``,
        # a copy of the whole list each time (at every end tag of an inline element).
        # Each such walk changes the list only right before it stops: an iterator
        # gives the same entries without the copy.
        if isinstance(index, slice) and index == _TOP_DOWN:
            return reversed(self)
        return super().__getitem__(index)


class OpenElements(_Indexed):
    """The stack of open elements, with the order keys of each name, each element and
    each kind of scope boundary. A key orders an entry among the others and stays
    with it while entries below it are removed or inserted, so that a change in the
    middle (the adoption agency's) updates the notes instead of making them again."""

    def __init__(self) -> None:
        super().__init__()
        self._rebuild()

    def _rebuild(self) -> None:
        self._stale = False
        self._keys: list[float] = []
        self._at: dict[float, Any] = {}
        self._named: dict[tuple[str, str], list[float]] = {}
        self._nodes: dict[int, list[float]] = {}
        self._bounds: dict[str | None, list[float]] = {v: [] for v in listElementsMap}
        for i, node in enumerate(self):
            self._keys.append(float(i))
            self._note(float(i), node)
        self._next = float(len(self))

    def _tables(self, node: Any) -> list[list[float]]:
        """The lists of keys that hold ``node``'s key."""
        tables = [self._named.setdefault(node.nameTuple, []), self._nodes.setdefault(id(node), [])]
        for variant, (names, invert) in listElementsMap.items():
            if invert ^ (node.nameTuple in names):
                tables.append(self._bounds[variant])
        return tables

    def _note(self, key: float, node: Any) -> None:
        self._at[key] = node
        for keys in self._tables(node):
            if not keys or keys[-1] < key:
                keys.append(key)
            else:
                bisect.insort(keys, key)

    def _forget(self, key: float, node: Any) -> None:
        del self._at[key]
        for keys in self._tables(node):
            if keys[-1] == key:
                keys.pop()
            else:
                keys.remove(key)
        if not self._named[node.nameTuple]:
            del self._named[node.nameTuple]
        if not self._nodes[id(node)]:
            del self._nodes[id(node)]

    def append(self, node: Any) -> None:
        super().append(node)
        if not self._stale:
            key = self._next
            self._next += 1
            self._keys.append(key)
            self._note(key, node)

    def pop(self, index: Any = -1) -> Any:
        node = super().pop(index)
        if not self._stale:
            self._forget(self._keys.pop(index), node)
        return node

    def remove(self, value: Any) -> None:
        self.pop(self.index(value))

    def __delitem__(self, index: Any) -> None:
        if isinstance(index, int):
            self.pop(index)
        else:
            super().__delitem__(index)

    def insert(self, index: Any, value: Any) -> None:
        if self._stale:
            return super().insert(index, value)
        n = len(self)
        i = max(0, min(n, index + n if index < 0 else index))
        list.insert(self, i, value)
        if i == n:
            key = self._next
            self._next += 1
        elif i == 0:
            key = self._keys[0] - 1
        else:
            key = (self._keys[i - 1] + self._keys[i]) / 2
            if not self._keys[i - 1] < key < self._keys[i]:  # no room left between them
                self._stale = True
                return
        self._keys.insert(i, key)
        self._note(key, value)

    def __setitem__(self, index: Any, value: Any) -> None:
        if self._stale or not isinstance(index, int):
            return super().__setitem__(index, value)
        key = self._keys[index]
        self._forget(key, self[index])
        list.__setitem__(self, index, value)
        self._note(key, value)

    def __contains__(self, node: object) -> bool:
        self._fresh()
        return id(node) in self._nodes

    def in_scope(self, target: Any, variant: str | None) -> bool:
        """html5lib's ``elementInScope``: walking down from the top, the element (or
        one of that name, for a name tuple) comes before any boundary of the scope."""
        self._fresh()
        places = self._nodes.get(id(target)) if hasattr(target, "nameTuple") else self._named.get(target)
        if not places:
            return False
        bounds = self._bounds[variant]
        return not bounds or places[-1] >= bounds[-1]

    def topmost(self, names: tuple[tuple[str, str], ...]) -> Any:
        """The highest element with one of ``names``, other than the bottom one
        (a fragment's root); None if there is none."""
        self._fresh()
        key = max((self._named[n][-1] for n in names if n in self._named), default=None)
        if key is None or not self or key == self._keys[0]:
            return None
        return self._at[key]


#: a stretch of the formatting list between markers: sameness -> entries, name -> entries
_Stretch = tuple[dict[tuple[Any, ...], list[Any]], dict[str, list[Any]]]


def _same(node: Any) -> tuple[Any, ...]:
    """What makes two formatting elements the same for the "Noah's Ark" clause."""
    return node.nameTuple, frozenset(node.attributes.items())


class ActiveFormatting(ActiveFormattingElements, _Indexed):
    """The list of active formatting elements, with the entries after each marker
    by name and by sameness (each kept in list order)."""

    def __init__(self) -> None:
        super().__init__()
        self._rebuild()

    def _rebuild(self) -> None:
        self._stale = False
        #: per stretch between markers: sameness -> entries, name -> entries
        self._stretches: list[_Stretch] = [({}, {})]
        #: the stretch each entry is in, by id
        self._home: dict[int, _Stretch] = {}
        for entry in self:
            self._note(entry)

    def _note(self, entry: Any) -> None:
        if entry is Marker:
            self._stretches.append(({}, {}))
            return
        stretch = self._home[id(entry)] = self._stretches[-1]
        same, named = stretch
        same.setdefault(_same(entry), []).append(entry)
        named.setdefault(entry.name, []).append(entry)

    def _forget(self, entry: Any) -> None:
        same, named = self._home.pop(id(entry))
        tables: tuple[tuple[dict[Any, list[Any]], Any], ...] = ((same, _same(entry)), (named, entry.name))
        for table, key in tables:
            entries = table[key]
            if entries[-1] is entry:
                entries.pop()
            else:
                entries.remove(entry)
            if not entries:
                del table[key]

    def append(self, node: Any) -> None:
        """html5lib's step: a fourth formatting element the same as three after the
        last marker takes the place of the earliest of those three."""
        self._fresh()
        if node is not Marker:
            equal = self._stretches[-1][0].get(_same(node), [])
            if len(equal) >= 3:
                gone = equal[-3]
                self._forget(gone)
                list.remove(self, gone)
        list.append(self, node)
        self._note(node)

    def pop(self, index: Any = -1) -> Any:
        top = index in (-1, len(self) - 1)
        entry = list.pop(self, index)
        if self._stale:
            pass
        elif entry is Marker:
            if top and len(self._stretches) > 1:
                self._stretches.pop()
            else:
                self._stale = True
        elif top:
            self._forget(entry)
        else:
            self._stale = True
        return entry

    def remove(self, value: Any) -> None:
        list.remove(self, value)
        if self._stale or value is Marker:
            self._stale = True
        else:
            self._forget(value)

    def __setitem__(self, index: Any, value: Any) -> None:
        old = self[index] if isinstance(index, int) else None
        list.__setitem__(self, index, value)
        if self._stale or old is None or old is Marker or value is Marker or _same(old) != _same(value):
            self._stale = True
            return
        # the same kind of entry in the same place: it takes the old one's place
        stretch = self._home.pop(id(old))
        self._home[id(value)] = stretch
        same, named = stretch
        for entries in (same[_same(old)], named[old.name]):
            entries[len(entries) - 1 - entries[::-1].index(old)] = value

    def last_named(self, name: str) -> Any:
        """html5lib's ``elementInActiveFormattingElements``: the last entry of that
        name after the last marker, or False."""
        self._fresh()
        found = self._stretches[-1][1].get(name)
        return found[-1] if found else False
