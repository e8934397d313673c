"""The floors of the house point one way, and a command imports only what it uses.

- ``pipeline/`` (the core and its writers) never imports ``stages/``: stages are
  found through their entry points, like a third party's;
- a stage never imports another stage (shared helpers live in ``pipeline/``);
- ``galley --help``, ``galley stages`` and ``galley clean`` import no writer library
  (python-docx, lxml, Pillow, ebooklib), and a run imports only the writers it uses;
- a run imports what an input needs only when it needs it: YAML for front matter,
  Pillow for a picture, the HTML tokenizer for raw HTML; one file is converted in
  the ``galley`` process itself (no worker pool: no ``multiprocessing``);
- the flags a writer adds to ``galley convert`` come from the entry points, also for
  a writer installed from elsewhere.

Read from the source with ``ast``, and from ``sys.modules`` in real ``galley`` processes.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, SAMPLES

HEAVY = {"docx", "lxml", "PIL", "ebooklib"}
SAMPLE = SAMPLES / "claude-md-tips-obsidian-clip.md"


def imported_modules(path: Path, package: str | None = None) -> list[tuple[int, str]]:
    """(line, absolute module name) of every import in a source file, at any depth
    (inside functions too); relative imports made absolute (``package``: the file's
    package, by default read from its place in the repository)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    if package is None:
        package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                name = ".".join(base + ([node.module] if node.module else []))
            else:
                name = node.module or ""
            out.append((node.lineno, name))
            # ``from pkg import module`` imports pkg.module as well
            out.extend((node.lineno, f"{name}.{alias.name}") for alias in node.names)
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "attr", getattr(node.func, "id", "")) in ("import_module", "__import__")
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            out.append((node.lineno, node.args[0].value))
    return out


def sources(folder: str) -> list[Path]:
    return sorted((ROOT / folder).rglob("*.py"))


def test_the_import_reader_sees_every_kind_of_import(tmp_path):
    """The check below can fail: each way of importing is found."""
    probe = tmp_path / "probe.py"
    probe.write_text(
        "import stages.decode\nfrom stages import images\nfrom ...stages import x\n"
        "def f():\n    import importlib\n    importlib.import_module('stages.language')\n",
        encoding="utf-8",
    )
    found = {name for _line, name in imported_modules(probe, "pipeline.writers")}
    assert {"stages.decode", "stages", "stages.images", "stages.x", "stages.language"} <= found


def test_the_core_never_imports_a_stage():
    bad = [
        f"{path.relative_to(ROOT)}:{line}: {name}"
        for path in sources("pipeline")
        for line, name in imported_modules(path)
        if name == "stages" or name.startswith("stages.")
    ]
    assert bad == []


def test_a_stage_never_imports_another_stage():
    bad = [
        f"{path.relative_to(ROOT)}:{line}: {name}"
        for path in sources("stages")
        for line, name in imported_modules(path)
        if (name == "stages" or name.startswith("stages.")) and name != "stages.__init__"
    ]
    assert bad == []


# -- what a command imports -------------------------------------------------------------------
PROBE = """
import json, sys
sys.argv = ["galley", *sys.argv[1:]]
from pipeline.cli import main
try:
    main()
except SystemExit:
    pass
sys.stderr.write("\\nMODULES " + json.dumps(sorted(sys.modules)) + "\\n")
"""


def modules_after(*args: str, env: dict[str, str] | None = None) -> set[str]:
    """The modules a real ``galley ARGS`` process had imported when it ended."""
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *args],
        check=False,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=300,
    )
    line = [ln for ln in done.stderr.splitlines() if ln.startswith("MODULES ")]
    assert line, done.stderr
    return set(json.loads(line[-1][len("MODULES ") :]))


def tops(modules: set[str]) -> set[str]:
    return {m.split(".")[0] for m in modules}


def writer_modules(modules: set[str]) -> set[str]:
    """The writer modules among ``modules`` (a writer's light declaration of its
    command-line flags is not one)."""
    return {m for m in modules if m.startswith("pipeline.writers") and not m.endswith("_options")}


def test_the_probe_sees_a_writer_library_when_one_is_imported():
    """The checks below can fail: listing the writers imports the DOCX writer and lxml."""
    modules = modules_after("writers")
    assert "lxml" in tops(modules)
    assert "pipeline.writers.docx" in modules


@pytest.mark.parametrize("args", [["--help"], ["stages"], ["stages", "--disable", "ui_chrome"]])
def test_help_and_stages_import_no_writer(args):
    modules = modules_after(*args)
    assert tops(modules) & (HEAVY | ON_DEMAND) == set()
    assert {m for m in modules if m.startswith("pipeline.writers")} == set()


def test_clean_imports_the_markdown_writer_only():
    modules = modules_after("clean", str(SAMPLE))
    assert tops(modules) & HEAVY == set()
    assert writer_modules(modules) <= {
        "pipeline.writers",
        "pipeline.writers.markdown",
        "pipeline.writers.frontmatter",
        "pipeline.writers.common",
        "pipeline.writers.visitor",
        "pipeline.writers.present",
    }


def test_a_run_imports_the_writers_it_uses_and_no_other(tmp_path):
    modules = modules_after(
        "convert", str(SAMPLE), "-o", str(tmp_path / "out"), "--to", "md", "--executor", "serial", "-q"
    )
    assert (tmp_path / "out" / SAMPLE.with_suffix(".md").name).is_file()
    assert "pipeline.writers.markdown" in modules
    assert not any(
        m.split(".")[:3] in (["pipeline", "writers", "docx"], ["pipeline", "writers", "epub"])
        for m in modules
    )
    assert "docx" not in tops(modules) and "ebooklib" not in tops(modules)


ON_DEMAND = {"yaml", "PIL", "html5lib"}


def test_a_plain_article_imports_no_library_it_does_not_need(tmp_path):
    src = tmp_path / "plain.md"
    src.write_text("# A title\n\nOne paragraph: no front matter, no picture, no HTML.\n", encoding="utf-8")
    modules = modules_after("convert", str(src), "-o", str(tmp_path / "out"), "--to", "docx,epub", "-q")
    assert (tmp_path / "out" / "plain.docx").is_file() and (tmp_path / "out" / "plain.epub").is_file()
    assert tops(modules) & (ON_DEMAND | {"multiprocessing"}) == set()


def test_docx_of_a_plain_article_is_written_without_python_docx(tmp_path):
    """The DOCX writer builds its own package: python-docx only reads a reference document."""
    src = tmp_path / "plain.md"
    src.write_text(
        "# A title\n\nOne paragraph with a [link](https://example.com/) and a note[^1].\n\n"
        "- a list\n- of two\n\n[^1]: The note.\n",
        encoding="utf-8",
    )
    modules = modules_after("convert", str(src), "-o", str(tmp_path / "out"), "--to", "docx", "-q")
    assert (tmp_path / "out" / "plain.docx").is_file()
    assert "pipeline.writers.docx" in modules
    assert "docx" not in tops(modules)


def test_a_reference_document_brings_python_docx(tmp_path):
    """The check above can fail: a reference document is opened by python-docx."""
    import docx

    reference = tmp_path / "reference.docx"
    docx.Document().save(str(reference))
    src = tmp_path / "plain.md"
    src.write_text("# A title\n\nOne paragraph.\n", encoding="utf-8")
    modules = modules_after(
        "convert",
        str(src),
        "-o",
        str(tmp_path / "out"),
        "--to",
        "docx",
        "-q",
        "--set",
        f"docx.reference_docx={reference}",
    )
    assert (tmp_path / "out" / "plain.docx").is_file()
    assert "docx" in tops(modules)


def test_front_matter_a_picture_and_raw_html_bring_their_libraries(tmp_path):
    """The check above can fail: what an input needs is imported."""
    import base64
    import io

    from PIL import Image

    png = io.BytesIO()
    Image.new("RGB", (8, 6), (200, 30, 30)).save(png, "PNG")
    picture = base64.b64encode(png.getvalue()).decode("ascii")
    src = tmp_path / "rich.md"
    src.write_text(
        f"---\ntitle: Rich\nauthor: A. Writer\n---\n\nText.\n\n![a red box](data:image/png;base64,"
        f'{picture})\n\n<div onclick="go()">Raw HTML.</div>\n',
        encoding="utf-8",
    )
    modules = modules_after("convert", str(src), "-o", str(tmp_path / "out"), "--to", "docx", "-q")
    assert (tmp_path / "out" / "rich.docx").is_file()
    assert tops(modules) >= ON_DEMAND
    assert "multiprocessing" not in tops(modules)


def test_several_files_with_a_deadline_get_worker_processes(tmp_path):
    """Worker processes are still there where they pay: here, a deadline they can be
    stopped at (the in-process check above can fail)."""
    src = tmp_path / "in"
    src.mkdir()
    for n in range(2):
        (src / f"a{n}.md").write_text(f"# Article {n}\n\nText.\n", encoding="utf-8")
    modules = modules_after(
        "convert", str(src), "-o", str(tmp_path / "out"), "--to", "md", "-j", "2", "--timeout", "60", "-q"
    )
    assert (tmp_path / "out" / "a1.md").is_file()
    assert "multiprocessing" in tops(modules)


# -- a writer's flags come from the entry points ---------------------------------------------
PLAIN_WRITER = '''
from pipeline.writer import Writer

class PlainWriter(Writer):
    """Test writer: the title, and its option."""
    name = "plain"
    extension = "txt"
    defaults = {"banner": "none", "loud": False}

    def render(self, doc):
        text = f"{doc.meta.title} | banner={self.options['banner']} | loud={self.options['loud']}\\n"
        return text.encode("utf-8")
'''

PLAIN_FLAGS = """
from pipeline.writer import CommandOption

FLAGS = (CommandOption("--banner", "banner", "plain: the banner above the text.",
                       choices=("none", "stars")),
         CommandOption("--loud", "loud", "plain: shout.", is_flag=True),
         CommandOption("--force", "loud", "plain: a flag galley convert has already."))
"""


@pytest.fixture(scope="module")
def plain_writer_env(tmp_path_factory) -> dict[str, str]:
    """A writer ``plain`` with two flags, installed as a distribution on PYTHONPATH."""
    root = tmp_path_factory.mktemp("writer-plugin")
    (root / "galley_plain.py").write_text(PLAIN_WRITER, encoding="utf-8")
    (root / "galley_plain_flags.py").write_text(PLAIN_FLAGS, encoding="utf-8")
    info = root / "galley_plain-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: galley-plain\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(
        "[galley.writers]\nplain = galley_plain:PlainWriter\n\n"
        "[galley.writer_options]\nplain = galley_plain_flags:FLAGS\n"
    )
    return dict(os.environ, PYTHONPATH=str(root) + os.pathsep + os.environ.get("PYTHONPATH", ""))


def galley(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pipeline.cli", *args],
        check=False,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=300,
    )


def test_a_writer_installed_from_elsewhere_adds_its_flags(tmp_path, plain_writer_env):
    helped = galley("convert", "--help", env=plain_writer_env)
    assert helped.returncode == 0
    assert "--banner [none|stars]" in helped.stdout and "--loud" in helped.stdout
    assert "--page-size" in helped.stdout  # the built-in writers' flags are there as ever
    assert "writer 'plain' declares --force, which is taken; ignored" in helped.stderr
    assert "plain: a flag galley convert has already" not in helped.stdout
    out = tmp_path / "out"
    done = galley(
        "convert",
        str(SAMPLE),
        "-o",
        str(out),
        "--to",
        "plain,md",
        "--banner",
        "STARS",
        "--loud",
        "-q",
        env=plain_writer_env,
    )
    assert done.returncode == 0, done.stderr
    text = (out / SAMPLE.with_suffix(".txt").name).read_text(encoding="utf-8")
    assert text.endswith("| banner=stars | loud=True\n")
    bad = galley(
        "convert", str(SAMPLE), "-o", str(out), "--to", "plain", "--banner", "x", env=plain_writer_env
    )
    assert bad.returncode == 2 and "'x' is not one of 'none', 'stars'" in bad.stderr
    # without the plug-in, its flags are unknown
    assert "No such option '--banner'" in galley("convert", str(SAMPLE), "--banner", "stars").stderr


def test_set_routes_to_a_writer_installed_from_elsewhere(tmp_path, plain_writer_env):
    out = tmp_path / "out"
    done = galley(
        "convert",
        str(SAMPLE),
        "-o",
        str(out),
        "--to",
        "plain",
        "--set",
        "plain.banner=stars",
        "-q",
        env=plain_writer_env,
    )
    assert done.returncode == 0, done.stderr
    assert "banner=stars" in (out / SAMPLE.with_suffix(".txt").name).read_text(encoding="utf-8")
