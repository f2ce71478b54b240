from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.validators import validate_credit_code


class Role(models.TextChoices):
    """A user's role follows from the kind of organisation they belong to; each role is a
    group of the same name, holding that role's model permissions."""

    PROJECT_OWNER = "project_owner", _("Project owner")
    AGENCY = "agency", _("Intermediary agency")
    REGULATOR = "regulator", _("Regulator")
    APPROVAL_DEPARTMENT = "approval_department", _("Approval department")


class Organisation(models.Model):
    """A project owner (企业/项目业主), an agency (中介机构) or a government department."""

    Kind = Role

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices, db_index=True)
    credit_code = models.CharField(
        _("unified social credit code"),
        max_length=18,
        unique=True,
        null=True,
        blank=True,
        validators=[validate_credit_code],
    )
    region = models.CharField(_("region"), max_length=100, blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=100, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "name"], name="organisation_unique_kind_name"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_government(self) -> bool:
        return self.kind in (self.Kind.REGULATOR, self.Kind.APPROVAL_DEPARTMENT)


class User(AbstractUser):
    """Every person who signs in. Platform administrators have no organisation."""

    display_name = models.CharField(_("display name"), max_length=100, blank=True)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="members",
        null=True,
        blank=True,
    )
    is_organisation_admin = models.BooleanField(
        _("organisation administrator"),
        default=False,
        help_text=_("May edit the organisation's details and manage its members."),
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.display_name or self.username

    def get_full_name(self) -> str:
        # Wagtail's back office names people by their full name: the name they go by here.
        return self.display_name or super().get_full_name()

    @property
    def role(self) -> Role | None:
        """The marketplace role from the organisation. A superuser has none, even when put
        into an organisation: platform administration never carries an agency's, an owner's
        or a department's rights (accounts/permissions.py)."""
        if self.is_superuser or self.organisation is None:
            return None
        return Role(self.organisation.kind)


class AccountChange(models.Model):
    """A privileged change made to someone's account by another person in the back office —
    activation, administrator status, roles, e-mail — kept for the record; the person is told
    by mail (accounts/audit.py). Nobody sets another person's password: that field is not in
    the back office (WAGTAILUSERS_PASSWORD_ENABLED = False)."""

    user = models.ForeignKey(
        User, verbose_name=_("account"), on_delete=models.CASCADE, related_name="changes_made"
    )
    actor = models.ForeignKey(
        User,
        verbose_name=_("changed by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    # {"field": [before, after]}; "created" when the account was made by someone else.
    changes = models.JSONField(_("changes"))
    created_at = models.DateTimeField(_("changed at"), auto_now_add=True)

    class Meta:
        verbose_name = _("account change")
        verbose_name_plural = _("account changes")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.user} @ {self.created_at:%Y-%m-%d %H:%M}"
