"""What can be printed: each domain app registers its documents here from its ``apps.ready()``.

The core renders and stores a printable by (model label, pk) without importing the app that
owns it, as it reaches domain apps everywhere else: through a registry.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.db.models import QuerySet


@dataclass(frozen=True)
class Printable:
    """How one model's PDF is made and where it is kept."""

    model: type[models.Model]
    field: str  # the FileField that holds the PDF (its upload_to decides the path)
    template: str  # extends pdf/base.html
    context: Callable[[Any], dict[str, Any]]  # the template's context for one object
    filename: Callable[[Any], str]  # the name a reader saves it under, e.g. "IHF-RC-2026-000001.pdf"
    select_related: tuple[str, ...] = ()  # what ``context`` reads, loaded with the object
    done: Callable[[], dict[str, Any]] | None = None  # other fields written with the file
    failed: Callable[[], dict[str, Any]] | None = None  # fields written when it cannot be rendered
    since: str = ""  # the DateTimeField saying when the document came to be: the sweep's clock
    wanted: Callable[[QuerySet[Any]], QuerySet[Any]] | None = None  # the rows that must have a PDF

    @property
    def label(self) -> str:
        return self.model._meta.label_lower


_registry: dict[str, Printable] = {}


def printable_register(
    model: type[models.Model],
    *,
    field: str,
    template: str,
    context: Callable[[Any], dict[str, Any]],
    filename: Callable[[Any], str],
    select_related: tuple[str, ...] = (),
    done: Callable[[], dict[str, Any]] | None = None,
    failed: Callable[[], dict[str, Any]] | None = None,
    since: str = "",
    wanted: Callable[[QuerySet[Any]], QuerySet[Any]] | None = None,
) -> Printable:
    """Make ``model`` printable (call it from the owning app's ``ready()``; a second call replaces)."""
    if not isinstance(model._meta.get_field(field), models.FileField):
        raise TypeError(f"{model._meta.label}.{field} is not a FileField")
    if since and not isinstance(model._meta.get_field(since), models.DateTimeField):
        raise TypeError(f"{model._meta.label}.{since} is not a DateTimeField")
    printable = Printable(model, field, template, context, filename, select_related, done, failed, since, wanted)
    _registry[printable.label] = printable
    return printable


def printable_for(target: type[models.Model] | models.Model | str) -> Printable:
    """The registration of a model, an instance of it, or its label (``"collection.receipt"``)."""
    label = target.lower() if isinstance(target, str) else target._meta.label_lower
    try:
        return _registry[label]
    except KeyError:
        raise LookupError(f"{label} is not registered as printable") from None


def printables() -> list[Printable]:
    return sorted(_registry.values(), key=lambda printable: printable.label)
