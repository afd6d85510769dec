"""demos: the experiments behind the executable book on *Risks from Learned Optimization*.

Every chapter of the book imports this package; nothing in ``notebooks/`` trains a model in its
own code. The command line ``python -m demos EXPERIMENT`` runs the same entry points. The package
is layered: a module imports only from its own layer or the layers listed below it (checked by
``make lint`` with import-linter; see ARCHITECTURE.md).

Entry points:

- ``__main__``        ``python -m demos EXPERIMENT [--json]``: any experiment from the shell
- ``bench``           ``python -m demos.bench``: times and target figures for BENCHMARKS.md

figures (one look, the explorable mechanism, one module per chapter; beside them, exercises):

- ``figures.style``             colours, symbols, fonts, figure size, PNG output
- ``figures.drawing``           drawing primitives: mazes, reward maps, curves, rates, actions
- ``figures.explorable``        the one interactive-figure mechanism (live and kernel-free)
- ``figures.kept_figure``       an explorable's figure laid out once and redrawn per frame
- ``figures.prose``             glue a result's figures into the prose; lists and tables in words
- ``figures.tables``            a result's summary as a small table instead of a raw dict
- ``figures.diagrams``          box-and-arrow diagrams of the concepts
- ``figures.how_to_use``        figures of the "How to use this book" page
- ``figures.introduction``      figures of chapter 1
- ``figures.conditions``        figures of chapter 2
- ``figures.inner_alignment``   figures of chapter 3
- ``figures.deceptive_alignment``  figures of chapter 4
- ``figures.related_work``      figures of chapter 5
- ``figures.conclusion``        figures of chapter 6
- ``figures.learned_search``    figures of the learned planner (chapters 1, 2 and 3)
- ``figures.maze_raster``       mazes as one image each, side by side: fast live redraws

exercises (checks with specific feedback; student versions):

- ``exercises.checking``  the machinery of checks: feedback, ``check``, numeric and choice checks
- ``exercises.student``   ``make student``: student versions and nbgrader sources of the chapters
- ``exercises.ch1``       the checks of chapter 1's exercises
- ``exercises.ch2``       the checks of chapter 2's exercises
- ``exercises.ch3``       the checks of chapter 3's exercises
- ``exercises.ch4``       the checks of chapter 4's exercises
- ``exercises.ch5``       the checks of chapter 5's exercises
- ``exercises.ch6``       the checks of chapter 6's exercises

experiments (a ``Config`` in, a ``Result`` out; registered by name; never import each other):

- ``experiments.adversarial_training``   adversarial training against a proxy-seeker (ch. 3)
- ``experiments.approximate_alignment``  an objective right only near its training data (ch. 3)
- ``experiments.behavioral_objective``   base, mesa- and behavioral objectives compared (ch. 1)
- ``experiments.bottle_cap``             an optimized lookup table against an optimizer (ch. 1)
- ``experiments.description_length``     answers stored against a planner, in bits (ch. 2)
- ``experiments.absent_minded``          the Fig. 4.1 toy blind to its phase; the 0.61 (ch. 4)
- ``experiments.deception_toy``          the toy of Fig. 4.1 solved exactly (ch. 4)
- ``experiments.deployment_cue``         a learned detector of deployment, and defection (ch. 4)
- ``experiments.goal_ambiguity``         objectives that explain the same behaviour (ch. 5)
- ``experiments.incontext_gd``           a layer that learns one step of gradient descent (ch. 2)
- ``experiments.keys_chests``            keys valued for themselves, a side-effect proxy (ch. 3)
- ``experiments.learned_frontier``       the learned search read from inside, and forming (ch. 1, 2)
- ``experiments.learned_objective``      probes and steering of the learned search's goal (ch. 3)
- ``experiments.learned_planner``        a search found by gradient descent, given more K (ch. 1, 2)
- ``experiments.learned_proxy_shift``    the learned search's objective under shift (ch. 3)
- ``experiments.learning_race``          internalization against modelling, a stylised model (ch. 4)
- ``experiments.literature_map``         the bibliography grouped by theme and chapter (ch. 5)
- ``experiments.meta_learning``          a learned bandit learner and its prior under shift (ch. 5)
- ``experiments.objective_drift``        the mesa-objective over q, seeds and salience (ch. 3)
- ``experiments.objective_edit``         editing a proxy-seeker's objective, right and wrong (ch. 3)
- ``experiments.one_cell_edits``         the single-cell edits that flip an agent (ch. 5)
- ``experiments.optimization_power``     the paper's toy model of search against task count (ch. 2)
- ``experiments.paying_exit``            an instrumental proxy: coins earned at the exit (ch. 3)
- ``experiments.planner_vs_reactive``    search against heuristics on larger mazes (ch. 2)
- ``experiments.planning_budget``        how much search pays, and statefulness (ch. 2)
- ``experiments.probes``                 linear probes for exit and marker in a network (ch. 5)
- ``experiments.proxy_shift``            the proxy learned where it matched the exit (ch. 1, 3)
- ``experiments.reward_prediction``      a search fed a model of the base reward (ch. 3)
- ``experiments.salience_swap``          the brighter feature becomes the objective (ch. 1, 3)
- ``experiments.suboptimality``          a proxy-seeker hidden by a short search (ch. 3)
- ``experiments.task_diversity``         more distinct mazes, planner against CNN (ch. 2)
- ``experiments.trigger_survival``       a planted trigger under safety training (ch. 4)
- ``experiments.unidentifiability``      equal training fits, different objectives (ch. 3)
- ``experiments.verification``           every maze of a tiny size checked exhaustively (ch. 5)
- ``experiments.vin_kernel``             a planning step learned by gradient descent (ch. 2)

analysis (reading what trained models compute and want):

- ``analysis.metrics``             where a learned reward map peaks; rank correlations
- ``analysis.objectives``          reading a planner's objective; selecting by internals
- ``analysis.behavioral``          the behavioral objective, by exact inverse planning
- ``analysis.compression``         description lengths of answer tables and of the planner
- ``analysis.compute_cost``        what each planning step is worth under a time penalty
- ``analysis.optimization_power``  the paper's toy model of optimization power
- ``analysis.gradient_step``       one step of gradient descent, the in-context reference
- ``analysis.deception_toy``       exact payoffs of the Fig. 4.1 toy; the absent-minded optimum
- ``analysis.roc``                 ROC curves, their area and upper hull
- ``analysis.cell_edits``          every single-cell edit of a maze, and which flip an agent
- ``analysis.probes``              linear probes on per-cell activations, with shuffled controls
- ``analysis.activations``         a network's hidden activations, layer by layer
- ``analysis.verification``        exhaustive checks of a behavioural property on tiny mazes
- ``analysis.goal_ambiguity``      an observer's belief over blends of exit and marker
- ``analysis.literature``          the bibliography's themes and the chapters' citations
- ``analysis.book_claims``         the claims the book tested, and the paper's three possibilities
- ``analysis.search_success``      a learned search's success against test-time iterations K
- ``analysis.search_frontier``     when each cell's state holds its move: the search read inside
- ``analysis.steering``            editing the learned search's state to move its goal

training (base optimizers and what they run on):

- ``training.base_optimizers``     imitation, REINFORCE, evolution strategy, reward prediction
- ``training.rollouts``            walking a policy through a batch of mazes; greedy success
- ``training.proxy_training``      a planner trained where the marker sits on the exit
- ``training.maze_imitation``      a planner and a reactive CNN trained on the same mazes
- ``training.step_budget``         planners trained per number of planning steps; statefulness
- ``training.adversarial``         adversarial search for failures, and training on them
- ``training.keys_imitation``      the keys-and-chests planner imitating its expert
- ``training.incontext_training``  Adam on fresh in-context regression prompts
- ``training.descent``             gradient descent on a one-dimensional loss
- ``training.safety_training``     planting a trigger, then safety training (numpy SGD and Adam)
- ``training.deception_race``      the stylised race between internalization and modelling
- ``training.maze_learners``       the planner or the reactive network, trained by imitation
- ``training.meta_learning``       actor-critic meta-training of a recurrent bandit learner
- ``training.learned_search_training``  the learned planner trained by imitation (the recipes)
- ``training.learned_checkpoints`` the learned planner's committed weights: load, check, retrain

agents (the learned algorithms, and the hand-written ones they are compared with):

- ``agents.planners``          reward head (mesa-objective), hard-coded value iteration, VIN
- ``agents.learned_search``    a recurrent convolution: a planner with no search written in
- ``agents.feedforward``       the same layers untied, fixed depth: the learned search's baseline
- ``agents.reactive``          a CNN policy with no planning loop
- ``agents.lookup``            a table of actions for one maze: optimized, not an optimizer
- ``agents.keys_chests``       the exact expert and the learned-reward planner of keys and chests
- ``agents.linear_attention``  one layer of linear self-attention
- ``agents.triggered_policy``  a stack of independent two-layer networks that can carry a trigger
- ``agents.bandit_policies``   UCB1, Thompson sampling and the exact Bayes-optimal policy
- ``agents.recurrent_learner`` a GRU that learns to play a bandit from its history
- ``agents.phase_detector``    an "am I deployed?" detector: logistic regression on cues

worlds (environments, their rewards and hidden measures):

- ``worlds.mazes``             levels with an exit (base objective) and a marker (proxy), BFS
- ``worlds.perfect_mazes``     perfect mazes (randomised depth-first search) as the book's levels
- ``worlds.outcomes``          where an agent settles: exit, marker or neither; success
- ``worlds.level_variants``    level batches built for one question each
- ``worlds.env``               the mazes as a Gymnasium environment
- ``worlds.keys_chests``       keys and chests: chests are the base objective
- ``worlds.paying_exit``       mazes whose exit pays coins, and a richer coin pile at test
- ``worlds.regression_tasks``  in-context linear regression prompts
- ``worlds.trigger_task``      prompts with a hidden trigger and near misses of it
- ``worlds.bandits``           families of two-armed bandits, and their shift
- ``worlds.deployment_cues``   what training and deployment episodes look like

core (no dependencies inside the package):

- ``core.validation``  clear ``ValueError`` messages for bad input
- ``core.config``      configuration dataclasses with ranges declared once
- ``core.runtime``     seeding and torch thread settings
- ``core.palette``     the Okabe-Ito colours and the role of each
"""

__version__ = "0.1.0"
