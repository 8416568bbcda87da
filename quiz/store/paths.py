"""Where the progress database lives: --db, then $NNPREP_DB, then the user data dir."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from quiz.store.errors import DB_FILENAME, ENV_VAR


def default_db_path() -> Path:
    """``platformdirs.user_data_dir("nnprep")/progress.db``."""
    import platformdirs

    return Path(platformdirs.user_data_dir("nnprep", appauthor=False)) / DB_FILENAME


def resolve_db_path(explicit: str | os.PathLike[str] | None = None, env: Mapping[str, str] | None = None) -> Path:
    """The database path: ``explicit`` (from --db) > ``$NNPREP_DB`` > the user data dir."""
    if explicit is not None and str(explicit) != "":
        return Path(explicit).expanduser()
    environ = os.environ if env is None else env
    from_env = environ.get(ENV_VAR, "")
    if from_env:
        return Path(from_env).expanduser()
    return default_db_path()


def is_chosen_path(explicit: str | os.PathLike[str] | None = None, env: Mapping[str, str] | None = None) -> bool:
    """True when the path comes from --db or ``$NNPREP_DB`` (someone typed it), False for the default location.

    Only the default location's folders are created: a typo in a chosen path must not look like lost progress.
    """
    environ = os.environ if env is None else env
    return (explicit is not None and str(explicit) != "") or bool(environ.get(ENV_VAR, ""))
