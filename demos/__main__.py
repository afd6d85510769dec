"""Command line: ``python -m demos EXPERIMENT [options] [--json]``.

Every option is a field of the experiment's ``Config`` dataclass (``decorrelated_fraction`` becomes
``--decorrelated-fraction``; a tuple field takes comma-separated values), with the field's docstring
and its declared range as its help. The result prints as a
readable table, or as one JSON object with ``--json``. Bad input exits with status 2 and a one-line
message, never a traceback.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import typing
from collections.abc import Sequence
from typing import Any

from demos.core.config import field_docs, range_text
from demos.experiments import Experiment, registry


def build_parser(experiments: dict[str, Experiment]) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m demos",
        description="Run one of the book's experiments and print its figures.",
    )
    commands = parser.add_subparsers(dest="experiment", metavar="EXPERIMENT", required=True)
    for name, experiment in experiments.items():
        sub = commands.add_parser(name, help=experiment.summary, description=experiment.summary)
        docs = field_docs(experiment.config_cls)
        hints = typing.get_type_hints(experiment.config_cls)
        for field in dataclasses.fields(experiment.config_cls):
            default = field.default
            if default is dataclasses.MISSING and field.default_factory is not dataclasses.MISSING:
                default = field.default_factory()
            option = "--" + field.name.replace("_", "-")
            kind = hints.get(field.name, type(default))
            valid = range_text(experiment.config_cls, field.name)
            help_text = f"{docs[field.name]} ({valid + '; ' if valid else ''}default: {default})"
            if kind is bool:
                sub.add_argument(
                    option, action=argparse.BooleanOptionalAction, default=default, help=help_text
                )
            elif kind in (int, float, str):
                sub.add_argument(
                    option,
                    type=_number_parser(kind, field.name),
                    default=default,
                    metavar=field.name.upper(),
                    help=help_text,
                )
            elif typing.get_origin(kind) is tuple and typing.get_args(kind)[0] in (int, float):
                sub.add_argument(
                    option,
                    type=_list_parser(typing.get_args(kind)[0], field.name),
                    default=default,
                    metavar="A,B,...",
                    help=help_text,
                )
        sub.add_argument("--json", action="store_true", help="print one JSON object")
        sub.add_argument(
            "--progress", action="store_true", help="show a progress bar while training"
        )
    return parser


def _number_parser(kind: type, name: str):
    def parse(text: str):
        try:
            return kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"{name} must be {kind.__name__}, got {text!r}"
            ) from None

    return parse


def _list_parser(kind: type, name: str):
    def parse(text: str):
        try:
            return tuple(kind(item) for item in text.split(",") if item.strip())
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"{name} must be comma-separated {kind.__name__} values, got {text!r}"
            ) from None

    return parse


def format_table(name: str, summary: dict[str, Any]) -> str:
    """A two-column, human-readable rendering of a result summary."""
    rows = [(key, _format_value(value)) for key, value in summary.items()]
    width = max((len(key) for key, _ in rows), default=0)
    lines = [name, "-" * max(len(name), width + 12)]
    lines += [f"{key.ljust(width)}  {value}" for key, value in rows]
    return "\n".join(lines)


def _format_value(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_format_value(v)}" for k, v in value.items())
    return str(value)


def main(argv: Sequence[str] | None = None) -> int:
    experiments = registry()
    parser = build_parser(experiments)
    args = parser.parse_args(argv)
    experiment = experiments[args.experiment]
    values = {
        field.name: getattr(args, field.name)
        for field in dataclasses.fields(experiment.config_cls)
        if hasattr(args, field.name)
    }
    try:
        config = experiment.config_cls(**values)
        result = experiment.run(config, progress=args.progress)
    except ValueError as error:
        parser.exit(2, f"python -m demos {args.experiment}: error: {error}\n")
    summary = result.summary()
    if args.json:
        print(json.dumps(summary, sort_keys=False))
    else:
        print(format_table(args.experiment, summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
