"""Beyond one machine: the same per-file task on a real Dask cluster, and inputs and
outputs on fsspec storage (a real ``memory://`` filesystem, ``file://`` URLs).

Needs the ``galleyproof[dask]`` extra; skipped without it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from conftest import sample_files

distributed = pytest.importorskip("distributed")
fsspec = pytest.importorskip("fsspec")

from test_batch import GALLEY, make_articles, run, tree

FORMATS = "md,docx,epub"


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    src = tmp_path_factory.mktemp("dask-in")
    for p in sample_files():
        shutil.copy(p, src / p.name)
    make_articles(src / "generated", 6)
    (src / "generated" / "binary.md").write_bytes(b"\x00\x01\x02 not text \x00")
    return src


@pytest.fixture(scope="module")
def local_outputs(corpus, tmp_path_factory) -> dict[str, bytes]:
    out = tmp_path_factory.mktemp("dask-ref") / "out"
    res = run("convert", str(corpus), "-o", str(out), "--to", FORMATS, "-j", "2", "-q")
    assert res.returncode == 1 and "binary.md" in res.stderr
    found = tree(out)
    assert len(found) == 3 * (len(sample_files()) + 6)
    return found


def test_local_cluster_gives_the_local_executors_bytes(corpus, local_outputs, tmp_path):
    out = tmp_path / "out"
    res = run(
        "convert", str(corpus), "-o", str(out), "--to", FORMATS, "--executor", "dask", "-j", "2", timeout=240
    )
    assert res.returncode == 1, res.stderr  # the binary file, as with the local executor
    assert "dask LocalCluster, 2 workers" in res.stderr
    assert tree(out) == local_outputs
    rep = json.loads((out / "report.json").read_text(encoding="utf-8"))
    failed = [f for f in rep["files"] if f["status"] == "failed"]
    assert len(failed) == 1 and "not a text file" in failed[0]["error"]
    # the manifest is shared with the other executors: nothing left to do
    res = run("convert", str(corpus), "-o", str(out), "--to", FORMATS, "-j", "2")
    assert "0 up to date" not in res.stderr
    summary = json.loads((out / "report.json").read_text(encoding="utf-8"))["summary"]
    assert summary["skipped"] == len(local_outputs) // 3 and summary["converted"] == 0


def test_a_running_scheduler_over_tcp(corpus, local_outputs, tmp_path):
    from distributed import LocalCluster

    with LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
        host="127.0.0.1",
        silence_logs=40,
    ) as cluster:
        address = cluster.scheduler_address
        assert address.startswith("tcp://127.0.0.1:")
        out = tmp_path / "out"
        res = run(
            "convert",
            str(corpus),
            "-o",
            str(out),
            "--to",
            FORMATS,
            "--executor",
            "dask",
            "--scheduler",
            address,
            timeout=240,
        )
        assert res.returncode == 1, res.stderr
        assert f"dask {address}" in res.stderr
        assert tree(out) == local_outputs


def test_memory_filesystem_in_and_out(corpus, local_outputs, tmp_path):
    """Workers read and write fsspec storage (threads of a LocalCluster in this process:
    ``memory://`` exists only here)."""
    from pipeline.batch import BatchOptions, run_batch
    from pipeline.config import Config

    fs = fsspec.filesystem("memory")
    for p in sorted(corpus.rglob("*.md")):
        fs.pipe_file(f"/galley-test/in/{p.relative_to(corpus).as_posix()}", p.read_bytes())
    cfg = Config(formats=FORMATS.split(","))
    opts = BatchOptions(executor="dask", jobs=2, manifest=str(tmp_path / "manifest.sqlite"), quiet=True)
    try:
        rc = run_batch(["memory://galley-test/in"], "memory://galley-test/out", cfg, options=opts)
        assert rc == 1
        found = {path[len("/galley-test/out/") :]: fs.cat_file(path) for path in fs.find("/galley-test/out")}
        report = json.loads(found.pop("report.json"))
        assert found == local_outputs
        assert report["summary"]["converted"] == len(local_outputs) // 3
        # incremental on fsspec storage: an output deleted there is made again, alone
        fs.rm("/galley-test/out/xiaomi-courage-2024.epub")
        opts.executor = "local"  # memory:// in this process: run here
        rc = run_batch(["memory://galley-test/in"], "memory://galley-test/out", cfg, options=opts)
        report = json.loads(fs.cat_file("/galley-test/out/report.json"))
        converted = [f["source"] for f in report["files"] if f["status"] == "converted"]
        assert converted == ["memory://galley-test/in/xiaomi-courage-2024.md"]
        assert (
            fs.cat_file("/galley-test/out/xiaomi-courage-2024.epub")
            == local_outputs["xiaomi-courage-2024.epub"]
        )
    finally:
        fs.rm("/galley-test", recursive=True)


def test_file_urls(corpus, local_outputs, tmp_path):
    out = tmp_path / "out"
    res = run("convert", corpus.as_uri(), "-o", out.as_uri(), "--to", FORMATS, "-q")
    assert res.returncode == 1
    assert tree(out) == local_outputs


def test_the_core_needs_neither_dask_nor_fsspec(corpus, tmp_path):
    code = textwrap.dedent(f"""
        import sys
        from pipeline.batch import BatchOptions, run_batch
        from pipeline.config import Config
        run_batch([{str(corpus)!r}], {str(tmp_path / "out")!r}, Config(formats=["md"]),
                  options=BatchOptions(quiet=True))
        print(sorted(m for m in ("fsspec", "dask", "distributed") if m in sys.modules))
    """)
    res = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=dict(os.environ)
    )
    assert res.stdout.strip().splitlines()[-1] == "[]", res.stdout + res.stderr
    assert res.returncode == 0


def test_remote_scheduler_cannot_see_memory_urls(tmp_path):
    res = subprocess.run(
        [
            *GALLEY,
            "convert",
            "memory://x",
            "-o",
            "memory://y",
            "--executor",
            "dask",
            "--scheduler",
            "tcp://127.0.0.1:1",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert res.returncode == 1 and "memory://" in res.stderr
