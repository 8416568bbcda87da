"""Loading decks: the built-in bank is valid, user decks load beside it, broken decks become Problems."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from questions import loader
from questions.loader import Bank, Problem, load_bank, load_task_texts, task_texts_with_problems
from questions.schema import MultipleChoice

VALID_ITEMS: list[dict[str, Any]] = [
    {"id": "user.flash", "type": "flashcard", "topic": "losses", "difficulty": "easy",
     "prompt": "Why cross-entropy?", "answer": "It is the negative log-likelihood.", "key_points": ["NLL", "MLE"]},
    {"id": "user.mcq", "type": "mcq", "topic": "activations", "difficulty": "medium",
     "prompt": "Which is zero-centred?",
     "choices": [{"text": "tanh", "correct": True}, {"text": "sigmoid", "why": "its range is (0, 1)"},
                 {"text": "ReLU", "why": "it is never negative"}]},
    {"id": "user.num", "type": "numeric", "topic": "flops_params_memory", "difficulty": "hard",
     "prompt": "Parameters of Linear(10, 5)?", "answer": 55.0, "tolerance": {"kind": "abs", "value": 0}},
    {"id": "user.shape", "type": "shape", "topic": "shapes_broadcasting", "difficulty": "easy",
     "prompt": "Shape of Linear(3, 4) on (2, 3)?", "answer": [2, 4]},
    {"id": "user.param", "type": "parameterised", "topic": "shapes_broadcasting", "difficulty": "easy",
     "prompt": "Linear({d_in}, {d_out}) on ({N}, {d_in})?", "answer_kind": "shape",
     "calculator": "linear_output_shape", "params": {"N": {"min": 1, "max": 4}, "d_in": {"choices": [3, 5]},
                                                     "d_out": {"min": 2, "max": 6, "step": 2}}},
]


def write_deck(path: Path, items: list[dict[str, Any]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(tomli_w.dumps({"items": items}), encoding="utf-8")
    return path


# ---- the built-in bank --------------------------------------------------------------------------------------


def test_builtin_bank_has_no_problems(bank: Bank) -> None:
    assert bank.problems == [], "\n".join(str(p) for p in bank.problems)
    assert len(bank) > 0


def test_builtin_ids_are_unique_across_decks() -> None:
    seen: dict[str, Path] = {}
    for path in loader.builtin_deck_files():
        parsed = loader._parse_file(path)
        for item in parsed.items:
            assert item.id not in seen, f"{item.id} in {path} and {seen[item.id]}"
            seen[item.id] = path


def test_every_mcq_has_a_correct_choice(bank: Bank) -> None:
    mcqs = [i for i in bank if isinstance(i, MultipleChoice)]
    for item in mcqs:
        assert any(c.correct for c in item.choices), item.id
        assert all(c.why.strip() for c in item.choices if not c.correct), item.id


def test_every_item_states_its_source(bank: Bank) -> None:
    assert set(bank.sources) == {i.id for i in bank}
    assert bank.get(bank.items[0].id) is bank.items[0]


def test_task_texts_load_and_match_their_files() -> None:
    texts, problems = task_texts_with_problems()
    assert problems == [], "\n".join(str(p) for p in problems)
    assert load_task_texts() == texts
    for task_id, text in texts.items():
        assert text.id == task_id


def test_a_broken_task_text_is_a_problem(tmp_path: Path) -> None:
    (tmp_path / "relu.toml").write_text('id = "sigmoid"\ntitle = "x"\n', encoding="utf-8")
    (tmp_path / "tanh.toml").write_text("id = [", encoding="utf-8")
    texts, problems = task_texts_with_problems(tmp_path)
    assert texts == {}
    fields = {(Path(p.file).name, p.field) for p in problems}
    assert ("relu.toml", "topic") in fields and ("tanh.toml", "-") in fields


# ---- user decks ---------------------------------------------------------------------------------------------


def test_user_decks_load_beside_the_builtin_bank(tmp_path: Path, user_decks: Path, bank: Bank) -> None:
    write_deck(user_decks / "mine.toml", VALID_ITEMS[:2])
    write_deck(tmp_path / "extra" / "sub" / "more.toml", VALID_ITEMS[2:])
    loaded = load_bank([tmp_path / "extra"])
    assert loaded.problems == []
    assert len(loaded) == len(bank) + len(VALID_ITEMS)
    assert {"user.flash", "user.mcq", "user.num", "user.shape", "user.param"} <= set(loaded.by_id)
    assert loaded.sources["user.flash"] == user_decks / "mine.toml"
    assert len(load_bank([tmp_path / "extra"], include_user_dir=False)) == len(bank) + 3


def test_a_deck_file_can_be_given_directly(tmp_path: Path, bank: Bank) -> None:
    deck = write_deck(tmp_path / "one.toml", VALID_ITEMS[:1])
    loaded = load_bank([deck, deck], include_user_dir=False)  # the same file twice loads once
    assert len(loaded) == len(bank) + 1 and loaded.problems == []


def test_a_missing_extra_path_is_a_problem(tmp_path: Path) -> None:
    loaded = load_bank([tmp_path / "nope"], include_user_dir=False)
    assert [p.message for p in loaded.problems] == ["no such file or folder"]


def test_a_broken_user_deck_does_not_stop_the_rest(user_decks: Path, bank: Bank) -> None:
    (user_decks).mkdir(parents=True, exist_ok=True)
    (user_decks / "a_broken.toml").write_text("[[items]\nid = ", encoding="utf-8")
    write_deck(user_decks / "b_good.toml", VALID_ITEMS)
    loaded = load_bank()
    assert len(loaded) == len(bank) + len(VALID_ITEMS)
    (problem,) = loaded.problems
    assert problem.file.endswith("a_broken.toml") and problem.message.startswith("not valid TOML")


def test_one_bad_item_costs_only_that_item(tmp_path: Path, bank: Bank) -> None:
    bad = {**VALID_ITEMS[1], "id": "user.bad", "difficulty": "impossible"}
    deck = write_deck(tmp_path / "d.toml", [VALID_ITEMS[0], bad, VALID_ITEMS[2]])
    loaded = load_bank([deck], include_user_dir=False)
    assert len(loaded) == len(bank) + 2
    assert [(p.item_id, p.field) for p in loaded.problems] == [("user.bad", "difficulty")]


def problems_of(tmp_path: Path, text: str, name: str = "deck.toml") -> list[Problem]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    loader.clear_cache()
    return list(loader._parse_file(path).problems)


def one_item(**changes: Any) -> str:
    item = {**VALID_ITEMS[1], **changes}
    return tomli_w.dumps({"items": [{k: v for k, v in item.items() if v is not None}]})


@pytest.mark.parametrize(
    ("text", "item_id", "field", "message"),
    [
        ("items = [", "-", "-", "not valid TOML"),
        ("title = 'x'\n", "-", "items", "no [[items]]"),
        ("items = 3\n", "-", "items", "array of tables"),
        ("items = [1]\n", "items[0]", "-", "must be a table"),
        (one_item(prompt=None), "user.mcq", "prompt", "required field is missing"),
        (one_item(type=None), "user.mcq", "type", "required field is missing"),
        (one_item(type="essay"), "user.mcq", "type", "unknown type 'essay'"),
        (one_item(seconds="soon"), "user.mcq", "seconds", "integer"),
        (one_item(topik="losses"), "user.mcq", "topik", "unknown field"),
        (one_item(id="Bad Id!"), "Bad Id!", "id", "pattern"),
        (one_item(choices=[{"text": "a", "why": "x"}, {"text": "b", "why": "y"}, {"text": "c", "why": "z"}]),
         "user.mcq", "choices", "at least one correct choice"),
        (one_item(choices=[{"text": "a", "correct": True}, {"text": "b"}, {"text": "c", "why": "z"}]),
         "user.mcq", "choices", "need a 'why'"),
        (one_item(choices=[{"text": "a", "correct": True}, {"text": 3, "why": "z"}, {"text": "c", "why": "z"}]),
         "user.mcq", "choices[1].text", "string"),
    ],
)
def test_problems_name_file_item_and_field(tmp_path: Path, text: str, item_id: str, field: str, message: str) -> None:
    problems = problems_of(tmp_path, text)
    assert all(p.file.endswith("deck.toml") for p in problems)
    matching = [p for p in problems if (p.item_id, p.field) == (item_id, field)]
    assert matching, problems
    p = matching[0]
    assert message in p.message, p
    assert str(p) == f"{p.file}: {item_id}: {field}: {p.message}"


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"calculator": "nope"}, "calculator", "unknown calculator 'nope'"),
        ({"answer_kind": "numeric"}, "answer_kind", "gives a shape"),
        ({"params": {"N": {"min": 1, "max": 2}}, "prompt": "A batch of {N}"}, "params", "needs ['d_in', 'd_out']"),
        ({"fixed": {"d_in": 3, "colour": 1}}, "fixed", "both drawn"),
        ({"fixed": {"colour": 1}}, "params", "takes no ['colour']"),
        ({"prompt": "Linear({d_in}, {width})"}, "prompt", "unknown placeholders ['width']"),
        ({"params": {"N": {"min": 3, "max": 1}, "d_in": {"min": 1, "max": 2}, "d_out": {"min": 1, "max": 2}}},
         "params.N", "'min' <= 'max'"),
    ],
)
def test_parameterised_problems(tmp_path: Path, changes: dict[str, Any], field: str, message: str) -> None:
    text = tomli_w.dumps({"items": [{**VALID_ITEMS[4], **changes}]})
    (p,) = problems_of(tmp_path, text)
    assert (p.item_id, p.field) == ("user.param", field) and message in p.message, p


def test_a_template_without_any_valid_draw_is_a_problem(tmp_path: Path) -> None:
    item = {**VALID_ITEMS[4], "id": "user.conv", "calculator": "conv_output_size", "answer_kind": "numeric",
            "prompt": "conv {H}", "params": {"H": {"min": 1, "max": 2}}, "fixed": {"k": 9}}
    (p,) = problems_of(tmp_path, tomli_w.dumps({"items": [item]}))
    assert (p.item_id, p.field) == ("user.conv", "params") and "no valid parameters" in p.message


def test_duplicate_ids_are_problems(tmp_path: Path, bank: Bank) -> None:
    builtin_id = bank.items[0].id
    deck = write_deck(tmp_path / "dup.toml", [VALID_ITEMS[0], VALID_ITEMS[0], {**VALID_ITEMS[1], "id": builtin_id}])
    loaded = load_bank([deck], include_user_dir=False)
    dups = [p for p in loaded.problems if p.field == "id"]
    assert [p.item_id for p in dups] == ["user.flash", builtin_id]
    assert all("duplicate id" in p.message for p in dups)
    assert loaded.by_id[builtin_id] == bank.by_id[builtin_id]  # the built-in item wins


def test_yaml_decks_need_pyyaml_or_load(tmp_path: Path) -> None:
    path = tmp_path / "deck.yaml"
    path.write_text("items:\n  - id: user.y\n", encoding="utf-8")
    problems = list(loader._parse_file(path).problems)
    try:
        import yaml  # noqa: F401
    except ImportError:
        assert [p.message for p in problems] == ["YAML decks need PyYAML (pip install pyyaml); or use TOML"]
    else:
        assert problems and problems[0].item_id == "user.y"


def test_non_utf8_deck(tmp_path: Path) -> None:
    path = tmp_path / "latin.toml"
    path.write_bytes(b'title = "caf\xe9"\n')
    (p,) = loader._parse_file(path).problems
    assert "not UTF-8" in p.message


def test_cache_sees_edits(tmp_path: Path) -> None:
    path = write_deck(tmp_path / "d.toml", VALID_ITEMS[:1])
    assert len(loader._parse_file(path).items) == 1
    write_deck(path, VALID_ITEMS[:3])
    assert len(loader._parse_file(path).items) == 3


# ---- property tests: whatever the file says, a Problem with file and field, never an exception -------------

FIELDS = sorted({k for item in VALID_ITEMS for k in item})
JUNK = st.one_of(
    st.none(), st.booleans(), st.integers(-10**6, 10**6), st.floats(allow_nan=False), st.text(max_size=20),
    st.lists(st.integers(0, 5), max_size=3), st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=300))
def test_random_text_never_raises(tmp_path: Path, text: str) -> None:
    problems = problems_of(tmp_path, text, "random.toml")
    assert all(p.file.endswith("random.toml") and p.field and p.item_id and p.message for p in problems)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    index=st.integers(0, len(VALID_ITEMS) - 1),
    deletions=st.sets(st.sampled_from(FIELDS), max_size=3),
    changes=st.dictionaries(st.sampled_from(FIELDS), JUNK, max_size=3),
)
def test_mutated_items_give_a_problem_with_the_field(
    tmp_path: Path, index: int, deletions: set[str], changes: dict[str, Any]
) -> None:
    item = {k: v for k, v in VALID_ITEMS[index].items() if k not in deletions}
    item.update({k: v for k, v in changes.items() if v is not None})
    for k, v in changes.items():
        if v is None:
            item.pop(k, None)
    problems = problems_of(tmp_path, tomli_w.dumps({"items": [item]}), "mutated.toml")
    loaded = not problems
    if loaded:
        return  # some mutations are still valid items (a new valid seconds, an optional field dropped ...)
    for p in problems:
        assert p.file.endswith("mutated.toml")
        assert p.field and p.field != "-", p
        assert p.item_id == (item["id"] if isinstance(item.get("id"), str) and item["id"].strip() else "items[0]")
        assert p.message and "Traceback" not in p.message
