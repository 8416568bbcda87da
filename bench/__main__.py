"""`make bench`: every benchmark, each comparing against a baseline measured in the same run."""

from __future__ import annotations

import importlib
import sys

MODULES = (
    "bench.engine_grading",
    "bench.batch_grading",
    "bench.bank_load",
    "bench.first_paint",
    "bench.editor_keys",
    "bench.screen_open",
)


def main() -> int:
    for name in MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as e:
            if e.name == name:
                continue
            raise
        print(f"\n== {name} ==")
        module.main()
    return 0


if __name__ == "__main__":
    sys.exit(main())
