"""Run the per-file task (``pipeline.task.convert_file``) over many files.

- ``SerialExecutor``: in this process, one file after the other (``--executor serial``).
- ``ProcessExecutor``: the default, ``-j N`` worker processes of our own small pool
  (forkserver where the platform has it, else spawn; never a bare fork of this
  process). Each worker takes one file at a time over a pipe. The parent gives each
  file a deadline (``--timeout``): a worker past it is killed and replaced, and the
  file is reported as timed out; a worker that dies (a C-level crash, the OOM
  killer) is replaced and its file reported with the signal. The batch goes on.
  (``concurrent.futures.ProcessPoolExecutor`` cannot do either: one dead worker
  breaks the whole pool, and a running task cannot be stopped.)
- ``DaskExecutor``: the same task on a Dask distributed cluster, a LocalCluster or
  ``--scheduler tcp://HOST:PORT``. Dask cannot kill a running task, so there the
  deadline is kept inside the task (see ``task._with_deadline``).

Every executor yields one result dict per job, in completion order; the batch
sorts them. Outputs do not depend on the executor or on ``-j``: each file is
converted by the same function from the same bytes and configuration.
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
from collections import deque
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from multiprocessing.context import ForkServerContext, SpawnContext

    from dask.typing import Key

Job = dict[str, Any]
Result = dict[str, Any]

# a worker that converted an input this large is replaced: CPython keeps the memory
# a 20 MB document needed (over 1 GB) for the rest of the process's life
RECYCLE_BYTES = 8 * 1024 * 1024


def failed(job: Job, error: str, seconds: float = 0.0) -> Result:
    return {
        "key": job["key"],
        "source": job["source"],
        "status": "failed",
        "outputs": {},
        "deps": {},
        "info": {},
        "error": error,
        "seconds": round(seconds, 4),
    }


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


class Executor:
    name = "executor"

    def start(self, count: int) -> None:
        """Get ready for ``count`` jobs (start workers) before ``run``."""

    def run(self, jobs: list[Job], out_root: str, config: dict[str, Any]) -> Iterator[Result]:
        raise NotImplementedError

    def stop_new(self) -> None:
        """Start no more files (a full disk): ``run`` yields the files under way and
        ends; the jobs never started get no result."""
        self.stopping = True

    stopping = False

    def close(self) -> None:
        pass


class SerialExecutor(Executor):
    name = "serial"

    def __init__(self, timeout: float | None = None):
        self.timeout = timeout

    def run(self, jobs: list[Job], out_root: str, config: dict[str, Any]) -> Iterator[Result]:
        from .task import convert_file

        for job in jobs:
            if self.stopping:
                return
            yield convert_file(job, out_root, config, self.timeout)


# -- local worker processes ------------------------------------------------------------
def _worker_main(conn: Any) -> None:
    """A worker: convert the files the parent sends, one at a time, until told to stop."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    from .task import convert_file

    while True:
        try:
            msg = conn.recv()
        except (EOFError, OSError):
            return  # the parent is gone
        if msg is None:
            return
        job, out_root, config = msg
        result = convert_file(job, out_root, config)
        try:
            conn.send(result)
        except (OSError, ValueError):
            return


class _Worker:
    def __init__(self, ctx: Any):
        self.conn, child = ctx.Pipe(duplex=True)
        self.proc = ctx.Process(target=_worker_main, args=(child,), daemon=True, name="galley-worker")
        self.proc.start()
        child.close()
        self.job: Job | None = None
        self.deadline: float | None = None
        self.started = 0.0
        self.stopped = False

    def kill(self) -> None:
        with contextlib.suppress(OSError, AttributeError):
            self.proc.kill()
        self.proc.join(5)
        self.conn.close()

    def stop(self) -> None:
        if self.stopped:
            return
        self.stopped = True
        with contextlib.suppress(OSError, ValueError):
            self.conn.send(None)


def _death(exitcode: int | None) -> str:
    if exitcode is not None and exitcode < 0:
        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            name = f"signal {-exitcode}"
        hint = " (out of memory?)" if name == "SIGKILL" else ""
        return f"worker process died: {name}{hint}"
    return f"worker process died (exit status {exitcode})"


class ProcessExecutor(Executor):
    name = "local"

    def __init__(self, jobs: int, timeout: float | None = None, preload: list[str] | None = None):
        import multiprocessing as mp

        self.jobs = max(1, jobs)
        self.timeout = timeout
        self.ctx: ForkServerContext | SpawnContext
        if "forkserver" in mp.get_all_start_methods():
            self.ctx = mp.get_context("forkserver")
            # imported by the forkserver once: every worker (and replacement) starts warm
            self.ctx.set_forkserver_preload(list(preload or ["pipeline.task"]))
        else:  # pragma: no cover - Windows, macOS default
            self.ctx = mp.get_context("spawn")
        self.workers: list[_Worker] = []
        self.pending: deque[Job] = deque()

    def stop_new(self) -> None:
        super().stop_new()
        self.pending.clear()

    def run(self, jobs: list[Job], out_root: str, config: dict[str, Any]) -> Iterator[Result]:
        from multiprocessing.connection import wait

        pending = self.pending = deque(jobs)
        self.start(len(jobs))
        starts_failed = 0
        job: Job | None
        try:
            while pending or any(w.job for w in self.workers):
                # hand out work
                for w in self.workers:
                    if w.job is None and pending:
                        job = pending.popleft()
                        try:
                            w.conn.send((job, out_root, config))
                        except (OSError, ValueError):
                            pending.appendleft(job)  # never started: give it to a new worker
                            starts_failed += 1
                            if starts_failed > 3 * self.jobs + 3:
                                raise RuntimeError("worker processes keep dying on start") from None
                            self._replace(w)
                            continue
                        w.job, w.started = job, time.monotonic()
                        w.deadline = w.started + self.timeout if self.timeout else None
                busy = [w for w in self.workers if w.job]
                if not busy:
                    continue
                deadlines = [w.deadline for w in busy if w.deadline is not None]
                wait_for = max(0.0, min(deadlines) - time.monotonic()) if deadlines else None
                ready = set(wait([w.conn for w in busy] + [w.proc.sentinel for w in busy], wait_for))
                now = time.monotonic()
                for w in busy:
                    job = w.job
                    assert job is not None
                    if w.conn in ready:
                        try:
                            result = w.conn.recv()
                        except (EOFError, OSError):
                            w.proc.join(1)
                            result = failed(job, _death(w.proc.exitcode), now - w.started)
                            self._replace(w, bool(pending))
                        else:
                            w.job = None
                            starts_failed = 0
                            if job.get("size", 0) >= RECYCLE_BYTES:
                                self._replace(w, bool(pending))  # give a huge file's memory back
                        yield result
                    elif w.proc.sentinel in ready:
                        w.proc.join(1)
                        result = failed(job, _death(w.proc.exitcode), now - w.started)
                        self._replace(w, bool(pending))
                        yield result
                    elif w.deadline is not None and now >= w.deadline:
                        result = failed(
                            job, f"timed out after {self.timeout:g} s (worker stopped)", now - w.started
                        )
                        self._replace(w, bool(pending))
                        yield result
                # workers with nothing left to do can go
                if not pending:
                    for w in [w for w in self.workers if w.job is None]:
                        w.stop()
        finally:
            self.close()

    def start(self, count: int) -> None:
        if not self.workers:
            self.workers = [_Worker(self.ctx) for _ in range(min(self.jobs, max(1, count)))]

    def _replace(self, w: _Worker, needed: bool = True) -> None:
        """Kill ``w``; start another in its place while there is work left."""
        w.kill()
        w.job = None
        if needed:
            self.workers[self.workers.index(w)] = _Worker(self.ctx)
        else:
            self.workers.remove(w)

    def close(self) -> None:
        for w in self.workers:
            if w.job is not None or not w.proc.is_alive():
                w.kill()
            else:
                w.stop()
        for w in self.workers:
            w.proc.join(2)
            if w.proc.is_alive():
                w.kill()
        self.workers = []


# -- Dask --------------------------------------------------------------------------------
class DaskExecutor(Executor):
    """``client.submit(convert_file, ...)`` per file on a LocalCluster or a scheduler."""

    name = "dask"

    def __init__(
        self, jobs: int, timeout: float | None = None, scheduler: str | None = None, processes: bool = True
    ):
        try:
            from distributed import Client, LocalCluster
        except ImportError:
            from .errors import ConfigError

            raise ConfigError("--executor dask needs Dask: pip install 'galleyproof[dask]'") from None
        self.timeout = timeout
        self.cluster = None
        if scheduler:
            self.client = Client(scheduler, timeout="30s")
        else:
            self.cluster = LocalCluster(
                n_workers=max(1, jobs),
                threads_per_worker=1,
                processes=processes,
                dashboard_address=None,
                silence_logs=40,
            )
            self.client = Client(self.cluster)

    def run(self, jobs: list[Job], out_root: str, config: dict[str, Any]) -> Iterator[Result]:
        import hashlib

        from distributed import as_completed

        from .task import convert_file

        tag = hashlib.sha256(repr(time.time()).encode()).hexdigest()[:8]
        futures: dict[Key, tuple[Any, Job]] = {}
        for n, job in enumerate(jobs):
            fut = self.client.submit(
                convert_file,
                job,
                out_root,
                config,
                self.timeout,
                key=f"galley-{tag}-{n}",
                pure=False,
                retries=0,
            )
            futures[fut.key] = (fut, job)
        started = time.monotonic()
        self.futures = futures
        try:
            for fut in as_completed([f for f, _ in futures.values()]):
                job = futures[fut.key][1]
                if fut.cancelled() and self.stopping:
                    continue  # never started: the batch reports it
                try:
                    result = fut.result()
                except Exception as exc:  # KilledWorker, a lost connection...
                    detail = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
                    result = failed(
                        job, f"dask: {type(exc).__name__}: {detail}"[:300], time.monotonic() - started
                    )
                yield result
        finally:
            for fut, _ in futures.values():
                if not fut.done():
                    fut.cancel()

    futures: dict[Key, tuple[Any, Job]] = {}

    def stop_new(self) -> None:
        super().stop_new()
        for fut, _job in self.futures.values():
            if fut.status == "pending":
                fut.cancel()

    def close(self) -> None:
        try:
            self.client.close()
        finally:
            if self.cluster is not None:
                self.cluster.close()


def make_executor(
    kind: str,
    jobs: int,
    timeout: float | None,
    scheduler: str | None = None,
    processes: bool = True,
    preload: list[str] | None = None,
) -> Executor:
    """``preload``: the modules a local worker process imports before its first file
    (the writers of the run)."""
    if kind == "serial":
        return SerialExecutor(timeout)
    if kind == "dask":
        return DaskExecutor(jobs, timeout, scheduler, processes)
    return ProcessExecutor(jobs, timeout, preload)
