"""Where batch inputs are read and outputs written: a local folder or an fsspec URL.

Local paths (and ``file://`` URLs) are plain ``os``/``pathlib``: no fsspec import.
Any other URL (``s3://bucket/x``, ``memory://x``, ``gcs://...``) goes through fsspec,
imported only then (the ``galleyproof[dask]`` extra).

Writes are atomic where the storage allows it:

- local: the bytes go to a hidden temporary file in the target's folder
  (``.NAME.XXXXXXXX.galley-part``), are flushed and fsynced, then renamed over the
  target (``os.replace``, atomic on POSIX). Left-over temporary files of a killed
  run are removed at the start of the next one (``clean_temp``).
- fsspec: one ``pipe_file`` per output. Object stores (S3, GCS, Azure) make a PUT
  visible all at once or not at all, and ``memory://`` stores the bytes in one
  assignment, so readers never see half a file there either. For a filesystem
  that fsspec writes in place (SFTP, SMB...), that is the best fsspec offers.
"""
from __future__ import annotations

import hashlib
import os
import re
import stat
import urllib.parse
from pathlib import Path
from typing import Iterator

from .atomic import TEMP_SUFFIX, write_atomic

_TEMP_NAME = re.compile(r"^\..+\.[0-9a-f]{8}" + re.escape(TEMP_SUFFIX) + r"$")


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def is_url(ref: str) -> bool:
    scheme = urllib.parse.urlsplit(ref).scheme
    return "://" in ref and len(scheme) > 1


def local_path(ref: str) -> Path | None:
    """The local path a reference names (a plain path or ``file://``), else None."""
    if not is_url(ref):
        return Path(ref)
    parts = urllib.parse.urlsplit(ref)
    if parts.scheme == "file":
        return Path(urllib.parse.unquote(parts.path))
    return None


def join(root: str, rel: str) -> str:
    return root.rstrip("/") + "/" + rel if is_url(root) else str(Path(root) / rel)


class Storage:
    """A root folder: local (``LocalStorage``) or fsspec (``FsspecStorage``)."""

    root: str

    def read(self, rel: str) -> bytes:
        raise NotImplementedError

    def write(self, rel: str, data: bytes) -> None:
        raise NotImplementedError

    def digest(self, rel: str) -> str | None:
        """sha256 of the file, None if it does not exist."""
        try:
            return sha256(self.read(rel))
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            return None

    def walk(self, exclude: list[str] | None = None) -> Iterator[str]:
        raise NotImplementedError

    def ref(self, rel: str) -> str:
        return join(self.root, rel)

    def clean_temp(self) -> int:
        return 0

    def is_dir(self) -> bool:
        raise NotImplementedError

    def exists(self) -> bool:
        raise NotImplementedError


class LocalStorage(Storage):
    def __init__(self, path: Path):
        self.path = path
        self.root = str(path)

    def read(self, rel: str) -> bytes:
        with open(self.path / rel, "rb") as fh:
            return fh.read()

    def write(self, rel: str, data: bytes) -> None:
        write_atomic(self.path / rel, data)

    def exists(self) -> bool:
        return self.path.exists()

    def is_dir(self) -> bool:
        return self.path.is_dir()

    def walk(self, exclude: list[str] | None = None) -> Iterator[str]:
        """Relative POSIX paths of the files below, sorted; hidden names and the
        folders in ``exclude`` (absolute, resolved) are left out."""
        skip = {os.path.normcase(e) for e in (exclude or [])}
        base = str(self.path)
        found: list[str] = []
        for dirpath, dirnames, filenames in os.walk(base):
            keep = []
            for d in dirnames:
                if d.startswith("."):
                    continue
                full = os.path.join(dirpath, d)
                if skip and os.path.normcase(os.path.realpath(full)) in skip:
                    continue
                keep.append(d)
            dirnames[:] = sorted(keep)
            rel_dir = os.path.relpath(dirpath, base)
            for f in filenames:
                if f.startswith("."):
                    continue
                rel = f if rel_dir == "." else os.path.join(rel_dir, f)
                try:
                    if not stat.S_ISREG(os.stat(os.path.join(dirpath, f)).st_mode):
                        continue
                except OSError:
                    continue
                found.append(rel.replace(os.sep, "/"))
        return iter(sorted(found))

    def clean_temp(self) -> int:
        """Remove temporary files a killed run left behind; how many."""
        removed = 0
        if not self.path.is_dir():
            return 0
        for dirpath, _dirs, filenames in os.walk(self.path):
            for f in filenames:
                if f.endswith(TEMP_SUFFIX) and _TEMP_NAME.match(f):
                    try:
                        os.unlink(os.path.join(dirpath, f))
                        removed += 1
                    except OSError:
                        pass
        return removed


class FsspecStorage(Storage):
    def __init__(self, url: str):
        import fsspec  # the galleyproof[dask] extra
        self.root = url.rstrip("/")
        self.fs, self.base = fsspec.core.url_to_fs(self.root)
        self.base = self.base.rstrip("/")

    def _p(self, rel: str) -> str:
        return f"{self.base}/{rel}" if self.base else rel

    def read(self, rel: str) -> bytes:
        return self.fs.cat_file(self._p(rel))

    def write(self, rel: str, data: bytes) -> None:
        path = self._p(rel)
        parent = path.rsplit("/", 1)[0]
        if parent and parent != path:
            self.fs.makedirs(parent, exist_ok=True)
        self.fs.pipe_file(path, data)

    def exists(self) -> bool:
        return self.fs.exists(self.base)

    def is_dir(self) -> bool:
        return self.fs.isdir(self.base)

    def walk(self, exclude: list[str] | None = None) -> Iterator[str]:
        prefix = self.base + "/" if self.base else ""
        skip = [e.rstrip("/") + "/" for e in (exclude or [])]
        found = []
        for full in self.fs.find(self.base):
            full = full.lstrip("/") if not self.base.startswith("/") else full
            rel = full[len(prefix):] if full.startswith(prefix) else full.lstrip("/")
            if any(part.startswith(".") for part in rel.split("/")):
                continue
            if any((full + "/").startswith(s) for s in skip):
                continue
            found.append(rel)
        return iter(sorted(found))


def open_storage(ref: str | Path) -> Storage:
    ref = str(ref)
    local = local_path(ref)
    if local is not None:
        return LocalStorage(local)
    return FsspecStorage(ref)


def read_ref(ref: str) -> bytes:
    """The bytes of one input file named by a path or URL."""
    local = local_path(ref)
    if local is not None:
        with open(local, "rb") as fh:
            return fh.read()
    import fsspec
    with fsspec.open(ref, "rb") as fh:
        return fh.read()


def write_ref(ref: str, data: bytes) -> None:
    """Write one file named by a path or URL (atomically where the storage allows)."""
    local = local_path(ref)
    if local is not None:
        write_atomic(local, data)
        return
    parent, _, name = ref.rstrip("/").rpartition("/")
    FsspecStorage(parent).write(name, data)
