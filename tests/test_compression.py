"""Description length: bits of an answer table against a planner (unit and seeded claim tests)."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from demos.__main__ import main
from demos.analysis import compression as c
from demos.experiments.description_length import DescriptionLengthConfig, run_description_length
from demos.worlds.mazes import LevelConfig, generate_levels, parse_level

MAZE = """
S..#.
.#...
.#.#.
...#E
##...
"""


def test_uncompressed_table_is_log2_5_bits_per_free_cell():
    level = parse_level(MAZE)
    free = sum(row.count(".") + row.count("S") + row.count("E") for row in MAZE.split())
    assert free == 18
    assert c.table_bits(level, [1], "uncompressed")[0] == pytest.approx(free * math.log2(5))
    assert [len(a) for a in c.answers(level)] == [free]


def test_lzma_finds_repetition_that_log2_5_bits_per_answer_cannot():
    repeated = parse_level(MAZE)
    copies = repeated.subset(np.zeros(64, dtype=int))  # the same maze 64 times
    uncompressed = c.table_bits(copies, [1, 64], "uncompressed")
    packed = c.table_bits(copies, [1, 64], "lzma")
    assert uncompressed[1] == pytest.approx(64 * uncompressed[0])
    assert packed[1] < 4 * packed[0]  # 64 identical answer lists cost little more than one
    noise = np.random.default_rng(0).integers(0, 256, 4000, dtype=np.uint8).tobytes()
    assert c.compressed_bits(noise) >= 8 * 4000  # random bytes do not compress


def test_table_bits_grow_with_the_number_of_distinct_mazes():
    levels = generate_levels(LevelConfig(size=7), 64, np.random.default_rng(1))
    for method in c.METHODS:
        bits = c.table_bits(levels, [4, 16, 64], method)
        assert np.all(np.diff(bits) > 0)
        assert bits[2] > 8 * bits[0]  # distinct mazes barely share structure


def test_program_source_has_the_search_loop_and_no_docstrings():
    source = c.program_source()
    assert "for _ in range(steps)" in source
    assert "Run value iteration on a reward map" not in source
    assert 0 < c.program_bits() < 8 * len(source.encode())


def test_crossover_interpolates_between_counts():
    assert c.crossover([1, 2, 4], [10, 20, 40], 30) == pytest.approx(3.0)
    assert c.crossover([1, 2, 4], [10, 20, 40], 5) == 1.0
    assert math.isnan(c.crossover([1, 2, 4], [10, 20, 40], 50))


def test_answer_table_solves_exactly_the_mazes_it_stored():
    config = DescriptionLengthConfig(
        mazes=64, planner_train_levels=16, train_steps=40, fresh_mazes=64, seed=3
    )
    result = run_description_length(config)
    assert result.table_success_stored == 1.0
    assert result.table_success_fresh == 0.0
    table = c.AnswerTable(result.levels.subset(slice(0, 10)))
    assert table.knows(result.levels).sum() == 10


def test_claim_search_compresses_and_crosses_sooner_in_bigger_mazes():
    """The paper's claim (2.1): with enough distinct mazes the searcher is the shorter policy.

    Seeded, small scale: the table's bits grow about linearly with the number of mazes, the
    planner's stay fixed, the two cross within a few hundred 7x7 mazes and sooner in 11x11 ones,
    and only the planner solves new mazes.
    """
    small = run_description_length(
        DescriptionLengthConfig(size=7, mazes=256, train_steps=40, fresh_mazes=100, seed=0)
    )
    large = run_description_length(
        DescriptionLengthConfig(size=11, mazes=256, train_steps=40, fresh_mazes=100, seed=0)
    )
    for result in (small, large):
        assert result.table_bits_lzma[-1] > result.planner_bits > result.table_bits_lzma[0]
        assert result.planner_fresh_success > 0.9
        assert result.table_success_fresh == 0.0
    assert 8 < small.crossover_lzma < 256
    assert large.crossover_lzma < small.crossover_lzma
    assert small.planner_bits == large.planner_bits  # the searcher does not grow with the mazes


def test_bad_input_names_the_parameter():
    with pytest.raises(ValueError, match="method"):
        c.table_bits(parse_level(MAZE), [1], "gzip")
    with pytest.raises(ValueError, match="counts"):
        c.table_bits(parse_level(MAZE), [2], "lzma")
    with pytest.raises(ValueError, match="mazes"):
        DescriptionLengthConfig(mazes=1)


def test_command_line_prints_json(capsys):
    assert main(["description-length", "--mazes", "16", "--train-steps", "5", "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["table_success_stored"] == 1.0
