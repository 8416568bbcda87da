"""Small numeric facts: softmax and log-sum-exp, losses (cross-entropy, BCE, label smoothing, MSE), derivatives
(chain rule, sigmoid, tanh), initialisation scales and the cost of a gradient check.

Percentages are integers so templates stay integer-valued: p_pct = 20 means p = 0.2.
"""

from __future__ import annotations

import math
from typing import Any

from questions.calc_core import Computed, register


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x)) if x >= 0 else math.exp(x) / (1.0 + math.exp(x))


def _index_ok(*, index: int, **_: Any) -> bool:
    """index is 1, 2 or 3"""
    return index in (1, 2, 3)


@register("numeric", _index_ok)
def softmax_probability(*, z1: int, z2: int, z3: int, index: int) -> Computed:
    """softmax([z1, z2, z3])[index] with a 1-based index, computed the stable way."""
    zs = [z1, z2, z3]
    m = max(zs)
    es = [math.exp(z - m) for z in zs]
    p = es[index - 1] / sum(es)
    return Computed(
        p,
        f"subtract the max {m}: shifted = {[z - m for z in zs]}\n"
        f"exp -> [{', '.join(f'{e:.4g}' for e in es)}], sum = {sum(es):.4g}\n"
        f"p_{index} = {es[index - 1]:.4g} / {sum(es):.4g} = {p:.4g}",
    )


@register("numeric")
def logsumexp3(*, z1: int, z2: int, z3: int) -> Computed:
    """log(exp(z1) + exp(z2) + exp(z3)) computed as m + log Σ exp(z − m)."""
    zs = [z1, z2, z3]
    m = max(zs)
    s = sum(math.exp(z - m) for z in zs)
    v = m + math.log(s)
    return Computed(
        v,
        f"m = max = {m}; Σ exp(z - m) = {' + '.join(f'exp({z - m})' for z in zs)} = {s:.6g}\n"
        f"LSE = {m} + log({s:.6g}) = {v:.6g}",
    )


def _temp_ok(*, T: int, **_: Any) -> bool:
    """temperature T >= 1"""
    return T >= 1


@register("numeric", _temp_ok)
def softmax_temperature_probability(*, z1: int, z2: int, T: int) -> Computed:
    """P(class 1) for two logits z1, z2 at temperature T: softmax(z / T)[0]."""
    p = _sigmoid((z1 - z2) / T)
    return Computed(
        p,
        f"with two classes softmax(z/T)[0] = sigmoid((z1 - z2)/T) = sigmoid(({z1} - {z2})/{T})"
        f" = sigmoid({(z1 - z2) / T:.4g}) = {p:.4g}",
    )


def _prob_ok(*, p_pct: int, **_: Any) -> bool:
    """0 < p_pct < 100"""
    return 0 < p_pct < 100


@register("numeric", _prob_ok)
def cross_entropy_from_probability(*, p_pct: int) -> Computed:
    """Cross-entropy of one example whose true class gets probability p_pct/100 (natural log)."""
    p = p_pct / 100
    return Computed(-math.log(p), f"L = -ln(p_true) = -ln({p:g}) = {-math.log(p):.4g}")


@register("numeric")
def initial_cross_entropy(*, C: int) -> Computed:
    """Expected cross-entropy at initialisation for C classes with near-uniform predictions."""
    return Computed(math.log(C), f"uniform p = 1/{C}; L = -ln(1/{C}) = ln({C}) = {math.log(C):.4g}")


def _label_ok(*, y: int, **_: Any) -> bool:
    """the label y is 0 or 1"""
    return y in (0, 1)


@register("numeric", _label_ok)
def bce_with_logits(*, z: int, y: int) -> Computed:
    """Binary cross-entropy with logit z and label y: softplus(−z) if y = 1, softplus(z) if y = 0."""
    t = -z if y == 1 else z
    v = max(t, 0) + math.log1p(math.exp(-abs(t)))
    return Computed(
        v,
        f"y = {y}: L = {'-ln(sigmoid(z)) = softplus(-z)' if y == 1 else '-ln(1 - sigmoid(z)) = softplus(z)'}"
        f" = log(1 + exp({t})) = {v:.4g}",
    )


def _smooth_ok(*, eps_pct: int, C: int, **_: Any) -> bool:
    """0 <= eps_pct < 100 and C >= 2"""
    return 0 <= eps_pct < 100 and C >= 2


@register("numeric", _smooth_ok)
def label_smoothing_target(*, eps_pct: int, C: int) -> Computed:
    """Target probability of the true class with label smoothing ε over C classes (torch's convention)."""
    e = eps_pct / 100
    v = 1 - e + e / C
    return Computed(
        v,
        f"ε = {e:g} spread uniformly over all {C} classes: true class gets 1 - ε + ε/C"
        f" = 1 - {e:g} + {e:g}/{C} = {v:.6g}",
    )


@register("numeric")
def mse_gradient(*, pred: int, target: int, n: int) -> Computed:
    """dL/dpred_i for L = mean over n elements of (pred − target)²."""
    g = 2 * (pred - target) / n
    return Computed(g, f"dL/dpred_i = 2 (pred_i - target_i) / n = 2*({pred} - {target})/{n} = {g:.6g}")


@register("numeric")
def scalar_chain_rule(*, w: int, x: int, y: int) -> Computed:
    """dL/dw for L = (w·x − y)²."""
    r = w * x - y
    g = 2 * r * x
    return Computed(
        g,
        f"r = w*x - y = {w}*{x} - {y} = {r}; L = r^2 = {r * r}\n"
        f"dL/dw = dL/dr * dr/dw = 2r * x = 2*{r}*{x} = {g}",
    )


@register("numeric")
def sigmoid_derivative(*, x: int) -> Computed:
    """σ'(x) = σ(x)(1 − σ(x))."""
    s = _sigmoid(x)
    return Computed(s * (1 - s), f"σ({x}) = {s:.4g}; σ' = σ(1 - σ) = {s:.4g}*{1 - s:.4g} = {s * (1 - s):.4g}")


@register("numeric")
def tanh_derivative(*, x: int) -> Computed:
    """tanh'(x) = 1 − tanh(x)²."""
    t = math.tanh(x)
    return Computed(1 - t * t, f"tanh({x}) = {t:.6g}; 1 - tanh^2 = {1 - t * t:.4g}")


@register("numeric")
def sigmoid_gradient_bound(*, L: int) -> Computed:
    """Upper bound 0.25^L on the product of L sigmoid derivatives (weights of magnitude ≤ 1)."""
    v = 0.25**L
    return Computed(v, f"σ' <= 0.25 everywhere (at 0), so the product of {L} factors is <= 0.25^{L} = {v:.4g}")


@register("numeric")
def kaiming_std_conv(*, C_in: int, k: int) -> Computed:
    """He/Kaiming normal std for a ReLU conv layer: sqrt(2 / fan_in), fan_in = C_in·k·k."""
    fan = C_in * k * k
    v = math.sqrt(2 / fan)
    return Computed(v, f"fan_in = C_in*k*k = {C_in}*{k}*{k} = {fan}; std = sqrt(2/{fan}) = {v:.4g}")


@register("numeric")
def xavier_uniform_bound(*, fan_in: int, fan_out: int) -> Computed:
    """Glorot/Xavier uniform bound a = sqrt(6 / (fan_in + fan_out)), weights ~ U(−a, a)."""
    v = math.sqrt(6 / (fan_in + fan_out))
    return Computed(v, f"a = sqrt(6 / ({fan_in} + {fan_out})) = sqrt(6/{fan_in + fan_out}) = {v:.4g}")


@register("numeric")
def gradcheck_forward_passes(*, P: int) -> Computed:
    """Forward passes to check all P parameters by centred differences (two per parameter)."""
    return Computed(2 * P, f"each parameter needs f(θ + h) and f(θ - h): 2*{P:,} = {2 * P:,} forward passes")
