"""The structure guard: what the stages did to the document's shape, and who did it.

Like mdformat's equality check, the guard compares the document before the stages
with the document after them, block by block:

- the outline shape: each heading's relation (deeper, sibling, shallower) to the
  heading before it, and headings that stopped being headings;
- the contents of code blocks and code spans;
- the shape of tables (rows x columns) and the item count of lists;
- link and image targets, and the footnote definitions.

"Before" is the body as the parser reads it once the front matter is off, before
any repair; "after" is the tree the writers get. A stage may change any of these
on purpose only through a change kind it declares (``Stage.removes``: the text is
debris, ``Stage.restructures``: the structure is the repair); every other
difference is a warning ``structure changed`` naming the stage, the kind of its
change at that place, and the line.

It stays cheap: every stage leaves a small signature (tuples, no copies of the
tree), and the text stages' outputs are only parsed again when the net result
differs and a difference has to be traced to the stage that made it.
"""

from __future__ import annotations

import bisect
import itertools
import time
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from .document import Change
from .ends import common_ends
from .textkeep import significant

Token = dict[str, Any]
Item = tuple[Any, Any]  # (comparable key, top-level line)

#: past this many pairs, differing items are not aligned one by one
MAX_ALIGNMENT = 250_000
#: how far ahead a heading whose words changed is looked for
OUTLINE_WINDOW = 200
#: text states the guard may parse again per document to trace differences to their
#: stages, counted in copies of the document (at least TRACE_MIN_CHARS characters);
#: past that, the change records around a difference tell
TRACE_PARSES = 12
TRACE_MIN_CHARS = 4_000_000
#: text states longer than this (characters) are kept compressed
PACK_CHARS = 1 << 18
#: categories in the order they are reported
CATEGORIES = ("heading", "code", "code span", "table", "list", "link", "image", "footnote")


@dataclass(frozen=True)
class Signature:
    """The parts of a tree's shape the guard compares, each a sequence of items."""

    items: dict[str, tuple[Item, ...]]
    #: (level, text, line) of every heading, in document order
    headings: tuple[tuple[int, str, Any], ...]
    #: sorted top-level block start lines (where each block ends)
    starts: tuple[int, ...]


@dataclass
class Difference:
    category: str
    what: str
    #: the region where it happened, in the lines of the "before" and "after" states
    #: (None: nothing there on that side, for an insertion or a removal)
    before: tuple[float, float] | None
    after: tuple[float, float] | None
    line: int | None
    #: for the outline: which heading (and the one before it) the difference is about
    subject: tuple[str, ...] = ()

    def touches(self, line: int | None) -> bool:
        if line is None:
            return True
        return any(span[0] <= line <= span[1] for span in (self.before, self.after) if span)


@dataclass
class Finding:
    """A structure change no stage declared."""

    stage: str
    kind: str
    line: int | None
    category: str
    what: str

    def message(self) -> str:
        where = f" (line {self.line})" if self.line else ""
        return f"structure changed: {self.stage}/{self.kind}{where}: {self.what}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "stage": self.stage,
            "kind": self.kind,
            "line": self.line,
            "category": self.category,
            "what": self.what,
        }


# -- signatures ------------------------------------------------------------------------


def _short(s: str, n: int = 40) -> str:
    s = " ".join(s.split())
    return s if len(s) <= n else s[: n - 1] + "…"


def _inline_words(children: list[Token] | None) -> str:
    parts: list[str] = []
    stack = list(reversed(children or []))
    while stack:
        tok = stack.pop()
        t = tok.get("type")
        if t in ("text", "codespan"):
            parts.append(tok.get("raw", ""))
        elif t != "image" and isinstance(tok.get("children"), list):
            stack.extend(reversed(tok["children"]))
    return "".join(parts)


#: tokens that hold nothing the signature takes (most of a tree: passed over first)
_LEAVES = frozenset({"text", "softbreak", "linebreak"})


#: tokens that hold nothing the signature takes but may hold tokens that do
_PASS = frozenset(
    {
        "paragraph",
        "block_text",
        "emphasis",
        "strong",
        "list_item",
        "task_list_item",
        "block_quote",
        "strikethrough",
        "table_head",
        "table_body",
        "table_row",
        "table_cell",
    }
)


def signature(tree: Sequence[Token] | None) -> Signature:
    """The signature of a tree (iterative: a 10,000-deep quote is no recursion)."""
    code: list[Item] = []
    spans: list[Item] = []
    tables: list[Item] = []
    lists: list[Item] = []
    links: list[Item] = []
    images: list[Item] = []
    notes: list[Item] = []
    headings: list[tuple[int, str, Any]] = []
    starts: list[int] = []
    leaves, passing = _LEAVES, _PASS
    for top in tree or ():
        line = top.get("line")
        if isinstance(line, int):
            starts.append(line)
        stack = [top]
        pop, extend = stack.pop, stack.extend
        while stack:
            tok = pop()
            t = tok.get("type")
            if t in leaves:
                continue
            if t not in passing:
                if t == "codespan":
                    spans.append((tok.get("raw", ""), line))
                    continue
                if t == "block_code":
                    info = ((tok.get("attrs") or {}).get("info") or "").split()
                    code.append(((info[0] if info else "", tok.get("raw", "")), line))
                    continue
                if t == "link":
                    links.append(((tok.get("attrs") or {}).get("url", ""), line))
                elif t == "heading":
                    level = int((tok.get("attrs") or {}).get("level") or 0)
                    headings.append((level, _inline_words(tok.get("children")), line))
                elif t == "image":
                    images.append(((tok.get("attrs") or {}).get("url", ""), line))
                elif t == "list":
                    ordered = bool((tok.get("attrs") or {}).get("ordered"))
                    lists.append(((ordered, len(tok.get("children") or ())), line))
                elif t == "table":
                    rows = cols = 0
                    for part in tok.get("children") or ():
                        if part.get("type") == "table_head":
                            rows += 1
                            cols = max(cols, len(part.get("children") or ()))
                        else:
                            for row in part.get("children") or ():
                                rows += 1
                                cols = max(cols, len(row.get("children") or ()))
                    tables.append(((rows, cols), line))
                elif t == "footnote_item":
                    notes.append((str((tok.get("attrs") or {}).get("key", "")), line))
            kids = tok.get("children")
            if isinstance(kids, list):
                extend(reversed(kids))
    items = {
        "code": tuple(code),
        "code span": tuple(spans),
        "table": tuple(tables),
        "list": tuple(lists),
        "link": tuple(links),
        "image": tuple(images),
        "footnote": tuple(notes),
    }
    return Signature(items, tuple(headings), tuple(sorted(set(starts))))


# -- differences -----------------------------------------------------------------------


def _block_end(starts: tuple[int, ...], line: Any) -> float:
    """The last line of the top-level block starting at ``line``."""
    if not isinstance(line, int):
        return float("inf")
    k = bisect.bisect_right(starts, line)
    return starts[k] - 1 if k < len(starts) else float("inf")


def _region(items: Sequence[Item], starts: tuple[int, ...], i1: int, i2: int) -> tuple[float, float]:
    """The lines of the blocks holding items [i1, i2); for none (an insertion), the
    lines between the unchanged items around the place."""
    if i2 > i1:
        lo, hi = items[i1][1], items[i2 - 1][1]
        if isinstance(lo, int) and isinstance(hi, int):
            return float(lo), _block_end(starts, hi)
        return 0.0, float("inf")
    lo = items[i1 - 1][1] if i1 > 0 else 0
    hi = items[i1][1] if i1 < len(items) else None
    return (float(lo) if isinstance(lo, int) else 0.0, float(hi) if isinstance(hi, int) else float("inf"))


def _describe(category: str, old: Sequence[Item], new: Sequence[Item]) -> str:
    if category == "code":
        if old and new:
            a, b = old[0][0][1], new[0][0][1]
            for la, lb in zip(a.split("\n"), b.split("\n"), strict=False):
                if la != lb:
                    return f"code changed: {_short(la)!r} became {_short(lb)!r}"
            return f"code changed: {len(a)} characters became {len(b)}"
        return (
            f"code block removed: {_short(old[0][0][1])!r}"
            if old
            else f"code block added: {_short(new[0][0][1])!r}"
        )
    if category == "code span":
        if old and new:
            return f"code span {_short(old[0][0])!r} became {_short(new[0][0])!r}"
        return f"code span {_short(old[0][0])!r} removed" if old else f"code span {_short(new[0][0])!r} added"
    if category == "table":
        shape: Callable[[Item], str] = lambda it: f"{it[0][0]}x{it[0][1]}"
        if old and new:
            return f"table of {shape(old[0])} became {shape(new[0])}"
        return f"table of {shape(old[0])} removed" if old else f"table of {shape(new[0])} added"
    if category == "list":
        count: Callable[[Item], str] = lambda it: f"{it[0][1]} item{'s' if it[0][1] != 1 else ''}"
        if old and new:
            return f"list of {', '.join(count(i) for i in old)} became {', '.join(count(i) for i in new)}"
        return f"list of {count(old[0])} removed" if old else f"list of {count(new[0])} added"
    if category in ("link", "image", "footnote"):
        noun = {"link": "link target", "image": "image target", "footnote": "footnote"}[category]
        if old and new:
            return f"{noun} {_short(str(old[0][0]))!r} became {_short(str(new[0][0]))!r}"
        return (
            f"{noun} {_short(str(old[0][0]))!r} removed"
            if old
            else f"{noun} {_short(str(new[0][0]))!r} added"
        )
    return f"{category} changed"  # pragma: no cover


def _sequence_differences(
    category: str, a: Sequence[Item], b: Sequence[Item], sa: tuple[int, ...], sb: tuple[int, ...]
) -> list[Difference]:
    keys_a = [k for k, _ in a]
    keys_b = [k for k, _ in b]
    if keys_a == keys_b:
        return []
    out: list[Difference] = []
    # the common ends first: a long document with one change stays linear
    head, tail = common_ends(keys_a, keys_b)
    mid_a, mid_b = keys_a[head : len(keys_a) - tail], keys_b[head : len(keys_b) - tail]
    opcodes: Sequence[tuple[str, int, int, int, int]]
    if len(mid_a) * len(mid_b) > MAX_ALIGNMENT:
        opcodes = [("replace", 0, len(mid_a), 0, len(mid_b))]  # too many to align: one region
    else:
        import difflib  # only where two signatures differ

        opcodes = difflib.SequenceMatcher(None, mid_a, mid_b, autojunk=False).get_opcodes()
    for op, i1, i2, j1, j2 in opcodes:
        if op == "equal":
            continue
        i1, i2, j1, j2 = i1 + head, i2 + head, j1 + head, j2 + head
        line = a[i1][1] if i1 < i2 else (b[j1][1] if j1 < j2 else None)
        before = _region(a, sa, i1, i2) if i2 > i1 or j2 == j1 else None
        after = _region(b, sb, j1, j2) if j2 > j1 or i2 == i1 else None
        out.append(
            Difference(
                category,
                _describe(category, a[i1:i2], b[j1:j2]),
                before,
                after,
                line if isinstance(line, int) else None,
            )
        )
    return out


def _relation(a: int, b: int) -> str:
    return "deeper than" if b > a else "a sibling of" if b == a else "above"


def _outline_differences(a: Signature, b: Signature, title: str) -> list[Difference]:
    """Headings matched by their words in order (a merged section number may add to
    them: the words may end the output's, or sit inside them); a lost heading, or a
    changed relation between consecutive matched ones."""
    if [h[:2] for h in a.headings] == [h[:2] for h in b.headings]:
        return []
    # (level, words, line, text): words are what a heading is matched by
    src = [(lvl, significant(text), line, text) for lvl, text, line in a.headings]
    dst = [(lvl, significant(text), line, text) for lvl, text, line in b.headings]
    out: list[Difference] = []
    matched: list[tuple[int, int]] = []  # (index in src, index in dst)
    exact: dict[str, list[int]] = {}
    for n, h in enumerate(dst):
        exact.setdefault(h[1], []).append(n)
    j = 0
    for i, (_lvl, words, line, text) in enumerate(src):
        if not words:
            continue
        same = exact.get(words, [])
        at = bisect.bisect_left(same, j)
        k = same[at] if at < len(same) else None
        # else the words inside a nearby heading (a section number merged in front)
        window = range(j, min(len(dst), j + OUTLINE_WINDOW) if k is None else k)
        k = next(
            (n for n in window if dst[n][1].endswith(words) or (len(words) >= 2 and words in dst[n][1])), k
        )
        if k is None:
            if words != title:
                span = (float(line) if isinstance(line, int) else 0.0, _block_end(a.starts, line))
                out.append(
                    Difference(
                        "heading",
                        f"heading {_short(text, 30)!r} is no longer a heading",
                        span,
                        None,
                        line if isinstance(line, int) else None,
                        ("lost", words),
                    )
                )
            continue
        matched.append((i, k))
        j = k + 1
    for (i0, k0), (i1, k1) in itertools.pairwise(matched):
        was = _relation(src[i0][0], src[i1][0])
        now = _relation(dst[k0][0], dst[k1][0])
        if was != now:
            line = src[i1][2]
            lo = src[i0][2] if isinstance(src[i0][2], int) else 0
            span = (float(lo), _block_end(a.starts, line))
            lo_b = dst[k0][2] if isinstance(dst[k0][2], int) else 0
            span_b = (float(lo_b), _block_end(b.starts, dst[k1][2]))
            out.append(
                Difference(
                    "heading",
                    f"heading {_short(src[i1][3], 30)!r} was {was} {_short(src[i0][3], 30)!r}, now {now} it",
                    span,
                    span_b,
                    line if isinstance(line, int) else None,
                    ("relation", src[i0][1], src[i1][1]),
                )
            )
    return out


def differences(
    a: Signature, b: Signature, title: str = "", categories: Sequence[str] = CATEGORIES
) -> list[Difference]:
    """Every difference between two signatures, in the categories asked for."""
    out: list[Difference] = []
    for category in categories:
        if category == "heading":
            out.extend(_outline_differences(a, b, title))
        else:
            out.extend(
                _sequence_differences(category, a.items[category], b.items[category], a.starts, b.starts)
            )
    return out


# -- following a document through the stages ------------------------------------------


@dataclass
class _Step:
    stage: str
    first: int  # the stage's change records: doc.changes[first:last]
    last: int
    text: str | None = None
    sig: Signature | None = None
    #: a long text state once a later one replaced it: UTF-8, compressed
    packed: bytes | None = None
    size: int = 0  # its length in characters

    def pack(self) -> None:
        """Keep a long text compressed: a 20 MB document's every state as a ``str``
        (4 bytes a character once there is one emoji) would take more than the rest."""
        if self.text is not None and len(self.text) > PACK_CHARS:
            self.size = len(self.text)
            self.packed = zlib.compress(self.text.encode("utf-8", "surrogatepass"), 1)
            self.text = None

    def state(self) -> str:
        if self.text is None:
            assert self.packed is not None
            return zlib.decompress(self.packed).decode("utf-8", "surrogatepass")
        return self.text

    def chars(self) -> int:
        return len(self.text) if self.text is not None else self.size


@dataclass
class StructureGuard:
    """Collects a signature (or the text) after every stage that ran on one document,
    then tells which stage made each structure change and whether it declared it.

    ``declared`` maps a stage to the change kinds it may change structure with;
    ``parse`` reads a text state into a tree (the runner's parse, with line offset;
    its emphasis may be left unpaired outside headings: the signature takes none).
    """

    declared: dict[str, frozenset[str]]
    parse: Callable[[str], list[Token]]
    steps: list[_Step] = field(default_factory=list)
    #: time spent in the guard (signatures, the extra parse, the comparison)
    seconds: float = 0.0
    _start: _Step | None = None
    _budget: int = TRACE_MIN_CHARS
    #: the signature of the body before any repair, once it is parsed
    _first_sig: Signature | None = None

    def start(self, text: str) -> None:
        """The body before any repair."""
        self._start = _Step("", 0, 0, text=text)
        self._first_sig = None
        self._budget = max(TRACE_MIN_CHARS, TRACE_PARSES * len(text))
        self.steps = []

    def text_stage(self, stage: str, first: int, last: int, before: str, after: str) -> None:
        """A text stage ran; its output is kept (not parsed) when it changed the text."""
        if after is not before and after != before:
            # the state before is no longer the document's text: only the guard keeps it
            previous = next((s for s in reversed(self.steps) if s.sig is None), self._start)
            if previous is not None:
                previous.pack()
            self.steps.append(_Step(stage, first, last, text=after))

    def before_parse(self) -> None:
        """The text stages are done and the final text is about to be parsed: when they
        changed the body, its first state is parsed now, for its signature only, so
        that the two trees are never held at once."""
        if self._start is None or self._first_sig is not None or not self.steps:
            return
        started = time.perf_counter()
        self._first_sig = signature(self.parse(self._start.state()))
        self._start = _Step("", 0, 0, sig=self._first_sig)
        self.seconds += time.perf_counter() - started

    def parsed(self, tree: list[Token]) -> None:
        """The tree the text stages' result parses into (before the tree stages)."""
        started = time.perf_counter()
        self.steps.append(_Step("parse", 0, 0, sig=signature(tree)))
        self.seconds += time.perf_counter() - started

    def tree_stage(self, stage: str, first: int, last: int, tree: list[Token]) -> None:
        started = time.perf_counter()
        self.steps.append(_Step(stage, first, last, sig=signature(tree)))
        self.seconds += time.perf_counter() - started

    def check(self, changes: list[Change], title: str = "") -> list[Finding]:
        """The undeclared structure changes, each attributed to the stage that made it."""
        started = time.perf_counter()
        try:
            return self._check(changes, title)
        finally:
            self.seconds += time.perf_counter() - started

    def _check(self, changes: list[Change], title: str) -> list[Finding]:
        if self._start is None or not self.steps:
            return []
        parsed = next(k for k, step in enumerate(self.steps) if step.stage == "parse")
        parsed_sig = self._sig(self.steps[parsed])
        # the text stages changed nothing: the body as first parsed is that tree
        if not parsed:
            first_sig = parsed_sig
        elif self._first_sig is not None:
            first_sig = self._first_sig
        else:
            first_sig = signature(self.parse(self._start.state()))
        first = _Step("", 0, 0, sig=first_sig)
        chain = [first, *self.steps]  # chain[k] is the state after self.steps[k - 1]
        net = differences(first_sig, self._sig(chain[-1]), title)
        if not net:
            return []
        # the outline is judged against the input (a heading a stage added has no
        # relation there to keep); the other parts stage by stage
        categories = [c for c in CATEGORIES if c != "heading" and any(d.category == c for d in net)]
        findings: list[Finding] = []
        outline = [d for d in net if d.category == "heading"]
        if outline:
            self._trace_outline(chain, parsed + 1, outline, changes, title, findings)

        def differ(lo: int, hi: int) -> list[Difference]:
            a, b = self._sig(chain[lo]), self._sig(chain[hi])
            return [] if a == b else differences(a, b, title, categories)

        def trace(lo: int, hi: int, found: list[Difference]) -> None:
            """Halve [lo, hi] down to the steps that change something: a text state is
            parsed only where the search needs it (a few parses, not one per stage)."""
            if hi == lo + 1:
                self._attribute(chain[hi], found, changes, findings)
                return
            mid = (lo + hi) // 2
            if not self._affordable(chain[mid]):
                self._guess(chain[lo + 1 : hi + 1], found, changes, findings)
                return
            for a, b in ((lo, mid), (mid, hi)):
                part = differ(a, b)
                if part:
                    trace(a, b, part)

        # the tree stages' signatures are at hand: trace them apart from the text stages
        for lo, hi in ((0, parsed + 1), (parsed + 1, len(chain) - 1)):
            if hi > lo and categories:
                found = differ(lo, hi)
                if found and (lo or not self._declared_by_text_stages(found, changes, parsed)):
                    trace(lo, hi, found)
        return _unique(findings)

    def _trace_outline(
        self,
        chain: list[_Step],
        parsed: int,
        outline: list[Difference],
        changes: list[Change],
        title: str,
        findings: list[Finding],
    ) -> None:
        """Each heading difference between the input and the output, blamed on the
        stage after which it first shows against the input (text states are parsed
        only when the difference is there already when the tree is first read, and
        then by halving)."""
        first = self._sig(chain[0])
        seen: dict[int, set[tuple[str, ...]]] = {}

        def subjects(k: int) -> set[tuple[str, ...]]:
            if k not in seen:
                seen[k] = {d.subject for d in _outline_differences(first, self._sig(chain[k]), title)}
            return seen[k]

        by_step: dict[int, tuple[list[Difference], dict[tuple[tuple[str, ...], str], Difference]]] = {}
        at: dict[tuple[str, ...], int] = {}
        for k in range(parsed, len(chain)):
            for d in outline:
                if d.subject not in at and d.subject in subjects(k):
                    at[d.subject] = k
        for d in outline:
            k = at.get(d.subject, len(chain) - 1)
            if k == parsed:  # already in the text stages' result: which text stage?
                lo, hi = 0, parsed
                while hi - lo > 1:
                    mid = (lo + hi) // 2
                    if not self._affordable(chain[mid]):
                        break
                    lo, hi = (lo, mid) if d.subject in subjects(mid) else (mid, hi)
                if hi - lo > 1:
                    self._guess(chain[lo + 1 : hi + 1], [d], changes, findings)
                    continue
                k = hi
            step = chain[k]
            if step.stage == "parse":
                continue
            # the same difference between this stage's input and output, for its lines
            # (worked out once per stage, looked up by its heading's words first: with
            # thousands of headings, once per difference was quadratic)
            if k not in by_step:
                found = _outline_differences(self._sig(chain[k - 1]), self._sig(step), title)
                index: dict[tuple[tuple[str, ...], str], Difference] = {}
                for p in found:
                    index.setdefault((p.subject[:1], p.subject[-1]) if p.subject else ((), ""), p)
                by_step[k] = (found, index)
            found, index = by_step[k]
            exact = index.get((d.subject[:1], d.subject[-1])) if d.subject else None
            here = (
                [exact]
                if exact is not None
                else [
                    p
                    for p in found
                    if p.subject[:1] == d.subject[:1] and _same_heading(p.subject[-1], d.subject[-1])
                ]
            )
            self._attribute(
                step, [replace(here[0], what=d.what, line=d.line) if here else d], changes, findings
            )

    def _declared_by_text_stages(self, found: list[Difference], changes: list[Change], parsed: int) -> bool:
        """Is each difference plainly the work of a declared text repair? Then the text
        states are not parsed one by one to trace them (on a large page with many
        declared repairs, that would be many parses for nothing). Plainly: a declared
        change is recorded in its place and no stage recorded only undeclared ones
        there; or, nothing being recorded there, the nearest change above it (block
        structure flows down) is a declared one."""
        indexed = [
            (_Records(changes[s.first : s.last]), self.declared.get(s.stage, frozenset()))
            for s in self.steps[:parsed]
            if s.last > s.first
        ]
        for diff in found:
            here = [(_touching(records, diff), declared) for records, declared in indexed]
            here = [(touching, declared) for touching, declared in here if touching]
            if here:
                ok = [any(r.kind in declared for r in touching) for touching, declared in here]
                if not all(ok):
                    return False
                continue
            top = (diff.before or diff.after or (0.0, float("inf")))[0]
            above = [
                (r, declared)
                for records, declared in indexed
                if (r := records.last_at_or_before(top)) is not None
            ]
            if not above:
                return False
            nearest, declared = max(above, key=lambda pair: pair[0].line or 0)
            if nearest.kind not in declared:
                return False
        return True

    def _attribute(
        self, step: _Step, found: list[Difference], changes: list[Change], findings: list[Finding]
    ) -> None:
        """Report what one stage changed and did not declare."""
        if step.stage == "parse":  # the same text read again: nothing to attribute
            return
        records = _Records(changes[step.first : step.last])
        declared = self.declared.get(step.stage, frozenset())
        for diff in found:
            cause = _cause(records, diff, declared)
            if cause is not None and cause.kind in declared:
                continue
            line = diff.line if diff.line is not None else (cause.line if cause else None)
            kind = cause.kind if cause else "unrecorded"
            findings.append(Finding(step.stage, kind, line, diff.category, diff.what))

    def _sig(self, step: _Step) -> Signature:
        if step.sig is None:
            self._budget -= step.chars()
            step.sig = signature(self.parse(step.state()))
            step.text = step.packed = None
        return step.sig

    def _affordable(self, step: _Step) -> bool:
        return step.sig is not None or step.chars() <= self._budget

    def _guess(
        self, steps: list[_Step], found: list[Difference], changes: list[Change], findings: list[Finding]
    ) -> None:
        """Blame differences on one of ``steps`` without parsing their states: by the
        change records in the difference's place (a declared one clears it), else by
        the nearest record above it."""
        indexed = [
            (s, _Records(changes[s.first : s.last]), self.declared.get(s.stage, frozenset()))
            for s in steps
            if s.stage != "parse" and s.last > s.first
        ]
        for diff in found:
            here = [(s, t, declared) for s, records, declared in indexed if (t := _touching(records, diff))]
            if any(r.kind in declared for _s, t, declared in here for r in t):
                continue
            if here:
                step, touching, _declared = here[0]
                cause: Change | None = touching[0]
            else:
                top = (diff.before or diff.after or (0.0, float("inf")))[0]
                above = [
                    (r, s, declared)
                    for s, records, declared in indexed
                    if (r := records.last_at_or_before(top)) is not None
                ]
                if above:
                    cause, step, declared = max(above, key=lambda item: item[0].line or 0)
                    if cause.kind in declared:
                        continue
                else:
                    cause, step = None, steps[-1]
            kind = cause.kind if cause is not None else "unrecorded"
            line = diff.line if diff.line is not None else (cause.line if cause else None)
            findings.append(Finding(step.stage, kind, line, diff.category, diff.what))


class _Records:
    """One stage's change records, by line (a stage may leave thousands)."""

    def __init__(self, records: list[Change]):
        self.all = records
        self.unplaced = [r for r in records if r.line is None]
        placed = sorted((r for r in records if r.line is not None), key=lambda r: r.line or 0)
        self.placed = placed
        self.lines = [r.line for r in placed if r.line is not None]  # all of them

    def within(self, lo: float, hi: float) -> list[Change]:
        return self.placed[bisect.bisect_left(self.lines, lo) : bisect.bisect_right(self.lines, hi)]

    def last_at_or_before(self, line: float) -> Change | None:
        k = bisect.bisect_right(self.lines, line)
        return self.placed[k - 1] if k else None


def _same_heading(words: str, other: str) -> bool:
    """The same heading, a section number merged in front or not."""
    return (
        words == other
        or (len(other) >= 2 and other in words)
        or words.endswith(other)
        or (len(words) >= 2 and words in other)
    )


def _touching(records: _Records, diff: Difference) -> list[Change]:
    touching = [*records.unplaced]
    for span in (diff.before, diff.after):
        if span:
            touching.extend(records.within(span[0], span[1]))
    return touching


def _cause(records: _Records, diff: Difference, declared: frozenset[str]) -> Change | None:
    """The change record that made a difference: one recorded in its region (a
    declared one first), else the nearest one above it (block structure flows down:
    a fence or a list repaired above changes what follows), else the first one."""
    touching = _touching(records, diff)
    if touching:
        return next((r for r in touching if r.kind in declared), touching[0])
    top = (diff.before or diff.after or (0.0, float("inf")))[0]
    above = records.last_at_or_before(top)
    if above is not None:
        return above
    return records.all[0] if records.all else None


def _unique(findings: list[Finding]) -> list[Finding]:
    seen: set[tuple[str, str, int | None, str, str]] = set()
    out = []
    for f in findings:
        key = (f.stage, f.kind, f.line, f.category, f.what)
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out
