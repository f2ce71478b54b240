from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.search import index

from accounts.models import Organisation
from catalogue.models import QualificationType, ServiceItem
from core.files import RandomName, private_storage
from core.models import StatusEvent, StatusMachine, status_event_fields
from core.search import QueuedIndexed, index_tokens


class Agency(QueuedIndexed, StatusMachine):
    """An intermediary agency's place on the roster (中介机构入驻). Joining needs nothing but
    the legally required qualifications (R3: zero threshold, no quota)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending review")
        ACTIVE = "active", _("Active")
        REJECTED = "rejected", _("Returned for correction")
        SUSPENDED = "suspended", _("Suspended")
        EXITED = "exited", _("Exited")

    # The only moves there are, made through core.status.status_move by
    # agencies/services/status.py.
    TRANSITIONS = {
        Status.PENDING: frozenset({Status.ACTIVE, Status.REJECTED}),
        Status.REJECTED: frozenset({Status.PENDING}),
        Status.ACTIVE: frozenset({Status.SUSPENDED, Status.EXITED}),
        Status.SUSPENDED: frozenset({Status.ACTIVE, Status.EXITED}),
        Status.EXITED: frozenset({Status.PENDING}),
    }
    STATUS_EVENT_MODEL = "agencies.AgencyStatusEvent"
    STATUS_EVENT_SUBJECT = "agency"

    organisation = models.OneToOneField(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        primary_key=True,
        related_name="agency",
        limit_choices_to={"kind": Organisation.Kind.AGENCY},
    )
    legal_representative = models.CharField(_("legal representative"), max_length=100)
    business_licence = models.FileField(
        _("business licence scan"),
        upload_to=RandomName("agencies/licences"),
        storage=private_storage,
        blank=True,
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    submitted_at = models.DateTimeField(_("submitted for review at"), null=True, blank=True)
    review_due = models.DateField(_("review due by"), null=True, blank=True)
    activated_at = models.DateTimeField(_("active since"), null=True, blank=True)
    # The agency's current credit standing, kept by the credit system (credit/, R11; how it
    # is made: docs/credit.md). A request takes them as they stand when it is published
    # (market.Invitation), so a change while it is quoting applies to the next request.
    credit_score = models.DecimalField(
        _("credit score"), max_digits=5, decimal_places=1, default=Decimal("80.0")
    )
    credit_grade = models.CharField(_("credit grade"), max_length=1, default="B")
    # Bumped by the self-service writes (profile, certificates, practitioners, ties, scope
    # settings), so the roster can sort by recent activity.
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    # In the search index (core.search): the name, the region and the catalogue items the
    # agency may serve now, so a search for a service finds who offers it. Nothing else —
    # no contacts, documents or quotes.
    search_fields = [
        index.SearchField("search_tokens"),
        index.FilterField("status"),
        index.FilterField("credit_grade"),
        index.FilterField("credit_score"),
        index.FilterField("organisation_id"),
    ]
    search_index_sources = {
        "accounts.Organisation": "pk",
        "agencies.AgencyServiceScope": "agency_id",
    }

    class Meta:
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")
        ordering = ["organisation__name"]

    def __str__(self) -> str:
        return str(self.organisation)

    @classmethod
    def get_indexed_objects(cls):
        return cls.objects.select_related("organisation").prefetch_related(
            models.Prefetch(
                "scope",
                queryset=AgencyServiceScope.objects.filter(in_scope=True).select_related(
                    "service_item"
                ),
                to_attr="scope_for_index",
            )
        )

    def search_tokens(self) -> str:
        served = getattr(self, "scope_for_index", None)
        if served is None:
            served = self.scope.filter(in_scope=True).select_related("service_item")
        names = [row.service_item.name for row in served]
        return index_tokens(" ".join([self.organisation.name, self.organisation.region, *names]))

    @property
    def selection_key(self) -> str:
        """How receipts, draws and notices name the agency: its unified social credit code.
        Every agency registers with one; the fallback only keeps keys unique."""
        return self.organisation.credit_code or f"agency-{self.pk}"

    @property
    def in_scope_count(self) -> int:
        """How many catalogue items the agency may serve now (one query; for single pages)."""
        return self.scope.filter(in_scope=True).count()


class AgencyStatusEvent(StatusEvent):
    """Every status change, public on the agency's page: who, when, why."""

    agency = models.ForeignKey(
        Agency, verbose_name=_("agency"), on_delete=models.CASCADE, related_name="status_events"
    )
    from_status, to_status = status_event_fields(Agency.Status.choices)
    cited_qualifications = models.ManyToManyField(
        QualificationType,
        verbose_name=_("qualifications cited"),
        blank=True,
        related_name="+",
        help_text=_("A rejection names the legally required qualification missing or invalid."),
    )

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.agency}: {self.from_status or '—'} → {self.to_status}"


class Qualification(StatusMachine):
    """A qualification certificate (资质证书) an agency holds. It counts towards the scope only
    once a regulator has verified it, and only while it is valid: an agency cannot certify
    itself (R3). A change to a verified certificate sends it back for verification."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting verification")
        VERIFIED = "verified", _("Verified")
        REFUSED = "refused", _("Not verified")

    TRANSITIONS = {
        Status.PENDING: frozenset({Status.VERIFIED, Status.REFUSED}),
        Status.VERIFIED: frozenset({Status.PENDING}),
        Status.REFUSED: frozenset({Status.PENDING}),
    }
    STATUS_EVENT_MODEL = "agencies.QualificationEvent"
    STATUS_EVENT_SUBJECT = "qualification"

    agency = models.ForeignKey(
        Agency, verbose_name=_("agency"), on_delete=models.CASCADE, related_name="qualifications"
    )
    qualification_type = models.ForeignKey(
        QualificationType, verbose_name=_("qualification"), on_delete=models.PROTECT
    )
    grade = models.CharField(_("grade"), max_length=20, blank=True)
    number = models.CharField(_("certificate number"), max_length=64)
    issuer = models.CharField(_("issued by"), max_length=100)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"))
    scan = models.FileField(
        _("certificate scan"),
        upload_to=RandomName("agencies/qualifications"),
        storage=private_storage,
        blank=True,
    )
    # Set by the daily expiry task; the scope computation also compares dates itself, so a
    # late task never lets an expired certificate count.
    expired = models.BooleanField(_("expired"), default=False)
    expiry_notices_sent = models.JSONField(_("expiry notices sent"), default=list, blank=True)
    status = models.CharField(
        _("verification"),
        max_length=16,
        choices=Status.choices,
        default=Status.PENDING,
        db_index=True,
    )
    verification_due = models.DateField(_("to be verified by"), null=True, blank=True)

    class Meta:
        verbose_name = _("qualification certificate")
        verbose_name_plural = _("qualification certificates")
        ordering = ["qualification_type__name", "-valid_to"]
        constraints = [
            models.UniqueConstraint(
                fields=["qualification_type", "number"], name="qualification_unique_number"
            ),
            models.CheckConstraint(
                condition=models.Q(valid_to__gt=models.F("valid_from")),
                name="qualification_valid_dates_in_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.qualification_type} {self.grade} {self.number}".strip()

    @property
    def last_event(self):
        """The latest step of its verification (uses the prefetched events where there are)."""
        events = list(self.status_events.all())
        return events[-1] if events else None


class QualificationEvent(StatusEvent):
    """A certificate submitted, changed, verified or not verified: public on the agency's page."""

    qualification = models.ForeignKey(
        Qualification,
        verbose_name=_("certificate"),
        on_delete=models.CASCADE,
        related_name="status_events",
    )
    from_status, to_status = status_event_fields(Qualification.Status.choices)

    class Meta(StatusEvent.Meta):
        verbose_name = _("certificate event")
        verbose_name_plural = _("certificate events")

    def __str__(self) -> str:
        return f"{self.qualification}: {self.from_status or '—'} → {self.to_status}"


class AgencyServiceScope(models.Model):
    """A catalogue item the agency may serve. Rows are computed from its valid
    qualifications and affiliations (agencies/services/scope.py), never declared; the agency
    sets only its committed time limit and fee policy on them."""

    agency = models.ForeignKey(
        Agency, verbose_name=_("agency"), on_delete=models.CASCADE, related_name="scope"
    )
    service_item = models.ForeignKey(
        ServiceItem,
        verbose_name=_("service item"),
        on_delete=models.CASCADE,
        related_name="agency_scopes",
    )
    in_scope = models.BooleanField(_("within scope"), default=True, db_index=True)
    committed_time_limit_days = models.PositiveSmallIntegerField(
        _("committed time limit (working days)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
    )
    fee_policy = models.TextField(_("fee policy"), blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("service scope")
        verbose_name_plural = _("service scopes")
        ordering = ["service_item__code"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "service_item"], name="scope_unique_item")
        ]

    def __str__(self) -> str:
        return f"{self.agency} · {self.service_item}"


class Practitioner(models.Model):
    """A person working for an agency (执业人员). The national ID number is never stored:
    only a keyed hash (to match the staff register, R4) and its last four characters."""

    class Role(models.TextChoices):
        LEGAL_REPRESENTATIVE = "legal_representative", _("Legal representative")
        SENIOR_MANAGER = "senior_manager", _("Senior manager")
        TECHNICAL_LEAD = "technical_lead", _("Technical lead")
        STAFF = "staff", _("Staff")

    agency = models.ForeignKey(
        Agency, verbose_name=_("agency"), on_delete=models.CASCADE, related_name="practitioners"
    )
    name = models.CharField(_("name"), max_length=50)
    id_number_hash = models.CharField(_("ID number (keyed hash)"), max_length=64, db_index=True)
    id_number_last4 = models.CharField(_("ID number, last four"), max_length=4)
    role = models.CharField(_("role"), max_length=32, choices=Role.choices, default=Role.STAFF)
    certificates = models.TextField(
        _("practising certificates"), blank=True, help_text=_("One per line: name and number.")
    )
    active = models.BooleanField(_("currently with the agency"), default=True)

    class Meta:
        verbose_name = _("practitioner")
        verbose_name_plural = _("practitioners")
        ordering = ["role", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "id_number_hash"], name="practitioner_unique_per_agency"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def masked_id_number(self) -> str:
        return f"{'*' * 14}{self.id_number_last4}"


class AffiliationQuerySet(models.QuerySet):
    def current(self) -> "AffiliationQuerySet":
        return self.filter(ended_at__isnull=True)


class Affiliation(models.Model):
    """A tie between an agency and a government department (R4): such an agency never serves
    the approvals of that department. The agency declares its ties, or a regulator records
    one it found; only a regulator's decision ends a tie, and ended ties stay on the public
    record."""

    class Kind(models.TextChoices):
        SUPERVISING_DEPARTMENT = "supervising_department", _("Supervising department")
        STATE_OWNED_PARENT = "state_owned_parent", _("State-owned parent company")

    agency = models.ForeignKey(
        Agency, verbose_name=_("agency"), on_delete=models.CASCADE, related_name="affiliations"
    )
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    department = models.ForeignKey(
        Organisation,
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        related_name="affiliated_agencies",
        limit_choices_to={
            "kind__in": [Organisation.Kind.APPROVAL_DEPARTMENT, Organisation.Kind.REGULATOR]
        },
    )
    parent_name = models.CharField(_("parent company"), max_length=200, blank=True)
    found_by_regulator = models.BooleanField(_("recorded by a regulator"), default=False)
    finding = models.TextField(_("what the regulator found"), blank=True)
    recorded_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    ended_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("ended by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    end_reason = models.TextField(_("why the tie ended"), blank=True)

    objects = AffiliationQuerySet.as_manager()

    class Meta:
        verbose_name = _("affiliation")
        verbose_name_plural = _("affiliations")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.agency} · {self.get_kind_display()} · {self.department}"

    @property
    def is_current(self) -> bool:
        return self.ended_at is None


class StaffRegisterEntry(models.Model):
    """One serving government employee, from the register regulators import (R4). Only the
    keyed hash of the ID number is kept, the same hash practitioners get."""

    id_number_hash = models.CharField(_("ID number (keyed hash)"), max_length=64, unique=True)
    department_name = models.CharField(_("department"), max_length=100, blank=True)
    imported_at = models.DateTimeField(_("imported at"), auto_now_add=True)

    class Meta:
        verbose_name = _("staff register entry")
        verbose_name_plural = _("staff register")

    def __str__(self) -> str:
        return f"{self.department_name} …{self.id_number_hash[:8]}"
