"""Opening the store: path resolution, refusing files that are not ours (untouched), read-only locations."""

from __future__ import annotations

import os
import re
import sqlite3
from pathlib import Path

import pytest

from quiz import store as store_mod
from quiz.store import (
    APPLICATION_ID,
    SCHEMA_VERSION,
    Store,
    StoreCorruptError,
    StoreError,
    StoreNewerVersionError,
    StoreNotWritableError,
    resolve_db_path,
)
from tests.store.conftest import sha256, time_bound


def test_path_resolution_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store_mod.paths, "default_db_path", lambda: tmp_path / "default" / "progress.db")
    assert resolve_db_path(None, env={}) == tmp_path / "default" / "progress.db"
    assert resolve_db_path(None, env={"NNPREP_DB": str(tmp_path / "env.db")}) == tmp_path / "env.db"
    assert resolve_db_path(tmp_path / "arg.db", env={"NNPREP_DB": str(tmp_path / "env.db")}) == tmp_path / "arg.db"
    monkeypatch.setenv("NNPREP_DB", str(tmp_path / "fromenv.db"))
    assert resolve_db_path(None) == tmp_path / "fromenv.db"


def test_default_path_is_in_user_data_dir() -> None:
    import platformdirs

    assert store_mod.default_db_path().parent == Path(platformdirs.user_data_dir("nnprep", appauthor=False))


def test_creates_parent_dirs_wal_and_ids(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The default location's folders are created on first use."""
    path = tmp_path / "a" / "b" / "progress.db"
    monkeypatch.setattr(store_mod.paths, "default_db_path", lambda: path)
    with Store(None, env={}) as s:
        assert s.schema_version == SCHEMA_VERSION
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    conn.close()


@pytest.mark.parametrize("via", ["arg", "env"])
def test_chosen_path_in_a_missing_folder_is_refused_and_nothing_created(tmp_path: Path, via: str) -> None:
    """--db / NNPREP_DB with a typo in the folder: a one-line error, no folder, no empty database."""
    path = tmp_path / "typo" / "progress.db"
    with pytest.raises(StoreNotWritableError) as e:
        Store(path, env={}) if via == "arg" else Store(None, env={"NNPREP_DB": str(path)})
    message = str(e.value)
    assert "\n" not in message and f"folder {path.parent} " in message and "does not exist" in message
    assert not path.parent.exists()


def test_a_path_stat_cannot_look_at_is_a_store_error(tmp_path: Path) -> None:
    """stat() fails (here a name longer than the file system allows; as an ordinary user, another user's 0700
    folder on the way): one line naming the path, nothing created."""
    path = tmp_path / ("d" * 300) / "progress.db"
    with pytest.raises(StoreNotWritableError) as e:
        Store(path, env={})
    message = str(e.value)
    assert "\n" not in message and str(path) in message and "cannot be reached: File name too long" in message
    assert list(tmp_path.iterdir()) == []


def test_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    """Opening a FIFO for reading would wait for a writer forever: it is refused from its type alone."""
    fifo = tmp_path / "progress.db"
    os.mkfifo(fifo)
    with time_bound(20), pytest.raises(StoreCorruptError, match="not a regular file"):
        Store(None, env={"NNPREP_DB": str(fifo)})
    assert fifo.exists() and not fifo.is_file()


def test_reopen_keeps_data(db_path: Path) -> None:
    with Store(db_path) as s:
        s.record_attempt("softmax.q1", "item", correct=True)
    with Store(db_path) as s:
        assert [a.target_id for a in s.attempts()] == ["softmax.q1"]


def test_random_bytes_refused_untouched(db_path: Path) -> None:
    db_path.write_bytes(os.urandom(8192))
    before = sha256(db_path)
    with pytest.raises(StoreCorruptError) as e:
        Store(db_path)
    assert str(db_path) in str(e.value) and "\n" not in str(e.value)
    assert sha256(db_path) == before
    assert not Path(f"{db_path}-wal").exists()


def test_sqlite_header_then_garbage_refused_untouched(db_path: Path) -> None:
    db_path.write_bytes(b"SQLite format 3\x00" + os.urandom(4096))
    before = sha256(db_path)
    with pytest.raises(StoreCorruptError, match=re.escape(str(db_path))):
        Store(db_path)
    assert sha256(db_path) == before


def test_foreign_sqlite_refused_untouched(db_path: Path) -> None:
    conn = sqlite3.connect(db_path)
    conn.execute("CREATE TABLE recipes (name TEXT, minutes INTEGER)")
    conn.execute("INSERT INTO recipes VALUES ('soup', 30)")
    conn.commit()
    conn.close()
    before = sha256(db_path)
    with pytest.raises(StoreCorruptError, match="another program"):
        Store(db_path)
    assert sha256(db_path) == before
    conn = sqlite3.connect(db_path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"  # not switched to WAL
    conn.close()


def test_foreign_application_id_refused(db_path: Path) -> None:
    conn = sqlite3.connect(db_path)
    conn.execute("PRAGMA application_id = 12345")
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()
    before = sha256(db_path)
    with pytest.raises(StoreCorruptError, match=re.escape(str(db_path))):
        Store(db_path)
    assert sha256(db_path) == before


def test_empty_file_is_initialised(db_path: Path) -> None:
    """Decision: a zero-byte file holds no data (SQLite itself treats it as an empty database): initialise it."""
    db_path.write_bytes(b"")
    with Store(db_path) as s:
        s.record_attempt("x.item", "item")
        assert s.count_attempts() == 1


def test_sqlite_without_tables_is_initialised(db_path: Path) -> None:
    sqlite3.connect(db_path).execute("PRAGMA user_version").fetchone()
    with Store(db_path) as s:
        assert s.schema_version == SCHEMA_VERSION


def test_newer_version_refused_untouched(db_path: Path) -> None:
    with Store(db_path):
        pass
    conn = sqlite3.connect(db_path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    before = sha256(db_path)
    with pytest.raises(StoreNewerVersionError) as e:
        Store(db_path)
    message = str(e.value)
    assert str(db_path) in message and "newer" in message and str(SCHEMA_VERSION + 1) in message
    assert sha256(db_path) == before
    conn = sqlite3.connect(db_path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION + 1
    conn.close()


def test_directory_at_path_refused(tmp_path: Path) -> None:
    with pytest.raises(StoreCorruptError, match="directory"):
        Store(tmp_path)


def test_unwritable_location_names_path_and_overrides() -> None:
    """/proc refuses new files even to root (tests run as root here, where chmod does not stop writes)."""
    path = Path("/proc/nnprep-test/progress.db")
    with pytest.raises(StoreNotWritableError) as e:
        Store(path)
    message = str(e.value)
    assert str(path) in message and "--db" in message and "NNPREP_DB" in message and "\n" not in message


def test_unwritable_file_in_proc_root() -> None:
    if not Path("/proc").is_dir():
        pytest.skip("no /proc on this system")
    with pytest.raises(StoreNotWritableError, match=re.escape("/proc/nnprep.db")):
        Store("/proc/nnprep.db")


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root ignores directory permissions")
def test_read_only_directory(tmp_path: Path) -> None:
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    try:
        with pytest.raises(StoreNotWritableError, match="--db"):
            Store(ro / "progress.db")
    finally:
        ro.chmod(0o700)


def test_errors_are_store_errors() -> None:
    for cls in (StoreCorruptError, StoreNewerVersionError, StoreNotWritableError):
        assert issubclass(cls, StoreError)


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root ignores file permissions")
def test_read_only_file(db_path: Path) -> None:
    Store(db_path).close()
    db_path.chmod(0o400)
    try:
        with pytest.raises(StoreNotWritableError, match="read-only"):
            Store(db_path)
    finally:
        db_path.chmod(0o600)


def test_write_failure_is_a_store_error(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A write refused by SQLite (here: query_only) surfaces as a one-line StoreNotWritableError."""
    with Store(db_path) as s:
        s._conn.execute("PRAGMA query_only = ON")
        with pytest.raises(StoreNotWritableError, match="--db"):
            s.record_attempt("x.q", "item")
        s._conn.execute("PRAGMA query_only = OFF")
        s.record_attempt("x.q", "item")
        assert s.count_attempts() == 1
