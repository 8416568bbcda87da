"""Task packs: a course's own coding tasks, defined in a folder outside nnprep (``docs/packs.md``).

A pack's Python code is the INSTRUCTOR's: it is imported into the grading process by path and runs there like the
built-in references. Candidate code still runs only in the sandbox. Load a pack only from a source you trust.

    pack = load_pack(path)      # validates pack.toml and imports every task module; PackError on any problem
    use_pack(pack)              # its tasks become gradeable (engine.grade) and the catalogue (engine.all_tasks)
"""

from __future__ import annotations

from engine.packs.loader import (
    SHIPPED,
    Pack,
    PackError,
    PackTask,
    load_pack,
    pack_fingerprint_in_use,
    pack_in_use,
    resolve_pack,
    use_pack,
)
from engine.packs.manifest import PackManifest, PackTaskEntry, WrongSubmission

__all__ = [
    "SHIPPED",
    "Pack",
    "PackError",
    "PackManifest",
    "PackTask",
    "PackTaskEntry",
    "WrongSubmission",
    "load_pack",
    "pack_fingerprint_in_use",
    "pack_in_use",
    "resolve_pack",
    "use_pack",
]
