"""`nnprep schema KIND`: print a JSON Schema (deck files, task texts, grade reports, policies, mock reports)."""

from __future__ import annotations

import argparse
import json
from typing import Any

KINDS = {
    "question": "a deck file: a table with an `items` array of questions (questions/bank/*.toml, user decks)",
    "task": "a coding task's text (questions/tasks/<id>.toml)",
    "report": "a grade report (the JSON that `nnprep grade --format json` writes)",
    "policy": "a grading policy file (`nnprep grade --policy`, `nnprep policy init`)",
    "mock-report": "a mock-interview report (`nnprep report ID --format json`)",
    "pack": "a task pack's pack.toml (`nnprep pack new`, docs/packs.md)",
}


def register(sub: Any) -> None:
    schema = sub.add_parser(
        "schema",
        help="print the JSON Schema of deck files, task texts, reports or policies",
        description="Print a JSON Schema. Kinds: "
        + "; ".join(f"{k}: {v}" for k, v in KINDS.items())
        + ".",
    )
    schema.add_argument("kind", choices=tuple(KINDS), help="which schema to print")
    schema.set_defaults(handler=run_schema)


def schema_for(kind: str) -> dict[str, Any]:
    if kind == "question":
        from questions.schema import Deck

        out: dict[str, Any] = Deck.model_json_schema()
        out.setdefault("title", "nnprep deck")
    elif kind == "task":
        from questions.schema import TaskText

        out = TaskText.model_json_schema()
    elif kind == "policy":
        from quiz.batch.policy import Policy

        out = Policy.model_json_schema()
    elif kind == "mock-report":
        from quiz.mock.scoring import MockReport

        out = MockReport.model_json_schema()
    elif kind == "pack":
        from engine.packs.manifest import PackManifest

        out = PackManifest.model_json_schema()
    else:
        from engine.report import report_schema

        out = report_schema()
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **out}


def run_schema(args: argparse.Namespace) -> int:
    print(json.dumps(schema_for(args.kind), indent=2, ensure_ascii=False))
    return 0
