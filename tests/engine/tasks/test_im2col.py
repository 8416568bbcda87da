"""Task ``im2col``: col2im is im2col's transpose, im2col turns conv2d into a matmul, worked example, PyTorch."""

from __future__ import annotations

import numpy as np
import pytest

from engine.tasks import get_task
from engine.tasks.conv2d import conv2d_forward
from engine.tasks.im2col import col2im, im2col
from tests.engine.tasks.support import assert_written_in_statement, gradcheck_cases

TASK_ID = "im2col"


def test_col2im_matches_finite_differences_of_im2col() -> None:
    assert len(gradcheck_cases(TASK_ID)) >= 7


def test_col2im_is_the_transpose_of_im2col() -> None:
    rng = np.random.default_rng(6)
    for case in get_task(TASK_ID).cases():
        a = case.calls[0].args
        if case.calls[0].function != "col2im":
            continue
        x = rng.standard_normal(a["x_shape"])
        geometry = {k: a[k] for k in ("kh", "kw", "stride", "padding") if k in a}
        lhs = float(np.sum(im2col(x, **geometry) * a["cols"]))
        np.testing.assert_allclose(lhs, float(np.sum(x * col2im(a["cols"], a["x_shape"], **geometry))), rtol=1e-12)


def test_convolution_as_a_matrix_product() -> None:
    rng = np.random.default_rng(9)
    x, W, b = rng.standard_normal((2, 3, 6, 5)), rng.standard_normal((4, 3, 3, 2)), rng.standard_normal(4)
    cols = im2col(x, 3, 2, stride=2, padding=1)
    y = (cols @ W.reshape(4, -1).T + b).reshape(2, 3, 3, 4).transpose(0, 3, 1, 2)
    np.testing.assert_allclose(y, conv2d_forward(x, W, b, stride=2, padding=1), rtol=1e-12, atol=1e-12)


def test_worked_example() -> None:
    x = np.arange(1.0, 10.0).reshape(1, 1, 3, 3)
    cols = im2col(x, 2, 2)
    assert_written_in_statement(TASK_ID, cols, col2im(cols, (1, 1, 3, 3), 2, 2))
    np.testing.assert_array_equal(im2col(np.arange(1.0, 9.0).reshape(1, 2, 2, 2), 2, 2), [np.arange(1.0, 9.0)])
    padded = im2col(np.array([[[[1.0, 2.0], [4.0, 5.0]]]]), 2, 2, stride=2, padding=1)
    np.testing.assert_array_equal(padded, [[0, 0, 0, 1], [0, 0, 2, 0], [0, 4, 0, 0], [5, 0, 0, 0]])


def test_matches_pytorch_unfold_and_fold() -> None:
    torch = pytest.importorskip("torch")
    for case in get_task(TASK_ID).cases():
        a = case.calls[0].args
        geometry = {"kernel_size": (a["kh"], a["kw"]), "stride": a.get("stride", 1), "padding": a.get("padding", 0)}
        if case.calls[0].function == "im2col":
            unfolded = torch.nn.functional.unfold(torch.tensor(a["x"]), **geometry)  # (N, C*kh*kw, L)
            want = unfolded.transpose(1, 2).reshape(-1, unfolded.shape[1]).numpy()
            np.testing.assert_allclose(im2col(**a), want, rtol=1e-12)
        else:
            n, _c, h, w = a["x_shape"]
            cols = torch.tensor(a["cols"]).reshape(n, -1, a["cols"].shape[1]).transpose(1, 2)
            want = torch.nn.functional.fold(cols, output_size=(h, w), **geometry).numpy()
            np.testing.assert_allclose(col2im(**a), want, rtol=1e-12, atol=1e-12)
