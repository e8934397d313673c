"""What the paths given to ``galley convert`` hold: the inputs, and what is not taken.

Folders are walked (``storage.LocalStorage.walk``: sorted, hidden names and the
output folder left out, links out of the folder not followed unless asked, FIFOs
and devices never opened), filtered by the include/exclude globs and mirrored
under OUT. What the walk meets and cannot take is reported, not dropped in
silence: a folder that cannot be read and a FIFO or device with an input's name
are one failure line each; a link not followed is a note.

Two inputs that would write the same outputs are refused (``check_collisions``)
by the rule of the output's file system (``names.probe``): ``a.md`` and
``a.markdown`` everywhere, ``A.md`` and ``a.md`` only where case is not told apart.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import ConfigError
from .names import FoldRule, output_stem, shown

if TYPE_CHECKING:
    from .storage import Storage

INPUT_SUFFIXES = (".md", ".markdown", ".mdown", ".mkd", ".txt")
DEFAULT_INCLUDE = tuple(f"*{s}" for s in INPUT_SUFFIXES)


def discover(paths: list[Path]) -> Iterator[tuple[Path, Path]]:
    """Input files and their paths relative to the folder given (for mirroring);
    folders are walked as ``galley convert`` walks them (no links out, no FIFOs)."""
    from .storage import LocalStorage

    for p in paths:
        if p.is_dir():
            for rel in LocalStorage(p).walk():
                if Path(rel).suffix.lower() in INPUT_SUFFIXES:
                    yield p / rel, Path(rel)
        else:
            yield p, Path(p.name)


# -- globs ----------------------------------------------------------------------------------
@lru_cache(maxsize=256)
def _glob_re(pattern: str) -> re.Pattern[str]:
    """``*`` and ``?`` stay inside one folder name, ``**`` crosses folders, ``[...]`` a set."""
    out, i = [], 0
    while i < len(pattern):
        c = pattern[i]
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
            continue
        if pattern.startswith("**", i):
            out.append(".*")
            i += 2
            continue
        if c == "*":
            out.append("[^/]*")
        elif c == "?":
            out.append("[^/]")
        elif c == "[":
            end = pattern.find("]", i + 1)
            if end == -1:
                out.append(re.escape(c))
            else:
                body = pattern[i + 1 : end]
                if body.startswith("!"):
                    body = "^" + body[1:]
                out.append(f"[{body}]")
                i = end
        else:
            out.append(re.escape(c))
        i += 1
    return re.compile("".join(out) + r"\Z", re.IGNORECASE)


def glob_match(rel: str, pattern: str, any_part: bool = False) -> bool:
    """A pattern without ``/`` matches the file name (with ``any_part``, any folder
    name on the way too); a pattern with ``/`` matches the whole relative path."""
    pattern = pattern.strip().lstrip("./") if pattern.startswith("./") else pattern.strip()
    rx = _glob_re(pattern.rstrip("/"))
    if "/" not in pattern.rstrip("/"):
        parts = rel.split("/")
        return any(rx.match(p) for p in (parts if any_part else parts[-1:]))
    if rx.match(rel):
        return True
    # "drafts/**" or "a/b" also excludes what lies below a matching folder
    return any_part and any(rx.match("/".join(rel.split("/")[:k])) for k in range(1, rel.count("/") + 1))


def wanted(rel: str, include: tuple[str, ...], exclude: tuple[str, ...]) -> bool:
    return any(glob_match(rel, p) for p in include) and not any(glob_match(rel, p, True) for p in exclude)


# -- inputs ---------------------------------------------------------------------------------
@dataclass
class Source:
    rel: str  # path relative to the folder given (POSIX), mirrored under OUT
    storage: Storage  # the storage of that folder
    stem: str = ""
    key: str = ""  # the manifest's key: the stem
    fold: str = ""  # the stem as the output's file system compares names

    def __post_init__(self) -> None:
        self.stem = output_stem(self.rel)
        self.key = self.fold = self.stem

    @property
    def ref(self) -> str:
        return self.storage.ref(self.rel)

    @property
    def label(self) -> str:
        return shown(self.ref)

    @property
    def root(self) -> str:
        """The folder it was found in, as the manifest records it."""
        return root_id(self.storage.root)


def root_id(root: str) -> str:
    from .storage import is_url

    return root.rstrip("/") if is_url(root) else os.path.abspath(root)


@dataclass
class Found:
    """What the paths given hold."""

    sources: list[Source] = field(default_factory=list)
    failures: list[tuple[str, str]] = field(default_factory=list)  # (path, one line)
    not_followed: list[tuple[str, str]] = field(default_factory=list)  # (path, why)
    roots: list[str] = field(default_factory=list)  # root_id of each folder


def collect(
    paths: list[str],
    include: tuple[str, ...] = DEFAULT_INCLUDE,
    exclude: tuple[str, ...] = (),
    out_root: str | None = None,
    follow_links: bool = False,
) -> Found:
    """Every input under ``paths``, and what was met and not taken."""
    import stat

    from .storage import LocalStorage, file_kind, is_url, local_path, open_storage

    out_local = local_path(out_root) if out_root else None
    out_abs = os.path.realpath(out_local) if out_local is not None else None
    found = Found()
    for p in paths:
        local = local_path(p)
        if local is not None:
            try:
                mode = os.stat(local).st_mode
            except (FileNotFoundError, NotADirectoryError):
                raise ConfigError(f"{p}: no such file or folder") from None
            except OSError as exc:  # a folder on the way that cannot be read
                found.failures.append((str(p), f"cannot read: {exc.strerror or exc}"))
                continue
            if stat.S_ISDIR(mode):
                if out_abs and os.path.realpath(local) == out_abs:
                    raise ConfigError(
                        f"{p} is also the output folder: its outputs would be "
                        f"read as inputs and could overwrite them; give another -o"
                    )
                store: Storage = LocalStorage(local)
                skip = [out_abs] if out_abs else []
                found.sources += [
                    Source(rel, store)
                    for rel in store.walk(skip, follow_links)
                    if wanted(rel, include, exclude)
                ]
                _walk_notes(found, store, include, exclude)
                found.roots.append(root_id(store.root))
            else:  # a file named on the command line: it may be a link, but must be a file
                store = LocalStorage(local.parent)
                if stat.S_ISREG(mode):
                    found.sources.append(Source(local.name, store))
                else:
                    found.failures.append((str(p), f"not a regular file ({file_kind(mode)})"))
                found.roots.append(root_id(store.root))
            continue
        store = open_storage(p)
        if store.is_dir():
            skip = []
            if out_root and is_url(out_root):
                # an fsspec storage's path (FIXME: a file:// output is a LocalStorage, without one)
                skip = [open_storage(out_root).base]  # type: ignore[attr-defined]
            found.sources += [Source(rel, store) for rel in store.walk(skip) if wanted(rel, include, exclude)]
            found.roots.append(root_id(store.root))
        elif store.exists():
            parent, _, name = p.rstrip("/").rpartition("/")
            found.sources.append(Source(name, open_storage(parent)))
            found.roots.append(root_id(parent))
        else:
            raise ConfigError(f"{p}: no such file or folder")
    return found


def _walk_notes(found: Found, store: Any, include: tuple[str, ...], exclude: tuple[str, ...]) -> None:
    """What the walk of ``store`` met and did not take, as far as the globs want it."""
    for s in store.skipped:
        excluded = any(glob_match(s.rel, p, True) for p in exclude)
        if excluded:
            continue
        ref = store.ref(s.rel) if s.rel != "." else store.root
        if s.kind == "folder":
            found.failures.append((ref, s.message))
        elif s.kind == "special":
            if wanted(s.rel, include, exclude):
                found.failures.append((ref, s.message))
        elif s.folder or wanted(s.rel, include, exclude):  # a link not followed
            found.not_followed.append((ref, s.message))


def check_collisions(sources: list[Source], rule: FoldRule) -> None:
    """Refuse two inputs that would write the same outputs on this file system."""
    seen: dict[str, Source] = {}
    clashes: list[str] = []
    for src in sources:
        src.fold = rule.key(src.stem)
        other = seen.get(src.fold)
        if other is not None:
            clashes.append(
                f"{other.label} and {src.label} would write the same outputs ({shown(src.stem)}.*)"
            )
        else:
            seen[src.fold] = src
    if clashes:
        more = f" (and {len(clashes) - 3} more)" if len(clashes) > 3 else ""
        where = f" on this {rule.describe()} file system" if rule.case_insensitive or rule.normalizing else ""
        raise ConfigError("; ".join(clashes[:3]) + more + where + "; rename one or use --exclude")
