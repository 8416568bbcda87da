"""Item ids that no longer exist, and the item that took each one's place.

Progress is keyed by item id, so an id is never reused for a different question. When two items were near
duplicates, one was kept and the other's id maps to it here; when an item moved to another topic, its old id maps
to the new one. :meth:`questions.loader.Bank.get` resolves these ids, and the progress store moves attempts and
review states recorded under an old id to the kept item (quiz.store.renamed).
"""

from __future__ import annotations

from collections.abc import Mapping

RENAMED: dict[str, str] = {
    # near duplicates merged into the item kept (second edition of the bank, issue 15)
    "backpropagation.step-order-mcq": "optimisers.step-order",
    "backpropagation.scalar-chain-example": "param.scalar-chain-rule",
    "backpropagation.training-step-order": "optimisers.training-loop",
    "backpropagation.weight-gradient-shape": "param.linear-weight-grad-shape",
    "debugging_gradcheck.initial-loss-1000": "param.initial-loss",
    "flops_params_memory.adam-1b-memory": "param.optimizer-memory-adam",
    "flops_params_memory.inference-memory": "flops_params_memory.why-inference-cheaper",
    "flops_params_memory.linear-param-count": "param.linear-params",
    "normalisation.bn-eval-uses": "train_eval_mode.batchnorm-eval-stats",
    "normalisation.running-var-update": "train_eval_mode.running-variance-update",
    "precision_deployment.bf16-weights-memory": "param.weights-memory-bf16",
    "shapes_broadcasting.conv-output-shape": "torch_layers.conv-output-shape",
    "shapes_broadcasting.conv-output-size": "torch_layers.conv2d-computes",
    "shapes_broadcasting.embedding-output-shape": "param.embedding-out-shape",
    "softmax_stability.log-of-softmax-unstable": "softmax_stability.log-softmax",
    "torch_layers.conv-param-count": "param.conv-params",
    "torch_layers.conv-same-padding": "shapes_broadcasting.same-padding",
    "torch_layers.dropout-module": "train_eval_mode.dropout-train-vs-eval",
    "torch_layers.embedding-module": "shapes_broadcasting.embedding-lookup",
    "torch_layers.embedding-output-shape": "param.embedding-out-shape",
    "torch_layers.linear-weight-shape": "shapes_broadcasting.linear-weight-shape",
    "torch_layers.mha-param-count": "param.mha-params",
    "train_eval_mode.batchnorm-train-output": "normalisation.bn-train-output",
    "train_eval_mode.dropout-scaled-value": "param.dropout-kept-value",
    "train_eval_mode.tiny-batch-batchnorm": "normalisation.bn-small-batches",
    # moved to the topic they belong to
    "initialisation.clip-norm-result": "optimisers.clip-norm-result",
    "initialisation.clip-placement": "optimisers.clip-placement",
    "precision_deployment.flinear-weight": "torch_layers.flinear-weight",
    "precision_deployment.functional-linear": "torch_layers.functional-linear",
}


def current_id(item_id: str, renamed: Mapping[str, str] = RENAMED) -> str:
    """The id under which the item known as ``item_id`` lives now (itself when it was never renamed)."""
    seen = {item_id}
    while item_id in renamed:
        item_id = renamed[item_id]
        if item_id in seen:  # a cycle would be a mistake in RENAMED; a test rules it out
            break
        seen.add(item_id)
    return item_id
