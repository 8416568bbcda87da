"""Loading and validating deck files and task texts.

A deck file is TOML with a top-level array of tables ``[[items]]`` (or, when PyYAML is installed, YAML with a
top-level ``items:`` list). Every item is validated on its own, so one broken item costs only that item: the rest of
its file and every other file still load, and each fault becomes a :class:`Problem` (file, item id, field,
message) for the app to show as a warning and for ``nnprep bank validate`` to print.

Where decks come from, in order (on a duplicate id the first wins and the later one is a problem):

1. the built-in bank, ``questions/bank/*.toml``;
2. ``extra_paths`` (``--deck PATH``): deck files, or folders searched recursively;
3. the user's deck folder, ``platformdirs.user_config_dir("nnprep")/decks`` (see :func:`user_deck_dir`).

Within a process, parsed files are cached by path, size and modification time, so loading again is cheap.
"""

from __future__ import annotations

import tomllib
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter, ValidationError

from questions.schema import AUTO_GRADED, FieldError, Item, Parameterised, TaskText

BANK_DIR = Path(__file__).with_name("bank")
TASKS_DIR = Path(__file__).with_name("tasks")
DECK_SUFFIXES = (".toml", ".yaml", ".yml")
NO_ID = "-"
ITEM_TYPES = ("flashcard", "mcq", "numeric", "shape", "parameterised")


@dataclass(frozen=True)
class Problem:
    """One fault in a deck or task file."""

    file: str
    item_id: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.item_id}: {self.field}: {self.message}"


@dataclass(frozen=True)
class Bank:
    """The loaded items (ids unique), where each came from, and the problems found on the way."""

    items: tuple[Item, ...]
    problems: list[Problem]
    sources: dict[str, Path] = field(default_factory=dict)
    files: tuple[Path, ...] = ()

    def __len__(self) -> int:
        return len(self.items)

    def __iter__(self) -> Iterator[Item]:
        return iter(self.items)

    @cached_property
    def by_id(self) -> dict[str, Item]:
        return {i.id: i for i in self.items}

    def get(self, item_id: str) -> Item | None:
        """The item with this id, or the item that replaced it (see questions.aliases)."""
        from questions.aliases import current_id

        return self.by_id.get(item_id) or self.by_id.get(current_id(item_id))

    def stats(self) -> dict[str, Any]:
        """Counts by topic, type and difficulty (every topic is listed, even with 0)."""
        from questions.schema import TOPICS

        by_topic = Counter[str](i.topic for i in self.items)
        return {
            "total": len(self.items),
            "by_topic": {t: by_topic.get(t, 0) for t in TOPICS},
            "by_type": dict(sorted(Counter(i.type for i in self.items).items())),
            "by_difficulty": {d: sum(i.difficulty == d for i in self.items) for d in ("easy", "medium", "hard")},
            "auto_gradable": sum(i.type in AUTO_GRADED for i in self.items),
            "parameterised": sum(i.type == "parameterised" for i in self.items),
        }


@cache
def _item_adapter() -> TypeAdapter[Item]:
    return TypeAdapter(Item)


def user_deck_dir() -> Path:
    """The user's deck folder (it need not exist)."""
    import platformdirs

    return Path(platformdirs.user_config_dir("nnprep")) / "decks"


def display_path(path: Path) -> str:
    """A path as the user would type it: relative to the working directory when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError):
        return str(path)


def deck_files(path: Path) -> list[Path]:
    """The deck files at ``path``: the file itself, or the deck files under a folder (recursively, sorted)."""
    if path.is_dir():
        return sorted(p for p in path.rglob("*") if p.suffix.lower() in DECK_SUFFIXES and p.is_file())
    return [path]


# ---- one file -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Parsed:
    items: tuple[Item, ...]
    problems: tuple[Problem, ...]


_file_cache: dict[Path, tuple[tuple[int, int], _Parsed]] = {}


def clear_cache() -> None:
    _file_cache.clear()
    _task_cache.clear()


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size)


def _read_document(path: Path, shown: str) -> tuple[Any, Problem | None]:
    """The parsed document, or a problem saying why there is none."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as e:
        return None, Problem(shown, NO_ID, NO_ID, f"not UTF-8 text: {e.reason} at byte {e.start}")
    except OSError as e:
        return None, Problem(shown, NO_ID, NO_ID, f"cannot read: {e.strerror or e}")
    if path.suffix.lower() in (".yaml", ".yml"):
        try:
            import yaml  # optional: YAML decks work only when PyYAML is installed
        except ImportError:
            return None, Problem(shown, NO_ID, NO_ID, "YAML decks need PyYAML (pip install pyyaml); or use TOML")
        try:
            return yaml.safe_load(text), None
        except yaml.YAMLError as e:
            return None, Problem(shown, NO_ID, NO_ID, f"not valid YAML: {' '.join(str(e).split())}")
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        return None, Problem(shown, NO_ID, NO_ID, f"not valid TOML: {e}")
    return doc, None


def _field_name(loc: Sequence[int | str], item_type: object) -> str:
    parts = list(loc)
    if parts and parts[0] == item_type:  # the discriminated union puts the tag first
        parts = parts[1:]
    out = ""
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out or NO_ID


def _item_problems(e: ValidationError, raw: Mapping[str, Any], shown: str, item_id: str) -> list[Problem]:
    problems: list[Problem] = []
    item_type = raw.get("type")
    for err in e.errors(include_url=False):
        kind = err["type"]
        if kind == "union_tag_not_found":
            problems.append(
                Problem(shown, item_id, "type", "required field is missing: one of " + ", ".join(ITEM_TYPES))
            )
            continue
        if kind == "union_tag_invalid":
            problems.append(
                Problem(shown, item_id, "type", f"unknown type {item_type!r}: "
                        "use flashcard, mcq, numeric, shape or parameterised")
            )
            continue
        cause = (err.get("ctx") or {}).get("error")
        name = cause.field if isinstance(cause, FieldError) else _field_name(err["loc"], item_type)
        msg = str(cause) if isinstance(cause, FieldError) else err["msg"]
        if kind == "missing":
            msg = "required field is missing"
        elif kind == "extra_forbidden":
            msg = "unknown field (a typo?)"
        elif msg.startswith("Value error, "):
            msg = msg[len("Value error, ") :]
        problems.append(Problem(shown, item_id, name, msg))
    return problems


def _parse_file(path: Path) -> _Parsed:
    shown = display_path(path)
    stamp = _stamp(path)
    if stamp is None:
        return _Parsed((), (Problem(shown, NO_ID, NO_ID, "no such file"),))
    cached = _file_cache.get(path)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    parsed = _validate_document(path, shown)
    _file_cache[path] = (stamp, parsed)
    return parsed


def _validate_document(path: Path, shown: str) -> _Parsed:
    doc, problem = _read_document(path, shown)
    if problem is not None:
        return _Parsed((), (problem,))
    if not isinstance(doc, dict):
        return _Parsed((), (Problem(shown, NO_ID, NO_ID, "a deck is a table with an 'items' array"),))
    problems: list[Problem] = []
    for key in doc:
        if key != "items":
            problems.append(Problem(shown, NO_ID, str(key), "unknown top-level key: a deck has only [[items]]"))
    raw_items = doc.get("items")
    if raw_items is None:
        problems.append(Problem(shown, NO_ID, "items", "no [[items]] in this file"))
        return _Parsed((), tuple(problems))
    if not isinstance(raw_items, list):
        problems.append(Problem(shown, NO_ID, "items", "must be an array of tables: write [[items]]"))
        return _Parsed((), tuple(problems))
    items: list[Item] = []
    adapter = _item_adapter()
    for n, raw in enumerate(raw_items):
        rid = raw.get("id") if isinstance(raw, dict) else None
        item_id = rid if isinstance(rid, str) and rid.strip() else f"items[{n}]"
        if not isinstance(raw, dict):
            problems.append(Problem(shown, item_id, NO_ID, "an item must be a table"))
            continue
        try:
            item = adapter.validate_python(raw)
        except ValidationError as e:
            problems.extend(_item_problems(e, raw, shown, item_id))
            continue
        if isinstance(item, Parameterised):
            draw_problem = _smoke_draw(item)
            if draw_problem:
                problems.append(Problem(shown, item_id, "params", draw_problem))
                continue
        items.append(item)
    return _Parsed(tuple(items), tuple(problems))


def _smoke_draw(item: Parameterised) -> str | None:
    """A template must yield at least one valid instance."""
    from questions.params import DrawError, draw

    try:
        draw(item, seed=0)
    except DrawError as e:
        return str(e).removeprefix(f"{item.id}: ")
    return None


# ---- the bank -----------------------------------------------------------------------------------------------


def builtin_deck_files() -> list[Path]:
    return deck_files(BANK_DIR)


def load_bank(extra_paths: Iterable[str | Path] = (), *, include_user_dir: bool = True) -> Bank:
    """The built-in bank plus extra decks and the user's decks; problems are collected, never raised."""
    files: list[Path] = list(builtin_deck_files())
    problems: list[Problem] = []
    for p in extra_paths:
        path = Path(p).expanduser()
        if not path.exists():
            problems.append(Problem(display_path(path), NO_ID, NO_ID, "no such file or folder"))
            continue
        files.extend(deck_files(path))
    if include_user_dir:
        user = user_deck_dir()
        if user.is_dir():
            files.extend(deck_files(user))
    seen_files: set[Path] = set()
    items: list[Item] = []
    sources: dict[str, Path] = {}
    loaded: list[Path] = []
    for path in files:
        key = path.resolve()
        if key in seen_files:
            continue
        seen_files.add(key)
        loaded.append(path)
        parsed = _parse_file(path)
        problems.extend(parsed.problems)
        for item in parsed.items:
            first = sources.get(item.id)
            if first is not None:
                where = display_path(first)
                problems.append(Problem(display_path(path), item.id, "id", f"duplicate id: already defined in {where}"))
                continue
            sources[item.id] = path
            items.append(item)
    return Bank(tuple(items), problems, sources, tuple(loaded))


# ---- task texts ---------------------------------------------------------------------------------------------

_task_cache: dict[Path, tuple[tuple[int, int], TaskText | None, tuple[Problem, ...]]] = {}


def load_task_file(path: Path) -> tuple[TaskText | None, tuple[Problem, ...]]:
    """Read and validate one coding task's text (a TOML file named after the task's id).

    Returns the text and no problems, or None and the problems (file, id, field, message) that make it unusable.
    The result is cached per file until the file changes; a task pack's texts are read through here too."""
    shown = display_path(path)
    stamp = _stamp(path)
    cached = _task_cache.get(path)
    if stamp is not None and cached is not None and cached[0] == stamp:
        return cached[1], cached[2]
    result: tuple[TaskText | None, tuple[Problem, ...]]
    doc, problem = _read_document(path, shown)
    if problem is not None:
        result = (None, (problem,))
    else:
        raw_id = doc.get("id") if isinstance(doc, dict) else None
        task_id = raw_id if isinstance(raw_id, str) else path.stem
        try:
            task = TaskText.model_validate(doc)
        except ValidationError as e:
            result = (None, tuple(_item_problems(e, {}, shown, task_id)))
        else:
            if task.id != path.stem:
                result = (None, (Problem(shown, task.id, "id", f"must match the file name {path.stem!r}"),))
            else:
                result = (task, ())
    if stamp is not None:
        _task_cache[path] = (stamp, *result)
    return result


def task_texts_with_problems(directory: Path = TASKS_DIR) -> tuple[dict[str, TaskText], list[Problem]]:
    """Every valid task text by id, and the problems of the files that are not."""
    texts: dict[str, TaskText] = {}
    problems: list[Problem] = []
    for path in sorted(directory.glob("*.toml")):
        task, found = load_task_file(path)
        problems.extend(found)
        if task is not None:
            texts[task.id] = task
    return texts, problems


def load_task_texts() -> dict[str, TaskText]:
    """The coding tasks' texts by id (questions/tasks/<id>.toml); broken files are left out (see bank validate)."""
    return task_texts_with_problems()[0]
