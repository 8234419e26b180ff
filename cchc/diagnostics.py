"""Diagnostics: every problem cchc reports has the same shape, `FILE:LINE:COL: message`."""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Diagnostic:
    file: str
    line: int  # 1-based; 0 when the problem concerns the whole file
    column: int  # 1-based
    message: str
    code: str = "invalid"
    severity: str = "error"  # "error" | "warning"

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}" if self.line else self.file
        return f"{where}: {self.message}"

    def as_dict(self) -> dict:
        return asdict(self)


class CchcError(Exception):
    """A failure to report to the user as one line: a refused change or an unanswerable question.

    The library raises one of these types and never chooses an exit code; the command line maps
    each type to one (`cmdoptions.exit_code_for`): refusals and findings 1, usage and paths 2.
    """


class Refused(CchcError):
    """The plan cannot take this change or answer this question (an unknown id, a done task…)."""


class UsageError(CchcError):
    """The command line asks for something malformed: a bad date, period, choice or combination."""


class NotFound(CchcError):
    """A file, folder, git revision or tool the user named does not exist or cannot be read."""


class PlanFileNotFound(NotFound):
    """The plan file itself is missing or unreadable."""


class PlanInvalid(CchcError):
    """The plan file has problems; `diagnostics` lists every one of them."""

    def __init__(self, diagnostics: list[Diagnostic]):
        self.diagnostics = diagnostics
        super().__init__("\n".join(str(d) for d in diagnostics))
