"""Compiled regular expressions kept between runs, beside the bytecode.

A ``galley`` run compiles some 300 regular expressions (the stages', the parser's,
YAML's): on a small article that is a third of the process's time. Python keeps
compiled modules in ``__pycache__`` but compiles every regular expression afresh in
each process. This module does for regular expressions what Python does for
modules: the programs ``re`` builds (the output of ``re._compiler``) are written once
to ``__pycache__/regex.<interpreter>.bin`` and read back by the next process, which
builds the pattern objects from them directly and puts them in ``re``'s own cache,
where ``re.compile`` finds them.

It changes no result: a pattern is found under its exact text and flags, and an
entry that does not fit this interpreter is ignored (the file records the
interpreter's version and the regular-expression engine's magic number; the engine
checks every program it is given). It writes only when bytecode may be written
(``PYTHONDONTWRITEBYTECODE`` turns both off), only when the run compiled something
the file lacked, atomically, and gives up silently when the folder is read-only.
``GALLEY_NO_REGEX_CACHE=1`` turns it off; ``GALLEY_REGEX_CACHE=FILE`` puts it
elsewhere. It relies on ``re`` internals that are stable across CPython 3.11-3.13;
on any other shape it does nothing.
"""

from __future__ import annotations

import contextlib
import marshal
import os
import re
import sys
from pathlib import Path
from typing import Any

#: entries kept at most (``re`` itself caches 512 patterns)
LIMIT = 512
_loaded: dict[tuple[Any, ...], tuple[Any, ...]] = {}


def _file() -> Path:
    named = os.environ.get("GALLEY_REGEX_CACHE")
    if named:
        return Path(named)
    return Path(__file__).resolve().parent / "__pycache__" / f"regex.{sys.implementation.cache_tag}.bin"


def _header() -> tuple[Any, ...]:
    import _sre  # type: ignore[import-not-found]

    return ("galley-regex", 1, sys.version, getattr(_sre, "MAGIC", None))


def _usable() -> bool:
    return (
        sys.implementation.name == "cpython"
        and isinstance(getattr(re, "_cache", None), dict)
        and not os.environ.get("GALLEY_NO_REGEX_CACHE")
    )


def load() -> int:
    """Put the cached patterns into ``re``'s cache; how many were taken."""
    if not _usable():
        return 0
    try:
        with open(_file(), "rb") as fh:
            header, entries = marshal.loads(fh.read())  # load(fh) reads item by item: slow
    except (OSError, EOFError, ValueError, TypeError):
        return 0
    if header != _header():
        return 0
    import _sre

    cache: dict[Any, Any] = re._cache  # type: ignore[attr-defined]
    taken = 0
    for entry in entries:
        try:
            pattern, flags, final_flags, code, groups, groupindex, indexgroup = entry
            key = (type(pattern), pattern, flags)
            if key not in cache:
                cache[key] = _sre.compile(pattern, final_flags, code, groups, groupindex, indexgroup)
            _loaded[key] = tuple(entry)
            taken += 1
        except Exception:  # an entry this engine refuses: compiled afresh when needed
            continue
    return taken


def save() -> int:
    """Write the patterns this process compiled to the file, when it lacked some;
    how many entries were written (0: nothing new, or not allowed)."""
    if not _usable() or sys.dont_write_bytecode:
        return 0
    cache: dict[Any, Any] = re._cache  # type: ignore[attr-defined]
    keys = [k for k in list(cache) if len(k) == 3]
    if all(k in _loaded for k in keys):
        return 0
    from re import _compiler, _parser  # type: ignore[attr-defined]

    entries: list[tuple[Any, ...]] = []
    for key in keys:
        kind, pattern, flags = key
        if key in _loaded:
            entries.append(_loaded[key])
            continue
        if not isinstance(pattern, kind) or not isinstance(flags, int):
            continue
        try:
            parsed = _parser.parse(pattern, flags)
            code = [int(op) for op in _compiler._code(parsed, flags)]  # opcodes are int subclasses
        except Exception:  # not ours to judge: left out of the file
            continue
        groupindex = dict(parsed.state.groupdict)
        indexgroup: list[str | None] = [None] * parsed.state.groups
        for name, index in groupindex.items():
            indexgroup[index] = name
        entries.append(
            (
                pattern,
                flags,
                int(flags | parsed.state.flags),
                code,
                parsed.state.groups - 1,
                groupindex,
                tuple(indexgroup),
            )
        )
    entries = entries[-LIMIT:]
    target = _file()
    temp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        target.parent.mkdir(exist_ok=True)
        with open(temp, "wb") as fh:
            fh.write(marshal.dumps((_header(), entries)))
        os.replace(temp, target)
    except (OSError, ValueError):
        with contextlib.suppress(OSError):
            temp.unlink()
        return 0
    return len(entries)
