"""Writer ``pandoc:FORMAT``: any pandoc output format, fed with our clean Markdown."""

from __future__ import annotations

import os
import subprocess
import tempfile
from typing import Any

from ..document import Document
from ..errors import ConfigError
from ..writer import Capabilities, Writer
from .markdown import render_document

# pandoc's own extension for formats whose name is not one
EXTENSIONS = {
    "html": "html",
    "html5": "html",
    "odt": "odt",
    "latex": "tex",
    "rst": "rst",
    "plain": "txt",
    "gfm": "md",
    "commonmark": "md",
    "markdown": "md",
    "docx": "docx",
    "epub": "epub",
    "epub3": "epub",
    "mediawiki": "wiki",
    "asciidoc": "adoc",
    "typst": "typ",
    "org": "org",
    "rtf": "rtf",
    "pptx": "pptx",
    "icml": "icml",
    "jats": "xml",
    "docbook": "xml",
    "texinfo": "texi",
    "man": "1",
    "ms": "ms",
}
BINARY = {"odt", "docx", "epub", "epub2", "epub3", "pptx"}


class PandocWriter(Writer):
    """Any pandoc output format (pandoc:odt, pandoc:html...), from the clean Markdown."""

    name = "pandoc"
    extension = ""
    version = "1"
    capabilities = Capabilities(remote_images=True)
    defaults = {"args": []}
    variant: str  # a pandoc writer is always asked for a format (checked below)

    def __init__(self, variant: str | None = None, **options: Any):
        super().__init__(variant, **options)
        if not variant:
            raise ConfigError("writer 'pandoc' needs a format: pandoc:FORMAT (e.g. pandoc:odt)")

    @property
    def output_extension(self) -> str:
        base = self.variant.split("+")[0].split("-")[0]
        return EXTENSIONS.get(base, base)

    def render(self, doc: Document) -> bytes:
        import pypandoc

        pandoc = pypandoc.get_pandoc_path()
        source = render_document(doc).encode("utf-8")
        base = self.variant.split("+")[0].split("-")[0]
        args = [
            pandoc,
            "-f",
            "commonmark_x+yaml_metadata_block",
            "-t",
            self.variant,
            "--standalone",
            *map(str, self.options["args"]),
        ]
        if base in BINARY:
            with tempfile.TemporaryDirectory() as tmp:
                out = os.path.join(tmp, "out." + self.output_extension)
                self._run([*args, "-o", out], source)
                with open(out, "rb") as fh:
                    return fh.read()
        return self._run(args, source)

    @staticmethod
    def _run(args: list[str], source: bytes) -> bytes:
        proc = subprocess.run(args, input=source, capture_output=True, check=False)
        if proc.returncode != 0:
            msg = proc.stderr.decode("utf-8", "replace").strip().splitlines()
            raise RuntimeError(msg[-1] if msg else f"pandoc exited with {proc.returncode}")
        return proc.stdout
