"""Prompt and message templates, loaded from the versioned files in prompts/.

A template file holds named parts, each under a `## part` line; `$name` placeholders are
filled strictly: a missing value is an error, never an empty gap in a prompt.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from string import Template
from typing import Any

from assistant.settings import PROJECT_ROOT

PROMPTS_DIR = PROJECT_ROOT / "prompts"
_PART = re.compile(r"^## (\w+)\s*$", re.MULTILINE)


class PromptError(Exception):
    """A template is missing, malformed or was given the wrong values."""


@dataclass(frozen=True)
class PromptTemplate:
    name: str  # the file name, e.g. "answer.v1.md"
    parts: dict[str, str]

    def render(self, part: str, **values: object) -> str:
        if part not in self.parts:
            raise PromptError(f"{self.name} has no '## {part}' section")
        try:
            return Template(self.parts[part]).substitute({k: str(v) for k, v in values.items()})
        except (KeyError, ValueError) as exc:
            raise PromptError(f"{self.name}, section '{part}': no value for {exc}") from exc


@lru_cache(maxsize=None)
def load_template(file_name: str) -> PromptTemplate:
    path = PROMPTS_DIR / file_name
    if not path.is_file():
        raise PromptError(f"Prompt file not found: {path}")
    text = path.read_text(encoding="utf-8")
    marks = list(_PART.finditer(text))
    if not marks:
        raise PromptError(f"{path} has no '## part' sections")
    parts = {
        mark.group(1): text[mark.end() : marks[i + 1].start() if i + 1 < len(marks) else None].strip()
        for i, mark in enumerate(marks)
    }
    return PromptTemplate(file_name, parts)


@lru_cache(maxsize=None)
def load_schema(file_name: str) -> dict[str, Any]:
    path = PROMPTS_DIR / file_name
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise PromptError(f"Cannot read the JSON schema {path}: {exc}") from exc
