"""Small policies that can carry a hidden trigger: a stack of independent two-layer networks,
trained together so that one run covers several seeds and settings. Chapter 4 uses it
(experiment ``trigger-survival``).

Each member of the stack is an ordinary multilayer perceptron,
``logits = relu(x W1 + b1) W2 + b2``, with its own weights. Members share nothing: stacking only
lets numpy do their matrix products in one call. The loss of the stack is the *sum* of the members'
mean losses, so each member's gradient is exactly the gradient of its own loss, and an elementwise
optimizer (SGD, Adam) updates each member as if it were trained alone.

The forward and backward passes are written out in numpy (a few matrix products): for networks this
small that is several times faster than an autograd framework, and the tests check the gradients
against torch's autograd.
"""

from __future__ import annotations

import math

import numpy as np

from demos.core.validation import check_int, check_shape

PARAMETERS = ("W1", "b1", "W2", "b2")
"""Names of the parameter arrays, in order."""

DTYPE = np.float32
"""Precision of weights and activations (single: twice as fast here, and plenty for the toy)."""


class StackedMLP:
    """``members`` independent networks ``input_size -> width (ReLU) -> actions``.

    Args:
        members: int >= 1. Independent networks in the stack.
        input_size: int >= 1. Length of one input vector.
        width: int >= 1. Hidden units of every member.
        actions: int >= 2. Outputs (logits) per input.
        rng: generator for the initial weights (uniform in +-1/sqrt(fan_in), as torch's Linear).
    """

    def __init__(
        self, members: int, input_size: int, width: int, actions: int, rng: np.random.Generator
    ) -> None:
        self.members = check_int("members", members, 1, 10_000)
        self.input_size = check_int("input_size", input_size, 1, 100_000)
        self.width = check_int("width", width, 1, 100_000)
        self.actions = check_int("actions", actions, 2, 1000)
        first, second = 1 / math.sqrt(self.input_size), 1 / math.sqrt(self.width)
        shapes = {
            "W1": ((self.members, self.input_size, self.width), first),
            "b1": ((self.members, 1, self.width), first),
            "W2": ((self.members, self.width, self.actions), second),
            "b2": ((self.members, 1, self.actions), second),
        }
        # every parameter is a view into one flat buffer, and so is every gradient: an
        # elementwise optimizer then updates the whole stack in a handful of array operations
        sizes = [int(np.prod(shape)) for shape, _ in shapes.values()]
        self.flat = np.empty(sum(sizes), dtype=DTYPE)
        self.flat_gradient = np.zeros_like(self.flat)
        self.params: dict[str, np.ndarray] = {}
        self.gradients: dict[str, np.ndarray] = {}
        offset = 0
        for (name, (shape, bound)), size in zip(shapes.items(), sizes, strict=True):
            self.params[name] = self.flat[offset : offset + size].reshape(shape)
            self.params[name][...] = rng.uniform(-bound, bound, shape)
            self.gradients[name] = self.flat_gradient[offset : offset + size].reshape(shape)
            offset += size
        self._identity = np.eye(self.actions, dtype=DTYPE)

    def logits(self, inputs: np.ndarray) -> np.ndarray:
        """Logits of every member for its own inputs.

        Args:
            inputs: (members, batch, input_size) float (computed in :data:`DTYPE`).

        Returns:
            (members, batch, actions) float32.
        """
        return self._forward(inputs)[0]

    def act(self, inputs: np.ndarray) -> np.ndarray:
        """Greedy actions: (members, batch) int, the argmax of the logits."""
        return self.logits(inputs).argmax(axis=-1)

    def loss_and_gradients(
        self, inputs: np.ndarray, labels: np.ndarray
    ) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """Mean cross-entropy of each member on its batch, and the gradient of their sum.

        Args:
            inputs: (members, batch, input_size) float.
            labels: (members, batch) int in [0, actions).

        Returns:
            losses: (members,) float.
            gradients: arrays shaped like :attr:`params`, by name: views into
            :attr:`flat_gradient`, overwritten by the next call.
        """
        return self._backward(inputs, labels, with_loss=True)

    def accumulate_gradients(self, inputs: np.ndarray, labels: np.ndarray) -> np.ndarray:
        """The gradient of :meth:`loss_and_gradients` written into :attr:`flat_gradient` (which
        is returned), without computing the losses: the fast path for training."""
        self._backward(inputs, labels, with_loss=False)
        return self.flat_gradient

    def _backward(self, inputs, labels, with_loss: bool):
        inputs = np.asarray(inputs, dtype=DTYPE)
        logits, hidden, pre = self._forward(inputs)
        labels = np.asarray(labels)
        check_shape("labels", labels.shape, "(members, batch)", labels.shape == logits.shape[:2])
        shifted = logits - logits.max(axis=-1, keepdims=True)
        exponentials = np.exp(shifted)
        totals = exponentials.sum(axis=-1, keepdims=True)
        one_hot = self._identity[labels]
        losses = None
        if with_loss:
            chosen = (shifted * one_hot).sum(axis=-1) - np.log(totals[..., 0])
            losses = -chosen.mean(axis=1)
        d_logits = (exponentials / totals - one_hot) / DTYPE(logits.shape[1])
        d_hidden = (d_logits @ self.params["W2"].transpose(0, 2, 1)) * (pre > 0)
        grads = self.gradients
        np.matmul(inputs.transpose(0, 2, 1), d_hidden, out=grads["W1"])
        np.sum(d_hidden, axis=1, keepdims=True, out=grads["b1"])
        np.matmul(hidden.transpose(0, 2, 1), d_logits, out=grads["W2"])
        np.sum(d_logits, axis=1, keepdims=True, out=grads["b2"])
        return losses, grads

    def _forward(self, inputs: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        inputs = np.asarray(inputs, dtype=DTYPE)
        check_shape(
            "inputs",
            inputs.shape,
            f"({self.members}, batch, {self.input_size})",
            inputs.ndim == 3
            and inputs.shape[0] == self.members
            and inputs.shape[2] == self.input_size,
        )
        pre = inputs @ self.params["W1"] + self.params["b1"]
        hidden = np.maximum(pre, 0.0)
        return hidden @ self.params["W2"] + self.params["b2"], hidden, pre
