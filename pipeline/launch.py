"""The ``galley`` console command: the regular-expression cache around the CLI.

Kept apart from ``pipeline.cli`` so that the cached patterns are in place before
anything that compiles one (the parser, YAML, the stages) is imported, and so that
the cache is written once, by the command's own process, when it ends.
"""

from __future__ import annotations

import atexit


def main() -> None:
    from . import regexcache

    regexcache.load()
    atexit.register(regexcache.save)
    from .cli import main as cli

    cli()
