"""Human names for audit actions, shown in timelines. Apps add theirs with ``register``."""

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

_LABELS: dict[str, Promise] = {
    "user_login": _("Signed in"),
    "user_logout": _("Signed out"),
    "user_login_fail": _("Failed sign-in"),
    "mfa_add": _("Two-factor authentication added"),
    "mfa_remove": _("Two-factor authentication removed"),
    "mfa_reset": _("Recovery codes regenerated"),
    "mfa_fail": _("Wrong two-factor code"),
    "membership_grant": _("Role granted"),
    "membership_revoke": _("Role revoked"),
    "citizen_register": _("Citizen registered"),
    "entity_create": _("Entity created"),
    "entity_move": _("Entity moved in the hierarchy"),
    "entity_link": _("Linked to electronic exchange"),
    "entity_unlink": _("Returned to paper exchange"),
    "phase_open": _("Linkage phase opened"),
    "entity_change": _("Entity details changed"),
    "user_create": _("Account created by an administrator"),
    "user_change": _("Account changed by an administrator"),
    "user_permissions_change": _("Administrator permissions changed"),
    "key_create": _("Signing key created"),
    "key_rotate": _("Signing key rotated"),
    "key_revoke": _("Signing key revoked"),
    "artifact_issue": _("Verifiable document issued"),
    "artifact_revoke": _("Verifiable document revoked"),
    "artifact_note": _("Change noted on a verifiable document"),
    "artifact_supersede": _("Verifiable document replaced"),
}


def register(labels: dict[str, Promise]) -> None:
    _LABELS.update(labels)


def action_label(action: str) -> str:
    return str(_LABELS.get(action, action))


def known_actions() -> list[tuple[str, str]]:
    """Every action with a name, as (action, its name in the active language), by name."""
    return sorted(((action, str(label)) for action, label in _LABELS.items()), key=lambda pair: pair[1])
