from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Case, Q, Value, When
from django.utils.translation import gettext_lazy as _

from govportal.entities.constants import PHASE_OF_KIND, SUBORDINATE_KINDS, EntityKind, LinkagePhase
from govportal.text import in_reader_language

entity_code_validator = RegexValidator(
    r"^[A-Z0-9][A-Z0-9-]{1,31}$",
    _("Use 2 to 32 capital Latin letters, digits or hyphens, starting with a letter or digit."),
)


def letter_number_format_validator(value: str) -> None:
    from django.core.exceptions import ValidationError

    try:
        value.format(code="X", seq=1, year=2026)
    except (KeyError, IndexError, ValueError) as exc:
        raise ValidationError(_("Use only the placeholders {code}, {seq} and {year}.")) from exc
    if "{seq}" not in value:
        raise ValidationError(_("The format must contain {seq}."))


class EntityQuerySet(models.QuerySet["Entity"]):
    def linked(self) -> EntityQuerySet:
        return self.filter(linked_at__isnull=False)

    def unlinked(self) -> EntityQuerySet:
        return self.filter(linked_at__isnull=True)

    def in_phase(self, phase: int) -> EntityQuerySet:
        return self.filter(linkage_phase=phase)

    def descendants_of(self, entity: Entity, *, include_self: bool = False) -> EntityQuerySet:
        """Every entity below ``entity`` in the tree: one indexed prefix scan on ``path``."""
        qs = self.filter(path__startswith=entity.path)
        return qs if include_self else qs.exclude(pk=entity.pk)

    def ancestors_of(self, entity: Entity, *, include_self: bool = False) -> EntityQuerySet:
        """The chain from the root down to ``entity``'s parent, read from ``path`` in one query."""
        codes = entity.path.strip("/").split("/")
        if not include_self:
            codes = codes[:-1]
        return self.filter(code__in=codes).order_by("depth")


class Entity(models.Model):
    """A state body: the Secretariat, a ministry, a governorate, a directorate…

    ``path`` is the materialised path of codes from the root (``/MOCHM/IHF/``), kept by
    ``entity_create``/``entity_move``; it makes subtree and ancestor queries one scan.
    ``code`` is therefore fixed once created.
    """

    code = models.CharField(
        _("code"),
        max_length=32,
        unique=True,
        validators=[entity_code_validator],
        help_text=_("Short permanent identifier printed on letters and receipts, e.g. MOF."),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=EntityKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent entity"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    name_ar = models.CharField(_("name (Arabic)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    name_ckb = models.CharField(
        _("name in Kurdish"),
        max_length=200,
        blank=True,
        help_text=_("Shown to readers who chose Kurdish; the Arabic name is shown where it is empty."),
    )
    path = models.CharField(_("path"), max_length=400, unique=True, editable=False, db_index=True)
    depth = models.PositiveSmallIntegerField(_("depth"), default=0, editable=False)
    linkage_phase = models.GeneratedField(
        expression=Case(
            *[When(kind=kind, then=Value(phase)) for kind, phase in PHASE_OF_KIND.items()],
            default=Value(LinkagePhase.DIRECTORATES),
        ),
        output_field=models.PositiveSmallIntegerField(choices=LinkagePhase.choices),
        db_persist=True,
        verbose_name=_("linkage phase"),
    )
    linked_at = models.DateTimeField(
        _("linked at"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("When the entity joined electronic exchange; empty while its mail is on paper."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    letter_number_format = models.CharField(
        _("outgoing letter number format"),
        max_length=60,
        default="{code}/{seq}/{year}",
        validators=[letter_number_format_validator],
        help_text=_("Placeholders: {code}, {seq}, {year}; {seq} is required, e.g. {code}/{seq}/{year}."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = EntityQuerySet.as_manager()

    class Meta:
        verbose_name = _("entity")
        verbose_name_plural = _("entities")
        ordering = ["path"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind__in=SUBORDINATE_KINDS) | Q(parent__isnull=False),
                name="entity_subordinate_has_parent",
                violation_error_message=_("Directorates and institutions must belong to a parent entity."),
            ),
            models.CheckConstraint(
                condition=~Q(parent=models.F("pk")),
                name="entity_not_own_parent",
            ),
        ]
        indexes = [models.Index(fields=["linkage_phase", "linked_at"])]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        """The name in the active language (Arabic where there is none in it)."""
        return in_reader_language(ar=self.name_ar, en=self.name_en, ckb=self.name_ckb)

    @property
    def linkage_phase_label(self) -> str:
        return str(LinkagePhase(self.linkage_phase).label)

    @property
    def is_linked(self) -> bool:
        return self.linked_at is not None

    def can_move_under(self, parent: Entity | None) -> bool:
        """An entity cannot sit under itself or anything in its own subtree."""
        return parent is None or not parent.path.startswith(self.path)

    def can_exchange_with(self, other: Entity) -> bool:
        """Letters go electronically only when both ends are linked; otherwise on paper."""
        return self.is_linked and other.is_linked and self.is_active and other.is_active


class RolloutPhase(models.Model):
    """Which linkage phases are open. An entity can be linked only once its phase is open."""

    number = models.PositiveSmallIntegerField(_("phase"), primary_key=True, choices=LinkagePhase.choices)
    opened_at = models.DateTimeField(_("opened at"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("rollout phase")
        verbose_name_plural = _("rollout phases")
        ordering = ["number"]

    def __str__(self) -> str:
        return str(self.get_number_display())

    @property
    def is_open(self) -> bool:
        return self.opened_at is not None
