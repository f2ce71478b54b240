from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ContractTemplate(models.Model):
    """The model contract (示范合同) of one catalogue item (R5); its text lives in versions."""

    service_item = models.OneToOneField(
        "catalogue.ServiceItem",
        verbose_name=_("service item"),
        on_delete=models.PROTECT,
        related_name="contract_template",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("model contract")
        verbose_name_plural = _("model contracts")

    def __str__(self) -> str:
        return str(self.service_item)


class ContractTemplateVersion(models.Model):
    """One version of a model contract: written, checked for unfair clauses, submitted, then
    approved or refused by a regulator. Only approved versions make contracts, and a contract
    keeps the version it was made from, so an approved version is never changed."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted for approval")
        APPROVED = "approved", _("Approved")
        REFUSED = "refused", _("Refused")

    class SigningOrder(models.TextChoices):
        AGENCY_FIRST = "agency_first", _("The agency signs first, then the owner")
        OWNER_FIRST = "owner_first", _("The owner signs first, then the agency")

    template = models.ForeignKey(
        ContractTemplate, on_delete=models.PROTECT, related_name="versions"
    )
    number = models.PositiveIntegerField(_("version"))
    body = models.TextField(_("text"))
    signing_order = models.CharField(
        _("signing order"),
        max_length=16,
        choices=SigningOrder.choices,
        default=SigningOrder.AGENCY_FIRST,
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices)
    # The unfair-clause checker's findings (contracts/clauses.py), each with its answer.
    findings = models.JSONField(_("findings"), default=list)
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["template", "number"]
        constraints = [
            models.UniqueConstraint(fields=["template", "number"], name="one_number_per_version")
        ]
        verbose_name = _("model contract version")
        verbose_name_plural = _("model contract versions")

    def __str__(self) -> str:
        return f"{self.template} v{self.number}"

    @property
    def unanswered_high(self) -> list[dict]:
        return [f for f in self.findings if f["severity"] == "high" and not f["answer"].strip()]
