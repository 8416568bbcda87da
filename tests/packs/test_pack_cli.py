"""`nnprep pack new/check`, `grade --pack`, `tasks --pack`, `schema pack`, and one-line errors for bad packs."""

from __future__ import annotations

import json
import tomllib
from collections.abc import Callable
from pathlib import Path

import jsonschema
import pytest

from quiz.cli import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_new_pack_passes_check(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "My Course"
    status, out, _ = run(capsys, "pack", "new", str(folder))
    assert status == 0 and (folder / "pack.toml").is_file()
    status, out, _ = run(capsys, "pack", "check", str(folder), "--seeds", "5", "--format", "json")
    data = json.loads(out)
    assert status == 0 and data["ok"] and data["pack"] == "my_course"
    checks = {c["check"] for c in data["checks"]}
    assert {"reference gradients", "case generator sound", "solution passes", "starter rejected", "starter signatures",
            "swish_no_product_rule.py rejected"} <= checks


def test_new_refuses_a_folder_with_files(new_pack: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run(capsys, "pack", "new", str(new_pack))
    assert status == 2 and "not an empty folder" in err and err.count("\n") == 1


def test_check_finds_a_wrong_reference(new_pack: Path, capsys: pytest.CaptureFixture[str]) -> None:
    module = new_pack / "swish.py"
    module.write_text(module.read_text().replace("x * s * (1.0 - s))", "x * s * (1.0 + s))"))
    status, out, _ = run(capsys, "pack", "check", str(new_pack), "--seeds", "3")
    assert status == 1
    assert "FAIL course.swish: reference gradients — swish_backward (backward_example): d/x disagrees" in out
    assert "FAIL course.swish: solution passes" in out


def test_check_finds_a_known_wrong_submission_that_passes(new_pack: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (new_pack / "wrong" / "swish_no_product_rule.py").write_text((new_pack / "solutions" / "swish.py").read_text())
    status, out, _ = run(capsys, "pack", "check", str(new_pack), "--seeds", "3")
    assert status == 1
    assert "FAIL course.swish: swish_no_product_rule.py rejected — it passes every case" in out
    assert "ok   course.swish: solution passes" in out


def test_check_wants_the_starter_to_have_the_tasks_signatures(
    new_pack: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _edit(new_pack / "swish.toml", "def swish_backward(dy, x):", "def swish_backward(x, dy):")
    status, out, _ = run(capsys, "pack", "check", str(new_pack), "--seeds", "2")
    assert status == 1 and "FAIL course.swish: starter signatures — the starter's swish_backward(x, dy)" in out


def test_check_wants_the_named_diagnosis(new_pack: Path, capsys: pytest.CaptureFixture[str]) -> None:
    manifest = new_pack / "pack.toml"
    manifest.write_text(manifest.read_text().replace('diagnosis = "product rule"', 'diagnosis = "transpose"'))
    status, out, _ = run(capsys, "pack", "check", str(new_pack), "--seeds", "3")
    assert status == 1 and "expected 'transpose', got: dx misses a term of the product rule" in out


def test_check_finds_an_unsound_case_generator(new_pack: Path, capsys: pytest.CaptureFixture[str]) -> None:
    module = new_pack / "swish.py"
    old = '{"dy": rng.standard_normal(shape), "x": x}'
    unsound = '{"dy": rng.standard_normal(shape if rng.random() < 0.9 else (9,)), "x": x}'
    _edit(module, old, unsound)
    status, out, _ = run(capsys, "pack", "check", str(new_pack), "--seeds", "20")
    assert status == 1 and "FAIL course.swish: case generator sound — seed" in out
    assert "ValueError: operands could not be broadcast" in out


def test_grade_with_a_pack(new_pack: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "grade", str(new_pack / "wrong" / "swish_no_product_rule.py"), "--pack", str(new_pack))
    assert status == 1 and "course.swish" in out and "product rule" in out
    status, out, _ = run(capsys, "grade", str(new_pack / "solutions" / "swish.py"), "--pack", str(new_pack),
                         "--task", "swish", "--format", "json")
    assert status == 0 and json.loads(out)["task"] == "course.swish"
    status, _, err = run(capsys, "grade", str(new_pack / "solutions" / "swish.py"), "--pack", str(new_pack),
                         "--task", "relu")
    assert status == 2 and "pack course has no task 'relu'" in err


def test_batch_grade_with_a_pack(new_pack: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "cands"
    folder.mkdir()
    (folder / "alice.py").write_text((new_pack / "solutions" / "swish.py").read_text())
    (folder / "bob.py").write_text((new_pack / "wrong" / "swish_no_product_rule.py").read_text())
    status, out, _ = run(capsys, "grade", str(folder), "--pack", str(new_pack), "--format", "csv", "--workers", "1")
    assert status == 1
    rows = {line.split(",")[0]: line for line in out.splitlines()[1:]}
    assert set(rows) == {"alice", "bob"} and "course.swish" in out.splitlines()[0]


def test_tasks_with_a_pack_lists_only_its_tasks(new_pack: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "tasks", "--pack", str(new_pack), "--format", "json")
    rows = json.loads(out)
    assert status == 0 and [r["id"] for r in rows] == ["course.swish"] and rows[0]["topic"] == "activations"


def test_schema_pack_validates_the_new_packs_manifest(new_pack: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "schema", "pack")
    assert status == 0
    schema = json.loads(out)
    manifest = tomllib.loads((new_pack / "pack.toml").read_text())
    jsonschema.validate(manifest, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**manifest, "id": "Bad Id"}, schema)


@pytest.mark.parametrize(
    ("breakage", "expected"),
    [
        (lambda p: (p / "pack.toml").unlink(), "pack.toml: missing"),
        (lambda p: _edit(p / "pack.toml", 'id = "course"', 'id = "Course!"'), "pack.toml: id: String should match"),
        (lambda p: _edit(p / "pack.toml", 'module = "swish.py"', 'module = "../swish.py"'),
         "pack.toml: tasks.0.module: Value error, must be a path inside"),
        (lambda p: (p / "swish.py").unlink(), "pack.toml: tasks.0.module: no file swish.py"),
        (lambda p: _edit(p / "pack.toml", "[[tasks]]", "[[tasks]]\nweight = 2"), "tasks.0.weight: Extra inputs"),
        (lambda p: _edit(p / "swish.py", "import numpy as np", "import numpy as np\n1 / 0"),
         "swish.py: cannot import (swish.py line 6): ZeroDivisionError"),
        (lambda p: _edit(p / "swish.py", "TASK = Task(", "TASKS = Task("), "swish.py: TASK: must be"),
        (lambda p: _edit(p / "swish.toml", "minutes = 10", "minutes = 0"), "swish.toml: swish: minutes:"),
        (lambda p: _edit(p / "pack.toml", "[[tasks]]", "x = [\n[[tasks]]"), "pack.toml: not valid TOML"),
        (lambda p: _edit(p / "swish.py", "    cases = [", "    1 / 0\n    cases = ["),
         "swish.py: TASK.make_cases: ZeroDivisionError"),
    ],
)
def test_a_bad_pack_is_one_line_naming_file_and_field(
    new_pack: Path, capsys: pytest.CaptureFixture[str], breakage: object, expected: str
) -> None:
    breakage(new_pack)  # type: ignore[operator]
    for argv in (("pack", "check", str(new_pack)), ("tasks", "--pack", str(new_pack))):
        status, _, err = run(capsys, *argv)
        assert status == 2, err
        assert expected in err and err.count("\n") == 1 and "Traceback" not in err


def test_an_unknown_pack_name(capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run(capsys, "tasks", "--pack", "no_such_pack")
    assert status == 2 and "no such pack folder" in err


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


@pytest.mark.parametrize("fmt", ["jsonl", "junit", "gradescope", "json"])
def test_batch_with_a_pack_in_every_format_and_a_policy(
    new_pack: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], fmt: str
) -> None:
    folder = tmp_path / "cands"
    folder.mkdir()
    (folder / "alice.py").write_text((new_pack / "solutions" / "swish.py").read_text())
    (folder / "bob.py").write_text((new_pack / "wrong" / "swish_no_product_rule.py").read_text())
    policy = tmp_path / "policy.toml"
    policy.write_text('pass_mark = 40\n\n[[tasks]]\nid = "course.swish"\nweight = 2\n')
    out = tmp_path / ("out" if fmt == "gradescope" else f"out.{fmt}")
    status, _, err = run(capsys, "grade", str(folder), "--pack", str(new_pack), "--policy", str(policy),
                         "--format", fmt, "--out", str(out), "--workers", "1")
    assert status == 0, err  # bob scores 50 >= the pass mark 40
    if out.is_dir():  # gradescope: a results.json per candidate
        text = "\n".join(p.read_text() for p in sorted(out.rglob("*.json")))
        assert sorted(p.parent.name for p in out.rglob("results.json")) == ["alice", "bob"]
        assert "course.swish" in text
    else:
        text = out.read_text()
        assert "course.swish" in text and "alice" in text and "bob" in text


def _batch_after_editing(pack: Path, edit: Callable[[], object]) -> list[str | None]:
    """Each candidate's error in a batch of two correct files whose pool started before ``edit`` changed the pack
    (workers start, and load the pack again, at the first candidate)."""
    from engine.packs import load_pack, use_pack
    from quiz.batch.candidates import Candidate
    from quiz.batch.policy import Policy
    from quiz.batch.pool import LocalPool

    use_pack(load_pack(pack))
    source = (pack / "solutions" / "swish.py").read_text()
    candidates = [Candidate(name, pack / f"{name}.py", source, None) for name in ("alice", "bob")]
    with LocalPool(1) as pool:
        edit()
        rows = list(pool.imap_unordered(candidates, Policy(), ["course.swish"]))
    assert sorted(r.candidate for r in rows) == ["alice", "bob"]
    return [r.error for r in rows]


def test_a_pack_broken_during_a_batch_is_named_on_each_row(new_pack: Path) -> None:
    """Not a worker that "died twice": each row says the pack could not be loaded."""
    errors = _batch_after_editing(new_pack, lambda: (new_pack / "pack.toml").write_text("id = [\n"))
    for error in errors:
        assert error is not None and error.startswith("not graded: a grading worker could not load the task pack "
                                                      f"{new_pack.resolve()} ("), error


def test_a_pack_changed_during_a_batch_grades_nobody_with_the_new_version(new_pack: Path) -> None:
    module = new_pack / "swish.py"
    errors = _batch_after_editing(new_pack, lambda: module.write_text(module.read_text() + "\n# edited\n"))
    assert errors == [f"not graded: the task pack {new_pack.resolve()} changed on disk since this batch started; "
                      "grade these candidates again"] * 2


def test_the_fingerprint_follows_what_grading_reads(new_pack: Path) -> None:
    from engine.packs.loader import fingerprint, read_manifest

    manifest = read_manifest(new_pack)
    first = fingerprint(new_pack, manifest)
    for shipped in [new_pack / "solutions" / "swish.py", *(new_pack / "wrong").glob("*.py")]:
        shipped.write_text(shipped.read_text() + "\n# a comment\n")
    assert fingerprint(new_pack, manifest) == first
    assert _batch_after_editing(new_pack, lambda: None) == [None, None]  # the same files: graded
    module = new_pack / "swish.py"
    module.write_text(module.read_text() + "\n# edited\n")
    assert fingerprint(new_pack, manifest) != first
