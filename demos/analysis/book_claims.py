"""The claims the book tested, one record each, and the paper's three possibilities.

Used by chapter 6 (the paper's section 6). Chapters 1 to 5 each frame their experiments as a claim
(*the paper says*), a run (*we run*), a measured result (*we see*) and a verdict on the toy (*where
the toy breaks*). :data:`CLAIMS` gathers them: for every claim its chapter, the section label that
chapter gives it, the experiment command that reproduces it, the glued figures that report its
result (read by myst-nb from the chapter's own executed notebook, so no number is copied), and
whether its outcome was *found* by the run or *built in* by the setup, as the chapter's own
"where the toy breaks" says.

:data:`POSSIBILITIES` holds the three possibilities with which the paper's conclusion ends, and
:func:`bearing` says which of the book's claims bear on each (our reading, not the paper's).
:func:`claims_table_markdown` writes the claims as the Markdown table chapter 6 shows.
"""

from __future__ import annotations

from dataclasses import dataclass

from demos.core.validation import check_choice

ORIGINS = ("found", "built in", "both")
"""Whether a claim's outcome was found by running, follows from the setup, or partly each."""

CHAPTERS = {
    "01_introduction": "Ch. 1",
    "02_conditions": "Ch. 2",
    "03_inner_alignment": "Ch. 3",
    "04_deceptive_alignment": "Ch. 4",
    "05_related_work": "Ch. 5",
}
"""The chapter notebooks whose claims are gathered, with their short names."""


@dataclass(frozen=True)
class Figure:
    """One number of a claim's result, glued in its chapter."""

    label: str
    """What the number is, in a few words (prose: it must type no numbers)."""
    key: str
    """The glue key in the chapter's notebook."""
    spec: str = "s"
    """A format spec for the glued value, e.g. ".0%" ("s": as glued). Never empty: myst-nb reads
    the text after the last colon of a cross-document glue role as its format spec."""
    after: str = ""
    """Words after the value (prose: no numbers), e.g. "decorrelated levels"."""


@dataclass(frozen=True)
class Claim:
    """One claim a chapter tested."""

    name: str
    """A short identifier, unique in :data:`CLAIMS`."""
    chapter: str
    """The chapter's notebook name, a key of :data:`CHAPTERS`."""
    claim: str
    """The claim in a few words."""
    command: str
    """The registered experiment that reproduces it (``python -m demos COMMAND``)."""
    figures: tuple[Figure, ...]
    """The glued numbers that report the result."""
    origin: str
    """One of :data:`ORIGINS`."""
    why: str
    """Why, in a few words: what the setup guarantees and what the run found."""
    worlds: tuple[str, ...]
    """The possibilities of :data:`POSSIBILITIES` (by name) whose question the claim bears on
    (our reading)."""
    label: str | None = None
    """The chapter's section label for the experiment (``{ref}`` target), if it has one."""

    def result_markdown(self) -> str:
        """The result as MyST Markdown: each figure as a cross-document glue role."""
        text = ""
        for figure in self.figures:
            role = f"{{glue:text}}`{self.chapter}.ipynb::{figure.key}:{figure.spec}`"
            # a range reads "from a to b", a condition "a with b"; anything else is a new item
            joint = " " if figure.label in ("to", "with") else "; "
            words = " ".join(part for part in (figure.label, role, figure.after) if part)
            text += (joint if text else "") + words
        return text

    def where_markdown(self) -> str:
        """The chapter as a link: to the experiment's section if labelled, else to the page."""
        short = CHAPTERS[self.chapter]
        if self.label:
            return f"{{ref}}`{short} <{self.label}>`"
        return f"{{doc}}`{short} <{self.chapter}>`"


def _f(label: str, key: str, spec: str = "s", after: str = "") -> Figure:
    return Figure(label, key, spec, after)


CLAIMS: tuple[Claim, ...] = (
    Claim(
        "objective-found",
        "01_introduction",
        "Gradient descent finds what a search aims at",
        "behavioral-objective",
        (
            _f("training success from", "q05_train_success_first", ".0%"),
            _f("to", "q05_train_success_last", ".0%"),
        ),
        "both",
        "the objective was learned; the search was written by us",
        ("cannot prevent",),
        "sec-intro-objective",
    ),
    Claim(
        "bottle-cap",
        "01_introduction",
        "An optimized table is not an optimizer",
        "bottle-cap",
        (
            _f("new wall: table", "bc_wall_added_lookup"),
            _f("planner", "bc_wall_added_planner"),
        ),
        "built in",
        "we built one model with a search and one without",
        ("rare", "can prevent"),
        "sec-intro-bottle-cap",
    ),
    Claim(
        "perfect-record",
        "01_introduction",
        "A perfect training record can hide a proxy",
        "proxy-shift",
        (
            _f("training success", "q0_train_success_last", ".0%"),
            _f("test agents on the marker", "q0_test_proxy_rate", ".0%"),
        ),
        "both",
        "which feature won was found; competence off distribution is built in",
        ("cannot prevent",),
        "sec-intro-marker",
    ),
    Claim(
        "diversity",
        "02_conditions",
        "Without search, a policy needs diverse training to generalise",
        "task-diversity",
        (
            _f("planner's worst test success", "div_planner_worst_test_success", ".0%"),
            _f("network, fewest mazes", "div_reactive_success_size7_n1", ".0%"),
            _f("most mazes", "div_reactive_success_size7_n256", ".0%"),
        ),
        "both",
        "the planner's success is built in; the network's need for diversity was found",
        ("rare", "can prevent"),
        "sec-conditions-diversity",
    ),
    Claim(
        "description-length",
        "02_conditions",
        "A search is the shorter description once instances are many",
        "description-length",
        (
            _f("mazes until the table is longer: small", "dl_small_crossover_lzma", ".0f"),
            _f("large", "dl_big_crossover_lzma", ".0f"),
        ),
        "built in",
        "a constant must cross a line; only where it crosses is measured",
        ("rare", "can prevent"),
        "sec-conditions-description-length",
    ),
    Claim(
        "time-penalty",
        "02_conditions",
        "A time penalty prices search out",
        "planning-budget",
        (_f("break-even cost per planning step", "pb_size7_break_even_cost", ".3f"),),
        "built in",
        "the penalty is applied by us, after training",
        ("can prevent",),
        "sec-conditions-budget",
    ),
    Claim(
        "vin",
        "02_conditions",
        "Gradient descent can supply a missing piece of a search",
        "vin-kernel",
        (
            _f("kernel distance from", "vin_distance_start", ".2f"),
            _f("to", "vin_distance_end", ".3f"),
            _f("success with few steps", "vin_success_first", ".0%"),
            _f("with many", "vin_success_last", ".0%"),
        ),
        "both",
        "the step was learned; the loop around it was written",
        ("rare",),
        "sec-conditions-vin",
    ),
    Claim(
        "in-context",
        "02_conditions",
        "A learned layer can run an optimizer nobody built in",
        "incontext-gd",
        (_f("cosine to one gradient step", "icl_cosine_to_gd", ".4f"),),
        "both",
        "found, but it is nearly the only good solution in that model class",
        ("rare",),
        "sec-conditions-incontext",
    ),
    Claim(
        "drift",
        "03_inner_alignment",
        "A few decorrelated levels decide the objective",
        "objective-drift",
        (
            _f("no decorrelated level: on the marker", "q0_mean_proxy", ".0%"),
            _f("on the exit", "q005_mean_exit", ".0%"),
            _f("with", "levels_q005", after="decorrelated levels"),
        ),
        "found",
        "measured over seeds; we chose the proxy and the shift",
        ("cannot prevent",),
        "sec-inner-drift",
    ),
    Claim(
        "hidden",
        "03_inner_alignment",
        "Nothing in training shows which objective was learned",
        "proxy-shift",
        (
            _f("lowest training success", "sweep_train_min", ".0%"),
            _f("highest share on the marker", "sweep_proxy_max", ".0%"),
        ),
        "found",
        "measured; only we could look at the test levels during training",
        ("cannot prevent",),
        "sec-inner-hidden",
    ),
    Claim(
        "keys",
        "03_inner_alignment",
        "A side-effect proxy: keys valued for themselves",
        "keys-chests",
        (
            _f("unused keys at test", "kc_test_keys_unused", ".2f"),
            _f("expert", "kc_expert_test_keys_unused", ".2f"),
        ),
        "found",
        "the key's learned value was found; the shift was designed to expose it",
        ("cannot prevent",),
        "sec-inner-keys",
    ),
    Claim(
        "paying-exit",
        "03_inner_alignment",
        "An instrumental proxy: the exit taken for its coins",
        "paying-exit",
        (
            _f("test agents on the pile", "pe_planner_test_pile_rate", ".0%"),
            _f("on the exit", "pe_planner_test_exit_rate", ".0%"),
        ),
        "both",
        "the same computation as the marker planner; the world makes it instrumental",
        ("cannot prevent",),
        "sec-inner-paying-exit",
    ),
    Claim(
        "approximate",
        "03_inner_alignment",
        "An objective right only where it was fitted",
        "approximate-alignment",
        (
            _f("error in the training band", "approx_train_error_mean", ".2f"),
            _f("dimmest exit, agents on the marker", "approx_dimmest_proxy_rate", ".0%"),
        ),
        "both",
        "a linear head cannot represent the step; we chose the dimension that varies",
        ("cannot prevent",),
    ),
    Claim(
        "suboptimality",
        "03_inner_alignment",
        "A short search hides a misaligned objective",
        "suboptimality",
        (
            _f("on the marker at the training search length", "sub_proxy_train_k", ".0%"),
            _f("control's highest", "sub_control_max", ".0%"),
        ),
        "both",
        "the limitation was imposed at test and the levels chosen to hide the marker",
        ("cannot prevent",),
    ),
    Claim(
        "unidentifiability",
        "03_inner_alignment",
        "Equal training fits, different objectives",
        "unidentifiability",
        (
            _f("exit-over-marker preference from", "unid_preference_min", ".2f"),
            _f("to", "unid_preference_max", ".2f"),
            _f("test exit rates from", "unid_test_exit_rate_min", ".0%"),
            _f("to", "unid_test_exit_rate_max", ".0%"),
        ),
        "found",
        "which objective each seed learned was found; two candidates were offered",
        ("cannot prevent",),
        "sec-inner-unidentifiability",
    ),
    Claim(
        "reward-prediction",
        "03_inner_alignment",
        "Predicting the base reward pins the objective where there is data",
        "reward-prediction",
        (
            _f(
                "one decorrelated level: prediction on the exit",
                "rp_prediction_q001_test_exit_rate",
                ".0%",
            ),
            _f("imitation on the marker", "rp_imitation_q001_test_proxy_rate", ".0%"),
        ),
        "found",
        "measured at convergence; the regression is tiny and well posed",
        ("cannot prevent",),
        "sec-inner-prediction",
    ),
    Claim(
        "adversarial",
        "03_inner_alignment",
        "Adversarial training removes a proxy it can find",
        "adversarial-training",
        (
            _f("on the marker before", "adv_proxy_rate_before", ".0%"),
            _f("after", "adv_proxy_rate_after", ".0%"),
            _f("control", "adv_control_proxy_rate_after", ".0%"),
        ),
        "found",
        "measured; the adversary searched exactly the family we tested on",
        ("cannot prevent",),
    ),
    Claim(
        "deception-toy",
        "04_deceptive_alignment",
        "In the paper's toy, pretending pays",
        "deception-toy",
        (
            _f("visits to B: always B", "toy_b", ".0f"),
            _f("B only in deployment", "toy_dep", ".0f"),
        ),
        "built in",
        "arithmetic on the paper's payoffs",
        ("cannot prevent",),
    ),
    Claim(
        "absent-minded",
        "04_deceptive_alignment",
        "A model blind to its phase still gambles; the optimum is not the paper's figure",
        "absent-minded",
        (
            _f("best defection probability", "am_p", ".4f"),
            _f("the paper's", "am_quoted"),
        ),
        "built in",
        "a closed form, checked by enumeration; the correction is ours",
        ("cannot prevent",),
    ),
    Claim(
        "trigger",
        "04_deceptive_alignment",
        "Safety training that never shows a trigger leaves it in place",
        "trigger-survival",
        (
            _f("defection after SGD", "trig_sgd0", ".1%"),
            _f("after Adam", "trig_adam0", ".0%"),
        ),
        "both",
        "we planted the trigger; its persistence was measured",
        ("cannot prevent",),
    ),
    Claim(
        "cues",
        "04_deceptive_alignment",
        "As cues fade, defection stops depending on the phase",
        "deployment-cue",
        (
            _f("clear cues: training", "cue_t0", ".1%"),
            _f("deployment", "cue_d0", ".1%"),
            _f("no cues: training", "cue_t1", ".0%"),
            _f("deployment", "cue_d1", ".0%"),
        ),
        "both",
        "the detector was handed labelled phases; the payoffs are the toy's",
        ("cannot prevent",),
    ),
    Claim(
        "race",
        "04_deceptive_alignment",
        "Fast modelling of the base objective favours deception",
        "learning-race",
        (_f("deceptive runs when modelling is fast", "race_dec_low", ".0%"),),
        "built in",
        "the paper's verbal argument written as equations by us",
        ("cannot prevent",),
    ),
    Claim(
        "meta-learning",
        "05_related_work",
        "A learned learner carries a prior nobody wrote",
        "meta-learning",
        (
            _f("regret on its family", "meta_learned_train", ".2f"),
            _f("Bayes-optimal", "meta_bayes_train", ".2f"),
            _f("after the shift", "meta_learned_shift", ".2f"),
            _f("Thompson", "meta_thompson_shift", ".2f"),
        ),
        "found",
        "learned by actor-critic; whether it searches is open",
        ("rare",),
    ),
    Claim(
        "one-cell",
        "05_related_work",
        "One cell flips a network that does not plan",
        "one-cell-edits",
        (
            _f("solved mazes with a breaking cell: network", "edits_reactive_vulnerable", ".0%"),
            _f("planner", "edits_planner_vulnerable", ".0%"),
        ),
        "both",
        "the planner's robustness is built in; the network's fragility was found",
        ("cannot prevent", "can prevent"),
    ),
    Claim(
        "goal-ambiguity",
        "05_related_work",
        "On training-like mazes behaviour says nothing about the objective",
        "goal-ambiguity",
        (
            _f("bits left after training-like mazes", "goal_training_like_bits0", ".2f"),
            _f("after chosen ones", "goal_chosen_bits0", ".2f"),
        ),
        "both",
        "the flat belief follows from the definitions; the speed of chosen tests was measured",
        ("cannot prevent",),
    ),
    Claim(
        "probes",
        "05_related_work",
        "Linear probes find what a network goes for",
        "probes",
        (
            _f(
                "network trained on the marker, R-squared of distance to the marker",
                "probe_r0_last_steps_to_marker",
                ".2f",
            ),
            _f("to the exit", "probe_r0_last_steps_to_exit", ".2f"),
        ),
        "found",
        "measured with shuffled controls; we knew which labels to probe",
        ("can prevent",),
    ),
    Claim(
        "verification",
        "05_related_work",
        "Exhaustive checks prove a planner and refute a network",
        "verification",
        (
            _f("planner violations", "ver_planner_violations"),
            _f("network", "ver_reactive_violations"),
            _f("of cases", "ver_cases"),
        ),
        "both",
        "the planner is correct by construction; the network's failures were found",
        ("can prevent",),
    ),
)
"""Every claim chapters 1 to 5 tested, in the order of the book."""


@dataclass(frozen=True)
class Possibility:
    """One of the possibilities the paper's conclusion lists."""

    name: str
    """A short name, used by the figures' menus."""
    world: str
    """What holds in this world, in our words."""
    unintended: str
    """What becomes of the unintended-optimization problem there."""
    inner: str
    """What becomes of the inner alignment problem there."""
    outer: str
    """What becomes of outer alignment there."""
    approach: str
    """What the paper suggests follows for safety work."""
    question: str
    """The empirical question whose answer would tell us we are in this world (ours)."""


POSSIBILITIES: tuple[Possibility, ...] = (
    Possibility(
        "rare",
        "Mesa-optimizers hardly ever arise, and nobody builds them on purpose",
        "not a concern",
        "not a concern",
        "still needed",
        "neither problem needs solving",
        "does training find search, and when?",
    ),
    Possibility(
        "cannot prevent",
        "Mesa-optimizers are likely, and hard to prevent",
        "unavoidable",
        "critical",
        "critical",
        "inner and outer alignment must both be solved",
        "what objective does a learned search get, and can training fix it?",
    ),
    Possibility(
        "can prevent",
        "Mesa-optimizers arise by default, but can be prevented",
        "the problem to solve",
        "avoided, not solved",
        "partly relaxed",
        "build systems that do not optimize at all",
        "can training be steered away from search, or search be detected?",
    ),
)
"""The paper's possibilities (its section 6), in its order; the short phrases are ours."""


def possibility(name: str) -> Possibility:
    """The possibility called ``name`` (one of the names in :data:`POSSIBILITIES`)."""
    check_choice("name", name, tuple(p.name for p in POSSIBILITIES))
    return next(p for p in POSSIBILITIES if p.name == name)


def bearing(name: str) -> list[Claim]:
    """The claims that bear on the question of possibility ``name`` (our reading), in book
    order."""
    possibility(name)
    return [c for c in CLAIMS if name in c.worlds]


def origin_counts(claims: tuple[Claim, ...] | list[Claim] = CLAIMS) -> dict[str, int]:
    """How many of ``claims`` have each origin, keyed by :data:`ORIGINS`."""
    return {origin: sum(c.origin == origin for c in claims) for origin in ORIGINS}


def claims_table_markdown(claims: tuple[Claim, ...] | list[Claim] = CLAIMS) -> str:
    """The claims as a MyST Markdown table: claim, chapter (a link), command, result (glued from
    the chapter's notebook) and whether the outcome was found or built in, with why."""
    lines = [
        "| Claim | Where | Run it | Measured | Found or built in? |",
        "|---|---|---|---|---|",
    ]
    for c in claims:
        cells = [
            c.claim,
            c.where_markdown(),
            f"`python -m demos {c.command}`",
            c.result_markdown(),
            f"**{c.origin}**: {c.why}",
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)
