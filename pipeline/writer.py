"""The Writer protocol, its declared capabilities, and the registry of installed writers.

Writers only render: they get a cleaned Document (metadata + tree + assets) and
return bytes. What a writer can take is declared in ``capabilities`` so that the
image step adapts to it (as Sphinx builders declare ``supported_image_types``).

Writers are named in the ``galley.writers`` entry-point group. A name with a colon
(``pandoc:odt``) selects a writer family (``pandoc``) and passes the rest as its
``variant``. A run loads only the writers it uses. The flags a writer adds to
``galley convert`` (``--page-size``) are declared apart, in the
``galley.writer_options`` group (see ``CommandOption``), so that building the
command line imports no writer.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from .errors import ConfigError

if TYPE_CHECKING:
    from .document import Document
    from .entrypoints import EntryPoint


@dataclass(frozen=True)
class Capabilities:
    #: media types of images the format can carry
    image_types: frozenset[str] = frozenset()
    #: may the output reference http(s) images instead of embedding them
    remote_images: bool = False
    #: does the output embed image bytes (EPUB, DOCX) or reference files (Markdown)
    embeds_images: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


class Writer:
    """Base class of all writers."""

    name: ClassVar[str] = ""
    extension: ClassVar[str] = ""
    version: ClassVar[str] = "1"
    capabilities: ClassVar[Capabilities] = Capabilities()
    defaults: ClassVar[dict[str, Any]] = {}

    def __init__(self, variant: str | None = None, **options: Any):
        from .options import read_options

        self.variant = variant
        self.options = read_options(f"writer {self.name!r}", self.defaults, options)

    @classmethod
    def description(cls) -> str:
        doc = (cls.__doc__ or "").strip()
        return doc.splitlines()[0] if doc else ""

    @property
    def output_extension(self) -> str:
        return self.extension

    def render(self, doc: Document) -> bytes:  # pragma: no cover - protocol
        raise NotImplementedError

    def files(self, doc: Document) -> dict[str, bytes]:
        """Extra files written next to the main output (relative path -> bytes)."""
        return {}


@dataclass(frozen=True)
class CommandOption:
    """A flag of ``galley convert`` that sets one option of a writer (``--page-size``
    sets ``docx.page_size``).

    A writer declares its flags as a sequence of these in a light module named in
    the ``galley.writer_options`` entry-point group (under the writer's name), so
    that the command line is built without importing the writer or its libraries.
    """

    flag: str
    option: str
    help: str
    #: the values the flag takes (compared without case)
    choices: tuple[str, ...] = ()
    #: a flag without a value: given, the option is true
    is_flag: bool = False
    #: the value names an existing file, passed on as its absolute path
    existing_file: bool = False
    #: other writers whose option of the same name the flag sets too (``pdf``, which
    #: prints the DOCX writer's document, takes the DOCX flags)
    also: tuple[str, ...] = ()


def writer_entry_points() -> dict[str, EntryPoint]:
    """The installed writers' entry points by name; nothing is imported."""
    from .entrypoints import group

    return {ep.name: ep for ep in group("galley.writers")}


def available_writers(names: Iterable[str] | None = None) -> dict[str, type[Writer]]:
    """The installed writers, loaded: all of them, or only those in ``names`` (a run
    imports the writers it uses, and no other)."""
    found: dict[str, type[Writer]] = {}
    wanted = None if names is None else set(names)
    for name, ep in writer_entry_points().items():
        if wanted is not None and name not in wanted:
            continue
        cls = ep.load()
        if not (isinstance(cls, type) and issubclass(cls, Writer)):
            raise ConfigError(f"entry point {ep.name!r} ({ep.value}) is not a galley Writer")
        found[ep.name] = cls
    return found


def writer_modules(formats: Iterable[str]) -> list[str]:
    """The modules that define the writers of ``formats`` (to import ahead), from the
    entry points; nothing is imported."""
    eps = writer_entry_points()
    families = sorted({f.partition(":")[0] for f in formats})
    return [eps[name].module for name in families if name in eps]


def command_options() -> list[tuple[str, CommandOption]]:
    """(writer name, flag) for every flag the installed writers declare, in the order of
    the writers' names. Loads the light declaration modules only, never a writer."""
    from .entrypoints import group

    writers = writer_entry_points()
    out: list[tuple[str, CommandOption]] = []
    for ep in sorted(group("galley.writer_options"), key=lambda e: e.name):
        if ep.name not in writers:
            continue  # options of a writer that is not installed
        for option in ep.load():
            if not isinstance(option, CommandOption):
                raise ConfigError(
                    f"entry point {ep.name!r} ({ep.value}) declares {option!r}, not a galley CommandOption"
                )
            out.append((ep.name, option))
    return out


def make_writer(
    spec: str, options: dict[str, Any] | None = None, registry: dict[str, type[Writer]] | None = None
) -> Writer:
    """Build a writer from a name such as ``md`` or ``pandoc:odt`` (only that writer
    is imported, unless a ``registry`` of loaded ones is given)."""
    family, _, variant = spec.partition(":")
    if registry is None:
        registry = available_writers([family])
        valid: Iterable[str] = writer_entry_points()
    else:
        valid = registry
    if family not in registry:
        raise ConfigError(f"No writer {family!r}. Available: {', '.join(sorted(valid))}")
    return registry[family](variant or None, **(options or {}))
