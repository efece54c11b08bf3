"""Optimisers: each step() moves every parameter against its grad; zero_grad() clears the grads.

Both follow torch.optim's update rules, so a run can be checked against PyTorch.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from micrograd import Value


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

    def zero_grad(self) -> None:
        """Set the grad of every parameter to 0.0, before the next backward()."""
        for p in self.parameters:
            p.grad = 0.0


class SGD(Optimizer):
    """Gradient descent: p <- p - lr * grad; with momentum, v <- momentum * v + grad, p <- p - lr * v."""

    def __init__(self, parameters: Iterable[Value], lr: float, momentum: float = 0.0) -> None:
        super().__init__(parameters, lr)
        if not 0.0 <= momentum < 1.0:
            raise ValueError(f"momentum must be in [0, 1), got {momentum!r}")
        self.momentum = momentum
        self.velocity: list[float] | None = None

    def step(self) -> None:
        """Update every parameter once from its current grad."""
        lr = self.lr
        if self.momentum == 0.0:
            for p in self.parameters:
                p.data -= lr * p.grad  # exactly the documents' w - eta * dL/dw
            return
        if self.velocity is None:  # the first step starts from v = grad, as torch.optim.SGD does
            self.velocity = [p.grad for p in self.parameters]
        else:
            self.velocity = [self.momentum * v + p.grad for v, p in zip(self.velocity, self.parameters)]
        for p, v in zip(self.parameters, self.velocity):
            p.data -= lr * v


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
        self.m = [0.0] * len(self.parameters)  # running mean of grads
        self.v = [0.0] * len(self.parameters)  # running mean of squared grads

    def step(self) -> None:
        """Update every parameter once from its current grad."""
        self.steps += 1
        b1, b2, t = self.beta1, self.beta2, self.steps
        step_size = self.lr / (1.0 - b1 ** t)
        root_correction = math.sqrt(1.0 - b2 ** t)
        for k, p in enumerate(self.parameters):
            g = p.grad
            self.m[k] = b1 * self.m[k] + (1.0 - b1) * g
            self.v[k] = b2 * self.v[k] + (1.0 - b2) * g * g
            denom = math.sqrt(self.v[k]) / root_correction + self.eps
            p.data -= step_size * self.m[k] / denom
