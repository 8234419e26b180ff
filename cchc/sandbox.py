"""The Jinja sandbox report templates run in, with bounds on what a template can build or spend.

Jinja's own sandbox stops a template from reaching Python internals or changing the data; it
does not stop `center(10**9)`, a `%999999999s` format, `replace` or concatenation doubling a
string, nested `range` loops or huge powers from taking all the memory or time. Here:

- every string a template builds (filters, string methods, `~`, `+`, `*`, `%`) is at most
  `MAX_STRING` characters, and the size is checked *before* the operation where the operation
  itself could allocate gigabytes; lists at most `MAX_ITEMS`; integers at most `MAX_INT_BITS`;
- a render takes at most `MAX_STEPS` steps (a loop iteration, an attribute, a filter, a call or
  an operator each count one; a template has no other way to repeat work), within `MAX_SECONDS` of
  wall-clock time and `MAX_MEMORY` bytes of memory growth (POSIX), both checked every 16 steps;
- the rendered text is at most `MAX_OUTPUT` characters.

A template over a bound fails with `TemplateLimit`, a Jinja `SecurityError`, which the report
turns into one `TEMPLATE:LINE: …` message.
"""

from __future__ import annotations

import functools
import re
import sys
import time
from typing import Any

from jinja2 import StrictUndefined, nodes
from jinja2.compiler import CodeGenerator
from jinja2.runtime import LoopContext
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError

from .i18n import _

MAX_STRING = 2_000_000  # characters: every task title of a 2,000-task plan joined is some 400,000
MAX_ITEMS = 100_000
MAX_INT_BITS = 4096
MAX_STEPS = 1_000_000  # the built-in report on a 2,000-task plan takes some 50,000
MAX_SECONDS = 60.0
MAX_MEMORY = 150 * 1024 * 1024  # growth during the render, above the plan and the libraries
MAX_OUTPUT = 32_000_000  # characters of rendered XML

_FORMAT_WIDTH = re.compile(r"\d+")
_NESTED_FIELD = re.compile(r"\{[^{}]*\{")


class TemplateLimit(SecurityError):
    """A template went beyond one of the sandbox's bounds."""


def _too_long() -> TemplateLimit:
    return TemplateLimit(_("mẫu tạo ra chuỗi quá dài (hơn {n} ký tự)").format(n=MAX_STRING))


def _size(value: Any) -> int:
    return len(value) if isinstance(value, (str, list, tuple, dict)) else 0


def _check_result(value: Any) -> Any:
    if isinstance(value, str):
        if len(value) > MAX_STRING:
            raise _too_long()
    elif isinstance(value, (list, tuple)):
        if len(value) > MAX_ITEMS:
            raise TemplateLimit(_("mẫu tạo ra danh sách quá dài (hơn {n} phần tử)").format(n=MAX_ITEMS))
    elif isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > MAX_INT_BITS:
        raise TemplateLimit(_("mẫu tạo ra số quá lớn"))
    return value


def _widths_ok(fmt: Any, args: tuple) -> None:
    """A format string may not ask for a field wider than MAX_STRING (`%999999999s`, `{:>999999999}`).

    A width given as an argument (`%*s`, `{:{}}`) is refused when it is that large; other numbers
    (a budget of 1,500,000,000) are not widths and pass.
    """
    if not isinstance(fmt, str):
        return
    if any(len(n) > 7 and int(n) > MAX_STRING for n in _FORMAT_WIDTH.findall(fmt)):
        raise _too_long()
    if ("*" in fmt or _NESTED_FIELD.search(fmt)) and any(
            isinstance(a, int) and abs(a) > MAX_STRING for a in (*args, *(args[0].values() if args and isinstance(
                args[0], dict) else ()))):
        raise _too_long()


def _growth(name: str, value: Any, args: tuple, kwargs: dict) -> int:
    """An upper bound of the length of `value.name(*args)` for the string operations that grow."""
    if not isinstance(value, str):
        return 0
    n = len(value)
    if name in ("center", "ljust", "rjust", "zfill"):
        width = args[0] if args else kwargs.get("width", 0)
        return max(n, width) if isinstance(width, int) else n
    if name == "indent":
        width = args[0] if args else kwargs.get("width", 4)
        unit = len(width) if isinstance(width, str) else width if isinstance(width, int) else 4
        return n + unit * (value.count("\n") + 1)
    if name == "expandtabs":
        size = args[0] if args else kwargs.get("tabsize", 8)
        return n + (size if isinstance(size, int) else 8) * value.count("\t")
    if name == "replace":
        old, new = (list(args) + [kwargs.get("old"), kwargs.get("new")])[:2]
        if isinstance(old, str) and isinstance(new, str):
            times = (n + 1) if old == "" else value.count(old)
            count = args[2] if len(args) > 2 else kwargs.get("count", -1)
            if isinstance(count, int) and count >= 0:
                times = min(times, count)
            return n + times * max(0, len(new) - len(old))
    if name == "wordwrap":
        width = args[0] if args else kwargs.get("width", 79)
        wrap = args[2] if len(args) > 2 else kwargs.get("wrapstring", "\n")
        lines = n // max(1, width if isinstance(width, int) else 79) + value.count("\n") + 1
        return n + lines * (len(wrap) if isinstance(wrap, str) else 1)
    return n


def _before(name: str, value: Any, args: tuple, kwargs: dict) -> None:
    if _growth(name, value, args, kwargs) > MAX_STRING:
        raise _too_long()
    if name in ("format", "format_map"):
        _widths_ok(value, args)
    if name in ("batch", "slice") and args and isinstance(args[0], int) and args[0] > MAX_ITEMS:
        raise TemplateLimit(_("mẫu tạo ra danh sách quá dài (hơn {n} phần tử)").format(n=MAX_ITEMS))
    if name == "to_bytes" and args and isinstance(args[0], int) and args[0] > MAX_STRING:
        raise _too_long()


def _joined(items: Any, sep: Any) -> list:
    """The items of a `join`, taken one by one so that their total is known before joining."""
    out, total = [], 0
    for item in items:
        out.append(item)
        total += _size(item) + (len(sep) if isinstance(sep, str) else 0)
        if total > MAX_STRING or len(out) > MAX_ITEMS:
            raise _too_long()
    return out


def _bounded_filter(env: ReportEnvironment, name: str, func):
    @functools.wraps(func)  # keeps jinja's pass_context/pass_eval_context marks
    def bounded(*args, **kwargs):
        env.step()
        if name == "join":  # do_join(eval_ctx, value, d="", attribute=None)
            args = (args[0], _joined(args[1], args[2] if len(args) > 2 else kwargs.get("d", "")), *args[2:])
        # The value is the first argument after an optional context/environment Jinja passes.
        values = [a for a in args[:2] if isinstance(a, (str, list, tuple))]
        if values:
            rest = args[args.index(values[0]) + 1:]
            _before(name, values[0], rest, kwargs)
        return _check_result(func(*args, **kwargs))

    return bounded


class _BoundedCodeGenerator(CodeGenerator):
    """Compiles `a ~ b` so that its result is size-checked, and `for` loops so that they are counted."""

    def visit_Concat(self, node, frame) -> None:
        self.write("environment.bounded(")
        super().visit_Concat(node, frame)
        self.write(")")

    def visit_For(self, node, frame) -> None:
        # `for x in ITER` becomes `for x in environment.counted(ITER)`; a recursive loop's
        # `loop(children)` is counted in ReportEnvironment.call.
        node.iter = nodes.Call(nodes.EnvironmentAttribute("counted"), [node.iter], [], None, None,
                               lineno=node.iter.lineno)
        super().visit_For(node, frame)


class ReportEnvironment(ImmutableSandboxedEnvironment):
    """The report's sandbox: Jinja's immutable sandbox with the bounds of this module."""

    code_generator_class = _BoundedCodeGenerator
    intercepted_binops = frozenset({"*", "**", "+", "%"})

    def __init__(self) -> None:
        super().__init__(undefined=StrictUndefined, autoescape=True)
        self.filters = {name: _bounded_filter(self, name, f) for name, f in self.filters.items()}
        self.globals["lipsum"] = self._lipsum
        self.deadline: float | None = None
        self.steps = 0
        self.next_check = 16
        self.memory_start: int | None = None

    @staticmethod
    def bounded(value: Any) -> Any:
        return _check_result(value)

    def step(self, weight: int = 1) -> None:
        """`weight` units of a template's work; the clock and the memory are looked at every 16.

        A step may build a string of up to MAX_STRING characters, so the memory is looked at often
        enough that 16 of them cannot overshoot the bound by much (a microsecond each time).
        """
        self.steps += weight
        if self.steps < self.next_check:
            return
        self.next_check = self.steps + 16
        if self.steps > MAX_STEPS:
            raise TemplateLimit(_("mẫu chạy quá nhiều vòng lặp (hơn {n} bước)").format(n=MAX_STEPS))
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise TemplateLimit(_("mẫu chạy quá {n} giây").format(n=int(MAX_SECONDS)))
        peak = _peak_memory()
        if self.memory_start is not None and peak is not None and peak - self.memory_start > MAX_MEMORY:
            raise TemplateLimit(_("mẫu dùng quá {n} MB bộ nhớ").format(n=MAX_MEMORY >> 20))

    def counted(self, iterable, weight: int = 1):
        """The items of a loop, each one `weight` steps."""
        step = self.step
        for item in iterable:
            step(weight)
            yield item

    def _lipsum(self, n: int = 5, html: bool = True, min: int = 20, max: int = 100) -> str:  # noqa: A002
        from jinja2.utils import generate_lorem_ipsum

        if not all(isinstance(v, int) for v in (n, min, max)) or n * max > MAX_STRING // 10:
            raise _too_long()
        return generate_lorem_ipsum(n, html, min, max)

    def getattr(self, obj: Any, attribute: str) -> Any:
        self.step()
        return super().getattr(obj, attribute)

    def call_binop(self, context, operator: str, left: Any, right: Any) -> Any:
        self.step()
        if operator == "*":
            for seq, n in ((left, right), (right, left)):
                if isinstance(seq, (str, list, tuple)) and isinstance(n, int) and \
                        len(seq) * n > (MAX_STRING if isinstance(seq, str) else MAX_ITEMS):
                    raise _too_long()
            if isinstance(left, int) and isinstance(right, int) and \
                    left.bit_length() + right.bit_length() > MAX_INT_BITS:
                raise TemplateLimit(_("mẫu tạo ra số quá lớn"))
        elif operator == "**":
            if isinstance(left, int) and isinstance(right, int) and abs(right) > 1 and \
                    max(1, abs(left).bit_length()) * abs(right) > MAX_INT_BITS:
                raise TemplateLimit(_("mẫu tạo ra số quá lớn"))
        elif operator == "+":
            if _size(left) + _size(right) > (MAX_STRING if isinstance(left, str) else MAX_ITEMS):
                raise _too_long()
        elif operator == "%" and isinstance(left, str):
            _widths_ok(left, right if isinstance(right, tuple) else (right,))
        return _check_result(super().call_binop(context, operator, left, right))

    def call(__self, __context, __obj, *args: Any, **kwargs: Any) -> Any:  # noqa: N805 - Jinja's signature
        __self.step()
        if isinstance(__obj, LoopContext) and args:  # loop(children) in a recursive loop
            # An item of a recursive loop costs Jinja several times a plain one (a LoopContext each).
            args = (__self.counted(args[0], weight=4), *args[1:])
        name = getattr(__obj, "__name__", "")
        # str.format reaches here wrapped by Jinja's sandbox (wrap_str_format); its string is the
        # wrapped method's owner.
        owner = getattr(__obj, "__self__", None) or getattr(getattr(__obj, "__wrapped__", None), "__self__", None)
        if isinstance(owner, str) and name == "join" and args:
            args = (_joined(args[0], owner), *args[1:])
        if owner is not None:
            _before(name, owner, args, kwargs)
        return _check_result(super().call(__context, __obj, *args, **kwargs))

    def concat(self, pieces) -> str:  # type: ignore[override]
        """Render a template (Jinja's `Template.render` joins its output here), within the bounds."""
        if self.deadline is None:  # the first part of the document starts the clock for all of them
            self.deadline = time.monotonic() + MAX_SECONDS
            self.memory_start = _peak_memory()
        out: list[str] = []
        total = 0
        for piece in pieces:
            total += len(piece)
            if total > MAX_OUTPUT:
                raise TemplateLimit(_("mẫu tạo ra văn bản quá dài (hơn {n} ký tự)").format(n=MAX_OUTPUT))
            out.append(piece)
        return "".join(out)


def _peak_memory() -> int | None:
    """The process's peak resident memory in bytes (POSIX), None where it cannot be read."""
    try:
        import resource
    except ImportError:
        return None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024
