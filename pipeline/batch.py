"""Many files: discovery, the incremental plan, parallel execution, the report.

``run_batch`` is ``galley convert``:

1. discover the inputs under each folder given (``collect``, ``pipeline.inputs``:
   include/exclude globs; hidden names, the output folder and links that leave
   the folder left out; a folder that cannot be read, a FIFO or a device is one
   failure line each), lock the output folder (``pipeline.lock``), and refuse two
   inputs that would write the same outputs (``_refuse_collisions``:
   ``a.md``/``a.markdown``; ``A.md``/``a.md`` only where the output's file system
   does not tell case apart);
2. plan (``make_plan``): hash every input and check its manifest record
   (``pipeline.manifest``); an input whose record still holds is skipped. This
   path imports neither the pipeline nor a writer, so that a run with nothing to
   do takes a fraction of a second;
3. convert the rest (``_Batch._convert``) with an executor (``pipeline.executors``):
   worker processes by default, or Dask; each file is
   ``pipeline.task.convert_file``, which writes its outputs atomically; its
   record is committed as soon as it is done. A full disk stops the batch from
   starting more files;
4. finish (``_Batch._finish``): list (``--prune``: remove) the outputs whose input
   is gone (``_inputs_gone``, ``pipeline.orphans``), write ``OUT/report.json``
   (``_write_report``, ``pipeline.report``; also when the run was interrupted or
   the disk filled up) and print the summary (``_summarize``); exit status 1 if a
   file failed.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import re
import signal
import sqlite3
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .config import Config
from .errors import ConfigError
from .inputs import DEFAULT_INCLUDE, Found, Source, check_collisions, collect

# the rest of the inputs' API, offered here too
from .inputs import INPUT_SUFFIXES as INPUT_SUFFIXES
from .inputs import discover as discover
from .inputs import glob_match as glob_match
from .inputs import wanted as wanted
from .names import FoldRule, shown
from .names import output_stem as output_stem

if TYPE_CHECKING:
    from .manifest import Manifest

REPORT_NAME = "report.json"


def parse_size(text: str) -> int:
    """``64M``, ``500K``, ``2G``, ``1000000`` → bytes."""
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kmg]i?b?|b)?\s*", text, re.IGNORECASE)
    if not m:
        raise ConfigError(f"{text!r} is not a size (e.g. 64M, 500K, 2G)")
    unit = (m.group(2) or "b").lower()[:1]
    value = float(m.group(1)) * {"b": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30}[unit]
    if value < 1:
        raise ConfigError(f"{text!r}: the size must be at least one byte")
    return int(value)


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
    skipped: list[tuple[Source, Any]] = field(default_factory=list)  # (source, record)
    todo: list[tuple[Source, str, str | None]] = field(default_factory=list)  # (source, reason, sha)


def redo_reason(rec: Any, src: Source, digest: str | None, state: dict[str, Any], out: Any) -> str | None:
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
    if rec.galley_version != state["version"]:
        return "galley changed"
    if rec.code_digest != state["code"]:
        return "code changed (galley, a stage or a writer)"
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


def make_plan(
    sources: list[Source],
    records: dict[str, Any],
    state: dict[str, Any],
    out: Any,
    force: bool,
    limit: int | None = None,
) -> Plan:
    from .errors import GalleyError
    from .storage import DEFAULT_MAX_INPUT, sha256

    plan = Plan()
    for src in sources:
        try:
            digest = sha256(src.storage.read(src.rel, limit or DEFAULT_MAX_INPUT))
        except (OSError, GalleyError):
            digest = None  # the worker says what is wrong with it
        rec = None if force else records.get(src.key)
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
    executor: str = "auto"
    scheduler: str | None = None
    manifest: str | None = None
    follow_symlinks: bool = False
    prune: bool = False
    max_input: int | None = None  # bytes read from one input at most


class Terminated(KeyboardInterrupt):
    """SIGTERM stops a batch the way Ctrl-C does; the exit status tells them apart."""

    exit_status = 143


def run_batch(
    paths: list[Path | str],
    outdir: Path | str,
    cfg: Config,
    report_file: Path | str | None = None,
    options: BatchOptions | None = None,
    stream: Any = None,
) -> int:
    """``galley convert``: the steps of the module docstring, in order."""
    from .progress import make_progress

    opts = options or BatchOptions()
    started = time.perf_counter()
    out_root = str(outdir)
    roots = [str(p) for p in paths]
    progress = make_progress(opts.quiet, stream)
    memory = _check_locations(roots, out_root, opts)
    found = collect(
        roots, tuple(opts.include) or DEFAULT_INCLUDE, tuple(opts.exclude), out_root, opts.follow_symlinks
    )
    out, out_local = _open_output(out_root)
    from .manifest import default_location

    manifest_path = Path(opts.manifest) if opts.manifest else default_location(out_root, out_local)
    from .lock import lock_output

    locks = lock_output(out_local, manifest_path)
    try:
        rule = _refuse_collisions(found, out_local)
        return _Batch(found, out, out_root, cfg, opts, progress, rule, memory, started).run(
            manifest_path, report_file
        )
    finally:
        for lock in locks:
            lock.close()


def _check_locations(roots: list[str], out_root: str, opts: BatchOptions) -> bool:
    """URLs need fsspec; ``memory://`` cannot reach a remote scheduler's workers.
    True when an input or the output lives in this process's memory."""
    from .storage import is_url, local_path

    for r in [*roots, out_root]:
        if is_url(r) and local_path(r) is None and importlib.util.find_spec("fsspec") is None:
            raise ConfigError(f"{r}: URLs need fsspec: pip install 'galleyproof[dask]'")
    memory = any(r.startswith("memory://") for r in [*roots, out_root])
    if opts.executor == "dask" and memory and opts.scheduler:
        raise ConfigError(
            "memory:// exists only in this process; a remote scheduler's workers "
            "cannot see it: use s3://... or a shared folder"
        )
    return memory


def _open_output(out_root: str) -> tuple[Any, Path | None]:
    """The output's storage, and its local folder (None for a URL)."""
    from .storage import local_path, open_storage

    out = open_storage(out_root)
    out_local = local_path(out_root)
    if out_local is not None and out_local.exists() and not out_local.is_dir():
        raise ConfigError(f"{out_root}: exists and is not a folder")
    return out, out_local


def _refuse_collisions(found: Found, out_local: Path | None) -> FoldRule:
    """Two inputs that would write the same outputs are an error; the rule by which the
    output's file system compares names."""
    from .names import probe

    rule = probe(out_local) if out_local is not None else FoldRule()
    check_collisions(found.sources, rule)
    return rule


class _Batch:
    """One ``galley convert`` after discovery, with the output folder locked."""

    def __init__(
        self,
        found: Found,
        out: Any,
        out_root: str,
        cfg: Config,
        opts: BatchOptions,
        progress: Any,
        rule: FoldRule,
        memory: bool,
        started: float,
    ):
        self.found, self.sources = found, found.sources
        self.out, self.out_root, self.cfg, self.opts = out, out_root, cfg, opts
        self.progress, self.rule, self.memory, self.started = progress, rule, memory, started
        self.results: dict[str, dict[str, Any]] = {}
        self.not_recorded = 0

    def run(self, manifest_path: Path, report_file: Path | str | None) -> int:
        from .manifest import Manifest

        try:
            manifest = Manifest(manifest_path)
        except (OSError, sqlite3.Error) as exc:
            raise ConfigError(f"cannot open the manifest {manifest_path}: {exc}") from None
        try:
            return self._run(manifest, str(report_file) if report_file else self.out.ref(REPORT_NAME))
        finally:
            manifest.close()

    def _run(self, manifest: Any, report_ref: str) -> int:
        from .report import ReportTarget

        progress, out = self.progress, self.out
        debris = out.clean_temp()  # only now: another run's files in flight are not debris
        previous = _on_sigterm()
        interrupted: KeyboardInterrupt | None = None
        plan: Plan | None = None
        records: dict[str, Any] = {}
        state: dict[str, Any] = {}
        target: ReportTarget | None = None
        self.stopped: str | None = None
        self.job_list: list[dict[str, Any]] = []
        try:
            try:
                state = self._state(manifest)
                records = manifest.load()
                if manifest.reset_reason:  # damaged: moved aside (on open, or on reading)
                    progress.warn(manifest.reset_reason)
                plan = make_plan(self.sources, records, state, out, self.opts.force, self.opts.max_input)
                target = ReportTarget(report_ref, len(self.sources) + len(self.found.failures))
                self._convert(plan, manifest, state)
            except KeyboardInterrupt as exc:
                interrupted = exc
            _ignore_signals()  # from here on, what was done is reported first
            if interrupted or self.stopped or any(r["status"] == "failed" for r in self.results.values()):
                # what stopped or killed workers were writing
                out.clean_temp(target.temp_names if target else frozenset())
            return self._finish(manifest, plan, records, state, target, report_ref, debris, interrupted)
        except BaseException:
            if target is not None:
                target.discard()
            raise
        finally:
            _restore_signals(previous)

    def _state(self, manifest: Any) -> dict[str, Any]:
        from . import __version__
        from .manifest import code_digest, writer_versions

        return {
            "config": config_digest(self.cfg),
            "version": __version__,
            "code": code_digest(),
            "writers": writer_versions(self.cfg.formats, manifest),
        }

    def _convert(self, plan: Plan, manifest: Any, state: dict[str, Any]) -> None:
        from .executors import default_jobs, make_executor
        from .storage import DEFAULT_MAX_INPUT

        opts, cfg, progress = self.opts, self.cfg, self.progress
        jobs = opts.jobs or cfg.jobs or None
        timeout = opts.timeout if opts.timeout is not None else cfg.timeout
        kind = opts.executor
        n_workers = max(1, min(jobs or default_jobs(), len(plan.todo) or 1))
        if kind == "auto":  # worker processes where they pay for their start
            kind = "local" if pool_worth(plan.todo, n_workers, timeout) else "serial"
        if kind == "local" and self.memory:
            kind = "serial"  # memory:// lives in this process: worker processes cannot see it
        where = {
            "serial": "in this process",
            "local": f"{n_workers} worker process" + ("es" if n_workers > 1 else ""),
            "dask": f"dask {opts.scheduler}"
            if opts.scheduler
            else f"dask LocalCluster, {n_workers} worker" + ("s" if n_workers > 1 else ""),
        }[kind]
        if not plan.todo:
            progress.start(len(self.sources), len(plan.skipped), 0, where)
            return
        from .task import config_data

        config = config_data(cfg)
        config["env"] = {"SOURCE_DATE_EPOCH": os.environ.get("SOURCE_DATE_EPOCH")}
        by_key = {src.key: (src, reason, digest) for src, reason, digest in plan.todo}
        limit = opts.max_input or DEFAULT_MAX_INPUT
        self.job_list = [
            {"key": src.key, "source": src.ref, "stem": src.stem, "size": _size(src), "max_bytes": limit}
            for src, _reason, _digest in plan.todo
        ]
        job_list = list(self.job_list)
        # biggest first: a 20 MB file started last would leave the other workers idle
        if len(job_list) > 1 and kind != "serial":
            job_list.sort(key=lambda j: -j["size"])
        executor = None
        try:
            if kind == "serial":
                # built once, checked (a bad option is one error, not a failure per
                # file) and then used for every file of this process
                from .task import built

                built(config)
                executor = make_executor(kind, n_workers, timeout)
            else:
                # the configuration is checked here while the workers start (in parallel)
                checked = _validate_in_background(cfg)
                executor = make_executor(
                    kind, n_workers, timeout, opts.scheduler, processes=not self.memory, preload=_preload(cfg)
                )
                executor.start(len(job_list))
                checked.join()
                if checked.error is not None:
                    raise checked.error
            progress.start(len(self.sources), len(plan.skipped), len(plan.todo), where)
            for result in executor.run(job_list, self.out_root, config):
                src, reason, digest = by_key[result["key"]]
                result["reason"] = reason
                self.results[src.key] = result
                if not _record(manifest, src, result, digest, state):
                    self.not_recorded += 1
                progress.advance(result, src.label)
                if self.stopped is None and (result.get("fault") == "no_space" or manifest.full):
                    self.stopped = f"no space left on device in {shown(self.out_root)}"
                    executor.stop_new()
                    progress.warn(f"{self.stopped}: no more files are started")
        finally:
            if executor is not None:
                executor.close()
            progress.stop()

    def _finish(
        self,
        manifest: Any,
        plan: Plan | None,
        records: dict[str, Any],
        state: dict[str, Any],
        target: Any,
        report_ref: str,
        debris: int,
        interrupted: KeyboardInterrupt | None,
    ) -> int:
        """After the conversions: the files never started, the inputs gone, the report,
        the summary. Re-raises ``interrupted`` once the report is written."""
        self._mark_not_started()
        gone = self._inputs_gone(manifest, plan, records) if interrupted is None else []
        entries = self._entries(plan, interrupted is not None)
        report, error = self._write_report(
            manifest, state, target, report_ref, debris, entries, gone, interrupted is not None
        )
        if manifest.failure and self.not_recorded:
            self.progress.warn(
                f"the manifest could not record {self.not_recorded} converted files "
                f"({manifest.failure}); they are converted again next run"
            )
        if error:
            self.progress.warn(error)
        if interrupted is not None:
            done = sum(1 for r in self.results.values())
            todo = len(plan.todo) if plan is not None else len(self.sources)
            where = "" if error else f"; {shown(report_ref)} lists what was done"
            self.progress.note(
                f"interrupted: {done} of {todo} files done{where}; run again to finish the rest"
            )
            raise interrupted
        failures = [f"{shown(e['source'])}: {e['error']}" for e in entries if e["status"] == "failed"]
        self._summarize(report["summary"], gone, debris, failures)
        return 1 if failures or error else 0

    def _mark_not_started(self) -> None:
        """After a stop (a full disk), the files never started are failures that say why."""
        from .executors import failed

        if self.stopped:
            for job in self.job_list:
                if job["key"] not in self.results:
                    self.results[job["key"]] = {
                        **failed(job, f"not converted: {self.stopped}"),
                        "reason": None,
                    }

    def _inputs_gone(self, manifest: Any, plan: Plan | None, records: dict[str, Any]) -> list[Any]:
        """The inputs converted before and gone now (their outputs removed with --prune)."""
        from .orphans import find_gone, prune

        if plan is None:
            return []
        gone = find_gone(records, {s.key for s in self.sources}, self.found.roots)
        if self.opts.prune and gone:
            prune(gone, records, self.out, manifest, self._protected(records), self.rule.key)
        return gone

    def _write_report(
        self,
        manifest: Any,
        state: dict[str, Any],
        target: Any,
        report_ref: str,
        debris: int,
        entries: list[dict[str, Any]],
        gone: list[Any],
        interrupted: bool,
    ) -> tuple[dict[str, Any], str | None]:
        """``report.json`` (in the room taken for it when the run started); the report,
        and why it could not be written (None: it was)."""
        from .report import ReportTarget, build_report, compact, report_json

        extra = {
            "interrupted": interrupted,
            "stopped": self.stopped,
            "partial_files_removed": debris,
            "not_recorded": self.not_recorded,
            "manifest": manifest.reset_reason,
            "pruned": sum(len(g.removed) for g in gone),
            "seconds": round(time.perf_counter() - self.started, 3),
            "galley": state.get("version"),
            "config": state.get("config"),
            "writers": state.get("writers"),
        }
        report = build_report(
            entries,
            extra,
            [g.entry(self.out) for g in gone],
            [{"source": ref, "reason": why} for ref, why in self.found.not_followed],
        )
        if target is None:
            target = ReportTarget(report_ref, 0)
        return report, target.write(report_json(report), lambda: report_json(compact(report)))

    def _summarize(self, totals: dict[str, Any], gone: list[Any], debris: int, failures: list[str]) -> None:
        """The summary table, the links not followed, the inputs gone and the failures."""
        progress, out = self.progress, self.out
        rows = [
            ("files", str(totals["files"])),
            ("converted", str(totals["converted"])),
            ("skipped", str(totals["skipped"])),
            ("failed", str(totals["failed"])),
        ]
        if debris:
            rows.append(("partial files removed", str(debris)))
        if totals["structure_changed"]:
            rows.append(("structure changed (see report)", str(totals["structure_changed"])))
        if gone:
            rows.append(("inputs gone", str(len(gone))))
            if self.opts.prune:
                rows.append(("outputs pruned", str(totals["pruned"])))
        if self.found.not_followed:
            rows.append(("links not followed", str(len(self.found.not_followed))))
        rows.append(("seconds", f"{totals['seconds']:.2f}"))
        removed = sorted(totals["removed"].items(), key=lambda kv: (-kv[1], kv[0]))
        if self.found.not_followed:
            progress.block(
                f"{len(self.found.not_followed)} links not followed:",
                [f"{shown(ref)}: {why}" for ref, why in self.found.not_followed],
            )
        if gone:
            progress.block(*_gone_lines(gone, out, self.opts.prune))
        progress.summary(rows, removed, failures)

    def _entries(self, plan: Plan | None, interrupted: bool) -> list[dict[str, Any]]:
        from .report import file_entry

        skipped = {src.key: rec for src, rec in plan.skipped} if plan else {}
        todo = {src.key: reason for src, reason, _ in plan.todo} if plan else {}
        entries = []
        for src in self.sources:
            if src.key in skipped:
                rec = skipped[src.key]
                entry = file_entry(
                    src.ref,
                    "skipped",
                    outputs=sorted(rec.outputs),
                    **_info(rec.info),
                    seconds=0.0,
                    converted_seconds=rec.seconds,
                )
            elif src.key in self.results:
                res = self.results[src.key]
                entry = file_entry(
                    src.ref, res["status"], outputs=sorted(res["outputs"]), reason=res.get("reason")
                )
                if res["status"] == "failed":
                    entry["error"] = res["error"]
                else:
                    entry.update(_info(res["info"]))
                entry["seconds"] = res.get("seconds", 0.0)
            else:  # not reached: the run was interrupted
                entry = file_entry(src.ref, "pending", outputs=[], reason=todo.get(src.key))
            entries.append(entry)
        for ref, message in self.found.failures:
            entries.append(file_entry(ref, "failed", outputs=[], error=message))
        return entries

    def _protected(self, records: dict[str, Any]) -> set[str]:
        """Every output path a current input writes (never pruned), as the file
        system compares names."""
        paths: set[str] = set()
        for src in self.sources:
            rec = records.get(src.key)
            if rec is not None:
                paths.update(rec.outputs)
            paths.update(self.results.get(src.key, {}).get("outputs", {}))
            for fmt in self.cfg.formats:
                family, _, sub = fmt.partition(":")
                paths.add(f"{src.stem}.{sub or family}")
        return {self.rule.key(p) for p in paths}


def _gone_lines(gone: list[Any], out: Any, pruned: bool) -> tuple[str, list[str]]:
    lines = []
    for g in gone:
        outputs = g.removed if pruned else g.outputs
        line = f"{shown(g.source)}: " + (", ".join(shown(out.ref(o)) for o in outputs) or "nothing to remove")
        for rel, why in g.kept.items():
            line += f"; kept {shown(out.ref(rel))} ({why})"
        lines.append(line)
    if pruned:
        return f"{len(gone)} inputs gone; their outputs removed (--prune):", lines
    return f"{len(gone)} inputs gone; their outputs remain (--prune removes them):", lines


def _validate_in_background(cfg: Config) -> Any:
    import threading

    class Check(threading.Thread):
        error: BaseException | None = None

        def run(self) -> None:
            try:
                _validate(cfg)
            except BaseException as exc:  # re-raised by the caller
                self.error = exc

    check = Check(daemon=True, name="galley-config-check")
    check.start()
    return check


def _validate(cfg: Config) -> None:
    """A bad stage or writer option is one ConfigError here, not a failure per file.
    (Only when something is to be converted: the skip path builds nothing.)"""
    from .runner import Pipeline
    from .writer import make_writer

    Pipeline(cfg)
    for f in cfg.formats:
        make_writer(f, cfg.writer_options.get(f.partition(":")[0], {}))


#: seconds of converting for which starting worker processes is not worth it: a worker
#: imports the pipeline and the writers first (about a third of a second of one core)
POOL_WORTH = 1.0
#: a rough serial cost of one file: a fixed part and a part per byte of input
FILE_SECONDS, BYTE_SECONDS = 0.01, 1.0e-6


def pool_worth(todo: list[tuple[Source, str, str | None]], workers: int, timeout: float | None) -> bool:
    """Whether worker processes pay for their start here. One file, ``-j 1`` or a few
    small files are converted in this process; so is one file with ``--timeout`` (the
    file is given up after the deadline and the process ends), but several files with a
    deadline keep their workers, which can be stopped."""
    if len(todo) <= 1:
        return False
    if timeout is not None:
        return True
    if workers <= 1:
        return False
    work = sum(FILE_SECONDS + BYTE_SECONDS * _size(src) for src, _reason, _digest in todo)
    return work > POOL_WORTH


def _preload(cfg: Config) -> list[str]:
    """What a worker process imports once before its first file: the conversion, and
    the writers of this run (the Markdown one also measures the text kept)."""
    from .writer import writer_modules

    return ["pipeline.task", "pipeline.rendering", "pipeline.runner", *writer_modules([*cfg.formats, "md"])]


def _size(src: Source) -> int:
    try:
        from .storage import LocalStorage

        if isinstance(src.storage, LocalStorage):
            return os.path.getsize(src.storage.path / src.rel)
    except OSError:
        pass
    return 0


# -- signals --------------------------------------------------------------------------------
def _on_sigterm() -> dict[int, Any]:
    """SIGTERM stops a batch the way Ctrl-C does (workers stopped, no partial files,
    the report written); the previous handlers, to restore."""

    def handler(signum: int, frame: Any) -> None:
        raise Terminated

    previous: dict[int, Any] = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    with contextlib.suppress(ValueError):  # not the main thread
        signal.signal(signal.SIGTERM, handler)
    return previous


def _ignore_signals() -> None:
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(ValueError):
            signal.signal(sig, signal.SIG_IGN)


def _restore_signals(previous: dict[int, Any]) -> None:
    for sig, handler in previous.items():
        with contextlib.suppress(ValueError):
            signal.signal(sig, handler if handler is not None else signal.SIG_DFL)


def _record(
    manifest: Manifest, src: Source, result: dict[str, Any], digest: str | None, state: dict[str, Any]
) -> bool:
    """Record a converted file (forget a failed one); False if the manifest could not."""
    from .manifest import Record

    if result["status"] != "converted" or digest is None:
        manifest.forget(src.key)
        return True
    return manifest.put(
        Record(
            key=src.key,
            root=src.root,
            source=src.rel,
            input_sha256=digest,
            config_digest=state["config"],
            galley_version=state["version"],
            code_digest=state["code"],
            writer_versions=state["writers"],
            outputs=result["outputs"],
            deps=result["deps"],
            info=result["info"],
            seconds=result.get("seconds", 0.0),
            converted_at=time.time(),
        )
    )


def _info(info: dict[str, Any]) -> dict[str, Any]:
    keys = ("changes", "removed", "kept", "missing_sample", "warnings", "structure", "images", "timings")
    return {k: info[k] for k in keys if k in info}
