"""The manifest of a batch: what each input last produced, to skip what has not changed.

A SQLite database (standard library) in the output folder,
``OUT/.galley-manifest.sqlite`` (for an fsspec output, in the local cache folder; see
``default_location``). One row per input, written in its own transaction as soon
as the file is done, so that a run killed at any point keeps every record it
committed and loses at most the file in flight::

    files(key TEXT PRIMARY KEY,    -- the output path without extension (the stem)
          root TEXT,               -- the folder the input was found in (absolute)
          source TEXT,             -- input path relative to that folder
          input_sha256 TEXT,       -- content hash of the input bytes
          config_digest TEXT,      -- Config.digest() + SOURCE_DATE_EPOCH + reference files
          galley_version TEXT,     -- pipeline.__version__
          code_digest TEXT,        -- hash of galley's, the stages' and the writers' code
          writer_versions TEXT,    -- JSON {"md": "1", "docx": "1", ...}
          outputs TEXT,            -- JSON {relpath: sha256} of every file written
          deps TEXT,               -- JSON {path: sha256} the other files it read (pictures)
          info TEXT,               -- JSON summary for report.json (changes, kept, ...)
          seconds REAL, converted_at REAL)
    meta(key TEXT PRIMARY KEY, value TEXT)   -- schema version, writer-version cache

A name that is not UTF-8 (``key``, ``root``, ``source``) is stored as its exact
bytes (a BLOB), JSON columns escape it (``\\udcff``): both read back losslessly.

A record holds when the input, the configuration, galley's version and code, each
writer's version, every image it embedded and every output it wrote still hash the
same; anything else and the file is converted again.

On open the file is checked (SQLite's ``quick_check``, the tables and their
columns). A damaged or foreign file only costs a full re-run: it is moved aside to
``.galley-manifest.sqlite.damaged-<time>`` (kept for a look, never deleted), with a
warning, and a new manifest is started. A manifest written by a newer galley (a
higher schema version) is refused with a message and left as it is. A write that
fails during a run (a full disk) leaves the manifest as it was before that write:
the file is simply converted again next time.

Knowing writers' versions must not import the writers (the skip path stays cheap):
each writer's version is cached with the size and mtime of the module defining it,
and only re-read (imported) when that module changed.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sqlite3
import time
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from .errors import ConfigError
from .names import dumps, from_db, output_stem, to_db

SCHEMA = 2
FILENAME = ".galley-manifest.sqlite"
COLUMNS = (
    "key",
    "root",
    "source",
    "input_sha256",
    "config_digest",
    "galley_version",
    "code_digest",
    "writer_versions",
    "outputs",
    "deps",
    "info",
    "seconds",
    "converted_at",
)
# modules that only orchestrate a batch: editing them changes no output
_NOT_OUTPUT_CODE = {
    "cli.py",
    "batch.py",
    "manifest.py",
    "progress.py",
    "executors.py",
    "storage.py",
    "task.py",
    "__main__.py",
    "atomic.py",
    "names.py",
    "report.py",
    "orphans.py",
    "inputs.py",
    "lock.py",
    "api.py",
}


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
    root: str = ""


class Damaged(Exception):
    """The manifest file cannot be trusted (not SQLite, damaged pages, foreign tables)."""


class NewerManifest(ConfigError):
    """Written by a newer galley: refused, and left as it is."""


def _full(exc: BaseException) -> bool:
    code = getattr(exc, "sqlite_errorcode", None)
    return code == getattr(sqlite3, "SQLITE_FULL", 13) or "disk is full" in str(exc)


class Manifest:
    def __init__(self, path: Path):
        self.path = Path(path)
        self.reset_reason: str | None = None
        #: why writing to the manifest failed during this run (None: it did not)
        self.failure: str | None = None
        self.full = False
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.db = self._connect()
            self._check()
        except Damaged as exc:
            self._recover(str(exc))

    # -- opening ----------------------------------------------------------------------
    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(os.fsencode(self.path), timeout=30, isolation_level=None)

    def _check(self) -> None:
        """Integrity, then tables and columns; a fresh file gets the schema."""
        db = self.db
        try:
            rows = db.execute("PRAGMA quick_check").fetchall()
            if rows != [("ok",)]:
                raise Damaged("integrity check: " + "; ".join(str(r[0]) for r in rows[:2])[:200])
            tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            if not tables:
                self._create()
                return
            if tables - {"meta", "files"} or "meta" not in tables:
                raise Damaged(f"not a galley manifest (tables: {', '.join(sorted(tables))})")
            found = self.get_meta("schema")
            try:
                version = int(found or "")
            except ValueError:
                raise Damaged(f"schema version {found!r}") from None
            if version > SCHEMA:
                raise NewerManifest(
                    f"the manifest {self.path} was written by a newer galley (manifest version "
                    f"{version}; this galley knows {SCHEMA}): left as it is; use that galley, or "
                    f"give another -o or --manifest"
                )
            if "files" not in tables:
                raise Damaged("no files table")
            if version < SCHEMA:
                self._migrate(version)
            columns = {r[1] for r in db.execute("PRAGMA table_info(files)")}
            if columns != set(COLUMNS):
                extra = sorted(columns - set(COLUMNS))
                missing = sorted(set(COLUMNS) - columns)
                raise Damaged(
                    "unexpected columns in files"
                    + (f" (extra: {', '.join(extra)})" if extra else "")
                    + (f" (missing: {', '.join(missing)})" if missing else "")
                )
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")  # durable against a killed process
        except sqlite3.DatabaseError as exc:
            raise Damaged(str(exc)) from None

    def _create(self) -> None:
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.executescript("""
            CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS files (
                key TEXT PRIMARY KEY, root TEXT NOT NULL, source TEXT NOT NULL,
                input_sha256 TEXT NOT NULL, config_digest TEXT NOT NULL,
                galley_version TEXT NOT NULL, code_digest TEXT NOT NULL,
                writer_versions TEXT NOT NULL, outputs TEXT NOT NULL, deps TEXT NOT NULL,
                info TEXT NOT NULL, seconds REAL NOT NULL, converted_at REAL NOT NULL);
        """)
        self.set_meta("schema", str(SCHEMA))

    def _migrate(self, version: int) -> None:
        """Version 1 keyed files by the case-folded stem and had no root: key them by
        the stem (from the recorded source) and leave the root unknown ("")."""
        if version != 1:
            raise Damaged(f"schema version {version}")
        db = self.db
        db.execute("BEGIN IMMEDIATE")
        try:
            db.execute("ALTER TABLE files ADD COLUMN root TEXT NOT NULL DEFAULT ''")
            rows = db.execute("SELECT rowid, source FROM files").fetchall()
            db.execute("UPDATE files SET key = 'migrating:' || rowid")  # out of the way of the new keys
            for rowid, source in rows:
                db.execute(
                    "UPDATE OR REPLACE files SET key = ? WHERE rowid = ?",
                    (to_db(output_stem(from_db(source))), rowid),
                )
            self.set_meta("schema", str(SCHEMA))
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

    def _recover(self, why: str) -> None:
        """Move the damaged file (and its journal) aside and start a new manifest."""
        with contextlib.suppress(sqlite3.Error, AttributeError):
            self.db.close()
        stamp = time.strftime("%Y%m%dT%H%M%S")
        target = self.path.with_name(f"{self.path.name}.damaged-{stamp}")
        n = 1
        while target.exists():
            n += 1
            target = self.path.with_name(f"{self.path.name}.damaged-{stamp}-{n}")
        try:
            if self.path.exists():
                os.replace(self.path, target)
            for suffix in ("-wal", "-journal"):
                if os.path.exists(str(self.path) + suffix):
                    os.replace(str(self.path) + suffix, str(target) + suffix)
            if os.path.exists(str(self.path) + "-shm"):
                os.unlink(str(self.path) + "-shm")
        except OSError as exc:
            raise ConfigError(
                f"the manifest {self.path} is damaged ({why}) and cannot be moved "
                f"aside: {exc.strerror or exc}"
            ) from None
        self.reset_reason = (
            f"the manifest was damaged ({why}); moved aside to {target.name}; "
            f"starting afresh (every file is converted again)"
        )
        self.db = self._connect()
        try:
            self._check()
        except Damaged as exc:  # pragma: no cover - a fresh file is never damaged
            raise ConfigError(f"cannot start a new manifest {self.path}: {exc}") from None

    # -- meta -------------------------------------------------------------------------
    def get_meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    def cache_meta(self, key: str, value: str) -> None:
        """A meta value that is only a cache: a failed write is no failure."""
        with contextlib.suppress(sqlite3.Error):
            self.set_meta(key, value)

    # -- records ----------------------------------------------------------------------
    def load(self) -> dict[str, Record]:
        try:
            rows = self.db.execute(f"SELECT {', '.join(COLUMNS)} FROM files").fetchall()
        except sqlite3.DatabaseError as exc:  # damage that quick_check did not see
            self._recover(str(exc))
            return {}
        out = {}
        for r in rows:
            try:
                key = from_db(r[0])
                out[key] = Record(
                    key=key,
                    root=from_db(r[1]),
                    source=from_db(r[2]),
                    input_sha256=r[3],
                    config_digest=r[4],
                    galley_version=r[5],
                    code_digest=r[6],
                    writer_versions=json.loads(r[7]),
                    outputs=json.loads(r[8]),
                    deps=json.loads(r[9]),
                    info=json.loads(r[10]),
                    seconds=r[11],
                    converted_at=r[12],
                )
            except (ValueError, TypeError):
                continue  # an unreadable row: that file is simply converted again
        return out

    def put(self, rec: Record) -> bool:
        """Record one file, in its own transaction (committed on return). False when
        the write failed (``self.failure`` says why); later writes are not tried."""
        values = (
            to_db(rec.key),
            to_db(rec.root),
            to_db(rec.source),
            rec.input_sha256,
            rec.config_digest,
            rec.galley_version,
            rec.code_digest,
            json.dumps(rec.writer_versions, sort_keys=True),
            json.dumps(rec.outputs, sort_keys=True),
            json.dumps(rec.deps, sort_keys=True),
            dumps(rec.info, sort_keys=True),
            rec.seconds,
            rec.converted_at or time.time(),
        )
        return self._write(
            f"INSERT OR REPLACE INTO files ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})",
            values,
        )

    def forget(self, key: str) -> bool:
        return self._write("DELETE FROM files WHERE key = ?", (to_db(key),))

    def _write(self, sql: str, values: tuple[Any, ...]) -> bool:
        if self.failure is not None:
            return False
        try:
            self.db.execute(sql, values)
        except sqlite3.Error as exc:
            self.failure = str(exc)
            self.full = _full(exc)
            return False
        return True

    def close(self) -> None:
        with contextlib.suppress(sqlite3.Error):
            self.db.close()


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
    """A hash of the code that shapes outputs, so that an edited or upgraded stage or
    writer converts again even before a version is bumped. Nothing is imported:

    - galley's own sources (the core and its writers), but for the modules that
      only run a batch;
    - for every installed stage and writer (the ``galley.stages`` and
      ``galley.writers`` entry points): what the entry point names, the name and
      version of the distribution that provides it, and the sources of the package
      (or module) it is loaded from.
    """
    from .entrypoints import group, provider

    h = hashlib.sha256()
    own = Path(__file__).resolve().parent
    _hash_sources(h, own, skip=_NOT_OUTPUT_CODE)
    hashed = {own}
    for kind in ("galley.stages", "galley.writers"):
        for ep in sorted(group(kind), key=lambda e: (e.name, e.value)):
            h.update(f"{kind}:{ep.name}={ep.value} from {provider(ep)}\0".encode())
            source = _source_of(ep.value.partition(":")[0].split(".")[0])
            if source is not None and source not in hashed:
                hashed.add(source)
                _hash_sources(h, source)
    return h.hexdigest()[:16]


@cache
def _source_of(top: str) -> Path | None:
    """The folder of the top-level package ``top``, or its module's file (found, not
    imported)."""
    from importlib.util import find_spec

    try:
        spec = find_spec(top)
    except (ImportError, ValueError):
        return None
    if spec is None:
        return None
    if spec.submodule_search_locations:
        return Path(next(iter(spec.submodule_search_locations))).resolve()
    if spec.origin and os.path.isfile(spec.origin):
        return Path(spec.origin).resolve()
    return None


def _hash_sources(h: Any, root: Path, skip: frozenset[str] | set[str] = frozenset()) -> None:
    """Every ``.py`` file under ``root`` (or ``root`` itself), path and bytes, in a
    fixed order; ``skip`` names files of ``root`` itself left out."""
    if root.is_file():
        h.update(root.name.encode() + b"\0" + root.read_bytes())
        return
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith((".", "__")))
        for f in sorted(filenames):
            if not f.endswith(".py") or (Path(dirpath) == root and f in skip):
                continue
            full = os.path.join(dirpath, f)
            h.update(os.path.relpath(full, root.parent).encode() + b"\0")
            with open(full, "rb") as fh:
                h.update(fh.read())


def writer_versions(formats: list[str], manifest: Manifest | None) -> dict[str, str]:
    """Each writer's declared ``version``, without importing the writer when its module
    is unchanged since it was last read (cached in the manifest's meta table)."""
    from importlib.util import find_spec

    from .entrypoints import group
    from .errors import ConfigError

    eps = {ep.name: ep for ep in group("galley.writers")}
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
        try:
            cached = manifest.get_meta(f"writer:{family}") if manifest and fingerprint else None
        except sqlite3.Error:
            cached = None
        if cached:
            fp, _, version = cached.rpartition("\n")
            if fp == fingerprint:
                out[family] = version
                continue
        version = str(getattr(ep.load(), "version", "1"))
        if manifest and fingerprint:
            manifest.cache_meta(f"writer:{family}", f"{fingerprint}\n{version}")
        out[family] = version
    return out
