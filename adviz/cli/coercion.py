"""Reading option values (str, float, int, bool, Path, lists of those) without Pydantic.

Recent Typer versions check every option value with a Pydantic ``TypeAdapter``. Importing
Pydantic costs more than importing NumPy, which would make ``adviz trace`` slow to start, and
adviz's options are all plain types. So, before parsing, each plain parameter of the command
line gets a small converter of its own: ``float("3")``, ``Path("out.svg")``, and so on.

Only public names are used: a parameter of :mod:`typer.core` (``TyperOption``,
``TyperArgument``) asks its ``get_runtime_param()`` for an object with a
``coerce(value, param, ctx)`` method, and reads its ``type_descriptor``; we give it one.
A Typer version that works differently (no ``get_runtime_param``) is left exactly as it is:
the options still work, only start-up is slower.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, List, Union, get_args, get_origin

import typer

__all__ = ["PlainValue", "install_plain_coercion"]

PLAIN_TYPES: dict = {str: str, float: float, int: int, bool: bool, Path: Path}


class PlainValue:
    """Converts one parameter's command-line text with a plain function (``float``, ``Path``…)."""

    __slots__ = ("convert", "many")

    def __init__(self, convert: Callable[[str], Any], many: bool) -> None:
        self.convert = convert
        self.many = many

    def __call__(self) -> "PlainValue":           # stands in for ``param.get_runtime_param()``
        return self

    def coerce(self, value: Any, param: Any, ctx: Any) -> Any:
        """``None`` stays missing (``()`` for a repeatable option); text is converted."""
        many = self.many or getattr(param, "multiple", False) or getattr(param, "nargs", 1) == -1
        if value is None:
            return () if many else None
        try:
            if many:
                if isinstance(value, str):
                    raise typer.BadParameter("Value must be an iterable.", ctx=ctx, param=param)
                return [self.convert(v) for v in value]
            return self.convert(value)
        except (TypeError, ValueError, OverflowError):
            label = getattr(self.convert, "__name__", "value")
            raise typer.BadParameter(f"{value!r} is not a valid {label}", ctx=ctx, param=param) from None


def _plain_converter(annotation: Any) -> tuple[Callable[[str], Any] | None, bool]:
    """``float`` → (float, False); ``Optional[List[str]]`` → (str, True); others → (None, …)."""
    many = False
    if get_origin(annotation) is Union:                           # Optional[X]
        args = [a for a in get_args(annotation) if a is not type(None)]
        annotation = args[0] if len(args) == 1 else annotation
    if get_origin(annotation) in (list, List) and len(get_args(annotation)) == 1:   # List[X]
        annotation, many = get_args(annotation)[0], True
    return PLAIN_TYPES.get(annotation) if isinstance(annotation, type) else None, many


def install_plain_coercion(group: Any) -> None:
    """Give every plain-typed parameter of ``group`` and its commands a :class:`PlainValue`."""
    commands = [group, *getattr(group, "commands", {}).values()]
    for command in commands:
        params = list(getattr(command, "params", ()))
        try:   # the --help option is made on first use and then cached: make it now
            help_ctx = typer.Context(command, help_option_names=["-h", "--help"])
            params.append(command.get_help_option(help_ctx))
        except Exception:  # noqa: BLE001 - an optimisation only
            pass
        for param in params:
            descriptor = getattr(param, "type_descriptor", None)
            if descriptor is None or not callable(getattr(param, "get_runtime_param", None)):
                continue
            if getattr(descriptor.parameter_info, "parser", None) is not None:
                continue                                          # a custom parser: Typer's way
            convert, many = _plain_converter(descriptor.annotation)
            if convert is not None:
                param.get_runtime_param = PlainValue(convert, many)
