"""Stakemap's errors: one root, a subclass per kind of failure.

Every error carries a message a user can act on and, where it helps, a hint.
Problems found while validating input are collected as :class:`Problem` rows
(file, row, column, message) so all of them can be shown at once.
"""

from __future__ import annotations

from dataclasses import dataclass


class StakemapError(Exception):
    """Root of every error Stakemap raises on purpose."""

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message} (hint: {self.hint})"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one place in an input file."""

    file: str
    row: int | None
    column: str | None
    message: str
    hint: str | None = None

    @property
    def place(self) -> str:
        parts = [self.file]
        if self.row is not None:
            parts.append(str(self.row))
        if self.column:
            parts.append(self.column)
        return ":".join(parts)

    def __str__(self) -> str:
        text = f"{self.place}: {self.message}"
        return f"{text} (hint: {self.hint})" if self.hint else text

    def as_dict(self) -> dict:
        return {"file": self.file, "row": self.row, "column": self.column,
                "message": self.message, "hint": self.hint}


class InvalidRecordError(StakemapError, ValueError):
    """A record (actor, link, source) breaks a rule of the model."""


class InputError(StakemapError):
    """An input file cannot be read: missing, unknown format, unreadable."""


class ValidationFailed(StakemapError):
    """One or more rows of an input are invalid; ``problems`` lists them all."""

    def __init__(self, problems: list[Problem], *, hint: str | None = None) -> None:
        self.problems = list(problems)
        first = self.problems[0] if self.problems else None
        count = len(self.problems)
        head = str(first) if first else "invalid input"
        more = f" (and {count - 1} more problems)" if count > 1 else ""
        super().__init__(head + more, hint=hint)


class StoreError(StakemapError):
    """The store cannot be opened, read or written."""


class StoreChanged(StoreError):
    """Another writer changed the store after a write's input was computed; nothing was written."""


class NotFoundError(StakemapError, LookupError):
    """No actor matches a reference; ``suggestions`` holds close matches."""

    def __init__(self, message: str, *, suggestions: list[str] | None = None, hint: str | None = None):
        super().__init__(message, hint=hint)
        self.suggestions = suggestions or []


class AmbiguousError(StakemapError, LookupError):
    """More than one actor matches a reference; ``candidates`` lists them."""

    def __init__(self, message: str, *, candidates: list[str], hint: str | None = None):
        super().__init__(message, hint=hint)
        self.candidates = candidates


class ConfigError(StakemapError):
    """A setting, store URL or weights file is wrong."""
