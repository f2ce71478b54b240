from django.core.exceptions import FieldDoesNotExist
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.search import index

from accounts.models import Organisation
from core.models import StatusEvent, StatusMachine, status_event_fields
from core.search import QueuedIndexed, index_tokens


class FeeMode(models.TextChoices):
    GOVERNMENT_SET = "government_set", _("Government-set price")
    GOVERNMENT_GUIDANCE = "government_guidance", _("Government guidance ceiling")
    MARKET = "market", _("Market price with a published reference range")


class RegionalAssessmentKind(models.TextChoices):
    """The six kinds of assessment the government may make once for a whole area (R8)."""

    ENVIRONMENTAL_IMPACT = "environmental_impact", _("Environmental impact assessment")
    ENERGY_SAVING = "energy_saving", _("Energy-saving assessment")
    SEISMIC_SAFETY = "seismic_safety", _("Seismic safety assessment")
    GEOLOGICAL_HAZARD = "geological_hazard", _("Geological hazard risk assessment")
    SOIL_WATER_CONSERVATION = "soil_water_conservation", _("Soil and water conservation plan")
    FLOOD_IMPACT = "flood_impact", _("Flood impact assessment")


class QualificationType(models.Model):
    """A legally required agency qualification (资质), with its grades from highest to lowest.

    Kept by regulators; a catalogue item's requirements and an agency's certificates both
    point here, so "qualified" is a comparison, never a judgement."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100, unique=True)
    grades = models.JSONField(
        _("grades, highest first"),
        default=list,
        blank=True,
        help_text=_(
            "For example 甲级, 乙级, 丙级. Leave empty where the qualification has no grades."
        ),
    )
    legal_basis = models.CharField(_("legal basis"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("qualification type")
        verbose_name_plural = _("qualification types")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def grade_rank(self, grade: str) -> int:
        """0 for the highest grade; raises ValueError for a grade this type does not have."""
        if not self.grades:
            if grade:
                raise ValueError(grade)
            return 0
        return self.grades.index(grade)

    def satisfies(self, *, held_grade: str, minimum_grade: str) -> bool:
        if not self.grades or not minimum_grade:
            return True
        return self.grade_rank(held_grade) <= self.grade_rank(minimum_grade)


class ServiceItem(QueuedIndexed, StatusMachine):
    """A catalogue item (中介服务事项): the only kind of service an approval may require (R1).

    The row holds the item as it stands now. Every change to a published item is recorded as
    a ServiceItemVersion with its effective date and reason (R1: 常态化动态调整)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        RETIRED = "retired", _("Retired")

    # The only moves there are, made through core.status.status_move by
    # catalogue/services/items.py.
    TRANSITIONS = {
        Status.DRAFT: frozenset({Status.PUBLISHED}),
        Status.PUBLISHED: frozenset({Status.RETIRED}),
        Status.RETIRED: frozenset(),
    }
    STATUS_EVENT_MODEL = "catalogue.ServiceItemEvent"
    STATUS_EVENT_SUBJECT = "service_item"

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=200)
    summary = models.TextField(_("summary"), blank=True)
    approval_department = models.ForeignKey(
        Organisation,
        verbose_name=_("approval department"),
        on_delete=models.PROTECT,
        related_name="required_service_items",
        limit_choices_to={"kind": Organisation.Kind.APPROVAL_DEPARTMENT},
    )
    related_approval_item = models.CharField(_("related approval item"), max_length=200)
    legal_basis = models.TextField(_("legal basis"))
    legal_references = models.TextField(
        _("legal references"),
        blank=True,
        help_text=_("One law, regulation or document per line, with its article."),
    )
    statutory_time_limit_days = models.PositiveSmallIntegerField(
        _("statutory time limit (working days)"), validators=[MinValueValidator(1)]
    )
    fee_mode = models.CharField(_("fee mode"), max_length=32, choices=FeeMode.choices)
    fee_basis = models.TextField(_("fee basis"), blank=True)
    fee_amount = models.DecimalField(
        _("government-set price (yuan)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    fee_ceiling = models.DecimalField(
        _("guidance price ceiling (yuan)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    reference_price_low = models.DecimalField(
        _("reference price from (yuan)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    reference_price_high = models.DecimalField(
        _("reference price to (yuan)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    paid_by_department = models.BooleanField(
        _("paid by the approval department"),
        default=False,
        help_text=_("The department commissions the service and pays from its budget."),
    )
    guide_materials = models.TextField(
        _("materials the owner provides"), blank=True, help_text=_("One per line.")
    )
    guide_steps = models.TextField(_("steps"), blank=True, help_text=_("One per line."))
    guide_deliverables = models.TextField(
        _("deliverables"), blank=True, help_text=_("One per line.")
    )
    regional_assessment_kind = models.CharField(
        _("regional assessment kind"),
        max_length=32,
        choices=RegionalAssessmentKind.choices,
        blank=True,
    )
    owner_may_self_prepare = models.BooleanField(
        _("owner may prepare the material itself"), default=False
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    version = models.PositiveIntegerField(_("version"), default=0)
    effective_date = models.DateField(_("in force since"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    search_fields = [
        index.SearchField("name", boost=3),
        index.SearchField("code"),
        index.SearchField("search_tokens"),
        index.FilterField("code"),
        index.FilterField("status"),
        index.FilterField("fee_mode"),
        index.FilterField("approval_department_id"),
    ]

    class Meta:
        verbose_name = _("service item")
        verbose_name_plural = _("service items")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def search_tokens(self) -> str:
        return index_tokens(f"{self.name} {self.summary} {self.related_approval_item}")

    @staticmethod
    def _lines(text: str) -> list[str]:
        return [line.strip() for line in text.splitlines() if line.strip()]

    @property
    def legal_reference_list(self) -> list[str]:
        return self._lines(self.legal_references)

    @property
    def material_list(self) -> list[str]:
        return self._lines(self.guide_materials)

    @property
    def step_list(self) -> list[str]:
        return self._lines(self.guide_steps)

    @property
    def deliverable_list(self) -> list[str]:
        return self._lines(self.guide_deliverables)

    @property
    def requirement_alternatives(self) -> list[list["QualificationRequirement"]]:
        """The requirements grouped by alternative; holding any one group qualifies.
        Uses the prefetched `requirements` when there are any."""
        groups: dict[int, list[QualificationRequirement]] = {}
        for requirement in self.requirements.all():
            groups.setdefault(requirement.alternative, []).append(requirement)
        return [groups[number] for number in sorted(groups)]


class QualificationRequirement(models.Model):
    """One qualification an item requires. Requirements sharing an `alternative` number must
    all be held together; an agency holding any one complete alternative qualifies. An item
    with no requirements needs no qualification beyond being on the roster."""

    service_item = models.ForeignKey(
        ServiceItem,
        verbose_name=_("service item"),
        on_delete=models.CASCADE,
        related_name="requirements",
    )
    alternative = models.PositiveSmallIntegerField(_("alternative"), default=1)
    qualification_type = models.ForeignKey(
        QualificationType, verbose_name=_("qualification"), on_delete=models.PROTECT
    )
    minimum_grade = models.CharField(_("minimum grade"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("required qualification")
        verbose_name_plural = _("required qualifications")
        ordering = ["alternative", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["service_item", "alternative", "qualification_type"],
                name="requirement_unique_per_alternative",
            )
        ]

    def __str__(self) -> str:
        grade = f" {self.minimum_grade}" if self.minimum_grade else ""
        return f"{self.qualification_type}{grade}"


class ServiceItemVersion(models.Model):
    """One published adjustment of the catalogue: publication, change or retirement (R1).

    `snapshot` is the item's public content as of this version, so the adjustment log can
    show what changed and anyone can see what was in force on a given day."""

    service_item = models.ForeignKey(
        ServiceItem,
        verbose_name=_("service item"),
        on_delete=models.PROTECT,
        related_name="versions",
    )
    number = models.PositiveIntegerField(_("version"))
    effective_date = models.DateField(_("effective date"))
    reason = models.TextField(_("reason"))
    changed_fields = models.JSONField(_("changed fields"), default=list)
    snapshot = models.JSONField(_("content"))
    status = models.CharField(_("status after"), max_length=16, choices=ServiceItem.Status.choices)
    created_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("adjusted by"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    # A version dated in the future waits, published in the log as scheduled, until the
    # daily task applies it to the item on its effective date.
    applied_at = models.DateTimeField(_("applied at"), null=True, blank=True)

    class Meta:
        verbose_name = _("catalogue adjustment")
        verbose_name_plural = _("catalogue adjustments")
        ordering = ["-effective_date", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["service_item", "number"], name="service_item_version_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.service_item.code} v{self.number}"

    @property
    def is_scheduled(self) -> bool:
        return self.applied_at is None

    @property
    def is_status_change(self) -> bool:
        """A publication or retirement, rather than a change of content."""
        return self.changed_fields == ["status"]

    @property
    def changed_field_labels(self) -> list[str]:
        """The changed fields as readers know them (their verbose names)."""
        labels = []
        for name in self.changed_fields:
            if name == "requirements":
                labels.append(str(QualificationRequirement._meta.verbose_name_plural))
                continue
            try:
                field = ServiceItem._meta.get_field(name)
            except FieldDoesNotExist:  # a field removed since the version was recorded
                labels.append(name)
                continue
            labels.append(str(getattr(field, "verbose_name", name)))
        return labels


class ServiceItemEvent(StatusEvent):
    """A publication or retirement of an item; the version it made is in the adjustment log."""

    service_item = models.ForeignKey(
        ServiceItem,
        verbose_name=_("service item"),
        on_delete=models.CASCADE,
        related_name="status_events",
    )
    from_status, to_status = status_event_fields(ServiceItem.Status.choices)

    class Meta(StatusEvent.Meta):
        verbose_name = _("catalogue status change")
        verbose_name_plural = _("catalogue status changes")

    def __str__(self) -> str:
        return f"{self.service_item.code}: {self.from_status or '—'} → {self.to_status}"
