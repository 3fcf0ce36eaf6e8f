from django.db import models
from django.utils.translation import gettext_lazy as _


class Counter(models.Model):
    """The last number given in one register of one entity in one year (gapless serials)."""

    entity = models.ForeignKey("entities.Entity", verbose_name=_("entity"), on_delete=models.PROTECT, related_name="+")
    register = models.CharField(_("register"), max_length=32, help_text=_("e.g. certificate, receipt, outgoing"))
    year = models.PositiveSmallIntegerField(_("year"))
    value = models.PositiveBigIntegerField(_("last number given"), default=0)

    class Meta:
        verbose_name = _("counter")
        verbose_name_plural = _("counters")
        constraints = [
            models.UniqueConstraint(fields=["entity", "register", "year"], name="counter_unique_register_year")
        ]

    def __str__(self) -> str:
        return f"{self.register} {self.year}: {self.value}"
