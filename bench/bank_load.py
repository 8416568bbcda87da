"""Bank loading (issue 3): a fresh process loading the whole built-in bank, against one that only imports what
loading needs (pydantic, tomllib), so the figure is the cost of our parsing and validation. Target: < 150 ms."""

from __future__ import annotations

import sys

from bench.common import BIN, interleaved_medians, run_command, table

LOAD = "import questions; questions.load_bank(include_user_dir=False)"
BASELINE = "import pydantic, tomllib, questions.schema"


def main() -> None:
    py = str(BIN / "python")
    m = interleaved_medians(
        {
            "import + load_bank()": lambda: run_command([py, "-c", LOAD]),
            "import only (baseline)": lambda: run_command([py, "-c", BASELINE]),
        },
        repeat=15,
    )
    load, base = m["import + load_bank()"], m["import only (baseline)"]
    from questions import load_bank

    bank = load_bank(include_user_dir=False)
    print(
        table(
            f"Loading the bank ({len(bank.items)} items) in a fresh process, median of 15",
            [
                ("import + load_bank()", f"{load * 1000:.0f} ms"),
                ("import only (baseline)", f"{base * 1000:.0f} ms"),
                ("load_bank() itself", f"{(load - base) * 1000:.0f} ms  (target < 150 ms)"),
                ("ratio", f"{load / base:.2f}"),
            ],
        )
    )


if __name__ == "__main__":
    sys.exit(main())
