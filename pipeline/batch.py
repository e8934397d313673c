"""Many files: discovery, the incremental plan, parallel execution, the report.

``run_batch`` is ``galley convert``:

1. discover the inputs under each folder given (recursively, include/exclude
   globs, hidden names and the output folder left out) and refuse two inputs that
   would write the same outputs (``a.md``/``a.markdown``, ``A.md``/``a.md``);
2. plan: hash every input and check its manifest record (``pipeline.manifest``);
   an input whose record still holds is skipped. This path imports neither the
   pipeline nor a writer, so that a run with nothing to do takes a fraction of a
   second;
3. run the rest with an executor (``pipeline.executors``): worker processes by
   default, or Dask; each file is ``pipeline.task.convert_file``, which writes its
   outputs atomically; its record is committed as soon as it is done;
4. write ``OUT/report.json`` and print the summary; exit status 1 if a file failed.
"""
from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import time
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterator

from .config import Config
from .errors import ConfigError

INPUT_SUFFIXES = (".md", ".markdown", ".mdown", ".mkd", ".txt")
DEFAULT_INCLUDE = tuple(f"*{s}" for s in INPUT_SUFFIXES)
REPORT_NAME = "report.json"


def discover(paths: list[Path]) -> Iterator[tuple[Path, Path]]:
    """Input files and their paths relative to the folder given (for mirroring)."""
    for p in paths:
        if p.is_dir():
            for f in sorted(p.rglob("*")):
                if f.is_file() and f.suffix.lower() in INPUT_SUFFIXES and not _hidden(f.relative_to(p)):
                    yield f, f.relative_to(p)
        else:
            yield p, Path(p.name)


def _hidden(rel: Path) -> bool:
    return any(part.startswith(".") for part in rel.parts)


def output_stem(rel: Path | str) -> str:
    rel = Path(rel)
    return rel.with_suffix("").as_posix() if rel.suffix else rel.as_posix()


def collision_key(stem: str) -> str:
    """Outputs that a case-insensitive (or normalizing) file system would confuse."""
    return unicodedata.normalize("NFC", stem).casefold()


# -- globs ----------------------------------------------------------------------------------
@lru_cache(maxsize=256)
def _glob_re(pattern: str) -> re.Pattern[str]:
    """``*`` and ``?`` stay inside one folder name, ``**`` crosses folders, ``[...]`` a set."""
    out, i = [], 0
    while i < len(pattern):
        c = pattern[i]
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
            continue
        if pattern.startswith("**", i):
            out.append(".*")
            i += 2
            continue
        if c == "*":
            out.append("[^/]*")
        elif c == "?":
            out.append("[^/]")
        elif c == "[":
            end = pattern.find("]", i + 1)
            if end == -1:
                out.append(re.escape(c))
            else:
                body = pattern[i + 1:end]
                if body.startswith("!"):
                    body = "^" + body[1:]
                out.append(f"[{body}]")
                i = end
        else:
            out.append(re.escape(c))
        i += 1
    return re.compile("".join(out) + r"\Z", re.IGNORECASE)


def glob_match(rel: str, pattern: str, any_part: bool = False) -> bool:
    """A pattern without ``/`` matches the file name (with ``any_part``, any folder
    name on the way too); a pattern with ``/`` matches the whole relative path."""
    pattern = pattern.strip().lstrip("./") if pattern.startswith("./") else pattern.strip()
    rx = _glob_re(pattern.rstrip("/"))
    if "/" not in pattern.rstrip("/"):
        parts = rel.split("/")
        return any(rx.match(p) for p in (parts if any_part else parts[-1:]))
    if rx.match(rel):
        return True
    # "drafts/**" or "a/b" also excludes what lies below a matching folder
    return any_part and any(rx.match("/".join(rel.split("/")[:k])) for k in range(1, rel.count("/") + 1))


def wanted(rel: str, include: tuple[str, ...], exclude: tuple[str, ...]) -> bool:
    return any(glob_match(rel, p) for p in include) and not any(glob_match(rel, p, True) for p in exclude)


# -- inputs ---------------------------------------------------------------------------------
@dataclass
class Source:
    rel: str                 # path relative to the folder given (POSIX), mirrored under OUT
    storage: Any             # storage.Storage of that folder
    stem: str = ""
    key: str = ""

    def __post_init__(self) -> None:
        self.stem = output_stem(self.rel)
        self.key = collision_key(self.stem)

    @property
    def ref(self) -> str:
        return self.storage.ref(self.rel)

    @property
    def label(self) -> str:
        return self.ref


def collect(paths: list[str], include: tuple[str, ...] = DEFAULT_INCLUDE,
            exclude: tuple[str, ...] = (), out_root: str | None = None) -> list[Source]:
    """Every input under ``paths``; refuses two inputs with the same outputs."""
    from .storage import LocalStorage, is_url, local_path, open_storage
    out_local = local_path(out_root) if out_root else None
    out_abs = os.path.realpath(out_local) if out_local is not None else None
    sources: list[Source] = []
    for p in paths:
        local = local_path(p)
        if local is not None:
            if not local.exists():
                raise ConfigError(f"{p}: no such file or folder")
            if local.is_dir():
                if out_abs and os.path.realpath(local) == out_abs:
                    raise ConfigError(f"{p} is also the output folder: its outputs would be "
                                      f"read as inputs and could overwrite them; give another -o")
                store = LocalStorage(local)
                skip = [out_abs] if out_abs else []
                sources += [Source(rel, store) for rel in store.walk(skip) if wanted(rel, include, exclude)]
            else:
                sources.append(Source(local.name, LocalStorage(local.parent)))
            continue
        store = open_storage(p)
        if store.is_dir():
            skip = []
            if out_root and is_url(out_root):
                skip = [open_storage(out_root).base]
            sources += [Source(rel, store) for rel in store.walk(skip) if wanted(rel, include, exclude)]
        elif store.exists():
            parent, _, name = p.rstrip("/").rpartition("/")
            sources.append(Source(name, open_storage(parent)))
        else:
            raise ConfigError(f"{p}: no such file or folder")
    check_collisions(sources)
    return sources


def check_collisions(sources: list[Source]) -> None:
    seen: dict[str, Source] = {}
    clashes: list[str] = []
    for src in sources:
        other = seen.get(src.key)
        if other is not None:
            clashes.append(f"{other.label} and {src.label} would write the same outputs ({src.stem}.*)")
        else:
            seen[src.key] = src
    if clashes:
        more = f" (and {len(clashes) - 3} more)" if len(clashes) > 3 else ""
        raise ConfigError("; ".join(clashes[:3]) + more + "; rename one or use --exclude")


# -- the plan -------------------------------------------------------------------------------
def config_digest(cfg: Config) -> str:
    """Config.digest() plus what else changes the bytes: SOURCE_DATE_EPOCH and the
    contents of files named in writer options (a reference .docx)."""
    import hashlib
    h = hashlib.sha256(cfg.digest().encode())
    h.update(f"|SOURCE_DATE_EPOCH={os.environ.get('SOURCE_DATE_EPOCH')}".encode())
    for name, opts in sorted(cfg.writer_options.items()):
        for key, value in sorted(opts.items()):
            if isinstance(value, str) and value and os.path.isfile(value):
                with open(value, "rb") as fh:
                    h.update(f"|{name}.{key}=".encode() + hashlib.sha256(fh.read()).digest())
    return h.hexdigest()[:16]


@dataclass
class Plan:
    skipped: list[tuple[Source, Any]] = field(default_factory=list)      # (source, record)
    todo: list[tuple[Source, str, str | None]] = field(default_factory=list)  # (source, reason, sha)


def redo_reason(rec: Any, src: Source, digest: str | None, state: dict[str, Any],
                out: Any) -> str | None:
    """Why the file must be converted again, or None when its record still holds."""
    if rec is None:
        return "new"
    if digest is None:
        return "unreadable"
    if rec.source != src.rel:
        return f"renamed from {rec.source}"
    if rec.input_sha256 != digest:
        return "input changed"
    if rec.config_digest != state["config"]:
        return "configuration changed"
    if rec.galley_version != state["version"] or rec.code_digest != state["code"]:
        return "galley changed"
    if rec.writer_versions != state["writers"]:
        return "writer version changed"
    from .storage import sha256
    for path, want in rec.deps.items():
        try:
            with open(path, "rb") as fh:
                if sha256(fh.read()) != want:
                    return f"image {Path(path).name} changed"
        except OSError:
            return f"image {Path(path).name} missing"
    for rel, want in rec.outputs.items():
        got = out.digest(rel)
        if got is None:
            return f"output {rel} deleted"
        if got != want:
            return f"output {rel} edited"
    return None


def make_plan(sources: list[Source], manifest: Any, state: dict[str, Any], out: Any,
              force: bool) -> Plan:
    from .storage import sha256
    plan = Plan()
    records = {} if (force or manifest is None) else manifest.load()
    for src in sources:
        try:
            digest = sha256(src.storage.read(src.rel))
        except OSError:
            digest = None
        rec = records.get(src.key)
        reason = "forced" if force else redo_reason(rec, src, digest, state, out)
        if reason is None:
            plan.skipped.append((src, rec))
        else:
            plan.todo.append((src, reason, digest))
    return plan


# -- the run --------------------------------------------------------------------------------
@dataclass
class BatchOptions:
    jobs: int | None = None
    timeout: float | None = None
    force: bool = False
    quiet: bool = False
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    executor: str = "local"
    scheduler: str | None = None
    manifest: str | None = None


def run_batch(paths: list[Path | str], outdir: Path | str, cfg: Config,
              report_file: Path | str | None = None, options: BatchOptions | None = None,
              stream: Any = None) -> int:
    from . import __version__
    from .manifest import Manifest, code_digest, default_location, writer_versions
    from .progress import make_progress
    from .storage import is_url, local_path, open_storage, write_ref

    opts = options or BatchOptions()
    started = time.perf_counter()
    out_root = str(outdir)
    roots = [str(p) for p in paths]
    progress = make_progress(opts.quiet, stream)
    for r in roots + [out_root]:
        if is_url(r) and local_path(r) is None:
            try:
                import fsspec  # noqa: F401
            except ImportError:
                raise ConfigError(f"{r}: URLs need fsspec: pip install 'galleyproof[dask]'") from None

    memory = any(r.startswith("memory://") for r in roots + [out_root])
    if opts.executor == "dask" and memory and opts.scheduler:
        raise ConfigError("memory:// exists only in this process; a remote scheduler's workers "
                          "cannot see it: use s3://... or a shared folder")
    sources = collect(roots, tuple(opts.include) or DEFAULT_INCLUDE, tuple(opts.exclude), out_root)
    out = open_storage(out_root)
    out_local = local_path(out_root)
    if out_local is not None and out_local.exists() and not out_local.is_dir():
        raise ConfigError(f"{out_root}: exists and is not a folder")
    manifest_path = Path(opts.manifest) if opts.manifest else default_location(out_root, out_local)
    try:
        lock = _lock(manifest_path)
        manifest = Manifest(manifest_path)
    except (OSError, sqlite3.Error) as exc:
        raise ConfigError(f"cannot open the manifest {manifest_path}: {exc}") from None
    debris = out.clean_temp()  # only now: another run's files in flight are not debris
    if manifest.reset_reason:
        progress.note(manifest.reset_reason)
    state = {"config": config_digest(cfg), "version": __version__, "code": code_digest(),
             "writers": writer_versions(cfg.formats, manifest)}
    plan = make_plan(sources, manifest, state, out, opts.force)

    jobs = opts.jobs or cfg.jobs or None
    timeout = opts.timeout if opts.timeout is not None else cfg.timeout
    kind = opts.executor
    if kind == "local" and memory:
        kind = "serial"  # memory:// lives in this process: worker processes cannot see it
    from .executors import default_jobs, make_executor
    n_workers = max(1, min(jobs or default_jobs(), len(plan.todo) or 1))
    where = {"serial": "in this process", "local": f"{n_workers} worker process"
             + ("es" if n_workers > 1 else ""),
             "dask": f"dask {opts.scheduler}" if opts.scheduler else
             f"dask LocalCluster, {n_workers} worker" + ("s" if n_workers > 1 else "")}[kind]
    if not plan.todo:
        progress.start(len(sources), len(plan.skipped), 0, where)

    results: dict[str, dict[str, Any]] = {}
    by_key = {src.key: (src, reason, digest) for src, reason, digest in plan.todo}
    interrupted = False
    if plan.todo:
        from .task import config_data
        config = config_data(cfg)
        config["env"] = {"SOURCE_DATE_EPOCH": os.environ.get("SOURCE_DATE_EPOCH")}
        job_list = [{"key": src.key, "source": src.ref, "stem": src.stem, "size": _size(src)}
                    for src, _reason, _digest in plan.todo]
        # biggest first: a 20 MB file started last would leave the other workers idle
        if len(job_list) > 1 and kind != "serial":
            job_list.sort(key=lambda j: -j["size"])
        previous = _terminate_as_interrupt()
        executor = None
        try:
            # the configuration is checked here while the workers start (in parallel)
            checked = _validate_in_background(cfg)
            executor = make_executor(kind, n_workers, timeout, opts.scheduler,
                                     processes=not memory)
            executor.start(len(job_list))
            checked.join()
            if checked.error is not None:
                raise checked.error
            progress.start(len(sources), len(plan.skipped), len(plan.todo), where)
            for result in executor.run(job_list, out_root, config):
                src, reason, digest = by_key[result["key"]]
                result["reason"] = reason
                results[src.key] = result
                _record(manifest, src, result, digest, state)
                progress.advance(result, src.label)
        except KeyboardInterrupt:
            interrupted = True
        finally:
            if executor is not None:
                executor.close()
            signal.signal(signal.SIGTERM, previous)
            progress.stop()
    if interrupted or any(r["status"] == "failed" for r in results.values()):
        out.clean_temp()  # what stopped or killed workers were writing
    if interrupted:
        manifest.close()
        progress.note(f"interrupted: {len(results)} of {len(plan.todo)} files done, "
                      "run again to finish the rest")
        raise KeyboardInterrupt

    report = build_report(sources, plan, results, state, time.perf_counter() - started, debris)
    data = report_json(report)
    if report_file is not None:
        write_ref(str(report_file), data)
    else:
        out.write(REPORT_NAME, data)
    manifest.close()
    lock.close()

    totals = report["summary"]
    rows = [("files", str(totals["files"])), ("converted", str(totals["converted"])),
            ("skipped", str(totals["skipped"])), ("failed", str(totals["failed"]))]
    if debris:
        rows.append(("partial files removed", str(debris)))
    if totals["structure_changed"]:
        rows.append(("structure changed (see report)", str(totals["structure_changed"])))
    rows.append(("seconds", f"{totals['seconds']:.2f}"))
    removed = sorted(totals["removed"].items(), key=lambda kv: (-kv[1], kv[0]))
    failures = [f"{f['source']}: {f['error']}" for f in report["files"] if f["status"] == "failed"]
    progress.summary(rows, removed, failures)
    return 1 if failures else 0


def _lock(manifest_path: Path) -> Any:
    """One run at a time per output (and manifest): a second one would take the
    first one's files in flight for debris. The lock goes with the process, even
    on kill -9."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: no lock
        return open(os.devnull, "rb")
    manifest_path.parent.mkdir(parents=True, exist_ok=True)
    fh = open(str(manifest_path) + ".lock", "a+b")
    try:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        fh.close()
        raise ConfigError(f"another galley convert is writing to the same output "
                          f"(lock {manifest_path}.lock); wait for it to end") from None
    return fh


def _validate_in_background(cfg: Config) -> Any:
    import threading

    class Check(threading.Thread):
        error: BaseException | None = None

        def run(self) -> None:
            try:
                _validate(cfg)
            except BaseException as exc:  # noqa: BLE001 - re-raised by the caller
                self.error = exc

    check = Check(daemon=True, name="galley-config-check")
    check.start()
    return check


def _validate(cfg: Config) -> None:
    """A bad stage or writer option is one ConfigError here, not a failure per file.
    (Only when something is to be converted: the skip path builds nothing.)"""
    from .runner import Pipeline
    from .writer import available_writers, make_writer
    Pipeline(cfg)
    registry = available_writers()
    for f in cfg.formats:
        make_writer(f, cfg.writer_options.get(f.partition(":")[0], {}), registry)


def _size(src: Source) -> int:
    try:
        from .storage import LocalStorage
        if isinstance(src.storage, LocalStorage):
            return os.path.getsize(src.storage.path / src.rel)
    except OSError:
        pass
    return 0


def _terminate_as_interrupt() -> Any:
    """SIGTERM stops a batch the way Ctrl-C does (workers stopped, no partial files)."""
    def handler(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt
    try:
        return signal.signal(signal.SIGTERM, handler)
    except ValueError:  # not the main thread
        return signal.getsignal(signal.SIGTERM)


def _record(manifest: Any, src: Source, result: dict[str, Any], digest: str | None,
            state: dict[str, Any]) -> None:
    from .manifest import Record
    if result["status"] != "converted" or digest is None:
        manifest.forget(src.key)
        return
    manifest.put(Record(
        key=src.key, source=src.rel, input_sha256=digest, config_digest=state["config"],
        galley_version=state["version"], code_digest=state["code"],
        writer_versions=state["writers"], outputs=result["outputs"], deps=result["deps"],
        info=result["info"], seconds=result.get("seconds", 0.0), converted_at=time.time()))


def build_report(sources: list[Source], plan: Plan, results: dict[str, dict[str, Any]],
                 state: dict[str, Any], seconds: float, debris: int) -> dict[str, Any]:
    skipped = {src.key: rec for src, rec in plan.skipped}
    files: list[dict[str, Any]] = []
    removed: dict[str, int] = {}
    structure = 0
    counts = {"converted": 0, "skipped": 0, "failed": 0}
    for src in sources:
        if src.key in skipped:
            rec = skipped[src.key]
            entry = {"source": src.ref, "status": "skipped", "outputs": sorted(rec.outputs),
                     **_info(rec.info), "seconds": 0.0, "converted_seconds": rec.seconds}
        elif src.key in results:
            res = results[src.key]
            entry = {"source": src.ref, "status": res["status"], "outputs": sorted(res["outputs"]),
                     "reason": res.get("reason")}
            if res["status"] == "failed":
                entry["error"] = res["error"]
            else:
                entry.update(_info(res["info"]))
                for kind, n in res["info"].get("removed", {}).items():
                    removed[kind] = removed.get(kind, 0) + n
                structure += len(res["info"].get("structure", ()))
            entry["seconds"] = res.get("seconds", 0.0)
        else:  # pragma: no cover - every planned file has a result
            continue
        counts[entry["status"]] += 1
        files.append(entry)
    return {
        "summary": {"files": len(files), **counts, "removed": dict(sorted(removed.items())),
                    "structure_changed": structure,
                    "partial_files_removed": debris, "seconds": round(seconds, 3),
                    "galley": state["version"], "config": state["config"],
                    "writers": state["writers"]},
        "files": files,
    }


def report_json(report: dict[str, Any]) -> bytes:
    """The report with one file per line: readable, and written by json's C encoder
    (an indented dump of thousands of files is pure Python and takes most of a
    no-op run)."""
    summary = json.dumps(report["summary"], ensure_ascii=False, indent=1)
    files = ",\n  ".join(json.dumps(f, ensure_ascii=False) for f in report["files"])
    body = f'{{"summary": {summary},\n "files": [\n  {files}\n ]\n}}\n' if files else \
        f'{{"summary": {summary},\n "files": []\n}}\n'
    return body.encode("utf-8")


def _info(info: dict[str, Any]) -> dict[str, Any]:
    keys = ("changes", "removed", "kept", "missing_sample", "warnings", "structure", "images",
            "timings")
    return {k: info[k] for k in keys if k in info}

