"""The benchmark's writer replaces what it measured and keeps, dated, what it skipped."""

from __future__ import annotations

from demos import bench


def test_a_partial_run_keeps_the_sections_it_skipped_with_their_date(tmp_path):
    path = tmp_path / "BENCHMARKS.md"
    path.write_text(
        f"# Benchmarks\n\nintro\n\n{bench.BEGIN}\nMeasured on 2026-11-25 by an older run.\n\n"
        "### Experiments (default)\n\n| old experiments |\n\n### Notebooks (as in Jupyter)\n\n"
        f"| old notebooks |\n{bench.END}\n\nhand-written notes\n"
    )
    bench.write(
        path,
        f"{bench.BEGIN}\nMeasured on 2026-11-27 by a new run.\n\n### Notebooks (as in Jupyter)\n\n"
        f"| new notebooks |\n{bench.END}\n",
    )
    text = path.read_text()
    assert "| new notebooks |" in text and "| old notebooks |" not in text
    assert "_Kept from the run of 2026-11-25: this run skipped it._\n\n| old experiments |" in text
    assert text.startswith("# Benchmarks\n\nintro\n\n")
    assert text.endswith("\n\nhand-written notes\n")
    again = f"{bench.BEGIN}\nMeasured on 2026-11-28.\n\n### Notebooks (x)\n\n|n|\n{bench.END}\n"
    bench.write(path, again)
    assert path.read_text().count("_Kept from the run of 2026-11-25") == 1


def test_the_machine_speed_reference_is_measured_and_written():
    reference = bench.bench_reference(runs=1)
    assert set(reference) == {"figure", "train_step"}
    assert all(0 < value < 60_000 for value in reference.values())
    table = bench.to_markdown([], [], [], runs=1, reference=reference)
    assert "### Machine speed" in table
    assert f"| {reference['figure']:.0f} |" in table
