"""The life of a purchase request: draft, publish, the clock's moves, cancel, re-publish.

The one place that changes PurchaseRequest.status. Every move locks the request row first —
the same lock quote_submit takes — so a quote and the deadline can never both win: whichever
holds the lock first decides, by the server clock read while holding it."""

import datetime
from dataclasses import dataclass, replace
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role, User
from agencies.models import Agency
from catalogue.models import ServiceItem
from core.exceptions import ApplicationError
from market import draws, sealing
from market.models import (
    Invitation,
    Project,
    PurchaseRequest,
    RequestEvent,
    RequestExclusion,
    SelectionMethod,
)
from market.selectors import eligible_agencies, regional_assessment_covering

Status = PurchaseRequest.Status
MAX_BUDGET = Decimal("10000000000")


# Who may act ----------------------------------------------------------------------------------


def owner_check(*, actor: User, project: Project) -> None:
    """Only a member of the project's owner acts for it. A department — approval or
    regulator — never picks, invites or excludes an agency (R4)."""
    if actor.role != Role.PROJECT_OWNER or actor.organisation_id != project.owner_id:
        raise ApplicationError(_("Only the project's owner may do this."))


# Projects -------------------------------------------------------------------------------------


@transaction.atomic
def project_create(
    *,
    actor: User,
    name: str,
    investment_code: str,
    region: str,
    funding: str,
    is_special_or_major: bool = False,
) -> Project:
    """Raises ApplicationError if the actor is not a project owner, a field is missing, or
    the investment project code is already registered."""
    owner = actor.organisation
    if actor.role != Role.PROJECT_OWNER or owner is None:
        raise ApplicationError(_("Only project owners register projects."))
    errors: dict[str, list[str]] = {}
    for field, value in (("name", name), ("investment_code", investment_code), ("region", region)):
        if not (value or "").strip():
            errors[field] = [_("This field is required.")]
    if funding not in Project.Funding.values:
        errors["funding"] = [_("Please choose how the project is funded.")]
    if investment_code and Project.objects.filter(investment_code=investment_code.strip()).exists():
        errors["investment_code"] = [_("A project with this code is already registered.")]
    if errors:
        raise ApplicationError(_("Please correct the errors below."), extra=errors)
    return Project.objects.create(
        owner=owner,
        name=name.strip(),
        investment_code=investment_code.strip(),
        region=region.strip(),
        funding=funding,
        is_special_or_major=is_special_or_major,
    )


# Drafts ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RequestTerms:
    """What an owner states in a purchase request. Nothing here can add an entry condition
    beyond the item's required qualifications (R3): there is no field for one."""

    service_item: ServiceItem
    budget: Decimal
    selection_method: str
    quote_deadline: datetime.datetime | None
    quote_opens_at: datetime.datetime | None = None
    wanted_time_limit_days: int | None = None
    requirements_note: str = ""
    scoring_criteria: tuple[tuple[str, int], ...] = ()
    exclusions: tuple[tuple[Agency, str], ...] = ()


def direct_selection_allowed(project: Project) -> bool:
    return project.funding in settings.SELECTION_DIRECT_ALLOWED_FUNDING


def _terms_errors(project: Project, terms: RequestTerms, now: datetime.datetime) -> dict:
    errors: dict[str, list[str]] = {}
    item = terms.service_item
    if item.status != ServiceItem.Status.PUBLISHED:
        errors["service_item"] = [
            _("Only a service published in the catalogue can be bought (R1).")
        ]
    if terms.budget is None or not (Decimal("0") < terms.budget <= MAX_BUDGET):
        errors["budget"] = [_("The budget must be a positive amount of yuan.")]
    if terms.selection_method not in SelectionMethod.values:
        errors["selection_method"] = [_("Please choose a selection method.")]
    elif terms.selection_method == SelectionMethod.DIRECT and not direct_selection_allowed(project):
        errors["selection_method"] = [
            _("Direct selection is not allowed for this project's funding.")
        ]
    if terms.quote_deadline is None or terms.quote_deadline <= now:
        errors["quote_deadline"] = [_("The quote deadline must be in the future.")]
    opens = terms.quote_opens_at
    if opens and terms.quote_deadline and opens >= terms.quote_deadline:
        errors["quote_opens_at"] = [_("Quoting must open before the deadline.")]
    limit = terms.wanted_time_limit_days
    if limit is not None and not (1 <= limit <= item.statutory_time_limit_days):
        errors["wanted_time_limit_days"] = [
            _("The time limit must be between 1 and the statutory %(days)d working days.")
            % {"days": item.statutory_time_limit_days}
        ]
    if terms.selection_method == SelectionMethod.SCORED:
        errors.update(_criteria_errors(terms.scoring_criteria))
    for agency, reason in terms.exclusions:
        if not (reason or "").strip():
            errors["exclusions"] = [
                _("Every excluded agency needs a stated reason: %(agency)s") % {"agency": agency}
            ]
    return errors


PRICE_CRITERION = "price"


def _criteria_errors(criteria: tuple[tuple[str, int], ...]) -> dict:
    names = [name for name, _weight in criteria]
    weights = [weight for _name, weight in criteria]
    if PRICE_CRITERION not in names:
        return {"scoring_criteria": [_("Scored evaluation needs a price criterion.")]}
    if len(set(names)) != len(names) or any(weight <= 0 for weight in weights):
        return {"scoring_criteria": [_("Each criterion once, each with a positive weight.")]}
    if sum(weights) != 100:
        return {"scoring_criteria": [_("The weights must add up to 100.")]}
    return {}


def _next_number(now: datetime.datetime) -> str:
    year = timezone.localtime(now).year
    prefix = f"ZJCG-{year}-"
    last = (
        PurchaseRequest.objects.select_for_update()
        .filter(number__startswith=prefix)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    sequence = (
        int(last.removeprefix(prefix)) + 1 if last and last.removeprefix(prefix).isdigit() else 1
    )
    return f"{prefix}{sequence:04d}"


@transaction.atomic
def purchase_request_create(
    *, actor: User, project: Project, terms: RequestTerms
) -> PurchaseRequest:
    """A draft request. Raises ApplicationError, saving nothing, for a project not the
    actor's, an item not published (R1), a bad budget, method, deadline or time limit, or an
    exclusion without a reason."""
    owner_check(actor=actor, project=project)
    now = timezone.now()
    errors = _terms_errors(project, terms, now)
    if errors:
        raise ApplicationError(next(iter(errors.values()))[0], extra=errors)
    request = PurchaseRequest.objects.create(
        number=_next_number(now),
        project=project,
        service_item=terms.service_item,
        budget=terms.budget,
        selection_method=terms.selection_method,
        quote_opens_at=terms.quote_opens_at,
        quote_deadline=terms.quote_deadline,
        wanted_time_limit_days=terms.wanted_time_limit_days,
        requirements_note=terms.requirements_note,
        scoring_criteria=[
            {"name": name, "weight": weight} for name, weight in terms.scoring_criteria
        ],
        created_by=actor,
    )
    RequestExclusion.objects.bulk_create(
        RequestExclusion(request=request, agency=agency, reason=reason.strip())
        for agency, reason in terms.exclusions
    )
    _record(request, "", Status.DRAFT, actor=actor)
    return request


@transaction.atomic
def purchase_request_update(
    *, actor: User, request: PurchaseRequest, terms: RequestTerms
) -> PurchaseRequest:
    """Change a draft's terms. Once published they are fixed — agencies quote on them — so a
    published request is cancelled (reason published) and a new one made instead.

    Raises ApplicationError for a request that is not a draft, or as purchase_request_create
    does; nothing is saved then."""
    request = lock(request)
    owner_check(actor=actor, project=request.project)
    if request.status != Status.DRAFT:
        raise ApplicationError(
            _("A published request cannot be changed; cancel it and publish a new one.")
        )
    errors = _terms_errors(request.project, terms, timezone.now())
    if errors:
        raise ApplicationError(next(iter(errors.values()))[0], extra=errors)
    request.service_item = terms.service_item
    request.budget = terms.budget
    request.selection_method = terms.selection_method
    request.quote_opens_at = terms.quote_opens_at
    request.quote_deadline = terms.quote_deadline
    request.wanted_time_limit_days = terms.wanted_time_limit_days
    request.requirements_note = terms.requirements_note
    request.scoring_criteria = [
        {"name": name, "weight": weight} for name, weight in terms.scoring_criteria
    ]
    request.save()
    request.exclusions.all().delete()
    RequestExclusion.objects.bulk_create(
        RequestExclusion(request=request, agency=agency, reason=reason.strip())
        for agency, reason in terms.exclusions
    )
    return request


# Moves ----------------------------------------------------------------------------------------


def lock(request: PurchaseRequest) -> PurchaseRequest:
    # One lock for every write to a request and its quotes: a quote, a cancellation and the
    # deadline are serialised, so a quote is accepted only if the deadline had not passed
    # when it took the lock.
    return (
        PurchaseRequest.objects.select_for_update()
        .select_related("project", "service_item")
        .get(pk=request.pk)
    )


def _record(
    request: PurchaseRequest, from_status: str, to_status: str, *, actor: User | None, note=""
) -> RequestEvent:
    return RequestEvent.objects.create(
        request=request, from_status=from_status, to_status=to_status, actor=actor, note=note
    )


def move(
    request: PurchaseRequest, to_status: str, *, actor: User | None, note: str = "", **fields
) -> PurchaseRequest:
    """Change the status of a locked request along TRANSITIONS and record it."""
    if to_status not in PurchaseRequest.TRANSITIONS[request.status]:
        raise ApplicationError(
            _("A request that is %(status)s cannot become %(target)s.")
            % {"status": request.get_status_display(), "target": Status(to_status).label}
        )
    from_status = request.status
    request.status = to_status
    for name, value in fields.items():
        setattr(request, name, value)
    request.save(update_fields=["status", *fields])
    _record(request, from_status, to_status, actor=actor, note=note)
    return request


@transaction.atomic
def purchase_request_publish(*, actor: User, request: PurchaseRequest) -> PurchaseRequest:
    """Publish the notice with its draw commitment and invite every eligible agency.

    Raises ApplicationError when the actor is not the owner, the request is not a draft,
    its terms no longer hold (deadline passed, item retired), or a regional assessment
    already covers this kind of service in the project's region (R8, with its address)."""
    request = lock(request)
    owner_check(actor=actor, project=request.project)
    now = timezone.now()
    if request.status != Status.DRAFT:
        raise ApplicationError(_("Only a draft can be published."))
    errors = _terms_errors(request.project, _terms_of(request), now)
    if errors:
        raise ApplicationError(next(iter(errors.values()))[0], extra=errors)
    covering = regional_assessment_covering(request=request, on=timezone.localdate(now))
    if covering is not None:
        url = reverse("market:regional_assessment", args=[covering.pk])
        raise ApplicationError(
            _(
                "A regional assessment (%(title)s) already covers this service in %(region)s; "
                "the project reuses its result and need not buy the service (R8)."
            )
            % {"title": covering.title, "region": covering.region},
            extra={"regional_assessment_url": url},
        )
    secret = draws.new_secret()
    move(
        request,
        Status.PUBLISHED,
        actor=actor,
        published_at=now,
        quote_opens_at=request.quote_opens_at or now,
        draw_commitment=draws.commitment(secret),
        draw_secret_sealed=sealing.seal_text(secret),
    )
    _invite(request)
    sync_locked(request, now=now)
    return request


def _terms_of(request: PurchaseRequest) -> RequestTerms:
    return RequestTerms(
        service_item=request.service_item,
        budget=request.budget,
        selection_method=request.selection_method,
        quote_deadline=request.quote_deadline,
        quote_opens_at=request.quote_opens_at,
        wanted_time_limit_days=request.wanted_time_limit_days,
        scoring_criteria=tuple(
            (criterion["name"], criterion["weight"]) for criterion in request.scoring_criteria
        ),
        exclusions=tuple(
            (exclusion.agency, exclusion.reason) for exclusion in request.exclusions.all()
        ),
    )


def _invite(request: PurchaseRequest) -> None:
    agencies = list(eligible_agencies(request=request))
    Invitation.objects.bulk_create(
        [Invitation(request=request, agency=agency) for agency in agencies],
        ignore_conflicts=True,
    )
    from market.tasks import invitations_send

    transaction.on_commit(lambda: invitations_send.delay(request.pk))


@transaction.atomic
def purchase_request_cancel(
    *, actor: User, request: PurchaseRequest, reason: str
) -> PurchaseRequest:
    """Cancel before quotes are opened; the reason is published with the notice.

    Raises ApplicationError when the actor is not the owner, there is no reason, or the
    quotes have been opened."""
    request = lock(request)
    owner_check(actor=actor, project=request.project)
    sync_locked(request, now=timezone.now())
    if not (reason or "").strip():
        raise ApplicationError(
            _("A cancellation needs a reason; it is published."),
            extra={"reason": [_("A cancellation needs a reason; it is published.")]},
        )
    return move(
        request, Status.CANCELLED, actor=actor, note=reason.strip(), outcome_note=reason.strip()
    )


@transaction.atomic
def purchase_request_republish(
    *, actor: User, request: PurchaseRequest, quote_deadline: datetime.datetime
) -> PurchaseRequest:
    """Re-publish a failed request in one step: the same terms with a new deadline, a new
    number and a new draw commitment. Raises ApplicationError for a request that has not
    failed, or already was re-published, or as purchase_request_create does."""
    request = lock(request)
    owner_check(actor=actor, project=request.project)
    if request.status != Status.FAILED:
        raise ApplicationError(_("Only a failed request can be re-published."))
    if PurchaseRequest.objects.filter(republished_from=request).exists():
        raise ApplicationError(_("This request has already been re-published."))
    terms = replace(_terms_of(request), quote_deadline=quote_deadline, quote_opens_at=None)
    copy = purchase_request_create(actor=actor, project=request.project, terms=terms)
    copy.republished_from = request
    copy.requirements_note = request.requirements_note
    copy.save(update_fields=["republished_from", "requirements_note"])
    return purchase_request_publish(actor=actor, request=copy)


# The clock ------------------------------------------------------------------------------------


def sync_locked(request: PurchaseRequest, *, now: datetime.datetime) -> PurchaseRequest:
    """Make the moves the clock has made due, on a request already locked. Safe to repeat."""
    if (
        request.status == Status.PUBLISHED
        and request.quote_opens_at
        and now >= request.quote_opens_at
    ):
        move(request, Status.QUOTING, actor=None)
    deadline = request.quote_deadline
    if request.status == Status.QUOTING and deadline is not None and now >= deadline:
        move(request, Status.CLOSED, actor=None, note=_("The quote deadline passed."))
    if request.status == Status.CLOSED:
        from market.services.selection import open_and_select

        open_and_select(request, now=now)
    return request


@transaction.atomic
def purchase_request_sync(
    *, request: PurchaseRequest, now: datetime.datetime | None = None
) -> PurchaseRequest:
    """Bring one request up to the server clock. Every page and service that reads a request
    calls this first, so nothing waits for the scheduler."""
    if request.status not in (Status.PUBLISHED, Status.QUOTING, Status.CLOSED):
        return request
    return sync_locked(lock(request), now=now or timezone.now())


def purchase_requests_sync_due(*, now: datetime.datetime | None = None) -> int:
    """The scheduled sweep: every request with a move due. Each in its own transaction, so one
    failure leaves the others done; running it twice, or late, changes nothing more."""
    now = now or timezone.now()
    due = PurchaseRequest.objects.filter(
        status__in=[Status.PUBLISHED, Status.QUOTING, Status.CLOSED]
    )
    due = due.filter(quote_opens_at__lte=now) | due.filter(quote_deadline__lte=now)
    count = 0
    for request in due.distinct().order_by("pk"):
        purchase_request_sync(request=request, now=now)
        count += 1
    return count


def invitation_mark_read(*, request: PurchaseRequest, agency: Agency) -> None:
    """The agency has opened its invitation to this request (its in-app inbox)."""
    Invitation.objects.filter(request=request, agency=agency, read_at__isnull=True).update(
        read_at=timezone.now()
    )
