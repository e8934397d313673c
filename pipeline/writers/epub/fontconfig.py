"""fontconfig asked in-process, through its C library: the same answers as ``fc-match``
and ``fc-list`` print, without starting a process for each question (four of them cost
more than drawing the cover).

``library()`` is None where the library cannot be loaded (no fontconfig, another
platform): the caller asks the command-line tools then.
"""

from __future__ import annotations

import ctypes
import os
from functools import lru_cache

#: FcMatchPattern, FcResultMatch (fontconfig.h)
_MATCH_PATTERN = 0
_NAMES = ("libfontconfig.so.1", "libfontconfig.so", "libfontconfig.1.dylib", "libfontconfig.dylib")
#: what fontconfig reads its configuration by, as the tools would see it when started
_ENVIRONMENT = ("FONTCONFIG_FILE", "FONTCONFIG_PATH", "FONTCONFIG_SYSROOT")
_configured: list[tuple[str | None, ...]] = []


class _FontSet(ctypes.Structure):
    _fields_ = [("nfont", ctypes.c_int), ("sfont", ctypes.c_int), ("fonts", ctypes.POINTER(ctypes.c_void_p))]


def library() -> ctypes.CDLL | None:
    """The fontconfig library, initialised (None: not loadable here); configured again
    when the environment naming its configuration changed, as a new tool would be."""
    lib = _load()
    if lib is None:
        return None
    key = tuple(os.environ.get(name) for name in _ENVIRONMENT)
    if _configured and _configured[0] != key and not lib.FcInitReinitialize():
        return None
    _configured[:] = [key]
    return lib


@lru_cache(maxsize=1)
def _load() -> ctypes.CDLL | None:
    lib = None
    for name in _NAMES:
        try:
            lib = ctypes.CDLL(name)
            break
        except OSError:
            continue
    if lib is None:
        return None
    try:
        lib.FcInit.restype = ctypes.c_int
        lib.FcInitReinitialize.restype = ctypes.c_int
        lib.FcNameParse.restype = ctypes.c_void_p
        lib.FcNameParse.argtypes = [ctypes.c_char_p]
        lib.FcConfigSubstitute.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int]
        lib.FcDefaultSubstitute.argtypes = [ctypes.c_void_p]
        lib.FcFontMatch.restype = ctypes.c_void_p
        lib.FcFontMatch.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.POINTER(ctypes.c_int)]
        lib.FcPatternFormat.restype = ctypes.c_void_p
        lib.FcPatternFormat.argtypes = [ctypes.c_void_p, ctypes.c_char_p]
        lib.FcStrFree.argtypes = [ctypes.c_void_p]
        lib.FcPatternDestroy.argtypes = [ctypes.c_void_p]
        lib.FcObjectSetBuild.restype = ctypes.c_void_p
        lib.FcObjectSetDestroy.argtypes = [ctypes.c_void_p]
        lib.FcFontList.restype = ctypes.POINTER(_FontSet)
        lib.FcFontList.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p]
        lib.FcFontSetDestroy.argtypes = [ctypes.POINTER(_FontSet)]
    except AttributeError:  # not fontconfig after all
        return None
    return lib if lib.FcInit() else None


def _format(lib: ctypes.CDLL, pattern: int, fmt: str) -> str:
    out = lib.FcPatternFormat(pattern, fmt.encode("utf-8"))
    if not out:
        return ""
    try:
        return ctypes.string_at(out).decode("utf-8", "replace")
    finally:
        lib.FcStrFree(out)


def match(lib: ctypes.CDLL, pattern: str, fmt: str) -> str:
    """What ``fc-match -f FMT PATTERN`` prints."""
    pat = lib.FcNameParse(pattern.encode("utf-8"))
    if not pat:
        return ""
    try:
        lib.FcConfigSubstitute(None, pat, _MATCH_PATTERN)
        lib.FcDefaultSubstitute(pat)
        result = ctypes.c_int(0)
        font = lib.FcFontMatch(None, pat, ctypes.byref(result))
        if not font:
            return ""
        try:
            return _format(lib, font, fmt)
        finally:
            lib.FcPatternDestroy(font)
    finally:
        lib.FcPatternDestroy(pat)


def files(lib: ctypes.CDLL, pattern: str) -> set[str]:
    """The files ``fc-list -f '%{file}\\n' PATTERN`` names."""
    pat = lib.FcNameParse(pattern.encode("utf-8"))
    if not pat:
        return set()
    objects = lib.FcObjectSetBuild(b"file", None)
    try:
        found = lib.FcFontList(None, pat, objects)
        if not found:
            return set()
        try:
            fonts = found.contents
            return {_format(lib, fonts.fonts[k], "%{file}") for k in range(fonts.nfont)}
        finally:
            lib.FcFontSetDestroy(found)
    finally:
        lib.FcObjectSetDestroy(objects)
        lib.FcPatternDestroy(pat)
