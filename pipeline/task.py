"""The per-file task of a batch: a plain function any executor can run.

``convert_file(job, out_root, config)`` reads one input (a path or an fsspec URL),
cleans and renders it, writes every output atomically under ``out_root`` and
returns a small, picklable dict. It takes plain data only, so the same function
runs in-process, in a local worker process or on a Dask worker: the package is
importable there, and the pipeline and writers are built once per worker (and
thread) and reused.

The result::

    {"key": ..., "status": "converted" | "failed", "error": "one line", "fault": None,
     "outputs": {relpath: sha256}, "deps": {path of a file the stages read: sha256},
     "info": {changes, kept, warnings, timings...}, "seconds": 0.12}
"""

from __future__ import annotations

import os
import threading
import time
import traceback
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .runner import Pipeline
    from .writer import Writer

_local = threading.local()


def config_data(cfg: Any) -> dict[str, Any]:
    """A Config as plain data (what crosses to workers)."""
    return {
        "formats": list(cfg.formats),
        "disabled": sorted(cfg.disabled),
        "enabled": sorted(cfg.enabled),
        "stage_options": cfg.stage_options,
        "writer_options": cfg.writer_options,
        "strict": cfg.strict,
    }


def built(config: dict[str, Any]) -> tuple[Pipeline, list[Writer]]:
    """The pipeline and writers of ``config``, built now (a bad option raises its
    ConfigError here) and kept for the files converted in this thread."""
    return _build(config)


def _build(config: dict[str, Any]) -> tuple[Pipeline, list[Writer]]:
    """The pipeline and writers for this configuration, built once per thread."""
    import json

    key = json.dumps(config, sort_keys=True, default=str)
    cache: dict[str, tuple[Pipeline, list[Writer]]] | None = getattr(_local, "cache", None)
    if cache is None:
        cache = _local.cache = {}
    if key not in cache:
        from .config import Config
        from .runner import Pipeline
        from .writer import make_writer

        cfg = Config(
            formats=list(config["formats"]),
            disabled=set(config["disabled"]),
            enabled=set(config["enabled"]),
            stage_options=config["stage_options"],
            writer_options=config["writer_options"],
            strict=bool(config.get("strict")),
        )
        writers = [make_writer(f, cfg.writer_options.get(f.partition(":")[0], {})) for f in cfg.formats]
        cache.clear()
        cache[key] = (Pipeline(cfg), writers)
    return cache[key]


def _doc_path(source: str) -> Path:
    """The path the pipeline sees. For a URL input it keeps the name (titles fall
    back to it) under /dev/null, which is never a folder: local images are then
    refused, never read from this machine's disk. A name that is not UTF-8 gets
    U+FFFD for its bad bytes (a title or an asset folder made from it must be text);
    the folder stays as it is, for the images beside the file."""
    from .names import readable
    from .storage import local_path

    local = local_path(source)
    if local is not None:
        return local.with_name(readable(local.name)) if local.name else local
    from urllib.parse import unquote, urlsplit

    return Path(os.devnull) / readable(Path(unquote(urlsplit(source).path)).name)


def _render(job: dict[str, Any], config: dict[str, Any]) -> Any:
    from .rendering import render
    from .storage import DEFAULT_MAX_INPUT, read_ref

    pipeline, writers = _build(config)
    source = job["source"]
    try:
        raw = read_ref(source, job.get("max_bytes") or DEFAULT_MAX_INPUT)
    except OSError as exc:
        from .errors import InputError

        raise InputError(f"cannot read: {exc.strerror or exc}") from None
    return render(pipeline, writers, _doc_path(source), job["stem"], raw)


def _with_deadline(job: dict[str, Any], config: dict[str, Any], timeout: float) -> Any:
    """Render in a helper thread and give up after ``timeout`` seconds. Used where
    the worker cannot be killed (Dask); the thread runs on unseen, and nothing it
    makes is written."""
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["value"] = _render(job, config)
        except BaseException as exc:  # handed to the caller
            box["error"] = exc

    thread = threading.Thread(target=target, daemon=True, name=f"galley:{job['stem']}")
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        raise TimeoutError(f"timed out after {timeout:g} s")
    if "error" in box:
        raise box["error"]
    return box["value"]


def _set_env(env: dict[str, str | None]) -> None:
    """Variables that change outputs (SOURCE_DATE_EPOCH), as the submitting side has them."""
    for name, value in env.items():
        if value is None:
            os.environ.pop(name, None)
        elif os.environ.get(name) != value:
            os.environ[name] = value


class _WriteError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.fault = "no_space" if message.startswith("no space left") else None


def write_error(exc: OSError, out_root: str) -> str:
    """One line for an output that could not be written, naming it."""
    import errno

    from .names import shown

    target = shown(str(exc.filename)) if exc.filename else shown(out_root)
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        what = "no space left on device" if exc.errno == errno.ENOSPC else "disk quota exceeded"
        return f"{what} writing {target}"
    if exc.errno == errno.ENAMETOOLONG:
        return f"name too long for the file system: {target}"
    if exc.errno == errno.EROFS:
        return f"read-only file system: cannot write {target}"
    return f"cannot write {target}: {exc.strerror or exc}"


def convert_file(
    job: dict[str, Any], out_root: str, config: dict[str, Any], timeout: float | None = None
) -> dict[str, Any]:
    """Convert one input and write its outputs; never raises for a bad file.

    ``job`` is ``{"key", "source", "stem"}``: the manifest key, the input's path
    or URL, and the output path without extension relative to ``out_root``; and
    ``max_bytes``, the most an input may have. A full disk sets ``"fault":
    "no_space"`` in the result.
    """
    from .errors import GalleyError
    from .storage import open_storage, sha256

    started = time.perf_counter()
    result: dict[str, Any] = {
        "key": job["key"],
        "source": job["source"],
        "status": "failed",
        "outputs": {},
        "deps": {},
        "info": {},
        "error": None,
    }
    try:
        _set_env(config.get("env") or {})
        rendered = _with_deadline(job, config, timeout) if timeout else _render(job, config)
        out = open_storage(out_root)
        try:
            # all of this file's outputs, or none (a full disk leaves the old ones)
            out.write_all(dict(sorted(rendered.outputs.items())))
        except OSError as exc:
            raise _WriteError(write_error(exc, out_root)) from None
        result["outputs"] = {rel: sha256(data) for rel, data in sorted(rendered.outputs.items())}
        result["deps"] = dict(sorted(rendered.doc.dependencies.items()))
        result["info"] = rendered.summary()
        result["status"] = "converted"
    except GalleyError as exc:
        result["error"] = str(exc)
    except TimeoutError as exc:
        result["error"] = str(exc)
    except _WriteError as exc:
        result["error"] = str(exc)
        result["fault"] = exc.fault
    except OSError as exc:  # the input was read: this is the output side
        result["error"] = write_error(exc, out_root)
    except MemoryError:
        result["error"] = "out of memory"
    except Exception as exc:  # an executor must never see a bad file's exception
        where = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
        at = f" (at {Path(where.filename).name}:{where.lineno})" if where else ""
        detail = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        result["error"] = f"internal error: {type(exc).__name__}: {detail}{at}"
    result["seconds"] = round(time.perf_counter() - started, 4)
    return result
