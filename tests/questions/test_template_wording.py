"""Rendered templates read right for every draw, and draw what they should (200 seeds, as in test_params)."""

from __future__ import annotations

import itertools
import re
from collections import Counter

import pytest

from questions import draw
from questions.calc import CALCULATORS
from tests.questions.test_params import IDS, SEEDS, TEMPLATES

# "1 channels", "1 sequences": a count of one before a word ending in s, except verbs and singular nouns.
SINGULAR_S = "is|has|was|does|bias|class|loss|axis|focus|plus|minus|pass|process"
ONE_PLURAL = re.compile(rf"(?<![\d.,-])\b1 (?!(?:{SINGULAR_S})\b)[A-Za-z-]*s\b")


def test_the_plural_pattern_catches_what_it_should() -> None:
    assert ONE_PLURAL.search("Square images with 1 channels")
    assert ONE_PLURAL.search("a batch of 1 sequences of 64 tokens")
    assert not ONE_PLURAL.search("H = 1 is fine; 1 class; 1 bias; 1 loss; 21 channels; 0.1 steps")


@pytest.mark.parametrize("item", TEMPLATES, ids=IDS)
def test_no_rendered_prompt_says_one_of_a_plural(item: object) -> None:
    for seed in SEEDS:
        prompt = draw(item, seed).prompt  # type: ignore[arg-type]
        assert not ONE_PLURAL.search(prompt), (seed, prompt)


def _template(item_id: str) -> object:
    return next(t for t in TEMPLATES if t.id == item_id)


def test_warmup_lr_draws_every_warmup_with_a_valid_step() -> None:
    item = _template("param.warmup-lr")
    specs = item.params  # type: ignore[attr-defined]
    calc = CALCULATORS["warmup_lr"]
    # every combination is valid, so no warm-up length is drawn less often because its steps get rejected
    for combo in itertools.product(*(s.choices for s in specs.values())):
        assert calc.is_valid(**dict(zip(specs, combo, strict=True))), combo
    counts = Counter(draw(item, s).params["warmup"] for s in SEEDS)  # type: ignore[arg-type]
    assert set(counts) == set(specs["warmup"].choices) and min(counts.values()) >= 25, counts


def test_adam_bias_correction_draws_second_moment_betas_and_varies() -> None:
    item = _template("param.adam-bias-correction")
    draws = [draw(item, s) for s in SEEDS]  # type: ignore[arg-type]
    betas = {d.params["beta_milli"] for d in draws}
    assert min(betas) >= 950, "0.9 is β₁'s default, not a β₂ anyone uses"
    assert len({tuple(sorted(d.params.items())) for d in draws}) >= 180


def test_batchnorm_eval_output_states_the_eps_it_uses() -> None:
    d = draw(_template("param.batchnorm-eval-output"), 2)  # type: ignore[arg-type]
    assert "eps = 1e-5" in d.prompt and "negligible" not in d.prompt
