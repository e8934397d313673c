"""``report.json``: every file's state after a batch, also one that was stopped.

The report lists each input once: ``converted``, ``skipped`` (its record held),
``failed`` (with the one-line error), or ``pending`` (the run was interrupted
before it). Besides the files: the outputs whose input is gone (``inputs_gone``)
and the links a folder walk did not follow (``not_followed``).

Its space is taken when the run starts (``ReportTarget``): a disk that fills up
during the batch still gets the report; when even that is too little, a compact
report (status, outputs and error per file) is written in the space reserved.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .names import base64_name, dumps, is_utf8

STATUSES = ("converted", "skipped", "failed", "pending")
#: bytes reserved per file for the report (a full entry is about 1 KB; the
#: compact one a tenth of that)
RESERVE_PER_FILE = 2048


def file_entry(source: str, status: str, **fields: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {"source": source, "status": status}
    if not is_utf8(source):
        entry["source_base64"] = base64_name(source)
    entry.update(fields)
    return entry


def report_json(report: dict[str, Any]) -> bytes:
    """The report with one file per line: readable, and written by json's C encoder
    (an indented dump of thousands of files is pure Python and takes most of a
    no-op run)."""
    summary = dumps(report["summary"], indent=1)
    parts = [f'{{"summary": {summary}']
    for section in ("files", "inputs_gone", "not_followed"):
        if section not in report:
            continue
        rows = ",\n  ".join(dumps(f) for f in report[section])
        parts.append(f',\n "{section}": [\n  {rows}\n ]' if rows else f',\n "{section}": []')
    return ("".join(parts) + "\n}\n").encode("utf-8")


def compact(report: dict[str, Any]) -> dict[str, Any]:
    """The same report with only each file's state (for a disk with no room left)."""
    keep = ("source", "source_base64", "status", "outputs", "error", "reason")
    files = [{k: f[k] for k in keep if k in f} for f in report["files"]]
    return {**report, "summary": {**report["summary"], "compact": True}, "files": files}


class ReportTarget:
    """Where the report goes, with room for it taken at the start of the run."""

    def __init__(self, ref: str, files: int):
        from .atomic import temp_name
        from .storage import local_path

        self.ref = ref
        self.local = local_path(ref)
        self.fd: int | None = None
        self.tmp: Path | None = None
        self.reserved = 0
        if self.local is None:
            return
        try:
            self.local.parent.mkdir(parents=True, exist_ok=True)
            self.tmp = self.local.parent / temp_name()
            self.fd = os.open(self.tmp, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o666 & ~_umask())
        except OSError:
            self.fd = self.tmp = None  # written the ordinary way at the end
            return
        want = 16384 + RESERVE_PER_FILE * files
        for size in (want, want // 8):
            try:
                os.posix_fallocate(self.fd, 0, size)
            except (OSError, AttributeError):
                continue
            self.reserved = size
            break

    @property
    def temp_names(self) -> frozenset[str]:
        """The reservation's file name (not a left-over of a killed run)."""
        return frozenset([self.tmp.name]) if self.tmp is not None else frozenset()

    def write(self, full: bytes, small: Callable[[], bytes]) -> str | None:
        """Write the report (the compact one if the full one does not fit); the
        error line when neither could be written."""
        from .storage import no_space, write_ref

        if self.fd is None:
            try:
                write_ref(self.ref, full)
                return None
            except OSError as exc:
                if not no_space(exc):
                    return f"cannot write {self.ref}: {exc.strerror or exc}"
            try:
                write_ref(self.ref, small())
                return None
            except OSError as exc:
                return f"cannot write {self.ref}: {exc.strerror or exc}"
        error: OSError | None = None
        for data in (full, None):
            if data is None:
                data = small()
            try:
                os.lseek(self.fd, 0, os.SEEK_SET)
                view = memoryview(data)
                while view:
                    view = view[os.write(self.fd, view) :]
                os.ftruncate(self.fd, len(data))
                os.fsync(self.fd)
                os.close(self.fd)
                self.fd = None
                os.replace(self.tmp, self.local)  # type: ignore[arg-type]  # an open fd: both are set
                self.tmp = None
                return None
            except OSError as exc:
                error = exc
                if not no_space(exc) or self.fd is None:
                    break
        self.discard()
        detail = (error.strerror or str(error)) if error else "unknown error"
        return f"cannot write {self.ref}: {detail}"

    def discard(self) -> None:
        if self.fd is not None:
            with contextlib.suppress(OSError):
                os.close(self.fd)
            self.fd = None
        if self.tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(self.tmp)
            self.tmp = None


def _umask() -> int:
    from .atomic import _umask as umask

    return umask()


def build_report(
    entries: list[dict[str, Any]],
    summary: dict[str, Any],
    gone: list[dict[str, Any]],
    not_followed: list[dict[str, Any]],
) -> dict[str, Any]:
    counts = {s: 0 for s in STATUSES}
    removed: dict[str, int] = {}
    structure = 0
    for e in entries:
        counts[e["status"]] += 1
        if e["status"] == "converted":
            for kind, n in (e.get("removed") or {}).items():
                removed[kind] = removed.get(kind, 0) + n
            structure += len(e.get("structure") or ())
    return {
        "summary": {
            "files": len(entries),
            **counts,
            "removed": dict(sorted(removed.items())),
            "structure_changed": structure,
            **summary,
            "inputs_gone": len(gone),
            "links_not_followed": len(not_followed),
        },
        "files": entries,
        "inputs_gone": gone,
        "not_followed": not_followed,
    }
