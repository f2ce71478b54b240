"""Projects, purchase requests, sealed quotes and selection (R1, R2, R4, R6–R8)."""

import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.search import index

from accounts.models import Organisation
from catalogue.models import RegionalAssessmentKind, ServiceItem
from core.files import RandomName, private_storage
from core.models import Region, StatusEvent, StatusMachine, status_event_fields
from core.search import QueuedIndexed, index_tokens


class SelectionMethod(models.TextChoices):
    DIRECT = "direct", _("Direct selection by the owner")
    RANDOM_DRAW = "random_draw", _("Random draw")
    LOWEST_PRICE = "lowest_price", _("Lowest price")
    OPTIMAL_PRICE = "optimal_price", _("Optimal price")
    CREDIT_MERIT = "credit_merit", _("Credit merit")
    SCORED = "scored", _("Scored evaluation")


class Project(models.Model):
    """A project registered by its owner, for which services are bought."""

    class Funding(models.TextChoices):
        STATE = "state", _("State-funded")
        SOCIAL = "social", _("Social-funded")

    owner = models.ForeignKey(
        Organisation,
        verbose_name=_("project owner"),
        on_delete=models.PROTECT,
        related_name="projects",
        limit_choices_to={"kind": Organisation.Kind.PROJECT_OWNER},
    )
    name = models.CharField(_("name"), max_length=200)
    investment_code = models.CharField(_("investment project code"), max_length=40, unique=True)
    region = models.ForeignKey(
        Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="projects"
    )
    funding = models.CharField(_("funding"), max_length=16, choices=Funding.choices)
    approval_department = models.ForeignKey(
        Organisation,
        verbose_name=_("approval department"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="approved_projects",
        limit_choices_to={"kind": Organisation.Kind.APPROVAL_DEPARTMENT},
        help_text=_("The department that approves the project."),
    )
    # Set only by market.services.projects.project_classification_decide, when the approval
    # department confirms an owner's request; the owner cannot tick it (R8).
    is_special_or_major = models.BooleanField(
        _("special or major project"), default=False, editable=False
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name


class ProjectClassification(models.Model):
    """An owner's request that the project be classified as special or major (特殊工程和重大
    工程), and the approval department's answer. Only a confirmed classification exempts the
    project from a regional assessment (R8); the owner's word alone does not."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting the approval department")
        CONFIRMED = "confirmed", _("Confirmed")
        REFUSED = "refused", _("Refused")

    project = models.ForeignKey(
        Project,
        verbose_name=_("project"),
        on_delete=models.CASCADE,
        related_name="classifications",
    )
    department = models.ForeignKey(
        Organisation,
        verbose_name=_("approval department"),
        on_delete=models.PROTECT,
        related_name="project_classifications",
    )
    reason = models.TextField(_("owner's reason"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("department's note"), blank=True)

    class Meta:
        verbose_name = _("special or major project classification")
        verbose_name_plural = _("special or major project classifications")
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["project"],
                condition=models.Q(status="pending"),
                name="project_classification_one_pending",
            )
        ]

    def __str__(self) -> str:
        return f"{self.project} ({self.get_status_display()})"


class RegionalAssessment(models.Model):
    """A regional assessment (区域评估, R8): the government assessed a whole area once for some
    kinds; projects inside it reuse the result instead of buying the service again, unless
    they are special or major."""

    title = models.CharField(_("title"), max_length=200)
    areas = models.ManyToManyField(
        Region,
        verbose_name=_("areas covered"),
        related_name="regional_assessments",
        help_text=_("Every area inside a chosen area is covered too."),
    )
    kinds = models.JSONField(_("assessment kinds covered"), default=list)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"))
    summary = models.TextField(_("result summary"), blank=True)
    result_document = models.FileField(
        _("result document"),
        upload_to=RandomName("market/regional"),
        storage=private_storage,
        blank=True,
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("regional assessment")
        verbose_name_plural = _("regional assessments")
        ordering = ["-valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_to__gte=models.F("valid_from")),
                name="regional_assessment_dates_in_order",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def kind_labels(self) -> list[str]:
        labels = dict(RegionalAssessmentKind.choices)
        return [str(labels.get(kind, kind)) for kind in self.kinds]


class PurchaseRequest(QueuedIndexed, StatusMachine):
    """A purchase of one published catalogue item for one project (采购需求).

    Status moves only along TRANSITIONS, through core.status.status_move. The moves time
    makes (quoting opens, the deadline passes and the quotes are opened, the publicity period
    ends) are made by the scheduled task (market/services/clock.py) and by a quote
    submission, which needs the request's true state, under the request's row lock; pages
    only read, and show what the clock implies (market.selectors.purchase_request_shown_status)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        QUOTING = "quoting", _("Quoting")
        CLOSED = "closed", _("Closed")
        SELECTING = "selecting", _("Selecting")
        AWARDED = "awarded", _("Awarded")
        CONFIRMED = "confirmed", _("Award confirmed")
        CONTRACTED = "contracted", _("Contracted")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    TRANSITIONS = {
        Status.DRAFT: frozenset({Status.PUBLISHED, Status.CANCELLED}),
        Status.PUBLISHED: frozenset({Status.QUOTING, Status.CANCELLED}),
        Status.QUOTING: frozenset({Status.CLOSED, Status.CANCELLED}),
        Status.CLOSED: frozenset({Status.SELECTING, Status.FAILED}),
        Status.SELECTING: frozenset({Status.AWARDED, Status.FAILED}),
        # Back to selecting when the winner declines or an objection is upheld; confirmed
        # when the publicity period has ended with no objection waiting for an answer.
        Status.AWARDED: frozenset({Status.CONFIRMED, Status.SELECTING, Status.FAILED}),
        Status.CONFIRMED: frozenset({Status.CONTRACTED}),
        Status.CONTRACTED: frozenset(),
        Status.FAILED: frozenset(),
        Status.CANCELLED: frozenset(),
    }
    # Before the deadline nobody but the agency itself may learn a quote's amount.
    SEALED_STATUSES = frozenset({Status.DRAFT, Status.PUBLISHED, Status.QUOTING})
    STATUS_EVENT_MODEL = "market.PurchaseRequestEvent"
    STATUS_EVENT_SUBJECT = "purchase_request"

    number = models.CharField(_("notice number"), max_length=32, unique=True)
    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.PROTECT, related_name="requests"
    )
    service_item = models.ForeignKey(
        ServiceItem,
        verbose_name=_("service item"),
        on_delete=models.PROTECT,
        related_name="purchase_requests",
    )
    budget = models.DecimalField(
        _("budget or ceiling (yuan)"),
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(0)],
    )
    selection_method = models.CharField(
        _("selection method"),
        max_length=32,
        choices=SelectionMethod.choices,
        default=SelectionMethod.RANDOM_DRAW,
    )
    quote_opens_at = models.DateTimeField(_("quoting opens"), null=True, blank=True)
    quote_deadline = models.DateTimeField(_("quote deadline"), null=True, blank=True)
    wanted_time_limit_days = models.PositiveSmallIntegerField(
        _("committed time limit wanted (working days)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
    )
    requirements_note = models.TextField(_("what is to be done"), blank=True)
    scoring_criteria = models.JSONField(
        _("scoring criteria"),
        default=list,
        blank=True,
        help_text=_("For scored evaluation: names and weights, fixed when publishing."),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    # Commit–reveal for every draw (docs/selection.md): the commitment is published with the
    # notice; the secret is kept sealed (like the quotes) and revealed after the draw.
    draw_commitment = models.CharField(_("draw commitment"), max_length=64, blank=True)
    draw_secret_sealed = models.TextField(blank=True, editable=False)
    draw_secret = models.CharField(_("draw secret (revealed)"), max_length=64, blank=True)
    draw_record = models.JSONField(_("draw record"), null=True, blank=True, editable=False)
    # The randomness beacon's round whose value enters the draw, fixed at publication and
    # published after the deadline (docs/selection.md). Empty for requests published before.
    beacon_round = models.PositiveBigIntegerField(_("beacon round"), null=True, blank=True)
    winner = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("selected agency"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="won_requests",
    )
    publicity_ends_on = models.DateField(_("publicity period ends"), null=True, blank=True)
    outcome_note = models.TextField(_("reason (failure or cancellation)"), blank=True)
    republished_from = models.OneToOneField(
        "self",
        verbose_name=_("re-publication of"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="republished_as",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    opened_at = models.DateTimeField(_("quotes opened at"), null=True, blank=True)

    # In the search index (core.search) once published, as its public notice: the number, the
    # project, the service and, after the award, the selected agency. Never an amount, a
    # quote or anything sealed; drafts are not in the index at all (get_indexed_objects).
    search_fields = [
        index.SearchField("number"),
        index.SearchField("search_tokens"),
        index.FilterField("status"),
        index.FilterField("selection_method"),
        index.FilterField("service_item_id"),
        index.FilterField("published_at"),
    ]

    class Meta:
        verbose_name = _("purchase request")
        verbose_name_plural = _("purchase requests")
        ordering = ["-created_at"]
        # Notice lists show the newest first, however many requests there are.
        indexes = [
            models.Index(fields=["-created_at"], name="purchaserequest_newest"),
            models.Index(fields=["status", "quote_deadline"], name="purchaserequest_due"),
            # The public notice list: newest published first.
            models.Index(fields=["-published_at", "-id"], name="purchaserequest_notices"),
        ]

    def __str__(self) -> str:
        return self.number

    @classmethod
    def get_indexed_objects(cls):
        return cls.objects.filter(published_at__isnull=False).select_related(
            "project", "service_item__approval_department", "winner__organisation"
        )

    def search_tokens(self) -> str:
        winner = self.winner.organisation.name if self.winner is not None else ""
        return index_tokens(
            " ".join(
                [
                    self.project.name,
                    self.service_item.name,
                    self.service_item.approval_department.name,
                    winner,
                ]
            )
        )

    @property
    def is_sealed(self) -> bool:
        return self.status in self.SEALED_STATUSES

    @property
    def can_be_cancelled(self) -> bool:
        return self.can_become(self.Status.CANCELLED)

    def publicity_open_on(self, day: datetime.date) -> bool:
        """Whether objections are taken on `day`: the award is standing and its publicity
        period has not ended."""
        return (
            self.status == self.Status.AWARDED
            and self.publicity_ends_on is not None
            and day <= self.publicity_ends_on
        )

    @property
    def publicity_open(self) -> bool:
        return self.publicity_open_on(timezone.localdate())


class PurchaseRequestExclusion(models.Model):
    """An agency the owner asks to be kept out (回避), with the stated reason."""

    purchase_request = models.ForeignKey(
        PurchaseRequest, on_delete=models.CASCADE, related_name="exclusions"
    )
    agency = models.ForeignKey(
        "agencies.Agency", verbose_name=_("agency"), on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(_("reason"), max_length=255)

    class Meta:
        verbose_name = _("exclusion")
        verbose_name_plural = _("exclusions")
        constraints = [
            models.UniqueConstraint(fields=["purchase_request", "agency"], name="exclusion_unique")
        ]

    def __str__(self) -> str:
        return f"{self.purchase_request} − {self.agency}"


class PurchaseRequestEvent(StatusEvent):
    """Every status change of a purchase request: who (or the clock), when, why."""

    purchase_request = models.ForeignKey(
        PurchaseRequest,
        verbose_name=_("purchase request"),
        on_delete=models.CASCADE,
        related_name="status_events",
    )
    from_status, to_status = status_event_fields(PurchaseRequest.Status.choices)

    class Meta(StatusEvent.Meta):
        verbose_name = _("request event")
        verbose_name_plural = _("request events")

    def __str__(self) -> str:
        return f"{self.purchase_request}: {self.from_status or '—'} → {self.to_status}"


class Invitation(models.Model):
    """An eligible agency invited to quote; eligibility is computed, never chosen by hand."""

    purchase_request = models.ForeignKey(
        PurchaseRequest, on_delete=models.CASCADE, related_name="invitations"
    )
    agency = models.ForeignKey(
        "agencies.Agency", on_delete=models.CASCADE, related_name="invitations"
    )
    created_at = models.DateTimeField(_("invited at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    # The agency's credit standing when the request was published (or when it first quoted,
    # if it became eligible later): selection and the grade-D rule use these, never a
    # standing that changed while the request was quoting.
    credit_score = models.DecimalField(
        _("credit score"), max_digits=5, decimal_places=1, null=True, blank=True
    )
    credit_grade = models.CharField(_("credit grade"), max_length=1, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["purchase_request", "agency"], name="invitation_unique")
        ]

    def __str__(self) -> str:
        return f"{self.purchase_request} → {self.agency}"


class Quote(models.Model):
    """One agency's quote (or a consortium's, led by `agency`). The amount is sealed: only
    its ciphertext and the receipt exist until the deadline has passed and the request is
    opened; then the opened values are stored beside them so anyone can check the receipt."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    purchase_request = models.ForeignKey(
        PurchaseRequest, on_delete=models.CASCADE, related_name="quotes"
    )
    agency = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("agency (lead)"),
        on_delete=models.PROTECT,
        related_name="quotes",
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.SUBMITTED
    )
    revision = models.PositiveIntegerField(_("revision"), default=1)
    sealed = models.TextField(editable=False)
    receipt = models.CharField(_("receipt"), max_length=64, db_index=True)
    committed_time_limit_days = models.PositiveSmallIntegerField(
        _("committed time limit (working days)"), validators=[MinValueValidator(1)]
    )
    practitioners = models.ManyToManyField(
        "agencies.Practitioner", verbose_name=_("practitioners on the job"), blank=True
    )
    proposal = models.FileField(
        _("proposal"),
        upload_to=RandomName("market/proposals"),
        storage=private_storage,
        blank=True,
    )
    submitted_at = models.DateTimeField(_("submitted at"))
    # The form's one-time token: the same submission twice (a double click, a retry) is
    # recognised and answered with the quote as it stands.
    submission_key = models.CharField(max_length=64, blank=True, editable=False)
    opened_amount = models.DecimalField(
        _("amount (yuan)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    opened_discount_rate = models.DecimalField(
        _("discount rate (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    opened_nonce = models.CharField(max_length=32, blank=True, editable=False)
    outside_reference_range = models.BooleanField(
        _("outside the published reference range"), default=False
    )
    # Why an amount outside the published reference range is justified (R2). It can tell
    # which side of the range the amount is on, so it is sealed with the quote.
    justification_sealed = models.TextField(blank=True, editable=False)
    opened_justification = models.TextField(_("justification of the amount"), blank=True)
    valid = models.BooleanField(_("valid"), default=True)
    invalid_reason = models.CharField(_("why invalid"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("quote")
        verbose_name_plural = _("quotes")
        ordering = ["submitted_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["purchase_request", "agency"], name="quote_one_per_agency"
            )
        ]

    def __str__(self) -> str:
        return f"{self.purchase_request} · {self.agency}"


class QuoteMember(models.Model):
    """A member of a joint intermediary (联合中介, R7) besides its lead agency."""

    quote = models.ForeignKey(Quote, on_delete=models.CASCADE, related_name="members")
    agency = models.ForeignKey(
        "agencies.Agency", verbose_name=_("member agency"), on_delete=models.PROTECT
    )
    share = models.CharField(_("its share of the work"), max_length=255)

    class Meta:
        verbose_name = _("consortium member")
        verbose_name_plural = _("consortium members")
        constraints = [
            models.UniqueConstraint(fields=["quote", "agency"], name="quote_member_unique")
        ]

    def __str__(self) -> str:
        return f"{self.quote} + {self.agency}"


class QuoteReceipt(models.Model):
    """Every receipt ever handed out for a quote, so a revision or a withdrawal leaves a
    trace the agency can check."""

    quote = models.ForeignKey(Quote, on_delete=models.CASCADE, related_name="receipts")
    revision = models.PositiveIntegerField(_("revision"))
    receipt = models.CharField(_("receipt"), max_length=64)
    withdrawn = models.BooleanField(_("withdrawal"), default=False)
    created_at = models.DateTimeField(_("at"), auto_now_add=True)
    # Its entry on the transparency log, for the inclusion proof the agency keeps.
    log_index = models.PositiveBigIntegerField(_("log entry"), null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.quote} r{self.revision}"


class Objection(models.Model):
    """An objection (质疑) to an award, filed during the publicity period; it holds the award
    until a regulator answers."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting an answer")
        UPHELD = "upheld", _("Upheld")
        DISMISSED = "dismissed", _("Dismissed")

    purchase_request = models.ForeignKey(
        PurchaseRequest, on_delete=models.CASCADE, related_name="objections"
    )
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    text = models.TextField(_("objection"))
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    filed_at = models.DateTimeField(_("filed at"), auto_now_add=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("objection")
        verbose_name_plural = _("objections")
        ordering = ["filed_at"]

    def __str__(self) -> str:
        return f"{self.purchase_request}: {self.get_status_display()}"


class AwardDecline(models.Model):
    """A selected agency that declined the award — the credit issue counts these — or whose
    award was set aside because an objection was upheld (`by_objection`, not its fault)."""

    purchase_request = models.ForeignKey(
        PurchaseRequest, on_delete=models.CASCADE, related_name="declines"
    )
    agency = models.ForeignKey(
        "agencies.Agency", on_delete=models.PROTECT, related_name="declined_awards"
    )
    reason = models.TextField(_("reason"), blank=True)
    by_objection = models.BooleanField(_("set aside after an objection"), default=False)
    created_at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("declined award")
        verbose_name_plural = _("declined awards")

    def __str__(self) -> str:
        return f"{self.purchase_request} ✗ {self.agency}"
