"""Optimisers: each step() moves every parameter against its grad; zero_grad() clears the grads.

Both follow torch.optim's update rules, so a run can be checked against PyTorch. A
layer whose parameters are all given is updated as one array (micrograd.params):
the same arithmetic on every entry, so the same numbers as one parameter at a time.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np

from micrograd import Value
from micrograd.params import Block, Param


class Optimizer:
    """The parameters to update, and zero_grad() to clear their grads."""

    def __init__(self, parameters: Iterable[Value], lr: float) -> None:
        self.parameters = list(parameters)
        if not self.parameters:
            raise ValueError("the optimiser got no parameters: pass model.parameters()")
        for p in self.parameters:
            if not isinstance(p, Value):
                raise TypeError(f"parameters must be Values, got {type(p).__name__}: {p!r}")
        if not lr > 0.0:
            raise ValueError(f"the learning rate must be > 0, got {lr!r}")
        self.lr = lr
        self.blocks, self.others = _grouped(self.parameters)
        # where each parameter's state sits: (group, flat index in its block's array, or None)
        group = {id(b): g for g, b in enumerate(self.blocks)}
        other = {id(p): len(self.blocks) + k for k, p in enumerate(self.others)}
        self._where = [(group[id(p._block)], int(np.ravel_multi_index(p._at, p._block.data.shape)))
                       if isinstance(p, Param) and id(p._block) in group else (other[id(p)], None)
                       for p in self.parameters]

    def _per_parameter(self, groups: list[Any] | None) -> list[float] | None:
        """A state kept per block and per other parameter, as one float per parameter in order."""
        if groups is None:
            return None
        return [float(groups[g] if i is None else groups[g].item(i)) for g, i in self._where]

    def zero_grad(self) -> None:
        """Set the grad of every parameter to 0.0, before the next backward()."""
        for block in self.blocks:
            block.zero_grad()
        for p in self.others:
            p.grad = 0.0


class SGD(Optimizer):
    """Gradient descent: p <- p - lr * grad; with momentum, v <- momentum * v + grad, p <- p - lr * v."""

    def __init__(self, parameters: Iterable[Value], lr: float, momentum: float = 0.0) -> None:
        super().__init__(parameters, lr)
        if not 0.0 <= momentum < 1.0:
            raise ValueError(f"momentum must be in [0, 1), got {momentum!r}")
        self.momentum = momentum
        self._velocity: list[Any] | None = None  # one array per block, then one float per other parameter

    @property
    def velocity(self) -> list[float] | None:
        """Each parameter's velocity v (None before the first step with momentum)."""
        return self._per_parameter(self._velocity)

    def step(self) -> None:
        """Update every parameter once from its current grad."""
        lr = self.lr
        grads = [b.grads() for b in self.blocks] + [p.grad for p in self.others]
        if self.momentum == 0.0:
            steps = grads
        elif self._velocity is None:  # the first step starts from v = grad, as torch.optim.SGD does
            steps = self._velocity = grads
        else:
            steps = self._velocity = [self.momentum * v + g for v, g in zip(self._velocity, grads)]
        _move(self.blocks, self.others, [lr * s for s in steps])  # exactly the documents' w - eta * dL/dw


class Adam(Optimizer):
    """Adam (Kingma & Ba) with bias correction, as torch.optim.Adam computes it."""

    def __init__(self, parameters: Iterable[Value], lr: float = 0.001,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8) -> None:
        super().__init__(parameters, lr)
        self.beta1, self.beta2 = betas
        if not (0.0 <= self.beta1 < 1.0 and 0.0 <= self.beta2 < 1.0):
            raise ValueError(f"betas must each be in [0, 1), got {betas!r}")
        self.eps = eps
        self.steps = 0
        zeros = [np.zeros_like(b.data) for b in self.blocks] + [0.0] * len(self.others)
        self._m: list[Any] = list(zeros)  # running mean of grads, per block and other parameter
        self._v: list[Any] = list(zeros)  # running mean of squared grads

    @property
    def m(self) -> list[float]:
        """Each parameter's running mean of grads."""
        return self._per_parameter(self._m) or []

    @property
    def v(self) -> list[float]:
        """Each parameter's running mean of squared grads."""
        return self._per_parameter(self._v) or []

    def step(self) -> None:
        """Update every parameter once from its current grad."""
        self.steps += 1
        b1, b2, t = self.beta1, self.beta2, self.steps
        step_size = self.lr / (1.0 - b1 ** t)
        root_correction = math.sqrt(1.0 - b2 ** t)
        grads = [b.grads() for b in self.blocks] + [p.grad for p in self.others]
        steps = []
        for k, g in enumerate(grads):
            self._m[k] = b1 * self._m[k] + (1.0 - b1) * g
            self._v[k] = b2 * self._v[k] + (1.0 - b2) * g * g
            root = np.sqrt(self._v[k]) if k < len(self.blocks) else math.sqrt(self._v[k])
            denom = root / root_correction + self.eps
            steps.append(step_size * self._m[k] / denom)
        _move(self.blocks, self.others, steps)


def _move(blocks: list[Block], others: list[Value], steps: list[Any]) -> None:
    """p <- p - step for each block (one array) and each other parameter."""
    for block, s in zip(blocks, steps):
        block.update(block.data - s)
    for p, s in zip(others, steps[len(blocks):]):
        p.data -= s


def _grouped(params: list[Value]) -> tuple[list[Block], list[Value]]:
    """The blocks whose every parameter is listed once, and the other parameters one by one."""
    listed: dict[int, int] = {}
    for p in params:
        listed[id(p)] = listed.get(id(p), 0) + 1
    candidates = {id(p._block): p._block for p in params if isinstance(p, Param)}
    whole = [key for key, block in candidates.items()  # in the order the parameters list them
             if all(listed.get(id(v)) == 1 for v in block.views) and len(block.views) > 0]
    kept = set(whole)
    others = [p for p in params if not (isinstance(p, Param) and id(p._block) in kept)]
    return [candidates[key] for key in whole], others
