from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from govportal.accounts.constants import Role
from govportal.accounts.validators import validate_iraqi_mobile, validate_national_id


def mask_national_id(national_id: str) -> str:
    """Only the last four digits, as shown on pages and in logs."""
    return "•" * 8 + national_id[-4:]


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create(self, email: str, password: str | None, **extra: Any) -> User:
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.update(is_staff=True, is_superuser=True)
        return self._create(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """Everyone who signs in: staff of state entities (through memberships) and citizens.

    ``is_staff`` only grants the Django admin; what a person may do in the portal comes
    from their memberships.
    """

    # None for a citizen who signed in with the national identity platform and gave no e-mail address.
    email = models.EmailField(_("e-mail address"), unique=True, null=True, blank=True)
    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(
        _("administrator"), default=False, help_text=_("May sign in to the administration site.")
    )
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["email"]
        constraints = [models.UniqueConstraint(Lower("email"), name="user_email_ci_unique")]

    def __str__(self) -> str:
        return self.full_name or self.email or str(self.pk)

    def get_full_name(self) -> str:
        return self.full_name or self.email or ""

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else (self.email or "")

    @property
    def is_citizen(self) -> bool:
        return hasattr(self, "citizen_profile")


class Membership(models.Model):
    """A person's role in one state entity. One person may hold several roles and entities."""

    user = models.ForeignKey(User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="memberships")
    entity = models.ForeignKey(
        "entities.Entity", verbose_name=_("entity"), on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    title = models.CharField(_("job title"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("granted at"), auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["entity__path", "role", "user__email"]
        constraints = [models.UniqueConstraint(fields=["user", "entity", "role"], name="membership_unique_role")]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} — {self.entity}"


class CitizenProfile(models.Model):
    """What makes a user a citizen: their national ID and phone (no membership)."""

    user = models.OneToOneField(User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="citizen_profile")
    national_id = models.CharField(
        _("national ID number"),
        max_length=12,
        unique=True,
        validators=[validate_national_id],
        help_text=_("The 12-digit number on the unified national card."),
    )
    phone = models.CharField(_("mobile phone"), max_length=11, blank=True, validators=[validate_iraqi_mobile])
    national_id_verified_at = models.DateTimeField(
        _("national ID verified at"),
        null=True,
        blank=True,
        help_text=_("When the national identity platform confirmed this number. Empty: typed at sign-up, unproven."),
    )
    created_at = models.DateTimeField(_("registered at"), auto_now_add=True)

    class Meta:
        verbose_name = _("citizen profile")
        verbose_name_plural = _("citizen profiles")

    def __str__(self) -> str:
        return f"{self.user} ({self.masked_national_id})"

    @property
    def national_id_verified(self) -> bool:
        return self.national_id_verified_at is not None

    @property
    def masked_national_id(self) -> str:
        return mask_national_id(self.national_id)
