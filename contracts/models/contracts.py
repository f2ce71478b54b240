from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.files import RandomName, private_storage
from core.models import StatusEvent, StatusMachine, status_event_fields


class Party(models.TextChoices):
    OWNER = "owner", _("Project owner (甲方)")
    AGENCY = "agency", _("Agency (乙方)")


class Contract(StatusMachine):
    """The contract of one awarded purchase (R5, R10), made from the item's approved model
    contract. Its text and signed PDF live in versions: version 1 is the contract, later ones
    are amendments, each signed by both parties. Status moves through core.status.status_move;
    the clock's part (overdue reminders) is made by contracts/services/delivery.py."""

    class Status(models.TextChoices):
        GENERATING = "generating", _("Generating")
        AWAITING_AGENCY = "awaiting_agency", _("Awaiting the agency's signature")
        AWAITING_OWNER = "awaiting_owner", _("Awaiting the owner's signature")
        IN_FORCE = "in_force", _("In force")
        DELIVERED = "delivered", _("Delivered, awaiting acceptance")
        ACCEPTED = "accepted", _("Accepted")
        RETURNED = "returned", _("Returned for rework")
        CLOSED = "closed", _("Closed")
        TERMINATED = "terminated", _("Terminated")

    TRANSITIONS = {
        Status.GENERATING: frozenset(
            {Status.AWAITING_AGENCY, Status.AWAITING_OWNER, Status.TERMINATED}
        ),
        Status.AWAITING_AGENCY: frozenset(
            {Status.AWAITING_OWNER, Status.IN_FORCE, Status.TERMINATED}
        ),
        Status.AWAITING_OWNER: frozenset(
            {Status.AWAITING_AGENCY, Status.IN_FORCE, Status.TERMINATED}
        ),
        Status.IN_FORCE: frozenset({Status.DELIVERED, Status.TERMINATED}),
        Status.DELIVERED: frozenset({Status.ACCEPTED, Status.RETURNED, Status.TERMINATED}),
        Status.RETURNED: frozenset({Status.DELIVERED, Status.TERMINATED}),
        Status.ACCEPTED: frozenset({Status.CLOSED}),
        Status.CLOSED: frozenset(),
        Status.TERMINATED: frozenset(),
    }
    SIGNING_STATUSES = frozenset({Status.AWAITING_AGENCY, Status.AWAITING_OWNER})
    # The agency's clock runs in these; it stands while the owner has the delivery.
    RUNNING_STATUSES = frozenset({Status.IN_FORCE, Status.RETURNED})
    STATUS_EVENT_MODEL = "contracts.ContractEvent"
    STATUS_EVENT_SUBJECT = "contract"

    number = models.CharField(_("contract number"), max_length=32, unique=True)
    purchase_request = models.OneToOneField(
        "market.PurchaseRequest",
        verbose_name=_("purchase request"),
        on_delete=models.PROTECT,
        related_name="contract",
    )
    template_version = models.ForeignKey(
        "contracts.ContractTemplateVersion",
        verbose_name=_("model contract version"),
        on_delete=models.PROTECT,
        related_name="contracts",
    )
    owner = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("project owner"),
        on_delete=models.PROTECT,
        related_name="owner_contracts",
    )
    agency = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("agency"),
        on_delete=models.PROTECT,
        related_name="contracts",
    )
    fee = models.DecimalField(_("fee (yuan)"), max_digits=14, decimal_places=2)
    time_limit_days = models.PositiveSmallIntegerField(_("committed time limit (working days)"))
    statutory_time_limit_days = models.PositiveSmallIntegerField(
        _("statutory time limit (working days)"), null=True, blank=True
    )
    signing_order = models.CharField(_("signing order"), max_length=16)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.GENERATING
    )
    in_force_at = models.DateTimeField(_("in force since"), null=True, blank=True)
    # The working-day clock (contracts/clock.py): days the owner held the delivery are not
    # the agency's; a pause is open from the day of a delivery until the owner's answer.
    paused_workdays = models.PositiveIntegerField(_("working days paused"), default=0)
    paused_since = models.DateField(_("paused since"), null=True, blank=True)
    used_workdays = models.PositiveIntegerField(
        _("working days used"),
        null=True,
        blank=True,
        help_text=_("Fixed when the owner accepts the delivery."),
    )
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    overdue_reminded_on = models.DateField(null=True, blank=True, editable=False)
    termination_reason = models.TextField(_("reason for termination"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status"], name="contract_status")]

    def __str__(self) -> str:
        return self.number


class ContractEvent(StatusEvent):
    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="status_events")
    from_status, to_status = status_event_fields(Contract.Status.choices)

    class Meta(StatusEvent.Meta):
        verbose_name = _("contract event")
        verbose_name_plural = _("contract events")


def _pdf_path(instance: "ContractVersion", filename: str) -> str:
    return f"contracts/{instance.contract.number}/{filename}"


class ContractVersion(models.Model):
    """One signed text of a contract: number 1 is the contract itself, later numbers are
    amendments. Its PDF is made once (contracts/services/generation.py) and then only ever
    gains signatures; `pdf_sha256` is the digest of the file as it stands, so a file changed
    outside the signing service is noticed before the next signature."""

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    text = models.TextField(_("text"))
    reason = models.TextField(_("reason for the amendment"), blank=True)
    pdf = models.FileField(_("PDF"), storage=private_storage, upload_to=_pdf_path, blank=True)
    pdf_sha256 = models.CharField(_("SHA-256 of the PDF"), max_length=64, blank=True)
    rendered_at = models.DateTimeField(_("rendered at"), null=True, blank=True)
    in_force_at = models.DateTimeField(_("signed by both at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("contract version")
        verbose_name_plural = _("contract versions")
        ordering = ["contract", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "number"], name="one_contract_version_number"
            )
        ]

    def __str__(self) -> str:
        return f"{self.contract.number} v{self.number}"

    @property
    def is_generating(self) -> bool:
        return not self.pdf_sha256


class ContractSignature(models.Model):
    """A party's PAdES signature on a version (contracts/signing.py). `pdf_sha256` is the
    digest of the file this signature produced: every revision the platform made is known, so
    an uploaded copy can be recognised as the platform's record at any stage."""

    version = models.ForeignKey(
        ContractVersion, on_delete=models.PROTECT, related_name="signatures"
    )
    party = models.CharField(_("party"), max_length=8, choices=Party.choices)
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    certificate = models.ForeignKey(
        "contracts.SigningCertificate", on_delete=models.PROTECT, related_name="signatures"
    )
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    signed_at = models.DateTimeField(_("signed at"))
    pdf_sha256 = models.CharField(_("SHA-256 after signing"), max_length=64, db_index=True)

    class Meta:
        verbose_name = _("contract signature")
        verbose_name_plural = _("contract signatures")
        ordering = ["version", "signed_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["version", "party"], name="one_signature_per_party")
        ]

    def __str__(self) -> str:
        return f"{self.version} {self.party}"


class Milestone(models.Model):
    """A stage of the work with its own deliverables, due a number of working days into the
    contract's clock (at most the committed time limit)."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="milestones")
    number = models.PositiveSmallIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=200)
    due_workday = models.PositiveSmallIntegerField(_("due on working day"))

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["contract", "number"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "number"], name="one_milestone_number")
        ]

    def __str__(self) -> str:
        return self.title


class Deliverable(models.Model):
    """A file the agency delivers against a milestone: type checked by its content, size
    limited, its SHA-256 recorded; private like every upload (served through the permission
    layer to the parties and regulators)."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        ACCEPTED = "accepted", _("Accepted")
        RETURNED = "returned", _("Returned")

    milestone = models.ForeignKey(Milestone, on_delete=models.PROTECT, related_name="deliverables")
    file = models.FileField(
        _("file"), storage=private_storage, upload_to=RandomName("contracts/deliverables")
    )
    original_name = models.CharField(_("file name"), max_length=255)
    kind = models.CharField(_("type"), max_length=16)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.SUBMITTED
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    answer = models.TextField(_("owner's reasons"), blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("deliverable")
        verbose_name_plural = _("deliverables")
        ordering = ["milestone", "uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.original_name
