"""The ``galley`` command: convert | clean | check | stages | writers.

Heavy modules (mistune, writers, rich) are imported inside the commands so that
``galley --help`` answers at once.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from . import __version__
from .errors import GalleyError

if TYPE_CHECKING:
    from .config import Config


def _fail(message: str) -> None:
    click.echo(message, err=True)


def _config_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    fn = click.option(
        "--config",
        "config_file",
        type=click.Path(dir_okay=False, path_type=Path),
        help="Read settings from this galley.toml or pyproject.toml.",
    )(fn)
    fn = click.option(
        "--disable", multiple=True, metavar="STAGE[,STAGE]", help="Skip these stages (see `galley stages`)."
    )(fn)
    fn = click.option(
        "--enable", multiple=True, metavar="STAGE[,STAGE]", help="Run these stages that are off by default."
    )(fn)
    fn = click.option(
        "--set",
        "settings",
        multiple=True,
        metavar="NAME.OPTION=VALUE",
        help="Set an option of a stage or writer, e.g. ui_chrome.promo=true.",
    )(fn)
    return fn


def _strict_option(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``--strict``: kept in the click context, read by ``build_config``."""

    def remember(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
        if value:
            ctx.meta["galley.strict"] = True

    return click.option(
        "--strict",
        is_flag=True,
        expose_value=False,
        callback=remember,
        help="A structure change no stage declared fails the file (nothing written for it).",
    )(fn)


def _split(values: tuple[str, ...]) -> list[str]:
    return [v.strip() for item in values for v in item.split(",") if v.strip()]


def build_config(
    config_file: Path | None,
    disable: tuple[str, ...],
    enable: tuple[str, ...],
    settings: tuple[str, ...],
    to: str | None = None,
) -> Config:
    from .config import load_config, parse_setting

    cfg = load_config(config_file)
    ctx = click.get_current_context(silent=True)
    if ctx is not None and ctx.meta.get("galley.strict"):
        cfg.strict = True
    cfg.disabled |= set(_split(disable))
    cfg.enabled |= set(_split(enable))
    if to:
        cfg.formats = _split((to,))
    writer_names = {f.partition(":")[0] for f in cfg.formats}
    if settings:
        from .writer import writer_entry_points

        writer_names |= set(writer_entry_points())
    for assignment in settings:
        name, option, value = parse_setting(assignment)
        if name in writer_names:
            cfg.writer_options.setdefault(name, {})[option] = value
        else:
            cfg.stage_options.setdefault(name, {})[option] = value
    return cfg


def _guard(fn: Callable[..., int | None]) -> Callable[..., None]:
    """Turn any error into one line on stderr and exit status 1."""

    def wrapper(*args: Any, **kwargs: Any) -> None:
        try:
            code = fn(*args, **kwargs)
        except GalleyError as exc:
            _fail(f"galley: {exc}")
            sys.exit(1)
        except KeyboardInterrupt as exc:
            _fail("galley: interrupted")
            sys.exit(getattr(exc, "exit_status", 130))  # 143 for SIGTERM
        except Exception as exc:  # never a traceback for the user
            if os.environ.get("GALLEY_DEBUG"):
                raise
            _fail(f"galley: internal error: {type(exc).__name__}: {exc}")
            sys.exit(2)
        sys.exit(code or 0)

    wrapper.__name__ = fn.__name__
    wrapper.__doc__ = fn.__doc__
    return wrapper


class _WithWriterFlags(click.Command):
    """A command with the flags the installed writers declare (``--page-size``…),
    read from the entry points when the command is used: ``galley --help`` and the
    other commands do not look for them, and no writer is imported."""

    #: parameter name -> (writer, option) it sets
    targets: dict[str, tuple[tuple[str, ...], str]] = {}
    _added = False

    def get_params(self, ctx: click.Context) -> list[click.Parameter]:
        if not self._added:
            self._added = True
            from .writer import command_options

            taken = {opt for p in self.params for opt in getattr(p, "opts", ())} | {"-h", "--help"}
            flags = []
            try:
                declared = command_options()
            except Exception as exc:  # a broken plug-in: one line, never a traceback
                _fail(
                    f"galley: {exc}"
                    if isinstance(exc, GalleyError)
                    else f"galley: the writers' command-line options cannot be read: "
                    f"{type(exc).__name__}: {exc}"
                )
                sys.exit(1)
            for writer, option in declared:
                if option.flag in taken:  # a second --force would shadow the first
                    _fail(
                        f"galley: writer {writer!r} declares {option.flag}, which is taken; "
                        f"ignored (--set {writer}.{option.option}=VALUE sets it)"
                    )
                    continue
                taken.add(option.flag)
                flags.append(self._flag(writer, option))
            at = next(
                (n + 1 for n, p in enumerate(self.params) if p.name == "max_input_size"), len(self.params)
            )
            self.params[at:at] = flags
        return super().get_params(ctx)

    @classmethod
    def _flag(cls, writer: str, option: Any) -> click.Option:
        name = "writer_" + "".join(ch if ch.isalnum() else "_" for ch in f"{writer}_{option.option}")
        cls.targets[name] = ((writer, *option.also), option.option)
        if option.is_flag:
            return click.Option([option.flag, name], is_flag=True, default=None, help=option.help)
        if option.choices:
            kind: Any = click.Choice(list(option.choices), case_sensitive=False)
        elif option.existing_file:
            kind = click.Path(exists=True, dir_okay=False, path_type=Path)
        else:
            kind = None
        callback = _absolute if option.existing_file else None
        return click.Option([option.flag, name], type=kind, default=None, help=option.help, callback=callback)


def _absolute(_ctx: click.Context, _param: click.Parameter, value: Path | None) -> str | None:
    return str(value.resolve()) if value is not None else None


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="galley")
def main() -> None:
    """Clean up scraped Markdown articles and write Markdown, EPUB, DOCX and more."""


@main.command(cls=_WithWriterFlags)
@click.argument("paths", nargs=-1, required=True, metavar="PATH|URL...")
@click.option(
    "-o",
    "--output",
    "outdir",
    default="out",
    show_default=True,
    metavar="DIR|URL",
    help="Folder for the outputs (the input folders' structure is mirrored), or an "
    "fsspec URL (s3://..., memory://...).",
)
@click.option(
    "--to",
    default=None,
    metavar="FORMATS",
    help="Comma-separated writers (see `galley writers`), e.g. md,epub,docx or pandoc:odt (default md).",
)
@click.option(
    "--report",
    "report_file",
    metavar="FILE",
    help="Where to write the JSON report  [default: OUT/report.json]",
)
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=1),
    default=None,
    help="Files converted at once  [default: the number of cores]",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=None,
    metavar="SECONDS",
    help="Give up on a file after this long (it is reported as failed).",
)
@click.option("--force", is_flag=True, help="Convert every file, whatever the manifest says.")
@click.option("-q", "--quiet", is_flag=True, help="No progress and no summary; only failures.")
@click.option(
    "--include",
    multiple=True,
    metavar="GLOB",
    help="Take only files matching (repeatable; default *.md *.markdown *.mdown "
    "*.mkd *.txt). A glob without '/' matches the file name; '**' spans folders.",
)
@click.option(
    "--exclude",
    multiple=True,
    metavar="GLOB",
    help="Leave out files or folders matching (repeatable), e.g. 'drafts' or '**/*.tmp.md'.",
)
@click.option(
    "--executor",
    type=click.Choice(["auto", "local", "serial", "dask"]),
    default="auto",
    show_default=True,
    help="auto: worker processes when they pay for their start, else "
    "this process; local: worker processes; serial: this process; "
    "dask: a Dask cluster (galleyproof[dask]).",
)
@click.option(
    "--scheduler",
    metavar="tcp://HOST:PORT",
    help="With --executor dask: a running scheduler (default: a LocalCluster).",
)
@click.option(
    "--manifest",
    "manifest_file",
    metavar="FILE",
    help="The incremental-run manifest  [default: OUT/.galley-manifest.sqlite]",
)
@click.option("--prune", is_flag=True, help="Remove the outputs (and manifest rows) of inputs that are gone.")
@click.option(
    "--follow-symlinks",
    is_flag=True,
    help="Follow links in the folders given also where they lead out of them.",
)
@click.option(
    "--max-input-size",
    metavar="SIZE",
    default="64M",
    show_default=True,
    help="Refuse an input larger than this (e.g. 500K, 64M, 1G).",
)
@click.option(
    "--fetch-images",
    is_flag=True,
    default=None,
    help="Download remote images into the image cache (off: they stay links/placeholders).",
)
@click.option(
    "--allow-private-hosts",
    is_flag=True,
    default=None,
    help="With --fetch-images: also fetch from loopback, private and link-local addresses.",
)
@click.option(
    "--image-cache",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder of the content-addressed image cache  [default: ~/.cache/galley/images]",
)
@_config_options
@_strict_option
@_guard
def convert(
    paths: tuple[str, ...],
    outdir: str,
    to: str | None,
    report_file: str | None,
    jobs: int | None,
    timeout: float | None,
    force: bool,
    quiet: bool,
    include: tuple[str, ...],
    exclude: tuple[str, ...],
    executor: str,
    scheduler: str | None,
    manifest_file: str | None,
    prune: bool,
    follow_symlinks: bool,
    max_input_size: str,
    fetch_images: bool | None,
    allow_private_hosts: bool | None,
    image_cache: Path | None,
    config_file: Path | None,
    disable: tuple[str, ...],
    enable: tuple[str, ...],
    settings: tuple[str, ...],
    **writer_flags: Any,
) -> int:
    """Convert files or folders of Markdown into OUTDIR, mirroring the folders.

    Incremental: files whose input, configuration, galley and writer versions and
    outputs are unchanged since the last run (OUT/.galley-manifest.sqlite) are
    skipped. Outputs are written atomically; OUT/report.json lists every file,
    also after Ctrl-C. Links that lead out of a folder given are not followed.
    Exit status 1 if any file failed."""
    from .batch import BatchOptions, parse_size, run_batch
    from .errors import ConfigError

    if scheduler and executor != "dask":
        raise ConfigError("--scheduler needs --executor dask")
    cfg = build_config(config_file, disable, enable, settings, to)
    for param, value in writer_flags.items():
        if value is not None:
            writers, option = _WithWriterFlags.targets[param]
            for writer in writers:
                cfg.writer_options.setdefault(writer, {})[option] = value
    images = {
        "fetch": fetch_images,
        "allow_private_hosts": allow_private_hosts,
        "cache_dir": str(image_cache.resolve()) if image_cache else None,
    }
    images = {k: v for k, v in images.items() if v is not None}
    if images:
        cfg.stage_options.setdefault("images", {}).update(images)
    options = BatchOptions(
        jobs=jobs,
        timeout=timeout,
        force=force,
        quiet=quiet,
        include=include,
        exclude=exclude,
        executor=executor,
        scheduler=scheduler,
        manifest=manifest_file,
        prune=prune,
        follow_symlinks=follow_symlinks,
        max_input=parse_size(max_input_size),
    )
    return run_batch(list(paths), outdir, cfg, report_file=report_file, options=options)


@main.command()
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--diff", is_flag=True, help="Print a unified diff instead of the clean text.")
@_config_options
@_strict_option
@_guard
def clean(
    path: Path,
    diff: bool,
    config_file: Path | None,
    disable: tuple[str, ...],
    enable: tuple[str, ...],
    settings: tuple[str, ...],
) -> int:
    """Print the clean Markdown of PATH ('-' reads standard input)."""
    from .errors import InputError
    from .runner import Pipeline
    from .writers.markdown import render_document

    cfg = build_config(config_file, disable, enable, settings)
    pipeline = Pipeline(cfg)
    raw = sys.stdin.buffer.read() if str(path) == "-" else None
    try:
        doc = pipeline.process(path, raw)
        pipeline.enforce(doc)
    except GalleyError as exc:
        raise InputError(f"{path}: {exc}") from None
    text = render_document(doc)
    if diff:
        import difflib

        before = doc.original.splitlines(keepends=True)
        after = text.splitlines(keepends=True)
        sys.stdout.writelines(difflib.unified_diff(before, after, f"{path}", f"{path} (clean)"))
    else:
        sys.stdout.write(text)
    for w in doc.warnings:
        _fail(f"{path}: warning: {w}")
    return 0


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@_config_options
@_guard
def check(
    paths: tuple[Path, ...],
    config_file: Path | None,
    disable: tuple[str, ...],
    enable: tuple[str, ...],
    settings: tuple[str, ...],
) -> int:
    """List the debris found in PATHS (stage/kind, line) and the structure changes
    no stage declared; change nothing.

    Exit status 1 if anything was found or a file could not be read."""
    from .batch import discover
    from .runner import Pipeline

    cfg = build_config(config_file, disable, enable, settings)
    pipeline = Pipeline(cfg)
    found = failed = 0
    for src, _rel in discover(list(paths)):
        try:
            doc = pipeline.process(src)
        except GalleyError as exc:
            _fail(f"{src}: {exc}")
            failed += 1
            continue
        for c in doc.changes:
            before = c.before.replace("\n", "\\n")
            if len(before) > 60:
                before = before[:57] + "..."
            line = c.line if c.line is not None else "-"
            click.echo(f"{src}:{line}: {c.stage}/{c.kind}: {before}")
        found += len(doc.changes) + len(doc.structure)
        for w in doc.warnings:
            click.echo(f"{src}: warning: {w}")
    return 1 if (found or failed) else 0


@main.command()
@_config_options
@_guard
def stages(
    config_file: Path | None, disable: tuple[str, ...], enable: tuple[str, ...], settings: tuple[str, ...]
) -> int:
    """List the stages in run order, with what each does."""
    from .runner import Pipeline

    cfg = build_config(config_file, disable, enable, settings)
    for row in Pipeline(cfg).describe():
        state = "on " if row["enabled"] else "off"
        click.echo(
            f"{row['priority']:>4}  {state}  {row['name']:<20} {row['scope']:<5}  {row['description']}"
        )
    return 0


@main.command()
@_guard
def writers() -> int:
    """List the installed writers and what they can take."""
    from .writer import available_writers

    for name, cls in sorted(available_writers().items()):
        caps = cls.capabilities
        notes = "remote images" if caps.remote_images else "embeds images" if caps.embeds_images else ""
        ext = f".{cls.extension}" if cls.extension else ""
        click.echo(f"{name:<8} {ext:<6} {cls.description()}" + (f"  [{notes}]" if notes else ""))
    return 0


if __name__ == "__main__":  # pragma: no cover
    main()
