"""Batch runs on a machine that misbehaves: a disk that fills up, damaged and foreign
manifests, names that are not UTF-8, folders that cannot be read, names at the file
system's limit, an image cache that cannot be written, inputs deleted between runs,
SIGTERM, a second run with its manifest elsewhere, FIFOs and devices, names that
differ in case only, links that lead out of the folder.

Real faults throughout (see ``faultkit``): a small tmpfs for a full disk, a
read-only mount, ``chmod 000`` with the child held to the permission bits, a
manifest whose pages are overwritten, a name with byte 0xff, ``os.mkfifo``,
``/dev/zero``, a real HTTP server on 127.0.0.1 for the image cache. Each test
checks one line per affected file, no traceback, the other files converted, the
manifest consistent and the next run finishing the rest.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import random
import signal
import sqlite3
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from faultkit import output_bytes, remount, temp_files, tmpfs, unprivileged
from test_batch import (
    GALLEY,
    MANIFEST,
    _wait_for_outputs,
    make_articles,
    plugin_env,
    report,
    run,
    statuses,
    tree,
)


def clean_stderr(res: subprocess.CompletedProcess) -> None:
    assert "Traceback" not in res.stderr and "internal error" not in res.stderr, res.stderr


def manifest_rows(out: Path, manifest: Path | None = None) -> dict[str, dict]:
    """The manifest's rows, after an integrity check (keys as the disk's names)."""
    db = sqlite3.connect(os.fsencode(manifest or out / MANIFEST))
    try:
        assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        rows = db.execute("SELECT key, source, outputs FROM files").fetchall()
    finally:
        db.close()
    return {
        os.fsdecode(k) if isinstance(k, bytes) else k: {"source": s, "outputs": json.loads(o)}
        for k, s, o in rows
    }


def assert_manifest_matches_outputs(out: Path) -> dict[str, dict]:
    """Every record's outputs exist with the bytes it recorded."""
    rows = manifest_rows(out)
    for key, row in rows.items():
        for rel, sha in row["outputs"].items():
            assert hashlib.sha256((out / rel).read_bytes()).hexdigest() == sha, (key, rel)
    return rows


def failure_lines(res: subprocess.CompletedProcess) -> list[str]:
    lines = res.stderr.splitlines()
    if not any(ln.startswith("galley: ") and ln.endswith(" failed:") for ln in lines):
        return []
    start = max(i for i, ln in enumerate(lines) if ln.startswith("galley: ") and ln.endswith(" failed:"))
    return [ln.strip() for ln in lines[start + 1 :] if ln.startswith("  ")]


# -- 1. disk full -------------------------------------------------------------------------------
def test_a_full_disk_reports_every_file_keeps_the_manifest_and_the_next_run_finishes(tmp_path):
    src = tmp_path / "in"
    make_articles(src, 24, nested=False)
    reference = tmp_path / "reference"
    assert run("convert", str(src), "-o", str(reference), "--to", "md,docx,epub", "-q").returncode == 0
    expected = tree(reference)
    out = tmp_path / "out"
    with tmpfs(out, "240k"):
        # worker processes (not the in-process run a few small files get): two files are
        # being written when the disk fills up
        res = run(
            "convert", str(src), "-o", str(out), "--to", "md,docx,epub", "-j", "2", "--executor", "local"
        )
        clean_stderr(res)
        assert res.returncode == 1
        rep = report(out)  # written although the disk is full
        files = {Path(f["source"]).name: f for f in rep["files"]}
        assert len(files) == 24 and rep["summary"]["files"] == 24
        converted = {n for n, f in files.items() if f["status"] == "converted"}
        failed = {n: f["error"] for n, f in files.items() if f["status"] == "failed"}
        assert converted and failed and len(converted) + len(failed) == 24
        assert any(e.startswith(f"no space left on device writing {out}/") for e in failed.values()), failed
        # one line per file that was not converted, naming it
        lines = failure_lines(res)
        assert len(lines) == len(failed)
        for name, error in failed.items():
            assert f"{src / name}: {error}" in lines
        # what is there is whole, nothing half-written is left
        for rel, blob in tree(out).items():
            assert blob == expected[rel], rel
        for name in failed:
            assert not any((out / f"{Path(name).stem}.{ext}").exists() for ext in ("md", "docx", "epub"))
        assert temp_files(out) == []
        rows = assert_manifest_matches_outputs(out)
        assert {f"{k}.md" for k in rows} <= converted
        # with room again, the next run converts the rest and nothing twice
        remount(out, "20m")
        res = run("convert", str(src), "-o", str(out), "--to", "md,docx,epub", "-j", "2")
        assert res.returncode == 0, res.stderr
        assert tree(out) == expected
        summary = report(out)["summary"]
        assert summary["skipped"] == len(rows) and summary["converted"] == 24 - len(rows)
        assert temp_files(out) == []


# -- 2. damaged, foreign and newer manifests ------------------------------------------------------
def _converted_once(tmp_path: Path, count: int = 30) -> tuple[Path, Path]:
    src = tmp_path / "in"
    make_articles(src, count, nested=False)
    out = tmp_path / "out"
    assert run("convert", str(src), "-o", str(out), "--to", "md", "-q").returncode == 0
    for suffix in ("-wal", "-shm"):
        assert not (out / (MANIFEST + suffix)).exists()
    return src, out


@pytest.mark.parametrize("force", [False, True], ids=["plain", "force"])
def test_a_manifest_with_overwritten_pages_is_moved_aside_and_costs_a_full_run(tmp_path, force):
    src, out = _converted_once(tmp_path)
    path = out / MANIFEST
    db = sqlite3.connect(path)
    # keep the schema page and the meta table: the file opens and tells its version,
    # and the damage shows only where the records are read
    keep = {1} | {r[0] for r in db.execute("SELECT rootpage FROM sqlite_master WHERE tbl_name = 'meta'")}
    db.close()
    data = bytearray(path.read_bytes())
    size = int.from_bytes(data[16:18], "big")
    pages = len(data) // size
    assert pages - len(keep) >= 3
    rng = random.Random(11)
    for n in range(1, pages + 1):
        if n not in keep:
            data[(n - 1) * size : n * size] = bytes(rng.randrange(256) for _ in range(size))
    path.write_bytes(bytes(data))
    args = ["convert", str(src), "-o", str(out), "--to", "md"] + (["--force"] if force else [])
    res = run(*args)
    clean_stderr(res)
    assert res.returncode == 0, res.stderr
    note = [ln for ln in res.stderr.splitlines() if "damaged" in ln]
    assert len(note) == 1 and "moved aside" in note[0]
    aside = list(out.glob(MANIFEST + ".damaged-*"))
    assert len(aside) == 1 and aside[0].read_bytes() == bytes(data)  # kept as it was
    assert set(statuses(out).values()) == {"converted"}
    assert len(manifest_rows(out)) == 30
    res = run("convert", str(src), "-o", str(out), "--to", "md")
    assert res.returncode == 0 and set(statuses(out).values()) == {"skipped"}


@pytest.mark.parametrize("damage", ["extra column", "missing column", "foreign tables", "not sqlite"])
def test_a_foreign_manifest_is_moved_aside(tmp_path, damage):
    src, out = _converted_once(tmp_path, 3)
    path = out / MANIFEST
    if damage == "not sqlite":
        path.write_bytes(b"SQLite format 3\x00" + b"\x10\x00" + b"no" * 2000)
    else:
        db = sqlite3.connect(path)
        if damage == "extra column":
            db.execute("ALTER TABLE files ADD COLUMN colour TEXT")
        elif damage == "missing column":
            db.execute("ALTER TABLE files DROP COLUMN deps")
        else:
            db.executescript("DROP TABLE files; DROP TABLE meta; CREATE TABLE notes (body TEXT);")
        db.commit()
        db.close()
    res = run("convert", str(src), "-o", str(out), "--to", "md")
    clean_stderr(res)
    assert res.returncode == 0, res.stderr
    assert "moved aside" in res.stderr and len(list(out.glob(MANIFEST + ".damaged-*"))) == 1
    assert set(statuses(out).values()) == {"converted"}
    assert len(manifest_rows(out)) == 3


@pytest.mark.parametrize("force", [False, True], ids=["plain", "force"])
def test_a_manifest_from_a_newer_galley_is_refused_not_wiped(tmp_path, force):
    src, out = _converted_once(tmp_path, 2)
    db = sqlite3.connect(out / MANIFEST)
    db.execute("UPDATE meta SET value = '99' WHERE key = 'schema'")
    db.commit()
    db.close()
    before = (out / MANIFEST).read_bytes()
    res = run("convert", str(src), "-o", str(out), "--to", "md", *(["--force"] if force else []))
    assert res.returncode == 1
    assert res.stderr.strip().count("\n") == 0 and "newer galley" in res.stderr
    assert (out / MANIFEST).read_bytes() == before
    assert not list(out.glob(MANIFEST + ".damaged-*"))


def test_a_manifest_of_the_previous_version_is_carried_over(tmp_path):
    """Schema 1 keyed rows by the case-folded stem and had no root column."""
    src, out = _converted_once(tmp_path, 3)
    db = sqlite3.connect(out / MANIFEST)
    db.execute("ALTER TABLE files DROP COLUMN root")
    db.execute("UPDATE files SET key = lower(key)")
    db.execute("UPDATE meta SET value = '1' WHERE key = 'schema'")
    db.commit()
    db.close()
    res = run("convert", str(src), "-o", str(out), "--to", "md")
    assert res.returncode == 0, res.stderr
    assert set(statuses(out).values()) == {"skipped"}
    assert set(manifest_rows(out)) == {f"article-{n:03d}" for n in range(3)}


# -- 3. names that are not UTF-8 ---------------------------------------------------------------
def test_a_name_that_is_not_utf8_is_converted_and_recorded_losslessly(tmp_path):
    src = tmp_path / "in"
    make_articles(src, 2, nested=False)
    name = b"\xff\xfe caf\xe9.md"  # not UTF-8 (Latin-1 é)
    with open(os.fsencode(src) + b"/" + name, "wb") as fh:
        fh.write(b"A paragraph and no heading, so the title comes from the file name.\n")
    out = tmp_path / "out"
    res = run("convert", str(src), "-o", str(out), "--to", "md,docx,epub")
    clean_stderr(res)
    assert res.returncode == 0, res.stderr
    assert "\\xff\\xfe caf\\xe9.md" in res.stderr  # shown, not garbled
    written = set(os.listdir(os.fsencode(out)))
    assert {b"\xff\xfe caf\xe9." + ext for ext in (b"md", b"docx", b"epub")} <= written
    # the report: lossless in Python (surrogate escapes) and for any tool (base64)
    entry = next(f for f in report(out)["files"] if "source_base64" in f)
    assert base64.b64decode(entry["source_base64"]) == os.fsencode(src) + b"/" + name
    assert os.fsencode(entry["source"]) == os.fsencode(src) + b"/" + name
    assert entry["status"] == "converted"
    # the manifest: the exact bytes
    db = sqlite3.connect(out / MANIFEST)
    sources = [r[0] for r in db.execute("SELECT source FROM files")]
    db.close()
    assert name in sources
    res = run("convert", str(src), "-o", str(out), "--to", "md,docx,epub")
    assert res.returncode == 0 and set(statuses(out).values()) == {"skipped"}


# -- 4. folders and files that cannot be read ---------------------------------------------------
def test_an_unreadable_subfolder_is_a_failure_line(tmp_path):
    prefix = unprivileged(tmp_path)
    src = tmp_path / "in"
    make_articles(src, 3)
    locked = src / "locked"
    locked.mkdir()
    (locked / "inside.md").write_text("# Inside\n\nText.\n")
    secret = src / "secret.md"
    secret.write_text("# Secret\n\nText.\n")
    out = tmp_path / "out"
    locked.chmod(0)
    secret.chmod(0)
    try:
        res = subprocess.run(
            [*prefix, *GALLEY, "convert", str(src), "-o", str(out), "--to", "md"],
            capture_output=True,
            text=True,
            timeout=300,
        )
    finally:
        locked.chmod(0o755)
        secret.chmod(0o644)
    clean_stderr(res)
    assert res.returncode == 1
    lines = failure_lines(res)
    assert f"{locked}: cannot read folder: Permission denied" in lines
    assert f"{secret}: cannot read: Permission denied" in lines
    assert len(lines) == 2
    assert sorted(n for n, s in statuses(out).items() if s == "converted") == [
        f"article-{n:03d}.md" for n in range(3)
    ]
    # readable again: the next run converts what was missed, and only that
    res = run("convert", str(src), "-o", str(out), "--to", "md")
    assert res.returncode == 0, res.stderr
    st = statuses(out)
    assert st["inside.md"] == "converted" and st["secret.md"] == "converted"
    assert report(out)["summary"]["skipped"] == 3


# -- 5. long names -----------------------------------------------------------------------------
def test_names_at_the_file_system_limit(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    limit = os.pathconf(src, "PC_NAME_MAX")
    fits = "a" * (limit - 5) + ".md"  # its .docx is exactly `limit` bytes
    too_long = "b" * (limit - 3) + ".md"  # its .md fits, its .docx does not
    for name in (fits, too_long):
        (src / name).write_text("# Long\n\nText.\n")
    out = tmp_path / "out"
    res = run("convert", str(src), "-o", str(out), "--to", "md,docx")
    clean_stderr(res)
    assert res.returncode == 1
    st = statuses(out)
    assert st[fits] == "converted" and st[too_long] == "failed"
    assert (out / ("a" * (limit - 5) + ".docx")).stat().st_size > 0
    lines = failure_lines(res)
    assert lines == [
        f"{src / too_long}: name too long for the file system: {out / ('b' * (limit - 3) + '.docx')}"
    ]
    assert not any(p.name.startswith("b") for p in out.iterdir())  # all of its outputs, or none
    assert temp_files(out) == []


# -- 6. an image cache that cannot be written ---------------------------------------------------
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAQAAAADCAIAAAA7ljmRAAAAGElEQVR4nGP4z8DwHwyBNAMDAxMDAwMDAHu8"
    "Bf1m+lb3AAAAAElFTkSuQmCC"
)


@pytest.fixture(scope="module")
def picture_server():
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.send_header("Content-Length", str(len(PNG)))
            self.end_headers()
            self.wfile.write(PNG)

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.mark.parametrize("cache", ["missing HOME", "read-only"])
def test_an_unwritable_image_cache_leaves_a_placeholder_and_the_article_converts(
    tmp_path, picture_server, cache
):
    src = tmp_path / "in"
    src.mkdir()
    url = f"{picture_server}/chart.png"
    (src / "pic.md").write_text(f"# Pictures\n\nText before.\n\n![A chart]({url})\n\nText after.\n")
    env = {k: v for k, v in os.environ.items() if k not in ("XDG_CACHE_HOME", "GALLEY_IMAGE_CACHE")}
    home = tmp_path / "no-such-home" / "user"
    env["HOME"] = str(home)
    args = [
        "convert",
        str(src),
        "-o",
        str(tmp_path / "out"),
        "--to",
        "md,docx",
        "--fetch-images",
        "--allow-private-hosts",
    ]
    if cache == "read-only":
        with tmpfs(tmp_path / "cache", "1m", read_only=True) as folder:
            res = run(*args, "--image-cache", str(folder), env=env)
    else:
        res = run(*args, env=env)
    clean_stderr(res)
    assert res.returncode == 0, res.stderr
    entry = report(tmp_path / "out")["files"][0]
    assert entry["status"] == "converted"
    assert [i["outcome"] for i in entry["images"]] == ["failed"]
    assert any("image cache not writable" in w for w in entry["warnings"]), entry["warnings"]
    text = (tmp_path / "out" / "pic.md").read_text()
    assert "Text after." in text and url in text  # the picture stays a link (its placeholder)
    assert not (tmp_path / "no-such-home").exists()


# -- 7. inputs deleted between runs ---------------------------------------------------------------
def test_outputs_of_deleted_inputs_are_listed_and_pruned_only_with_prune(tmp_path):
    from PIL import Image

    src = tmp_path / "in"
    make_articles(src, 6)
    Image.new("RGB", (20, 10), (200, 30, 30)).save(src / "part0" / "fig.png")
    (src / "part0" / "figure.md").write_text("# Figure\n\n![A chart](fig.png)\n\nText.\n")
    out = tmp_path / "out"
    args = ["convert", str(src), "-o", str(out), "--to", "md,docx"]
    assert run(*args).returncode == 0
    assert (out / "part0" / "figure_assets").is_dir()
    (src / "part0" / "article-000.md").unlink()
    (src / "part0" / "figure.md").unlink()
    (src / "part2" / "article-005.md").unlink()
    (out / "part2" / "article-005.md").write_text("edited by hand\n")
    before = tree(out)

    res = run(*args)
    clean_stderr(res)
    assert res.returncode == 0, res.stderr
    assert tree(out) == before  # listed, not touched
    gone = {Path(g["source"]).name: g for g in report(out)["inputs_gone"]}
    assert set(gone) == {"article-000.md", "figure.md", "article-005.md"}
    assert report(out)["summary"]["inputs_gone"] == 3
    assert "3 inputs gone; their outputs remain (--prune removes them):" in res.stderr
    for name in gone:
        assert sum(1 for ln in res.stderr.splitlines() if ln.startswith("  ") and name in ln) == 1

    res = run(*args, "--prune")
    assert res.returncode == 0, res.stderr
    after = tree(out)
    removed = set(before) - set(after)
    assert removed == {
        "part0/article-000.md",
        "part0/article-000.docx",
        "part0/figure.md",
        "part0/figure.docx",
        "part2/article-005.docx",
    } | {r for r in before if r.startswith("part0/figure_assets/")}
    assert not (out / "part0" / "figure_assets").exists()
    assert (out / "part2" / "article-005.md").read_text() == "edited by hand\n"  # kept
    assert "kept" in res.stderr and "edited since galley wrote it" in res.stderr
    assert {k: before[k] for k in after} == after  # nothing else touched
    rows = manifest_rows(out)
    assert "part0/article-000" not in rows and "part0/figure" not in rows
    assert "part2/article-005" in rows  # its edited output is still there
    # a folder not given this time is not "gone"
    other = tmp_path / "other"
    make_articles(other, 1, nested=False)
    res = run("convert", str(other), "-o", str(out), "--to", "md,docx", "--prune")
    assert res.returncode == 0 and report(out)["inputs_gone"] == []
    assert (out / "part1" / "article-001.md").exists()


# -- 8. SIGTERM and Ctrl-C -----------------------------------------------------------------------
@pytest.mark.parametrize(
    "sig, status", [(signal.SIGTERM, 143), (signal.SIGINT, 130)], ids=["SIGTERM", "SIGINT"]
)
def test_a_stopped_run_writes_a_report_marked_interrupted(tmp_path, sig, status):
    src = tmp_path / "in"
    make_articles(src, 120)
    out = tmp_path / "out"
    proc = subprocess.Popen(
        [*GALLEY, "convert", str(src), "-o", str(out), "--to", "md,docx,epub", "-j", "2"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    _wait_for_outputs(out, 10, proc)
    proc.send_signal(sig)
    _stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == status, stderr
    assert "interrupted" in stderr and "Traceback" not in stderr
    rep = report(out)
    summary = rep["summary"]
    assert summary["interrupted"] is True
    assert summary["files"] == 120 and summary["converted"] >= 3 and summary["pending"] > 0
    assert summary["converted"] + summary["pending"] + summary["failed"] == 120
    for f in rep["files"]:
        if f["status"] == "converted":
            assert all((out / o).is_file() for o in f["outputs"])
        elif f["status"] == "pending":
            assert f["outputs"] == [] and f["reason"] == "new"
    assert temp_files(out) == []
    res = run("convert", str(src), "-o", str(out), "--to", "md,docx,epub", "-j", "2")
    assert res.returncode == 0
    again = report(out)["summary"]
    assert again["skipped"] == summary["converted"] and again["interrupted"] is False


# -- 9. one writer per output folder ----------------------------------------------------------
def test_a_manifest_elsewhere_does_not_get_around_the_lock(tmp_path, plugin_env):
    import fcntl

    src = tmp_path / "in"
    src.mkdir()
    (src / "hang.md").write_text("# H\n\nGALLEY-TEST-HANG\n")
    out = tmp_path / "out"
    first = subprocess.Popen(
        [*GALLEY, "convert", str(src), "-o", str(out), "--to", "md", "--timeout", "60"],
        env=plugin_env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while True:  # until the first run holds the output folder
            assert time.monotonic() < deadline and first.poll() is None
            if out.is_dir():
                fd = os.open(out, os.O_RDONLY)
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    fcntl.flock(fd, fcntl.LOCK_UN)
                except BlockingIOError:
                    break
                finally:
                    os.close(fd)
            time.sleep(0.05)
        other = make_articles(tmp_path / "in2", 1, nested=False)[0].parent
        res = run(
            "convert",
            str(other),
            "-o",
            str(out),
            "--to",
            "md",
            "--manifest",
            str(tmp_path / "elsewhere.sqlite"),
        )
        assert res.returncode == 1 and "another galley convert is writing to" in res.stderr
        assert res.stderr.strip().count("\n") == 0
        assert not (out / "article-000.md").exists()
    finally:
        os.killpg(first.pid, signal.SIGKILL)
        first.wait(30)
    res = run(
        "convert", str(other), "-o", str(out), "--to", "md", "--manifest", str(tmp_path / "elsewhere.sqlite")
    )
    assert res.returncode == 0, res.stderr
    assert (out / "article-000.md").exists()


# -- 10. FIFOs, devices, the input size cap -----------------------------------------------------
def test_a_fifo_and_dev_zero_named_on_the_command_line_are_refused(tmp_path):
    fifo = tmp_path / "x.md"
    os.mkfifo(fifo)
    good = make_articles(tmp_path / "in", 1, nested=False)[0]
    out = tmp_path / "out"
    res = run("convert", str(fifo), "/dev/zero", str(good), "-o", str(out), "--to", "md", timeout=60)
    clean_stderr(res)
    assert res.returncode == 1
    assert sorted(failure_lines(res)) == sorted(
        [f"{fifo}: not a regular file (a FIFO)", "/dev/zero: not a regular file (a character device)"]
    )
    assert statuses(out)["article-000.md"] == "converted"


def test_a_fifo_in_a_walked_folder_is_one_line(tmp_path):
    src = tmp_path / "in"
    make_articles(src, 2, nested=False)
    os.mkfifo(src / "x.md")
    os.mkfifo(src / "ignored.pipe")  # not an input name: no line
    out = tmp_path / "out"
    res = run("convert", str(src), "-o", str(out), "--to", "md", timeout=60)
    clean_stderr(res)
    assert res.returncode == 1
    assert failure_lines(res) == [f"{src / 'x.md'}: not a regular file (a FIFO)"]
    res = run("convert", str(src), "-o", str(out), "--to", "md", "--exclude", "x.md", timeout=60)
    assert res.returncode == 0, res.stderr


def test_inputs_above_the_size_limit_are_refused(tmp_path):
    src = tmp_path / "in"
    make_articles(src, 2, nested=False)
    (src / "big.md").write_text("# Big\n\n" + ("A line of text that repeats.\n\n" * 80_000))
    size = (src / "big.md").stat().st_size
    assert 2 << 20 < size < 3 << 20
    out = tmp_path / "out"
    res = run("convert", str(src), "-o", str(out), "--to", "md", "--max-input-size", "1M")
    clean_stderr(res)
    assert res.returncode == 1
    assert failure_lines(res) == [
        f"{src / 'big.md'}: larger than the 1 MB input limit "
        f"({size / (1 << 20):.1f} MB); raise it with --max-input-size"
    ]
    assert statuses(out)["article-000.md"] == "converted"
    res = run("convert", str(src), "-o", str(out), "--to", "md")  # the default limit takes it
    assert res.returncode == 0 and statuses(out)["big.md"] == "converted"
    res = run("convert", str(src), "-o", str(out), "--max-input-size", "lots")
    assert res.returncode == 1 and res.stderr.strip().count("\n") == 0 and "not a size" in res.stderr


# -- 11. names that differ in case only ---------------------------------------------------------
def test_names_that_differ_in_case_convert_where_the_file_system_tells_them_apart(tmp_path):
    from pipeline.names import probe

    src = tmp_path / "in"
    src.mkdir()
    for name in ("straße.md", "STRASSE.md", "Notes.md", "notes.md"):
        (src / name).write_text(f"# {name}\n\nText of {name}.\n")
    out = tmp_path / "out"
    out.mkdir()
    rule = probe(out)
    res = run("convert", str(src), "-o", str(out), "--to", "md")
    if rule.case_insensitive:  # e.g. macOS, Windows: Notes/notes are one file there
        assert res.returncode == 1 and "Notes.md" in res.stderr and "straße" not in res.stderr
        return
    assert res.returncode == 0, res.stderr
    assert set(tree(out)) == {"straße.md", "STRASSE.md", "Notes.md", "notes.md"}
    assert "Text of STRASSE.md." in (out / "STRASSE.md").read_text()
    assert "Text of straße.md." in (out / "straße.md").read_text()


def test_the_collision_rule_follows_the_file_system():
    from pipeline.batch import Source, check_collisions
    from pipeline.errors import ConfigError
    from pipeline.names import FoldRule
    from pipeline.storage import LocalStorage

    store = LocalStorage(Path("/in"))

    def clash(rule, *names):
        try:
            check_collisions([Source(n, store) for n in names], rule)
        except ConfigError as exc:
            return str(exc)
        return None

    sensitive, insensitive = FoldRule(), FoldRule(case_insensitive=True, normalizing=True)
    assert clash(sensitive, "a.md", "a.markdown")  # the same output on any file system
    assert clash(sensitive, "Notes.md", "notes.md") is None
    assert clash(sensitive, "caf\u00e9.md", "cafe\u0301.md") is None
    assert "Notes.md and /in/notes.md" in clash(insensitive, "Notes.md", "notes.md")
    assert clash(insensitive, "caf\u00e9.md", "cafe\u0301.md")
    assert clash(insensitive, "straße.md", "STRASSE.md") is None  # ß is not "ss" to NTFS or APFS
    assert clash(insensitive, "sub/x.md", "SUB/X.txt")


# -- links in a folder walk ---------------------------------------------------------------------
SECRET = b"OUTSIDE-SECRET-7f3a"


def test_links_that_leave_the_input_folder_are_not_followed(tmp_path):
    outside = tmp_path / "outside"
    (outside / "dir").mkdir(parents=True)
    (outside / "secret.md").write_bytes(b"# Secret\n\n" + SECRET + b" file.\n")
    (outside / "dir" / "inner.md").write_bytes(b"# Inner\n\n" + SECRET + b" folder.\n")
    src = tmp_path / "in"
    make_articles(src, 2, nested=False)
    (src / "link.md").symlink_to(outside / "secret.md")
    (src / "linked").symlink_to(outside / "dir")
    (src / "same.md").symlink_to(src / "article-000.md")  # inside: followed
    (src / "sub").mkdir()
    (src / "sub" / "loop").symlink_to(src)  # inside, a loop
    out = tmp_path / "out"
    res = run("convert", str(src), "-o", str(out), "--to", "md,docx,epub", timeout=120)
    clean_stderr(res)
    assert res.returncode == 0, res.stderr
    assert set(statuses(out)) == {"article-000.md", "article-001.md", "same.md"}
    for name in ("link.md", "linked"):
        lines = [ln for ln in res.stderr.splitlines() if f"{src / name}: a link to" in ln]
        assert len(lines) == 1 and "not followed (--follow-symlinks)" in lines[0]
    assert {Path(n["source"]).name for n in report(out)["not_followed"]} == {"link.md", "linked"}
    for rel, data in output_bytes(out).items():
        assert SECRET not in data, rel
    # --follow-symlinks follows them; the loop still ends
    out2 = tmp_path / "out2"
    res = run("convert", str(src), "-o", str(out2), "--to", "md", "--follow-symlinks", timeout=120)
    assert res.returncode == 0, res.stderr
    assert SECRET in (out2 / "link.md").read_bytes() and SECRET in (out2 / "linked" / "inner.md").read_bytes()
    # a link named on the command line is what the user asked for
    res = run("convert", str(src / "link.md"), "-o", str(tmp_path / "out3"), "--to", "md")
    assert res.returncode == 0 and SECRET in (tmp_path / "out3" / "link.md").read_bytes()
