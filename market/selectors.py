"""Reads of the marketplace. Each returns a queryset with its relations already fetched, or a
value computed from what is stored; none writes, and none moves a status — pages show what the
clock implies through `purchase_request_shown_status`."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db.models import (
    Count,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, NullIf
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from agencies.models import Affiliation, Agency, Practitioner, StaffRegisterEntry
from agencies.restrictions import bar_reasons, exclude_barred
from market import sealing
from market.models import (
    Invitation,
    Objection,
    Project,
    ProjectClassification,
    PurchaseRequest,
    Quote,
    QuoteReceipt,
    RegionalAssessment,
    SelectionMethod,
)

Status = PurchaseRequest.Status


# What the clock implies ----------------------------------------------------------------------


@dataclass(frozen=True)
class ShownStatus:
    code: str
    label: str | Promise


AWAITING_OPENING = ShownStatus("awaiting_opening", _("Quotes closed, awaiting opening"))
AWAITING_CONFIRMATION = ShownStatus(
    "awaiting_confirmation", _("Publicity period over, award being confirmed")
)


def purchase_request_shown_status(
    purchase_request: PurchaseRequest, *, now: datetime.datetime | None = None
) -> ShownStatus:
    """The status a reader should see now. Between a time and the scheduled task that acts
    on it the stored status lags behind; this says what the clock already implies, without
    moving anything: quoting once quoting has opened, "closed, awaiting opening" once the
    deadline has passed, "publicity over" once the award's period has ended."""
    now = now or timezone.now()
    status = purchase_request.status
    deadline = purchase_request.quote_deadline
    opens = purchase_request.quote_opens_at
    if status in (Status.PUBLISHED, Status.QUOTING) and deadline is not None and now >= deadline:
        return AWAITING_OPENING
    if status == Status.PUBLISHED and opens is not None and now >= opens:
        return ShownStatus(Status.QUOTING, Status.QUOTING.label)
    ends = purchase_request.publicity_ends_on
    if status == Status.AWARDED and ends is not None and timezone.localdate(now) > ends:
        return AWAITING_CONFIRMATION
    # Not get_status_display(): it translates every status's label on each call.
    return ShownStatus(status, Status(status).label)


def quoting_open(
    purchase_request: PurchaseRequest, *, now: datetime.datetime | None = None
) -> bool:
    """Whether a quote would be accepted now by the server clock (the submission itself
    decides, under the request's lock)."""
    return purchase_request_shown_status(purchase_request, now=now).code == Status.QUOTING


# Projects and requests ------------------------------------------------------------------------


def project_list_for_owner(*, owner: Organisation) -> QuerySet[Project]:
    pending = ProjectClassification.objects.filter(
        project=OuterRef("pk"), status=ProjectClassification.Status.PENDING
    )
    return (
        Project.objects.filter(owner=owner)
        .select_related("region")
        .annotate(request_count=Count("requests"), classification_pending=Exists(pending))
        .order_by("-created_at")
    )


def project_classifications(project: Project) -> QuerySet[ProjectClassification]:
    """A project's requests to be classified special or major, and the answers, newest first."""
    return project.classifications.select_related("department", "decided_by")


def project_classifications_pending(*, department: Organisation) -> QuerySet[ProjectClassification]:
    """The requests an approval department has still to answer, oldest first."""
    return (
        ProjectClassification.objects.filter(
            department=department, status=ProjectClassification.Status.PENDING
        )
        .select_related("project__owner", "project__region")
        .order_by("requested_at", "pk")
    )


def purchase_request_list_for_owner(*, owner: Organisation) -> QuerySet[PurchaseRequest]:
    return (
        PurchaseRequest.objects.filter(project__owner=owner)
        .select_related("project", "service_item", "winner__organisation")
        .order_by("-created_at")
    )


def _on_staff_register() -> QuerySet[Practitioner]:
    """Current practitioners who are on the register of serving government staff (R4)."""
    return Practitioner.objects.filter(
        active=True, id_number_hash__in=StaffRegisterEntry.objects.values("id_number_hash")
    )


# Agencies of this credit grade are not eligible (R11; docs/credit.md).
INELIGIBLE_GRADE = "D"


def _standing(purchase_request: PurchaseRequest, field: str):
    """The agency's credit standing (`credit_score` or `credit_grade`) for this request: as
    its invitation recorded it when the request was published, or as it stands now if it has
    no invitation yet — so a grade changed while the request is quoting applies to the next
    request, never to this one's draw."""
    recorded = Subquery(
        Invitation.objects.filter(purchase_request=purchase_request, agency=OuterRef("pk")).values(
            field
        )[:1]
    )
    if field == "credit_grade":  # invitations made before grades were recorded have none
        return Coalesce(NullIf(recorded, Value("")), F(field))
    return Coalesce(recorded, F(field))


def eligible_agencies(*, purchase_request: PurchaseRequest) -> QuerySet[Agency]:
    """The one eligibility rule, asked at every decision — invitation, quote submission and
    each revision, a change to the agency, and the deadline — computed and never chosen by
    hand: active on the roster, the item in its computed scope (valid certificates, R3), not
    excluded by the owner, not tied to the item's approval department, no current
    practitioner on the register of serving government staff (R4), not barred by the credit
    system (blacklist and market bans, R11, agencies/restrictions.py), and not of credit
    grade D as the request recorded it (R11). The scope already leaves tied departments out;
    the tie is checked again here so a tie declared since the last recompute still counts."""
    item = purchase_request.service_item
    return exclude_barred(
        Agency.objects.filter(
            status=Agency.Status.ACTIVE,
            scope__service_item=item,
            scope__in_scope=True,
        )
        .alias(request_grade=_standing(purchase_request, "credit_grade"))
        .exclude(request_grade=INELIGIBLE_GRADE)
        .exclude(pk__in=purchase_request.exclusions.values("agency_id"))
        .exclude(
            pk__in=Affiliation.objects.current()
            .filter(department_id=item.approval_department_id)
            .values("agency_id")
        )
        .exclude(Exists(_on_staff_register().filter(agency=OuterRef("pk"))))
        .select_related("organisation")
        .order_by("organisation__credit_code")
    )


def agency_ineligibility_reasons(*, agency: Agency, purchase_request: PurchaseRequest) -> list[str]:
    """Why `agency` may not quote for the request now, for the agency and the public notice;
    empty when eligible_agencies() holds it. The decision is eligible_agencies(); this only
    explains it."""
    if eligible_agencies(purchase_request=purchase_request).filter(pk=agency.pk).exists():
        return []
    item = purchase_request.service_item
    reasons: list[str | Promise] = []
    if agency.status != Agency.Status.ACTIVE:
        reasons.append(
            _("The agency is not active on the roster (%(status)s).")
            % {"status": agency.get_status_display()}
        )
    tied = (
        Affiliation.objects.current()
        .filter(agency=agency, department_id=item.approval_department_id)
        .exists()
    )
    if tied:
        reasons.append(_("The agency is tied to the department that approves this service."))
    # The scope leaves a tied department's items out; only say "no qualification" when the
    # tie is not the reason.
    elif not agency.scope.filter(service_item=item, in_scope=True).exists():
        reasons.append(_("The agency holds no valid qualification this service requires."))
    if purchase_request.exclusions.filter(agency=agency).exists():
        reasons.append(_("The owner excluded the agency, with a stated reason."))
    if _on_staff_register().filter(agency=agency).exists():
        reasons.append(
            _("A person working for the agency is on the register of serving government staff.")
        )
    reasons.extend(bar_reasons(agency))
    grade = (
        Agency.objects.filter(pk=agency.pk)
        .annotate(request_grade=_standing(purchase_request, "credit_grade"))
        .values_list("request_grade", flat=True)
        .first()
    )
    if grade == INELIGIBLE_GRADE:
        reasons.append(_("The agency's credit grade is D, which is not eligible."))
    return [str(reason) for reason in reasons] or [
        str(_("The agency is not eligible for this request."))
    ]


# Consortium members (R7): an agency finds a partner by name; nobody is listed by default, so
# the page never hands one agency the list of its competitors for a request.
CONSORTIUM_SEARCH_MIN_CHARS = 2
CONSORTIUM_SEARCH_LIMIT = 10


def _consortium_partners(*, purchase_request: PurchaseRequest, lead: Agency) -> QuerySet[Agency]:
    """Who may join the lead's quote: eligible for the request by the one rule (so active on
    the roster), and not the lead itself. quote_submit asks the same rule again."""
    return eligible_agencies(purchase_request=purchase_request).exclude(pk=lead.pk)


def consortium_member_search(
    *, purchase_request: PurchaseRequest, lead: Agency, name: str
) -> QuerySet[Agency]:
    """At most CONSORTIUM_SEARCH_LIMIT partners whose name contains `name`; none until at
    least CONSORTIUM_SEARCH_MIN_CHARS characters are typed."""
    name = (name or "").strip()
    if len(name) < CONSORTIUM_SEARCH_MIN_CHARS:
        return Agency.objects.none()
    return _consortium_partners(purchase_request=purchase_request, lead=lead).filter(
        organisation__name__icontains=name
    )[:CONSORTIUM_SEARCH_LIMIT]


def consortium_members_chosen(
    *, purchase_request: PurchaseRequest, lead: Agency, pks: list[int]
) -> QuerySet[Agency]:
    """The partners among those the lead has already picked (ids from the page's address or
    its form); an id that is not a possible partner shows nothing, not even a name."""
    if not pks:
        return Agency.objects.none()
    return _consortium_partners(purchase_request=purchase_request, lead=lead).filter(pk__in=pks)


def regional_assessment_covering(
    *, purchase_request: PurchaseRequest, on: datetime.date
) -> RegionalAssessment | None:
    """The regional assessment that makes buying this service unnecessary (R8), or None."""
    kind = purchase_request.service_item.regional_assessment_kind
    project = purchase_request.project
    if not kind or project.is_special_or_major:
        return None
    # The project's area or any area containing it (a park's assessment covers its zones).
    candidates = (
        RegionalAssessment.objects.filter(
            areas__path__in=project.region.lineage_paths(), valid_from__lte=on, valid_to__gte=on
        )
        .distinct()
        .order_by("-valid_from", "pk")
    )
    return next((assessment for assessment in candidates if kind in assessment.kinds), None)


# Notices --------------------------------------------------------------------------------------


def purchase_requests_ever_published() -> QuerySet[PurchaseRequest]:
    """The requests that were ever published: the only ones anyone but their owner may see,
    on every public path (notice list and page, draw verification, the home page, an
    agency's quote page) and in every status that followed — quoting, awarded, failed, and
    cancelled after publication. A draft never was, nor is a draft cancelled before
    publishing: cancelling does not publish. Decided by the status history, not the current
    status: `published_at` is written by the move to published (purchase_request_publish)
    and by nothing else, and never cleared."""
    return PurchaseRequest.objects.filter(published_at__isnull=False)


def notice_public_list() -> QuerySet[PurchaseRequest]:
    """Published notices — purchase, award, failure, cancellation — newest first."""
    return (
        purchase_requests_ever_published()
        .select_related("project", "service_item__approval_department", "winner__organisation")
        .order_by("-published_at", "-pk")
    )


def notice_public_detail(*, number: str) -> PurchaseRequest:
    """Raises PurchaseRequest.DoesNotExist for unknown numbers and for requests never
    published (drafts, and drafts cancelled before publishing)."""
    return notice_public_list().select_related("project__owner").get(number=number)


def notice_opened_quotes(*, purchase_request: PurchaseRequest) -> QuerySet[Quote]:
    """The quotes as published at opening — never before (sealed) — each with the lead
    agency's credit grade and score as the request recorded them (`recorded_grade`,
    `recorded_score`)."""
    if purchase_request.is_sealed or purchase_request.opened_at is None:
        return Quote.objects.none()
    recorded = Invitation.objects.filter(
        purchase_request=purchase_request, agency=OuterRef("agency")
    )
    return (
        Quote.objects.filter(purchase_request=purchase_request, status=Quote.Status.SUBMITTED)
        .annotate(
            recorded_grade=Coalesce(
                NullIf(Subquery(recorded.values("credit_grade")[:1]), Value("")),
                F("agency__credit_grade"),
            ),
            recorded_score=Coalesce(
                Subquery(recorded.values("credit_score")[:1]), F("agency__credit_score")
            ),
        )
        .select_related("agency__organisation")
        .prefetch_related("members__agency__organisation")
        .order_by("opened_amount", "pk")
    )


def notice_receipts(*, purchase_request: PurchaseRequest) -> QuerySet:
    """Every receipt handed out for the request, with its time and its log entry, public from
    the moment it is made: a receipt gives nothing away before opening (its nonce is sealed),
    and publishing it at once is what lets each bidder see that its quote counts. Neither the
    agency nor the amount is among the fields."""
    return (
        QuoteReceipt.objects.filter(quote__purchase_request=purchase_request)
        .order_by("created_at", "pk")
        .values("receipt", "created_at", "withdrawn", "log_index")
    )


def republications(*, purchase_request: PurchaseRequest) -> list[PurchaseRequest]:
    """The earlier publications of the same need, newest first (each re-publication names the
    failed request it repeats)."""
    earlier = []
    current = purchase_request.republished_from
    while current is not None:
        earlier.append(current)
        current = current.republished_from
    return earlier


def objections_public(*, purchase_request: PurchaseRequest) -> QuerySet[Objection]:
    """Answered objections are published with the notice; pending ones are not."""
    return purchase_request.objections.exclude(status=Objection.Status.PENDING).order_by("filed_at")


def objections_for_owner(*, purchase_request: PurchaseRequest) -> QuerySet[Objection]:
    """What the owner sees: its own objections, and every answered one."""
    return purchase_request.objections.filter(
        Q(filed_by__organisation=purchase_request.project.owner_id)
        | ~Q(status=Objection.Status.PENDING)
    ).order_by("filed_at")


def award_is_held(purchase_request: PurchaseRequest) -> bool:
    """An award with an objection awaiting its answer cannot proceed to a contract."""
    return purchase_request.objections.filter(status=Objection.Status.PENDING).exists()


# Selection ------------------------------------------------------------------------------------


def quotes_valid(purchase_request: PurchaseRequest) -> QuerySet[Quote]:
    return purchase_request.quotes.filter(status=Quote.Status.SUBMITTED, valid=True).select_related(
        "agency__organisation"
    )


def declined_keys_in_order(purchase_request: PurchaseRequest) -> list[str]:
    """The agencies whose award was declined or set aside, first first (as on the log)."""
    return [
        decline.agency.selection_key
        for decline in purchase_request.declines.select_related("agency__organisation").order_by(
            "pk"
        )
    ]


def declined_keys(purchase_request: PurchaseRequest) -> set[str]:
    """The selection keys of the agencies whose award was declined or set aside."""
    return set(declined_keys_in_order(purchase_request))


def quotes_choosable(purchase_request: PurchaseRequest) -> QuerySet[Quote]:
    """The opened quotes the owner may choose from (and the services accept): valid, not
    declined, and for credit merit only those on the drawn short list."""
    quotes = (
        notice_opened_quotes(purchase_request=purchase_request)
        .filter(valid=True)
        .exclude(agency__in=purchase_request.declines.values("agency"))
    )
    if purchase_request.selection_method == SelectionMethod.CREDIT_MERIT:
        shortlist = ((purchase_request.draw_record or {}).get("result") or {}).get(
            "shortlist"
        ) or []
        quotes = quotes.filter(agency__organisation__credit_code__in=shortlist)
    return quotes


# An agency's own view -------------------------------------------------------------------------


@dataclass(frozen=True)
class OwnAmount:
    amount: Decimal
    discount_rate: Decimal | None


def quote_own_amount(quote: Quote | None) -> OwnAmount | None:
    """An agency's own sealed amount, for its own members' page only: the caller has made
    sure `quote` is the viewer's agency's (market/agency_views.py loads no other). The one
    place an amount is read before the deadline."""
    if quote is None or quote.status != Quote.Status.SUBMITTED:
        return None
    if quote.opened_amount is not None:
        return OwnAmount(quote.opened_amount, quote.opened_discount_rate)
    try:
        opened = sealing.open_sealed(quote.sealed)
    except sealing.SealBroken:
        return None
    return OwnAmount(opened.amount, opened.discount_rate)


def quote_for_agency(*, purchase_request: PurchaseRequest, agency: Agency) -> Quote | None:
    return (
        Quote.objects.filter(purchase_request=purchase_request, agency=agency)
        .select_related("agency__organisation")
        .prefetch_related("practitioners", "members__agency__organisation", "receipts")
        .first()
    )


def invitation_list_for_agency(*, agency: Agency) -> QuerySet[Invitation]:
    """The agency's invitations, newest first, each with its own quote's status (if any)."""
    own_quote = Quote.objects.filter(purchase_request=OuterRef("purchase_request"), agency=agency)
    return (
        Invitation.objects.filter(agency=agency)
        .select_related("purchase_request__project", "purchase_request__service_item")
        .annotate(
            quote_status=Subquery(own_quote.values("status")[:1]),
            quote_revision=Subquery(own_quote.values("revision")[:1]),
        )
        .order_by("-created_at", "-pk")
    )


def invitation_unread_count(*, agency_id: int) -> int:
    """How many invitations the agency has not opened yet (its in-app inbox)."""
    return Invitation.objects.filter(agency_id=agency_id, read_at__isnull=True).count()


# What regulators watch ------------------------------------------------------------------------

WATCH_LIST_SIZE = 20


def quotes_outside_reference_range() -> QuerySet[Quote]:
    """Opened quotes outside the item's published reference range, with the justification
    the agency gave (R2), newest opening first."""
    return (
        Quote.objects.filter(
            outside_reference_range=True, purchase_request__opened_at__isnull=False
        )
        .select_related("agency__organisation", "purchase_request__service_item")
        .order_by("-purchase_request__opened_at", "pk")[:WATCH_LIST_SIZE]
    )


def fee_splitting_patterns(*, now: datetime.datetime | None = None) -> list[dict]:
    """Owners with more than one request for the same item below the fee-splitting threshold
    within the window, drafts included — the pattern publication refuses (R2) — with their
    total, largest first."""
    now = now or timezone.now()
    since = now - datetime.timedelta(days=settings.FEE_SPLITTING_WINDOW_DAYS)
    rows = (
        PurchaseRequest.objects.filter(
            created_at__gte=since, budget__lt=settings.FEE_SPLITTING_THRESHOLD
        )
        .exclude(status__in=[Status.CANCELLED, Status.FAILED])
        .values("project__owner__name", "service_item__code", "service_item__name")
        .annotate(count=Count("pk"), total=Sum("budget"))
        .filter(count__gt=1)
        .order_by("-total")[:WATCH_LIST_SIZE]
    )
    return [dict(row) for row in rows]
