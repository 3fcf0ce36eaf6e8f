from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    REGISTRY_CLERK = "registry_clerk", _("Registry clerk")
    ENTITY_HEAD = "entity_head", _("Head of entity")
    FUND_OFFICER = "fund_officer", _("Housing fund officer")
    OUTLET_CASHIER = "outlet_cashier", _("Outlet cashier")
    CERTIFICATE_ISSUER = "certificate_issuer", _("Certificate issuer")
    TRAINING_COORDINATOR = "training_coordinator", _("Training coordinator")
    TRAINING_ADMIN = "training_admin", _("Training administrator")
    AUDITOR = "auditor", _("Auditor")


# Roles that may see the entity's staff list and its audit trail in the workspace.
OVERSIGHT_ROLES = (Role.ENTITY_HEAD, Role.AUDITOR)
