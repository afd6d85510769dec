"""Configuration dataclasses whose valid ranges are declared once and checked by one function.

Every experiment (and every model or world with several knobs) takes a frozen dataclass that
inherits from :class:`Config`. A field's valid values are declared once, in the field itself, with
:func:`ranged` (numbers, or tuples of numbers) or :func:`choice` (a fixed set of values); its
meaning is the docstring written under it (cleanrl's habit)::

    @dataclass(frozen=True)
    class ProxyShiftConfig(Config):
        decorrelated_fraction: float = ranged(0.05, 0.0, 1.0)
        \"\"\"Share of training levels whose marker is not on the exit.\"\"\"
        base_optimizer: str = choice("imitation", ("imitation", "reinforce", "evolution"))
        \"\"\"How the model is trained.\"\"\"
        seed: int = ranged(0, 0, MAX_SEED)
        \"\"\"Seed for levels, weights and sampling.\"\"\"

Constructing a config runs :meth:`Config.__post_init__`, which checks every declared field with
:mod:`demos.core.validation` (a ``ValueError`` naming the field, the value and the valid range)
and stores integral floats given for int fields as ints. Rules that tie several fields together
go in an optional ``validate(self)`` method of the subclass, which runs after the field checks.

:func:`field_docs` recovers the docstrings and :func:`range_text` the declared ranges, so the
command line shows both as ``--help`` and no range is written twice.
"""

from __future__ import annotations

import ast
import dataclasses
import inspect
import textwrap
import typing
from collections.abc import Iterable
from functools import cache
from typing import Any

from demos.core.validation import check_choice, check_float, check_int

MAX_SEED = 2**32 - 1
"""Largest seed numpy and torch both accept."""

_SPEC = "demos.valid"
"""Key of a field's metadata that holds its declared valid values."""


@dataclasses.dataclass(frozen=True)
class Valid:
    """The valid values of one configuration field (held in the field's metadata)."""

    low: float | None = None
    """Smallest valid value (None: unbounded below)."""
    high: float | None = None
    """Largest valid value (None: unbounded above)."""
    above: bool = False
    """True if ``low`` itself is not valid: the range is ``(low, high]``."""
    choices: tuple[Any, ...] | None = None
    """The only valid values, for fields that take one of a fixed set."""
    nonempty: bool = True
    """For tuple fields: at least one element is required."""
    increasing: bool = False
    """For tuple fields: the elements must be strictly increasing (so also distinct)."""

    def describe(self) -> str:
        """The range in words, e.g. "in [0, 1]", "in (0, 1]", ">= 1", "one of 'a', 'b'"."""
        if self.choices is not None:
            return "one of " + ", ".join(repr(option) for option in self.choices)
        if self.increasing:
            return "strictly increasing, each " + Valid(self.low, self.high, self.above).describe()
        if self.low is not None and self.high is not None:
            return f"in {'(' if self.above else '['}{self.low}, {self.high}]"
        if self.low is not None:
            return f"{'>' if self.above else '>='} {self.low}"
        if self.high is not None:
            return f"<= {self.high}"
        return ""


def ranged(
    default: Any,
    low: float | None = None,
    high: float | None = None,
    *,
    above: bool = False,
    increasing: bool = False,
):
    """A dataclass field holding a number (or a tuple of numbers) in ``[low, high]``.

    Args:
        default: the default value (an int, a float, or a tuple of them).
        low, high: the bounds, each optional.
        above: True makes ``low`` exclusive: the range is ``(low, high]``.
        increasing: for a tuple field, its elements must be strictly increasing.
    """
    spec = Valid(low=low, high=high, above=above, increasing=increasing)
    return dataclasses.field(default=default, metadata={_SPEC: spec})


def choice(default: Any, choices: Iterable[Any]):
    """A dataclass field that must hold one of ``choices`` (a tuple field: each element must)."""
    options = tuple(choices)
    if default not in options and not (
        isinstance(default, tuple) and all(item in options for item in default)
    ):
        raise ValueError(f"default must be one of {options!r}, got {default!r}")
    return dataclasses.field(default=default, metadata={_SPEC: Valid(choices=options)})


def valid_values(config_cls: type, name: str) -> Valid | None:
    """The declared :class:`Valid` of field ``name`` of ``config_cls`` (None if undeclared)."""
    for field in dataclasses.fields(config_cls):
        if field.name == name:
            return field.metadata.get(_SPEC)
    raise ValueError(f"name must be a field of {config_cls.__name__}, got {name!r}")


def range_text(config_cls: type, name: str) -> str:
    """The declared range of field ``name`` in words ('' if it declares none)."""
    spec = valid_values(config_cls, name)
    return spec.describe() if spec else ""


@dataclasses.dataclass(frozen=True)
class Config:
    """Base class of the book's configuration dataclasses: checks declared ranges on creation."""

    def __post_init__(self) -> None:
        hints = _type_hints(type(self))
        for field in dataclasses.fields(self):
            value = getattr(self, field.name)
            checked = check_field(field.name, value, hints.get(field.name), field.metadata)
            if checked is not value:
                object.__setattr__(self, field.name, checked)
        validate = getattr(self, "validate", None)
        if validate is not None:
            validate()

    def replace(self, **changes: Any):
        """A copy with ``changes`` applied and checked; unknown names raise ``ValueError``."""
        names = [field.name for field in dataclasses.fields(self)]
        for name in changes:
            check_choice(f"{type(self).__name__} field name", name, names)
        return dataclasses.replace(self, **changes)


def check_field(name: str, value: Any, kind: Any, metadata: Any = None) -> Any:
    """Check one field's value against its type and declared range; return it normalised.

    Args:
        name: the field's name, used in the error message.
        value: the value given.
        kind: the field's type hint (int, float, str, bool, tuple[int, ...], ...), or None.
        metadata: the field's metadata, which may hold a :class:`Valid` under the module's key.
    """
    spec: Valid | None = (metadata or {}).get(_SPEC)
    origin = typing.get_origin(kind)
    if origin is tuple:
        return _check_tuple(name, value, typing.get_args(kind), spec)
    if kind is bool:
        if not isinstance(value, bool):
            raise ValueError(f"{name} must be True or False, got {value!r}")
        return value
    if spec is not None and spec.choices is not None:
        return check_choice(name, value, spec.choices)
    if kind is int:
        return _check_number(name, value, int, spec)
    if kind is float:
        return _check_number(name, value, float, spec)
    return value


def _check_number(name: str, value: Any, kind: type, spec: Valid | None) -> Any:
    low = None if spec is None else spec.low
    high = None if spec is None else spec.high
    above = spec is not None and spec.above
    try:
        if kind is int:
            number = check_int(name, value, low, high)
        else:
            number = check_float(name, value, low, high)
    except ValueError:
        if not above:
            raise
        number = None
    if above and (number is None or number == low):
        raise ValueError(f"{name} must be a number {spec.describe()}, got {value!r}")
    return number


def _check_tuple(name: str, value: Any, args: tuple, spec: Valid | None) -> tuple:
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise ValueError(f"{name} must be a tuple of values, got {value!r}")
    items = tuple(value)
    if (spec is None or spec.nonempty) and not items:
        raise ValueError(f"{name} must hold at least one value, got {value!r}")
    item_kind = args[0] if args else None
    checked = tuple(
        check_field(f"{name}[{i}]", item, item_kind, {_SPEC: spec} if spec else None)
        for i, item in enumerate(items)
    )
    if (
        spec is not None
        and spec.increasing
        and any(b <= a for a, b in zip(checked, checked[1:], strict=False))
    ):
        raise ValueError(f"{name} must be strictly increasing, got {value!r}")
    return checked


@cache
def _type_hints(config_cls: type) -> dict[str, Any]:
    return typing.get_type_hints(config_cls)


@cache
def field_docs(config_cls: type) -> dict[str, str]:
    """Map each field name of ``config_cls`` to the docstring written under it ('' if none)."""
    docs = {field.name: "" for field in dataclasses.fields(config_cls)}
    for cls in reversed(config_cls.__mro__):
        if not dataclasses.is_dataclass(cls) or cls is object:
            continue
        try:
            source = textwrap.dedent(inspect.getsource(cls))
        except (OSError, TypeError):
            continue
        body = ast.parse(source).body[0].body
        for statement, following in zip(body, body[1:], strict=False):
            if (
                isinstance(statement, ast.AnnAssign)
                and isinstance(statement.target, ast.Name)
                and isinstance(following, ast.Expr)
                and isinstance(following.value, ast.Constant)
                and isinstance(following.value.value, str)
            ):
                docs[statement.target.id] = " ".join(following.value.value.split())
    return docs
