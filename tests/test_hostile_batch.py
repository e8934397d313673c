"""One batch over a folder nobody should trust: every hostile file answers, nothing leaks.

The folder is built here, from a table of cases (no large files committed). Each
case makes its file(s) under the input folder and says what must become of it:

- ``converted``: converted, no failure line;
- ``failed``: exactly one failure line naming it (matching ``line``), no output;
- ``not followed``: exactly one line naming it (a link out of the folder), no output;
- ``either``: converted, or failed with one line naming it (a repair that other
  stages may come to handle).

Over the whole batch: no traceback, no partial output or temporary file, no byte of
a file outside the input folder in any output (EPUB and DOCX read member by
member), and no network connection: every galley process (the command, the fork
server, each worker) runs with an audit hook that logs and refuses
``socket.connect`` and ``socket.getaddrinfo`` (``sitecustomize`` on PYTHONPATH).

Bombs (YAML aliases, a list 3,000 deep, 100 KB star and bracket runs), scripts
in raw HTML and an SVG with a script and an outside entity convert, and no active
content reaches any output. To add a case, add one line to ``CASES``.
"""

from __future__ import annotations

import os
import re
import subprocess
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from faultkit import output_bytes, temp_files, unprivileged
from test_batch import ARTICLE, GALLEY, PLUGIN, report

SECRET = b"OUTSIDE-SECRET-b41e"
Builder = Callable[[Path, Path, Path], None]  # (file to make, input folder, outside folder)


def text(body: str) -> Builder:
    def build(path: Path, src: Path, outside: Path) -> None:
        path.write_text(body, encoding="utf-8")

    return build


def raw(data: bytes) -> Builder:
    def build(path: Path, src: Path, outside: Path) -> None:
        path.write_bytes(data)

    return build


def link_to(target: str) -> Builder:
    """A symbolic link to ``target`` inside the outside folder."""

    def build(path: Path, src: Path, outside: Path) -> None:
        path.symlink_to(outside / target)

    return build


def fifo(path: Path, src: Path, outside: Path) -> None:
    os.mkfifo(path)


def unreadable(path: Path, src: Path, outside: Path) -> None:
    path.write_text("# Private\n\nNot for galley.\n")
    path.chmod(0)


def deleted_mid_batch(path: Path, src: Path, outside: Path) -> None:
    """A file that exists when the batch plans and is gone when its turn comes: the
    biggest input (converted first with -j 1) deletes it from a plugin stage."""
    path.write_text("# Doomed\n\nShort.\n")
    filler = "\n\n".join(f"Paragraph {n} of the file that deletes another one." for n in range(3000))
    (src / "deleter.md").write_text(f"# Deleter\n\nGALLEY-TEST-DELETE:{path}\n\n{filler}\n")


def alias_bomb() -> str:
    """Front matter whose aliases expand to 10**9 values (eight levels of ten)."""
    levels = ["a0: &a0 [" + ", ".join(["lol"] * 10) + "]"]
    for n in range(1, 9):
        levels.append(f"a{n}: &a{n} [" + ", ".join([f"*a{n - 1}"] * 10) + "]")
    return "---\ntitle: Bomb\n" + "\n".join(levels) + "\n---\n\nThe body survives.\n"


def deep_list(depth: int) -> str:
    """A list nested ``depth`` deep (markers on one line), then one indented 300 deep."""
    return (
        "- " * depth
        + "deepest\n\n"
        + "".join("  " * n + f"- item{n}\n" for n in range(300))
        + "\nAfter the lists.\n"
    )


def svg_with_script(path: Path, src: Path, outside: Path) -> None:
    """An article with a picture that runs a script and reads a file outside (XXE)."""
    (src / "pic.svg").write_text(
        '<?xml version="1.0"?>\n'
        f'<!DOCTYPE svg [<!ENTITY leak SYSTEM "file://{outside / "secret.md"}">]>\n'
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        'width="40" height="20" onload="alert(1)"><script>alert(2)</script>'
        '<image xlink:href="https://evil.example/x.png" width="4" height="4"/>'
        '<text x="2" y="15">&leak;</text><rect width="40" height="20" fill="#c33"/></svg>\n',
        encoding="utf-8",
    )
    path.write_text("# Picture\n\n![A red box](pic.svg)\n\nText.\n", encoding="utf-8")


SCRIPTS = (
    '# Scripts\n\n<script>alert("x")</script>\n\n<iframe src="https://evil.example/"></iframe>\n\n'
    '<img src="x.png" onerror="alert(1)"> and <a href="javascript:alert(1)">a link</a>\n\n'
    '<object data="evil.swf"><embed src="evil.swf"></object>\n\n[click](javascript:alert(1))\n'
)
#: what must not be in any output: the script payloads of the cases above
ACTIVE = (b"alert(", b"onerror", b"onload", b"<script", b"<iframe", b"javascript:", b"evil.example")


@dataclass
class Case:
    name: str
    build: Builder
    expect: str  # converted | failed | not followed | either
    line: str = ""  # regex the line about it must match
    needs: str = ""  # "unprivileged": only where chmod 000 keeps galley out


CASES = [
    Case("good.md", text(ARTICLE.format(title="Good", n=1)), "converted"),
    Case("binary.md", raw(bytes(range(256)) * 20), "failed", r"not a text file"),
    Case("png-named.md", raw(b"\x89PNG\r\n\x1a\n" + bytes(200)), "failed", r"not a text file"),
    Case("gbk.md", raw("# 标题\n\n这是用 GBK 编码保存的中文正文。\n".encode("gbk")), "converted"),
    Case(
        "bad-utf8.md",
        raw(b"# Bad bytes\n\n" + b"Ordinary text. " * 40 + b"\xff\xfe" + b" More." * 40),
        "converted",
    ),
    Case("latin1.md", raw("# Caf\u00e9\n\nD\u00e9j\u00e0 vu, na\u00efve.\n".encode("latin-1")), "either"),
    Case("utf16-no-bom.md", raw("# Title\n\nText.\n".encode("utf-16-le")), "either"),
    Case("nul-bytes.md", raw(b"# Nul\n\nText\x00with\x00NULs.\n"), "either"),
    Case("empty.md", raw(b""), "converted"),
    Case(
        "traversal.md",
        text(
            "# Paths\n\n![a](../../../../../../etc/passwd) ![b](/etc/passwd)\n\n"
            "![c](../outside/secret.md) ![d](file:///etc/passwd)\n\n"
            "![remote](https://example.com/pic.png)\n\nText.\n"
        ),
        "converted",
    ),
    Case("link-out.md", link_to("secret.md"), "not followed", r"a link to .*outside the input folder"),
    Case("linked-folder", link_to("dir"), "not followed", r"a link to .*outside the input folder"),
    Case("x.md", fifo, "failed", r"not a regular file \(a FIFO\)"),
    Case("alias-bomb.md", text(alias_bomb()), "converted"),
    Case("deep-list.md", text(deep_list(3000)), "converted"),
    Case("star-run.md", text("*a **a " * 14000 + "\n"), "converted"),
    Case("bracket-run.md", text("![[]()" * 8000 + "\n\n" + "![" * 25000 + "\n"), "converted"),
    Case("scripts.md", text(SCRIPTS), "converted"),
    Case("svg.md", svg_with_script, "converted"),
    Case("zz-deleted.md", deleted_mid_batch, "failed", r"cannot read: No such file or directory"),
    Case("unreadable.md", unreadable, "failed", r"cannot read: Permission denied", needs="unprivileged"),
]

PLUGINS = (
    PLUGIN
    + '''

class DeleteOnRequest(Stage):
    """Test plugin: delete the file named after GALLEY-TEST-DELETE: in the text."""
    name = "delete_on_request"
    priority = 251
    scope = "text"
    once = True

    def run(self, doc, ctx):
        for path in __import__("re").findall(r"GALLEY-TEST-DELETE:(\\S+)", doc.text):
            os.unlink(path)
'''
)

SITECUSTOMIZE = textwrap.dedent("""
    import os, sys
    _log = os.environ.get("GALLEY_TEST_NET_LOG")
    if _log:
        def _note(line):
            with open(_log, "a", encoding="utf-8") as fh:
                fh.write(f"{os.getpid()} {line}\\n")

        def _hook(event, args):
            # AF_UNIX connections (the fork server's) are not network
            if event == "socket.connect" and isinstance(args[1], tuple) or event == "socket.getaddrinfo":
                _note(f"{event} {args[1:]!r}")
                raise OSError(f"network refused by the test: {event}")

        sys.addaudithook(_hook)
        _note("started")
""")


@pytest.fixture()
def hostile_env(tmp_path: Path) -> tuple[dict[str, str], Path]:
    root = tmp_path / "plugins"
    root.mkdir()
    (root / "galley_hostile.py").write_text(PLUGINS, encoding="utf-8")
    (root / "sitecustomize.py").write_text(SITECUSTOMIZE, encoding="utf-8")
    info = root / "galley_hostile-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: galley-hostile\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(
        "[galley.stages]\nmisbehave = galley_hostile:Misbehave\n"
        "delete_on_request = galley_hostile:DeleteOnRequest\n"
    )
    log = tmp_path / "network.log"
    env = dict(os.environ, GALLEY_TEST_NET_LOG=str(log))
    env["PYTHONPATH"] = str(root) + os.pathsep + env.get("PYTHONPATH", "")
    return env, log


def test_a_hostile_folder_converts_in_one_batch(tmp_path, hostile_env):
    env, net_log = hostile_env
    try:
        prefix = unprivileged(tmp_path)
    except pytest.skip.Exception:
        prefix = None
    cases = [c for c in CASES if not (c.needs == "unprivileged" and prefix is None)]
    outside = tmp_path / "outside"
    (outside / "dir").mkdir(parents=True)
    (outside / "secret.md").write_bytes(b"# Secret\n\n" + SECRET + b"\n")
    (outside / "dir" / "inner.md").write_bytes(b"# Inner\n\n" + SECRET + b"\n")
    src = tmp_path / "in"
    src.mkdir()
    for case in cases:
        case.build(src / case.name, src, outside)
    sizes = {p.name: p.stat().st_size for p in src.iterdir() if p.is_file() and not p.is_symlink()}
    assert max(sizes, key=sizes.get) == "deleter.md"  # converted first with -j 1
    out = tmp_path / "out"
    try:
        res = subprocess.run(
            [
                *(prefix or []),
                *GALLEY,
                "convert",
                str(src),
                "-o",
                str(out),
                "--to",
                "md,docx,epub",
                "-j",
                "1",
                "--executor",
                "local",
            ],
            capture_output=True,
            text=True,
            env=env,
            timeout=600,
        )
    finally:
        for case in cases:
            if case.needs == "unprivileged":
                (src / case.name).chmod(0o644)
    assert "Traceback" not in res.stderr and "internal error" not in res.stderr, res.stderr
    assert res.returncode == 1, res.stderr
    rep = report(out)
    entries = {Path(f["source"]).name: f for f in rep["files"]}
    not_followed = {Path(n["source"]).name for n in rep["not_followed"]}
    lines = res.stderr.splitlines()
    for case in cases:
        about = [ln for ln in lines if f"{src / case.name}:" in ln]
        failed_lines = [ln for ln in about if ln.startswith("  ")]
        stem = Path(case.name).stem
        if case.expect == "either":
            assert entries[case.name]["status"] in ("converted", "failed"), case.name
            expect = entries[case.name]["status"]
        else:
            expect = case.expect
        if expect == "converted":
            assert entries[case.name]["status"] == "converted", (case.name, entries[case.name])
            assert failed_lines == [], case.name
            continue
        if expect == "failed":
            assert entries[case.name]["status"] == "failed", (case.name, entries[case.name])
            assert len(failed_lines) == 1, (case.name, about)
        else:
            assert case.name in not_followed and case.name not in entries, case.name
            assert len(about) == 1, (case.name, about)
        assert re.search(case.line, about[-1]), (case.name, about)
        assert not any(p.name.startswith(stem + ".") for p in out.rglob("*")), case.name
    assert temp_files(out) == []
    for rel, data in output_bytes(out).items():
        assert SECRET not in data, rel
        assert b"root:x:0:0" not in data, rel
        if not rel.endswith("report.json"):  # the report quotes what was removed
            assert not [a for a in ACTIVE if a in data.lower()], rel
    log = net_log.read_text().splitlines()
    assert len({ln.split()[0] for ln in log if ln.endswith(" started")}) >= 3  # command, fork server, worker
    assert [ln for ln in log if not ln.endswith(" started")] == []
