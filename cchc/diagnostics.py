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
    """A failure to report to the user as one line, with an exit code (1 refused, 2 usage)."""

    exit_code = 1

    def __init__(self, message: str, exit_code: int | None = None):
        super().__init__(message)
        if exit_code is not None:
            self.exit_code = exit_code


class PlanFileNotFound(CchcError):
    exit_code = 2


class PlanInvalid(CchcError):
    """The plan file has problems; `diagnostics` lists every one of them."""

    def __init__(self, diagnostics: list[Diagnostic]):
        self.diagnostics = diagnostics
        super().__init__("\n".join(str(d) for d in diagnostics))
