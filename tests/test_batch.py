"""Batch conversion (`galley convert DIR... -o OUT`): discovery, incremental runs,
parallel workers, isolation, atomic outputs, the report. Real processes throughout:
`galley convert` subprocesses, the real worker pool, real kill -9 and SIGINT.

Failures that no real article triggers on demand (a stage that raises, a C-level
crash, a file that never finishes) come from a small plugin stage installed the way
any third-party stage is: a ``*.dist-info`` with a ``galley.stages`` entry point, put
on PYTHONPATH for the subprocess only.
"""

from __future__ import annotations

import io
import json
import os
import pty
import re
import select
import shutil
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
import zipfile
from pathlib import Path

import pytest
from conftest import ROOT, SAMPLES, corpus_files, sample_files

GALLEY = [sys.executable, "-m", "pipeline.cli"]
MANIFEST = ".galley-manifest.sqlite"

ARTICLE = """---
title: "{title}"
author: 测试
---

# {title}

这是第 {n} 篇文章的正文。它有几段文字，   一些**加粗的字**，和一个[链接](https://example.com/{n})。

左滑查看更多

## 第二节

- 第一项
- 第二项 {n}

Some English text for article {n}, with *emphasis* and `code`.

```python
print({n})
```
"""


def run(
    *args: str, env: dict[str, str] | None = None, cwd: Path | None = None, timeout: float = 300
) -> subprocess.CompletedProcess:
    return subprocess.run([*GALLEY, *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=timeout)


def make_articles(folder: Path, count: int, nested: bool = True) -> list[Path]:
    paths = []
    for n in range(count):
        sub = folder / (f"part{n % 3}" if nested else "")
        sub.mkdir(parents=True, exist_ok=True)
        p = sub / f"article-{n:03d}.md"
        p.write_text(ARTICLE.format(title=f"文章 {n}", n=n), encoding="utf-8")
        paths.append(p)
    return paths


def tree(folder: Path) -> dict[str, bytes]:
    """Every visible file under ``folder`` (not the manifest, not the report)."""
    out = {}
    for p in sorted(folder.rglob("*")):
        rel = p.relative_to(folder).as_posix()
        if p.is_file() and not any(part.startswith(".") for part in rel.split("/")) and rel != "report.json":
            out[rel] = p.read_bytes()
    return out


def readable_contents(folder: Path) -> list[tuple[str, bytes]]:
    """Every output under ``folder`` as it reads: a file's bytes, and for a DOCX or an
    EPUB (zip files, their members compressed) each member's bytes, named ``file:member``."""
    out = []
    for rel, blob in tree(folder).items():
        out.append((rel, blob))
        if rel.endswith((".docx", ".epub")):
            with zipfile.ZipFile(io.BytesIO(blob)) as z:
                out.extend((f"{rel}:{name}", z.read(name)) for name in z.namelist())
    return out


def hidden_debris(folder: Path) -> list[str]:
    return [p.name for p in folder.rglob("*") if p.name.endswith(".galley-part")]


def report(out: Path) -> dict:
    return json.loads((out / "report.json").read_text(encoding="utf-8"))


def statuses(out: Path) -> dict[str, str]:
    return {Path(f["source"]).name: f["status"] for f in report(out)["files"]}


# -- a plugin stage that misbehaves on request ------------------------------------------------
PLUGIN = '''
import ctypes, os, time
from pipeline.stage import Stage

class Misbehave(Stage):
    """Test plugin: raise, hang or crash on a marker in the text."""
    name = "misbehave"
    priority = 250
    scope = "text"
    once = True

    def run(self, doc, ctx):
        if "GALLEY-TEST-RAISE" in doc.text:
            raise ValueError("the test stage raised on purpose")
        if "GALLEY-TEST-HANG" in doc.text:
            time.sleep(600)
        if "GALLEY-TEST-CRASH" in doc.text:
            ctypes.string_at(0)  # a real segmentation fault
'''


@pytest.fixture(scope="module")
def plugin_env(tmp_path_factory) -> dict[str, str]:
    root = tmp_path_factory.mktemp("plugin")
    (root / "galley_misbehave.py").write_text(PLUGIN, encoding="utf-8")
    info = root / "galley_misbehave-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: galley-misbehave\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text("[galley.stages]\nmisbehave = galley_misbehave:Misbehave\n")
    env = dict(os.environ)
    env["PYTHONPATH"] = str(root) + os.pathsep + env.get("PYTHONPATH", "")
    return env


# -- discovery ------------------------------------------------------------------------------
def test_walks_folders_and_mirrors_their_structure(tmp_path):
    src = tmp_path / "in"
    make_articles(src, 6)
    (src / ".hidden").mkdir()
    (src / ".hidden" / "secret.md").write_text("# no\n")
    (src / "notes.rst").write_text("not markdown\n")
    out = tmp_path / "out"
    res = run("convert", str(src), "-o", str(out), "--to", "md,docx", "-j", "2")
    assert res.returncode == 0, res.stderr
    files = set(tree(out))
    assert files == {f"part{n % 3}/article-{n:03d}.{ext}" for n in range(6) for ext in ("md", "docx")}
    assert report(out)["summary"]["converted"] == 6


def test_include_and_exclude_globs(tmp_path):
    src = tmp_path / "in"
    make_articles(src, 6)
    (src / "drafts").mkdir()
    (src / "drafts" / "wip.md").write_text("# Draft\n\nText.\n")
    (src / "extra.markdown").write_text("# Extra\n\nText.\n")
    out = tmp_path / "out"
    res = run(
        "convert",
        str(src),
        "-o",
        str(out),
        "--to",
        "md",
        "--exclude",
        "drafts",
        "--exclude",
        "part1/**",
        "--include",
        "*.md",
    )
    assert res.returncode == 0, res.stderr
    assert set(tree(out)) == {f"part{n % 3}/article-{n:03d}.md" for n in range(6) if n % 3 != 1}


def test_output_folder_inside_the_input_is_not_read_back(tmp_path):
    src = tmp_path / "in"
    make_articles(src, 2, nested=False)
    out = src / "converted"
    for _ in range(2):
        res = run("convert", str(src), "-o", str(out), "--to", "md")
        assert res.returncode == 0, res.stderr
    assert set(statuses(out)) == {"article-000.md", "article-001.md"}
    assert not (out / "converted").exists()


def test_output_folder_that_is_the_input_folder_is_refused(tmp_path):
    make_articles(tmp_path, 1, nested=False)
    res = run("convert", str(tmp_path), "-o", str(tmp_path), "--to", "md")
    assert res.returncode == 1 and "output folder" in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("names", [("a.md", "a.markdown"), ("sub/x.md", "sub/x.txt")])
def test_inputs_that_would_write_the_same_output_are_an_error_naming_both(tmp_path, names):
    # (names that differ in case only: tests/test_faults.py, by the file system's rule)
    src = tmp_path / "in"
    for name in names:
        (src / name).parent.mkdir(parents=True, exist_ok=True)
        (src / name).write_text("# T\n\nText.\n")
    res = run("convert", str(src), "-o", str(tmp_path / "out"), "--to", "md")
    assert res.returncode == 1
    line = res.stderr.strip()
    assert len(line.splitlines()) == 1
    for name in names:
        assert name in line
    assert not (tmp_path / "out").exists() or not tree(tmp_path / "out")


# -- parallel = serial ----------------------------------------------------------------------
def test_outputs_are_identical_whatever_the_number_of_workers(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    for p in sample_files() + corpus_files()[:12]:
        shutil.copy(p, src / p.name)
    make_articles(src / "gen", 6)
    outs = {}
    for label, args in (("serial", ["--executor", "serial"]), ("j1", ["-j", "1"]), ("j2", ["-j", "2"])):
        out = tmp_path / label
        res = run("convert", str(src), "-o", str(out), "--to", "md,docx,epub", *args)
        assert res.returncode == 0, res.stderr
        outs[label] = tree(out)
    assert outs["serial"] and set(outs["serial"]) == set(outs["j2"])
    assert outs["serial"] == outs["j1"] == outs["j2"]


# -- incremental ----------------------------------------------------------------------------
def test_second_run_skips_everything_and_says_so(tmp_path):
    src = tmp_path / "in"
    make_articles(src, 4)
    out = tmp_path / "out"
    first = run("convert", str(src), "-o", str(out), "--to", "md,docx")
    assert first.returncode == 0, first.stderr
    before = {p: (out / p).stat().st_mtime_ns for p in tree(out)}
    second = run("convert", str(src), "-o", str(out), "--to", "md,docx")
    assert second.returncode == 0
    assert "nothing to do" in second.stderr
    assert set(statuses(out).values()) == {"skipped"}
    assert {p: (out / p).stat().st_mtime_ns for p in tree(out)} == before
    # the skip path imports neither the parser nor a writer
    code = textwrap.dedent(f"""
        import sys
        from pipeline.batch import run_batch
        from pipeline.config import Config
        rc = run_batch([{str(src)!r}], {str(out)!r}, Config(formats=["md", "docx"]))
        heavy = sorted(m for m in sys.modules
                       if m.split(".")[0] in ("mistune", "docx", "lxml", "ebooklib", "rich")
                       or m.startswith(("pipeline.writers.", "pipeline.runner", "pipeline.tree", "stages.")))
        print(rc, heavy)
    """)
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert res.stdout.strip() == "0 []", res.stdout + res.stderr


def test_deleted_or_edited_output_is_made_again_and_nothing_else(tmp_path):
    src = tmp_path / "in"
    make_articles(src, 5, nested=False)
    out = tmp_path / "out"
    assert run("convert", str(src), "-o", str(out), "--to", "md,docx").returncode == 0
    good = tree(out)
    (out / "article-001.docx").unlink()
    (out / "article-003.md").write_text("edited by hand\n")
    res = run("convert", str(src), "-o", str(out), "--to", "md,docx")
    assert res.returncode == 0, res.stderr
    st = statuses(out)
    assert {k for k, v in st.items() if v == "converted"} == {"article-001.md", "article-003.md"}
    assert tree(out) == good
    reasons = {Path(f["source"]).name: f.get("reason") for f in report(out)["files"]}
    assert reasons["article-001.md"] == "output article-001.docx deleted"
    assert reasons["article-003.md"] == "output article-003.md edited"


def test_changed_input_config_or_version_redoes_the_right_files(tmp_path):
    src = tmp_path / "in"
    make_articles(src, 3, nested=False)
    out = tmp_path / "out"
    args = ["convert", str(src), "-o", str(out), "--to", "md"]
    assert run(*args).returncode == 0
    (src / "article-002.md").write_text("# Changed\n\nNew text.\n")
    assert run(*args).returncode == 0
    assert statuses(out) == {
        "article-000.md": "skipped",
        "article-001.md": "skipped",
        "article-002.md": "converted",
    }
    assert "New text." in (out / "article-002.md").read_text()
    # configuration
    assert run(*args, "--disable", "ui_chrome").returncode == 0
    assert set(statuses(out).values()) == {"converted"}
    assert "左滑查看更多" in (out / "article-000.md").read_text()
    assert run(*args, "--disable", "ui_chrome").returncode == 0
    assert set(statuses(out).values()) == {"skipped"}
    # a writer's version and galley's version, as recorded
    db = sqlite3.connect(out / MANIFEST)
    db.execute("UPDATE files SET writer_versions = '{\"md\": \"0\"}' WHERE source = 'article-000.md'")
    db.execute("UPDATE files SET galley_version = '0.0.1' WHERE source = 'article-001.md'")
    db.commit()
    db.close()
    assert run(*args, "--disable", "ui_chrome").returncode == 0
    reasons = {Path(f["source"]).name: f.get("reason") for f in report(out)["files"]}
    assert reasons == {
        "article-000.md": "writer version changed",
        "article-001.md": "galley changed",
        "article-002.md": None,
    }
    # --force ignores the manifest
    assert run(*args, "--disable", "ui_chrome", "--force").returncode == 0
    assert set(statuses(out).values()) == {"converted"}


def test_changed_image_redoes_the_file(tmp_path):
    from PIL import Image

    src = tmp_path / "in"
    src.mkdir()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(src / "figure.png")
    (src / "doc.md").write_text("# Figure\n\n![A chart](figure.png)\n\nText.\n")
    out = tmp_path / "out"
    args = ["convert", str(src), "-o", str(out), "--to", "docx"]
    assert run(*args).returncode == 0
    first = (out / "doc.docx").read_bytes()
    assert run(*args).returncode == 0 and statuses(out)["doc.md"] == "skipped"
    Image.new("RGB", (40, 30), (30, 30, 200)).save(src / "figure.png")
    assert run(*args).returncode == 0
    assert statuses(out)["doc.md"] == "converted"
    assert report(out)["files"][0]["reason"] == "image figure.png changed"
    assert (out / "doc.docx").read_bytes() != first


def test_an_image_found_through_images_roots_is_a_dependency_too(tmp_path):
    """A picture found in a folder of ``images.roots`` (not beside the article) is in the
    manifest: editing it converts the article again."""
    from PIL import Image

    src, shared = tmp_path / "in", tmp_path / "shared"
    src.mkdir()
    shared.mkdir()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(shared / "figure.png")
    (src / "doc.md").write_text("# Figure\n\n![A chart](figure.png)\n\nText.\n")
    out = tmp_path / "out"
    args = [
        "convert",
        str(src),
        "-o",
        str(out),
        "--to",
        "docx",
        "--set",
        f"images.roots={json.dumps([str(shared)])}",
    ]
    assert run(*args).returncode == 0
    assert [i["outcome"] for i in report(out)["files"][0]["images"]] == ["embedded"]
    first = (out / "doc.docx").read_bytes()
    assert run(*args).returncode == 0 and statuses(out)["doc.md"] == "skipped"
    Image.new("RGB", (40, 30), (30, 30, 200)).save(shared / "figure.png")
    assert run(*args).returncode == 0
    assert statuses(out)["doc.md"] == "converted"
    assert report(out)["files"][0]["reason"] == "image figure.png changed"
    assert (out / "doc.docx").read_bytes() != first
    assert run(*args).returncode == 0 and statuses(out)["doc.md"] == "skipped"


SWAP_PLUGIN = '''
from pipeline.stage import Stage

WORD = "{word}"

class Swap(Stage):
    """Test plugin: writes its word for a marker."""
    name = "swap"
    priority = 250
    scope = "text"
    once = True

    def run(self, doc, ctx):
        doc.text = doc.text.replace("MARKER", WORD)
'''


def install_swap_plugin(root: Path, version: str, word: str) -> None:
    """The ``swap`` stage as distribution ``galley-swap`` of ``version``, on ``root``."""
    for old in root.glob("galley_swap-*.dist-info"):
        shutil.rmtree(old)
    (root / "galley_swap.py").write_text(SWAP_PLUGIN.format(word=word), encoding="utf-8")
    info = root / f"galley_swap-{version}.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: galley-swap\nVersion: {version}\n")
    (info / "entry_points.txt").write_text("[galley.stages]\nswap = galley_swap:Swap\n")


def test_upgrading_or_editing_a_plugin_stage_converts_again(tmp_path):
    """The manifest hashes what the entry points load, with each distribution's version."""
    plugin = tmp_path / "plugin"
    plugin.mkdir()
    install_swap_plugin(plugin, "0.1", "one")
    env = dict(os.environ, PYTHONPATH=str(plugin) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    src = tmp_path / "in"
    src.mkdir()
    (src / "doc.md").write_text("# Plug-in\n\nThe word is MARKER.\n")
    out = tmp_path / "out"
    args = ["convert", str(src), "-o", str(out), "--to", "md"]
    assert run(*args, env=env).returncode == 0
    assert "The word is one." in (out / "doc.md").read_text()
    assert run(*args, env=env).returncode == 0 and statuses(out)["doc.md"] == "skipped"
    # a new release of the plug-in (its code unchanged here): converted again
    install_swap_plugin(plugin, "0.2", "one")
    assert run(*args, env=env).returncode == 0
    assert statuses(out)["doc.md"] == "converted"
    assert report(out)["files"][0]["reason"] == "code changed (galley, a stage or a writer)"
    assert run(*args, env=env).returncode == 0 and statuses(out)["doc.md"] == "skipped"
    # its code edited in place, the version left as it was
    install_swap_plugin(plugin, "0.2", "two")
    assert run(*args, env=env).returncode == 0
    assert statuses(out)["doc.md"] == "converted"
    assert "The word is two." in (out / "doc.md").read_text()


def test_a_damaged_manifest_costs_a_full_run_not_a_failure(tmp_path):
    src = tmp_path / "in"
    make_articles(src, 2, nested=False)
    out = tmp_path / "out"
    assert run("convert", str(src), "-o", str(out), "--to", "md").returncode == 0
    (out / MANIFEST).write_bytes(b"this is not a database" * 100)
    for suffix in ("-wal", "-shm"):
        (out / (MANIFEST + suffix)).unlink(missing_ok=True)
    res = run("convert", str(src), "-o", str(out), "--to", "md")
    assert res.returncode == 0, res.stderr
    assert set(statuses(out).values()) == {"converted"}
    assert set(statuses(out).values()) == {"converted"}
    assert run("convert", str(src), "-o", str(out), "--to", "md").returncode == 0
    assert set(statuses(out).values()) == {"skipped"}


# -- report, progress, summary ---------------------------------------------------------------
def test_report_and_summary(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    shutil.copy(SAMPLES / "wechat-html2text-export.md", src)
    (src / "bad.md").write_bytes(b"\x00\x01binary\x00")
    out = tmp_path / "out"
    res = run("convert", str(src), "-o", str(out), "--to", "md,epub")
    assert res.returncode == 1
    rep = report(out)
    assert rep["summary"]["files"] == 2 and rep["summary"]["converted"] == 1 and rep["summary"]["failed"] == 1
    good = next(f for f in rep["files"] if f["status"] == "converted")
    assert good["outputs"] == ["wechat-html2text-export.epub", "wechat-html2text-export.md"]
    assert good["changes"]["ui_chrome"] and 0.99 <= good["kept"] <= 1 and good["seconds"] > 0
    assert isinstance(good["warnings"], list)
    assert rep["summary"]["removed"] and all("/" in k for k in rep["summary"]["removed"])
    for row in ("files", "converted", "skipped", "failed", "debris removed"):
        assert row in res.stderr
    # failures: one line each, at the end
    tail = res.stderr.strip().splitlines()
    assert tail[-2] == "galley: 1 failed:"
    assert tail[-1].strip().startswith(str(src / "bad.md") + ": not a text file")
    # a re-run reports the skipped file with what was recorded for it
    res = run("convert", str(src), "-o", str(out), "--to", "md,epub")
    again = {f["status"]: f for f in report(out)["files"]}
    assert again["skipped"]["changes"] == good["changes"] and again["failed"]["error"]


def test_quiet_prints_only_failures(tmp_path):
    src = tmp_path / "in"
    make_articles(src, 2)
    res = run("convert", str(src), "-o", str(tmp_path / "out"), "--to", "md", "-q")
    assert res.returncode == 0 and res.stderr == "" and res.stdout == ""
    (src / "bad.md").write_bytes(b"\x00\x01binary\x00")
    res = run("convert", str(src), "-o", str(tmp_path / "out"), "--to", "md", "--quiet")
    assert res.returncode == 1 and "bad.md: not a text file" in res.stderr
    assert "converted" not in res.stderr


def test_progress_bar_on_a_terminal(tmp_path):
    src = tmp_path / "in"
    make_articles(src, 4)
    main, follower = pty.openpty()
    env = dict(os.environ, COLUMNS="120", TERM="xterm")
    proc = subprocess.Popen(
        [*GALLEY, "convert", str(src), "-o", str(tmp_path / "out"), "--to", "md"],
        stdin=follower,
        stdout=follower,
        stderr=follower,
        env=env,
        close_fds=True,
    )
    os.close(follower)
    chunks = []
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        ready, _, _ = select.select([main], [], [], 1)
        if ready:
            try:
                data = os.read(main, 65536)
            except OSError:
                break
            if not data:
                break
            chunks.append(data)
        elif proc.poll() is not None:
            break
    proc.wait(30)
    os.close(main)
    screen = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", b"".join(chunks).decode("utf-8", "replace"))
    assert proc.returncode == 0, screen
    assert "converting" in screen and "4/4" in screen and "skipped" in screen and "ETA" in screen
    assert "galley convert" in screen  # the summary table's title


# -- isolation ------------------------------------------------------------------------------
def test_bad_inputs_get_one_line_each_and_the_good_ones_convert(tmp_path):
    src = tmp_path / "in"
    (src / "deep" / "er").mkdir(parents=True)
    shutil.copy(SAMPLES / "daringfireball-iphone-16e.md", src / "good.md")
    (src / "binary.md").write_bytes(bytes(range(256)) * 20)
    (src / "empty.md").write_bytes(b"")
    (src / "gbk.md").write_bytes("# 标题\n\n这是用 GBK 编码保存的中文正文。\n".encode("gbk"))
    body = ("# Invalid bytes\n\n" + "A long paragraph of ordinary text. " * 40).encode()
    (src / "invalid-utf8.md").write_bytes(body[:200] + b"\xff" + body[200:])
    (src / "deep" / "er" / "escape.md").write_text(
        "# Escape\n\n![secret](../../etc/passwd) ![x](../../../../../../etc/passwd)\n\nText.\n"
    )
    out = tmp_path / "out"
    res = run("convert", str(src), "-o", str(out), "--to", "md,docx,epub")
    assert res.returncode == 1
    st = statuses(out)
    assert st == {
        "binary.md": "failed",
        "empty.md": "converted",
        "escape.md": "converted",
        "gbk.md": "converted",
        "good.md": "converted",
        "invalid-utf8.md": "converted",
    }
    failures = [
        ln for ln in res.stderr.splitlines() if ln.startswith("  ") and ": " in ln and "binary.md" in ln
    ]
    assert failures and "not a text file" in failures[-1]
    assert "标题" in (out / "gbk.md").read_text(encoding="utf-8")
    rep = {Path(f["source"]).name: f for f in report(out)["files"]}
    assert any("U+FFFD" in w for w in rep["invalid-utf8.md"]["warnings"])
    assert any("passwd" in w for w in rep["escape.md"]["warnings"])
    contents = readable_contents(out)
    # the search can fail: the text of an article is found inside its zipped outputs
    assert {rel for rel, blob in contents if b"A long paragraph of ordinary text." in blob} >= {
        "invalid-utf8.md",
        "invalid-utf8.docx:word/document.xml",
    }
    assert any(
        rel.startswith("invalid-utf8.epub:") and b"A long paragraph of ordinary text." in blob
        for rel, blob in contents
    )
    passwd = Path("/etc/passwd").read_bytes().split(b"\n")[0]
    assert passwd and not any(passwd in blob for _rel, blob in contents)
    assert not any((out / f"binary.{ext}").exists() for ext in ("md", "docx", "epub"))
    assert hidden_debris(out) == []


def test_a_raising_stage_a_crash_and_a_hang_do_not_stop_the_batch(tmp_path, plugin_env):
    src = tmp_path / "in"
    make_articles(src, 4, nested=False)
    (src / "raise.md").write_text("# R\n\nGALLEY-TEST-RAISE\n")
    (src / "crash.md").write_text("# C\n\nGALLEY-TEST-CRASH\n")
    (src / "hang.md").write_text("# H\n\nGALLEY-TEST-HANG\n")
    out = tmp_path / "out"
    started = time.monotonic()
    res = run(
        "convert",
        str(src),
        "-o",
        str(out),
        "--to",
        "md,docx",
        "-j",
        "2",
        "--timeout",
        "5",
        env=plugin_env,
        timeout=120,
    )
    assert time.monotonic() - started < 100
    assert res.returncode == 1, res.stderr
    rep = {Path(f["source"]).name: f for f in report(out)["files"]}
    assert rep["raise.md"]["status"] == "failed"
    assert "stage 'misbehave' failed: ValueError" in rep["raise.md"]["error"]
    assert rep["crash.md"]["status"] == "failed" and "SIGSEGV" in rep["crash.md"]["error"]
    assert rep["hang.md"]["status"] == "failed" and "timed out after 5 s" in rep["hang.md"]["error"]
    assert [n for n, f in rep.items() if f["status"] == "converted"] == [
        f"article-{n:03d}.md" for n in range(4)
    ]
    assert not any(p.stem in ("raise", "crash", "hang") for p in out.iterdir())
    failed_lines = res.stderr.strip().splitlines()[-3:]
    assert all(ln.startswith("  ") for ln in failed_lines)
    # the serial executor keeps the deadline too (the file is given up, the batch goes on)
    res = run(
        "convert",
        str(src / "hang.md"),
        str(src / "article-000.md"),
        "-o",
        str(tmp_path / "o2"),
        "--to",
        "md",
        "--executor",
        "serial",
        "--timeout",
        "2",
        env=plugin_env,
        timeout=120,
    )
    assert res.returncode == 1 and "timed out after 2 s" in res.stderr


# -- interruptions --------------------------------------------------------------------------
def _wait_for_outputs(out: Path, count: int, proc: subprocess.Popen, limit: float = 120) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if out.is_dir() and sum(1 for p in out.rglob("*.docx")) >= count:
            return
        if proc.poll() is not None:
            pytest.fail(f"galley ended before it could be interrupted: {proc.returncode}")
        time.sleep(0.02)
    pytest.fail("no outputs appeared")


def test_kill_9_mid_batch_then_rerun_gives_the_uninterrupted_outputs(tmp_path):
    src = tmp_path / "in"
    make_articles(src, 200)
    reference = tmp_path / "reference"
    res = run("convert", str(src), "-o", str(reference), "--to", "md,docx,epub", "-j", "2", "-q")
    assert res.returncode == 0, res.stderr
    expected = tree(reference)
    assert len(expected) == 600

    out = tmp_path / "out"
    proc = subprocess.Popen(
        [*GALLEY, "convert", str(src), "-o", str(out), "--to", "md,docx,epub", "-j", "2", "-q"],
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _wait_for_outputs(out, 40, proc)
    os.killpg(proc.pid, signal.SIGKILL)  # the parent and its workers, wherever they are
    proc.wait(30)
    partial = tree(out)
    assert 0 < len(partial) < 600
    for rel, blob in partial.items():  # every visible file is whole
        assert blob == expected[rel], rel

    res = run("convert", str(src), "-o", str(out), "--to", "md,docx,epub", "-j", "2")
    assert res.returncode == 0, res.stderr
    assert tree(out) == expected
    assert hidden_debris(out) == []
    summary = report(out)["summary"]
    assert summary["skipped"] > 0 and summary["converted"] + summary["skipped"] == 200
    res = run("convert", str(src), "-o", str(out), "--to", "md,docx,epub")
    assert "nothing to do" in res.stderr


def test_ctrl_c_stops_cleanly_and_the_next_run_finishes(tmp_path):
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
    proc.send_signal(signal.SIGINT)
    _stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr
    assert "interrupted" in stderr and "Traceback" not in stderr
    assert hidden_debris(out) == []
    assert report(out)["summary"]["interrupted"] is True  # what was done is reported
    res = run("convert", str(src), "-o", str(out), "--to", "md,docx,epub", "-j", "2")
    assert res.returncode == 0
    summary = report(out)["summary"]
    # what finished before Ctrl-C is not done again (10 outputs were there: 3+ whole files)
    assert summary["skipped"] > 0 and summary["converted"] + summary["skipped"] == 120
    assert len(tree(out)) == 360


def test_leftover_temporary_files_are_removed(tmp_path):
    src = tmp_path / "in"
    make_articles(src, 1, nested=False)
    out = tmp_path / "out"
    (out / "part0").mkdir(parents=True)
    (out / "part0" / ".article-000.md.0123abcd.galley-part").write_bytes(b"half a fi")
    res = run("convert", str(src), "-o", str(out), "--to", "md")
    assert res.returncode == 0
    assert hidden_debris(out) == [] and report(out)["summary"]["partial_files_removed"] == 1


def test_a_second_run_on_the_same_output_waits_its_turn(tmp_path):
    import fcntl

    src = tmp_path / "in"
    make_articles(src, 1, nested=False)
    out = tmp_path / "out"
    out.mkdir()
    held = os.open(out, os.O_RDONLY)  # a running galley holds the output folder itself
    try:
        fcntl.flock(held, fcntl.LOCK_EX)
        res = run("convert", str(src), "-o", str(out), "--to", "md")
    finally:
        os.close(held)
    assert res.returncode == 1 and "another galley convert" in res.stderr
    assert not (out / "article-000.md").exists()
    assert run("convert", str(src), "-o", str(out), "--to", "md").returncode == 0


def test_outputs_get_ordinary_permissions(tmp_path):
    src = tmp_path / "in"
    make_articles(src, 1, nested=False)
    out = tmp_path / "out"
    assert run("convert", str(src), "-o", str(out), "--to", "md").returncode == 0
    umask = os.umask(0)
    os.umask(umask)
    assert (out / "article-000.md").stat().st_mode & 0o777 == 0o666 & ~umask


def test_help_stays_light():
    code = (
        "import sys, pipeline.cli; heavy = [m for m in ('rich', 'mistune', 'sqlite3', 'docx', "
        "'pipeline.batch', 'pipeline.executors') if m in sys.modules]; print(heavy)"
    )
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert res.stdout.strip() == "[]", res.stderr
