"""Reads for the portal's pages and the back office's dashboard. Each reads the other apps
through their own selectors and never copies what they hold."""

from collections.abc import Callable
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from wagtail.models import Page

from accounts.models import Organisation
from accounts.selectors import organisation_counts
from agencies.models import Agency
from agencies.services.review import ReviewCountdown, agencies_for_review, review_countdowns
from catalogue.models import RegionalAssessmentKind, ServiceItem
from contracts.models import Contract
from contracts.selectors import contract_public_list, delivery_metrics
from credit.models import Inspection
from credit.selectors import RegulatorQueues, blacklist_current, regulator_queues
from market.models import Objection, PurchaseRequest
from market.selectors import notice_public_list, purchase_requests_ever_published

Status = PurchaseRequest.Status
# A notice anyone may still act on: published and not yet past its quoting.
OPEN_NOTICE_STATUSES = (Status.PUBLISHED, Status.QUOTING)
AWARD_STATUSES = (Status.AWARDED, Status.CONFIRMED, Status.CONTRACTED)
FAILURE_STATUSES = (Status.FAILED, Status.CANCELLED)
LATEST_NOTICES = 8


# The front page's counts are counted at most once a minute (the page says so): counting
# 100 000 requests on every visit would be the front page's whole cost.
FIGURES_SECONDS = 60


def _home_counts() -> dict:
    return {
        "organisation_counts": organisation_counts(),
        "active_agency_count": Agency.objects.filter(status=Agency.Status.ACTIVE).count(),
        "service_item_count": ServiceItem.objects.filter(
            status=ServiceItem.Status.PUBLISHED
        ).count(),
        "open_notice_count": purchase_requests_ever_published()
        .filter(status__in=OPEN_NOTICE_STATUSES)
        .count(),
        # Working days used over the statutory limit, averaged over finished contracts.
        "delivery_record": delivery_metrics(),
        # Each department with its number of published items.
        "departments": list(
            Organisation.objects.filter(kind=Organisation.Kind.APPROVAL_DEPARTMENT)
            .annotate(
                item_count=Count(
                    "required_service_items",
                    filter=Q(required_service_items__status=ServiceItem.Status.PUBLISHED),
                )
            )
            .order_by("name")
            .values("pk", "name", "item_count")
        ),
    }


# Where a request keeps its sections once read.
SECTIONS_READ = "_portal_sections"


@dataclass(frozen=True)
class PortalSection:
    page_type: type[Page]
    title: str
    url: str


def portal_sections(request: HttpRequest | None) -> list[PortalSection]:
    """The portal's live, public section pages, in the order the header lists them: editors
    can retitle or unpublish a section in the back office and the site follows. Read once per
    request, by one query, for the header and for any page that links a section."""
    read = getattr(request, SECTIONS_READ, None)
    if read is not None:
        return read
    from cms.models import SECTION_TYPES  # the page types read these selectors

    pages = Page.objects.live().public().type(*SECTION_TYPES).select_related("content_type")
    order = {model: position for position, model in enumerate(SECTION_TYPES)}
    ranked = sorted(pages, key=lambda page: order[page.content_type.model_class()])
    sections = [
        PortalSection(page.content_type.model_class(), page.title, page.get_url(request))
        for page in ranked
    ]
    if request is not None:
        setattr(request, SECTIONS_READ, sections)
    return sections


def home_page_figures() -> dict:
    """What the front page shows: a handful of constant-count queries, whatever the data size."""
    published = ServiceItem.objects.filter(status=ServiceItem.Status.PUBLISHED)
    # A cache that is down answers nothing (it misses rather than fails): count now.
    counts = cache.get_or_set("home:figures", _home_counts, FIGURES_SECONDS) or _home_counts()
    return {
        **counts,
        "figures_seconds": FIGURES_SECONDS,
        "regional_assessment_items": published.exclude(regional_assessment_kind="")
        .select_related("approval_department")
        .order_by("code"),
        "regional_assessment_kind_count": len(RegionalAssessmentKind.choices),
        "latest_requests": purchase_requests_ever_published()
        .select_related("project", "service_item")
        # What a line shows, and what its shown status is read from.
        .only(
            "number",
            "status",
            "quote_opens_at",
            "quote_deadline",
            "publicity_ends_on",
            "created_at",
            "project__name",
            "service_item__name",
        )
        .order_by("-created_at")[:LATEST_NOTICES],
    }


# The notice centre -----------------------------------------------------------------------------


def _purchase_notices() -> QuerySet:
    return notice_public_list()


def _award_notices() -> QuerySet:
    return notice_public_list().filter(status__in=AWARD_STATUSES)


def _failure_notices() -> QuerySet:
    return notice_public_list().filter(status__in=FAILURE_STATUSES)


def _contracts() -> QuerySet:
    return contract_public_list()


def _blacklist() -> QuerySet:
    return (
        blacklist_current()
        .select_related("agency__organisation", "authority")
        .order_by("-starts_on", "-pk")
    )


def _inspections() -> QuerySet:
    return Inspection.objects.select_related("agency__organisation", "authority").order_by(
        "-inspected_on", "-pk"
    )


# Tab code (the ?type= of the page) → its label and its rows, in the order the tabs show.
NOTICE_TABS: dict[str, tuple[Promise, Callable[[], QuerySet]]] = {
    "purchase": (_("Purchase notices"), _purchase_notices),
    "award": (_("Award notices"), _award_notices),
    "failure": (_("Failure and cancellation notices"), _failure_notices),
    "contract": (_("Contracts"), _contracts),
    "blacklist": (_("Blacklist"), _blacklist),
    "inspection": (_("Inspection results"), _inspections),
}


def notice_centre_rows(tab: str) -> QuerySet:
    return NOTICE_TABS[tab][1]()


# The regulator's dashboard in the back office ---------------------------------------------------

DASHBOARD_ROWS = 5


@dataclass(frozen=True)
class RegulatorDashboard:
    agencies_pending: int
    agencies_to_review: list[tuple[Agency, ReviewCountdown | None]]
    objections_pending: int
    objections: list[Objection]
    contracts_overdue: int
    credit: RegulatorQueues
    open_notices: int
    active_agencies: int


def regulator_dashboard() -> RegulatorDashboard:
    """The regulator's queues, the oldest first, and a few figures: a fixed number of
    queries, whatever the size of the queues."""
    pending = agencies_for_review()
    agencies = list(pending[:DASHBOARD_ROWS])
    countdowns = review_countdowns(agencies)
    objections = Objection.objects.filter(status=Objection.Status.PENDING)
    return RegulatorDashboard(
        agencies_pending=pending.count(),
        agencies_to_review=[(agency, countdowns.get(agency.pk)) for agency in agencies],
        objections_pending=objections.count(),
        objections=list(
            objections.select_related("purchase_request__service_item").order_by("filed_at")[
                :DASHBOARD_ROWS
            ]
        ),
        # The daily run (contracts_overdue_remind) marks each running contract past its
        # limit; counting the marks keeps this one query instead of a clock per contract.
        contracts_overdue=Contract.objects.filter(
            status__in=Contract.RUNNING_STATUSES, overdue_reminded_on__isnull=False
        ).count(),
        credit=regulator_queues(),
        open_notices=purchase_requests_ever_published()
        .filter(status__in=OPEN_NOTICE_STATUSES)
        .count(),
        active_agencies=Agency.objects.filter(status=Agency.Status.ACTIVE).count(),
    )
