"""demos: the experiments behind the executable book on *Risks from Learned Optimization*.

Every chapter of the book imports this package; nothing in ``notebooks/`` trains a model in its
own code. The command line ``python -m demos EXPERIMENT`` runs the same entry points.

Modules (one job each):

- ``validation``   clear ``ValueError`` messages for bad parameters
- ``runtime``      seeding and torch thread settings shared by every experiment
- ``config``       reading the documented fields of a configuration dataclass
- ``explorable``   the book's one interactive-figure mechanism (live and kernel-free)
- ``mazes``        levels with an exit (base objective) and a marker (proxy), the BFS expert
- ``env``          the same world as a Gymnasium ``Env``
- ``planners``     the learned planner: reward head (mesa-objective), value iteration, VIN
- ``reactive``     a CNN policy with no planning loop
- ``rollouts``     running a per-cell policy in a batch of levels
- ``base_optimizers``  imitation (Adam), REINFORCE and an evolution strategy
- ``incontext``    linear self-attention that learns one step of gradient descent
- ``keys_chests``  a world where a proxy (keys) is pursued as an instrument
- ``metrics``      settle rates, success, optimality gap, reward-map peaks and correlations
- ``plots``        one drawing style for mazes, reward maps and curves
- ``descent``      gradient descent on a one-dimensional loss (the first figure)
- ``experiments``  named experiments: a ``Config`` dataclass in, a ``Result`` dataclass out
- ``bench``        ``python -m demos.bench``: times and target figures for BENCHMARKS.md
"""

__version__ = "0.1.0"
