"""Worlds: the environments of the book, their rewards (the base objectives) and their hidden
measures (where an agent settles, what it collects). Imports only ``demos.core``."""
