"""One walk of the shared tree for every writer, as docutils' ``NodeVisitor`` walks its tree.

A writer subclasses :class:`TreeVisitor` and says, for each mistune token type it
knows, how that node looks in its format: ``visit_<type>(tok)`` when the walk
enters the node, ``depart_<type>(tok)`` when it leaves it. Between the two the base
walks the node's ``children``, unless the visit returns :data:`SKIP_NODE` (it wrote
the children itself, or there is nothing more: no children walked, no depart) or
:data:`SKIP_CHILDREN` (no children walked; the depart still runs). docutils raises
``SkipNode`` for this; here a visit returns it, because a raised exception costs
more than the visit of a text node, and writers are on every conversion's path.

A type no visit is written for is not skipped in silence: the document gets one
warning per type (whichever writer meets it first), and :meth:`unknown_visit`
renders it as its children, or its raw text, which each writer spells in its format.

A writer whose output for a node is a value built from its children's (a string,
in the Markdown writer) calls :meth:`dispatch_visit` and uses what the visit returns,
as docutils' ``dispatch_visit`` allows.

The dispatch table is built once per class (``__init_subclass__``), so a visitor
made for each paragraph costs nothing to set up.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

Token = dict[str, Any]


class _Instruction:
    """What a visit may return to change the walk (an object no visit returns by chance)."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name


#: returned by a visit: do not walk the children, do not call the depart
SKIP_NODE = _Instruction("SKIP_NODE")
#: returned by a visit: do not walk the children, but call the depart
SKIP_CHILDREN = _Instruction("SKIP_CHILDREN")

_Handler = Callable[[Any, Token], Any]


def _nothing(self: Any, tok: Token) -> None:
    return None


def unknown_type_message(kind: str) -> str:
    return f"tree node of unknown type {kind!r}: written as its text"


class TreeVisitor:
    """Walks a list of tokens (the tree, or inline children), dispatching on ``type``."""

    #: token type -> (visit, depart), the functions defined on the class
    _table: ClassVar[dict[str, tuple[_Handler, _Handler | None]]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        table: dict[str, tuple[_Handler, _Handler | None]] = {}
        kinds = {name.split("_", 1)[1] for name in dir(cls) if name.startswith(("visit_", "depart_"))}
        for kind in kinds:
            visit = getattr(cls, "visit_" + kind, None) or _nothing
            table[kind] = (visit, getattr(cls, "depart_" + kind, None))
        cls._table = table

    def __init__(self, doc: Any = None) -> None:
        #: the Document rendered (warnings go to it); None in unit tests of a fragment
        self.doc = doc

    # -- walking -----------------------------------------------------------------------
    def walk(self, tokens: list[Token]) -> None:
        """Visit each token of ``tokens`` in order, with its children."""
        for tok in tokens:
            self.walkabout(tok)

    def walkabout(self, tok: Token) -> None:
        """Visit ``tok``, walk its children (unless the visit says otherwise), depart it."""
        handlers = self._table.get(tok["type"])
        if handlers is None:
            self.warn_unknown(tok)
            how = self.unknown_visit(tok)
            depart: _Handler | None = type(self).unknown_depart
        else:
            how = handlers[0](self, tok)
            depart = handlers[1]
        if how is SKIP_NODE:
            return
        if how is not SKIP_CHILDREN:
            kids = tok.get("children")
            if kids.__class__ is list:
                for kid in kids:
                    self.walkabout(kid)
        if depart is not None:
            depart(self, tok)

    def dispatch_visit(self, tok: Token) -> Any:
        """Call the visit of ``tok`` alone and return what it returns.

        For a writer whose spelling of a node is a value made from its children's
        (the Markdown writer's strings, which depend on the neighbours too): its
        visits render their children themselves and return the result.
        """
        handlers = self._table.get(tok["type"])
        if handlers is None:
            self.warn_unknown(tok)
            return self.unknown_visit(tok)
        return handlers[0](self, tok)

    # -- types no visit is written for ---------------------------------------------------
    def warn_unknown(self, tok: Token) -> None:
        """One warning on the document per unknown type (the document drops repeats)."""
        if self.doc is not None:
            self.doc.warn(unknown_type_message(str(tok.get("type"))))

    def unknown_visit(self, tok: Token) -> Any:
        """An unknown node: by default its children are walked (and nothing else)."""
        return None

    def unknown_depart(self, tok: Token) -> None:
        return None
