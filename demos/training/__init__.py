"""Training: the base optimizers (imitation, REINFORCE, an evolution strategy, adversarial
training), rollouts, and the training set-ups several experiments share. Imports ``demos.agents``
and below."""
