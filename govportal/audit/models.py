from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def for_entity(self, entity: models.Model) -> AuditEventQuerySet:
        return self.filter(entity=entity).order_by("-id")

    def for_target(self, obj: models.Model) -> AuditEventQuerySet:
        return self.filter(target_type=obj._meta.label_lower, target_id=str(obj.pk))


class AuditEvent(models.Model):
    """One append-only row of the audit log.

    Each row's ``hash`` covers its own content and the previous row's hash, so removing or
    editing any row breaks the chain (``manage.py audit_verify``). On PostgreSQL a trigger
    refuses UPDATE and DELETE outright. Rows are written only by ``audit.services.audit_record``.
    """

    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_label = models.CharField(
        _("actor label"), max_length=254, blank=True, help_text=_("The actor's e-mail at the time of the event.")
    )
    entity = models.ForeignKey(
        "entities.Entity",
        verbose_name=_("entity"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=64, db_index=True, help_text=_("noun_verb, e.g. entity_link"))
    target_type = models.CharField(_("target type"), max_length=100, blank=True)
    target_id = models.CharField(_("target id"), max_length=64, blank=True)
    target_label = models.CharField(_("target"), max_length=300, blank=True)
    # Text, not PostgreSQL's inet: the hash covers this exact string (``normalize_ip``), and inet
    # would hand back its own spelling of some addresses ("::10.0.0.1" for "::a00:1").
    ip = models.CharField(_("IP address"), max_length=39, null=True, blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)
    prev_hash = models.CharField(_("previous hash"), max_length=64)
    hash = models.CharField(_("hash"), max_length=64, unique=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-id"]
        indexes = [models.Index(fields=["target_type", "target_id"]), models.Index(fields=["entity", "-at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.action} {self.target_label}"
