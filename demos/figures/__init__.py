"""Figures: the book's one look, the explorable mechanism, and one module of figures per chapter.
The top layer with ``demos.experiments`` beneath it: figures draw results, they never compute
them."""
