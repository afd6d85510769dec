"""Benchmark: ``python -m demos.bench [--runs N] [--write BENCHMARKS.md]``.

Measures what the book promises its readers, on the machine it runs on:

1. **Experiments.** Each registered experiment with its default configuration, run ``--runs``
   times: the median wall time of the whole run, and the median of every ``*_seconds`` figure the
   experiment reports about itself (e.g. the training time of one model).
2. **Notebooks.** Each chapter notebook executed top to bottom as a reader in Jupyter would run it
   (live explorables, nothing pre-rendered): the median execution time, and the median live-update
   latency of every explorable the notebook displays.
3. **Pages.** For each built chapter page in ``_build/html``: the bytes of the HTML plus every local
   script, stylesheet and image it references (fonts fetched later by MathJax are not counted).
4. **Resources per reader.** Each chapter notebook executed in a fresh process under
   ``/usr/bin/time -v``: the peak resident memory of the largest process (the kernel) and the
   CPU seconds of the execution, median of ``--runs``; what a JupyterHub needs per student.
5. **Target figures across seeds.** The figures each experiment promises (see the issues), for
   seeds 0 to ``--seeds - 1``, with the settings of :data:`TARGET_RUNS`: so the claims in the
   book can be checked against every seed, not one lucky one.

6. **Machine speed.** Two fixed workloads that do not depend on the book's code (a two-panel
   matplotlib figure drawn and encoded as a PNG; a small convolutional network's training step in
   torch), so figures measured on different days can be read against how fast the machine was.

Timings on a shared machine are noisy: every figure is a median of several runs, and torch runs
with the thread count the experiments use (:data:`demos.core.runtime.DEFAULT_THREADS`).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import statistics
import tempfile
import time
from dataclasses import replace
from datetime import date
from pathlib import Path

import torch

from demos.core import runtime
from demos.experiments import registry
from demos.figures.explorable import LATENCY_LOG_ENV, STATIC_ENV

ROOT = Path(__file__).resolve().parents[1]

BEGIN, END = "<!-- bench:begin -->", "<!-- bench:end -->"

TARGET_RUNS: tuple[tuple[str, dict], ...] = (
    ("proxy-shift", {"decorrelated_fraction": 0.0}),
    ("proxy-shift", {"decorrelated_fraction": 0.02}),
    ("proxy-shift", {"decorrelated_fraction": 0.05}),
    ("planner-vs-reactive", {}),
    ("vin-kernel", {}),
    ("incontext-gd", {}),
    ("keys-chests", {}),
    ("absent-minded", {}),
    ("trigger-survival", {"optimizer": "sgd"}),
    ("trigger-survival", {"optimizer": "adam"}),
    ("meta-learning", {}),
    ("one-cell-edits", {}),
    ("verification", {}),
    (
        "learned-planner",
        {
            "test_levels": 500,
            "large_test_levels": 250,
            "large_iterations": (8, 16, 32, 64, 100, 200, 400),
        },
    ),
    ("learned-proxy-shift", {"decorrelated_fraction": 0.0, "test_levels": 1000}),
    ("learned-proxy-shift", {"decorrelated_fraction": 0.02, "test_levels": 1000}),
    ("learned-proxy-shift", {"decorrelated_fraction": 0.05, "test_levels": 1000}),
    ("learned-frontier", {"forming": False}),
    ("learned-objective", {}),
)
"""Experiment runs whose figures are tabulated per seed: (name, settings that differ from the
defaults). Runs of experiments that are not registered are skipped."""


def bench_experiments(runs: int, only: list[str] | None = None) -> list[dict]:
    rows = []
    for name, experiment in registry().items():
        if only and name not in only:
            continue
        walls, reported = [], {}
        for run in range(runs):
            config = experiment.config_cls()
            if run == 0:
                experiment.run(replace(config), progress=False)  # warm-up: imports, allocators
            began = time.perf_counter()
            summary = experiment.run(config, progress=False).summary()
            walls.append(time.perf_counter() - began)
            for key, value in summary.items():
                if key.endswith("_seconds"):
                    reported.setdefault(key, []).append(value)
        rows.append(
            {
                "experiment": name,
                "median_seconds": statistics.median(walls),
                "reported": {key: statistics.median(values) for key, values in reported.items()},
            }
        )
        print(f"  {name}: {rows[-1]['median_seconds']:.2f} s", flush=True)
    return rows


def bench_targets(seeds: int, only: list[str] | None = None) -> list[dict]:
    """Every figure of every run in :data:`TARGET_RUNS`, for seeds 0 .. seeds - 1."""
    experiments = registry()
    rows = []
    for name, settings in TARGET_RUNS:
        if name not in experiments or (only and name not in only):
            continue
        experiment = experiments[name]
        per_seed = []
        for seed in range(seeds):
            config = experiment.config_cls(**settings, seed=seed)
            per_seed.append(_flatten(experiment.run(config, progress=False).summary()))
        rows.append({"experiment": name, "settings": settings, "per_seed": per_seed})
        shown = ", ".join(f"{k}={v}" for k, v in settings.items())
        print(f"  {name} {shown}: {seeds} seeds", flush=True)
    return rows


def _flatten(summary: dict, prefix: str = "") -> dict:
    flat = {}
    for key, value in summary.items():
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def bench_notebooks(runs: int, only: list[str] | None = None) -> list[dict]:
    import nbformat
    from nbclient import NotebookClient

    rows = []
    for notebook in sorted((ROOT / "notebooks").glob("*.ipynb")):
        if only and notebook.stem not in only:
            continue
        timings, latencies = [], []
        for _ in range(runs):
            with tempfile.NamedTemporaryFile("r", suffix=".jsonl") as log:
                os.environ[LATENCY_LOG_ENV] = log.name
                os.environ.pop(STATIC_ENV, None)
                document = nbformat.read(notebook, as_version=4)
                client = NotebookClient(
                    document, timeout=600, kernel_name="python3",
                    resources={"metadata": {"path": str(notebook.parent)}},
                )  # fmt: skip
                began = time.perf_counter()
                client.execute()
                elapsed = time.perf_counter() - began
                records = [json.loads(line) for line in log]
                # a reader's run does not measure latencies: take the measuring out of the time
                timings.append(elapsed - sum(r["measuring_seconds"] for r in records))
                latencies.append([r["median_seconds"] for r in records])
                os.environ.pop(LATENCY_LOG_ENV, None)
        per_widget = [statistics.median(values) for values in zip(*latencies, strict=True)]
        rows.append(
            {
                "notebook": notebook.name,
                "median_seconds": statistics.median(timings),
                "widget_latency_seconds": per_widget,
            }
        )
        print(f"  {notebook.name}: {rows[-1]['median_seconds']:.1f} s", flush=True)
    return rows


_EXECUTE = """
import sys
import nbformat
from nbclient import NotebookClient
path = sys.argv[1]
document = nbformat.read(path, as_version=4)
NotebookClient(document, timeout=600, kernel_name="python3",
               resources={"metadata": {"path": str(__import__("pathlib").Path(path).parent)}}
               ).execute()
"""


def bench_resources(runs: int, only: list[str] | None = None) -> list[dict]:
    """Peak memory (MB) and CPU seconds of executing each chapter notebook in a fresh process.

    ``/usr/bin/time -v`` reports the largest resident set among the process and the children it
    waited for (the kernel), and their user plus system CPU time.
    """
    import subprocess
    import sys

    timer = Path("/usr/bin/time")
    if not timer.exists():
        print("  /usr/bin/time not found: resources not measured", flush=True)
        return []
    rows = []
    for notebook in sorted((ROOT / "notebooks").glob("*.ipynb")):
        if only and notebook.stem not in only:
            continue
        peaks, cpu = [], []
        for _ in range(runs):
            env = {k: v for k, v in os.environ.items() if k not in (STATIC_ENV, LATENCY_LOG_ENV)}
            done = subprocess.run(
                [str(timer), "-v", sys.executable, "-c", _EXECUTE, str(notebook)],
                capture_output=True, text=True, env=env, check=True,
            )  # fmt: skip
            report = dict(
                line.strip().rsplit(": ", 1) for line in done.stderr.splitlines() if ": " in line
            )
            peaks.append(int(report["Maximum resident set size (kbytes)"]) / 1024)
            cpu.append(
                float(report["User time (seconds)"]) + float(report["System time (seconds)"])
            )
        rows.append(
            {
                "notebook": notebook.name,
                "peak_mb": statistics.median(peaks),
                "cpu_seconds": statistics.median(cpu),
            }
        )
        print(f"  {notebook.name}: {rows[-1]['peak_mb']:.0f} MB, {rows[-1]['cpu_seconds']:.1f} s")
    return rows


def page_weights(site: Path = ROOT / "_build" / "html") -> list[dict]:
    rows = []
    for page in sorted((site / "notebooks").glob("*.html")):
        text = page.read_text(encoding="utf-8")
        assets = set(re.findall(r'(?:src|href)="([^"#?]+\.(?:js|css|png|svg|jpg|woff2?))"', text))
        total = len(text.encode())
        for asset in assets:
            path = (page.parent / asset).resolve()
            if path.is_file():
                total += path.stat().st_size
        rows.append({"page": f"notebooks/{page.name}", "bytes": total, "html_bytes": len(text)})
    return rows


def bench_reference(runs: int) -> dict[str, float]:
    """Median milliseconds of two fixed workloads, independent of the book's code, that stand for
    what the budgets measure: a live update (drawing a two-panel figure and encoding it as a PNG)
    and training (one Adam step of a small convolutional network on a fixed batch). Each is
    repeated ``5 * runs`` times after one warm-up."""
    import io

    import numpy as np
    from matplotlib.figure import Figure

    curve = np.linspace(0.0, 1.0, 50)
    heat = np.arange(225.0).reshape(15, 15)

    def draw() -> None:
        figure = Figure(figsize=(8.0, 3.6), dpi=80)
        left, right = figure.subplots(1, 2)
        left.plot(curve, curve**2, label="a curve")
        left.set_title("A curve")
        left.set_xlabel("x")
        left.legend()
        right.imshow(heat)
        right.set_title("A heatmap")
        figure.savefig(io.BytesIO(), format="png")

    generator = torch.Generator().manual_seed(0)
    network = torch.nn.Sequential(
        torch.nn.Conv2d(3, 16, 3, padding=1), torch.nn.ReLU(), torch.nn.Conv2d(16, 5, 3, padding=1)
    )
    optimizer = torch.optim.Adam(network.parameters(), lr=1e-3)
    inputs = torch.rand(64, 3, 15, 15, generator=generator)
    targets = torch.randint(0, 5, (64, 15, 15), generator=generator)

    def train_step() -> None:
        optimizer.zero_grad()
        loss = torch.nn.functional.cross_entropy(network(inputs), targets)
        loss.backward()
        optimizer.step()

    figures = {}
    for name, workload in (("figure", draw), ("train_step", train_step)):
        workload()
        timings = []
        for _ in range(5 * runs):
            began = time.perf_counter()
            workload()
            timings.append(time.perf_counter() - began)
        figures[name] = 1000 * statistics.median(timings)
    return figures


def machine() -> str:
    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"{model}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"torch {torch.__version__} with {runtime.DEFAULT_THREADS} thread(s)"
    )


def to_markdown(
    experiments,
    notebooks,
    pages,
    runs: int,
    targets=(),
    seeds: int = 0,
    resources=(),
    reference=None,
) -> str:
    lines = [
        BEGIN,
        f"Measured on {date.today().isoformat()} by `python -m demos.bench --runs {runs}` on: "
        f"{machine()}. Each figure is the median of {runs} runs.",
        "",
    ]
    if reference:
        lines += [
            "### Machine speed (fixed workloads, independent of the book's code)",
            "",
            "| workload | median (ms) |",
            "|---|---:|",
            f"| a two-panel matplotlib figure drawn and encoded as a PNG | "
            f"{reference['figure']:.0f} |",
            f"| one Adam step of a small CNN (64 x 3 x 15 x 15 batch) | "
            f"{reference['train_step']:.1f} |",
            "",
        ]
    if experiments:
        lines += [
            "### Experiments (default configuration)",
            "",
            "| experiment | whole run (s) | figures it reports (s) |",
            "|---|---:|---|",
        ]
        for row in experiments:
            reported = ", ".join(f"{k} {v:.2f}" for k, v in row["reported"].items())
            lines.append(f"| `{row['experiment']}` | {row['median_seconds']:.2f} | {reported} |")
        lines.append("")
    if notebooks:
        lines += [
            "### Notebooks (executed as in Jupyter; budget 60 s, widget update 150 ms)",
            "",
            "| notebook | execution (s) | live update per explorable (ms) |",
            "|---|---:|---|",
        ]
        for row in notebooks:
            widgets = ", ".join(f"{1000 * v:.0f}" for v in row["widget_latency_seconds"]) or "none"
            lines.append(f"| `{row['notebook']}` | {row['median_seconds']:.1f} | {widgets} |")
        lines.append("")
    if resources:
        lines += [
            "### Resources per reader (a chapter executed in a fresh process, `/usr/bin/time -v`)",
            "",
            "| notebook | peak memory (MB) | CPU time (s) |",
            "|---|---:|---:|",
        ]
        for row in resources:
            lines.append(
                f"| `{row['notebook']}` | {row['peak_mb']:.0f} | {row['cpu_seconds']:.1f} |"
            )
        lines.append("")
    if pages:
        lines += [
            "### Built pages (HTML plus the local scripts, styles and images it loads;"
            " budget 4 MB)",
            "",
            "| page | total (MB) | HTML alone (MB) |",
            "|---|---:|---:|",
        ]
        for row in pages:
            lines.append(
                f"| `{row['page']}` | {row['bytes'] / 1e6:.2f} | {row['html_bytes'] / 1e6:.2f} |"
            )
        lines.append("")
    if targets:
        lines += [
            f"### Target figures for seeds 0 to {seeds - 1}"
            f" (`python -m demos.bench --seeds {seeds}`)",
            "",
        ]
        for row in targets:
            shown = ", ".join(f"`{k}={v}`" for k, v in row["settings"].items()) or "defaults"
            lines += [
                f"`{row['experiment']}` ({shown})",
                "",
                "| figure | " + " | ".join(f"seed {i}" for i in range(seeds)) + " |",
                "|---|" + "---:|" * seeds,
            ]
            for key in row["per_seed"][0]:
                values = [_format_figure(figures.get(key)) for figures in row["per_seed"]]
                lines.append(f"| {key} | " + " | ".join(values) + " |")
            lines.append("")
    lines.append(END)
    return "\n".join(lines)


def _format_figure(value) -> str:
    if isinstance(value, float):
        return f"{value:.3g}"
    return str(value)


def _sections(block: str) -> dict[str, str]:
    """The ``### `` sections of a generated block, by the heading's first word."""
    parts = block.split("\n### ")[1:]
    return {part.split(None, 1)[0]: "### " + part.rstrip() for part in parts}


def write(path: Path, table: str) -> None:
    """Replace the generated block of ``path`` (between the bench markers), keeping the rest.

    A section this run skipped (``--skip``) keeps its previous figures, marked with the date of
    the run that measured them, so a partial run never erases what it did not measure."""
    text = path.read_text() if path.exists() else "# Benchmarks\n\n" + BEGIN + "\n" + END + "\n"
    if BEGIN not in text:
        text = text.rstrip() + "\n\n" + BEGIN + "\n" + END + "\n"
    head, rest = text.split(BEGIN, 1)
    old_block, tail = rest.split(END, 1)
    old, new = _sections(old_block.replace(END, "")), _sections(table.replace(END, ""))
    dated = re.search(r"Measured on (\d{4}-\d\d-\d\d)", old_block)
    kept = [
        section if "_Kept from" in section else section.replace(
            "\n\n", f"\n\n_Kept from the run of {dated.group(1) if dated else 'an earlier day'}: "
            "this run skipped it._\n\n", 1)
        for name, section in old.items()
        if name not in new
    ]  # fmt: skip
    body = table.replace(END, "").rstrip()
    if kept:
        body += "\n\n" + "\n\n".join(kept)
    path.write_text(head + body + "\n" + END + tail)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m demos.bench", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--runs", type=int, default=3, help="runs per measurement (median)")
    parser.add_argument("--only", nargs="*", help="experiment names or notebook stems to measure")
    parser.add_argument(
        "--skip",
        nargs="*",
        default=[],
        choices=["reference", "experiments", "notebooks", "resources", "pages", "targets"],
    )
    parser.add_argument("--seeds", type=int, default=5, help="seeds for the target figures")
    parser.add_argument("--write", type=Path, help="update this markdown file's generated block")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.exit(2, f"python -m demos.bench: error: --runs must be >= 1, got {args.runs}\n")
    if args.seeds < 1:
        parser.exit(2, f"python -m demos.bench: error: --seeds must be >= 1, got {args.seeds}\n")
    runtime.seeded(0)  # sets the thread count the experiments use
    print("machine speed:")
    reference = None if "reference" in args.skip else bench_reference(args.runs)
    experiments = [] if "experiments" in args.skip else bench_experiments(args.runs, args.only)
    print("notebooks:")
    notebooks = [] if "notebooks" in args.skip else bench_notebooks(args.runs, args.only)
    print("resources:")
    resources = [] if "resources" in args.skip else bench_resources(args.runs, args.only)
    pages = [] if "pages" in args.skip else page_weights()
    print("target figures:")
    targets = [] if "targets" in args.skip else bench_targets(args.seeds, args.only)
    table = to_markdown(
        experiments, notebooks, pages, args.runs, targets, args.seeds, resources, reference
    )
    print(table)
    if args.write:
        write(args.write, table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
