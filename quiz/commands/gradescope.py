"""`nnprep gradescope build` (an autograder zip Gradescope accepts) and `nnprep gradescope run` (what the zip's
run_autograder calls inside Gradescope's container).

The zip holds setup.sh, run_autograder, the nnprep wheel built from this checkout, the pack (if any), the policy (if
any) and nnprep_autograder.json naming them; setup.sh installs the wheel (and its dependencies) and nothing else.
Gradescope unpacks it into /autograder/source, puts the student's files in /autograder/submission and reads
/autograder/results/results.json. NNPREP_AUTOGRADER_ROOT replaces /autograder (tests run it in a temp folder).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any

CONFIG = "nnprep_autograder.json"
ROOT_ENV = "NNPREP_AUTOGRADER_ROOT"

SETUP_SH = """\
#!/usr/bin/env bash
# Gradescope runs this once when it builds the autograder image (from /autograder/source).
set -euo pipefail
cd "$(dirname "$0")"
if ! command -v pip3 >/dev/null 2>&1; then
    apt-get update && apt-get install -y python3 python3-pip
fi
if ! python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
    echo "nnprep needs Python 3.11 or newer: choose Gradescope's Ubuntu 24.04 base image" >&2
    exit 1
fi
pip3 install --break-system-packages ./*.whl 2>/dev/null || pip3 install ./*.whl
"""

RUN_AUTOGRADER = """\
#!/usr/bin/env bash
# Gradescope runs this for every submission; it writes $ROOT/results/results.json.
ROOT="${NNPREP_AUTOGRADER_ROOT:-/autograder}"
PYTHON="${NNPREP_PYTHON:-python3}"
exec "$PYTHON" -m quiz.cli gradescope run --root "$ROOT"
"""


def register(sub: Any) -> None:
    gs = sub.add_parser("gradescope", help="build a Gradescope autograder zip",
                        description="Gradescope autograders (docs/packs.md).")
    gs_sub = gs.add_subparsers(dest="gradescope_command", metavar="ACTION", required=True)
    build = gs_sub.add_parser(
        "build", help="write an autograder zip for a pack or built-in tasks",
        description="Write a zip Gradescope accepts: setup.sh, run_autograder, the nnprep wheel built from this "
        "checkout (or --wheel), the pack and the policy. Give --pack DIR, or --task ID (repeatable).",
    )
    build.add_argument("--pack", metavar="DIR", help="a task pack (a folder, or a shipped pack's name)")
    build.add_argument("--task", dest="tasks", metavar="ID", action="append", default=[], help="task id (repeatable)")
    build.add_argument("--policy", type=Path, metavar="FILE", help="grading policy TOML")
    build.add_argument("--wheel", type=Path, metavar="FILE", help="use this nnprep wheel instead of building one")
    build.add_argument("--out", type=Path, metavar="ZIP", required=True, help="the zip to write")
    build.set_defaults(handler=build_command)
    run = gs_sub.add_parser("run", help="grade /autograder/submission (run_autograder calls this)")
    run.add_argument("--root", type=Path, default=None, help=f"instead of /autograder (env {ROOT_ENV})")
    run.set_defaults(handler=run_command)


def build_command(args: argparse.Namespace) -> int:
    from quiz.cli import CliError

    if bool(args.pack) == bool(args.tasks) and not (args.pack and args.tasks):
        raise CliError("give --pack DIR or --task ID (or both: a pack's tasks to grade)")
    config: dict[str, Any] = {"pack": None, "tasks": list(args.tasks), "policy": None}
    if args.pack:
        from quiz.commands.pack import load_pack_texts, qualify

        pack, _ = load_pack_texts(args.pack)
        config["pack"] = "pack"
        config["tasks"] = qualify(pack, args.tasks)
        pack_root: Path | None = pack.root
    else:
        from quiz.commands.grading import _unknown_tasks

        _unknown_tasks(args.tasks)
        pack_root = None
    if args.policy:
        from quiz.batch.policy import PolicyError, load_policy

        try:
            load_policy(args.policy)
        except PolicyError as e:
            raise CliError(str(e)) from None
        config["policy"] = "policy.toml"
    with tempfile.TemporaryDirectory(prefix="nnprep-gradescope-") as tmp:
        wheel = args.wheel or build_wheel(Path(tmp))
        if not wheel.is_file() or wheel.suffix != ".whl":
            raise CliError(f"{wheel}: not a wheel file")
        write_zip(args.out, wheel, config, pack_root, args.policy)
    print(f"wrote {args.out}")
    return 0


def build_wheel(folder: Path) -> Path:
    """The nnprep wheel built from the checkout this nnprep runs from (no download: the build backend is local)."""
    from quiz.cli import CliError

    checkout = Path(__file__).resolve().parents[2]
    if not (checkout / "pyproject.toml").is_file():
        raise CliError("nnprep is not running from a source checkout: give --wheel FILE")
    command = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--quiet",
               "--wheel-dir", str(folder), str(checkout)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)
    wheels = sorted(folder.glob("nnprep-*.whl"))
    if done.returncode != 0 or not wheels:
        last = (done.stderr.strip().splitlines() or ["no wheel written"])[-1]
        raise CliError(f"building the nnprep wheel failed: {last}", status=3)
    return wheels[0]


def write_zip(out: Path, wheel: Path, config: dict[str, Any], pack_root: Path | None, policy: Path | None) -> None:
    """The autograder zip: scripts executable, everything at the top level as Gradescope wants it."""
    from quiz.cli import CliError

    try:
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
            _add(z, "setup.sh", SETUP_SH, 0o755)
            _add(z, "run_autograder", RUN_AUTOGRADER, 0o755)
            _add(z, CONFIG, json.dumps(config, indent=2) + "\n", 0o644)
            z.write(wheel, wheel.name)
            if policy is not None:
                z.write(policy, "policy.toml")
            if pack_root is not None:
                for path in sorted(pack_root.rglob("*")):
                    if path.is_file() and "__pycache__" not in path.parts:
                        z.write(path, f"pack/{path.relative_to(pack_root).as_posix()}")
    except OSError as e:
        raise CliError(f"{out}: cannot write: {e.strerror or e}") from None


def _add(z: zipfile.ZipFile, name: str, text: str, mode: int) -> None:
    info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
    info.external_attr = (0o100000 | mode) << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    z.writestr(info, text)


def run_command(args: argparse.Namespace) -> int:
    """Grade the submission and ALWAYS write results.json: a failure of ours is a zero with the reason shown."""
    root = args.root or Path(os.environ.get(ROOT_ENV, "/autograder"))
    results = root / "results" / "results.json"
    results.parent.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    try:
        text = _grade_submission(root)
    except Exception as e:
        message = getattr(e, "args", [""])[0] if e.args else type(e).__name__
        text = json.dumps({"score": 0, "output": f"The autograder could not grade this submission: {message}",
                           "execution_time": round(time.perf_counter() - start, 3)}, indent=2) + "\n"
    results.write_text(text, encoding="utf-8")
    return 0


def _grade_submission(root: Path) -> str:
    from quiz.batch.candidates import Candidate, defined_names, read_submission
    from quiz.batch.formats import to_gradescope
    from quiz.batch.policy import Policy, PolicyTask, load_policy
    from quiz.batch.pool import grade_candidate
    from quiz.batch.results import CandidateResult

    source_dir = root / "source"
    config = json.loads((source_dir / CONFIG).read_text(encoding="utf-8"))
    if config.get("pack"):
        from quiz.commands.pack import load_pack_texts

        load_pack_texts(str(source_dir / config["pack"]))
    policy = load_policy(source_dir / config["policy"]) if config.get("policy") else Policy()
    tasks = [str(t) for t in config.get("tasks") or []]
    if tasks:
        policy = policy.model_copy(update={"tasks": [PolicyTask(id=t, weight=policy.weight(t)) for t in tasks]})
    submission = root / "submission"
    files = sorted(p for p in [*submission.glob("*.py"), *submission.glob("*/*.py")] if not p.is_symlink())
    if not files:
        result = CandidateResult(candidate="submission", path="submission", error="no .py file was submitted")
        return to_gradescope(result)
    sources = {p: read_submission(p) for p in files}
    # Several files: the one defining the most functions of the tasks (a student's helpers are left aside).
    wanted = _task_functions(policy)
    best = max(files, key=lambda p: len(defined_names(sources[p][0] or "") & wanted))
    source, error = sources[best]
    candidate = Candidate(id="submission", path=best, source=source, error=error)
    return to_gradescope(grade_candidate(candidate, policy, [t.id for t in policy.tasks], None))


def _task_functions(policy: Any) -> set[str]:
    from engine import all_tasks, get_task

    tasks = [get_task(t.id) for t in policy.tasks] if policy.tasks else all_tasks()
    return {f.name for t in tasks for f in t.functions}
