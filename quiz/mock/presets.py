"""Mock-interview presets: validated data (presets.toml), plus a custom preset built from the user's choices."""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from questions.schema import Difficulty, Topic

PRESETS_FILE = Path(__file__).with_name("presets.toml")
ItemType = Literal["flashcard", "mcq", "numeric", "shape", "parameterised"]


class Preset(BaseModel):
    """What a mock interview asks: how many concept items of which types, which coding tasks, how long."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=r"^[a-z0-9_]{2,40}$")
    title: str
    description: str = ""
    minutes: int = Field(ge=1, le=240)
    concept_items: int = Field(ge=0, le=50)
    item_types: list[ItemType] = Field(min_length=1)
    coding: list[Difficulty] = Field(default_factory=list, max_length=5)
    topics: list[Topic] = Field(default_factory=list, description="Restrict to these topics (empty: all).")


class PresetFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    presets: list[Preset]


class PresetError(ValueError):
    """A preset that does not exist or does not validate."""


@cache
def builtin_presets() -> dict[str, Preset]:
    """The presets shipped with nnprep, by name."""
    try:
        data = PresetFile.model_validate(tomllib.loads(PRESETS_FILE.read_text(encoding="utf-8")))
    except (OSError, tomllib.TOMLDecodeError, ValidationError) as e:
        raise PresetError(f"{PRESETS_FILE}: {e}") from None
    return {p.name: p for p in data.presets}


def get_preset(name: str) -> Preset:
    presets = builtin_presets()
    if name not in presets:
        raise PresetError(f"unknown preset {name!r}; choose one of: {', '.join(presets)}, or custom")
    return presets[name]


def custom_preset(
    minutes: int, concept_items: int, coding: list[str], topics: list[str], item_types: list[str] | None = None
) -> Preset:
    """A preset from the user's own choices (validated like the built-in ones)."""
    try:
        return Preset.model_validate(
            {
                "name": "custom",
                "title": "Custom mock",
                "description": f"{concept_items} concept items and {len(coding)} coding tasks in {minutes} minutes",
                "minutes": minutes,
                "concept_items": concept_items,
                "item_types": item_types or ["flashcard", "mcq", "numeric", "shape", "parameterised"],
                "coding": coding,
                "topics": topics,
            }
        )
    except ValidationError as e:
        first = e.errors()[0]
        raise PresetError(f"custom preset: {'.'.join(map(str, first['loc']))}: {first['msg']}") from None
