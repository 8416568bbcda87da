"""How the calculators are split into modules: one registry, every topic module registered through questions.calc,
no import cycle, and a deck author told where the names are."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import questions
from questions.calc import CALCULATORS
from questions.schema import Deck, Parameterised

CALC_DIR = Path(questions.__file__).parent
TOPIC_MODULES = sorted(f"questions.{p.stem}" for p in CALC_DIR.glob("calc_*.py") if p.stem != "calc_core")


def _run(code: str) -> list[str]:
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    return out.stdout.split()


def test_every_topic_module_contributes_calculators_and_nothing_else_does() -> None:
    assert len(TOPIC_MODULES) >= 7
    assert {calc.fn.__module__ for calc in CALCULATORS.values()} == set(TOPIC_MODULES)


def test_the_core_imports_no_topic_module() -> None:
    code = (
        "import sys, questions.calc_core as c; "
        "print(len(c.CALCULATORS), sorted(m for m in sys.modules if m.startswith('questions.calc')))"
    )
    assert _run(code) == ["0", "['questions.calc_core']"]


@pytest.mark.parametrize("module", ["questions.calc_shapes", "questions.calc_training", "questions.calc_llm"])
def test_a_topic_module_imports_alone_and_registers_only_its_own(module: str) -> None:
    code = (
        f"import sys, {module}; from questions.calc_core import CALCULATORS as C; "
        f"print('questions.calc' in sys.modules, {{c.fn.__module__ for c in C.values()}} == {{{module!r}}}, len(C))"
    )
    in_modules, only_own, count = _run(code)
    assert (in_modules, only_own) == ("False", "True")
    assert int(count) == sum(c.fn.__module__ == module for c in CALCULATORS.values())


def test_the_published_deck_schema_lists_every_calculator() -> None:
    props = Deck.model_json_schema()["$defs"]["Parameterised"]["properties"]["calculator"]
    assert props["type"] == "string"
    assert props["enum"] == sorted(CALCULATORS)


def _template(calculator: str) -> dict[str, object]:
    return {"id": "user.conv", "type": "parameterised", "topic": "cnns", "difficulty": "easy",
            "prompt": "conv of {H}", "answer_kind": "numeric", "calculator": calculator,
            "params": {"H": {"min": 5, "max": 9}}, "fixed": {"k": 3}}


def test_a_misspelt_calculator_gets_the_nearest_name_and_where_to_find_them_all() -> None:
    with pytest.raises(ValueError, match="unknown calculator") as err:
        Parameterised.model_validate(_template("conv_output_sise"))
    message = str(err.value)
    assert "did you mean 'conv_output_size'?" in message
    assert "`nnprep schema question` lists them all" in message
    assert "questions/calc.py" not in message
    with pytest.raises(ValueError) as err:
        Parameterised.model_validate(_template("zzz"))
    assert "did you mean" not in str(err.value)
    assert Parameterised.model_validate(_template("conv_output_size")).calculator == "conv_output_size"
