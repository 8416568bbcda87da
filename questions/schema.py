"""The pydantic schema of everything a person reads: bank items and coding-task texts.

Deck files are TOML: a top-level array of tables ``[[items]]``, each one item below, discriminated by ``type``.
"""

from __future__ import annotations

import difflib
import re
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from questions.calc import CALCULATORS

TOPICS: dict[str, str] = {
    "forward_propagation": "Forward propagation",
    "shapes_broadcasting": "Tensor shapes and broadcasting",
    "flops_params_memory": "FLOPs, parameters and memory",
    "backpropagation": "Backpropagation and the chain rule",
    "activations": "Activation functions",
    "losses": "Loss functions and output pairing",
    "softmax_stability": "Softmax and numerical stability",
    "train_eval_mode": "Training vs evaluation mode",
    "normalisation": "Normalisation",
    "initialisation": "Initialisation and gradient flow",
    "optimisers": "Optimisers and the training loop",
    "torch_layers": "Layers of torch.nn",
    "attention_sequence": "Attention and sequence models",
    "precision_deployment": "Precision and deployment",
    "debugging_gradcheck": "Debugging and gradient checking",
    "cnns": "Convolutional networks",
    "regularisation": "Overfitting and regularisation",
    "llm_inference": "LLM inference and decoding",
    "training_at_scale": "Training at scale",
}

Topic = Literal[
    "forward_propagation",
    "shapes_broadcasting",
    "flops_params_memory",
    "backpropagation",
    "activations",
    "losses",
    "softmax_stability",
    "train_eval_mode",
    "normalisation",
    "initialisation",
    "optimisers",
    "torch_layers",
    "attention_sequence",
    "precision_deployment",
    "debugging_gradcheck",
    "cnns",
    "regularisation",
    "llm_inference",
    "training_at_scale",
]
Difficulty = Literal["easy", "medium", "hard"]
PLACEHOLDER = re.compile(r"\{(\w+)\}")
ItemId = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_.-]{2,79}$")]
TaskId = Annotated[str, Field(pattern=r"^[a-z0-9_]{2,40}$")]


class FieldError(ValueError):
    """A validation error that belongs to a named field (pydantic reports model-level errors without a location).

    The loader reads ``field`` from the error's context to report ``file: item id: field: message``.
    """

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class Strict(BaseModel):
    """Unknown fields are errors: a typo in a deck file must not pass silently."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class ItemBase(Strict):
    """Fields every bank item has."""

    id: ItemId
    topic: Topic
    difficulty: Difficulty
    prompt: str = Field(min_length=5, description="The question, Markdown.")
    tags: list[str] = Field(default_factory=list)
    seconds: int = Field(60, ge=5, le=1800, description="Estimated seconds to answer.")
    explanation: str = Field("", description="Why the answer is right, Markdown; shown after answering.")
    related_tasks: list[TaskId] = Field(default_factory=list, description="Coding-task ids that practise this.")


class Flashcard(ItemBase):
    """Free-text question, self-graded against key points, then rated Again/Hard/Good/Easy."""

    type: Literal["flashcard"]
    answer: str = Field(min_length=5, description="The model answer, Markdown.")
    key_points: list[str] = Field(min_length=2, max_length=5, description="What an interviewer listens for.")


class Choice(Strict):
    text: str = Field(min_length=1)
    correct: bool = False
    why: str = Field("", description="Why this choice is right or wrong; required for wrong choices.")


class MultipleChoice(ItemBase):
    """3–5 choices, one or more correct; every wrong choice explains why it is wrong."""

    type: Literal["mcq"]
    choices: list[Choice] = Field(min_length=3, max_length=5)

    @field_validator("choices")
    @classmethod
    def _has_correct_and_reasons(cls, choices: list[Choice]) -> list[Choice]:
        if not any(c.correct for c in choices):
            raise ValueError("an mcq needs at least one correct choice")
        missing = [i for i, c in enumerate(choices) if not c.correct and not c.why.strip()]
        if missing:
            raise ValueError(f"wrong choices {missing} need a 'why' explanation")
        texts = [c.text.strip() for c in choices]
        if len(set(texts)) != len(texts):
            raise ValueError("choices must be distinct")
        return choices

    @property
    def multiple(self) -> bool:
        return sum(c.correct for c in self.choices) > 1


class Tolerance(Strict):
    kind: Literal["abs", "rel"] = "rel"
    value: float = Field(0.01, ge=0)


class Numeric(ItemBase):
    """A number, checked within a stated tolerance."""

    type: Literal["numeric"]
    answer: float
    tolerance: Tolerance = Field(default_factory=Tolerance)
    unit: str | None = None


class ShapeItem(ItemBase):
    """A tensor shape, e.g. (32, 64)."""

    type: Literal["shape"]
    answer: list[int] = Field(min_length=0, max_length=8)

    @field_validator("answer")
    @classmethod
    def _positive(cls, v: list[int]) -> list[int]:
        if any(d < 0 for d in v):
            raise ValueError("dimensions must be non-negative")
        return v


class IntRange(Strict):
    """An integer parameter drawn uniformly from ``choices`` or from ``min..max`` (inclusive) in ``step``s."""

    min: int | None = None
    max: int | None = None
    step: int = Field(1, ge=1)
    choices: list[int] | None = None

    @model_validator(mode="after")
    def _one_form(self) -> IntRange:
        if self.choices is not None:
            if not self.choices or self.min is not None or self.max is not None:
                raise ValueError("give either non-empty 'choices' or 'min' and 'max'")
        elif self.min is None or self.max is None or self.min > self.max:
            raise ValueError("give 'min' <= 'max' (or 'choices')")
        return self


class Parameterised(ItemBase):
    """A template: parameters drawn per attempt, answer computed by a calculator in questions.calc.

    ``prompt`` uses ``{name}`` placeholders for the parameters. ``calculator`` names a function in
    ``questions.calc.CALCULATORS``, called with the drawn parameters as keywords (plus ``fixed``).
    """

    type: Literal["parameterised"]
    answer_kind: Literal["numeric", "shape"]
    calculator: str = Field(
        description="The calculator that computes the answer and its working; every name is in `enum`.",
        json_schema_extra={"enum": [name for name in sorted(CALCULATORS)]},  # a display: typed as JSON values
    )
    params: dict[str, IntRange] = Field(min_length=1)
    fixed: dict[str, int | float | bool | str] = Field(default_factory=dict)
    tolerance: Tolerance = Field(default_factory=lambda: Tolerance(kind="rel", value=0.0))
    unit: str | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Parameterised:
        names = set(PLACEHOLDER.findall(self.prompt))
        unknown = names - set(self.params) - set(self.fixed)
        if unknown:
            raise FieldError("prompt", f"uses unknown placeholders {sorted(unknown)}")
        both = set(self.params) & set(self.fixed)
        if both:
            raise FieldError("fixed", f"{sorted(both)} are both drawn (params) and fixed")
        calc = CALCULATORS.get(self.calculator)
        if calc is None:
            close = difflib.get_close_matches(self.calculator, CALCULATORS, n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            raise FieldError(
                "calculator",
                f"unknown calculator {self.calculator!r}; {hint}`nnprep schema question` lists them all "
                "(the enum of `calculator`)",
            )
        if calc.kind != self.answer_kind:
            raise FieldError("answer_kind", f"{self.calculator!r} gives a {calc.kind}, not a {self.answer_kind}")
        given = set(self.params) | set(self.fixed)
        missing = calc.required - given
        if missing:
            raise FieldError("params", f"calculator {self.calculator!r} needs {sorted(missing)} (in params or fixed)")
        extra = given - calc.accepted
        if extra:
            raise FieldError(
                "params", f"calculator {self.calculator!r} takes no {sorted(extra)}; it takes {sorted(calc.accepted)}"
            )
        return self


Item = Annotated[
    Flashcard | MultipleChoice | Numeric | ShapeItem | Parameterised, Field(discriminator="type")
]
AUTO_GRADED = ("mcq", "numeric", "shape", "parameterised")


class Deck(Strict):
    """One deck file."""

    items: list[Item] = Field(default_factory=list)


class TaskText(Strict):
    """The prose side of a coding task (questions/tasks/<id>.toml); its executable side is engine.tasks.<id>."""

    id: TaskId
    title: str
    topic: Topic
    difficulty: Difficulty
    minutes: int = Field(ge=1, le=120)
    tags: list[str] = Field(default_factory=list)
    statement: str = Field(min_length=50, description="Markdown: conventions, shapes and a worked example.")
    starter: str = Field(description="Python source the candidate starts from: signatures and docstrings.")
    hints: list[str] = Field(min_length=2, max_length=3, description="From gentle to nearly the answer.")
    solution_notes: str = Field(min_length=20, description="A short explanation of the reference solution.")
