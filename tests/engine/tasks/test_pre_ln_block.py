"""Task ``pre_ln_block``: the worked example, the cases tell every known mistake apart, PyTorch's encoder layer."""

from __future__ import annotations

import numpy as np
import pytest

from engine.compare import relative_error
from engine.task import CallResult, DiagnosisContext
from engine.tasks import get_task
from engine.tasks.pre_ln_block import _variants, pre_ln_block
from tests.engine.tasks.support import assert_written_in_statement

TASK_ID = "pre_ln_block"


def test_worked_example() -> None:
    x, eye, ones, zeros = np.array([[[1.0, 3.0], [2.0, 0.0]]]), np.eye(2), np.ones(2), np.zeros(2)
    weights = (ones, zeros, eye, eye, eye, eye, ones, zeros, eye, zeros, eye, zeros, 1)
    causal = pre_ln_block(x, *weights, causal=True)
    assert_written_in_statement(TASK_ID, causal, pre_ln_block(x, *weights)[0, 0])
    np.testing.assert_allclose(causal[0, 1], pre_ln_block(x, *weights)[0, 1], rtol=1e-12)


def test_every_mistake_is_far_from_the_reference_on_every_seed() -> None:
    """Each variant the detector knows is at least ten tolerances off in some hidden case, whatever the seed."""
    task = get_task(TASK_ID)
    for seed in range(25):
        far: dict[str, float] = {}
        for case in task.cases(hidden_seed=seed):
            call = case.calls[0]
            expected = task.expected_outputs(call)
            ctx = DiagnosisContext(task, call, dict(expected), expected, CallResult(call))
            for value, text in _variants(ctx):
                key = text.split(":")[0].split(";")[0]
                assert value is not None
                far[key] = max(far.get(key, 0.0), relative_error(expected["out"], value))
        assert min(far.values()) > 10 * task.tolerance, (seed, far)


def test_matches_pytorch_encoder_layer() -> None:
    torch = pytest.importorskip("torch")
    for case in get_task(TASK_ID).cases():
        a = case.calls[0].args
        e, f = a["x"].shape[2], a["W1"].shape[0]
        layer = torch.nn.TransformerEncoderLayer(
            e, a["num_heads"], dim_feedforward=f, dropout=0.0, norm_first=True, batch_first=True,
            activation=lambda t: torch.nn.functional.gelu(t, approximate="tanh"), dtype=torch.float64,
        )
        with torch.no_grad():
            attn = layer.self_attn
            attn.in_proj_weight.copy_(torch.tensor(np.concatenate([a["W_q"], a["W_k"], a["W_v"]])))
            attn.in_proj_bias.zero_()
            attn.out_proj.weight.copy_(torch.tensor(a["W_o"]))
            attn.out_proj.bias.zero_()
            for name, param in (("W1", layer.linear1.weight), ("b1", layer.linear1.bias),
                                ("W2", layer.linear2.weight), ("b2", layer.linear2.bias),
                                ("ln1_gamma", layer.norm1.weight), ("ln1_beta", layer.norm1.bias),
                                ("ln2_gamma", layer.norm2.weight), ("ln2_beta", layer.norm2.bias)):
                param.copy_(torch.tensor(a[name]))
        length = a["x"].shape[1]
        mask = torch.nn.Transformer.generate_square_subsequent_mask(length, dtype=torch.float64)
        out = layer(torch.tensor(a["x"]), src_mask=mask if a.get("causal") else None)
        np.testing.assert_allclose(pre_ln_block(**a), out.detach().numpy(), rtol=1e-10, atol=1e-12)

