"""What README's first screen and command table say stays true: the bank's size, the number of coding tasks, and
every command of `nnprep --help`."""

from __future__ import annotations

import re
from pathlib import Path

from questions import TOPICS, load_bank
from quiz.cli import COMMANDS

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()


def test_the_first_screen_counts_items_topics_and_tasks_as_they_are() -> None:
    from engine.tasks import TASK_IDS

    bank = load_bank(include_user_dir=False)
    found = re.search(r"question bank\*\* of (\d+) items across (\d+) topics", README)
    assert found is not None
    assert (int(found[1]), int(found[2])) == (len(bank.items), len({item.topic for item in bank.items}))
    assert len({item.topic for item in bank.items}) == len(TOPICS)
    tasks = re.search(r"\*\*coding tasks\*\* \((\d+)\)", README)
    assert tasks is not None and int(tasks[1]) == len(TASK_IDS)


def test_every_command_is_in_the_command_table() -> None:
    table = README.split("## Command line", 1)[1].split("\n\n", 2)[1]
    missing = [c for c in COMMANDS if f"`nnprep {c}" not in table]
    assert missing == []
