"""Where batch inputs are read and outputs written: a local folder or an fsspec URL.

Local paths (and ``file://`` URLs) are plain ``os``/``pathlib``: no fsspec import.
Any other URL (``s3://bucket/x``, ``memory://x``, ``gcs://...``) goes through fsspec,
imported only then (the ``galleyproof[dask]`` extra).

Writes are atomic where the storage allows it:

- local: the bytes go to a hidden temporary file in the target's folder
  (``.XXXXXXXXXXXX.galley-part``, short whatever the target's name), are flushed
  and fsynced, then renamed over the target (``os.replace``, atomic on POSIX); the
  outputs of one input are all written before any is renamed, so a full disk
  leaves the old ones. Left-over temporary files of a killed run are removed at
  the start of the next one (``clean_temp``).

Reading takes regular files only, at most ``--max-input-size`` bytes (``read_local``).
Folder walks (``LocalStorage.walk``) do not follow links that leave the folder.
- fsspec: one ``pipe_file`` per output. Object stores (S3, GCS, Azure) make a PUT
  visible all at once or not at all, and ``memory://`` stores the bytes in one
  assignment, so readers never see half a file there either. For a filesystem
  that fsspec writes in place (SFTP, SMB...), that is the best fsspec offers.
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .atomic import TEMP_NAME, TEMP_SUFFIX, write_all, write_atomic

#: bytes read from one input at most (``--max-input-size``): a FIFO that never ends,
#: /dev/zero or a 10 GB log named ``.md`` is one failure line, not a MemoryError
DEFAULT_MAX_INPUT = 64 * 1024 * 1024


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
    if is_url(root):
        return root.rstrip("/") + "/" + rel
    return rel if root in ("", ".") else os.path.join(root, rel)


def format_size(n: int) -> str:
    for unit, shift in (("GB", 30), ("MB", 20), ("KB", 10)):
        if n >= 1 << shift:
            value = n / (1 << shift)
            return f"{value:.0f} {unit}" if value == int(value) or value >= 100 else f"{value:.1f} {unit}"
    return f"{n} bytes"


def file_kind(mode: int) -> str:
    """What a file that is not a regular file is, for a message."""
    for test, name in (
        (stat.S_ISFIFO, "a FIFO"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISDIR, "a folder"),
        (stat.S_ISLNK, "a link"),
    ):
        if test(mode):
            return name
    return "not a regular file"


def _too_large(size: int, limit: int) -> str:
    return (
        f"larger than the {format_size(limit)} input limit ({format_size(size)}); "
        f"raise it with --max-input-size"
    )


def read_local(path: Path | str, limit: int = DEFAULT_MAX_INPUT) -> bytes:
    """The bytes of a regular file, at most ``limit`` of them.

    What is not a regular file is refused before it is opened (opening a device can
    do things; reading a FIFO waits for a writer forever), and checked again on the
    open descriptor in case the name changed in between."""
    from .errors import InputError

    st = os.stat(path)
    if not stat.S_ISREG(st.st_mode):
        raise InputError(f"not a regular file ({file_kind(st.st_mode)})")
    if st.st_size > limit:
        raise InputError(_too_large(st.st_size, limit))
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    with os.fdopen(fd, "rb") as fh:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise InputError(f"not a regular file ({file_kind(st.st_mode)})")
        data = fh.read(limit + 1)
    if len(data) > limit:
        raise InputError(_too_large(len(data), limit))
    return data


@dataclass
class Skipped:
    """Something a folder walk met and did not take as an input."""

    rel: str
    kind: str  # "folder" (cannot be read), "special" (not a regular file), "link"
    message: str
    folder: bool = False  # a link to a folder


class Storage:
    """A root folder: local (``LocalStorage``) or fsspec (``FsspecStorage``)."""

    root: str
    #: what the last ``walk`` met and did not take
    skipped: list[Skipped]

    def read(self, rel: str, limit: int = DEFAULT_MAX_INPUT) -> bytes:
        raise NotImplementedError

    def write(self, rel: str, data: bytes) -> None:
        raise NotImplementedError

    def write_all(self, files: dict[str, bytes]) -> None:
        """Write several files; where the storage allows it, all or none change."""
        for rel, data in files.items():
            self.write(rel, data)

    def remove(self, rel: str) -> None:
        raise NotImplementedError

    def digest(self, rel: str) -> str | None:
        """sha256 of the file, None if it does not exist."""
        try:
            return sha256(self.read(rel, 1 << 62))
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            return None

    def gone(self, rel: str) -> bool:
        """True only when the file surely does not exist (a folder that cannot be
        read, or a storage that cannot be asked, is not "gone")."""
        return False

    def walk(self, exclude: list[str] | None = None, follow_links: bool = False) -> Iterator[str]:
        raise NotImplementedError

    def ref(self, rel: str) -> str:
        return join(self.root, rel)

    def clean_temp(self, keep: frozenset[str] = frozenset()) -> int:
        return 0

    def is_dir(self) -> bool:
        raise NotImplementedError

    def exists(self) -> bool:
        raise NotImplementedError


class LocalStorage(Storage):
    def __init__(self, path: Path):
        self.path = path
        self.root = str(path)
        self.skipped = []

    def read(self, rel: str, limit: int = DEFAULT_MAX_INPUT) -> bytes:
        return read_local(os.path.join(self.root, rel), limit)

    def digest(self, rel: str) -> str | None:
        try:
            with open(os.path.join(self.root, rel), "rb") as fh:
                return hashlib.file_digest(fh, "sha256").hexdigest()
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            return None

    def write(self, rel: str, data: bytes) -> None:
        write_atomic(self.path / rel, data)

    def write_all(self, files: dict[str, bytes]) -> None:
        write_all({self.path / rel: data for rel, data in files.items()})

    def remove(self, rel: str) -> None:
        os.unlink(self.path / rel)

    def gone(self, rel: str) -> bool:
        try:
            os.lstat(self.path / rel)
        except (FileNotFoundError, NotADirectoryError):
            return True
        except OSError:
            return False
        return False

    def exists(self) -> bool:
        return self.path.exists()

    def is_dir(self) -> bool:
        return self.path.is_dir()

    def walk(self, exclude: list[str] | None = None, follow_links: bool = False) -> Iterator[str]:
        """Relative POSIX paths of the regular files below, sorted; hidden names and
        the folders in ``exclude`` (absolute, resolved) are left out.

        Links (to files or folders) are followed only when they lead to a place
        inside this folder, unless ``follow_links``. A folder is walked once, by
        its own path before any link to it, so link loops end. What is met and not
        taken (a folder that cannot be read, a FIFO, a link out) is in
        ``self.skipped`` afterwards."""
        walker = _Walker(self.path, exclude or [], follow_links)
        found = walker.run()
        self.skipped = walker.skipped
        return iter(found)

    def clean_temp(self, keep: frozenset[str] = frozenset()) -> int:
        """Remove temporary files a killed run left behind (but the names in
        ``keep``: this run's own); how many."""
        removed = 0
        if not self.path.is_dir():
            return 0
        for dirpath, _dirs, filenames in os.walk(self.path):
            for f in filenames:
                if f.endswith(TEMP_SUFFIX) and TEMP_NAME.match(f):
                    if f in keep:
                        continue
                    try:
                        os.unlink(os.path.join(dirpath, f))
                        removed += 1
                    except OSError:
                        pass
        return removed


class _Walker:
    def __init__(self, base: Path, exclude: list[str], follow_links: bool):
        self.base = str(base)
        self.real = os.path.realpath(self.base)
        self.skip = {os.path.normcase(e) for e in exclude}
        self.follow = follow_links
        self.found: list[str] = []
        self.skipped: list[Skipped] = []
        self.seen: set[tuple[int, int]] = set()
        self.links: list[tuple[str, str]] = []  # folder links, walked after every real folder

    def run(self) -> list[str]:
        try:
            st = os.stat(self.base)
            self.seen.add((st.st_dev, st.st_ino))
        except OSError:
            pass
        self._folder(self.base, "")
        while self.links:
            self.links.sort()
            rel, full = self.links.pop(0)
            try:
                st = os.stat(full)
            except OSError:
                continue
            if (st.st_dev, st.st_ino) in self.seen:
                continue  # a loop, or a folder walked already by its own path
            self.seen.add((st.st_dev, st.st_ino))
            self._folder(full, rel)
        self.found.sort()
        self.skipped.sort(key=lambda s: s.rel)
        return self.found

    def _inside(self, full: str) -> tuple[bool, str]:
        target = os.path.realpath(full)
        return target == self.real or target.startswith(self.real.rstrip(os.sep) + os.sep), target

    def _folder(self, dirpath: str, rel_dir: str) -> None:
        try:
            with os.scandir(dirpath) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            self.skipped.append(
                Skipped(rel_dir or ".", "folder", f"cannot read folder: {exc.strerror or exc}")
            )
            return
        subfolders = []
        for ent in entries:
            name = ent.name
            if name.startswith("."):
                continue
            rel = f"{rel_dir}/{name}" if rel_dir else name
            full = ent.path
            try:
                link = ent.is_symlink()
                if link:
                    inside, target = self._inside(full)
                    if not inside and not self.follow:
                        self.skipped.append(
                            Skipped(
                                rel,
                                "link",
                                f"a link to {target}, outside the "
                                f"input folder: not followed (--follow-symlinks)",
                                os.path.isdir(full),
                            )
                        )
                        continue
                    mode = os.stat(full).st_mode
                elif ent.is_dir(follow_symlinks=False):
                    mode = stat.S_IFDIR
                elif ent.is_file(follow_symlinks=False):
                    mode = stat.S_IFREG
                else:
                    mode = ent.stat(follow_symlinks=False).st_mode
            except FileNotFoundError:
                if ent.is_symlink():
                    self.skipped.append(Skipped(rel, "special", "not a regular file (a broken link)"))
                continue  # removed while we looked
            except OSError as exc:
                self.skipped.append(Skipped(rel, "special", f"cannot read: {exc.strerror or exc}"))
                continue
            if stat.S_ISDIR(mode):
                if self.skip and os.path.normcase(os.path.realpath(full)) in self.skip:
                    continue
                if link:
                    self.links.append((rel, full))
                else:
                    subfolders.append((rel, full))
            elif stat.S_ISREG(mode):
                self.found.append(rel)
            else:
                self.skipped.append(Skipped(rel, "special", f"not a regular file ({file_kind(mode)})"))
        for rel, full in subfolders:
            try:
                st = os.stat(full)
                key = (st.st_dev, st.st_ino)
            except OSError:
                key = None
            if key is not None:
                if key in self.seen:
                    continue
                self.seen.add(key)
            self._folder(full, rel)


class FsspecStorage(Storage):
    def __init__(self, url: str):
        import fsspec  # the galleyproof[dask] extra

        self.root = url.rstrip("/")
        self.fs, self.base = fsspec.core.url_to_fs(self.root)
        self.base = self.base.rstrip("/")
        self.skipped = []

    def _p(self, rel: str) -> str:
        return f"{self.base}/{rel}" if self.base else rel

    def read(self, rel: str, limit: int = DEFAULT_MAX_INPUT) -> bytes:
        return _read_fsspec(self.fs, self._p(rel), limit)

    def write(self, rel: str, data: bytes) -> None:
        path = self._p(rel)
        parent = path.rsplit("/", 1)[0]
        if parent and parent != path:
            self.fs.makedirs(parent, exist_ok=True)
        self.fs.pipe_file(path, data)

    def remove(self, rel: str) -> None:
        self.fs.rm_file(self._p(rel))

    def gone(self, rel: str) -> bool:
        try:
            return self.exists() and not self.fs.exists(self._p(rel))
        except Exception:  # a storage that cannot be asked: not gone
            return False

    def exists(self) -> bool:
        return bool(self.fs.exists(self.base))

    def is_dir(self) -> bool:
        return bool(self.fs.isdir(self.base))

    def walk(self, exclude: list[str] | None = None, follow_links: bool = False) -> Iterator[str]:
        prefix = self.base + "/" if self.base else ""
        skip = [e.rstrip("/") + "/" for e in (exclude or [])]
        found = []
        for full in self.fs.find(self.base):
            full = full.lstrip("/") if not self.base.startswith("/") else full
            rel = full[len(prefix) :] if full.startswith(prefix) else full.lstrip("/")
            if any(part.startswith(".") for part in rel.split("/")):
                continue
            if any((full + "/").startswith(s) for s in skip):
                continue
            found.append(rel)
        return iter(sorted(found))


def _read_fsspec(fs: Any, path: str, limit: int) -> bytes:
    from .errors import InputError

    size = fs.size(path)
    if size is not None and size > limit:
        raise InputError(_too_large(size, limit))
    with fs.open(path, "rb") as fh:
        data: bytes = fh.read(limit + 1)
    if len(data) > limit:
        raise InputError(_too_large(len(data), limit))
    return data


def open_storage(ref: str | Path) -> Storage:
    ref = str(ref)
    local = local_path(ref)
    if local is not None:
        return LocalStorage(local)
    return FsspecStorage(ref)


def read_ref(ref: str, limit: int = DEFAULT_MAX_INPUT) -> bytes:
    """The bytes of one input file named by a path or URL (a regular file, at most
    ``limit`` bytes)."""
    local = local_path(ref)
    if local is not None:
        return read_local(local, limit)
    import fsspec

    fs, path = fsspec.core.url_to_fs(ref)
    return _read_fsspec(fs, path, limit)


def write_ref(ref: str, data: bytes) -> None:
    """Write one file named by a path or URL (atomically where the storage allows)."""
    local = local_path(ref)
    if local is not None:
        write_atomic(local, data)
        return
    parent, _, name = ref.rstrip("/").rpartition("/")
    FsspecStorage(parent).write(name, data)


def no_space(exc: BaseException) -> bool:
    """A full disk (or quota)."""
    return isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT)
