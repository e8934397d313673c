"""The installed plug-ins' entry points, read once per process.

What ``importlib.metadata.entry_points()`` gives, read the same way (each
distribution's ``entry_points.txt``, folders in ``sys.path`` order, the first
distribution of a name winning), without importing ``importlib.metadata`` and
what it pulls in (email, zipfile, csv...): a third of a small conversion's start-up.
A distribution's name and version are read from its ``METADATA`` only when asked
(``provider``). Distributions inside zip files on ``sys.path``, which this scan does
not open, are left to ``importlib.metadata``: it is used then.
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass, field
from functools import cache, reduce
from importlib import import_module
from typing import Any

_INFO = (".dist-info", ".egg-info")


@dataclass(frozen=True)
class EntryPoint:
    """One ``name = module:attr`` line of a group, and the folder of the distribution
    that declares it."""

    name: str
    value: str
    group: str
    info: str = field(default="", compare=False)

    @property
    def module(self) -> str:
        return self.value.partition(":")[0].strip()

    def load(self) -> Any:
        module, _, attrs = self.value.partition(":")
        attrs = attrs.partition("[")[0].strip()  # extras: not ours to check
        return reduce(getattr, filter(None, attrs.split(".")), import_module(module.strip()))


def _normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()


def _distributions() -> list[str]:
    """The info folders of the installed distributions, one per name, in the order
    ``importlib.metadata`` finds them."""
    seen: set[str] = set()
    out: list[str] = []
    for folder in sys.path:
        try:
            names = sorted(e.name for e in os.scandir(folder or ".") if e.name.endswith(_INFO))
        except OSError:  # missing, a file, unreadable
            continue
        for name in names:
            stem = name.rpartition(".")[0]
            key = _normalized(stem.partition("-")[0])
            if key not in seen:
                seen.add(key)
                out.append(os.path.join(folder or ".", name))
    return out


def _parse(text: str, info: str) -> list[EntryPoint]:
    found: list[EntryPoint] = []
    section = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1].strip()
            continue
        if section is None:
            continue
        name, sep, value = line.partition("=")
        if sep:
            found.append(EntryPoint(name.strip(), value.strip(), section, info))
    return found


def _zipped() -> bool:
    return any(os.path.isfile(p) for p in sys.path if p)


@cache
def _all() -> tuple[EntryPoint, ...]:
    if _zipped():
        from importlib.metadata import entry_points

        every: Any = entry_points()  # EntryPoints, or SelectableGroups before 3.12
        return tuple(EntryPoint(ep.name, ep.value, ep.group) for ep in every.select())
    found: list[EntryPoint] = []
    for info in _distributions():
        try:
            with open(os.path.join(info, "entry_points.txt"), encoding="utf-8") as fh:
                found += _parse(fh.read(), info)
        except (OSError, UnicodeDecodeError):
            continue
    return tuple(found)


@cache
def group(name: str) -> tuple[EntryPoint, ...]:
    """The entry points of one group, in the order the installed distributions give."""
    return tuple(ep for ep in _all() if ep.group == name)


@cache
def _provider(info: str) -> str:
    fields: dict[str, str] = {}
    for meta in ("METADATA", "PKG-INFO"):
        try:
            with open(os.path.join(info, meta), encoding="utf-8") as fh:
                for line in fh:
                    if not line.strip():
                        break  # the headers end at the first blank line
                    key, sep, value = line.partition(":")
                    if sep and key in ("Name", "Version") and key not in fields:
                        fields[key] = value.strip()
            break
        except (OSError, UnicodeDecodeError):
            continue
    if "Name" not in fields:
        return "-"
    return f"{fields['Name']}=={fields.get('Version')}"


def provider(ep: EntryPoint) -> str:
    """``name==version`` of the distribution that declares ``ep`` (``-`` when unknown)."""
    return _provider(ep.info) if ep.info else "-"
