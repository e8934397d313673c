"""Outputs whose input is gone: found from the manifest, removed only with ``--prune``.

A record is an orphan when its input is surely gone: the folder it was found in
is one this run was given, that folder still exists, and the input's path in it
does not (a folder that cannot be read, an unmounted drive or an input that is
merely excluded this time is not "gone"). ``prune`` removes an orphan's outputs
only where they still hold the bytes galley wrote (an output edited since is
kept, and said so), never a path that a current input writes, then the folders
left empty, then the manifest row.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .manifest import Record
from .storage import Storage, open_storage


@dataclass
class Gone:
    key: str
    source: str  # where the input was (root/source)
    outputs: list[str]
    removed: list[str] = field(default_factory=list)
    kept: dict[str, str] = field(default_factory=dict)  # output -> why it stays

    def entry(self, out: Storage) -> dict[str, Any]:
        from .report import file_entry

        e = file_entry(self.source, "gone", outputs=[out.ref(o) for o in self.outputs])
        del e["status"]
        if self.removed:
            e["removed"] = [out.ref(o) for o in self.removed]
        if self.kept:
            e["kept"] = {out.ref(o): why for o, why in self.kept.items()}
        return e


def find_gone(records: dict[str, Record], current: set[str], roots: list[str]) -> list[Gone]:
    """Records not among ``current`` keys whose input is gone from one of ``roots``."""
    stores: dict[str, Storage | None] = {}

    def store(root: str) -> Storage | None:
        if root not in stores:
            try:
                s = open_storage(root)
                stores[root] = s if s.is_dir() else None
            except Exception:  # a root that cannot be asked: nothing is gone
                stores[root] = None
        return stores[root]

    gone = []
    for key, rec in sorted(records.items()):
        if key in current:
            continue
        if rec.root:
            s = store(rec.root) if rec.root in roots else None
            if s is None or not s.gone(rec.source):
                continue
            source = s.ref(rec.source)
        else:  # recorded before roots were: gone from every folder given now
            here = [s for s in (store(r) for r in roots) if s is not None]
            if not here or not all(s.gone(rec.source) for s in here):
                continue
            source = here[0].ref(rec.source)
        gone.append(Gone(key, source, sorted(rec.outputs)))
    return gone


def prune(
    gone: list[Gone],
    records: dict[str, Record],
    out: Storage,
    manifest: Any,
    protected: set[str],
    fold: Callable[[str], str],
) -> None:
    """Remove the orphans' outputs (see the module's docstring); fills ``removed``
    and ``kept`` of each."""
    for g in gone:
        rec = records[g.key]
        for rel in g.outputs:
            if fold(rel) in protected:
                g.kept[rel] = "also an output of a current input"
                continue
            have = out.digest(rel)
            if have is None:
                continue  # already gone
            if have != rec.outputs[rel]:
                g.kept[rel] = "edited since galley wrote it"
                continue
            try:
                out.remove(rel)
            except OSError as exc:
                g.kept[rel] = f"cannot remove: {exc.strerror or exc}"
                continue
            g.removed.append(rel)
            _remove_empty_folders(out, rel)
        if not g.kept:
            manifest.forget(g.key)


def _remove_empty_folders(out: Storage, rel: str) -> None:
    path = getattr(out, "path", None)
    if path is None:
        return
    parts = rel.split("/")[:-1]
    while parts:
        try:
            os.rmdir(os.path.join(path, *parts))
        except OSError:
            return  # not empty (or not ours to remove)
        parts.pop()
