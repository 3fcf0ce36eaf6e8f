from django.db import models
from django.utils.translation import gettext_lazy as _


class EntityKind(models.TextChoices):
    SECRETARIAT = "secretariat", _("General Secretariat of the Council of Ministers")
    MINISTRY = "ministry", _("Ministry")
    NON_MINISTRY = "non_ministry", _("Entity not attached to a ministry")
    GOVERNORATE = "governorate", _("Governorate")
    DIRECTORATE = "directorate", _("Directorate")
    INSTITUTION = "institution", _("Institution")


class LinkagePhase(models.IntegerChoices):
    """The three rollout phases of electronic exchange (see DESIGN.md)."""

    MINISTRIES = 1, _("Phase 1: ministries and the General Secretariat")
    NON_MINISTRY_AND_GOVERNORATES = 2, _("Phase 2: non-ministry entities and governorates")
    DIRECTORATES = 3, _("Phase 3: directorates and institutions")


# Which phase each kind of entity is linked in. The model derives its stored
# linkage_phase from this table in the database, so the two can never disagree.
PHASE_OF_KIND: dict[str, int] = {
    EntityKind.SECRETARIAT: LinkagePhase.MINISTRIES,
    EntityKind.MINISTRY: LinkagePhase.MINISTRIES,
    EntityKind.NON_MINISTRY: LinkagePhase.NON_MINISTRY_AND_GOVERNORATES,
    EntityKind.GOVERNORATE: LinkagePhase.NON_MINISTRY_AND_GOVERNORATES,
    EntityKind.DIRECTORATE: LinkagePhase.DIRECTORATES,
    EntityKind.INSTITUTION: LinkagePhase.DIRECTORATES,
}

# Kinds that always sit under a parent entity.
SUBORDINATE_KINDS = (EntityKind.DIRECTORATE, EntityKind.INSTITUTION)
