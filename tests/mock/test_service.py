"""Mocks with the store: a crash-and-resume, the stored report, avoiding recent items, the report CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from quiz.cli import main
from quiz.mock.presets import custom_preset
from quiz.mock.service import finish_mock, recent_refs, resume_mock, save_mock, start_mock, unfinished_mocks
from quiz.store import Store
from tests.mock.test_mock_core import FakeClock, _items, _tasks


def test_resume_after_a_crash_then_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "p.db"
    clock = FakeClock()
    preset = custom_preset(minutes=10, concept_items=3, coding=[], topics=[], item_types=["mcq", "numeric"])
    items = _items()
    with Store(db) as store:
        session = start_mock(store, preset, items, _tasks(), seed=5, clock=clock)
        session.set_answer(0, "1")
        clock.advance(30)
        session.go_to(1)
        save_mock(store, session)
        mock_id = session.state.id
    # the process dies here; a new one finds the unfinished mock and resumes it
    with Store(db) as store:
        assert [s.id for s in unfinished_mocks(store)] == [mock_id]
        resumed = resume_mock(store, mock_id, clock)
        assert resumed is not None and resumed.state.entries[0].answer == "1" and resumed.state.current == 1
        report = finish_mock(store, resumed, {i.id: i for i in items}, _tasks())  # type: ignore[attr-defined]
        assert unfinished_mocks(store) == []
        assert recent_refs(store) == {e.ref for e in resumed.state.plan.entries}
    assert main(["--db", str(db), "report", "--list", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows[0]["id"] == mock_id and rows[0]["score"] == pytest.approx(report.overall, abs=0.1)
    out = tmp_path / "r.html"
    assert main(["--db", str(db), "report", mock_id, "--format", "html", "--out", str(out)]) == 0
    assert out.read_text().startswith("<!DOCTYPE html>")
    assert main(["--db", str(db), "report", mock_id, "--format", "md"]) == 0
    assert "# Mock interview" in capsys.readouterr().out
    assert main(["--db", str(db), "report", "nope"]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_mock_list_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["mock", "--list", "--format", "json"]) == 0
    names = [p["name"] for p in json.loads(capsys.readouterr().out)]
    assert names == ["phone_screen", "onsite_fundamentals", "lightning"]


def test_mock_without_a_terminal_is_a_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["mock", "--preset", "lightning"]) == 2
    assert "needs a terminal" in capsys.readouterr().err
