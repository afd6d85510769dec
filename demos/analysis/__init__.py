"""Analysis: reading what a trained model computes and wants (its mesa-objective, its behavioral
objective, its description length) and the paper's closed-form toy models. Imports
``demos.training`` and below."""
