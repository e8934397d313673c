"""Errors that end as one line for the user, never as a traceback."""

from __future__ import annotations


class GalleyError(Exception):
    """Base of every error galley reports to the user as one line."""


class ConfigError(GalleyError):
    """Bad configuration: unknown stage, writer or option, bad value."""


class InputError(GalleyError):
    """An input file that cannot be read as an article (binary, undecodable...)."""


class StructureError(GalleyError):
    """In strict mode: the stages changed the document's structure without declaring it."""


class StageError(GalleyError):
    """A stage raised while processing a file."""

    def __init__(self, path: str, stage: str, cause: BaseException):
        self.path, self.stage, self.cause = path, stage, cause
        detail = str(cause).strip().splitlines()[0] if str(cause).strip() else type(cause).__name__
        super().__init__(f"stage {stage!r} failed: {type(cause).__name__}: {detail}")


class WriterError(GalleyError):
    """A writer raised while rendering a file."""

    def __init__(self, writer: str, cause: BaseException):
        self.writer, self.cause = writer, cause
        detail = str(cause).strip().splitlines()[0] if str(cause).strip() else type(cause).__name__
        super().__init__(f"writer {writer!r} failed: {type(cause).__name__}: {detail}")
