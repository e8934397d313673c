"""The manifest of a batch: what each input last produced, to skip what has not changed.

A SQLite database (standard library) in the output folder,
``OUT/.galley-manifest.sqlite`` (for an fsspec output, in the local cache folder; see
``default_location``). One row per input, written in its own transaction as soon
as the file is done, so that a run killed at any point keeps every record it
committed and loses at most the file in flight::

    files(key TEXT PRIMARY KEY,    -- the output stem, case-folded (the collision key)
          source TEXT,             -- input path relative to the folder given
          input_sha256 TEXT,       -- content hash of the input bytes
          config_digest TEXT,      -- Config.digest() + SOURCE_DATE_EPOCH + reference files
          galley_version TEXT,     -- pipeline.__version__
          code_digest TEXT,        -- hash of the stage and writer sources
          writer_versions TEXT,    -- JSON {"md": "1", "docx": "1", ...}
          outputs TEXT,            -- JSON {relpath: sha256} of every file written
          deps TEXT,               -- JSON {image path: sha256} local images it embedded
          info TEXT,               -- JSON summary for report.json (changes, kept, ...)
          seconds REAL, converted_at REAL)
    meta(key TEXT PRIMARY KEY, value TEXT)   -- schema version, writer-version cache

A record holds when the input, the configuration, galley's version and code, each
writer's version, every image it embedded and every output it wrote still hash the
same; anything else and the file is converted again.

Knowing writers' versions must not import the writers (the skip path stays cheap):
each writer's version is cached with the size and mtime of the module defining it,
and only re-read (imported) when that module changed.
"""
from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SCHEMA = 1
FILENAME = ".galley-manifest.sqlite"
# modules that only orchestrate a batch: editing them changes no output
_NOT_OUTPUT_CODE = {"cli.py", "batch.py", "manifest.py", "progress.py", "executors.py",
                    "storage.py", "task.py", "__main__.py"}


@dataclass
class Record:
    key: str
    source: str
    input_sha256: str
    config_digest: str
    galley_version: str
    code_digest: str
    writer_versions: dict[str, str]
    outputs: dict[str, str] = field(default_factory=dict)
    deps: dict[str, str] = field(default_factory=dict)
    info: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0
    converted_at: float = 0.0


class Manifest:
    def __init__(self, path: Path):
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(str(path), timeout=30, isolation_level=None)
        try:
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")  # durable against a killed process
            self._schema()
        except sqlite3.DatabaseError as exc:
            # a damaged manifest only costs a full re-run, never a failure
            self.db.close()
            for suffix in ("", "-wal", "-shm", "-journal"):
                try:
                    os.unlink(str(path) + suffix)
                except OSError:
                    pass
            self.db = sqlite3.connect(str(path), timeout=30, isolation_level=None)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self._schema()
            self.reset_reason = f"manifest unreadable ({exc}); starting afresh"
        else:
            self.reset_reason = None

    def _schema(self) -> None:
        self.db.executescript("""
            CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS files (
                key TEXT PRIMARY KEY, source TEXT NOT NULL, input_sha256 TEXT NOT NULL,
                config_digest TEXT NOT NULL, galley_version TEXT NOT NULL,
                code_digest TEXT NOT NULL, writer_versions TEXT NOT NULL,
                outputs TEXT NOT NULL, deps TEXT NOT NULL, info TEXT NOT NULL,
                seconds REAL NOT NULL, converted_at REAL NOT NULL);
        """)
        found = self.get_meta("schema")
        if found is None:
            self.set_meta("schema", str(SCHEMA))
        elif found != str(SCHEMA):
            self.db.execute("DELETE FROM files")
            self.set_meta("schema", str(SCHEMA))

    # -- meta -------------------------------------------------------------------------
    def get_meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    # -- records ----------------------------------------------------------------------
    def load(self) -> dict[str, Record]:
        rows = self.db.execute(
            "SELECT key, source, input_sha256, config_digest, galley_version, code_digest, "
            "writer_versions, outputs, deps, info, seconds, converted_at FROM files").fetchall()
        out = {}
        for r in rows:
            try:
                out[r[0]] = Record(r[0], r[1], r[2], r[3], r[4], r[5], json.loads(r[6]),
                                   json.loads(r[7]), json.loads(r[8]), json.loads(r[9]), r[10], r[11])
            except (ValueError, TypeError):
                continue  # an unreadable row: that file is simply converted again
        return out

    def put(self, rec: Record) -> None:
        """Record one file, in its own transaction (committed on return)."""
        self.db.execute(
            "INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (rec.key, rec.source, rec.input_sha256, rec.config_digest, rec.galley_version,
             rec.code_digest, json.dumps(rec.writer_versions, sort_keys=True),
             json.dumps(rec.outputs, sort_keys=True), json.dumps(rec.deps, sort_keys=True),
             json.dumps(rec.info, ensure_ascii=False, sort_keys=True), rec.seconds,
             rec.converted_at or time.time()))

    def forget(self, key: str) -> None:
        self.db.execute("DELETE FROM files WHERE key = ?", (key,))

    def close(self) -> None:
        try:
            self.db.close()
        except sqlite3.Error:
            pass


def default_location(out_root: str, local_out: Path | None) -> Path:
    """OUT/.galley-manifest.sqlite; for an fsspec output, a file in the user's cache
    folder named after the output URL (SQLite needs a local file)."""
    if local_out is not None:
        return local_out / FILENAME
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "galley" / "manifests"
    name = hashlib.sha256(out_root.rstrip("/").encode()).hexdigest()[:24]
    return cache / f"{name}.sqlite"


# -- what the outputs depend on besides the input ------------------------------------
def code_digest() -> str:
    """A hash of the sources that shape outputs (stages and the pipeline's writers),
    so that an edited stage re-converts even before the version is bumped."""
    import pipeline
    roots = [Path(pipeline.__file__).parent]
    try:
        import stages
        roots.append(Path(stages.__file__).parent)
    except ImportError:  # pragma: no cover
        pass
    h = hashlib.sha256()
    for root in roots:
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith((".", "__")))
            for f in sorted(filenames):
                if not f.endswith(".py") or (Path(dirpath) == roots[0] and f in _NOT_OUTPUT_CODE):
                    continue
                full = os.path.join(dirpath, f)
                h.update(os.path.relpath(full, root.parent).encode() + b"\0")
                with open(full, "rb") as fh:
                    h.update(fh.read())
    return h.hexdigest()[:16]


def writer_versions(formats: list[str], manifest: Manifest | None) -> dict[str, str]:
    """Each writer's declared ``version``, without importing the writer when its module
    is unchanged since it was last read (cached in the manifest's meta table)."""
    from importlib.metadata import entry_points
    from importlib.util import find_spec
    from .errors import ConfigError
    eps = {ep.name: ep for ep in entry_points(group="galley.writers")}
    out: dict[str, str] = {}
    for spec in formats:
        family = spec.partition(":")[0]
        ep = eps.get(family)
        if ep is None:
            raise ConfigError(f"No writer {family!r}. Available: {', '.join(sorted(eps))}")
        module = ep.value.partition(":")[0]
        fingerprint = None
        try:
            found = find_spec(module)
            if found is not None and found.origin and os.path.isfile(found.origin):
                st = os.stat(found.origin)
                fingerprint = f"{ep.value}|{found.origin}|{st.st_size}|{st.st_mtime_ns}"
        except (ImportError, ValueError):
            fingerprint = None
        cached = manifest.get_meta(f"writer:{family}") if manifest and fingerprint else None
        if cached:
            fp, _, version = cached.rpartition("\n")
            if fp == fingerprint:
                out[family] = version
                continue
        version = str(getattr(ep.load(), "version", "1"))
        if manifest and fingerprint:
            manifest.set_meta(f"writer:{family}", f"{fingerprint}\n{version}")
        out[family] = version
    return out
