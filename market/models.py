from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.search import index

from accounts.models import Organisation
from core.search import index_tokens


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


class ServiceItem(index.Indexed, models.Model):
    """A catalogue item (中介服务事项): the only kind of service an approval may require (R1)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        RETIRED = "retired", _("Retired")

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
    statutory_time_limit_days = models.PositiveSmallIntegerField(
        _("statutory time limit (working days)"), validators=[MinValueValidator(1)]
    )
    fee_mode = models.CharField(_("fee mode"), max_length=32, choices=FeeMode.choices)
    fee_basis = models.TextField(_("fee basis"), blank=True)
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
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    search_fields = [
        index.SearchField("name", boost=3),
        index.SearchField("code"),
        index.FilterField("code"),
        index.SearchField("search_tokens"),
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
    region = models.CharField(_("region"), max_length=100)
    funding = models.CharField(_("funding"), max_length=16, choices=Funding.choices)
    is_special_or_major = models.BooleanField(_("special or major project"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name


class PurchaseRequest(models.Model):
    """A purchase of one published catalogue item for one project (采购需求)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        QUOTING = "quoting", _("Quoting")
        CLOSED = "closed", _("Closed")
        SELECTING = "selecting", _("Selecting")
        AWARDED = "awarded", _("Awarded")
        CONTRACTED = "contracted", _("Contracted")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

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
        _("budget (yuan)"), max_digits=14, decimal_places=2, validators=[MinValueValidator(0)]
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("purchase request")
        verbose_name_plural = _("purchase requests")
        ordering = ["-created_at"]
        # Notice lists show the newest first, however many requests there are.
        indexes = [models.Index(fields=["-created_at"], name="purchaserequest_newest")]

    def __str__(self) -> str:
        return self.number
