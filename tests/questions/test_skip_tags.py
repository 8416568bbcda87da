"""Leaving PyTorch API trivia out of practice: the api-trivia tag, the session filter and `--skip-tag`."""

from __future__ import annotations

from pathlib import Path

import pytest

from questions.loader import Bank
from quiz import cli
from quiz.tui.services import Services
from quiz.tui.session import PracticeConfig, select_items

TRIVIA = "api-trivia"


def test_the_named_api_trivia_items_are_tagged(bank: Bank) -> None:
    tagged = {i.id for i in bank if TRIVIA in i.tags}
    assert {"precision_deployment.gradscaler-inf", "torch_layers.bn-state-dict",
            "torch_layers.embedding-padding-idx", "optimisers.scheduler-placement"} <= tagged
    assert len(tagged) >= 10


def test_a_session_can_leave_the_trivia_out(bank: Bank) -> None:
    every = select_items(bank.items, PracticeConfig(count=10**6), seed=1)
    kept = select_items(bank.items, PracticeConfig(count=10**6, skip_tags=frozenset({TRIVIA})), seed=1)
    assert len(every) == len(bank)
    assert {i.id for i in every} - {i.id for i in kept} == {i.id for i in bank if TRIVIA in i.tags}
    torch_only = PracticeConfig(topics=frozenset({"torch_layers"}), count=10**6, skip_tags=frozenset({TRIVIA}))
    picked = select_items(bank.items, torch_only, seed=1)
    assert picked and all(i.topic == "torch_layers" and TRIVIA not in i.tags for i in picked)


def test_the_cli_option_reaches_the_services(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[Services] = []

    class FakeApp:
        crashed = False

        def __init__(self, services: Services, **_: object) -> None:
            seen.append(services)

        def run(self) -> int:
            return 0

    monkeypatch.setattr("quiz.app.NnprepApp", FakeApp)
    assert cli.command_of(["--skip-tag", "api-trivia", "--db", "x.db"]) is None
    assert cli.main(["--skip-tag", "api-trivia", "--skip-tag", "lstm"]) == 0
    assert seen[0].skip_tags == frozenset({"api-trivia", "lstm"})


def test_an_unknown_skip_tag_is_reported_as_a_bank_problem(tmp_path: Path) -> None:
    services = Services(db=tmp_path / "p.db", skip_tags=["api-trivia", "api-trivai"])
    problems = services.bank().problems
    assert "--skip-tag api-trivai: no item has this tag" in problems
    assert not any("--skip-tag api-trivia:" in p for p in problems)
