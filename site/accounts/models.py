from __future__ import annotations

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.utils.translation import gettext_lazy as _


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra_fields) -> User:
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra_fields) -> User:
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email: str, password: str | None = None, **extra_fields) -> User:
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """A person who signs in: a member of the public, or staff with a role.

    People sign in with their e-mail address. Staff belong to a jurisdiction
    (行政区划) that limits which drafts, reports and alerts they see.
    """

    username = None
    email = models.EmailField(_("e-mail address"), unique=True)
    display_name = models.CharField(_("display name"), max_length=64, blank=True)
    jurisdiction = models.ForeignKey(
        "regions.Region",
        verbose_name=_("jurisdiction"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
        help_text=_("The administrative division this staff member works for."),
    )

    is_jurisdiction_lead = models.BooleanField(
        _("lead of the jurisdiction"),
        default=False,
        help_text=_(
            "Heads the work of their role in their jurisdiction: told when a task or case there becomes overdue."
        ),
    )

    organisation = models.CharField(
        _("organisation"), max_length=120, blank=True, help_text=_("The unit this person works for.")
    )
    organisation_code = models.CharField(
        _("organisation's credit code"), max_length=18, blank=True, help_text=_("统一社会信用代码 of the unit")
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.display_name or self.email

    def get_full_name(self) -> str:
        return self.display_name or super().get_full_name() or self.email

    def get_short_name(self) -> str:
        return self.display_name or self.email

    def can_see_region(self, code: str | None) -> bool:
        """Whether a record located in region `code` falls in this user's jurisdiction."""
        if self.is_superuser:
            return True
        if self.jurisdiction is None or not code:
            return False
        return self.jurisdiction.contains(code)
