"""galley from Python: clean a text, convert a file.

    from pipeline import clean, convert

    text = clean(open("article.md", encoding="utf-8").read())
    outputs = convert("article.md", to=["md", "docx"], out_dir="out")   # {"article.md": b"...", ...}

Both take the same settings as the command line, as arguments: ``disable`` and
``enable`` (stage names) and ``options``, a table of options by stage or writer
name (``{"ui_chrome": {"promo": True}, "docx": {"page_size": "letter"}}``). A
configuration file is not looked for. A bad input or setting raises
``pipeline.errors.GalleyError`` (its message is one line); the change records,
warnings and report of a file are on the ``Document`` that
``pipeline.runner.Pipeline.process`` returns.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any


def clean(
    text: str,
    *,
    name: str = "article.md",
    disable: Iterable[str] = (),
    enable: Iterable[str] = (),
    options: dict[str, dict[str, Any]] | None = None,
) -> str:
    """The clean Markdown of ``text``, as ``galley clean`` prints it.

    ``name`` is the file name the text stands for (a missing title falls back to it).
    The text has no folder: a local picture it names is not read.
    """
    from .runner import Pipeline
    from .writers.markdown import render_document

    pipeline = Pipeline(_config(["md"], disable, enable, options))
    doc = pipeline.process(Path(os.devnull) / Path(name).name, text.encode("utf-8"))
    return render_document(doc)


def convert(
    path: str | os.PathLike[str],
    to: str | Iterable[str] = "md",
    *,
    out_dir: str | os.PathLike[str] | None = None,
    disable: Iterable[str] = (),
    enable: Iterable[str] = (),
    options: dict[str, dict[str, Any]] | None = None,
) -> dict[str, bytes]:
    """Convert one file with the writers ``to`` (``"docx"``, ``"md,epub"``,
    ``["md", "pandoc:odt"]``): the outputs, by name (``article.docx``, and files such as
    ``article_assets/img-….png`` that an output links to).

    With ``out_dir``, they are also written there (each atomically, all of them or none).
    """
    from .rendering import render
    from .runner import Pipeline
    from .writer import make_writer

    formats = [f.strip() for f in to.split(",") if f.strip()] if isinstance(to, str) else list(to)
    cfg = _config(formats, disable, enable, options)
    pipeline = Pipeline(cfg)
    writers = [make_writer(f, cfg.writer_options.get(f.partition(":")[0], {})) for f in formats]
    source = Path(path)
    rendered = render(pipeline, writers, source, source.stem)
    outputs = dict(sorted(rendered.outputs.items()))
    if out_dir is not None:
        from .storage import open_storage

        Path(out_dir).mkdir(parents=True, exist_ok=True)
        open_storage(Path(out_dir)).write_all(outputs)
    return outputs


def _config(
    formats: list[str],
    disable: Iterable[str],
    enable: Iterable[str],
    options: dict[str, dict[str, Any]] | None,
) -> Any:
    """A Config from the arguments; ``options`` go to the writer or the stage they name."""
    from .config import Config
    from .writer import writer_entry_points

    writers = set(writer_entry_points())
    cfg = Config(formats=formats, disabled=set(disable), enabled=set(enable))
    for name, values in (options or {}).items():
        target = cfg.writer_options if name in writers else cfg.stage_options
        target[name] = dict(values)
    return cfg
