"""Multiple-choice keys are spread over positions and not usually the longest choice (questions.key_balance)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from questions.key_balance import MAX_SHARE, key_balance_warnings, key_index, key_is_longest, keyed_from_the_top
from questions.loader import Bank, load_bank
from questions.schema import MultipleChoice
from quiz import cli
from tests.questions.test_loader import write_deck


def mcq(item_id: str, texts: list[str], key: int) -> dict[str, Any]:
    """A single-answer item with ``texts`` as its choices and ``texts[key]`` as the key."""
    choices = [{"text": t, "correct": n == key, "why": "" if n == key else "no"} for n, t in enumerate(texts)]
    return {"id": item_id, "type": "mcq", "topic": "losses", "difficulty": "easy", "prompt": "Which one?",
            "choices": choices}


def test_the_shipped_bank_has_no_warnings(bank: Bank) -> None:
    assert key_balance_warnings(bank) == []


def test_the_shipped_bank_spreads_keys_overall(bank: Bank) -> None:
    single = [i for i in bank if isinstance(i, MultipleChoice) and not i.multiple]
    positions = Counter(key_index(i) for i in single)
    assert max(positions.values()) <= MAX_SHARE * len(single), positions
    assert sum(key_is_longest(i) for i in single) <= MAX_SHARE * len(single)
    multi = [i for i in bank if isinstance(i, MultipleChoice) and i.multiple]
    assert [i.id for i in multi if keyed_from_the_top(i)] == []


def test_a_tie_for_longest_is_not_a_longest_key() -> None:
    from pydantic import TypeAdapter

    adapter = TypeAdapter(MultipleChoice)
    assert key_is_longest(adapter.validate_python(mcq("u.a", ["long key", "short", "tiny"], 0)))
    assert not key_is_longest(adapter.validate_python(mcq("u.b", ["same", "size", "tiny"], 0)))


def test_a_deck_that_always_keys_the_first_and_longest_choice_warns(tmp_path: Path) -> None:
    items = [mcq(f"u.q{n}", ["the right and longest answer", "wrong", "also wrong"], 0) for n in range(5)]
    write_deck(tmp_path / "lazy.toml", items)
    warnings = key_balance_warnings(load_bank([tmp_path], include_user_dir=False))
    messages = [w.message for w in warnings if w.file.endswith("lazy.toml")]
    assert messages == [
        "5 of 5 single-answer keys are choice 1 (more than 40%); move some keys to other positions",
        "in 5 of 5 single-answer items the key is the longest choice (more than 40%); shorten keys or lengthen "
        "distractors",
    ]


def test_two_in_five_is_allowed_three_is_not(tmp_path: Path) -> None:
    keys = [0, 0, 1, 2, 3]
    write_deck(tmp_path / "ok.toml", [mcq(f"u.ok{n}", ["aa", "bb", "cc", "dd"], k) for n, k in enumerate(keys)])
    write_deck(tmp_path / "bad.toml", [mcq(f"u.bad{n}", ["aa", "bb", "cc", "dd"], k)
                                       for n, k in enumerate([0, 0, 0, 2, 3])])
    warnings = key_balance_warnings(load_bank([tmp_path], include_user_dir=False))
    assert [w.file.rsplit("/", 1)[-1] for w in warnings] == ["bad.toml"]


def test_validate_prints_the_warning_and_strict_fails(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_deck(tmp_path / "lazy.toml", [mcq(f"u.q{n}", ["a long right answer", "no", "nope"], 0) for n in range(3)])
    status = cli.main(["bank", "validate", str(tmp_path)])
    out = capsys.readouterr().out
    assert status == 0
    assert "warning: " in out and "lazy.toml: -: choices: 3 of 3 single-answer keys are choice 1" in out
    assert out.splitlines()[-1].endswith("no problems, 2 warnings")
    assert cli.main(["bank", "validate", "--strict", str(tmp_path)]) == 1


def test_multi_answer_items_keyed_from_the_top_warn(tmp_path: Path) -> None:
    def multi(item_id: str, keys: set[int]) -> dict[str, Any]:
        choices = [{"text": f"choice {n}", "correct": n in keys, "why": "" if n in keys else "no"} for n in range(4)]
        return {"id": item_id, "type": "mcq", "topic": "losses", "difficulty": "easy", "prompt": "Which ones?",
                "choices": choices}

    write_deck(tmp_path / "multi.toml", [multi("u.m1", {0, 1}), multi("u.m2", {0, 1, 2}), multi("u.m3", {1, 3})])
    warnings = key_balance_warnings(load_bank([tmp_path], include_user_dir=False))
    assert [w.message for w in warnings if w.file.endswith("multi.toml")] == [
        "in 2 of 3 multi-answer items the keys are the first choices (more than 40%); move some keys down"]
