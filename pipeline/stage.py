"""The Stage protocol, its priority bands, and the registry of installed stages.

Stages are declared, not registered by import: each is named in the
``galley.stages`` entry-point group and loaded when a pipeline is built.
A stage runs at one *scope*:

- ``bytes``: sees ``doc.raw`` and assigns ``doc.text`` (decoding);
- ``text``: edits ``doc.text`` before the parse (repairs that break the parser);
- ``tree``: edits ``doc.tree``, the mistune AST parsed once after the text stages.

Stages run by ``(priority, name)``; every bytes stage must come before every text
stage and every text stage before every tree stage, and each priority must lie in
a band (``BANDS``) that takes the stage's scope (checked up front).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from .errors import ConfigError

if TYPE_CHECKING:
    from .document import Document
    from .writer import Capabilities

#: the priority bands, as docutils numbers its transforms: a stage's priority lies
#: in one of them (100 to 199 is the 100 band), and its scope is one the band takes
BANDS: dict[int, tuple[str, tuple[str, ...]]] = {
    100: ("decoding and front matter", ("bytes", "text")),
    200: ("inline repair", ("text",)),
    300: ("structure", ("tree",)),
    400: ("assets", ("tree",)),
    900: ("verification", ("tree",)),
}
SCOPES = ("bytes", "text", "tree")


class StageContext:
    """What a running stage may use: its options and a way to record changes."""

    def __init__(self, stage: Stage, doc: Document, capabilities: tuple[Capabilities, ...] = ()):
        self.stage = stage
        self.doc = doc
        self.options = stage.options
        #: what the writers of this run can take (image types, remote images...)
        self.capabilities = capabilities

    def record(self, kind: str, line: int | None, before: str, after: str = "") -> None:
        from .document import Change

        self.doc.changes.append(Change(self.stage.name, kind, line, before, after))

    def warn(self, message: str) -> None:
        self.doc.warn(f"{self.stage.name}: {message}")


class Stage:
    """Base class of all stages. Subclasses set the class attributes and ``run``.

    ``removes`` names the change kinds whose ``before`` text is debris: the runner
    allows that text to disappear from the document. Text lost by any other change
    is reported as a warning ("text lost"). A structure change (outline, code, table,
    list, link, footnote) made by a change of any kind not in ``removes`` or
    ``restructures`` is reported as "structure changed".
    """

    name: ClassVar[str] = ""
    priority: ClassVar[int] = 500
    scope: ClassVar[str] = "tree"
    removes: ClassVar[frozenset[str]] = frozenset()
    #: change kinds whose effect on the structure (a code block that was prose, a
    #: link cut in pieces made whole) is the repair itself: the structure guard
    #: accepts what they change where they were recorded
    restructures: ClassVar[frozenset[str]] = frozenset()
    #: the options and their defaults; a plain value declares the option's type, an
    #: ``options.Option`` says more (see ``pipeline/options.py``)
    defaults: ClassVar[dict[str, Any]] = {}
    #: off unless enabled in the configuration
    default_enabled: ClassVar[bool] = True
    #: a text stage that reads rather than repairs (front matter) runs once; the
    #: other text stages repeat until the text holds still
    once: ClassVar[bool] = False

    def __init__(self, **options: Any):
        from .options import read_options

        self.options = read_options(f"stage {self.name!r}", self.defaults, options)

    @classmethod
    def description(cls) -> str:
        doc = (cls.__doc__ or "").strip()
        return doc.splitlines()[0] if doc else ""

    def run(self, doc: Document, ctx: StageContext) -> None:  # pragma: no cover - protocol
        raise NotImplementedError


def available_stages() -> dict[str, type[Stage]]:
    """Every stage installed under the ``galley.stages`` entry-point group."""
    found: dict[str, type[Stage]] = {}
    from .entrypoints import group

    for ep in group("galley.stages"):
        cls = ep.load()
        if not (isinstance(cls, type) and issubclass(cls, Stage)):
            raise ConfigError(f"entry point {ep.name!r} ({ep.value}) is not a galley Stage")
        if cls.name != ep.name:
            raise ConfigError(f"entry point {ep.name!r} loads a stage named {cls.name!r}")
        found[ep.name] = cls
    return found


def ordered(classes: dict[str, type[Stage]]) -> list[type[Stage]]:
    """Stage classes in run order; refuses an order that parses before a text stage."""
    result = sorted(classes.values(), key=lambda c: (c.priority, c.name))
    seen = -1
    for cls in result:
        if cls.scope not in SCOPES:
            raise ConfigError(f"stage {cls.name!r} has unknown scope {cls.scope!r}")
        check_band(cls)
        rank = SCOPES.index(cls.scope)
        if rank < seen:
            raise ConfigError(
                f"stage {cls.name!r} ({cls.scope}, priority {cls.priority}) would run after "
                "a later-scope stage; give it a lower priority"
            )
        seen = rank
    return result


def check_band(cls: type[Stage]) -> None:
    """A stage's priority lies in a band that takes its scope (see ``BANDS``)."""
    band = BANDS.get(cls.priority // 100 * 100) if cls.priority >= 100 else None
    if band is None:
        bands = "; ".join(
            f"{start}-{start + 99} {name} ({'/'.join(scopes)})" for start, (name, scopes) in BANDS.items()
        )
        raise ConfigError(f"stage {cls.name!r} has priority {cls.priority}, in no band. Bands: {bands}")
    name, scopes = band
    if cls.scope not in scopes:
        raise ConfigError(
            f"stage {cls.name!r} is a {cls.scope} stage with priority {cls.priority}, "
            f"in the band of {name}, which takes {' and '.join(scopes)} stages"
        )


def check_names(names: list[str] | set[str], valid: dict[str, Any], what: str = "stage") -> None:
    for name in names:
        if name not in valid:
            raise ConfigError(f"No {what} {name!r}. Available: {', '.join(sorted(valid))}")
