"""Agents: the learned algorithms the base optimizers shape (planners, a reactive network, a lookup
table, linear self-attention) and the hand-written ones they are compared with. Imports
``demos.worlds`` and ``demos.core``."""
