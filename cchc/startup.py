"""Start-up and exit of the console script: what a short command such as `cchc status` need not pay for.

`light_options()`: Typer 0.29 turns every option value into its Python value through a Pydantic
`TypeAdapter` built on first use (`typer._adapters`); building one imports Pydantic's schema
machinery and plugin loader, about a quarter of a warm `cchc status`. cchc's options are text,
whole numbers, flags, lists of text, and values with their own `parser=` (dates): those are
converted here exactly as the adapter converts them, and anything else (or a value of another
shape) still goes through Typer's own conversion, so values and usage errors stay Typer's. The
commands and their options are still defined once, with Typer; this only replaces a conversion.

`finish(code)`: a short command ends by flushing its output and leaving with `os._exit`, without
running the garbage collector and freeing every object of a plan that is about to vanish (on a
10,000-task plan that teardown takes a tenth of a second). Nothing is left to clean up by then:
files are closed and locks released by the commands themselves (`with`, `finally`).
"""

from __future__ import annotations

import os
import re
import sys
from typing import Any

_INT = re.compile(r"[+-]?[0-9]+")


def light_options() -> None:
    """Convert plain option values without Pydantic (see the module's docstring); idempotent."""
    try:
        from typer import _coercion, core
    except ImportError:
        return
    build = getattr(core, "build_runtime_param", None)
    base = getattr(_coercion, "RuntimeParam", None)
    if build is None or base is None or getattr(build, "cchc_light", False):
        return  # another Typer: its own conversion, only slower

    class Direct(base):
        """A RuntimeParam converting str/bool/int/list[str]/parser= values itself, else as Typer would."""

        def __init__(self, descriptor: Any, kind: str):
            super().__init__(parameter_info=descriptor.parameter_info, annotation=descriptor.annotation)
            object.__setattr__(self, "descriptor", descriptor)
            object.__setattr__(self, "kind", kind)
            object.__setattr__(self, "typers", None)

        def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
            if self.kind == "list" and isinstance(value, (list, tuple)) and all(type(v) is str for v in value):
                return list(value)
            if self.kind == "str" and type(value) is str or self.kind == "bool" and type(value) is bool:
                return value
            if self.kind == "int" and type(value) is str and _INT.fullmatch(value):
                return int(value)
            if self.kind == "parser" and type(value) is str:
                return self.parameter_info.parser(value)
            if self.typers is None:  # another shape of value: Typer's own conversion decides
                object.__setattr__(self, "typers", build(self.descriptor))
            return self.typers._coerce_value(value, param=param, ctx=ctx)

    def light(descriptor: Any) -> Any:
        kind = _kind(descriptor)
        return build(descriptor) if kind is None else Direct(descriptor, kind)

    light.cchc_light = True  # type: ignore[attr-defined]
    light.__wrapped__ = build  # type: ignore[attr-defined]
    core.build_runtime_param = light


def _kind(descriptor: Any) -> str | None:
    """How `Direct` converts a parameter's values, or None to leave it to Typer."""
    info = descriptor.parameter_info
    if descriptor.file_annotation is not None or descriptor.is_path or descriptor.choices is not None:
        return None
    if info.parser is not None:
        return "parser" if not descriptor.is_list and not descriptor.is_tuple else None
    constrained = info.min is not None or info.max is not None or info.clamp
    annotation = descriptor.annotation
    if annotation is str or annotation is bool:
        return annotation.__name__
    if annotation is int and not constrained:
        return "int"
    if descriptor.is_list and getattr(annotation, "__args__", None) == (str,):
        return "list"
    return None


def finish(code: int | None) -> None:
    """Flush standard output and error, then end the process at once with exit status `code`."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError, AttributeError):
            if stream is sys.stdout and code in (0, None):
                code = 1  # output that could not be written (a closed pipe) is a failure
    os._exit(0 if code is None else code)
