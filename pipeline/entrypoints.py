"""The installed plug-ins' entry points, read once per process.

``importlib.metadata.entry_points(group=...)`` reads every installed
distribution's ``entry_points.txt`` on each call; one ``galley convert`` asks
for the stages, the writers and the writers' flags several times. The set of
installed distributions does not change while a command runs, so the scan is
done once and kept. Nothing is imported here but ``importlib.metadata``.
"""

from __future__ import annotations

from functools import cache
from importlib.metadata import Distribution, EntryPoint, entry_points
from typing import Any


@cache
def group(name: str) -> tuple[EntryPoint, ...]:
    """The entry points of one group, in the order the installed distributions give."""
    return tuple(_all().select(group=name))


@cache
def _all() -> Any:  # EntryPoints; SelectableGroups before Python 3.12 (both can select)
    return entry_points()


_versions: dict[str, str] = {}


def provider(ep: EntryPoint) -> str:
    """``name==version`` of the distribution that declares ``ep`` (``-`` when unknown),
    its metadata read once per distribution."""
    dist: Distribution | None = ep.dist
    if dist is None:
        return "-"
    key = str(getattr(dist, "_path", "")) or repr(dist)
    found = _versions.get(key)
    if found is None:
        meta = dist.metadata  # one parse of METADATA, not one per field
        found = _versions[key] = f"{meta['Name']}=={meta['Version']}"
    return found
