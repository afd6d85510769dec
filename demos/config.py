"""Read the documented fields of a configuration dataclass.

Configurations in ``demos`` are frozen dataclasses with a docstring under each field (cleanrl's
habit)::

    @dataclass(frozen=True)
    class ProxyShiftConfig:
        decorrelated_fraction: float = 0.05
        \"\"\"Share of training levels whose marker is not on the exit.\"\"\"

:func:`field_docs` recovers those docstrings so the command line can show them as ``--help``
text and the book can print a table of knobs, without writing any description twice.
"""

from __future__ import annotations

import ast
import dataclasses
import inspect
import textwrap
from functools import cache
from typing import Any


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


def describe(config: Any) -> list[tuple[str, Any, str]]:
    """Rows ``(field, value, meaning)`` for a configuration instance, in declaration order."""
    docs = field_docs(type(config))
    return [(f.name, getattr(config, f.name), docs[f.name]) for f in dataclasses.fields(config)]
