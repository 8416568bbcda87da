"""`nnprep import` of crafted files: refused with exit 2 and one line naming the item and field, before anything
is written; whatever is accepted can be stored, read and exported again (hypothesis)."""

from __future__ import annotations

import copy
import json
import os
import tempfile
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fsrs import Card
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

import quiz.cli
from engine.report import GradeReport, Verdict
from quiz.store import ImportFormatError, ReviewState, Store, importing
from quiz.store.importing import parse_export
from tests.store.conftest import NOW, time_bound


@pytest.fixture(autouse=True)
def _only_progress_commands(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(quiz.cli, "COMMAND_MODULES", ("quiz.commands.progress",))


def _fill(store: Store) -> None:
    """One record of every kind."""
    store.record_attempt("soft.1", "item", rating=3, seconds=2.5, at=NOW,
                         review_update=lambda old: ReviewState.from_card("soft.1", Card(), updated_at=NOW))
    store.save_draft("linear", "def f(): pass\n", at=NOW)
    store.save_report(GradeReport(task="linear", verdict=Verdict.WRONG_ANSWER, score=1, max_score=4), "a", at=NOW)
    mock = store.create_mock_session("quick", 7, state={"step": 1}, at=NOW)
    store.finish_mock_session(mock.id, report={"ok": True}, score=0.5, at=NOW + timedelta(minutes=5))
    store.start_practice_session("review", meta={"topic": "softmax"}, at=NOW)


def _valid_doc() -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp, Store(Path(tmp) / "src.db") as store:
        _fill(store)
        doc: dict[str, Any] = json.loads(store.export_data(at=NOW).model_dump_json())
    return doc


VALID = _valid_doc()


def _nested(depth: int) -> Any:
    value: Any = 0
    for _ in range(depth):
        value = {"a": value}
    return value


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def apply(doc: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node: Any = doc
        for key in parents:
            node = node[int(key)] if isinstance(node, list) else node[key]
        node[int(last) if isinstance(node, list) else last] = value

    return apply


def _card(**changes: Any) -> str:
    data = json.loads(Card().to_json())
    data.update(changes)
    return json.dumps(data)


CASES = [
    pytest.param(_set("mock_sessions.0.state", _nested(900)), "nested more than 64 levels at mock_sessions.0.state.a",
                 id="900-deep-mock-state"),
    pytest.param(_set("attempts.0.created_at", "2025-01-01T00:00:00"), "attempts.0.created_at: naive datetime",
                 id="naive-datetime"),
    pytest.param(_set("exported_at", "2025-01-01T00:00:00"), "exported_at: naive datetime", id="naive-exported-at"),
    pytest.param(_set("drafts.0.updated_at", "0001-01-01T00:00:00+05:00"),
                 "drafts.0.updated_at: datetime out of range once converted to UTC", id="datetime-out-of-range"),
    pytest.param(_set("mock_sessions.0.seed", 10**30), "mock_sessions.0.seed: integer out of range", id="huge-seed"),
    pytest.param(_set("mock_sessions.0.seed", -1), "mock_sessions.0.seed: must not be negative", id="negative-seed"),
    pytest.param(_set("reports.0.report_json", "garbage"), "reports.0.report_json: not a valid grade report",
                 id="garbage-report"),
    pytest.param(_set("reports.0.verdict", "passed"), "reports.0: task, verdict or score", id="passed-over-a-fail"),
    pytest.param(_set("reports.0.score", 4.0), "reports.0: task, verdict or score", id="score-over-the-report"),
    pytest.param(_set("review_states.0.card_json", "{}"), "review_states.0.card_json: not an FSRS card",
                 id="card-garbage"),
    pytest.param(_set("review_states.0.card_json", _card(stability="nan")),
                 "review_states.0.card_json: stability must be", id="card-nan-stability"),
    pytest.param(_set("review_states.0.card_json", _card(due="2025-01-01T00:00:00")),
                 "review_states.0.card_json: due is a naive datetime", id="card-naive-due"),
    pytest.param(_set("attempts.0.answer", "x" * 100_001), "attempts.0.answer: too long", id="long-answer"),
    pytest.param(_set("attempts.0.target_id", "x" * 1_001), "attempts.0.target_id: too long", id="long-id"),
    pytest.param(_set("attempts.0.rating", "abc"), "invalid export at attempts.0.rating", id="wrong-type"),
    pytest.param(_set("attempts.0.rating", 9), "invalid export at attempts.0.rating", id="rating-range"),
    pytest.param(_set("review_states.0.reps", -3), "review_states.0.reps: must not be negative", id="negative-reps"),
    pytest.param(_set("attempts", {"a": 1}), "attempts: expected a list", id="section-not-a-list"),
    pytest.param(_set("surprise", 1), "invalid export at surprise", id="unknown-key"),
]


@pytest.fixture
def target(tmp_path: Path) -> Path:
    """A database that already holds one attempt: a refused import must leave it exactly so."""
    db = tmp_path / "target.db"
    with Store(db) as store:
        store.record_attempt("kept.1", "item", correct=True, at=NOW)
    return db


def _import(db: Path, path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    status = quiz.cli.main(["--db", str(db), "import", str(path)])
    return status, capsys.readouterr().err


def _untouched(db: Path) -> bool:
    with Store(db) as store:
        return [a.target_id for a in store.attempts()] == ["kept.1"] and not store.mock_sessions()


@pytest.mark.parametrize(("mutate", "message"), CASES)
def test_crafted_export_is_exit_2_naming_the_field(tmp_path: Path, target: Path, capsys: pytest.CaptureFixture[str],
                                                    mutate: Callable[[dict[str, Any]], None], message: str) -> None:
    doc = copy.deepcopy(VALID)
    mutate(doc)
    path = tmp_path / "in.json"
    path.write_text(json.dumps(doc))
    status, err = _import(target, path, capsys)
    assert status == 2, err
    assert err.startswith(f"nnprep: {path}: ") and message in err and err.count("\n") == 1, err
    assert _untouched(target)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param('{"format": "nnprep-progress", "version": 1, "attempts": ' + "[" * 100_000 + "]" * 100_000 + "}",
                     "nested more than 64 levels", id="100k-deep"),
        pytest.param(json.dumps(VALID).replace('"seconds": 2.5', '"seconds": NaN'), "NaN is not allowed", id="nan"),
        pytest.param(json.dumps(VALID).replace('"seconds": 2.5', '"seconds": -Infinity'), "-Infinity is not allowed",
                     id="minus-infinity"),
        pytest.param(json.dumps(VALID).replace('"seconds": 2.5', '"seconds": 1e999'),
                     "attempts.0.seconds: not a finite number", id="overflow-to-inf"),
        pytest.param(json.dumps(VALID).replace('"state": {"step": 1}', '"state": {"x": [1e999]}'),
                     "mock_sessions.0.state.x.0: not a finite number", id="inf-in-free-form-state"),
        pytest.param('{"format": "nnprep-progress", "version": true}', "version True is not supported",
                     id="bool-version"),
        pytest.param('{"format": "nnprep-progress", "version": 1, "attempts": [1' + "0" * 5000 + "]}",
                     "not valid JSON", id="5000-digit-int"),
    ],
)
def test_crafted_text_is_exit_2(tmp_path: Path, target: Path, capsys: pytest.CaptureFixture[str], text: str,
                                message: str) -> None:
    path = tmp_path / "in.json"
    path.write_text(text)
    status, err = _import(target, path, capsys)
    assert status == 2 and message in err and err.count("\n") == 1, err
    assert _untouched(target)


def test_size_cap(tmp_path: Path, target: Path, capsys: pytest.CaptureFixture[str],
                  monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "in.json"
    path.write_text(json.dumps(VALID))
    monkeypatch.setattr(importing, "MAX_IMPORT_BYTES", 1024)
    status, err = _import(target, path, capsys)
    assert status == 2 and "too large for a progress export" in err and err.count("\n") == 1
    assert _untouched(target)


def test_value_cap_refuses_before_parsing(tmp_path: Path, target: Path, capsys: pytest.CaptureFixture[str],
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """Many tiny objects would cost far more memory than their bytes: the separators are counted first."""
    path = tmp_path / "in.json"
    path.write_text(json.dumps(VALID))
    monkeypatch.setattr(importing, "MAX_JSON_TOKENS", 50)

    def no_parsing(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("parsed a file over the cap")

    monkeypatch.setattr(importing.json, "loads", no_parsing)
    status, err = _import(target, path, capsys)
    assert status == 2 and "too many values for a progress export" in err and "at most 50)" in err
    assert _untouched(target)


def test_fifo_is_refused_without_blocking(tmp_path: Path, target: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fifo = tmp_path / "in.json"
    os.mkfifo(fifo)
    with time_bound(20):
        status, err = _import(target, fifo, capsys)
    assert (status, err) == (2, f"nnprep: {fifo}: not a regular file\n")


def test_a_full_export_passes_and_round_trips(tmp_path: Path) -> None:
    export = parse_export(json.dumps(VALID).encode())
    assert {k: len(v) for k, v in export.model_dump().items() if isinstance(v, list)} == dict.fromkeys(
        ("attempts", "review_states", "drafts", "reports", "mock_sessions", "practice_sessions"), 1)
    with Store(tmp_path / "a.db") as store:
        assert store.import_data(export).total == 6
        again = json.loads(store.export_data(at=NOW).model_dump_json())
    assert again == VALID


# -- any mutation: refused cleanly, or stored, read and exported again ------------------------------------------

DATETIMES = st.sampled_from(["2025-01-01T00:00:00", "2025-01-01T00:00:00Z", "0001-01-01T00:00:00+01:00",
                             "9999-12-31T23:59:59-01:00", "2025-13-01T00:00:00Z", "yesterday"])
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.integers(min_value=-(2**70), max_value=2**70),
                    st.floats(allow_nan=False), st.text(max_size=20), DATETIMES)
VALUES = st.recursive(SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                       st.dictionaries(st.text(max_size=5), inner, max_size=3)),
                      max_leaves=12)


def _paths(node: Any, prefix: str = "") -> list[str]:
    found = [prefix] if prefix else []
    if isinstance(node, dict):
        for k, v in node.items():
            found += _paths(v, f"{prefix}.{k}" if prefix else k)
    elif isinstance(node, list):
        for i, v in enumerate(node):
            found += _paths(v, f"{prefix}.{i}" if prefix else str(i))
    return found


PATHS = _paths(VALID)


def _at(path: str) -> Any:
    node: Any = VALID
    for key in path.split("."):
        node = node[int(key)] if isinstance(node, list) else node[key]
    return node


def _like(original: Any) -> st.SearchStrategy[Any]:
    """Values of the same JSON type as ``original`` (most of them plausible), or anything at all."""
    if isinstance(original, bool):
        same: st.SearchStrategy[Any] = st.booleans()
    elif isinstance(original, int):
        same = st.integers(min_value=-(2**70), max_value=2**70)
    elif isinstance(original, float):
        same = st.floats(allow_nan=False)
    elif isinstance(original, str):
        same = st.one_of(st.text(max_size=30), DATETIMES)
    elif isinstance(original, dict):
        same = st.dictionaries(st.text(max_size=5), VALUES, max_size=3)
    else:
        same = VALUES
    return st.one_of(same, same, VALUES)


CHANGES = st.sampled_from(PATHS).flatmap(lambda path: st.tuples(st.just(path), _like(_at(path))))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(changes=st.lists(CHANGES, min_size=1, max_size=3))
def test_any_mutation_is_refused_cleanly_or_survives_a_round_trip(changes: list[tuple[str, Any]]) -> None:
    doc = copy.deepcopy(VALID)
    for path, value in changes:
        try:
            _set(path, value)(doc)
        except (KeyError, IndexError, TypeError, ValueError):
            continue  # an earlier change replaced the parent
    try:
        export = parse_export(json.dumps(doc).encode())
    except ImportFormatError as e:
        assert "\n" not in str(e)
        event("refused")
        return
    event("accepted")
    with tempfile.TemporaryDirectory() as tmp, Store(Path(tmp) / "p.db") as store:
        store.import_data(export)
        text = store.export_data().model_dump_json()
        store.solved_task_ids()
        for state in store.review_states():
            assert state.card is not None
    parse_export(text.encode())
