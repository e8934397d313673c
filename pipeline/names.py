"""File names as the disk has them, and the rule by which the output's file system
tells two names apart.

On POSIX a name is bytes and need not be UTF-8 (``b'\\xff.md'``). Python hands such
a name over with the bad bytes as lone surrogates (``'\\udcff.md'``,
surrogateescape), which is lossless but cannot be encoded as UTF-8: SQLite, JSON
written as UTF-8 and most writers would fail on it. So:

- the manifest stores such a name as the exact bytes (``os.fsencode``, a BLOB);
- JSON keeps it as ``\\udcff`` escapes, which Python reads back to the same name,
  and the report adds ``source_base64`` with the exact bytes for other tools;
- messages show it as ``\\xff.md``;
- titles and asset folders derived from it take U+FFFD for the bad bytes.

Whether ``straße.md`` and ``STRASSE.md`` (or ``é`` composed and decomposed) would
be the same file depends on the file system: ``probe`` asks the output folder.
"""

from __future__ import annotations

import base64
import json
import os
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any


def is_utf8(name: str) -> bool:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def to_bytes(name: str) -> bytes:
    """The name's bytes as on disk (lone surrogates back to the bytes they stand for)."""
    return name.encode("utf-8", "surrogateescape")


def shown(text: str) -> str:
    """For messages: undecodable bytes as ``\\xff``, the rest as it is."""
    if is_utf8(text):
        return text
    try:
        return to_bytes(text).decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:  # a surrogate that stands for no byte
        return text.encode("utf-8", "backslashreplace").decode("ascii")


def readable(name: str) -> str:
    """A valid Unicode form of a name (U+FFFD for bytes that are not UTF-8)."""
    if is_utf8(name):
        return name
    try:
        return to_bytes(name).decode("utf-8", "replace")
    except UnicodeEncodeError:
        return name.encode("utf-8", "replace").decode("utf-8")


def to_db(name: str) -> str | bytes:
    """What SQLite stores: the text, or the exact bytes when it is not UTF-8."""
    return name if is_utf8(name) else os.fsencode(name)


def from_db(value: Any) -> str:
    return os.fsdecode(bytes(value)) if isinstance(value, (bytes, bytearray)) else str(value)


def base64_name(name: str) -> str:
    return base64.b64encode(os.fsencode(name)).decode("ascii")


def dumps(obj: Any, **kwargs: Any) -> str:
    """JSON that encodes as UTF-8: readable text, or ``\\uXXXX`` escapes when the data
    holds names that are not UTF-8 (lossless: ``json.loads`` gives them back)."""
    text = json.dumps(obj, ensure_ascii=False, **kwargs)
    if is_utf8(text):
        return text
    return json.dumps(obj, ensure_ascii=True, **kwargs)


# -- the output file system's rule ----------------------------------------------------------
@dataclass(frozen=True)
class FoldRule:
    """How the output's file system compares names."""

    case_insensitive: bool = False
    normalizing: bool = False

    def key(self, stem: str) -> str:
        """Equal keys: the file system would take the two names for one file."""
        if self.case_insensitive:
            # lower case, as NTFS and APFS compare: "straße" and "STRASSE" stay two
            # names there, while str.casefold() would merge them
            stem = stem.lower()
        if self.normalizing:
            stem = unicodedata.normalize("NFC", stem)
        return stem

    def describe(self) -> str:
        parts = ["case-insensitive" if self.case_insensitive else "case-sensitive"]
        if self.normalizing:
            parts.append("Unicode-normalizing")
        return ", ".join(parts)


#: when the folder cannot be asked: compare as the narrowest common case-insensitive
#: file systems do (lower case, composed), so no clash goes unnoticed there
CAUTIOUS = FoldRule(case_insensitive=True, normalizing=True)


def probe(folder: Path) -> FoldRule:
    """Ask the file system holding ``folder`` (which must exist): create a file, and
    look for it under another case and another Unicode normalization."""
    tag = os.urandom(4).hex()
    try:
        case = _same_file(folder, f".galley-probe-{tag}-a", f".GALLEY-PROBE-{tag.upper()}-A")
        norm = _same_file(folder, f".galley-probe-{tag}-\u00e9", f".galley-probe-{tag}-e\u0301")
    except OSError:
        return CAUTIOUS
    return FoldRule(case_insensitive=case, normalizing=norm)


def _same_file(folder: Path, name: str, other: str) -> bool:
    path = folder / name
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.close(fd)
    try:
        try:
            st = os.stat(folder / other)
        except FileNotFoundError:
            return False
        mine = os.stat(path)
        return (st.st_dev, st.st_ino) == (mine.st_dev, mine.st_ino)
    finally:
        os.unlink(path)


def output_stem(rel: str | Path) -> str:
    """The output path of an input without its extension (``a/b.md`` → ``a/b``;
    ``.hidden`` and ``a.`` keep theirs, as ``pathlib`` has it). String operations:
    this runs once per input of every run."""
    rel = rel.as_posix() if isinstance(rel, Path) else rel
    head, _, name = rel.rpartition("/")
    i = name.rfind(".")
    if 0 < i < len(name) - 1:
        name = name[:i]
    return f"{head}/{name}" if head else name
