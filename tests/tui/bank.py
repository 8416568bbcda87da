"""A small fixed bank for the TUI tests: one item of each type, built with the real schema."""

from __future__ import annotations

from typing import Any

from pydantic import TypeAdapter

from questions.schema import Item

ITEMS: list[dict[str, Any]] = [
    {
        "id": "t.flash", "type": "flashcard", "topic": "backpropagation", "difficulty": "easy",
        "prompt": "Why does the bias gradient sum over the batch?",
        "answer": "The bias is **broadcast** to every row, so its gradient adds up every row's upstream gradient.",
        "key_points": ["b is broadcast over the batch", "the gradient of a broadcast is a sum"],
        "explanation": "Broadcasting copies; the adjoint of copying is summing.",
    },
    {
        "id": "t.mcq", "type": "mcq", "topic": "activations", "difficulty": "easy",
        "prompt": "What is the derivative of ReLU at x = 2?",
        "choices": [
            {"text": "0", "why": "That is the slope for negative inputs."},
            {"text": "1", "correct": True, "why": "ReLU is the identity for positive inputs."},
            {"text": "2", "why": "That is the value, not the slope."},
        ],
        "explanation": "relu(x) = max(0, x).",
    },
    {
        "id": "t.multi", "type": "mcq", "topic": "normalisation", "difficulty": "medium",
        "prompt": "Which layers behave differently in training and evaluation mode?",
        "choices": [
            {"text": "Dropout", "correct": True, "why": "It drops units only in training."},
            {"text": "BatchNorm", "correct": True, "why": "It uses batch statistics only in training."},
            {"text": "Linear", "why": "A linear layer computes the same thing in both modes."},
        ],
    },
    {
        "id": "t.numeric", "type": "numeric", "topic": "flops_params_memory", "difficulty": "easy",
        "prompt": "How many parameters has nn.Linear(10, 5), bias included?", "answer": 55,
        "explanation": "10 × 5 weights plus 5 biases.",
    },
    {
        "id": "t.shape", "type": "shape", "topic": "shapes_broadcasting", "difficulty": "easy",
        "prompt": "x is (32, 10) and W is (5, 10). What is the shape of x @ W.T?", "answer": [32, 5],
    },
]


def fixed_items() -> list[Any]:
    adapter: TypeAdapter[Any] = TypeAdapter(Item)
    return [adapter.validate_python(d) for d in ITEMS]


LINEAR_STARTER = '''import numpy as np


def linear_forward(x, W, b):
    """x (N, D_in), W (D_out, D_in), b (D_out,) -> y (N, D_out)."""
    raise NotImplementedError


def linear_backward(dy, x, W, b):
    """dy (N, D_out) -> dx (N, D_in), dW (D_out, D_in), db (D_out,)."""
    raise NotImplementedError
'''


def linear_text() -> Any:
    from questions.schema import TaskText

    return TaskText(
        id="linear", title="Linear layer forward and backward", topic="backpropagation", difficulty="easy",
        minutes=15,
        statement="Implement `y = x @ W.T + b` and its backward pass. W is stored (D_out, D_in) as in "
                  "torch.nn.Linear; the bias is broadcast over the batch.",
        starter=LINEAR_STARTER,
        hints=["dx has the shape of x.", "db sums dy over the batch.", "dW = dy.T @ x."],
        solution_notes="The backward pass multiplies the upstream gradient by the local Jacobians.",
    )
