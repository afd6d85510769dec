"""demos: the experiments behind the executable book on *Risks from Learned Optimization*.

Every chapter of the book imports this package; nothing in ``notebooks/`` trains a model in its
own code. The command line ``python -m demos EXPERIMENT`` runs the same entry points.

Modules (one job each):

- ``validation``   clear ``ValueError`` messages for bad parameters
- ``runtime``      seeding and torch thread settings shared by every experiment
- ``config``       reading the documented fields of a configuration dataclass
- ``explorable``   the book's one interactive-figure mechanism (live and kernel-free)
- ``experiments``  named experiments: a ``Config`` dataclass in, a ``Result`` dataclass out
"""

__version__ = "0.1.0"
