import math

import numpy as np


class Linear:
    """A tiny layer object with torch.nn.Linear's default uniform initialisation."""

    def __init__(self, rng, fan_in, fan_out):
        bound = 1.0 / math.sqrt(fan_in)
        self.W = rng.uniform(-bound, bound, (fan_out, fan_in))
        self.b = rng.uniform(-bound, bound, fan_out)

    def forward(self, x):
        self.x = x
        return x @ self.W.T + self.b

    def backward(self, dy):
        self.dW = dy.T @ self.x
        self.db = dy.sum(axis=0)
        return dy @ self.W

    def step(self, lr):
        self.W = self.W - lr * self.dW
        self.b = self.b - lr * self.db


def train_mlp(X, y, num_classes, hidden, epochs, lr, seed):
    rng = np.random.default_rng(seed)
    first, second = Linear(rng, X.shape[1], hidden), Linear(rng, hidden, num_classes)
    losses = []
    rows = np.arange(len(y))
    for _ in range(epochs):
        z = first.forward(X)
        logits = second.forward(np.maximum(z, 0))
        m = logits.max(axis=1, keepdims=True)
        lse = m[:, 0] + np.log(np.exp(logits - m).sum(axis=1))
        losses.append(float(np.mean(lse - logits[rows, y])))
        p = np.exp(logits - lse[:, None])
        p[rows, y] -= 1
        dh = second.backward(p / len(y))
        first.backward(dh * (z > 0))
        first.step(lr)
        second.step(lr)
    return first.W, first.b, second.W, second.b, losses
