"""The book's colours: the Okabe-Ito palette and the role each colour plays.

The Okabe-Ito palette stays distinct under the common forms of colour blindness. Every figure
(:mod:`demos.figures.style`) and the Gymnasium environment's raster (:mod:`demos.worlds.env`) take
their colours from here, so the exit is the same green everywhere.
"""

from __future__ import annotations

OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}
"""The eight colours of the Okabe-Ito palette."""


COLORS = {
    "exit": OKABE_ITO["bluish_green"],
    "marker": OKABE_ITO["orange"],
    "proxy": OKABE_ITO["orange"],
    "agent": OKABE_ITO["blue"],
    "start": OKABE_ITO["blue"],
    "path": OKABE_ITO["sky_blue"],
    "wall": "#4A4A4A",
    "free": "#FFFFFF",
    "grid": "#C8C8C8",
    "neither": "#999999",
    "base_objective": OKABE_ITO["bluish_green"],
    "mesa_objective": OKABE_ITO["reddish_purple"],
    "behavioral_objective": OKABE_ITO["sky_blue"],
    "intended_goal": OKABE_ITO["black"],
    "planner": OKABE_ITO["blue"],
    "reactive": OKABE_ITO["vermillion"],
}
"""Named colours. The exit and the base objective share a colour, as do the marker and the proxy."""
