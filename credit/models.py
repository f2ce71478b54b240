from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.files import RandomName, private_storage

SCORE = [MinValueValidator(1), MaxValueValidator(5)]
ASPECT_LABELS = {
    "quality": _("quality"),
    "timeliness": _("timeliness"),
    "attitude": _("attitude"),
    "fees": _("fees"),
    "conduct": _("conduct"),
}
ASPECTS = tuple(ASPECT_LABELS)


class Rating(models.Model):
    """A rating of one contract's service (好差评, R12): by the project owner on five aspects,
    or by the approval department on quality and timeliness, each from 1 to 5. A poor rating
    (any aspect at 2 or below) needs its reason and counts only once a regulator has upheld it;
    the agency may reply once; the rater may change it for RATING_FROZEN_DAYS, then it is
    frozen."""

    class Rater(models.TextChoices):
        OWNER = "owner", _("Project owner")
        DEPARTMENT = "department", _("Approval department")

    class Status(models.TextChoices):
        COUNTED = "counted", _("Counted")
        UNDER_REVIEW = "under_review", _("Poor rating under review")
        SET_ASIDE = "set_aside", _("Set aside by a regulator")

    contract = models.ForeignKey(
        "contracts.Contract",
        verbose_name=_("contract"),
        on_delete=models.PROTECT,
        related_name="ratings",
    )
    rater = models.CharField(_("rated by"), max_length=16, choices=Rater.choices)
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="ratings_given"
    )
    agency = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("agency"),
        on_delete=models.PROTECT,
        related_name="ratings",
    )
    quality = models.PositiveSmallIntegerField(ASPECT_LABELS["quality"], validators=SCORE)
    timeliness = models.PositiveSmallIntegerField(ASPECT_LABELS["timeliness"], validators=SCORE)
    # The department rates only quality and timeliness.
    attitude = models.PositiveSmallIntegerField(
        ASPECT_LABELS["attitude"], validators=SCORE, null=True, blank=True
    )
    fees = models.PositiveSmallIntegerField(
        ASPECT_LABELS["fees"], validators=SCORE, null=True, blank=True
    )
    conduct = models.PositiveSmallIntegerField(
        ASPECT_LABELS["conduct"], validators=SCORE, null=True, blank=True
    )
    comment = models.TextField(_("comment"), blank=True)
    reason = models.TextField(_("reason for a poor rating"), blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.COUNTED
    )
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    rated_at = models.DateTimeField(_("rated at"))
    changed_at = models.DateTimeField(_("changed at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_note = models.TextField(_("regulator's note"), blank=True)
    reply = models.TextField(_("agency's reply"), blank=True)
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)

    class Meta:
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        ordering = ["-rated_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "rater"], name="one_rating_per_rater")
        ]
        indexes = [models.Index(fields=["agency", "status"], name="rating_agency_status")]

    def __str__(self) -> str:
        return f"{self.contract} {self.rater}"

    @property
    def scores(self) -> dict[str, int]:
        return {a: getattr(self, a) for a in ASPECTS if getattr(self, a) is not None}

    @property
    def labelled_scores(self) -> list[tuple[Any, int]]:
        """(aspect's name, score) for the page, in the aspects' order."""
        return [(ASPECT_LABELS[aspect], score) for aspect, score in self.scores.items()]


def _private_file(folder: str, label: Any) -> models.FileField:
    return models.FileField(
        label, upload_to=RandomName(folder), storage=private_storage, blank=True
    )


class Complaint(models.Model):
    """A complaint (投诉, R12). Anyone may make one — a party to a purchase or a member of the
    public — and every one is accepted on arrival (100% acceptance): there is no state in
    which a complaint waits to be let in. A regulator acknowledges it within
    COMPLAINT_ACK_WORKDAYS working days and answers it within COMPLAINT_ANSWER_WORKDAYS; the
    complainant follows each step online, signed in or with the tracking key given once."""

    class Category(models.TextChoices):
        ENTRY = "entry", _("Joining the roster")
        SELECTION = "selection", _("Selection")
        CONTRACT = "contract", _("Contract and delivery")
        FEE = "fee", _("Fees")
        CONDUCT = "conduct", _("Conduct")

    class Status(models.TextChoices):
        ACCEPTED = "accepted", pgettext_lazy("complaint", "Accepted")
        ACKNOWLEDGED = "acknowledged", _("Being handled")
        ANSWERED = "answered", _("Answered")

    class Outcome(models.TextChoices):
        UPHELD = "upheld", _("Upheld")
        PARTLY_UPHELD = "partly_upheld", _("Partly upheld")
        NOT_UPHELD = "not_upheld", _("Not upheld")

    number = models.CharField(_("number"), max_length=20, unique=True)
    category = models.CharField(_("category"), max_length=16, choices=Category.choices)
    agency = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("agency complained about"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="complaints",
    )
    purchase_request = models.ForeignKey(
        "market.PurchaseRequest",
        verbose_name=_("purchase request"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="complaints",
    )
    contract = models.ForeignKey(
        "contracts.Contract",
        verbose_name=_("contract"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="complaints",
    )
    content = models.TextField(_("what happened"))
    evidence = _private_file("credit/complaints", _("evidence"))
    # Who complained: a signed-in user, or a member of the public known by name and contact.
    # Only the complainant and regulators read these.
    complainant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="complaints",
    )
    complainant_name = models.CharField(_("your name"), max_length=50)
    complainant_contact = models.CharField(_("phone or e-mail"), max_length=100)
    # The keyed hash of the tracking key a public complainant is shown once; the key itself
    # is never stored.
    tracking_key_hash = models.CharField(max_length=64, blank=True, editable=False)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.ACCEPTED
    )
    submitted_at = models.DateTimeField(_("submitted at"))
    acknowledge_due = models.DateField(_("to be acknowledged by"))
    answer_due = models.DateField(_("to be answered by"))
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices, blank=True)
    answer = models.TextField(_("answer"), blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handled by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        ordering = ["-submitted_at", "-pk"]
        indexes = [models.Index(fields=["status", "answer_due"], name="complaint_status_due")]

    def __str__(self) -> str:
        return self.number


class ComplaintEvent(models.Model):
    """One step of a complaint's handling, shown to the complainant as its progress."""

    class Kind(models.TextChoices):
        ACCEPTED = "accepted", pgettext_lazy("complaint", "Accepted")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        NOTE = "note", _("Progress")
        ANSWERED = "answered", _("Answered")
        VIOLATION_OPENED = "violation_opened", _("Violation recorded")

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("step"), max_length=20, choices=Kind.choices)
    note = models.TextField(_("note"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("at"))

    class Meta:
        verbose_name = _("complaint step")
        verbose_name_plural = _("complaint steps")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.complaint}: {self.kind}"


class Violation(models.Model):
    """A violation on an agency's credit record (R11): its type, severity, evidence, the
    deciding authority, the legal basis and the dates. Regulators record them, some are
    recorded by the system from its own events (a declined award, a contract finished more
    than LATE_DELIVERY_VIOLATION_WORKDAYS late, work on a contract after its qualification
    expired), and the agency may appeal each one once. A violation in force deducts from the
    credit score by its severity (docs/credit.md)."""

    class Kind(models.TextChoices):
        ABANDONED_SELECTION = "abandoned_selection", _("Abandoned a won selection")
        LATE_SIGNING = "late_signing", _("Signed the contract late")
        RAISED_FEES = "raised_fees", _("Raised fees")
        NOT_AS_PROMISED = "not_as_promised", _("Did not deliver as promised")
        LATE_DELIVERY = "late_delivery", _("Finished more than 10 working days late")
        EXPIRED_QUALIFICATION = "expired_qualification", _("Worked with an expired qualification")
        FALSE_REPORT = "false_report", _("False or copied report")
        COLLUSION = "collusion", _("Collusion")
        IMPROPER_GAIN = "improper_gain", _("Improper gain")

    class Severity(models.TextChoices):
        MINOR = "minor", _("Minor")
        ORDINARY = "ordinary", _("Ordinary")
        SERIOUS = "serious", _("Serious")
        GRAVE = "grave", _("Grave")

    class Source(models.TextChoices):
        SYSTEM = "system", _("Recorded by the system")
        REGULATOR = "regulator", _("Recorded by a regulator")
        COMPLAINT = "complaint", _("From a complaint")

    class Status(models.TextChoices):
        IN_FORCE = "in_force", _("In force")
        APPEALED = "appealed", _("Under appeal")
        ANNULLED = "annulled", _("Annulled on appeal")
        REPAIRED = "repaired", _("Credit repaired")

    agency = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("agency"),
        on_delete=models.PROTECT,
        related_name="violations",
    )
    kind = models.CharField(_("type"), max_length=32, choices=Kind.choices)
    severity = models.CharField(_("severity"), max_length=16, choices=Severity.choices)
    facts = models.TextField(_("facts"))
    evidence = models.TextField(_("evidence"))
    evidence_file = _private_file("credit/violations", _("evidence file"))
    authority = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("deciding authority"),
        on_delete=models.PROTECT,
        related_name="violations_decided",
    )
    legal_basis = models.TextField(_("legal basis"))
    occurred_on = models.DateField(_("occurred on"))
    decided_at = models.DateTimeField(_("decided at"))
    source = models.CharField(_("source"), max_length=16, choices=Source.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # What it arose from, where it arose from a record here.
    purchase_request = models.ForeignKey(
        "market.PurchaseRequest", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    contract = models.ForeignKey(
        "contracts.Contract", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    complaint = models.ForeignKey(
        Complaint, on_delete=models.PROTECT, null=True, blank=True, related_name="violations"
    )
    # Makes a system-recorded violation once per event, however often the event is seen
    # ("decline:<pk>", "late:<contract pk>", "expired:<contract pk>:<certificate pk>").
    event_key = models.CharField(max_length=64, null=True, blank=True, unique=True, editable=False)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.IN_FORCE
    )
    appeal = models.TextField(_("appeal"), blank=True)
    appealed_at = models.DateTimeField(_("appealed at"), null=True, blank=True)
    appeal_decided_at = models.DateTimeField(_("appeal decided at"), null=True, blank=True)
    appeal_decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    appeal_decision = models.TextField(_("decision on the appeal"), blank=True)

    class Meta:
        verbose_name = _("violation")
        verbose_name_plural = _("violations")
        ordering = ["-occurred_on", "-pk"]
        indexes = [models.Index(fields=["agency", "status"], name="violation_agency_status")]

    def __str__(self) -> str:
        return f"{self.agency}: {self.get_kind_display()}"


class BlacklistEntry(models.Model):
    """An agency on the blacklist (黑名单, R11) for a set period, for a serious violation, with
    the persons banned with it. While an entry is current the agency is eligible for nothing,
    and any agency a banned person works for is blocked too. An entry is current from
    `starts_on` up to the day before `ends_on`, so it ends by the calendar, not by a task;
    credit repair granted ends it early (`lifted_at`)."""

    agency = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("agency"),
        on_delete=models.PROTECT,
        related_name="blacklist_entries",
    )
    violation = models.ForeignKey(
        Violation,
        verbose_name=_("violation"),
        on_delete=models.PROTECT,
        related_name="blacklist_entries",
    )
    reason = models.TextField(_("reason"))
    authority = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("deciding authority"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    legal_basis = models.TextField(_("legal basis"))
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    listed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    listed_at = models.DateTimeField(_("listed at"))
    lifted_at = models.DateTimeField(_("lifted early at"), null=True, blank=True)
    lifted_reason = models.TextField(_("why lifted early"), blank=True)

    class Meta:
        verbose_name = _("blacklist entry")
        verbose_name_plural = _("blacklist")
        ordering = ["-starts_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gt=models.F("starts_on")),
                name="blacklist_dates_in_order",
            )
        ]

    def __str__(self) -> str:
        return f"{self.agency} {self.starts_on}–{self.ends_on}"


class BannedPerson(models.Model):
    """A person banned from the market with a blacklist entry (市场禁入): the legal
    representative, a senior manager or a responsible practitioner. Matched by the keyed hash
    of the ID number, the same one practitioners get; the number itself is never stored."""

    entry = models.ForeignKey(
        BlacklistEntry, on_delete=models.CASCADE, related_name="banned_persons"
    )
    name = models.CharField(_("name"), max_length=50)
    role = models.CharField(_("role"), max_length=32)
    id_number_hash = models.CharField(_("ID number (keyed hash)"), max_length=64, db_index=True)
    id_number_last4 = models.CharField(_("ID number, last four"), max_length=4)

    class Meta:
        verbose_name = _("banned person")
        verbose_name_plural = _("banned persons")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def masked_id_number(self) -> str:
        return f"{'*' * 14}{self.id_number_last4}"


class RepairRequest(models.Model):
    """Credit repair (信用修复): the agency shows it has put a violation right; a regulator
    grants or refuses, and the outcome is published. Granted, the violation stops deducting
    and a blacklist entry it caused is lifted."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for a decision")
        GRANTED = "granted", _("Granted")
        REFUSED = "refused", pgettext_lazy("credit repair", "Refused")

    violation = models.ForeignKey(
        Violation,
        verbose_name=_("violation"),
        on_delete=models.PROTECT,
        related_name="repair_requests",
    )
    statement = models.TextField(_("what was put right"))
    evidence = _private_file("credit/repairs", _("evidence"))
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted at"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision = models.TextField(_("decision"), blank=True)

    class Meta:
        verbose_name = _("credit repair request")
        verbose_name_plural = _("credit repair requests")
        ordering = ["-submitted_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.violation} · {self.get_status_display()}"


class Inspection(models.Model):
    """A regulator's inspection of an agency (双随机、一公开: random inspectors, random agencies,
    results public, R11). Its result counts among the regulator assessments of the credit
    score."""

    class Result(models.TextChoices):
        PASSED = "passed", _("No problems found")
        CORRECTED = "corrected", _("Problems found, to be corrected")
        FAILED = "failed", _("Serious problems found")

    agency = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("agency"),
        on_delete=models.PROTECT,
        related_name="inspections",
    )
    inspected_on = models.DateField(_("inspected on"))
    authority = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("inspecting authority"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    result = models.CharField(_("result"), max_length=16, choices=Result.choices)
    findings = models.TextField(_("findings"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"))

    class Meta:
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        ordering = ["-inspected_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.agency} {self.inspected_on}"


class CreditRecord(models.Model):
    """One computation of an agency's credit score and grade (docs/credit.md), kept as
    history. `breakdown` holds every input and every step of the formula, so the page can show
    how the score was made and anyone can redo it from the records it names. A new record is
    written only when the score, the grade or an input changed."""

    class Grade(models.TextChoices):
        A = "A", _("A (excellent)")
        B = "B", _("B (good)")
        C = "C", _("C (fair)")
        D = "D", _("D (poor)")

    agency = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("agency"),
        on_delete=models.CASCADE,
        related_name="credit_records",
    )
    computed_at = models.DateTimeField(_("computed at"))
    window_start = models.DateField(_("window from"))
    window_end = models.DateField(_("window to"))
    score = models.DecimalField(_("credit score"), max_digits=4, decimal_places=1)
    grade = models.CharField(_("grade"), max_length=1, choices=Grade.choices)
    breakdown = models.JSONField(_("how it was made"))

    class Meta:
        verbose_name = _("credit record")
        verbose_name_plural = _("credit records")
        ordering = ["-computed_at", "-pk"]
        indexes = [models.Index(fields=["agency", "-computed_at"], name="credit_record_latest")]

    def __str__(self) -> str:
        return f"{self.agency} {self.score} {self.grade}"


class Reminder(models.Model):
    """A reminder sent about a contract so its rating does not stall (R12): to the owner to
    rate a finished service, or to both parties when a delivery waits for the owner's
    decision. One row per reminder, so a daily run repeated sends nothing twice."""

    contract = models.ForeignKey(
        "contracts.Contract", on_delete=models.CASCADE, related_name="credit_reminders"
    )
    # "rate:<days after acceptance>" or "decide:<day of the delivery>".
    kind = models.CharField(max_length=32)
    sent_on = models.DateField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["contract", "kind"], name="reminder_once")]

    def __str__(self) -> str:
        return f"{self.contract} {self.kind}"
