"""What the domain apps contribute to "my participation", registered from their AppConfig.ready().

The kernel imports no domain app: a *subject* is something people follow (a draft, a petition), named by a
stable key ("consultations.draft") and an object id; a *section* is a part of the signed-in page "my
participation" (my comments, my petitions), rendered from the app's own template and context.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Subject:
    key: str  # "<app>.<what>"
    resolve: Callable[[int], tuple[str, str] | None]  # object id → (title, path), None when it is not followable


@dataclass(frozen=True)
class Section:
    key: str
    template: str
    context: Callable[[Any], dict]  # user → the template's context
    order: int = 100


_subjects: dict[str, Subject] = {}
_sections: dict[str, Section] = {}


def register_subject(key: str, resolve: Callable[[int], tuple[str, str] | None]) -> None:
    _subjects[key] = Subject(key=key, resolve=resolve)


def register_section(key: str, template: str, context: Callable[[Any], dict], order: int = 100) -> None:
    _sections[key] = Section(key=key, template=template, context=context, order=order)


def subject(key: str) -> Subject | None:
    return _subjects.get(key)


def sections() -> list[Section]:
    return sorted(_sections.values(), key=lambda section: (section.order, section.key))
